"""Forms of the inspection pages; the actions check the rules, the forms only parse."""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ungcuu.inspections.models import DutyCode, Kind, Remediation, Severity
from ungcuu.lib.forms import DateInput
from ungcuu.registry.models import Organisation, OrganisationKind


class ResultForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=Kind.choices)
    performed_on = forms.DateField(label=_("Performed on"), widget=DateInput())
    body = forms.ModelChoiceField(
        label=_("Inspecting body (from the registry)"), required=False, queryset=Organisation.objects.none(),
        help_text=_("From level 3 an inspection must be done by a body licensed or designated by the competent "
                    "authority (Nghị định 85/2016/NĐ-CP Điều 20.2.c)."))
    body_name = forms.CharField(label=_("Inspecting body (not in the registry)"), required=False, max_length=300)
    performer = forms.CharField(label=_("Performed by (person)"), required=False, max_length=200)
    licensed = forms.BooleanField(label=_("The body is licensed or designated by the competent authority"),
                                  required=False)
    licence_reference = forms.CharField(label=_("Licence or designation (number, date)"), required=False,
                                        max_length=200)
    summary = forms.CharField(label=_("Summary"), widget=forms.Textarea(attrs={"rows": 3}))
    report_reference = forms.CharField(label=_("Report file reference"), required=False, max_length=300,
                                       help_text=_("The report's number and date, or where the file is kept."))
    evidence = forms.CharField(label=_("Evidence"), required=False, widget=forms.Textarea(attrs={"rows": 2}),
                               help_text=_("Required when there is no report file reference."))

    def __init__(self, *args, organisation_scope=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["body"].queryset = Organisation.objects.filter(is_active=True).exclude(
            kind__in=[OrganisationKind.COMMUNE, OrganisationKind.DISTRICT]).order_by("name")
        if organisation_scope:
            self.fields["kind"].choices = [(Kind.INSPECTION, Kind.INSPECTION.label)]
        self.fields["performed_on"].initial = timezone.localdate()


class FindingForm(forms.Form):
    title = forms.CharField(label=_("Finding"), max_length=300, required=False)
    severity = forms.ChoiceField(label=_("Severity"), choices=[("", "—"), *Severity.choices], required=False)
    remediation = forms.CharField(label=_("Remediation"), required=False, widget=forms.Textarea(attrs={"rows": 1}))
    status = forms.ChoiceField(label=_("Status"), choices=Remediation.choices, initial=Remediation.OPEN)
    status_on = forms.DateField(label=_("Fixed or accepted on"), required=False, widget=DateInput())

    def row(self) -> dict | None:
        """The finding as the action takes it, or None for a row left blank."""
        data = self.cleaned_data
        if not (data.get("title") or data.get("severity") or data.get("remediation")):
            return None
        return {key: data.get(key) for key in ("title", "severity", "remediation", "status", "status_on")}


FindingFormSet = forms.formset_factory(FindingForm, extra=1, max_num=200, validate_max=True)


class FindingUpdateForm(forms.Form):
    status = forms.ChoiceField(label=_("Status"), choices=Remediation.choices)
    status_on = forms.DateField(label=_("Fixed or accepted on"), required=False, widget=DateInput())
    remediation = forms.CharField(label=_("Remediation"), required=False, widget=forms.Textarea(attrs={"rows": 1}))


class OverrideForm(forms.Form):
    code = forms.ChoiceField(label=_("Duty"), choices=DutyCode.choices)
    months = forms.IntegerField(label=_("Period (months)"), min_value=1, max_value=120)
    province = forms.CharField(label=_("Province"), required=False, max_length=200)
    source_document = forms.CharField(label=_("Provincial document"), max_length=300)
    article = forms.CharField(label=_("Article"), required=False, max_length=200)
    reason = forms.CharField(label=_("Reason"), required=False, widget=forms.Textarea(attrs={"rows": 2}))

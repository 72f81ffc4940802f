"""Forms of the advisories pages; the actions do the checking, the forms only parse."""

from django import forms
from django.utils.translation import gettext_lazy as _

from ungcuu.advisories.models import ANSWERED_STATUSES, AdvisoryStatus, AnswerStatus, Severity
from ungcuu.lib.forms import DateInput
from ungcuu.registry.models import Organisation


class AdvisoryForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=300)
    description = forms.CharField(label=_("Description of the vulnerability or threat"), widget=forms.Textarea(
        attrs={"rows": 5}))
    cve_ids = forms.CharField(label=_("CVE identifiers"), required=False, max_length=2000,
                              help_text=_("Separated by commas or spaces, e.g. CVE-2024-3400, CVE-2023-4966."))
    products = forms.CharField(
        label=_("Affected products and versions"), required=False, widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("One product a line: “product | versions”, e.g. “PostgreSQL | 14.0 – 14.10”. The product name "
                    "is matched against the software registered on each information system."))
    severity = forms.ChoiceField(label=_("Severity"), choices=Severity.choices, initial=Severity.HIGH)
    recommended_actions = forms.CharField(label=_("Recommended actions"), required=False,
                                          widget=forms.Textarea(attrs={"rows": 4}))
    deadline = forms.DateField(label=_("Answer by"), widget=DateInput())
    source = forms.CharField(label=_("Source"), required=False, max_length=300,
                             help_text=_("e.g. the national coordinator's warning number and date."))
    source_organisation = forms.ModelChoiceField(label=_("Source organisation"), required=False,
                                                 queryset=Organisation.objects.filter(is_active=True))
    match_products = forms.BooleanField(
        label=_("Send to every organisation whose registered systems run an affected product"), required=False,
        initial=True)
    organisations = forms.ModelMultipleChoiceField(
        label=_("Also send to these organisations"), required=False,
        queryset=Organisation.objects.filter(is_active=True), widget=forms.SelectMultiple(attrs={"size": 8}),
        help_text=_("A chosen organisation answers for every system it owns."))

    @staticmethod
    def initial_from(advisory) -> dict:
        return {
            "title": advisory.title, "description": advisory.description, "cve_ids": ", ".join(advisory.cve_ids),
            "products": "\n".join(f"{p.product} | {p.versions}" if p.versions else p.product
                                  for p in advisory.products.all()),
            "severity": advisory.severity, "recommended_actions": advisory.recommended_actions,
            "deadline": advisory.deadline, "source": advisory.source,
            "source_organisation": advisory.source_organisation_id, "match_products": advisory.match_products,
            "organisations": list(advisory.organisations.values_list("pk", flat=True)),
        }


class AnswerForm(forms.Form):
    status = forms.ChoiceField(label=_("Answer"),
                               choices=[(s, AnswerStatus(s).label) for s in ANSWERED_STATUSES])
    note = forms.CharField(label=_("Note (the reason, if it cannot be fixed)"), required=False, max_length=2000,
                           widget=forms.Textarea(attrs={"rows": 2}))


STATUS_FILTER = [("", _("All")), *AdvisoryStatus.choices]

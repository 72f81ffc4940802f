"""Forms of the plans pages; they only parse input, the actions decide."""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ungcuu.incidents.models import AttackType, Cause
from ungcuu.incidents.procedure import Step
from ungcuu.lib.forms import DateInput
from ungcuu.plans.models import SECTIONS, Period, PlanScope, TaskStatus
from ungcuu.registry.models import InformationSystem, Organisation

TEXTAREA = {"rows": 4}
QUARTER_CHOICES = [("1", _("Quarter I")), ("2", _("Quarter II")), ("3", _("Quarter III")), ("4", _("Quarter IV"))]


class NewPlanForm(forms.Form):
    scope = forms.ChoiceField(label=_("Scope"), choices=PlanScope.choices, initial=PlanScope.SYSTEM)
    system = forms.ModelChoiceField(label=_("Information system"), queryset=InformationSystem.objects.none(),
                                    required=False)
    title = forms.CharField(label=_("Title"), max_length=300, required=False,
                            help_text=_("Left empty: “Incident response plan: <system>”."))

    def __init__(self, *args, systems=None, **kwargs):
        super().__init__(*args, **kwargs)
        if systems is not None:
            self.fields["system"].queryset = systems


class SectionsForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=300)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field, heading, hint in SECTIONS:
            self.fields[field] = forms.CharField(label=heading, help_text=hint, required=False, max_length=50_000,
                                                 widget=forms.Textarea(attrs=TEXTAREA))


class ApproveForm(forms.Form):
    decision_number = forms.CharField(label=_("Decision number"), max_length=100,
                                      help_text=_("e.g. 123/QĐ-SYT"))
    decision_date = forms.DateField(label=_("Decision date"), widget=DateInput())
    approver_name = forms.CharField(label=_("Signed by"), max_length=200, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["decision_date"].initial = timezone.localdate()


class ScenarioForm(forms.Form):
    cause = forms.ChoiceField(label=_("Cause"), choices=Cause.choices)
    attack_type = forms.ChoiceField(label=_("Attack type"), choices=[("", "—"), *AttackType.choices], required=False,
                                    help_text=_("Only for the cause “cyber attack”."))
    title = forms.CharField(label=_("Title"), max_length=300, required=False)
    situation = forms.CharField(label=_("Situation and signs"), required=False,
                                widget=forms.Textarea(attrs=TEXTAREA))
    identify_origin = forms.CharField(label=_("How to identify the origin"), required=False,
                                      widget=forms.Textarea(attrs=TEXTAREA))
    isolate = forms.CharField(label=_("How to isolate and contain"), required=False,
                              widget=forms.Textarea(attrs=TEXTAREA))
    handle = forms.CharField(label=_("How to handle and remedy"), required=False,
                             widget=forms.Textarea(attrs=TEXTAREA))
    recover = forms.CharField(label=_("How to recover"), required=False, widget=forms.Textarea(attrs=TEXTAREA))
    resources = forms.CharField(label=_("Resources"), required=False, widget=forms.Textarea(attrs=TEXTAREA))
    position = forms.IntegerField(label=_("Order"), min_value=0, max_value=32767, required=False)


class StepForm(forms.Form):
    title = forms.CharField(label=_("Step"), max_length=300)
    detail = forms.CharField(label=_("Detail"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    procedure_step = forms.ChoiceField(label=_("Procedure step of the task"), choices=Step.choices,
                                       initial=Step.CONTAIN)
    position = forms.IntegerField(label=_("Order"), min_value=0, max_value=32767, required=False)


class AnnualPlanForm(forms.Form):
    year = forms.IntegerField(label=_("Year"), min_value=2000, max_value=2100)
    title = forms.CharField(label=_("Title"), max_length=300, required=False)
    reference = forms.CharField(label=_("Plan document (number and date)"), max_length=200, required=False)


class AnnualTaskForm(forms.Form):
    number = forms.IntegerField(label=_("Number"), min_value=1, max_value=32767)
    content = forms.CharField(label=_("Task"), widget=forms.Textarea(attrs={"rows": 2}), max_length=5000)
    lead = forms.ModelChoiceField(label=_("Lead unit"), queryset=Organisation.objects.filter(is_active=True))
    lead_note = forms.CharField(label=_("Lead units as written in the plan"), max_length=300, required=False)
    co_operating = forms.ModelMultipleChoiceField(label=_("Co-operating units"), required=False,
                                                  queryset=Organisation.objects.filter(is_active=True))
    co_operating_note = forms.CharField(label=_("Other co-operating units"), max_length=500, required=False)
    period = forms.ChoiceField(label=_("Period"), choices=Period.choices)
    quarters = forms.MultipleChoiceField(label=_("Quarters"), choices=QUARTER_CHOICES, required=False,
                                         widget=forms.CheckboxSelectMultiple)


class TaskProgressForm(forms.Form):
    status = forms.ChoiceField(label=_("Status"), choices=TaskStatus.choices)
    evidence = forms.CharField(label=_("Evidence of completion"), required=False,
                               widget=forms.Textarea(attrs={"rows": 2}))
    evidence_reference = forms.CharField(label=_("Document reference (number, date)"), max_length=200,
                                         required=False)
    note = forms.CharField(label=_("Progress note"), required=False, widget=forms.Textarea(attrs={"rows": 2}),
                           max_length=5000)

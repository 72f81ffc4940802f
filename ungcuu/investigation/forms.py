"""Forms of the investigation pages; they only parse input, the actions check it."""

from django import forms
from django.utils.translation import gettext_lazy as _

from ungcuu.incidents.models import AttackType, IndicatorKind
from ungcuu.incidents.procedure import Step
from ungcuu.investigation.models import TaskStatus, TimelineKind
from ungcuu.lib.forms import DateInput


class TaskForm(forms.Form):
    step = forms.ChoiceField(label=_("Step"), choices=Step.choices)
    title = forms.CharField(label=_("Task"), max_length=300)
    detail = forms.CharField(label=_("Detail"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    assignee = forms.ModelChoiceField(label=_("Assignee"), queryset=None, required=False)
    due_on = forms.DateField(label=_("Due on"), required=False, widget=DateInput())

    def __init__(self, *args, assignees, step="", choices=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["assignee"].queryset = assignees
        if choices is not None:  # already read: offer them without a second query
            self.fields["assignee"].choices = [("", "---------")] + [(u.pk, u.get_full_name()) for u in choices]
        if step:
            self.fields["step"].initial = step


class TaskUpdateForm(forms.Form):
    status = forms.ChoiceField(label=_("Status"), choices=TaskStatus.choices, required=False)
    assignee = forms.ModelChoiceField(label=_("Assignee"), queryset=None, required=False)
    due_on = forms.DateField(label=_("Due on"), required=False, widget=DateInput())

    def __init__(self, *args, assignees, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["assignee"].queryset = assignees


class ChecklistStepForm(forms.Form):
    step = forms.ChoiceField(label=_("Step"), choices=Step.choices)


class IndicatorForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=IndicatorKind.choices)
    value = forms.CharField(label=_("Value"), max_length=2000,
                            help_text=_("Defanged forms are accepted: hxxp://, [.], [at]."))


class TimelineForm(forms.Form):
    occurred_at = forms.DateTimeField(label=_("When"), input_formats=["%Y-%m-%dT%H:%M", "%d/%m/%Y %H:%M"],
                                      widget=forms.DateTimeInput(attrs={"type": "datetime-local"},
                                                                 format="%Y-%m-%dT%H:%M"))
    kind = forms.ChoiceField(label=_("Kind"), choices=TimelineKind.choices, initial=TimelineKind.NOTE)
    text = forms.CharField(label=_("What happened"), widget=forms.Textarea(attrs={"rows": 2}))


class TemplateForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200)
    step = forms.ChoiceField(label=_("Step"), choices=Step.choices)
    attack_type = forms.ChoiceField(label=_("Attack type"), required=False,
                                    choices=[("", _("Any attack type")), *AttackType.choices])
    position = forms.IntegerField(label=_("Position"), min_value=0, max_value=32767, initial=0)
    source = forms.CharField(label=_("Source"), max_length=300, required=False)


class ItemForm(forms.Form):
    title = forms.CharField(label=_("Item"), max_length=300)
    detail = forms.CharField(label=_("Detail"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    position = forms.IntegerField(label=_("Position"), min_value=0, max_value=32767, required=False)

"""Forms of the drill and meeting pages; they only parse input, the actions decide."""

from django import forms
from django.utils.translation import gettext_lazy as _

from ungcuu.drills.models import DrillKind, MeetingKind
from ungcuu.lib.forms import DateInput
from ungcuu.registry.models import InformationSystem, Organisation, Person


class PersonField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.full_name} ({obj.organisation})" if obj.organisation_id else obj.full_name


class SystemField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj):
        return _("%(name)s (level %(level)s)") % {"name": obj.name, "level": obj.level}


def people():
    return Person.objects.filter(is_active=True).select_related("organisation").order_by("full_name", "pk")


def organisations():
    return Organisation.objects.filter(is_active=True).order_by("name", "pk")


class DrillForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=DrillKind.choices)
    title = forms.CharField(label=_("Title"), max_length=300)
    scenario = forms.CharField(label=_("Scenario"), widget=forms.Textarea(attrs={"rows": 4}), required=False)
    starts_on = forms.DateField(label=_("Start date"), widget=DateInput())
    ends_on = forms.DateField(label=_("End date"), widget=DateInput(), required=False)
    location = forms.CharField(label=_("Location"), max_length=300, required=False)
    organiser = forms.ModelChoiceField(label=_("Organiser"), queryset=Organisation.objects.none(), required=False)
    systems = SystemField(label=_("Systems concerned"), queryset=InformationSystem.objects.none(), required=False,
                          help_text=_("A live drill covering a system of level 3 or above meets its yearly duty "
                                      "(Chỉ thị 18/CT-TTg)."))
    persons = PersonField(label=_("Participants (people)"), queryset=Person.objects.none(), required=False)
    organisations = forms.ModelMultipleChoiceField(label=_("Participating organisations"),
                                                   queryset=Organisation.objects.none(), required=False)

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organiser"].queryset = organisations()
        self.fields["organisations"].queryset = organisations()
        self.fields["persons"].queryset = people()
        systems = InformationSystem.objects.filter(is_active=True).order_by("-level", "name")
        self.fields["systems"].queryset = systems.visible_to(user) if user is not None else systems


class DrillEditForm(DrillForm):
    """The planned drill's own fields; participants are added on its page."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        del self.fields["persons"], self.fields["organisations"]


class ParticipantsForm(forms.Form):
    persons = PersonField(label=_("People"), queryset=Person.objects.none(), required=False)
    organisations = forms.ModelMultipleChoiceField(label=_("Organisations"), queryset=Organisation.objects.none(),
                                                   required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["persons"].queryset = people()
        self.fields["organisations"].queryset = organisations()


class CompleteForm(forms.Form):
    ends_on = forms.DateField(label=_("End date"), widget=DateInput(), required=False)
    results = forms.CharField(label=_("Results"), widget=forms.Textarea(attrs={"rows": 4}))
    lessons = forms.CharField(label=_("Lessons learned"), widget=forms.Textarea(attrs={"rows": 3}), required=False)
    attended = forms.ModelMultipleChoiceField(label=_("Present"), queryset=None, required=False,
                                              widget=forms.CheckboxSelectMultiple)

    def __init__(self, *args, drill, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["attended"].queryset = drill.participants.select_related("person", "organisation")


class CancelForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=500)


class MeetingForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=MeetingKind.choices)
    held_on = forms.DateField(label=_("Date"), widget=DateInput())
    location = forms.CharField(label=_("Location"), max_length=300, required=False)
    chair = forms.ModelChoiceField(label=_("Chair"), queryset=Person.objects.none(), required=False)
    present = PersonField(label=_("Present"), queryset=Person.objects.none())
    absent = PersonField(label=_("Absent"), queryset=Person.objects.none(), required=False)
    agenda = forms.CharField(label=_("Agenda"), widget=forms.Textarea(attrs={"rows": 3}), required=False)
    minutes = forms.CharField(label=_("Minutes"), widget=forms.Textarea(attrs={"rows": 6}), required=False)
    decisions = forms.CharField(label=_("Decisions"), widget=forms.Textarea(attrs={"rows": 3}), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in ("chair", "present", "absent"):
            self.fields[field].queryset = people()


class MinutesForm(forms.Form):
    minutes = forms.CharField(label=_("Minutes"), widget=forms.Textarea(attrs={"rows": 8}), required=False)
    decisions = forms.CharField(label=_("Decisions"), widget=forms.Textarea(attrs={"rows": 4}), required=False)

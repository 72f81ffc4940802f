"""Forms of the dossier pages; they only parse input, the actions decide."""

from django import forms
from django.utils.translation import gettext_lazy as _

from ungcuu.dossiers.actions import DOSSIER_FIELDS
from ungcuu.dossiers.models import Dossier, FocalPointRole, NoticeMeans
from ungcuu.incidents.forms import ReportDateTimeField
from ungcuu.registry.models import InformationSystem, Organisation, Person


class SystemField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj):
        return _("%(name)s (level %(level)s)") % {"name": obj.name, "level": obj.level}


class DossierForm(forms.ModelForm):
    """Sections 1, 2, 4, 5 and 7 of Biểu mẫu 01 (the organisation chosen only when the dossier is opened)."""

    systems = SystemField(label=_("Systems in charge"), queryset=InformationSystem.objects.none(), required=False)
    website = forms.URLField(label=_("Website"), required=False, assume_scheme="https")

    class Meta:
        model = Dossier
        fields = ["organisation", *DOSSIER_FIELDS]
        widgets = {"capabilities": forms.Textarea(attrs={"rows": 4})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["systems"].queryset = (InformationSystem.objects.filter(is_active=True).select_related("owner")
                                           .order_by("-level", "name"))
        if self.instance.pk:
            del self.fields["organisation"]
            self.fields["systems"].initial = list(self.instance.systems.values_list("pk", flat=True))
        else:
            self.fields["organisation"].queryset = Organisation.objects.filter(
                is_active=True, dossier__isnull=True).order_by("name")
            self.fields["name"].required = False
            self.fields["name"].help_text = _("Left empty: the organisation's name in the registry.")

    def clean(self):
        data = super().clean()
        if not data.get("name") and data.get("organisation"):
            data["name"] = data["organisation"].name
        return data


class FocalPointForm(forms.Form):
    role = forms.ChoiceField(label=_("Role"), choices=FocalPointRole.choices)
    person = forms.ModelChoiceField(label=_("Person in the registry"), queryset=Person.objects.none(), required=False,
                                    help_text=_("Fills the name, position, mobile and e-mail left empty."))
    full_name = forms.CharField(label=_("Full name"), max_length=200, required=False)
    position = forms.CharField(label=_("Position"), max_length=200, required=False)
    address = forms.CharField(label=_("Address"), max_length=300, required=False)
    landline = forms.CharField(label=_("Landline"), max_length=50, required=False)
    mobile = forms.CharField(label=_("Mobile"), max_length=50, required=False)
    fax = forms.CharField(label=_("Fax"), max_length=50, required=False)
    email = forms.EmailField(label=_("E-mail"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["person"].queryset = Person.objects.filter(is_active=True).order_by("full_name", "pk")


class NoticeForm(forms.Form):
    sent_at = ReportDateTimeField(label=_("Sent at"))
    means = forms.ChoiceField(label=_("Sent by"), choices=NoticeMeans.choices)
    reference = forms.CharField(label=_("Reference (number of the letter, e-mail subject)"), max_length=200,
                                required=False)


class StaffForm(forms.Form):
    field = forms.CharField(label=_("Field of training"), max_length=200)
    level = forms.CharField(label=_("Level of training"), max_length=100)
    certificate = forms.CharField(label=_("Certificates"), max_length=300, required=False)
    count = forms.IntegerField(label=_("Number of people"), min_value=1, initial=1)


class ExpertForm(forms.Form):
    full_name = forms.CharField(label=_("Full name"), max_length=200)
    school = forms.CharField(label=_("School"), max_length=300, required=False)
    speciality = forms.CharField(label=_("Speciality"), max_length=200, required=False)
    degree = forms.CharField(label=_("Degree or certificate"), max_length=300, required=False)
    graduated = forms.CharField(label=_("Graduated (mm/yyyy)"), max_length=7, required=False)

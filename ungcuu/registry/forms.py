"""Registry forms: type checks here, domain rules in actions (shown on the same form)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from ungcuu.lib.forms import DateInput
from ungcuu.registry.models import (
    SECURITY_LEVELS,
    IncidentTerm,
    Organisation,
    OrganisationKind,
    SecurityLevelStatus,
    SecurityMeasure,
    Service,
    TeamPosition,
)


def organisation_field(label, required=True, queryset=None):
    return forms.ModelChoiceField(
        queryset=queryset if queryset is not None else Organisation.objects.all(), label=label,
        required=required, empty_label=_("— choose —"),
    )


class OrganisationForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=300)
    short_name = forms.CharField(label=_("Short name"), max_length=50, required=False)
    kind = forms.ChoiceField(label=_("Kind"), choices=OrganisationKind.choices)
    parent = organisation_field(_("Parent organisation"), required=False)
    address = forms.CharField(label=_("Address"), max_length=300, required=False)
    phone = forms.CharField(label=_("Phone"), max_length=50, required=False)
    email = forms.EmailField(label=_("Official e-mail"), required=False)
    is_active = forms.BooleanField(label=_("Active"), required=False, initial=True)


class PersonForm(forms.Form):
    full_name = forms.CharField(label=_("Full name"), max_length=200)
    position = forms.CharField(label=_("Position"), max_length=200, required=False)
    organisation = organisation_field(_("Organisation"))
    phone = forms.CharField(label=_("Phone"), max_length=50, required=False)
    email = forms.EmailField(label=_("Official e-mail"), required=False)
    team_position = forms.ChoiceField(label=_("Team position"), choices=TeamPosition.choices, required=False)
    skills = forms.CharField(label=_("Skills"), widget=forms.Textarea(attrs={"rows": 2}), required=False)
    is_active = forms.BooleanField(label=_("Active"), required=False, initial=True)


class SystemForm(forms.Form):
    name = forms.CharField(label=_("Name of the system"), max_length=300)
    owner = organisation_field(_("Owner (chủ quản)"))
    operator = organisation_field(_("Operator"))
    level = forms.TypedChoiceField(label=_("Security level"), choices=SECURITY_LEVELS, coerce=int,
                                   help_text=_("Levels 1–5 under Decree 85/2016."))
    level_status = forms.ChoiceField(label=_("Level status"), choices=SecurityLevelStatus.choices)
    level_approved_on = forms.DateField(label=_("Level approved on"), required=False, widget=DateInput())
    level_decision = forms.CharField(label=_("Approval decision"), max_length=100, required=False,
                                     help_text=_("Number of the approving decision, e.g. 123/QĐ-UBND."))
    national_critical = forms.BooleanField(label=_("On the national critical systems list"), required=False)
    purpose = forms.CharField(label=_("Main purpose"), widget=forms.Textarea(attrs={"rows": 2}), required=False)
    ip_ranges = forms.CharField(
        label=_("Public IP ranges"), widget=forms.Textarea(attrs={"rows": 3}), required=False,
        help_text=_("One per line, as an address or in CIDR form, e.g. 203.113.1.0/24."))
    domains = forms.CharField(label=_("Domain names"), widget=forms.Textarea(attrs={"rows": 3}), required=False,
                              help_text=_("One per line, e.g. dichvucong.quangngai.gov.vn."))
    os_versions = forms.CharField(label=_("Operating systems and versions"), required=False,
                                  widget=forms.Textarea(attrs={"rows": 2}))
    services = forms.MultipleChoiceField(label=_("Services"), choices=Service.choices, required=False,
                                         widget=forms.CheckboxSelectMultiple)
    services_other = forms.CharField(label=_("Other services"), max_length=300, required=False)
    security_measures = forms.MultipleChoiceField(
        label=_("Security measures"), choices=SecurityMeasure.choices, required=False,
        widget=forms.CheckboxSelectMultiple)
    security_measures_other = forms.CharField(label=_("Other security measures"), max_length=300, required=False)
    security_provider = organisation_field(_("Contracted security provider"), required=False)
    connectivity_providers = forms.ModelMultipleChoiceField(
        label=_("Connectivity providers"), queryset=Organisation.objects.all(), required=False)
    is_active = forms.BooleanField(label=_("In operation"), required=False, initial=True)

    def action_fields(self) -> dict:
        data = dict(self.cleaned_data)
        data["ip_ranges"] = data["ip_ranges"].splitlines()
        data["domains"] = data["domains"].splitlines()
        data["connectivity_providers"] = list(data["connectivity_providers"])
        return data

    @classmethod
    def initial_for(cls, system) -> dict:
        return {
            **{name: getattr(system, name) for name in cls.base_fields
               if name not in ("ip_ranges", "domains", "connectivity_providers")},
            "ip_ranges": "\n".join(system.ip_ranges()),
            "domains": "\n".join(system.domain_names()),
            "connectivity_providers": list(system.connectivity_providers.all()),
        }


class DeploymentForm(forms.Form):
    province_name = forms.CharField(label=_("Province name"), max_length=200)
    province = organisation_field(_("Provincial People's Committee"), required=False)
    team_name = forms.CharField(label=_("Response team name"), max_length=300)
    standing_office = organisation_field(_("Standing office"), required=False)
    standing_office_address = forms.CharField(label=_("Standing office address"), max_length=300, required=False)
    standing_office_phone = forms.CharField(label=_("Standing office hotline"), max_length=50, required=False)
    standing_office_email = forms.EmailField(label=_("Standing office e-mail"), required=False)
    steering_committee = organisation_field(_("Steering committee"), required=False)
    national_coordinator = organisation_field(_("National coordinator"), required=False)
    incident_term = forms.ChoiceField(label=_("Incident term"), choices=IncidentTerm.choices)

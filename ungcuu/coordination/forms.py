"""Forms of the coordination pages; they only parse input, the actions decide."""

from django import forms
from django.utils.translation import gettext_lazy as _

from ungcuu.accounts.models import User
from ungcuu.coordination.models import TEAM_ROLES, AcknowledgementVia, AddresseeKind, OrderChannel, RequestKind
from ungcuu.incidents.forms import ReportDateTimeField
from ungcuu.lib.forms import DateInput
from ungcuu.registry.models import Organisation


def team_users():
    return (User.objects.filter(is_active=True, role_assignments__role__in=TEAM_ROLES).distinct()
            .order_by("full_name", "username"))


class TeamUserChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.get_full_name()} ({obj.organisation})" if obj.organisation_id else obj.get_full_name()


class TeamUsersField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj):
        return obj.get_full_name()


class DispatchForm(forms.Form):
    user = TeamUserChoiceField(label=_("Team member"), queryset=User.objects.none())
    role = forms.CharField(label=_("Role on the incident"), max_length=100, required=False)
    note = forms.CharField(label=_("Note"), max_length=300, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["user"].queryset = team_users().select_related("organisation")


class DelegationForm(forms.Form):
    delegate = TeamUserChoiceField(label=_("Deputy lead"), queryset=User.objects.none())
    reference = forms.CharField(label=_("Number and symbol of the written authorisation"), max_length=100)
    starts_on = forms.DateField(label=_("From (inclusive)"), widget=DateInput())
    ends_on = forms.DateField(label=_("To (inclusive)"), widget=DateInput())
    scope = forms.CharField(label=_("Scope"), required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["delegate"].queryset = (User.objects.filter(is_active=True, role_assignments__role="deputy_lead")
                                            .select_related("organisation").order_by("full_name"))


class OrganisationsField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj):
        # The registry's e-mail is the one the order goes to unless another is given below.
        return f"{obj.name} ({obj.email})" if obj.email else obj.name


class OrderForm(forms.Form):
    content = forms.CharField(label=_("What is required"), widget=forms.Textarea(attrs={"rows": 3}))
    due_at = ReportDateTimeField(label=_("To be done by"))
    contact_point = forms.CharField(label=_("Contact point"), max_length=300)
    signer = forms.CharField(label=_("Signed by"), max_length=200)
    channel = forms.ChoiceField(label=_("Sent by"), choices=OrderChannel.choices)
    urgent = forms.BooleanField(label=_("Urgent (the written order follows)"), required=False)
    result_report_required = forms.BooleanField(label=_("Report on the result required"), required=False,
                                                initial=True)
    users = TeamUsersField(label=_("Team members"), queryset=User.objects.none(), required=False,
                           widget=forms.CheckboxSelectMultiple)
    organisations = OrganisationsField(label=_("Organisations"), queryset=Organisation.objects.none(),
                                       required=False, widget=forms.SelectMultiple(attrs={"size": 5}),
                                       help_text=_("Each receives the order at the e-mail shown next to its name, "
                                                   "or at the contact e-mail below."))
    organisation_email = forms.EmailField(
        label=_("Contact e-mail of the organisation"), required=False,
        help_text=_("For the organisations chosen above; leave empty to use the e-mail in the registry. Needed "
                    "only when the order is sent by e-mail."))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["users"].queryset = team_users()
        self.fields["organisations"].queryset = Organisation.objects.filter(is_active=True).order_by("name")


class AcknowledgeOrganisationForm(forms.Form):
    via = forms.ChoiceField(label=_("How"), choices=[c for c in AcknowledgementVia.choices
                                                     if c[0] != AcknowledgementVia.SYSTEM])
    note = forms.CharField(label=_("Who acknowledged, and when"), max_length=300)


class ResultForm(forms.Form):
    text = forms.CharField(label=_("Result"), widget=forms.Textarea(attrs={"rows": 2}))


class WrittenFollowUpForm(forms.Form):
    reference = forms.CharField(label=_("Number and symbol of the written order"), max_length=100)
    sent_at = ReportDateTimeField(label=_("Sent at"))


class CancelForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=300)


class RequestForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=RequestKind.choices)
    addressed_to_kind = forms.ChoiceField(label=_("Addressed to"), choices=AddresseeKind.choices)
    addressed_to_name = forms.CharField(label=_("Name of the addressee"), max_length=300)
    content = forms.CharField(label=_("Content"), widget=forms.Textarea(attrs={"rows": 3}))
    channel = forms.ChoiceField(label=_("Sent by"), choices=OrderChannel.choices)
    sent_at = ReportDateTimeField(label=_("Sent at"))
    reference = forms.CharField(label=_("Number and symbol"), max_length=100, required=False)


class AnswerForm(forms.Form):
    answer = forms.CharField(label=_("Answer"), widget=forms.Textarea(attrs={"rows": 2}))
    answered_by_name = forms.CharField(label=_("Answered by"), max_length=200)
    answered_at = ReportDateTimeField(label=_("Answered at"))

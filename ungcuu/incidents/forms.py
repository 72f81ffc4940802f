"""The initial report (Biểu mẫu 03, TT 20/2017) and the triage forms.

ReportForm is the one set of rules for a report, whichever way it arrives: the web pages render
it, and the intake action validates web, public, API (and later e-mail) payloads with it.
"""

import datetime
import ipaddress
import re

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from ungcuu.incidents.models import (
    AttachmentKind,
    AttackType,
    Cause,
    DetectionMethod,
    Effect,
    HandlingStatus,
    IncidentStatus,
    NotifiedParty,
    ReportKind,
    Severity,
    VerificationMethod,
)
from ungcuu.incidents.procedure import Step
from ungcuu.incidents.search import IncidentFilters
from ungcuu.lib import netaddr
from ungcuu.lib.forms import DateInput
from ungcuu.registry.models import (
    PROVINCE_WIDE_ROLES,
    SECURITY_LEVELS,
    InformationSystem,
    Organisation,
    SecurityMeasure,
    Service,
)

# Section headings of Biểu mẫu 03, with the fields under each, in the form's order.
SECTIONS = [
    (_("1. Organisation or person reporting the incident"),
     ["reporter_name", "reporter_address", "reporter_phone", "reporter_email"]),
    (_("2. Contact person"), ["contact_name", "contact_position", "contact_phone", "contact_email"]),
    (_("3. Details of the affected system"),
     ["operator_name", "owner_name", "system_name", "system_level", "security_provider_name",
      "connectivity_provider_name"]),
    (_("4. Brief description of the incident"), ["description"]),
    (_("5. Date and time of detection"), ["detected_at"]),
    (_("6. Incident status"), ["handling_status"]),
    (_("7. How the incident was detected"), ["detection_method", "detection_detail"]),
    (_("8. Incident notice already sent to"), ["notified_parties"]),
    (_("9. Additional information"),
     ["os_versions", "services", "services_other", "security_measures", "security_measures_other",
      "ip_addresses", "domains", "system_purpose", "attachment_kinds", "attachment_other", "confidential"]),
    (_("10. Recommendations, requests for support"), ["recommendations"]),
    (_("11. Time of reporting"), ["reported_at"]),
]

DATETIME_FORMATS = ["%d/%m/%Y %H:%M", "%d/%m/%y %H:%M", "%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S"]
_TRUE = {"yes", "true", "1", "co", "có", "on"}
_FALSE = {"no", "false", "0", "khong", "không", "off", ""}


class DateTimeLocalInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%dT%H:%M", **kwargs)


def _split_list(value) -> list[str]:
    """A list from the API, or one item per line/comma/semicolon from a text box."""
    if value in (None, ""):
        return []
    items = [str(v) for v in value] if isinstance(value, (list, tuple)) else re.split(r"[\s,;]+", str(value))
    return [item.strip() for item in items if item.strip()]


class ReportDateTimeField(forms.DateTimeField):
    """A date and time as text (the page, an API string) or a datetime; anything else from a JSON body (a
    number, a list) is invalid rather than a server error. Before 1970 is a typing mistake, and near year 1
    the value would not survive the conversion to UTC."""

    widget = DateTimeLocalInput

    def __init__(self, **kwargs):
        super().__init__(input_formats=DATETIME_FORMATS, **kwargs)

    def to_python(self, value):
        if value is not None and not isinstance(value, (str, datetime.date)):
            raise ValidationError(self.error_messages["invalid"], code="invalid")
        value = super().to_python(value)
        if value is not None and value.year < 1970:
            raise ValidationError(self.error_messages["invalid"], code="invalid")
        return value


class ListField(forms.CharField):
    """A text box of values (one per line) that also takes a JSON list; cleans to a list."""

    widget = forms.Textarea(attrs={"rows": 2})

    def to_python(self, value):
        return _split_list(value)

    def validate(self, value):
        if self.required and not value:
            raise ValidationError(self.error_messages["required"], code="required")

    def run_validators(self, value):
        pass

    def prepare_value(self, value):
        return "\n".join(value) if isinstance(value, (list, tuple)) else value


def _ip_or_range(text: str) -> str | None:
    """'198.51.100.5' or a registered range '198.51.100.0/28', normalised; None when neither."""
    if "%" in text:
        return None  # an IPv6 zone ("fe80::1%eth0") is internal by definition, and of any length
    if "/" in text:
        try:
            return str(ipaddress.ip_network(text, strict=False))
        except ValueError:
            return None
    address = netaddr.parse_address(text)
    return str(address) if address is not None else None


class IpListField(ListField):
    """Addresses or ranges: choosing a registered system fills in its ranges."""

    def clean(self, value):
        values = super().clean(value)
        cleaned = [_ip_or_range(v) for v in values]
        wrong = [v for v, c in zip(values, cleaned, strict=True) if c is None]
        if wrong:
            raise ValidationError(_("Not an IP address: %(values)s."), params={"values": ", ".join(wrong)})
        return list(dict.fromkeys(cleaned))


class DomainListField(ListField):
    def clean(self, value):
        cleaned, wrong = [], []
        for item in super().clean(value):
            try:
                cleaned.append(netaddr.normalize_domain(item))
            except ValidationError:
                wrong.append(item)
        if wrong:
            raise ValidationError(_("Not a domain name: %(values)s (e.g. quangngai.gov.vn)."),
                                  params={"values": ", ".join(wrong)})
        return list(dict.fromkeys(cleaned))


class YesNoField(forms.TypedChoiceField):
    """Có/Không radios on the page; true/false, "yes"/"no" from the API."""

    def __init__(self, **kwargs):
        super().__init__(choices=[("yes", _("Yes")), ("no", _("No"))], widget=forms.RadioSelect,
                         coerce=lambda v: v == "yes", empty_value=False, **kwargs)

    def to_python(self, value):
        text = str(value).strip().lower() if value is not None else ""
        if isinstance(value, bool):
            return "yes" if value else "no"
        if text in _TRUE:
            return "yes"
        if text in _FALSE:
            return "no"
        return text

    def validate(self, value):
        if value not in ("yes", "no"):
            raise ValidationError(_("Answer yes or no."), code="invalid_choice")


def _required(label, **kwargs):
    return {"label": label, "required": True, **kwargs}


class ReportForm(forms.Form):
    """Báo cáo ban đầu sự cố mạng: (*) fields are required, with Vietnamese messages that say what to fix."""

    list_fields = frozenset({"notified_parties", "services", "security_measures", "attachment_kinds"})

    # 1
    reporter_name = forms.CharField(max_length=300, **_required(
        _("Name of the organisation or person"),
        help_text=_("The agency or person sending this report, e.g. Sở Y tế tỉnh Quảng Ngãi.")))
    reporter_address = forms.CharField(max_length=300, **_required(_("Address")))
    reporter_phone = forms.CharField(max_length=50, **_required(_("Phone")))
    reporter_email = forms.EmailField(max_length=254, **_required(_("E-mail")))
    # 2
    contact_name = forms.CharField(max_length=200, **_required(
        _("Full name"), help_text=_("Who the response team can call back about this incident.")))
    contact_position = forms.CharField(label=_("Position"), max_length=200, required=False)
    contact_phone = forms.CharField(max_length=50, **_required(_("Phone")))
    contact_email = forms.EmailField(max_length=254, **_required(_("E-mail")))
    # 3
    system = forms.ModelChoiceField(
        queryset=InformationSystem.objects.none(), required=False, label=_("Registered system"),
        empty_label=_("— not in the list / not known —"),
        help_text=_("Choosing a registered system fills in its operator, owner, level, IP addresses and domains."))
    operator_name = forms.CharField(max_length=300, **_required(
        _("Operator of the information system"),
        help_text=_("The unit that operates the system, or is contracted to operate it.")))
    owner_name = forms.CharField(label=_("Owning agency"), max_length=300, required=False)
    system_name = forms.CharField(
        label=_("Name of the affected system"), max_length=300, required=False,
        help_text=_("With its related domain names and IP addresses, e.g. Cổng thông tin điện tử tỉnh."))
    system_level = forms.TypedChoiceField(
        label=_("Security level of the system (if known)"), required=False, coerce=int, empty_value=None,
        choices=[("", _("— not known —"))] + [(str(v), label) for v, label in SECURITY_LEVELS])
    security_provider_name = forms.CharField(label=_("Security service provider (if any)"), max_length=300,
                                             required=False)
    connectivity_provider_name = forms.CharField(label=_("External connectivity provider (if any)"),
                                                 max_length=300, required=False)
    # 4
    description = forms.CharField(widget=forms.Textarea(attrs={"rows": 6}), **_required(
        _("Brief description of the incident"),
        help_text=_("A short summary: what happened, whether an attack has already taken place, any risk of "
                    "damage or service interruption, how sensitive the information involved is, and who or "
                    "what is affected.")))
    # 5
    detected_at = ReportDateTimeField(**_required(
        _("Detected at"), help_text=_("Date and time (hour:minute) the incident was noticed.")))
    # 6
    handling_status = forms.ChoiceField(choices=HandlingStatus.choices, widget=forms.RadioSelect,
                                        **_required(_("Incident status")))
    # 7
    detection_method = forms.ChoiceField(choices=DetectionMethod.choices, widget=forms.RadioSelect,
                                         **_required(_("How it was detected")))
    detection_detail = forms.CharField(
        label=_("Notified by / other method"), max_length=300, required=False,
        help_text=_("Who notified you, or how else it was detected."))
    # 8
    notified_parties = forms.MultipleChoiceField(
        choices=NotifiedParty.choices, widget=forms.CheckboxSelectMultiple, **_required(
            _("Incident notice already sent to"), help_text=_("Tick every body you have already notified.")))
    # 9
    os_versions = forms.CharField(label=_("Operating system and version"), max_length=500, required=False)
    services = forms.MultipleChoiceField(label=_("Services"), choices=Service.choices,
                                         widget=forms.CheckboxSelectMultiple, required=False)
    services_other = forms.CharField(label=_("Other services"), max_length=300, required=False)
    security_measures = forms.MultipleChoiceField(label=_("Security measures in place"),
                                                  choices=SecurityMeasure.choices,
                                                  widget=forms.CheckboxSelectMultiple, required=False)
    security_measures_other = forms.CharField(label=_("Other security measures"), max_length=300, required=False)
    ip_addresses = IpListField(
        label=_("IP addresses of the system"), required=False,
        help_text=_("The IP addresses (or ranges) used on the Internet, one per line; do not list internal "
                    "addresses."))
    domains = DomainListField(label=_("Domain names"), required=False, help_text=_("One per line."))
    system_purpose = forms.CharField(label=_("Main purpose of the system"), required=False,
                                     widget=forms.Textarea(attrs={"rows": 2}))
    attachment_kinds = forms.MultipleChoiceField(label=_("Information sent with the report"),
                                                 choices=AttachmentKind.choices,
                                                 widget=forms.CheckboxSelectMultiple, required=False)
    attachment_other = forms.CharField(label=_("Other attached information"), max_length=300, required=False)
    confidential = YesNoField(
        label=_("The information in this report must be kept confidential"), required=False, initial="no",
        help_text=_("“Yes” limits the incident to the standing office, the response team and your organisation."))
    # 10
    recommendations = forms.CharField(label=_("Recommendations, requests for support"), required=False,
                                      widget=forms.Textarea(attrs={"rows": 3}))
    # 11
    reported_at = ReportDateTimeField(**_required(_("Time of reporting")))

    def __init__(self, *args, systems=None, **kwargs):
        super().__init__(*args, **kwargs)
        if systems is not None:
            self.fields["system"].queryset = systems
        else:
            del self.fields["system"]
        for _name, field in self.fields.items():
            if field.required:
                field.error_messages["required"] = _("Required: fill in “%(label)s”.") % {"label": field.label}

    def clean(self):
        data = super().clean()
        method = data.get("detection_method")
        if method in (DetectionMethod.NOTIFIED, DetectionMethod.OTHER) and not data.get("detection_detail"):
            self.add_error("detection_detail", _("Say who notified you, or what the other method was."))
        detected, reported = data.get("detected_at"), data.get("reported_at")
        if detected and reported and detected > reported:
            self.add_error("detected_at", _("The incident cannot be detected after it was reported."))
        return data

    def sections(self):
        """(heading, [bound fields]) in the order of Biểu mẫu 03, for the template."""
        return [(heading, [self[name] for name in names if name in self.fields]) for heading, names in SECTIONS]


UPLOAD_KINDS = [(AttachmentKind.SYSTEM_LOG, "files_system_log"), (AttachmentKind.MALWARE_SAMPLE, "files_malware"),
                (AttachmentKind.OTHER, "files_other")]


class VerificationForm(forms.Form):
    verification_method = forms.ChoiceField(label=_("How the sender was verified"),
                                            choices=VerificationMethod.choices)
    verification_note = forms.CharField(label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2}),
                                        help_text=_("E.g. the number called back and who answered."))


class ClassificationForm(forms.Form):
    cause = forms.ChoiceField(label=_("Cause"), choices=[("", _("— choose —")), *Cause.choices])
    attack_type = forms.ChoiceField(label=_("Attack type"), required=False,
                                    choices=[("", _("— not an attack —")), *AttackType.choices])
    effects = forms.MultipleChoiceField(label=_("Effects (QĐ 05/2017 Điều 9.1)"), choices=Effect.choices,
                                        widget=forms.CheckboxSelectMultiple, required=False)
    owner_can_handle = forms.TypedChoiceField(
        label=_("Can the owner control and handle the incident?"), required=False, widget=forms.RadioSelect,
        choices=[("", _("Not yet known")), ("yes", _("Yes")), ("no", _("No"))],
        coerce=lambda v: {"yes": True, "no": False}.get(v), empty_value=None)
    system = forms.ModelChoiceField(label=_("Registered system"), required=False,
                                    queryset=InformationSystem.objects.all(), empty_label=_("— none —"))


class SeverityDecisionForm(forms.Form):
    severity = forms.ChoiceField(label=_("The national coordinator decided"),
                                 choices=[("", _("— choose —")), ("serious", _("Serious")), ("normal", _("Normal"))])
    decision = forms.CharField(label=_("Decision reference"), max_length=200,
                               help_text=_("Number and date of the coordinator's document or message."))


class RejectForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 2}))


class MergeForm(forms.Form):
    into = forms.CharField(label=_("Reference of the incident to keep"), max_length=20,
                           help_text=_("E.g. SC-2026-0001. This incident becomes a duplicate of that one."))
    reason = forms.CharField(label=_("Reason"), max_length=300, required=False)


class LinkForm(forms.Form):
    other = forms.CharField(label=_("Reference of the related incident"), max_length=20)
    note = forms.CharField(label=_("Note"), max_length=300, required=False)


class IncidentFilterForm(forms.Form):
    """The list's filters; invalid values are ignored rather than failing the page."""

    q = forms.CharField(label=_("Search"), required=False)
    status = forms.ChoiceField(label=_("Status"), required=False,
                               choices=[("", _("All statuses")), *IncidentStatus.choices])
    attack_type = forms.ChoiceField(label=_("Attack type"), required=False,
                                    choices=[("", _("All types")), *AttackType.choices])
    cause = forms.ChoiceField(label=_("Cause"), required=False, choices=[("", _("All causes")), *Cause.choices])
    severity = forms.ChoiceField(label=_("Severity"), required=False,
                                 choices=[("", _("All severities")), *Severity.choices])
    organisation = forms.ModelChoiceField(label=_("Reporting organisation"), required=False,
                                          queryset=Organisation.objects.all(), empty_label=_("All organisations"))
    system = forms.ModelChoiceField(label=_("System"), required=False, queryset=InformationSystem.objects.none(),
                                    empty_label=_("All systems"))
    detected_from = forms.DateField(label=_("Detected from"), required=False, widget=DateInput())
    detected_to = forms.DateField(label=_("Detected to"), required=False, widget=DateInput())
    sort = forms.ChoiceField(label=_("Sort by"), required=False, choices=[
        ("-detected", _("Detected, newest first")), ("detected", _("Detected, oldest first")),
        ("-received", _("Received, newest first")), ("received", _("Received, oldest first"))])

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        if user is not None:
            self.fields["system"].queryset = InformationSystem.objects.visible_to(user)
            if not user.has_any_role(*PROVINCE_WIDE_ROLES) and user.organisation_id:
                self.fields["organisation"].queryset = Organisation.objects.subtree_of(user.organisation)

    def controls(self) -> list[dict]:
        """The filters as plain data for the template. Rendering select widgets option by option through
        Django's widget templates cost most of the list page's time with a few hundred systems."""
        self.is_valid()
        controls = []
        for name, field in self.fields.items():
            raw = self.data.get(name, "") if self.is_bound else ""
            control = {"name": name, "label": field.label, "value": raw, "id": f"id_{name}"}
            if isinstance(field, (forms.ChoiceField, forms.ModelChoiceField)):
                control["choices"] = [(str(value), str(label)) for value, label in field.choices]
                control["kind"] = "select"
            else:
                control["kind"] = "date" if isinstance(field, forms.DateField) else "search"
            controls.append(control)
        return controls

    def filters(self) -> IncidentFilters:
        self.is_valid()  # fields with a bad value are left out of cleaned_data, i.e. not filtered on
        data = self.cleaned_data
        return IncidentFilters(
            q=data.get("q") or "", status=data.get("status") or "", attack_type=data.get("attack_type") or "",
            cause=data.get("cause") or "", severity=data.get("severity") or "",
            organisation=data["organisation"].pk if data.get("organisation") else None,
            system=data["system"].pk if data.get("system") else None,
            detected_from=data.get("detected_from"), detected_to=data.get("detected_to"),
            sort=data.get("sort") or "-detected")


# The response procedure --------------------------------------------------------------------------


class MoveStepForm(forms.Form):
    to_step = forms.ChoiceField(label=_("Next step"), choices=Step.choices)
    reason = forms.CharField(label=_("Reason or note"), required=False, widget=forms.Textarea(attrs={"rows": 2}),
                             help_text=_("Required when going back after a failed check, and for the steering "
                                         "committee's direction."))

    def __init__(self, *args, moves=None, **kwargs):
        super().__init__(*args, **kwargs)
        if moves is not None:
            self.fields["to_step"].choices = [(s, Step(s).label) for s in moves]


class ResponseOptionForm(forms.Form):
    option = forms.CharField(label=_("Chosen response option"), widget=forms.Textarea(attrs={"rows": 3}))
    approved_by = forms.CharField(label=_("Approved by (system owner or team lead)"), max_length=300)
    approved_at = ReportDateTimeField(label=_("Approved at"), required=False)


class CloseOutForm(forms.Form):
    root_cause = forms.CharField(label=_("Root cause"), widget=forms.Textarea(attrs={"rows": 2}))
    lasting_fix = forms.CharField(label=_("Lasting fix"), widget=forms.Textarea(attrs={"rows": 2}))
    prevention_proposals = forms.CharField(label=_("Prevention proposals"), widget=forms.Textarea(attrs={"rows": 2}))
    lessons_learned = forms.CharField(label=_("Lessons learned"), required=False,
                                      widget=forms.Textarea(attrs={"rows": 2}))


class IncidentReportForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=[("", _("— choose —")), *ReportKind.choices])
    number = forms.CharField(label=_("Number and symbol"), max_length=100,
                             help_text=_("E.g. 12/BC-ĐƯCSC."))
    issued_on = forms.DateField(label=_("Dated"), widget=DateInput, input_formats=["%Y-%m-%d", "%d/%m/%Y"])
    sent_at = ReportDateTimeField(label=_("Sent at"), required=False, help_text=_("Empty: now."))
    recipients = forms.CharField(label=_("Sent to"), widget=forms.Textarea(attrs={"rows": 2}),
                                 help_text=_("E.g. the system owner, the provincial unit, VNCERT/CC."))
    summary = forms.CharField(label=_("Summary"), required=False, widget=forms.Textarea(attrs={"rows": 2}))

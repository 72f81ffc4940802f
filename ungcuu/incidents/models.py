"""Incident reports as received (submissions) and the incident record built from them.

The fields of the initial report follow Biểu mẫu 03 of Thông tư 20/2017/TT-BTTTT in its order
(REGULATION.md §1.10); triage adds verification, cause, attack type and the serious assessment of
Quyết định 05/2017/QĐ-TTg Điều 9 (REGULATION.md §2.2).
"""

from django.conf import settings
from django.db import models
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ungcuu.incidents.procedure import Step
from ungcuu.registry.models import SECURITY_LEVELS, InformationSystem, Organisation

# Roles that triage and respond: they see every incident, confidential ones included (TT 20 Điều 10.2).
TRIAGE_ROLES = ("standing_officer", "team_lead", "deputy_lead")
# Oversight roles: every incident except those the reporter asked to keep confidential.
OVERSIGHT_ROLES = ("administrator", "auditor", "steering_member")


class Channel(models.TextChoices):
    WEB_FORM = "web_form", _("Web form (signed in)")
    PUBLIC_FORM = "public_form", _("Public web form")
    API = "api", _("API")
    EMAIL = "email", _("E-mail")
    PHONE = "phone", _("Phone")
    LETTER = "letter", _("Official letter or fax")
    MONITORING = "monitoring", _("Monitoring alert")
    OTHER = "other", _("Other")


class SubmissionStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    RECEIVED = "received", _("Received, not yet checked")
    INVALID = "invalid", _("Invalid")
    ACCEPTED = "accepted", _("Accepted")


class Submission(models.Model):
    """Exactly what was sent, stored before anything is checked: nothing submitted is lost (SPEC §3)."""

    channel = models.CharField(_("channel"), max_length=20, choices=Channel.choices)
    status = models.CharField(_("status"), max_length=20, choices=SubmissionStatus.choices,
                              default=SubmissionStatus.RECEIVED, db_index=True)
    received_at = models.DateTimeField(_("received at"), auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("submitted by"), null=True,
                                     blank=True, on_delete=models.PROTECT, related_name="submissions")
    remote_addr = models.GenericIPAddressField(_("sender address"), null=True, blank=True)
    payload = models.JSONField(_("data as sent"), default=dict, blank=True)
    raw_body = models.TextField(_("raw body"), blank=True)  # when the body was not a JSON object
    errors = models.JSONField(_("errors"), default=dict, blank=True)
    incident = models.ForeignKey("Incident", verbose_name=_("incident"), null=True, blank=True,
                                 on_delete=models.PROTECT, related_name="submissions")

    class Meta:
        ordering = ["-received_at", "-id"]
        # The public page counts an address's recent reports.
        indexes = [models.Index(fields=["remote_addr", "received_at"], name="submission_sender_time")]
        verbose_name = _("submission")
        verbose_name_plural = _("submissions")

    def __str__(self):
        return f"#{self.pk} {self.get_channel_display()} {self.get_status_display()}"


class SubmissionFile(models.Model):
    """A file sent with a submission, stored (content-addressed) before the submission is checked."""

    submission = models.ForeignKey(Submission, on_delete=models.CASCADE, related_name="files")
    kind = models.CharField(_("kind"), max_length=20, default="other")
    original_name = models.CharField(_("file name"), max_length=255)
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    size = models.BigIntegerField(_("size (bytes)"))
    content_type = models.CharField(max_length=100, blank=True)

    def __str__(self):
        return self.original_name


class IncidentStatus(models.TextChoices):
    RECEIVED = "received", _("Received, awaiting verification")
    VERIFIED = "verified", _("Verified")
    IN_RESPONSE = "in_response", _("In response")
    CLOSED = "closed", _("Closed")
    MERGED = "merged", _("Merged into another incident")
    REJECTED = "rejected", _("Rejected (not an incident)")


class HandlingStatus(models.TextChoices):
    HANDLED = "handled", _("Already handled")
    NOT_HANDLED = "not_handled", _("Not yet handled")


class DetectionMethod(models.TextChoices):
    IDS = "ids", _("By an intrusion detection system")
    LOG_REVIEW = "log_review", _("By checking stored data (log files)")
    NOTIFIED = "notified", _("Notified by")
    OTHER = "other", _("Other")


class NotifiedParty(models.TextChoices):
    NETWORK_MEMBER = "network_member", _("The response network member responsible for the organisation or person")
    ISP = "isp", _("The ISP directly providing the service")
    COORDINATOR = "coordinator", _("The coordinating body")


class AttachmentKind(models.TextChoices):
    SYSTEM_LOG = "system_log", _("System logs")
    MALWARE_SAMPLE = "malware_sample", _("Virus or malware sample")
    OTHER = "other", _("Other")


class Cause(models.TextChoices):
    """Incident causes (Hà Tĩnh TTHC, seed 003)."""

    CYBER_ATTACK = "cyber_attack", _("Cyber attack")
    SYSTEM_FAULT = "system_fault", _(
        "System, equipment, software, infrastructure, power, transmission or hosting fault")
    OPERATOR_ERROR = "operator_error", _("Administrator or operator error")
    NATURAL_DISASTER = "natural_disaster", _("Natural disaster")


class AttackType(models.TextChoices):
    """The 10 rows of Biểu mẫu 05 (seed 001 Phụ lục 03, seed 003 §2.1)."""

    DENIAL_OF_SERVICE = "denial_of_service", _("Denial of service")
    SPOOFING = "spoofing", _("Spoofing or phishing")
    MALWARE = "malware", _("Malware")
    UNAUTHORISED_ACCESS = "unauthorised_access", _("Unauthorised access, takeover")
    DEFACEMENT = "defacement", _("Defacement")
    ENCRYPTION = "encryption", _("Encryption of software, data or devices")
    DESTRUCTION = "destruction", _("Destruction of information, data or software")
    DATA_THEFT = "data_theft", _("Eavesdropping, espionage, theft of information or data")
    COMBINED = "combined", _("Combined attack using several methods")
    OTHER = "other", _("Other attack")


class Effect(models.TextChoices):
    """The five effects of QĐ 05/2017 Điều 9.1 a–đ."""

    SERVICE_INTERRUPTION = "service_interruption", _("a) The system's service is interrupted")
    SECRET_DATA_LEAK = "secret_data_leak", _("b) Top-secret or state-secret data may be disclosed")
    DATA_UNRECOVERABLE = "data_unrecoverable", _(
        "c) Important data lost its integrity and cannot be recovered")
    LOSS_OF_CONTROL = "loss_of_control", _("d) Control of the system is lost")
    SPREADING = "spreading", _(
        "đ) The incident may spread widely or cascade, harming other level 4 or 5 systems")


class Severity(models.TextChoices):
    NORMAL = "normal", _("Normal")
    PROPOSED_SERIOUS = "proposed_serious", _("Proposed as serious (awaiting the national coordinator)")
    SERIOUS = "serious", _("Serious (decided by the national coordinator)")


class VerificationMethod(models.TextChoices):
    PHONE_CALLBACK = "phone_callback", _("Called back on a known phone number")
    OFFICIAL_ADDRESS = "official_address", _("Sent from a known official address")
    SIGNED_DOCUMENT = "signed_document", _("Signed and stamped or digitally signed document")
    IN_PERSON = "in_person", _("In person")
    AUTHENTICATED_ACCOUNT = "authenticated_account", _("Signed-in account of the agency")
    MONITORING = "monitoring", _("Confirmed by the team's own monitoring")
    OTHER = "other", _("Other")


LIST_COLUMNS = (
    "reference", "title", "status", "step", "severity", "cause", "attack_type", "channel", "confidential",
    "verified_at", "detected_at", "created_at", "reporter_name", "system_name", "organisation__name", "system__name",
)


class IncidentQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Need-to-know (SPEC §11): the triage roles see all; oversight all but confidential ones;
        an agency its own incidents (confidential ones only where it reported them); a team
        member those dispatched to; everyone what they reported themselves."""
        if not user.is_authenticated:
            return self.none()
        if user.has_any_role(*TRIAGE_ROLES):
            return self
        mine = Q(created_by=user) | Exists(Responder.objects.filter(incident=OuterRef("pk"), user=user))
        if user.has_any_role(*OVERSIGHT_ROLES):
            return self.filter(Q(confidential=False) | mine)
        if user.organisation_id and user.organisation.path:
            path = user.organisation.path
            below = (Q(organisation__path__startswith=path) | Q(system__owner__path__startswith=path)
                     | Q(system__operator__path__startswith=path))
            # A confidential report stays with the organisation that sent it, not the ones above it.
            mine |= Q(organisation_id=user.organisation_id) | (Q(confidential=False) & below)
        return self.filter(mine)

    def lookup(self, text: str, *, by_id: bool = False):
        """The incident a user names: its reference in any case ("sc-2026-0001"), or with by_id (the API)
        its number. NUL is dropped: PostgreSQL refuses it in a query and no reference contains it."""
        text = (text or "").replace("\x00", "").strip()
        if by_id and text.isascii() and text.isdigit():
            return self.filter(pk=int(text))
        return self.filter(reference=text.upper())

    def list_columns(self):
        """Only what lists show: description, search text and the report's JSON stay unread."""
        return self.select_related("organisation", "system").only(*LIST_COLUMNS)


class Incident(models.Model):
    """An accepted report: the Biểu mẫu 03 content, then triage and the response record."""

    reference = models.CharField(_("reference"), max_length=20, unique=True)
    year = models.PositiveSmallIntegerField(editable=False)
    number = models.PositiveIntegerField(editable=False)
    title = models.CharField(_("title"), max_length=300)
    status = models.CharField(_("status"), max_length=20, choices=IncidentStatus.choices,
                              default=IncidentStatus.RECEIVED)
    channel = models.CharField(_("channel"), max_length=20, choices=Channel.choices)
    created_at = models.DateTimeField(_("received at"), auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("reported by account"), null=True,
                                   blank=True, on_delete=models.PROTECT, related_name="reported_incidents")
    # The reporting organisation when known (signed-in agency user); need-to-know follows it.
    organisation = models.ForeignKey(Organisation, verbose_name=_("reporting organisation"), null=True,
                                     blank=True, on_delete=models.PROTECT, related_name="incidents")
    system = models.ForeignKey(InformationSystem, verbose_name=_("registered system"), null=True, blank=True,
                               on_delete=models.PROTECT, related_name="incidents")

    # 1. Reporting organisation or person
    reporter_name = models.CharField(_("name of the reporting organisation or person"), max_length=300)
    reporter_address = models.CharField(_("address"), max_length=300)
    reporter_phone = models.CharField(_("phone"), max_length=50)
    reporter_email = models.EmailField(_("e-mail"))
    # 2. Contact person
    contact_name = models.CharField(_("full name"), max_length=200)
    contact_position = models.CharField(_("position"), max_length=200, blank=True)
    contact_phone = models.CharField(_("phone"), max_length=50)
    contact_email = models.EmailField(_("e-mail"))
    # 3. The affected system
    operator_name = models.CharField(_("operator of the information system"), max_length=300)
    owner_name = models.CharField(_("owning agency"), max_length=300, blank=True)
    system_name = models.CharField(_("name of the affected system"), max_length=300, blank=True)
    system_level = models.PositiveSmallIntegerField(_("security level of the system"), null=True, blank=True,
                                                    choices=SECURITY_LEVELS)
    security_provider_name = models.CharField(_("security service provider"), max_length=300, blank=True)
    connectivity_provider_name = models.CharField(_("external connectivity provider"), max_length=300,
                                                  blank=True)
    # 4–8
    description = models.TextField(_("brief description of the incident"))
    detected_at = models.DateTimeField(_("detected at"))
    handling_status = models.CharField(_("incident status"), max_length=20, choices=HandlingStatus.choices)
    detection_method = models.CharField(_("how it was detected"), max_length=20, choices=DetectionMethod.choices)
    detection_detail = models.CharField(_("notified by / other method"), max_length=300, blank=True)
    notified_parties = models.JSONField(_("incident notice already sent to"), default=list, blank=True)
    # 9. Additional information
    os_versions = models.TextField(_("operating system and version"), blank=True)
    services = models.JSONField(_("services"), default=list, blank=True)
    services_other = models.CharField(_("other services"), max_length=300, blank=True)
    security_measures = models.JSONField(_("security measures in place"), default=list, blank=True)
    security_measures_other = models.CharField(_("other security measures"), max_length=300, blank=True)
    ip_addresses = models.JSONField(_("public IP addresses of the system"), default=list, blank=True)
    domains = models.JSONField(_("domain names"), default=list, blank=True)
    system_purpose = models.TextField(_("main purpose of the system"), blank=True)
    attachment_kinds = models.JSONField(_("information sent with the report"), default=list, blank=True)
    attachment_other = models.CharField(_("other attached information"), max_length=300, blank=True)
    confidential = models.BooleanField(_("must be kept confidential"), default=False)
    # 10–11
    recommendations = models.TextField(_("recommendations and requests for support"), blank=True)
    reported_at = models.DateTimeField(_("time of reporting"))

    # Triage (TT 20 Điều 10; QĐ 05 Điều 9)
    verification_method = models.CharField(_("how the sender was verified"), max_length=30, blank=True,
                                           choices=VerificationMethod.choices)
    verification_note = models.TextField(_("verification note"), blank=True)
    verified_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("verified by"), null=True,
                                    blank=True, on_delete=models.PROTECT, related_name="+")
    verified_at = models.DateTimeField(_("verified at"), null=True, blank=True)
    cause = models.CharField(_("cause"), max_length=30, blank=True, choices=Cause.choices)
    attack_type = models.CharField(_("attack type"), max_length=30, blank=True, choices=AttackType.choices)
    effects = models.JSONField(_("effects (QĐ 05 Điều 9.1)"), default=list, blank=True)
    owner_can_handle = models.BooleanField(_("the owner can control and handle it"), null=True, blank=True)
    severity = models.CharField(_("severity"), max_length=20, choices=Severity.choices, default=Severity.NORMAL)
    severity_decision = models.CharField(_("national coordinator's decision"), max_length=200, blank=True)
    classified_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("classified by"), null=True,
                                      blank=True, on_delete=models.PROTECT, related_name="+")
    classified_at = models.DateTimeField(_("classified at"), null=True, blank=True)
    merged_into = models.ForeignKey("self", verbose_name=_("merged into"), null=True, blank=True,
                                    on_delete=models.PROTECT, related_name="merged_incidents")

    # The response procedure (procedure.py): the current step and what its guards need.
    step = models.CharField(_("procedure step"), max_length=30, choices=Step.choices, default=Step.RECEIVE_VERIFY)
    step_changed_at = models.DateTimeField(_("step since"), null=True, blank=True)
    # The normal step to return to if the national coordinator decides "not serious" (QĐ 05 Điều 14.2).
    resume_step = models.CharField(max_length=30, choices=Step.choices, blank=True, editable=False)
    response_option = models.TextField(_("chosen response option"), blank=True)
    response_option_approved_by = models.CharField(_("approved by (system owner or team lead)"), max_length=300,
                                                   blank=True)
    response_option_approved_at = models.DateTimeField(_("approved at"), null=True, blank=True)
    response_ended_at = models.DateTimeField(_("response ended at"), null=True, blank=True)
    root_cause = models.TextField(_("root cause"), blank=True)
    lasting_fix = models.TextField(_("lasting fix"), blank=True)
    prevention_proposals = models.TextField(_("prevention proposals"), blank=True)
    lessons_learned = models.TextField(_("lessons learned"), blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)

    # Folded reference, title, description, reporter and indicators: one column that search
    # reads on both databases (trigram-indexed on PostgreSQL).
    search_text = models.TextField(editable=False, default="")

    objects = IncidentQuerySet.as_manager()

    class Meta:
        ordering = ["-detected_at", "-id"]
        verbose_name = _("incident")
        verbose_name_plural = _("incidents")
        constraints = [models.UniqueConstraint(fields=["year", "number"], name="incident_number_per_year")]
        # Keyset paging reads these in order; each filter the list offers has one.
        indexes = [
            models.Index(fields=["-detected_at", "-id"], name="incident_detected"),
            # The dashboard's and the periodic report's counts over a period read only this index (index-only).
            models.Index(fields=["detected_at"], include=["status", "attack_type", "cause", "organisation", "id"],
                         name="incident_detected_cover"),
            models.Index(fields=["-created_at", "-id"], name="incident_created"),
            models.Index(fields=["status", "-detected_at", "-id"], name="incident_status_detected"),
            models.Index(fields=["step", "-detected_at", "-id"], name="incident_step_detected"),
            # The open incidents per step (dashboard): only the few not closed, merged or rejected are indexed.
            models.Index(fields=["step"], name="incident_open_step",
                         condition=~Q(status__in=["closed", "merged", "rejected"])),
            models.Index(fields=["attack_type", "-detected_at", "-id"], name="incident_type_detected"),
            models.Index(fields=["cause", "-detected_at", "-id"], name="incident_cause_detected"),
            models.Index(fields=["severity", "-detected_at", "-id"], name="incident_severity_detected"),
            models.Index(fields=["organisation", "-detected_at", "-id"], name="incident_org_detected"),
            models.Index(fields=["system", "-detected_at", "-id"], name="incident_system_detected"),
        ]

    def __str__(self):
        return f"{self.reference} {self.title}"

    @property
    def is_verified(self) -> bool:
        return self.verified_at is not None


class IndicatorKind(models.TextChoices):
    IP = "ip", _("IP address")
    DOMAIN = "domain", _("Domain")
    URL = "url", _("URL")
    EMAIL = "email", _("E-mail address")
    MD5 = "md5", _("MD5")
    SHA1 = "sha1", _("SHA-1")
    SHA256 = "sha256", _("SHA-256")
    FILE_NAME = "file_name", _("File name")


class Indicator(models.Model):
    """An observable tied to an incident; the same value on two incidents relates them."""

    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="indicators")
    kind = models.CharField(_("kind"), max_length=20, choices=IndicatorKind.choices)
    value = models.CharField(_("value"), max_length=500)
    source = models.CharField(_("source"), max_length=30, default="report")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["kind", "value"]
        constraints = [models.UniqueConstraint(fields=["incident", "kind", "value"], name="indicator_once")]
        indexes = [models.Index(fields=["kind", "value"])]

    def __str__(self):
        return f"{self.kind}:{self.value}"

    @property
    def source_label(self) -> str:
        if self.source.startswith("merged:"):
            return _("merged from %(ref)s") % {"ref": self.source.split(":", 1)[1]}
        return {"report": _("initial report"), "manual": _("added by hand"),
                "extracted": _("extracted from the text")}.get(self.source, self.source)


class IncidentLink(models.Model):
    """Two incidents a person judged related (same system, same indicators, same campaign)."""

    source = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="links_out")
    target = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="links_in")
    note = models.CharField(_("note"), max_length=300, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["source", "target"], name="incident_link_once")]

    def __str__(self):
        return f"{self.source_id} ↔ {self.target_id}"


class Responder(models.Model):
    """A team member dispatched to an incident; gives them access (need-to-know)."""

    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="responders")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="dispatches")
    role = models.CharField(_("role on the incident"), max_length=100, blank=True)
    dispatched_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT,
                                      related_name="+")
    dispatched_at = models.DateTimeField(auto_now_add=True)
    acknowledged_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["incident", "user"], name="responder_once")]

    def __str__(self):
        return f"{self.user} → {self.incident_id}"


class StepTransition(models.Model):
    """One move of the procedure: who, when, why (SPEC §5). The audit log keeps the same, chained."""

    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="transitions")
    from_step = models.CharField(_("from"), max_length=30, choices=Step.choices)
    to_step = models.CharField(_("to"), max_length=30, choices=Step.choices)
    direction = models.CharField(max_length=10, default="forward")  # forward | back | switch
    reason = models.TextField(_("reason"), blank=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(_("at"), default=timezone.now)

    class Meta:
        ordering = ["at", "id"]
        # The dashboard's response times read the first transition out of 1a / into containment per incident.
        indexes = [models.Index(fields=["incident", "at"]),
                   models.Index(fields=["from_step", "incident", "at"], name="transition_from_step"),
                   models.Index(fields=["to_step", "incident", "at"], name="transition_to_step")]

    def __str__(self):
        return f"{self.incident_id}: {self.from_step} → {self.to_step}"


class ReportKind(models.TextChoices):
    """The notices and reports of TT 20 Điều 9.3 and QĐ 05 Điều 11.2."""

    NOTICE = "notice", _("Incident notification")
    INITIAL = "initial", _("Initial report (Biểu mẫu 03)")
    PROGRESS = "progress", _("Progress report")
    RESPONSE_OPTION = "response_option", _("Response-option report")
    DIRECTION_REQUEST = "direction_request", _("Request for direction")
    SUPPORT_REQUEST = "support_request", _("Request for support")
    FINAL = "final", _("Final report (Biểu mẫu 04)")


class IncidentReport(models.Model):
    """A notice or report sent about the incident: its number, date and recipients (the register)."""

    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="reports")
    kind = models.CharField(_("kind"), max_length=30, choices=ReportKind.choices)
    number = models.CharField(_("number and symbol"), max_length=100)
    issued_on = models.DateField(_("dated"))
    sent_at = models.DateTimeField(_("sent at"))
    recipients = models.TextField(_("sent to"))
    summary = models.TextField(_("summary"), blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["sent_at", "id"]
        indexes = [models.Index(fields=["incident", "kind"])]

    def __str__(self):
        return f"{self.get_kind_display()} {self.number}"


class ReferenceCounter(models.Model):
    """The last reference number issued per year; locked while a number is taken (gap-free)."""

    year = models.PositiveSmallIntegerField(primary_key=True)
    last = models.PositiveIntegerField(default=0)

    def __str__(self):
        return f"{self.year}: {self.last}"

"""Team coordination (SPEC §6): delegations to dispatch, the end of a member's work on an incident,
coordination orders (Biểu mẫu 06, TT 20/2017 Điều 8) with their recipients, and requests for direction
or support (QĐ 05/2017 Điều 11.2).

Dispatch itself is the incidents app's `Responder` row (it gives the member access); this app adds
who may create it and what follows from it.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

# Who issues coordination orders and requests (seed 001 Điều 16.1: the lead, a deputy, the standing office).
ORDER_ROLES = ("standing_officer", "team_lead", "deputy_lead")
# The response team: who can be dispatched and who the workload page lists.
TEAM_ROLES = ("team_lead", "deputy_lead", "standing_officer", "team_member")
# An incident in one of these states no longer counts towards anyone's workload.
CLOSED_INCIDENT_STATES = ("closed", "merged", "rejected")


class Delegation(models.Model):
    """The team lead's written, time-bounded authorisation for a deputy to dispatch members (seed 001 Điều 16.1)."""

    delegate = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("deputy lead"), on_delete=models.PROTECT,
                                 related_name="delegations")
    reference = models.CharField(_("number and symbol of the written authorisation"), max_length=100)
    starts_on = models.DateField(_("from (inclusive)"))
    ends_on = models.DateField(_("to (inclusive)"))
    scope = models.TextField(_("scope"), blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("granted by"), null=True,
                                   on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("granted at"), auto_now_add=True)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)
    revoked_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("revoked by"), null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="+")
    revoke_reason = models.CharField(_("reason for revoking"), max_length=300, blank=True)

    class Meta:
        ordering = ["-starts_on", "-id"]
        verbose_name = _("delegation")
        verbose_name_plural = _("delegations")
        indexes = [models.Index(fields=["delegate", "-ends_on"], name="delegation_delegate_end")]

    def __str__(self):
        return f"{self.reference} → {self.delegate}"

    def covers(self, day) -> bool:
        return self.starts_on <= day <= self.ends_on

    @property
    def is_revoked(self) -> bool:
        return self.revoked_at is not None


class Release(models.Model):
    """The end of a dispatched member's work on an incident; the dispatch row stays for the record."""

    responder = models.OneToOneField("incidents.Responder", on_delete=models.CASCADE, related_name="release")
    released_at = models.DateTimeField(_("released at"))
    released_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    note = models.CharField(_("note"), max_length=300, blank=True)

    def __str__(self):
        return f"{self.responder} released {self.released_at:%Y-%m-%d}"


class OrderChannel(models.TextChoices):
    """TT 20/2017 Điều 8.4: công văn, thư điện tử, điện thoại, fax, nhắn tin đa phương tiện, hệ thống kỹ thuật."""

    DOCUMENT = "document", _("Written document")
    EMAIL = "email", _("E-mail")
    PHONE = "phone", _("Phone")
    FAX = "fax", _("Fax")
    MMS = "mms", _("Multimedia message")
    SYSTEM = "system", _("Technical system")


# Channels that carry the signed document itself; any other one needs the written order afterwards
# (seed 001 Điều 16.1: "thông báo bằng điện thoại, email công vụ … và thông báo bằng văn bản sau").
WRITTEN_CHANNELS = (OrderChannel.DOCUMENT, OrderChannel.FAX)


class OrderQuerySet(models.QuerySet):
    def written_pending(self):
        return self.filter(written_required=True, written_sent_at__isnull=True, cancelled_at__isnull=True)


class CoordinationOrder(models.Model):
    """A coordination order or request (lệnh/yêu cầu điều phối, Biểu mẫu 06; fields per REGULATION §1.5)."""

    # Numbered in the issuer's one yearly sequence of official documents (NĐ 30/2020 Điều 15), the same
    # counter as the documents app's, so the order and its printed document carry one number.
    issuer = models.ForeignKey("registry.Organisation", verbose_name=_("issued by"), null=True,
                               on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField(editable=False)
    number = models.PositiveIntegerField(editable=False)
    symbol = models.CharField(_("symbol"), max_length=50)
    incident = models.ForeignKey("incidents.Incident", verbose_name=_("incident"), on_delete=models.PROTECT,
                                 related_name="coordination_orders")
    issued_at = models.DateTimeField(_("issued at"))
    issued_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    content = models.TextField(_("what is required"))
    due_at = models.DateTimeField(_("to be done by"))
    contact_point = models.CharField(_("contact point"), max_length=300)
    result_report_required = models.BooleanField(_("report on the result required"), default=True)
    signer = models.CharField(_("signed by"), max_length=200)
    channel = models.CharField(_("sent by"), max_length=20, choices=OrderChannel.choices)
    urgent = models.BooleanField(_("urgent"), default=False)
    written_required = models.BooleanField(_("written order to follow"), default=False, editable=False)
    written_reference = models.CharField(_("number and symbol of the written order"), max_length=100, blank=True)
    written_sent_at = models.DateTimeField(_("written order sent at"), null=True, blank=True)
    cancelled_at = models.DateTimeField(_("cancelled at"), null=True, blank=True)
    cancel_reason = models.CharField(_("reason for cancelling"), max_length=300, blank=True)

    objects = OrderQuerySet.as_manager()

    class Meta:
        ordering = ["-issued_at", "-id"]
        verbose_name = _("coordination order")
        verbose_name_plural = _("coordination orders")
        # Number 0 is provisional: an order is numbered last in its transaction (see actions.issue_order).
        constraints = [models.UniqueConstraint(fields=["issuer", "year", "number"], condition=Q(number__gt=0),
                                               name="order_number_per_issuer_year")]
        indexes = [
            models.Index(fields=["incident", "-issued_at"], name="order_incident_issued"),
            models.Index(fields=["-issued_at", "-id"], name="order_issued"),
            models.Index(fields=["written_required", "written_sent_at"], name="order_written_pending"),
        ]

    def __str__(self):
        return self.reference

    @property
    def reference(self) -> str:
        """Số/ký hiệu as NĐ 30/2020 (Phụ lục I) writes it: at least two digits, "01/LĐP-ĐƯCSC", "12/LĐP-ĐƯCSC"."""
        return f"{self.number:02d}/{self.symbol}" if self.number else f"~/{self.symbol}"

    @property
    def written_pending(self) -> bool:
        return self.written_required and self.written_sent_at is None and self.cancelled_at is None

    @property
    def is_cancelled(self) -> bool:
        return self.cancelled_at is not None


class AcknowledgementVia(models.TextChoices):
    SYSTEM = "system", _("In this system")
    PHONE = "phone", _("By phone")
    EMAIL = "email", _("By e-mail")
    DOCUMENT = "document", _("By written document")
    FAX = "fax", _("By fax")
    IN_PERSON = "in_person", _("In person")


class OrderRecipient(models.Model):
    """One addressee of an order: a team member (an account) or an organisation of the registry."""

    order = models.ForeignKey(CoordinationOrder, on_delete=models.CASCADE, related_name="recipients")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                             related_name="order_receipts")
    organisation = models.ForeignKey("registry.Organisation", null=True, blank=True, on_delete=models.PROTECT,
                                     related_name="order_receipts")
    email = models.EmailField(_("contact e-mail"), blank=True)
    acknowledged_at = models.DateTimeField(_("acknowledged at"), null=True, blank=True)
    acknowledged_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                        related_name="+")
    acknowledged_via = models.CharField(_("acknowledged"), max_length=20, blank=True,
                                        choices=AcknowledgementVia.choices)
    acknowledgement_note = models.CharField(_("acknowledgement note"), max_length=300, blank=True)
    result_reported_at = models.DateTimeField(_("result reported at"), null=True, blank=True)
    result_text = models.TextField(_("result"), blank=True)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(condition=Q(user__isnull=False, organisation__isnull=True)
                                   | Q(user__isnull=True, organisation__isnull=False), name="recipient_one_kind"),
            models.UniqueConstraint(fields=["order", "user"], condition=Q(user__isnull=False),
                                    name="recipient_user_once"),
            models.UniqueConstraint(fields=["order", "organisation"], condition=Q(organisation__isnull=False),
                                    name="recipient_organisation_once"),
        ]
        indexes = [models.Index(fields=["user", "result_reported_at"], name="recipient_user_open")]

    def __str__(self):
        return str(self.user or self.organisation)

    @property
    def name(self) -> str:
        return self.user.get_full_name() if self.user_id else self.organisation.name

    @property
    def is_open(self) -> bool:
        """Still owes something: an acknowledgement, or the result when one is required."""
        if self.order.cancelled_at is not None:
            return False
        if self.order.result_report_required:
            return self.result_reported_at is None
        return self.acknowledged_at is None


class RequestKind(models.TextChoices):
    DIRECTION = "direction", _("Request for direction")
    SUPPORT = "support", _("Request for support")


class AddresseeKind(models.TextChoices):
    STEERING_COMMITTEE = "steering_committee", _("Steering committee")
    NATIONAL_COORDINATOR = "national_coordinator", _("National coordinator")
    PROVIDER = "provider", _("Service provider")
    ORGANISATION = "organisation", _("Other organisation")


class RequestStatus(models.TextChoices):
    OPEN = "open", _("Awaiting an answer")
    ANSWERED = "answered", _("Answered")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class Request(models.Model):
    """A request for direction (to the steering committee) or for support (national coordinator, providers,
    other organisations), and its answer: part of the incident's record (QĐ 05/2017 Điều 11.2)."""

    incident = models.ForeignKey("incidents.Incident", verbose_name=_("incident"), on_delete=models.PROTECT,
                                 related_name="coordination_requests")
    kind = models.CharField(_("kind"), max_length=20, choices=RequestKind.choices)
    addressed_to_kind = models.CharField(_("addressed to"), max_length=30, choices=AddresseeKind.choices)
    addressed_to_name = models.CharField(_("name of the addressee"), max_length=300)
    organisation = models.ForeignKey("registry.Organisation", verbose_name=_("organisation"), null=True,
                                     blank=True, on_delete=models.PROTECT, related_name="+")
    content = models.TextField(_("content"))
    channel = models.CharField(_("sent by"), max_length=20, choices=OrderChannel.choices)
    sent_at = models.DateTimeField(_("sent at"))
    reference = models.CharField(_("number and symbol"), max_length=100, blank=True)
    status = models.CharField(_("status"), max_length=20, choices=RequestStatus.choices, default=RequestStatus.OPEN)
    answer = models.TextField(_("answer"), blank=True)
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True)
    answered_by_name = models.CharField(_("answered by"), max_length=200, blank=True)
    withdraw_reason = models.CharField(_("reason for withdrawing"), max_length=300, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-sent_at", "-id"]
        verbose_name = _("request")
        verbose_name_plural = _("requests")
        indexes = [models.Index(fields=["incident", "-sent_at"], name="request_incident_sent"),
                   models.Index(fields=["status", "-sent_at"], name="request_status_sent")]

    def __str__(self):
        return f"{self.get_kind_display()}: {self.addressed_to_name}"

"""Warnings about vulnerabilities and threats sent to agencies, acknowledged and remediated per system (SPEC §9).

An advisory (cảnh báo) names the affected products; sending it makes one recipient row per organisation (chosen,
or owning a registered system whose software matches a product) and one answer row per system of that
recipient. The recipient acknowledges, then answers per system; the coverage page counts both.
"""

import re
from datetime import datetime

from django.conf import settings
from django.db import models
from django.db.models import Count, Q
from django.utils.translation import gettext_lazy as _

from ungcuu.deadlines.calendar import end_of_day

# Who writes, sends, closes warnings and reminds non-responders: the standing office and the team's leads.
MANAGE_ROLES = ("standing_officer", "team_lead", "deputy_lead")
# Who reads every warning and every recipient's answers (the team and oversight, SPEC §11).
VIEW_ALL_ROLES = (*MANAGE_ROLES, "team_member", "administrator", "auditor", "steering_member")
# The people of a recipient organisation who acknowledge and answer for it.
RECIPIENT_ROLES = ("system_owner", "reporter")

CVE_PATTERN = re.compile(r"^CVE-\d{4}-\d{4,}$")


class Severity(models.TextChoices):
    LOW = "low", _("Low")
    MEDIUM = "medium", _("Medium")
    HIGH = "high", _("High")
    CRITICAL = "critical", _("Critical")


class AdvisoryStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SENT = "sent", _("Sent")
    CLOSED = "closed", _("Closed")


class AnswerStatus(models.TextChoices):
    PENDING = "pending", _("Not answered yet")
    NOT_AFFECTED = "not_affected", _("Not affected")
    FIXED = "fixed", _("Fixed")
    MITIGATED = "mitigated", _("Mitigated")
    CANNOT_FIX = "cannot_fix", _("Cannot fix")


ANSWERED_STATUSES = (AnswerStatus.NOT_AFFECTED, AnswerStatus.FIXED, AnswerStatus.MITIGATED, AnswerStatus.CANNOT_FIX)


class AdvisoryQuerySet(models.QuerySet):
    def visible_to(self, user):
        """The team and oversight see every warning; an agency only those sent to its organisation."""
        if user.has_any_role(*VIEW_ALL_ROLES):
            return self
        if user.organisation_id is None:
            return self.none()
        return self.filter(recipients__organisation_id=user.organisation_id).exclude(status=AdvisoryStatus.DRAFT)

    def with_counts(self):
        """Each warning with its recipient and acknowledgement counts (one grouped query, no per-row query)."""
        return self.annotate(
            recipient_count=Count("recipients", distinct=True),
            acknowledged_count=Count("recipients", filter=Q(recipients__acknowledged_at__isnull=False),
                                     distinct=True),
        )


class Advisory(models.Model):
    """A warning (cảnh báo) about a vulnerability or threat, sent to the agencies concerned."""

    title = models.CharField(_("title"), max_length=300)
    description = models.TextField(_("description"))
    cve_ids = models.JSONField(_("CVE identifiers"), default=list, blank=True)
    severity = models.CharField(_("severity"), max_length=10, choices=Severity.choices, default=Severity.HIGH)
    recommended_actions = models.TextField(_("recommended actions"), blank=True)
    deadline = models.DateField(_("answer by"))
    source = models.CharField(_("source"), max_length=300, blank=True)
    source_organisation = models.ForeignKey(
        "registry.Organisation", verbose_name=_("source organisation"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="+",
    )
    # Recipients: the chosen organisations, plus (when set) every owner of a system matching a product.
    organisations = models.ManyToManyField(
        "registry.Organisation", verbose_name=_("chosen organisations"), blank=True, related_name="+",
    )
    match_products = models.BooleanField(
        _("send to every organisation whose registered systems run an affected product"), default=True,
    )
    status = models.CharField(_("status"), max_length=10, choices=AdvisoryStatus.choices,
                              default=AdvisoryStatus.DRAFT)
    issued_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("issued by"), null=True,
                                  on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)

    objects = AdvisoryQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("warning")
        verbose_name_plural = _("warnings")
        indexes = [models.Index(fields=["status", "-created_at"], name="advisory_status_created")]

    def __str__(self):
        return self.title

    @property
    def due_at(self) -> datetime:
        """The end of the deadline day, local time (the whole day counts, Civil Code Art. 148)."""
        return end_of_day(self.deadline)

    @property
    def is_draft(self) -> bool:
        return self.status == AdvisoryStatus.DRAFT

    def coverage(self) -> dict:
        """The figures of the coverage page, counted by two aggregate queries: recipients (total, acknowledged,
        every system answered, reminded) and systems by answer."""
        figures = self.recipients.aggregate(
            recipients=Count("id"),
            acknowledged=Count("id", filter=Q(acknowledged_at__isnull=False)),
            completed=Count("id", filter=Q(completed_at__isnull=False)),
            reminded=Count("id", filter=Q(reminder_count__gt=0)),
        )
        figures.update(Answer.objects.filter(advisory=self).aggregate(
            systems=Count("id"),
            answered=Count("id", filter=Q(status__in=ANSWERED_STATUSES)),
            **{status: Count("id", filter=Q(status=status)) for status in AnswerStatus.values},
        ))
        figures["not_acknowledged"] = figures["recipients"] - figures["acknowledged"]
        return figures


class AffectedProduct(models.Model):
    """One affected product and the versions concerned, as written in the warning."""

    advisory = models.ForeignKey(Advisory, on_delete=models.CASCADE, related_name="products")
    product = models.CharField(_("product"), max_length=200)
    versions = models.CharField(_("versions"), max_length=300, blank=True)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["advisory", "position", "id"]
        verbose_name = _("affected product")
        verbose_name_plural = _("affected products")

    def __str__(self):
        return f"{self.product} {self.versions}".strip()


class RecipientQuerySet(models.QuerySet):
    def visible_to(self, user):
        """The team and oversight see every recipient; an agency's people only their organisation's rows."""
        if user.has_any_role(*VIEW_ALL_ROLES):
            return self
        if user.organisation_id is None:
            return self.none()
        return self.filter(organisation_id=user.organisation_id)

    def with_counts(self):
        """Each recipient with its systems counted by answer (grouped in the same query)."""
        return self.annotate(
            system_count=Count("answers", distinct=True),
            answered_count=Count("answers", filter=Q(answers__status__in=ANSWERED_STATUSES), distinct=True),
            fixed_count=Count("answers", filter=Q(answers__status=AnswerStatus.FIXED), distinct=True),
        )

    def not_responded(self):
        """Recipients that have not acknowledged, or still have a system without an answer."""
        return self.filter(Q(acknowledged_at__isnull=True) | Q(completed_at__isnull=True))


class Recipient(models.Model):
    """One organisation a warning was sent to: its acknowledgement and whether every system is answered."""

    advisory = models.ForeignKey(Advisory, on_delete=models.CASCADE, related_name="recipients")
    organisation = models.ForeignKey("registry.Organisation", verbose_name=_("organisation"),
                                     on_delete=models.PROTECT, related_name="advisory_recipients")
    chosen = models.BooleanField(_("chosen by the sender"), default=False)
    matched = models.BooleanField(_("runs an affected product"), default=False)
    sent_at = models.DateTimeField(_("sent at"))
    acknowledged_at = models.DateTimeField(_("acknowledged at"), null=True, blank=True)
    acknowledged_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("acknowledged by"), null=True,
                                        blank=True, on_delete=models.PROTECT, related_name="+")
    completed_at = models.DateTimeField(_("every system answered at"), null=True, blank=True)
    last_reminded_on = models.DateField(_("last reminded on"), null=True, blank=True)
    reminder_count = models.PositiveSmallIntegerField(_("reminders sent"), default=0)

    objects = RecipientQuerySet.as_manager()

    class Meta:
        ordering = ["advisory", "organisation__name", "id"]
        verbose_name = _("recipient of a warning")
        verbose_name_plural = _("recipients of warnings")
        constraints = [models.UniqueConstraint(fields=["advisory", "organisation"], name="advisory_recipient_once")]
        indexes = [
            models.Index(fields=["advisory", "acknowledged_at"], name="advisory_recipient_ack"),
            models.Index(fields=["organisation", "-sent_at"], name="advisory_recipient_org"),
        ]

    def __str__(self):
        return f"{self.advisory} → {self.organisation}"

    @property
    def has_responded(self) -> bool:
        return self.acknowledged_at is not None and self.completed_at is not None


class Answer(models.Model):
    """The recipient's answer for one of its systems; every change is in the audit log."""

    recipient = models.ForeignKey(Recipient, on_delete=models.CASCADE, related_name="answers")
    # Denormalised so the coverage counts one index range, without joining the recipients.
    advisory = models.ForeignKey(Advisory, on_delete=models.CASCADE, related_name="answers")
    system = models.ForeignKey("registry.InformationSystem", verbose_name=_("information system"),
                               on_delete=models.PROTECT, related_name="advisory_answers")
    # What matched: "PostgreSQL ← Ubuntu Server 22.04 LTS; PostgreSQL 14"; empty for a chosen organisation's system.
    matched_on = models.CharField(_("matched on"), max_length=500, blank=True)
    status = models.CharField(_("answer"), max_length=15, choices=AnswerStatus.choices, default=AnswerStatus.PENDING)
    note = models.TextField(_("note or reason"), blank=True)
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True)
    answered_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("answered by"), null=True, blank=True,
                                    on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["recipient", "system__name", "id"]
        verbose_name = _("answer to a warning")
        verbose_name_plural = _("answers to warnings")
        constraints = [models.UniqueConstraint(fields=["recipient", "system"], name="advisory_answer_once")]
        indexes = [models.Index(fields=["advisory", "status"], name="advisory_answer_status")]

    def __str__(self):
        return f"{self.system}: {self.get_status_display()}"

"""Monitoring alerts taken in bulk, de-duplicated and grouped into incidents (SPEC §3).

An alert is unique by (source, source_ref): the same alert sent twice is stored once. Alerts about the
same affected system (or, without a known system, sharing an indicator) within the administrator's
window go to one open incident; AlertGroup maps each grouping key to that incident.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from ungcuu.incidents.models import TRIAGE_ROLES

# The standing office and the leads triage alerts; the team reads them; these accounts may also send them.
VIEW_ROLES = (*TRIAGE_ROLES, "team_member", "administrator")
SENDER_ROLES = (*TRIAGE_ROLES, "administrator")

class AlertSeverity(models.TextChoices):
    INFO = "info", _("Informational")
    LOW = "low", _("Low")
    MEDIUM = "medium", _("Medium")
    HIGH = "high", _("High")
    CRITICAL = "critical", _("Critical")


SEVERITY_RANK = {value: rank for rank, value in enumerate(AlertSeverity.values)}


class AlertFormat(models.TextChoices):
    GENERIC = "generic", _("Generic JSON")
    WAZUH = "wazuh", _("Wazuh alert")
    THEHIVE = "thehive", _("TheHive alert")


class AlertStatus(models.TextChoices):
    NEW = "new", _("New")
    GROUPED = "grouped", _("Grouped into an incident")
    DISMISSED = "dismissed", _("Dismissed")


class AlertSettings(models.Model):
    """The grouping rules an administrator sets; one row (pk 1), also the lock grouping runs under."""

    group_window_minutes = models.PositiveIntegerField(
        _("grouping window (minutes)"), default=60,
        help_text=_("Alerts about the same system (or sharing an indicator) this close together go to one incident."))
    incident_min_severity = models.CharField(
        _("lowest severity that opens an incident"), max_length=10, choices=AlertSeverity.choices,
        default=AlertSeverity.MEDIUM,
        help_text=_("Less severe alerts join an open incident of their group, or wait in the triage queue."))
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("alert settings")
        verbose_name_plural = _("alert settings")

    def __str__(self):
        return str(_("Alert settings"))

    @classmethod
    def current(cls) -> "AlertSettings":
        return cls.objects.get_or_create(pk=1)[0]


class AlertQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Alerts are the team's working material: the triage roles, the team and oversight see them."""
        return self if user.is_authenticated and user.has_any_role(*VIEW_ROLES) else self.none()


class Alert(models.Model):
    """One alert from a monitoring source, kept as received."""

    source = models.CharField(_("source"), max_length=100)
    # 200 characters, or TheHive's "type/sourceRef" (formats.STORED_REF_LENGTH).
    source_ref = models.CharField(_("reference at the source"), max_length=251)
    format = models.CharField(_("format"), max_length=10, choices=AlertFormat.choices, default=AlertFormat.GENERIC)
    received_at = models.DateTimeField(_("received"))
    observed_at = models.DateTimeField(_("observed"), null=True, blank=True)
    received_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("sent by"), null=True, blank=True,
                                    on_delete=models.SET_NULL, related_name="+")
    title = models.CharField(_("title"), max_length=300)
    description = models.TextField(_("description"), blank=True)
    severity = models.CharField(_("severity"), max_length=10, choices=AlertSeverity.choices,
                                default=AlertSeverity.MEDIUM)
    host = models.CharField(_("host (IP address or domain)"), max_length=255, blank=True)
    system = models.ForeignKey("registry.InformationSystem", verbose_name=_("affected system"), null=True,
                               blank=True, on_delete=models.SET_NULL, related_name="alerts")
    indicators = models.JSONField(_("indicators"), default=list, blank=True)
    raw = models.JSONField(_("as received"), default=dict, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=AlertStatus.choices, default=AlertStatus.NEW)
    incident = models.ForeignKey("incidents.Incident", verbose_name=_("incident"), null=True, blank=True,
                                 on_delete=models.SET_NULL, related_name="alerts")
    group_key = models.CharField(_("group"), max_length=300, blank=True)
    note = models.TextField(_("note"), blank=True)

    objects = AlertQuerySet.as_manager()

    class Meta:
        ordering = ["-received_at", "-id"]
        verbose_name = _("alert")
        verbose_name_plural = _("alerts")
        constraints = [models.UniqueConstraint(fields=["source", "source_ref"], name="alert_source_ref_unique")]
        # Only what the pages filter on: each index is one more write per alert received. Filtering by
        # source uses the unique constraint's index; nothing looks alerts up by group key.
        indexes = [
            models.Index(fields=["status", "-received_at"], name="alert_queue_idx"),
            models.Index(fields=["incident", "-received_at"], name="alert_incident_idx"),
            models.Index(fields=["system", "status"], name="alert_system_idx"),
            models.Index(fields=["severity", "status"], name="alert_severity_idx"),
        ]

    def __str__(self):
        return f"{self.source}/{self.source_ref}"

    @property
    def severity_rank(self) -> int:
        return SEVERITY_RANK.get(self.severity, 0)


class AlertGroup(models.Model):
    """A grouping key ("system:12", "ip:192.0.2.7") and the incident its recent alerts go to."""

    key = models.CharField(max_length=300, unique=True)
    incident = models.ForeignKey("incidents.Incident", on_delete=models.CASCADE, related_name="+")
    last_alert_at = models.DateTimeField()

    class Meta:
        verbose_name = _("alert group")

    def __str__(self):
        return self.key


class PendingAlert(models.Model):
    """An alert stored but not yet looked at by grouping: written with the alert, deleted by the pass that
    groups it, so a crash in between loses nothing. A small table of its own rather than a flag on the
    alerts, so finding what waits never depends on the planner's view of a large table."""

    alert = models.OneToOneField(Alert, primary_key=True, on_delete=models.CASCADE, related_name="+")

    def __str__(self):
        return str(self.alert_id)


class RejectedAlert(models.Model):
    """An item of a batch that could not be taken as an alert, kept with its reasons (SPEC §3: nothing sent is
    lost, even when invalid). `raw` is the item as received (its JSON; a line that was not JSON as text),
    capped at formats.RAW_LIMIT characters."""

    received_at = models.DateTimeField(_("received"))
    received_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("sent by"), null=True, blank=True,
                                    on_delete=models.SET_NULL, related_name="+")
    source = models.CharField(_("source"), max_length=100, blank=True)
    format = models.CharField(_("format"), max_length=10, blank=True)
    raw = models.JSONField(_("as received"), null=True, blank=True)
    errors = models.JSONField(_("reasons"), default=dict)

    class Meta:
        ordering = ["-received_at", "-id"]
        verbose_name = _("rejected alert")
        verbose_name_plural = _("rejected alerts")
        indexes = [models.Index(fields=["-received_at"], name="alert_rejected_received_idx")]

    def __str__(self):
        return f"{self.source or '?'} {self.received_at:%Y-%m-%d %H:%M}"

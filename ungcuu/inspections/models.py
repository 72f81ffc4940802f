"""Inspections, vulnerability scans and threat hunts due per system and organisation by security level (SPEC §9).

- `PeriodOverride`: a provincial period that replaces a national one (stricter only).
- `Duty`: what is due now for one system or organisation (derived state, kept in step by the actions and by
  `schedule_duties`, with its open deadline in the deadline engine).
- `Result` and `Finding`: what was done, by whom, what it found and how each finding was remediated.
"""

from datetime import date, timedelta

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from ungcuu.registry.models import PROVINCE_WIDE_ROLES, InformationSystem

# Who records results and updates findings for any system (the team and administrators); a system owner records
# for the systems their organisation owns or operates.
RECORD_ROLES = ("administrator", "standing_officer", "team_lead", "deputy_lead", "team_member")


class Kind(models.TextChoices):
    """The same codes as the deadline kinds they keep open."""

    INSPECTION = "inspection", _("Security inspection")
    VULNERABILITY_SCAN = "vulnerability_scan", _("Vulnerability scan")
    THREAT_HUNT = "threat_hunt", _("Threat hunt")


class Scope(models.TextChoices):
    SYSTEM = "system", _("Information system")
    ORGANISATION = "organisation", _("Organisation-wide")


class DutyCode(models.TextChoices):
    ORGANISATION_INSPECTION = "organisation_inspection", _("Organisation-wide inspection and risk management")
    INSPECTION_LEVEL_1 = "inspection_level_1", _("Inspection of a level-1 system")
    INSPECTION_LEVEL_2 = "inspection_level_2", _("Inspection of a level-2 system")
    INSPECTION_LEVEL_3 = "inspection_level_3", _("Inspection of a level-3 system")
    INSPECTION_LEVEL_4 = "inspection_level_4", _("Inspection of a level-4 system")
    INSPECTION_LEVEL_5 = "inspection_level_5", _("Inspection of a level-5 system")
    VULNERABILITY_SCAN = "vulnerability_scan", _("Vulnerability scan of a system")
    THREAT_HUNT = "threat_hunt", _("Threat hunt on a system")


class Severity(models.TextChoices):
    LOW = "low", _("Low")
    MEDIUM = "medium", _("Medium")
    HIGH = "high", _("High")
    CRITICAL = "critical", _("Critical")


class Remediation(models.TextChoices):
    OPEN = "open", _("Open")
    FIXED = "fixed", _("Fixed")
    ACCEPTED = "accepted", _("Risk accepted")


class DueStatus(models.TextChoices):
    OVERDUE = "overdue", _("Overdue")
    DUE_SOON = "due_soon", _("Due soon")
    SCHEDULED = "scheduled", _("Scheduled")


def due_soon_days() -> int:
    return int(getattr(settings, "INSPECTIONS_DUE_SOON_DAYS", 30))


def _subject_filter(user, system_field: str, organisation_field: str) -> Q | None:
    """Rows about systems the user's organisation owns or operates, or about the organisation itself (or one
    below it); None when the user sees everything."""
    if user.has_any_role(*PROVINCE_WIDE_ROLES):
        return None
    if user.organisation_id is None or not user.organisation.path:
        return Q(pk__in=[])
    path = user.organisation.path
    return (Q(**{f"{system_field}__owner__path__startswith": path})
            | Q(**{f"{system_field}__operator__path__startswith": path})
            | Q(**{f"{system_field}__isnull": True, f"{organisation_field}__path__startswith": path}))


class PeriodOverrideQuerySet(models.QuerySet):
    def active(self):
        return self.filter(active=True)


class PeriodOverride(models.Model):
    """A provincial period for one duty, shorter than the national one (a looser one is refused)."""

    code = models.CharField(_("duty"), max_length=30, choices=DutyCode.choices)
    months = models.PositiveSmallIntegerField(_("period (months)"))
    province = models.CharField(_("province"), max_length=200, blank=True)
    source_document = models.CharField(_("source document"), max_length=300)
    article = models.CharField(_("article"), max_length=200, blank=True)
    reason = models.TextField(_("reason"), blank=True)
    active = models.BooleanField(_("active"), default=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("set by"), null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    objects = PeriodOverrideQuerySet.as_manager()

    class Meta:
        ordering = ["code", "-created_at"]
        verbose_name = _("provincial period")
        verbose_name_plural = _("provincial periods")
        constraints = [models.UniqueConstraint(fields=["code"], condition=Q(active=True),
                                               name="inspections_one_active_override_per_duty")]

    def __str__(self):
        return f"{self.get_code_display()}: {self.months}"

    @property
    def source(self) -> str:
        return f"{self.source_document} {self.article}".strip()


class DutyQuerySet(models.QuerySet):
    def visible_to(self, user):
        """The team and oversight see all; others the duties of their organisation's systems and its own."""
        query = _subject_filter(user, "system", "organisation")
        return self if query is None else self.filter(query)

    def with_status(self, status: str, today: date):
        if status == DueStatus.OVERDUE:
            return self.filter(due_on__lt=today)
        if status == DueStatus.DUE_SOON:
            return self.filter(due_on__gte=today, due_on__lte=today + timedelta(days=due_soon_days()))
        if status == DueStatus.SCHEDULED:
            return self.filter(due_on__gt=today + timedelta(days=due_soon_days()))
        if status == "never_done":
            return self.filter(last_done_on__isnull=True)
        return self


class Duty(models.Model):
    """What is due for one system (inspection by level, scan, hunt) or one organisation (organisation-wide
    inspection), with the period in force and the open deadline that keeps reminders going."""

    code = models.CharField(_("duty"), max_length=30, choices=DutyCode.choices)
    kind = models.CharField(_("kind"), max_length=30, choices=Kind.choices)
    scope = models.CharField(_("scope"), max_length=20, choices=Scope.choices)
    system = models.ForeignKey(InformationSystem, verbose_name=_("information system"), null=True, blank=True,
                               on_delete=models.CASCADE, related_name="inspection_duties")
    # The system's owner, or the organisation inspected as a whole.
    organisation = models.ForeignKey("registry.Organisation", verbose_name=_("organisation"),
                                     on_delete=models.CASCADE, related_name="inspection_duties")
    months = models.PositiveSmallIntegerField(_("period (months)"))
    override = models.ForeignKey(PeriodOverride, verbose_name=_("provincial period"), null=True, blank=True,
                                 on_delete=models.SET_NULL, related_name="+")
    last_done_on = models.DateField(_("last done"), null=True, blank=True)
    # Never done: the due date is counted from this day (the system's level approval), or is today without it.
    base_on = models.DateField(_("counted from"), null=True, blank=True)
    due_on = models.DateField(_("next due"))
    deadline = models.ForeignKey("deadlines.Deadline", verbose_name=_("deadline"), null=True, blank=True,
                                 on_delete=models.SET_NULL, related_name="+")
    updated_at = models.DateTimeField(auto_now=True)

    objects = DutyQuerySet.as_manager()

    class Meta:
        ordering = ["due_on", "pk"]
        verbose_name = _("duty")
        verbose_name_plural = _("duties")
        indexes = [
            models.Index(fields=["due_on", "id"], name="inspections_duty_due"),
            models.Index(fields=["kind", "due_on"], name="inspections_duty_kind_due"),
            models.Index(fields=["organisation", "due_on"], name="inspections_duty_org_due"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["kind", "system"], condition=Q(system__isnull=False),
                                    name="inspections_one_duty_per_system"),
            models.UniqueConstraint(fields=["kind", "organisation"], condition=Q(system__isnull=True),
                                    name="inspections_one_duty_per_organisation"),
        ]

    def __str__(self):
        return f"{self.get_code_display()} — {self.subject}"

    @property
    def subject(self):
        return self.system if self.system_id else self.organisation

    @property
    def never_done(self) -> bool:
        return self.last_done_on is None

    def status(self, today: date) -> str:
        if self.due_on < today:
            return DueStatus.OVERDUE
        if self.due_on <= today + timedelta(days=due_soon_days()):
            return DueStatus.DUE_SOON
        return DueStatus.SCHEDULED

    def status_label(self, today: date) -> str:
        return DueStatus(self.status(today)).label

    def source(self) -> str:
        from ungcuu.inspections.periods import NATIONAL_PERIODS

        return NATIONAL_PERIODS[self.code].source


class ResultQuerySet(models.QuerySet):
    def visible_to(self, user):
        query = _subject_filter(user, "system", "organisation")
        return self if query is None else self.filter(query)


class Result(models.Model):
    """One inspection, vulnerability scan or threat hunt done on a system or an organisation."""

    kind = models.CharField(_("kind"), max_length=30, choices=Kind.choices)
    scope = models.CharField(_("scope"), max_length=20, choices=Scope.choices)
    code = models.CharField(_("duty"), max_length=30, choices=DutyCode.choices)
    system = models.ForeignKey(InformationSystem, verbose_name=_("information system"), null=True, blank=True,
                               on_delete=models.PROTECT, related_name="inspection_results")
    organisation = models.ForeignKey("registry.Organisation", verbose_name=_("organisation"),
                                     on_delete=models.PROTECT, related_name="inspection_results")
    level = models.PositiveSmallIntegerField(_("security level at the time"), null=True, blank=True)
    performed_on = models.DateField(_("performed on"))
    body = models.ForeignKey("registry.Organisation", verbose_name=_("inspecting body"), null=True, blank=True,
                             on_delete=models.PROTECT, related_name="inspections_performed")
    body_name = models.CharField(_("inspecting body (not in the registry)"), max_length=300, blank=True)
    performer = models.CharField(_("performed by (person)"), max_length=200, blank=True)
    licensed = models.BooleanField(_("licensed or designated body"), default=False)
    licence_reference = models.CharField(_("licence or designation"), max_length=200, blank=True)
    summary = models.TextField(_("summary"))
    report_reference = models.CharField(_("report file reference"), max_length=300, blank=True)
    evidence = models.TextField(_("evidence"), blank=True)
    next_due_on = models.DateField(_("next due"), null=True, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("recorded by"), null=True,
                                    blank=True, on_delete=models.SET_NULL, related_name="+")
    recorded_at = models.DateTimeField(_("recorded"), auto_now_add=True)

    objects = ResultQuerySet.as_manager()

    class Meta:
        ordering = ["-performed_on", "-pk"]
        verbose_name = _("inspection result")
        verbose_name_plural = _("inspection results")
        indexes = [
            models.Index(fields=["system", "kind", "performed_on"], name="inspections_result_system"),
            models.Index(fields=["organisation", "kind", "performed_on"], name="inspections_result_org"),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} {self.performed_on:%d/%m/%Y} — {self.subject}"

    @property
    def subject(self):
        return self.system if self.system_id else self.organisation

    @property
    def body_label(self) -> str:
        return self.body.name if self.body_id else self.body_name


class Finding(models.Model):
    """A weakness found, its remediation and whether it was fixed or its risk accepted."""

    result = models.ForeignKey(Result, verbose_name=_("result"), on_delete=models.CASCADE, related_name="findings")
    title = models.CharField(_("title"), max_length=300)
    severity = models.CharField(_("severity"), max_length=10, choices=Severity.choices)
    remediation = models.TextField(_("remediation"), blank=True)
    status = models.CharField(_("remediation status"), max_length=10, choices=Remediation.choices,
                              default=Remediation.OPEN, db_index=True)
    status_on = models.DateField(_("fixed or accepted on"), null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["result", "pk"]
        verbose_name = _("finding")
        verbose_name_plural = _("findings")

    def __str__(self):
        return self.title

"""Deadlines: the rules they come from (a dated rule set with sources), provincial overrides, the holiday
calendar, and each running deadline of an incident, a recipient or a reporting period (SPEC §8)."""

from datetime import date, datetime, timedelta

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ungcuu.deadlines.calendar import WorkCalendar


class DeadlineKind(models.TextChoices):
    """The deadlines other apps start and meet; the codes are part of the public API."""

    NOTIFY = "notify", _("Incident notification")
    INITIAL_REPORT = "initial_report", _("Initial report")
    FINAL_REPORT = "final_report", _("Final report")
    ACKNOWLEDGE_REPORT = "acknowledge_report", _("Acknowledge a report")
    ACKNOWLEDGE_DISPATCH = "acknowledge_dispatch", _("Acknowledge a dispatch")
    ACKNOWLEDGE_ORDER = "acknowledge_order", _("Acknowledge a coordination order")
    WRITTEN_FOLLOW_UP = "written_follow_up", _("Written order after an urgent one")
    ORDER_DUE = "order_due", _("Coordination order due")
    HALFYEAR_REPORT = "halfyear_report", _("Half-year report")
    ANNUAL_REPORT = "annual_report", _("Annual report")
    # Preparedness (SPEC §9): the due dates are computed by their apps from the level or written on the warning.
    ADVISORY_ANSWER = "advisory_answer", _("Answer a warning")
    FOCAL_POINT_NOTICE = "focal_point_notice", _("Notify the national coordinator of a focal point change")
    INSPECTION = "inspection", _("Security inspection")
    VULNERABILITY_SCAN = "vulnerability_scan", _("Vulnerability scan")
    THREAT_HUNT = "threat_hunt", _("Threat hunt")
    DRILL = "drill", _("Live drill")
    TEAM_MEETING = "team_meeting", _("Team meeting")


ACKNOWLEDGE_KINDS = (DeadlineKind.ACKNOWLEDGE_REPORT, DeadlineKind.ACKNOWLEDGE_DISPATCH,
                     DeadlineKind.ACKNOWLEDGE_ORDER)
PERIODIC_KINDS = (DeadlineKind.HALFYEAR_REPORT, DeadlineKind.ANNUAL_REPORT)
# The subject of a periodic deadline: the year it reports on.
PERIOD_SUBJECT = "deadlines.period"


class Counting(models.TextChoices):
    DAYS = "days", _("Calendar days (Civil Code Art. 147–148)")
    HOURS = "hours", _("Hours from the event")
    FIXED_DATE = "fixed_date", _("Before a date of the year")
    EXPLICIT = "explicit", _("Set on the document (e.g. the order's due date)")


class Comparison(models.TextChoices):
    STRICTER = "stricter", _("stricter than national")
    SAME = "same", _("same as national")
    LOOSER = "looser", _("looser than national — flagged")


class RuleSetQuerySet(models.QuerySet):
    def in_force(self, on: date):
        return self.filter(Q(effective_to__isnull=True) | Q(effective_to__gte=on), effective_from__lte=on)


class RuleSet(models.Model):
    """A dated set of national rules, e.g. the 2017 framework (TT 20/2017, QĐ 05/2017)."""

    name = models.CharField(_("name"), max_length=200)
    source_note = models.TextField(_("sources"), blank=True)
    effective_from = models.DateField(_("effective from"))
    effective_to = models.DateField(_("effective to"), null=True, blank=True)

    objects = RuleSetQuerySet.as_manager()

    class Meta:
        ordering = ["-effective_from"]
        verbose_name = _("rule set")
        verbose_name_plural = _("rule sets")

    def __str__(self):
        return self.name


class RuleQuerySet(models.QuerySet):
    def in_force(self, on: date):
        """The rules of the rule set in force on `on`, themselves in force that day (newest set first)."""
        return self.filter(
            Q(rule_set__effective_to__isnull=True) | Q(rule_set__effective_to__gte=on),
            Q(effective_from__isnull=True) | Q(effective_from__lte=on),
            Q(effective_to__isnull=True) | Q(effective_to__gte=on),
            rule_set__effective_from__lte=on,
        ).order_by("-rule_set__effective_from", "-effective_from", "-pk")

    def for_kind(self, kind: str, on: date):
        return self.in_force(on).filter(kind=kind).select_related("rule_set").first()


class Rule(models.Model):
    """One national deadline: what, how it is counted, how much, and the article it comes from."""

    rule_set = models.ForeignKey(RuleSet, verbose_name=_("rule set"), on_delete=models.PROTECT, related_name="rules")
    kind = models.CharField(_("kind"), max_length=30, choices=DeadlineKind.choices)
    label = models.CharField(_("label"), max_length=300)
    source_document = models.CharField(_("source document"), max_length=300)
    article = models.CharField(_("article"), max_length=200)
    counting = models.CharField(_("counting"), max_length=12, choices=Counting.choices)
    # Days or hours; for a fixed date, the day of the month.
    amount = models.PositiveIntegerField(_("amount"), default=0)
    month = models.PositiveSmallIntegerField(_("month (fixed date)"), null=True, blank=True)
    # The texts say "ngay" (immediately) or nothing: the figure is the province's choice, not national law.
    provincial_choice = models.BooleanField(_("figure chosen by the province"), default=False)
    note = models.TextField(_("note"), blank=True)
    effective_from = models.DateField(_("effective from"), null=True, blank=True)
    effective_to = models.DateField(_("effective to"), null=True, blank=True)

    objects = RuleQuerySet.as_manager()

    class Meta:
        ordering = ["rule_set", "kind"]
        indexes = [models.Index(fields=["kind", "rule_set"], name="deadline_rule_kind")]
        verbose_name = _("deadline rule")
        verbose_name_plural = _("deadline rules")

    def __str__(self):
        return f"{self.label} ({self.source_document} {self.article})"

    def describe(self) -> str:
        """The figure in words, e.g. "5 days", "24 hours", "before 20/6"."""
        if self.counting == Counting.DAYS:
            return _("%(n)s days") % {"n": self.amount}
        if self.counting == Counting.HOURS:
            return _("%(n)s hours") % {"n": self.amount}
        if self.counting == Counting.FIXED_DATE:
            return _("before %(d)s/%(m)s") % {"d": self.amount, "m": self.month}
        return str(_("as written on the order"))


class OverrideQuerySet(models.QuerySet):
    def active(self):
        return self.filter(active=True)


class Override(models.Model):
    """A provincial figure that replaces the national one: stricter is fine, looser is accepted but flagged."""

    province = models.CharField(_("province"), max_length=200)
    kind = models.CharField(_("kind"), max_length=30, choices=DeadlineKind.choices)
    amount = models.PositiveIntegerField(_("amount"))
    source_document = models.CharField(_("source document"), max_length=300)
    article = models.CharField(_("article"), max_length=200, blank=True)
    reason = models.TextField(_("reason"), blank=True)
    active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    objects = OverrideQuerySet.as_manager()

    class Meta:
        ordering = ["kind", "-created_at"]
        constraints = [models.UniqueConstraint(fields=["kind"], condition=Q(active=True),
                                               name="deadline_override_one_active_per_kind")]
        verbose_name = _("provincial override")
        verbose_name_plural = _("provincial overrides")

    def __str__(self):
        return f"{self.province}: {self.get_kind_display()} {self.amount}"

    def compare_to(self, rule: Rule | None) -> str:
        """stricter / same / looser than the national rule (a shorter period is stricter)."""
        if rule is None or rule.counting not in (Counting.DAYS, Counting.HOURS):
            return Comparison.SAME
        if self.amount < rule.amount:
            return Comparison.STRICTER
        if self.amount > rule.amount:
            return Comparison.LOOSER
        return Comparison.SAME

    @property
    def comparison(self) -> str:
        """Compared with the national rule in force today."""
        return self.compare_to(Rule.objects.for_kind(self.kind, timezone.localdate()))

    @property
    def flagged(self) -> bool:
        return self.comparison == Comparison.LOOSER


class HolidayKind(models.TextChoices):
    PUBLIC_HOLIDAY = "holiday", _("Public holiday (Labour Code Art. 112)")
    DAY_OFF = "day_off", _("Official day off (compensatory or swapped)")
    WORKING_DAY = "working_day", _("Make-up working day on a weekend")


class HolidayQuerySet(models.QuerySet):
    def calendar(self, start: date, end: date) -> WorkCalendar:
        """The days off and worked weekend days between two dates, as a pure calendar."""
        rows = list(self.filter(date__gte=start, date__lte=end).values_list("date", "kind"))
        return WorkCalendar.of(
            days_off=[d for d, kind in rows if kind != HolidayKind.WORKING_DAY],
            working_weekends=[d for d, kind in rows if kind == HolidayKind.WORKING_DAY],
        )


class Holiday(models.Model):
    """One day of the official calendar that is not an ordinary weekday or weekend."""

    date = models.DateField(_("date"), unique=True)
    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=12, choices=HolidayKind.choices, default=HolidayKind.PUBLIC_HOLIDAY)
    source = models.CharField(_("source"), max_length=500)
    confirmed = models.BooleanField(_("confirmed by an official notice"), default=True)

    objects = HolidayQuerySet.as_manager()

    class Meta:
        ordering = ["date"]
        verbose_name = _("holiday")
        verbose_name_plural = _("holidays")

    def __str__(self):
        return f"{self.date:%d/%m/%Y} {self.name}"


class DeadlineStatus(models.TextChoices):
    OPEN = "open", _("Open")
    DUE_SOON = "due_soon", _("Due soon")
    OVERDUE = "overdue", _("Overdue")
    MET_ON_TIME = "met_on_time", _("Met on time")
    MET_LATE = "met_late", _("Met late")
    CANCELLED = "cancelled", _("Cancelled")


def due_soon_window() -> timedelta:
    return timedelta(hours=getattr(settings, "DEADLINE_DUE_SOON_HOURS", 24))


class DeadlineQuerySet(models.QuerySet):
    def open(self):
        return self.filter(met_at__isnull=True, cancelled_at__isnull=True)

    def overdue(self, now: datetime | None = None):
        return self.open().filter(due_at__lt=now or timezone.now())

    def due_soon(self, now: datetime | None = None):
        now = now or timezone.now()
        return self.open().filter(due_at__gte=now, due_at__lt=now + due_soon_window())

    def met_on_time(self):
        return self.filter(met_at__isnull=False, met_at__lte=F("due_at"))

    def met_late(self):
        return self.filter(met_at__isnull=False, met_at__gt=F("due_at"))

    def with_status(self, status: str, now: datetime | None = None):
        """Filter by one of DeadlineStatus ("open" means every open deadline, due soon and overdue included)."""
        if status == DeadlineStatus.OPEN:
            return self.open()
        if status == DeadlineStatus.DUE_SOON:
            return self.due_soon(now)
        if status == DeadlineStatus.OVERDUE:
            return self.overdue(now)
        if status == DeadlineStatus.MET_ON_TIME:
            return self.met_on_time()
        if status == DeadlineStatus.MET_LATE:
            return self.met_late()
        if status == DeadlineStatus.CANCELLED:
            return self.filter(cancelled_at__isnull=False)
        return self

    def visible_to(self, user):
        """Deadlines of incidents the user may see; periodic ones (no incident) for the team roles only."""
        from ungcuu.incidents.models import TRIAGE_ROLES, Incident

        if user.is_authenticated and user.has_any_role(*TRIAGE_ROLES):
            # They see every incident: no subquery over all incidents (it cost ~75 ms at 100k, bench/RESULTS.md).
            return self.all()
        incidents = Incident.objects.visible_to(user).values("pk")
        query = Q(incident__in=incidents)
        if user.is_authenticated and user.has_any_role(*TRIAGE_ROLES, "administrator", "auditor"):
            query |= Q(incident__isnull=True)
        return self.filter(query)


OPEN = Q(met_at__isnull=True, cancelled_at__isnull=True)


class Deadline(models.Model):
    """One running deadline: for an incident, for one recipient of it (subject), or for a reporting period."""

    kind = models.CharField(_("kind"), max_length=30, choices=DeadlineKind.choices)
    incident = models.ForeignKey("incidents.Incident", verbose_name=_("incident"), null=True, blank=True,
                                 on_delete=models.CASCADE, related_name="deadlines")
    # A generic subject ("coordination.dispatch", "42"): per-recipient deadlines. Empty strings, not NULL,
    # so that the uniqueness of open deadlines holds on every database.
    subject_type = models.CharField(_("subject type"), max_length=100, blank=True, default="")
    subject_id = models.CharField(_("subject id"), max_length=64, blank=True, default="")
    start_at = models.DateTimeField(_("counted from"))
    due_at = models.DateTimeField(_("due"))
    met_at = models.DateTimeField(_("met at"), null=True, blank=True)
    cancelled_at = models.DateTimeField(_("cancelled at"), null=True, blank=True)
    rule = models.ForeignKey(Rule, verbose_name=_("rule"), null=True, blank=True, on_delete=models.PROTECT,
                             related_name="+")
    override = models.ForeignKey(Override, verbose_name=_("provincial override"), null=True, blank=True,
                                 on_delete=models.PROTECT, related_name="+")
    # How the override compared with the national rule when the deadline was computed.
    comparison = models.CharField(_("compared with national"), max_length=10, choices=Comparison.choices,
                                  blank=True)
    responsible = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("responsible"), null=True, blank=True,
                                    on_delete=models.SET_NULL, related_name="+")
    organisation = models.ForeignKey("registry.Organisation", verbose_name=_("organisation"), null=True,
                                     blank=True, on_delete=models.SET_NULL, related_name="+")
    note = models.CharField(_("note"), max_length=500, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    # What the scan already sent, so a scan reads only what may still need a message. The notification
    # keys make a repeat a no-op anyway; these keep the scan from calling notify() every minute.
    reminded_hours = models.PositiveIntegerField(_("last reminder (hours before)"), null=True, blank=True)
    escalated_at = models.DateTimeField(_("escalated at"), null=True, blank=True)
    chase_count = models.PositiveIntegerField(_("chasers sent"), default=0)

    objects = DeadlineQuerySet.as_manager()

    class Meta:
        ordering = ["due_at", "pk"]
        verbose_name = _("deadline")
        verbose_name_plural = _("deadlines")
        indexes = [
            models.Index(fields=["due_at"], condition=OPEN, name="deadline_open_due"),
            models.Index(fields=["kind", "due_at"], name="deadline_kind_due"),
            models.Index(fields=["incident", "due_at"], name="deadline_incident_due"),
            models.Index(fields=["subject_type", "subject_id"], name="deadline_subject"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["kind", "incident", "subject_type", "subject_id"],
                                    condition=OPEN & Q(incident__isnull=False), name="deadline_one_open_per_incident"),
            models.UniqueConstraint(fields=["kind", "subject_type", "subject_id"],
                                    condition=OPEN & Q(incident__isnull=True), name="deadline_one_open_per_subject"),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} {self.due_at:%d/%m/%Y %H:%M}"

    @property
    def is_open(self) -> bool:
        return self.met_at is None and self.cancelled_at is None

    @property
    def flagged_looser(self) -> bool:
        return self.comparison == Comparison.LOOSER

    def status(self, now: datetime | None = None) -> str:
        if self.cancelled_at:
            return DeadlineStatus.CANCELLED
        if self.met_at:
            return DeadlineStatus.MET_ON_TIME if self.met_at <= self.due_at else DeadlineStatus.MET_LATE
        now = now or timezone.now()
        if self.due_at < now:
            return DeadlineStatus.OVERDUE
        if self.due_at < now + due_soon_window():
            return DeadlineStatus.DUE_SOON
        return DeadlineStatus.OPEN

    def status_label(self, now: datetime | None = None) -> str:
        return DeadlineStatus(self.status(now)).label

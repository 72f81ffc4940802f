"""Drills, trainings and team meetings (SPEC §9).

Chỉ thị 18/CT-TTg (13/10/2022) mục 2: a live drill ("diễn tập thực chiến") at least once a year for every
information system of level 3 or above. QĐ 743/QĐ-UBND Quảng Ngãi (seed 001) Điều 8.3: the response team
meets regularly every 6 months, and ad hoc when needed.
"""

from datetime import date, datetime

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

# A duty due "by" a date is met any time that day (Civil Code counting, as the deadlines).
from ungcuu.deadlines.calendar import add_months, end_of_day

# Who plans and records drills and meetings: the standing office and the leads (the deadline engine lets
# the same roles manage deadlines that have no incident).
EDITOR_ROLES = ("administrator", "standing_officer", "team_lead", "deputy_lead")
# Chỉ thị 18: systems of this level and above need a yearly live drill.
DRILL_MIN_LEVEL = 3
DRILL_PERIOD_MONTHS = 12
MEETING_PERIOD_MONTHS = 6
# "Due" is shown this many days before the due date; after it, "overdue".
DUE_SOON_DAYS = 30
# The subject of the regular team meeting deadline: one for the whole deployment.
MEETING_SUBJECT = ("drills.meeting", "regular")


class DutyStatus(models.TextChoices):
    OVERDUE = "overdue", _("Overdue")
    DUE = "due", _("Due")
    UP_TO_DATE = "up_to_date", _("Up to date")


def duty_status(due_on: date, today: date) -> str:
    if due_on < today:
        return DutyStatus.OVERDUE
    if (due_on - today).days <= DUE_SOON_DAYS:
        return DutyStatus.DUE
    return DutyStatus.UP_TO_DATE


class DrillKind(models.TextChoices):
    LIVE = "live", _("Live drill")
    TABLETOP = "tabletop", _("Tabletop exercise")
    TRAINING = "training", _("Training course")


class DrillStatus(models.TextChoices):
    PLANNED = "planned", _("Planned")
    DONE = "done", _("Done")
    CANCELLED = "cancelled", _("Cancelled")


class DrillQuerySet(models.QuerySet):
    def done_live(self):
        return self.filter(kind=DrillKind.LIVE, status=DrillStatus.DONE)


class Drill(models.Model):
    """A drill or training: its scenario, dates, systems, participants, and once done its results and lessons."""

    kind = models.CharField(_("kind"), max_length=10, choices=DrillKind.choices)
    title = models.CharField(_("title"), max_length=300)
    scenario = models.TextField(_("scenario"), blank=True)
    starts_on = models.DateField(_("start date"))
    ends_on = models.DateField(_("end date"))
    location = models.CharField(_("location"), max_length=300, blank=True)
    organiser = models.ForeignKey("registry.Organisation", verbose_name=_("organiser"), null=True, blank=True,
                                  on_delete=models.PROTECT, related_name="+")
    systems = models.ManyToManyField("registry.InformationSystem", verbose_name=_("systems concerned"),
                                     blank=True, related_name="drills")
    status = models.CharField(_("status"), max_length=10, choices=DrillStatus.choices, default=DrillStatus.PLANNED)
    results = models.TextField(_("results"), blank=True)
    lessons = models.TextField(_("lessons learned"), blank=True)
    cancel_reason = models.CharField(_("reason for cancelling"), max_length=500, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = DrillQuerySet.as_manager()

    class Meta:
        ordering = ["-starts_on", "-pk"]
        indexes = [
            models.Index(fields=["status", "starts_on"], name="drill_status_start"),
            models.Index(fields=["kind", "status", "ends_on"], name="drill_kind_status_end"),
        ]
        verbose_name = _("drill or training")
        verbose_name_plural = _("drills and trainings")

    def __str__(self):
        return self.title


class Participant(models.Model):
    """Who takes part in a drill: a person of the registry, or an organisation as a whole."""

    drill = models.ForeignKey(Drill, on_delete=models.CASCADE, related_name="participants")
    person = models.ForeignKey("registry.Person", verbose_name=_("person"), null=True, blank=True,
                               on_delete=models.PROTECT, related_name="+")
    organisation = models.ForeignKey("registry.Organisation", verbose_name=_("organisation"), null=True,
                                     blank=True, on_delete=models.PROTECT, related_name="+")
    # None until the drill is done: then present (True) or absent (False).
    attended = models.BooleanField(_("attended"), null=True, blank=True)

    class Meta:
        ordering = ["pk"]
        constraints = [
            models.UniqueConstraint(fields=["drill", "person"], condition=Q(person__isnull=False),
                                    name="drill_participant_person_once"),
            models.UniqueConstraint(fields=["drill", "organisation"], condition=Q(person__isnull=True),
                                    name="drill_participant_organisation_once"),
            models.CheckConstraint(condition=Q(person__isnull=False) | Q(organisation__isnull=False),
                                   name="drill_participant_someone"),
        ]
        verbose_name = _("participant")
        verbose_name_plural = _("participants")

    def __str__(self):
        return str(self.person or self.organisation)


class MeetingKind(models.TextChoices):
    REGULAR = "regular", _("Regular (every 6 months)")
    EXTRAORDINARY = "extraordinary", _("Extraordinary")


class TeamMeeting(models.Model):
    """A meeting of the response team: who chaired and attended, the agenda, minutes and decisions."""

    kind = models.CharField(_("kind"), max_length=15, choices=MeetingKind.choices)
    held_on = models.DateField(_("date"))
    location = models.CharField(_("location"), max_length=300, blank=True)
    chair = models.ForeignKey("registry.Person", verbose_name=_("chair"), null=True, blank=True,
                              on_delete=models.PROTECT, related_name="+")
    agenda = models.TextField(_("agenda"), blank=True)
    minutes = models.TextField(_("minutes"), blank=True)
    decisions = models.TextField(_("decisions"), blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-held_on", "-pk"]
        indexes = [models.Index(fields=["kind", "held_on"], name="meeting_kind_held")]
        verbose_name = _("team meeting")
        verbose_name_plural = _("team meetings")

    def __str__(self):
        return f"{self.get_kind_display()} {self.held_on:%d/%m/%Y}"


class Attendance(models.Model):
    """One person invited to a team meeting, present or absent."""

    meeting = models.ForeignKey(TeamMeeting, on_delete=models.CASCADE, related_name="attendance")
    person = models.ForeignKey("registry.Person", verbose_name=_("person"), on_delete=models.PROTECT,
                               related_name="+")
    present = models.BooleanField(_("present"))

    class Meta:
        ordering = ["-present", "pk"]
        constraints = [models.UniqueConstraint(fields=["meeting", "person"], name="meeting_attendance_once")]
        verbose_name = _("attendance")
        verbose_name_plural = _("attendance")

    def __str__(self):
        return str(self.person)


# The duties (reads) ------------------------------------------------------------------------------


class Duty:
    """One row of a due list: what is due when, from which last occurrence, and how it stands today."""

    def __init__(self, *, due_on: date, last_on: date | None, today: date, system=None, next_planned_on=None):
        self.system = system
        self.last_on = last_on
        self.due_on = due_on
        self.next_planned_on = next_planned_on
        self.status = duty_status(due_on, today)

    @property
    def status_label(self) -> str:
        return DutyStatus(self.status).label

    @property
    def due_at(self) -> datetime:
        return end_of_day(self.due_on)


def drill_duties(systems, today: date | None = None) -> list[Duty]:
    """The Chỉ thị 18 duty of each active system of level ≥ 3 in `systems` (an InformationSystem queryset):
    due 12 months after its last done live drill; a system never drilled is due from its registration.
    One query, most urgent first."""
    from django.db.models import Max, Min

    today = today or timezone.localdate()
    done = Q(drills__kind=DrillKind.LIVE, drills__status=DrillStatus.DONE)
    planned = Q(drills__kind=DrillKind.LIVE, drills__status=DrillStatus.PLANNED, drills__ends_on__gte=today)
    rows = (systems.filter(level__gte=DRILL_MIN_LEVEL, is_active=True).select_related("owner")
            .annotate(last_live=Max("drills__ends_on", filter=done),
                      next_planned=Min("drills__starts_on", filter=planned)))
    duties = []
    for system in rows:
        if system.last_live:
            due_on = add_months(system.last_live, DRILL_PERIOD_MONTHS)
        else:
            due_on = timezone.localdate(system.created_at)
        duties.append(Duty(system=system, last_on=system.last_live, due_on=due_on, today=today,
                           next_planned_on=system.next_planned))
    return sorted(duties, key=lambda d: (d.due_on, d.system.name, d.system.pk))


def meeting_duty(today: date | None = None) -> Duty:
    """The regular team meeting: due 6 months after the last regular one; never held → due today."""
    today = today or timezone.localdate()
    last = (TeamMeeting.objects.filter(kind=MeetingKind.REGULAR, held_on__lte=today)
            .order_by("-held_on").values_list("held_on", flat=True).first())
    due_on = add_months(last, MEETING_PERIOD_MONTHS) if last else today
    return Duty(last_on=last, due_on=due_on, today=today)

"""Every state change of drills: one audited function each, called by web, API, CLI and tasks.

A done live drill meets the Chỉ thị 18 deadline of each system of level ≥ 3 it covered and opens the next
one (12 months later); a regular team meeting meets the meeting deadline and opens the next (6 months).
"""

from datetime import date

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ungcuu.audit.actions import record
from ungcuu.deadlines import actions as deadlines
from ungcuu.deadlines.calendar import end_of_day, start_of_day
from ungcuu.deadlines.models import Deadline, DeadlineKind
from ungcuu.drills.models import (
    DRILL_MIN_LEVEL,
    EDITOR_ROLES,
    MEETING_SUBJECT,
    Attendance,
    Drill,
    DrillKind,
    DrillStatus,
    MeetingKind,
    Participant,
    TeamMeeting,
    drill_duties,
    meeting_duty,
)
from ungcuu.registry.models import InformationSystem

TEXT_LIMITS = {"title": 300, "location": 300, "cancel_reason": 500}


def require_editor(actor) -> None:
    if actor is not None and not actor.has_any_role(*EDITOR_ROLES):
        raise PermissionDenied(_("Only the standing office and the team leads record drills and meetings."))


def _clean_text(values: dict) -> dict:
    cleaned = {}
    for field, value in values.items():
        value = (value or "").strip()
        limit = TEXT_LIMITS.get(field)
        if limit and len(value) > limit:
            raise ValidationError({field: _("At most %(n)s characters.") % {"n": limit}})
        cleaned[field] = value
    return cleaned


def _check_dates(starts_on, ends_on) -> date:
    if not isinstance(starts_on, date):
        raise ValidationError({"starts_on": _("Give the start date.")})
    ends_on = ends_on or starts_on
    if not isinstance(ends_on, date):
        raise ValidationError({"ends_on": _("Give the end date.")})
    if ends_on < starts_on:
        raise ValidationError({"ends_on": _("The end date is before the start date.")})
    return ends_on


def _names(objects) -> list[str]:
    return [str(o) for o in objects]


# Drills --------------------------------------------------------------------------------------------


@transaction.atomic
def plan_drill(*, actor, kind: str, title: str, starts_on: date, ends_on: date | None = None, scenario: str = "",
               location: str = "", organiser=None, systems=(), persons=(), organisations=()) -> Drill:
    """Plan a drill, tabletop exercise or training course with its systems and participants."""
    require_editor(actor)
    if kind not in DrillKind.values:
        raise ValidationError({"kind": _("Choose a live drill, a tabletop exercise or a training course.")})
    text = _clean_text({"title": title, "scenario": scenario, "location": location})
    if not text["title"]:
        raise ValidationError({"title": _("Give the drill a title.")})
    ends_on = _check_dates(starts_on, ends_on)
    systems, persons, organisations = list(systems), list(persons), list(organisations)
    if kind == DrillKind.LIVE and not systems:
        raise ValidationError({"systems": _("A live drill names the systems it exercises.")})
    drill = Drill.objects.create(kind=kind, starts_on=starts_on, ends_on=ends_on, organiser=organiser,
                                 created_by=actor if actor is not None and actor.pk else None, **text)
    drill.systems.set(systems)
    _add_participants(drill, persons, organisations)
    record(actor=actor, action="drills.plan", target=drill,
           summary=_("Drill planned: %(title)s on %(day)s") % {"title": drill.title, "day": f"{starts_on:%d/%m/%Y}"},
           changes={"kind": kind, "title": drill.title, "starts_on": starts_on, "ends_on": ends_on,
                    "systems": _names(systems), "persons": _names(persons), "organisations": _names(organisations)})
    return drill


DRILL_FIELDS = ("kind", "title", "scenario", "starts_on", "ends_on", "location", "organiser", "systems")


@transaction.atomic
def update_drill(*, actor, drill, **fields) -> Drill:
    """Change a planned drill: kind, title, scenario, dates, location, organiser, systems."""
    require_editor(actor)
    unknown = sorted(set(fields) - set(DRILL_FIELDS))
    if unknown:
        raise ValidationError({unknown[0]: _("Unknown field.")})
    drill = _locked(drill)
    if drill.status != DrillStatus.PLANNED:
        raise ValidationError({"status": _("Only a planned drill can be changed.")})
    kind = fields.get("kind", drill.kind)
    if kind not in DrillKind.values:
        raise ValidationError({"kind": _("Choose a live drill, a tabletop exercise or a training course.")})
    text = _clean_text({f: fields.get(f, getattr(drill, f)) for f in ("title", "scenario", "location")})
    if not text["title"]:
        raise ValidationError({"title": _("Give the drill a title.")})
    starts_on = fields.get("starts_on", drill.starts_on)
    ends_on = _check_dates(starts_on, fields.get("ends_on", drill.ends_on))
    systems = list(fields["systems"]) if "systems" in fields else list(drill.systems.all())
    if kind == DrillKind.LIVE and not systems:
        raise ValidationError({"systems": _("A live drill names the systems it exercises.")})
    values = {"kind": kind, "starts_on": starts_on, "ends_on": ends_on,
              "organiser": fields.get("organiser", drill.organiser), **text}
    changes = {f: [str(getattr(drill, f) or ""), str(v or "")] for f, v in values.items() if getattr(drill, f) != v}
    for field, value in values.items():
        setattr(drill, field, value)
    drill.save()
    before = sorted(str(s) for s in drill.systems.all())
    drill.systems.set(systems)
    if before != sorted(str(s) for s in systems):
        changes["systems"] = [before, sorted(str(s) for s in systems)]
    record(actor=actor, action="drills.update", target=drill,
           summary=_("Drill changed: %(title)s") % {"title": drill.title}, changes=changes)
    return drill


def _add_participants(drill, persons, organisations) -> None:
    known_people = set(drill.participants.filter(person__isnull=False).values_list("person_id", flat=True))
    known_orgs = set(drill.participants.filter(person__isnull=True).values_list("organisation_id", flat=True))
    rows = [Participant(drill=drill, person=p, organisation_id=p.organisation_id)
            for p in dict.fromkeys(persons) if p.pk not in known_people]
    rows += [Participant(drill=drill, organisation=o) for o in dict.fromkeys(organisations) if o.pk not in known_orgs]
    Participant.objects.bulk_create(rows)


def _locked(drill) -> Drill:
    return Drill.objects.select_for_update().get(pk=drill.pk)


@transaction.atomic
def add_participants(*, actor, drill, persons=(), organisations=()) -> Drill:
    """Add people or organisations to a drill that is not cancelled."""
    require_editor(actor)
    drill = _locked(drill)
    if drill.status == DrillStatus.CANCELLED:
        raise ValidationError({"status": _("This drill was cancelled.")})
    persons, organisations = list(persons), list(organisations)
    if not persons and not organisations:
        raise ValidationError({"persons": _("Choose at least one person or organisation.")})
    _add_participants(drill, persons, organisations)
    record(actor=actor, action="drills.add_participants", target=drill,
           summary=_("Participants added to %(title)s") % {"title": drill.title},
           changes={"persons": _names(persons), "organisations": _names(organisations)})
    return drill


@transaction.atomic
def complete_drill(*, actor, drill, results: str, lessons: str = "", ends_on: date | None = None,
                   attended=None) -> Drill:
    """Record a planned drill as done with its results, lessons and attendance (`attended`: the participant
    rows present; the others are recorded absent). A live drill meets the Chỉ thị 18 deadline of each
    system of level ≥ 3 it covered and opens the next one."""
    require_editor(actor)
    drill = _locked(drill)
    if drill.status != DrillStatus.PLANNED:
        raise ValidationError({"status": _("Only a planned drill can be recorded as done.")})
    text = _clean_text({"results": results, "lessons": lessons})
    if not text["results"]:
        raise ValidationError({"results": _("Write the results of the drill.")})
    ends_on = _check_dates(drill.starts_on, ends_on or drill.ends_on)
    if ends_on > timezone.localdate():
        raise ValidationError({"ends_on": _("A drill cannot be done after today.")})
    before = {"status": drill.status, "ends_on": drill.ends_on}
    drill.status, drill.ends_on = DrillStatus.DONE, ends_on
    drill.results, drill.lessons = text["results"], text["lessons"]
    drill.save(update_fields=["status", "ends_on", "results", "lessons", "updated_at"])
    present = set()
    if attended is not None:
        present = {p.pk if hasattr(p, "pk") else int(p) for p in attended}
        rows = list(drill.participants.all())
        unknown = present - {p.pk for p in rows}
        if unknown:
            raise ValidationError({"attended": _("These are not participants of this drill: %(ids)s")
                                   % {"ids": ", ".join(map(str, sorted(unknown)))}})
        drill.participants.update(attended=False)
        drill.participants.filter(pk__in=present).update(attended=True)
    record(actor=actor, action="drills.complete", target=drill,
           summary=_("Drill done: %(title)s") % {"title": drill.title},
           changes={"status": [before["status"], DrillStatus.DONE], "ends_on": [before["ends_on"], ends_on],
                    "results": drill.results, "lessons": drill.lessons, "present": sorted(present)})
    if drill.kind == DrillKind.LIVE:
        # A fresh queryset: annotating over the drills of drill.systems would see only this drill.
        systems = InformationSystem.objects.filter(pk__in=drill.systems.values("pk"))
        done_at = min(end_of_day(ends_on), timezone.now())
        _sync_drill_deadlines(actor, systems, met_at=done_at)
    return drill


@transaction.atomic
def cancel_drill(*, actor, drill, reason: str) -> Drill:
    """Cancel a planned drill, with the reason."""
    require_editor(actor)
    drill = _locked(drill)
    if drill.status != DrillStatus.PLANNED:
        raise ValidationError({"status": _("Only a planned drill can be cancelled.")})
    reason = _clean_text({"cancel_reason": reason})["cancel_reason"]
    if not reason:
        raise ValidationError({"reason": _("Give the reason for cancelling.")})
    drill.status, drill.cancel_reason = DrillStatus.CANCELLED, reason
    drill.save(update_fields=["status", "cancel_reason", "updated_at"])
    record(actor=actor, action="drills.cancel", target=drill,
           summary=_("Drill cancelled: %(title)s") % {"title": drill.title},
           changes={"status": [DrillStatus.PLANNED, DrillStatus.CANCELLED], "reason": reason})
    return drill


# Deadlines of the duties ---------------------------------------------------------------------------


def _sync_drill_deadlines(actor, systems, met_at=None) -> int:
    """Keep one open DRILL deadline per system of level ≥ 3 due on its computed date. With `met_at` (a live
    drill just done) the open deadline is met at that time when the drill moves the due date on. Returns how
    many deadlines were opened."""
    opened = 0
    subject_type = InformationSystem._meta.label_lower
    open_rows = {d.subject_id: d for d in Deadline.objects.open().filter(kind=DeadlineKind.DRILL,
                                                                         subject_type=subject_type)}
    for duty in drill_duties(systems):
        system = duty.system
        current = open_rows.get(str(system.pk))
        if current is not None:
            if duty.last_on is None or current.due_at == duty.due_at:
                continue
            if met_at is not None and duty.due_at > current.due_at:
                deadlines.meet_deadline(kind=DeadlineKind.DRILL, subject=system, at=met_at, actor=actor)
            else:
                deadlines.cancel_deadline(kind=DeadlineKind.DRILL, subject=system, actor=actor,
                                          reason="recomputed from the last live drill")
        start = start_of_day(duty.last_on) if duty.last_on else system.created_at
        deadlines.start_deadline(
            kind=DeadlineKind.DRILL, start=min(start, duty.due_at), due=duty.due_at, subject=system,
            organisation=system.owner, actor=actor,
            note=_("Live drill of %(system)s (level %(level)s), Chỉ thị 18/CT-TTg") % {
                "system": system.name, "level": system.level})
        opened += 1
    return opened


def _sync_meeting_deadline(actor, met_at=None) -> int:
    current = Deadline.objects.open().filter(kind=DeadlineKind.TEAM_MEETING, subject_type=MEETING_SUBJECT[0],
                                             subject_id=MEETING_SUBJECT[1]).first()
    duty = meeting_duty()
    if current is not None:
        if duty.last_on is None or current.due_at == duty.due_at:
            return 0
        if met_at is not None and duty.due_at > current.due_at:
            deadlines.meet_deadline(kind=DeadlineKind.TEAM_MEETING, subject=MEETING_SUBJECT, at=met_at, actor=actor)
        else:
            deadlines.cancel_deadline(kind=DeadlineKind.TEAM_MEETING, subject=MEETING_SUBJECT, actor=actor,
                                      reason="recomputed from the last regular meeting")
    from ungcuu.registry.models import Deployment

    start = start_of_day(duty.last_on) if duty.last_on else timezone.now()
    deadlines.start_deadline(kind=DeadlineKind.TEAM_MEETING, start=min(start, duty.due_at), due=duty.due_at,
                             subject=MEETING_SUBJECT, organisation=Deployment.current().standing_office,
                             actor=actor, note=_("Regular meeting of the response team (every 6 months)"))
    return 1


@transaction.atomic
def sync_deadlines(*, actor) -> dict:
    """Open or refresh the deadlines of the duties: the live drill of every system of level ≥ 3 (a system
    whose level fell below 3 or that left operation has its deadline cancelled) and the regular meeting."""
    require_editor(actor)
    subject_type = InformationSystem._meta.label_lower
    keep = {str(pk) for pk in InformationSystem.objects.filter(level__gte=DRILL_MIN_LEVEL, is_active=True)
            .values_list("pk", flat=True)}
    cancelled = 0
    for deadline in Deadline.objects.open().filter(kind=DeadlineKind.DRILL, subject_type=subject_type):
        if deadline.subject_id not in keep:
            deadlines.cancel_deadline(kind=DeadlineKind.DRILL, subject=(subject_type, deadline.subject_id),
                                      actor=actor, reason="no longer a system of level 3 or above in operation")
            cancelled += 1
    opened = _sync_drill_deadlines(actor, InformationSystem.objects.all())
    opened_meeting = _sync_meeting_deadline(actor)
    return {"drills_opened": opened, "drills_cancelled": cancelled, "meeting_opened": opened_meeting}


# Team meetings -------------------------------------------------------------------------------------


@transaction.atomic
def record_meeting(*, actor, kind: str, held_on: date, chair=None, location: str = "", agenda: str = "",
                   minutes: str = "", decisions: str = "", present=(), absent=()) -> TeamMeeting:
    """Record a team meeting with its attendance; a regular one meets the 6-monthly meeting deadline and
    opens the next."""
    require_editor(actor)
    if kind not in MeetingKind.values:
        raise ValidationError({"kind": _("Choose a regular or an extraordinary meeting.")})
    if not isinstance(held_on, date):
        raise ValidationError({"held_on": _("Give the date of the meeting.")})
    if held_on > timezone.localdate():
        raise ValidationError({"held_on": _("Record a meeting once it has been held.")})
    text = _clean_text({"location": location, "agenda": agenda, "minutes": minutes, "decisions": decisions})
    present, absent = list(dict.fromkeys(present)), list(dict.fromkeys(absent))
    both = set(present) & set(absent)
    if both:
        raise ValidationError({"absent": _("Present and absent at once: %(names)s")
                               % {"names": ", ".join(sorted(str(p) for p in both))}})
    if not present:
        raise ValidationError({"present": _("Name the people present.")})
    meeting = TeamMeeting.objects.create(kind=kind, held_on=held_on, chair=chair,
                                         created_by=actor if actor is not None and actor.pk else None, **text)
    Attendance.objects.bulk_create([Attendance(meeting=meeting, person=p, present=True) for p in present]
                                   + [Attendance(meeting=meeting, person=p, present=False) for p in absent])
    record(actor=actor, action="drills.record_meeting", target=meeting,
           summary=_("Team meeting recorded: %(meeting)s") % {"meeting": meeting},
           changes={"kind": kind, "held_on": held_on, "chair": str(chair or ""), "present": _names(present),
                    "absent": _names(absent), **text})
    if kind == MeetingKind.REGULAR:
        _sync_meeting_deadline(actor, met_at=min(end_of_day(held_on), timezone.now()))
    return meeting


@transaction.atomic
def update_minutes(*, actor, meeting, minutes: str, decisions: str) -> TeamMeeting:
    """Write or correct the minutes and decisions of a meeting."""
    require_editor(actor)
    meeting = TeamMeeting.objects.select_for_update().get(pk=meeting.pk)
    text = _clean_text({"minutes": minutes, "decisions": decisions})
    before = {"minutes": meeting.minutes, "decisions": meeting.decisions}
    meeting.minutes, meeting.decisions = text["minutes"], text["decisions"]
    meeting.save(update_fields=["minutes", "decisions", "updated_at"])
    record(actor=actor, action="drills.update_minutes", target=meeting,
           summary=_("Minutes updated: %(meeting)s") % {"meeting": meeting},
           changes={field: [before[field], text[field]] for field in text if before[field] != text[field]})
    return meeting

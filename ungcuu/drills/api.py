"""Drill and team meeting endpoints; they call the same actions as the pages. Lists are paged (?page=)."""

from datetime import date, datetime

from django.core.exceptions import ValidationError
from django.db.models import Prefetch
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import PageNumberPagination, paginate

from ungcuu.drills import actions
from ungcuu.drills.models import (
    Attendance,
    DrillKind,
    DrillStatus,
    Participant,
    TeamMeeting,
    drill_duties,
    meeting_duty,
)
from ungcuu.drills.views import require_reader, visible_drills
from ungcuu.registry.models import PROVINCE_WIDE_ROLES, InformationSystem, Organisation, Person

router = Router(tags=["drills"])
MAX_ID = 2**63 - 1


def _rows(model, ids: list[int], field: str, queryset=None) -> list:
    ids = list(dict.fromkeys(ids))
    bad = [i for i in ids if not 0 < i <= MAX_ID]
    found = {o.pk: o for o in (queryset if queryset is not None else model.objects).filter(pk__in=[
        i for i in ids if i not in bad])}
    missing = bad + [i for i in ids if i not in found and i not in bad]
    if missing:
        raise ValidationError({field: _("Unknown ids: %(ids)s") % {"ids": ", ".join(map(str, missing))}})
    return [found[i] for i in ids]


def _one(model, pk: int | None, field: str):
    return _rows(model, [pk], field)[0] if pk is not None else None


class ParticipantOut(Schema):
    id: int
    person: int | None = Field(alias="person_id")
    person_name: str
    organisation: int | None = Field(alias="organisation_id")
    organisation_name: str
    attended: bool | None

    @staticmethod
    def resolve_person_name(obj):
        return obj.person.full_name if obj.person_id else ""

    @staticmethod
    def resolve_organisation_name(obj):
        return obj.organisation.name if obj.organisation_id else ""


class SystemRef(Schema):
    id: int
    name: str
    level: int


class DrillOut(Schema):
    id: int
    kind: str
    title: str
    scenario: str
    starts_on: date
    ends_on: date
    location: str
    organiser: int | None = Field(alias="organiser_id")
    status: str
    results: str
    lessons: str
    cancel_reason: str
    systems: list[SystemRef]
    participants: list[ParticipantOut]

    @staticmethod
    def resolve_systems(obj):
        return list(obj.systems.all())

    @staticmethod
    def resolve_participants(obj):
        return list(obj.participants.all())


def _drills(request):
    participants = Participant.objects.select_related("person", "organisation")
    return visible_drills(request.user).prefetch_related("systems", Prefetch("participants", queryset=participants))


class DrillQuery(Schema):
    kind: DrillKind | None = None
    status: DrillStatus | None = None


@router.get("/drills", response=list[DrillOut], summary="List drills and trainings")
@paginate(PageNumberPagination)
def list_drills(request, filters: Query[DrillQuery]):
    rows = _drills(request)
    if filters.kind:
        rows = rows.filter(kind=filters.kind)
    if filters.status:
        rows = rows.filter(status=filters.status)
    return rows


class DutyOut(Schema):
    system: int
    system_name: str
    level: int
    owner: str
    last_live_drill: date | None
    due_on: date
    status: str


class MeetingDutyOut(Schema):
    last_regular_meeting: date | None
    due_on: date
    status: str


class DueOut(Schema):
    drills: list[DutyOut]
    meeting: MeetingDutyOut | None


@router.get("/drills/due", response=DueOut, summary="Yearly live drills due (Chỉ thị 18) and the regular meeting")
def due(request):
    duties = drill_duties(InformationSystem.objects.visible_to(request.user))
    meeting = None
    if request.user.has_any_role(*PROVINCE_WIDE_ROLES):  # others see only their own systems' drills
        duty = meeting_duty()
        meeting = {"last_regular_meeting": duty.last_on, "due_on": duty.due_on, "status": duty.status}
    return {"drills": [{"system": d.system.pk, "system_name": d.system.name, "level": d.system.level,
                        "owner": d.system.owner.name, "last_live_drill": d.last_on, "due_on": d.due_on,
                        "status": d.status} for d in duties],
            "meeting": meeting}


@router.get("/drills/{drill_id}", response=DrillOut, summary="One drill or training")
def get_drill(request, drill_id: int):
    return get_object_or_404(_drills(request), pk=drill_id)


class DrillIn(Schema):
    kind: DrillKind
    title: str = Field(max_length=300)
    scenario: str = ""
    starts_on: date
    ends_on: date | None = None
    location: str = Field("", max_length=300)
    organiser: int | None = Field(None, description="Id of the organising organisation")
    systems: list[int] = Field([], description="Ids of the information systems concerned")
    persons: list[int] = Field([], description="Ids of registry people taking part")
    organisations: list[int] = Field([], description="Ids of organisations taking part")


@router.post("/drills", response={201: DrillOut}, summary="Plan a drill or training")
def plan_drill(request, payload: DrillIn):
    actions.require_editor(request.user)
    drill = actions.plan_drill(
        actor=request.user, kind=payload.kind, title=payload.title, scenario=payload.scenario,
        starts_on=payload.starts_on, ends_on=payload.ends_on, location=payload.location,
        organiser=_one(Organisation, payload.organiser, "organiser"),
        systems=_rows(InformationSystem, payload.systems, "systems",
                      InformationSystem.objects.visible_to(request.user)),
        persons=_rows(Person, payload.persons, "persons"),
        organisations=_rows(Organisation, payload.organisations, "organisations"))
    return Status(201, get_object_or_404(_drills(request), pk=drill.pk))


class DrillPatch(Schema):
    kind: DrillKind | None = None
    title: str | None = Field(None, max_length=300)
    scenario: str | None = None
    starts_on: date | None = None
    ends_on: date | None = None
    location: str | None = Field(None, max_length=300)
    organiser: int | None = None
    systems: list[int] | None = None


@router.patch("/drills/{drill_id}", response=DrillOut, summary="Change a planned drill")
def update_drill(request, drill_id: int, payload: DrillPatch):
    drill = get_object_or_404(visible_drills(request.user), pk=drill_id)
    fields = payload.dict(exclude_unset=True)
    if "organiser" in fields:
        fields["organiser"] = _one(Organisation, fields["organiser"], "organiser")
    if "systems" in fields:
        fields["systems"] = _rows(InformationSystem, fields["systems"] or [], "systems",
                                  InformationSystem.objects.visible_to(request.user))
    actions.update_drill(actor=request.user, drill=drill, **fields)
    return get_object_or_404(_drills(request), pk=drill_id)


class CompleteIn(Schema):
    results: str
    lessons: str = ""
    ends_on: date | None = None
    attended: list[int] | None = Field(None, description="Ids of the participant rows present; others absent")


@router.post("/drills/{drill_id}/complete", response=DrillOut, summary="Record a drill as done")
def complete_drill(request, drill_id: int, payload: CompleteIn):
    drill = get_object_or_404(visible_drills(request.user), pk=drill_id)
    actions.complete_drill(actor=request.user, drill=drill, results=payload.results, lessons=payload.lessons,
                           ends_on=payload.ends_on, attended=payload.attended)
    return get_object_or_404(_drills(request), pk=drill_id)


class CancelIn(Schema):
    reason: str = Field(max_length=500)


@router.post("/drills/{drill_id}/cancel", response=DrillOut, summary="Cancel a planned drill")
def cancel_drill(request, drill_id: int, payload: CancelIn):
    drill = get_object_or_404(visible_drills(request.user), pk=drill_id)
    actions.cancel_drill(actor=request.user, drill=drill, reason=payload.reason)
    return get_object_or_404(_drills(request), pk=drill_id)


# Team meetings -------------------------------------------------------------------------------------


class AttendanceOut(Schema):
    person: int = Field(alias="person_id")
    name: str
    present: bool

    @staticmethod
    def resolve_name(obj):
        return obj.person.full_name


class MeetingOut(Schema):
    id: int
    kind: str
    held_on: date
    location: str
    chair: int | None = Field(alias="chair_id")
    agenda: str
    minutes: str
    decisions: str
    attendance: list[AttendanceOut]
    created_at: datetime

    @staticmethod
    def resolve_attendance(obj):
        return list(obj.attendance.all())


def _meetings(request):
    require_reader(request.user)
    return TeamMeeting.objects.prefetch_related(
        Prefetch("attendance", queryset=Attendance.objects.select_related("person")))


@router.get("/team-meetings", response=list[MeetingOut], summary="List team meetings")
@paginate(PageNumberPagination)
def list_meetings(request):
    return _meetings(request)


@router.get("/team-meetings/{meeting_id}", response=MeetingOut, summary="One team meeting")
def get_meeting(request, meeting_id: int):
    return get_object_or_404(_meetings(request), pk=meeting_id)


class MeetingIn(Schema):
    kind: str = Field(description="regular | extraordinary")
    held_on: date = Field(default_factory=timezone.localdate)
    location: str = Field("", max_length=300)
    chair: int | None = Field(None, description="Id of the registry person chairing")
    agenda: str = ""
    minutes: str = ""
    decisions: str = ""
    present: list[int] = Field(description="Ids of registry people present")
    absent: list[int] = Field([], description="Ids of registry people absent")


@router.post("/team-meetings", response={201: MeetingOut}, summary="Record a team meeting")
def record_meeting(request, payload: MeetingIn):
    actions.require_editor(request.user)
    meeting = actions.record_meeting(
        actor=request.user, kind=payload.kind, held_on=payload.held_on, location=payload.location,
        chair=_one(Person, payload.chair, "chair"), agenda=payload.agenda, minutes=payload.minutes,
        decisions=payload.decisions, present=_rows(Person, payload.present, "present"),
        absent=_rows(Person, payload.absent, "absent"))
    return Status(201, get_object_or_404(_meetings(request), pk=meeting.pk))


class MinutesIn(Schema):
    minutes: str
    decisions: str = ""


@router.put("/team-meetings/{meeting_id}/minutes", response=MeetingOut, summary="Write the minutes")
def update_minutes(request, meeting_id: int, payload: MinutesIn):
    meeting = get_object_or_404(_meetings(request), pk=meeting_id)
    actions.update_minutes(actor=request.user, meeting=meeting, minutes=payload.minutes,
                           decisions=payload.decisions)
    return get_object_or_404(_meetings(request), pk=meeting_id)

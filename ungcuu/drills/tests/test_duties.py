"""The Chỉ thị 18/CT-TTg duty (mục 2): a live drill at least once a year for every system of level 3 or above,
and the regular team meeting every 6 months (QĐ 743/QĐ-UBND Quảng Ngãi Điều 8.3, seed 001)."""

from datetime import date, timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone

from ungcuu.deadlines.calendar import add_months, end_of_day
from ungcuu.deadlines.models import Deadline, DeadlineKind
from ungcuu.drills import actions
from ungcuu.drills.models import DrillKind, DutyStatus, MeetingKind, drill_duties, meeting_duty
from ungcuu.drills.tests.helpers import done_drill, people
from ungcuu.registry import actions as registry_actions
from ungcuu.registry.models import InformationSystem


@pytest.mark.parametrize(("day", "months", "expected"), [
    (date(2026, 1, 31), 1, date(2026, 2, 28)),
    (date(2024, 2, 29), 12, date(2025, 2, 28)),
    (date(2026, 8, 15), 6, date(2027, 2, 15)),
    (date(2026, 12, 1), 12, date(2027, 12, 1)),
])
def test_months_are_calendar_months_ending_on_the_last_day_when_short(day, months, expected):
    assert add_months(day, months) == expected


TODAY = timezone.localdate()


# (case, level, kind of the drill done, when it ended (None: never), due date, status) — Chỉ thị 18 mục 2.
CASES = [
    ("drilled 6 months ago", 3, DrillKind.LIVE, add_months(TODAY, -6), add_months(TODAY, 6), DutyStatus.UP_TO_DATE),
    ("drilled exactly a year ago", 4, DrillKind.LIVE, add_months(TODAY, -12), add_months(add_months(TODAY, -12), 12),
     DutyStatus.DUE),
    ("drilled a year and a day ago", 3, DrillKind.LIVE, add_months(TODAY, -12) - timedelta(days=1),
     add_months(add_months(TODAY, -12) - timedelta(days=1), 12), DutyStatus.OVERDUE),
    ("never drilled, registered today", 3, None, None, TODAY, DutyStatus.DUE),
    ("only a tabletop exercise does not count", 5, DrillKind.TABLETOP, add_months(TODAY, -2), TODAY, DutyStatus.DUE),
]


@pytest.mark.parametrize(("case", "level", "kind", "ended", "due", "status"), CASES, ids=[c[0] for c in CASES])
def test_a_system_of_level_3_or_more_is_due_a_live_drill_12_months_after_the_last(province, case, level, kind, ended,
                                                                                   due, status):
    registry_actions.update_system(actor=None, system=province.his, level=level)
    if kind is not None:
        done_drill(province, on=ended, systems=[province.his], kind=kind)
    [duty] = drill_duties(InformationSystem.objects.all())
    assert duty.system == province.his
    assert duty.due_on == due
    assert duty.status == status
    assert duty.last_on == (ended if kind == DrillKind.LIVE else None)


def test_a_system_never_drilled_is_due_from_its_registration(province):
    registered = timezone.now() - timedelta(days=40)
    InformationSystem.objects.filter(pk=province.his.pk).update(created_at=registered)  # registered 40 days ago
    [duty] = drill_duties(InformationSystem.objects.all())
    assert duty.due_on == timezone.localdate(registered)
    assert duty.status == DutyStatus.OVERDUE


def test_systems_below_level_3_have_no_drill_duty(province):
    done_drill(province, on=TODAY, systems=[province.budget, province.his])
    assert [d.system for d in drill_duties(InformationSystem.objects.all())] == [province.his]


def _open(kind=DeadlineKind.DRILL):
    return list(Deadline.objects.open().filter(kind=kind))


def test_sync_keeps_one_open_deadline_per_system_and_a_live_drill_meets_it_and_opens_the_next(province):
    InformationSystem.objects.filter(pk=province.his.pk).update(created_at=timezone.now() - timedelta(days=40))
    province.his.refresh_from_db()
    counts = actions.sync_deadlines(actor=province.officer)
    assert counts["drills_opened"] == 1
    [deadline] = _open()
    assert (deadline.subject_type, deadline.subject_id) == ("registry.informationsystem", str(province.his.pk))
    assert deadline.organisation == province.health
    assert deadline.due_at == end_of_day(timezone.localdate(province.his.created_at))
    assert actions.sync_deadlines(actor=province.officer)["drills_opened"] == 0  # idempotent
    assert len(_open()) == 1

    day = TODAY - timedelta(days=3)
    done_drill(province, on=day, systems=[province.his])
    deadline.refresh_from_db()
    assert deadline.met_at is not None and deadline.met_at.date() <= TODAY
    [following] = _open()
    assert following.due_at == end_of_day(add_months(day, 12))
    assert following.rule.source_document.startswith("Chỉ thị 18")


def test_a_system_dropping_below_level_3_has_its_deadline_cancelled(province):
    actions.sync_deadlines(actor=province.officer)
    registry_actions.update_system(actor=None, system=province.his, level=2)
    assert actions.sync_deadlines(actor=province.officer)["drills_cancelled"] == 1
    assert _open() == []


def test_a_regular_meeting_meets_the_6_monthly_deadline_and_opens_the_next(province):
    team = people(province)
    assert meeting_duty().due_on == TODAY  # never held: due now
    actions.sync_deadlines(actor=province.officer)
    [first] = _open(DeadlineKind.TEAM_MEETING)
    held = TODAY - timedelta(days=10)
    actions.record_meeting(actor=province.officer, kind=MeetingKind.REGULAR, held_on=held, present=team[:2],
                           absent=team[2:], minutes="Biên bản")
    first.refresh_from_db()
    assert first.met_at is not None
    [following] = _open(DeadlineKind.TEAM_MEETING)
    assert following.due_at == end_of_day(add_months(held, 6))
    assert meeting_duty().due_on == add_months(held, 6)
    assert meeting_duty().status == DutyStatus.UP_TO_DATE


def test_an_extraordinary_meeting_does_not_count_as_the_regular_one(province):
    team = people(province, 1)
    actions.record_meeting(actor=province.officer, kind=MeetingKind.EXTRAORDINARY, held_on=TODAY, present=team)
    assert meeting_duty().last_on is None


def test_the_cli_lists_what_is_due_and_opens_the_deadlines(province, capsys):
    call_command("drills", "due", "--sync")
    out = capsys.readouterr().out
    assert "HIS bệnh viện" in out and "Quản lý ngân sách" not in out
    assert "regular team meeting" in out
    assert len(_open()) == 1 and len(_open(DeadlineKind.TEAM_MEETING)) == 1


def test_the_background_task_opens_the_deadlines(province, run_tasks):
    from ungcuu.drills.tasks import sync_duty_deadlines

    sync_duty_deadlines.enqueue()
    run_tasks()
    assert len(_open()) == 1 and len(_open(DeadlineKind.TEAM_MEETING)) == 1

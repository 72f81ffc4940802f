"""Reminders before a deadline, the escalation once it has passed, and chasers for unacknowledged receipts,
delivered as notifications.Delivery rows; a repeated scan sends nothing new."""

from datetime import datetime, timedelta

import pytest
from django.core.management import call_command

from ungcuu.accounts import actions as account_actions
from ungcuu.accounts.models import Role
from ungcuu.deadlines import actions
from ungcuu.deadlines.calendar import LOCAL
from ungcuu.deadlines.models import DeadlineKind
from ungcuu.notifications.models import Delivery


def local(y, m, d, hh=0, mm=0):
    return datetime(y, m, d, hh, mm, tzinfo=LOCAL)


@pytest.fixture
def team(province):
    """The personas with e-mail addresses, as a deployment would have them."""
    def user(name, org, *roles):
        return account_actions.create_user(actor=None, username=name, password=None, email=f"{name}@example.vn",
                                           organisation=org, roles=list(roles))

    return {
        "lead": user("lead2", province.pa05, Role.TEAM_LEAD),
        "officer": user("officer2", province.pa05, Role.STANDING_OFFICER),
        "member": user("member2", province.hospital, Role.TEAM_MEMBER),
    }


def recipients(event):
    return sorted(Delivery.objects.filter(event=event).values_list("recipient", flat=True))


@pytest.fixture
def incident(province):
    from ungcuu.incidents.tests.helpers import make_incident

    incident = make_incident(actor=province.reporter)
    # Intake already started the incident's own deadlines; these tests start theirs with their own times.
    actions.cancel_deadlines(incident=incident)
    return incident


def test_reminders_then_escalation_once_each(settings, team, incident):
    settings.DEADLINE_REMINDER_HOURS = [24, 2]
    deadline = actions.start_deadline(kind=DeadlineKind.NOTIFY, start=local(2026, 3, 4, 10), incident=incident,
                                      responsible=team["member"])
    due = deadline.due_at  # 9/3/2026 23:59
    assert actions.send_deadline_notices(now=due - timedelta(hours=30)) == {"remind": 0, "escalate": 0, "chase": 0}

    assert actions.send_deadline_notices(now=due - timedelta(hours=20))["remind"] == 1
    assert actions.send_deadline_notices(now=due - timedelta(hours=19))["remind"] == 0
    assert recipients("deadlines.remind") == ["member2@example.vn"]
    assert Delivery.objects.get(event="deadlines.remind").key == f"deadline:{deadline.pk}:remind:24h"

    assert actions.send_deadline_notices(now=due - timedelta(hours=1))["remind"] == 1
    assert Delivery.objects.filter(event="deadlines.remind").count() == 2

    after = due + timedelta(minutes=5)
    assert actions.send_deadline_notices(now=after)["escalate"] == 1
    assert actions.send_deadline_notices(now=after + timedelta(hours=10)) == {"remind": 0, "escalate": 0, "chase": 0}
    assert recipients("deadlines.escalate") == ["lead2@example.vn", "member2@example.vn", "officer2@example.vn"]
    subject = Delivery.objects.filter(event="deadlines.escalate").first().subject
    assert incident.reference in subject and "09/03/2026 23:59" in subject


def test_missed_scans_send_the_latest_reminder_only(settings, team, incident):
    settings.DEADLINE_REMINDER_HOURS = [24, 2]
    deadline = actions.start_deadline(kind=DeadlineKind.NOTIFY, start=local(2026, 3, 4, 10), incident=incident,
                                      responsible=team["member"])
    actions.send_deadline_notices(now=deadline.due_at - timedelta(hours=1))
    assert list(Delivery.objects.values_list("key", flat=True)) == [f"deadline:{deadline.pk}:remind:2h"]


def test_acknowledgement_is_chased_every_n_hours_until_met(settings, team, incident):
    settings.DEADLINE_CHASE_HOURS = 4
    deadline = actions.start_deadline(kind=DeadlineKind.ACKNOWLEDGE_DISPATCH, start=local(2026, 3, 4, 10),
                                      incident=incident, subject=("registry.person", "9"),
                                      responsible=team["member"])
    due = deadline.due_at  # 12:00, 2 hours after the dispatch
    assert due == local(2026, 3, 4, 12)
    assert actions.send_deadline_notices(now=due + timedelta(minutes=1))["escalate"] == 1
    assert actions.send_deadline_notices(now=due + timedelta(hours=3))["chase"] == 0
    assert actions.send_deadline_notices(now=due + timedelta(hours=4, minutes=1))["chase"] == 1
    assert actions.send_deadline_notices(now=due + timedelta(hours=5))["chase"] == 0
    assert actions.send_deadline_notices(now=due + timedelta(hours=8, minutes=1))["chase"] == 1
    assert recipients("deadlines.chase") == ["member2@example.vn", "member2@example.vn"]
    assert sorted(Delivery.objects.filter(event="deadlines.chase").values_list("key", flat=True)) == [
        f"deadline:{deadline.pk}:chase:1", f"deadline:{deadline.pk}:chase:2"]

    actions.meet_deadline(kind=DeadlineKind.ACKNOWLEDGE_DISPATCH, incident=incident, subject=("registry.person", "9"),
                          at=due + timedelta(hours=9))
    assert actions.send_deadline_notices(now=due + timedelta(hours=20))["chase"] == 0


def test_met_and_cancelled_deadlines_are_not_chased(team, incident):
    actions.start_deadline(kind=DeadlineKind.NOTIFY, start=local(2026, 3, 4, 10), incident=incident)
    actions.cancel_deadlines(incident=incident)
    assert actions.send_deadline_notices(now=local(2026, 4, 1)) == {"remind": 0, "escalate": 0, "chase": 0}
    assert not Delivery.objects.exists()


def test_without_a_responsible_person_the_standing_officers_are_reminded(settings, team, incident):
    settings.DEADLINE_REMINDER_HOURS = [24]
    deadline = actions.start_deadline(kind=DeadlineKind.NOTIFY, start=local(2026, 3, 4, 10), incident=incident)
    actions.send_deadline_notices(now=deadline.due_at - timedelta(hours=3))
    assert recipients("deadlines.remind") == ["officer2@example.vn"]


def test_worker_batch_runs_one_scan(team, incident, run_tasks):
    deadline = actions.start_deadline(kind=DeadlineKind.NOTIFY, start=local(2020, 3, 4, 10), incident=incident)
    run_tasks()  # nothing queued, nothing sent
    assert not Delivery.objects.filter(event="deadlines.escalate").exists()
    from ungcuu.management.commands.worker import enqueue_scan

    assert enqueue_scan() is True
    assert enqueue_scan() is False  # one waiting scan is enough
    run_tasks()
    assert Delivery.objects.filter(event="deadlines.escalate", key=f"deadline:{deadline.pk}:overdue").exists()


def test_cli_scan_and_rules(team, incident, capsys):
    actions.set_override(actor=None, province="Hà Tĩnh", kind=DeadlineKind.FINAL_REPORT, amount=10,
                         source_document="Quyết định 1859/QĐ-UBND Hà Tĩnh (seed 003)", article="mục 4.2")
    actions.start_deadline(kind=DeadlineKind.NOTIFY, start=local(2020, 3, 4, 10), incident=incident)
    call_command("deadlines", "scan")
    call_command("deadlines", "rules")
    out = capsys.readouterr().out
    assert "escalations 1" in out
    assert "notify\t5 ngày\tThông tư 20/2017/TT-BTTTT Điều 9.2.a" in out  # the duration as the operator reads it (vi)
    assert "FLAGGED: looser than national" in out


def test_cli_holidays(db, capsys):
    call_command("holidays", "add", "24/11/2026", "Ngày Văn hóa Việt Nam", "--source", "Thông báo thử")
    call_command("holidays", "list", "--year", "2026")
    out = capsys.readouterr().out
    assert "24/11/2026" in out and "30/04/2026" in out and "16/02/2026" in out

"""Cancelling one deadline (an order withdrawn, a member released), and the wording of the notices the scan
sends."""

import re
from datetime import datetime, timedelta

import pytest
from django.core.exceptions import PermissionDenied

from ungcuu.accounts import actions as account_actions
from ungcuu.accounts.models import Role
from ungcuu.audit.models import AuditEntry
from ungcuu.deadlines import actions
from ungcuu.deadlines.calendar import LOCAL
from ungcuu.deadlines.models import Deadline, DeadlineKind
from ungcuu.incidents.tests.helpers import make_incident
from ungcuu.notifications.models import Delivery


def local(y, m, d, hh=0, mm=0):
    return datetime(y, m, d, hh, mm, tzinfo=LOCAL)


@pytest.fixture
def incident(province):
    incident = make_incident(actor=province.reporter)
    # Intake started the incident's own deadlines; these tests start theirs.
    actions.cancel_deadlines(incident=incident)
    return incident


def start(incident, subject_id, kind=DeadlineKind.ACKNOWLEDGE_ORDER, **extra):
    return actions.start_deadline(kind=kind, start=local(2026, 11, 27, 9), incident=incident,
                                  subject=("coordination.orderrecipient", subject_id), **extra)


def test_cancel_deadline_cancels_only_the_open_deadline_of_that_kind_incident_and_subject(province, incident):
    one, other = start(incident, "1"), start(incident, "2")
    due = start(incident, "1", kind=DeadlineKind.ORDER_DUE, due=local(2026, 11, 30, 17))

    cancelled = actions.cancel_deadline(kind=DeadlineKind.ACKNOWLEDGE_ORDER, incident=incident,
                                        subject=("coordination.orderrecipient", "1"), actor=province.officer,
                                        reason="Lệnh bị hủy")

    assert cancelled.pk == one.pk and cancelled.cancelled_at is not None
    states = {d.pk: d.cancelled_at is not None for d in Deadline.objects.filter(pk__in=[one.pk, other.pk, due.pk])}
    assert states == {one.pk: True, other.pk: False, due.pk: False}
    entry = AuditEntry.objects.filter(action="deadlines.cancel").order_by("-id").first()
    assert entry.actor == province.officer and entry.changes["reason"] == "Lệnh bị hủy"


def test_cancel_deadline_returns_none_when_nothing_is_open(province, incident):
    met = start(incident, "3")
    actions.meet_deadline(kind=DeadlineKind.ACKNOWLEDGE_ORDER, incident=incident,
                          subject=("coordination.orderrecipient", "3"))
    assert actions.cancel_deadline(kind=DeadlineKind.ACKNOWLEDGE_ORDER, incident=incident,
                                   subject=("coordination.orderrecipient", "3")) is None
    assert actions.cancel_deadline(kind=DeadlineKind.ACKNOWLEDGE_ORDER, incident=incident,
                                   subject=("coordination.orderrecipient", "404")) is None
    met.refresh_from_db()
    assert met.met_at is not None and met.cancelled_at is None


def test_cancel_deadline_refuses_someone_who_cannot_see_the_incident(province, incident):
    start(incident, "5")
    with pytest.raises(PermissionDenied):
        actions.cancel_deadline(kind=DeadlineKind.ACKNOWLEDGE_ORDER, incident=incident,
                                subject=("coordination.orderrecipient", "5"), actor=province.outsider)
    assert Deadline.objects.open().filter(subject_id="5").count() == 1


def test_a_new_deadline_can_start_for_the_subject_once_the_old_one_is_cancelled(incident):
    first = start(incident, "6")
    actions.cancel_deadline(kind=DeadlineKind.ACKNOWLEDGE_ORDER, incident=incident,
                            subject=("coordination.orderrecipient", "6"))
    assert start(incident, "6").pk != first.pk


@pytest.mark.parametrize("language", ["en", "vi"])
@pytest.mark.parametrize(("moment", "event"), [
    (timedelta(hours=-20), "deadlines.remind"),
    (timedelta(hours=1), "deadlines.escalate"),
])
def test_the_order_due_notice_does_not_say_due_twice(settings, monkeypatch, province, incident, moment, event,
                                                     language):
    """The kind "Coordination order due" was followed by "due 30/11…": the time now follows its own word."""
    settings.DEADLINE_REMINDER_HOURS = [24, 2]
    monkeypatch.setattr(actions, "NOTICE_LANGUAGE", language)
    member = account_actions.create_user(actor=None, username="member3", password=None, email="m3@example.vn",
                                         organisation=province.hospital, roles=[Role.TEAM_MEMBER])
    deadline = start(incident, "9", kind=DeadlineKind.ORDER_DUE, due=local(2026, 11, 30, 17), responsible=member)

    actions.send_deadline_notices(now=deadline.due_at + moment)

    subject = Delivery.objects.get(event=event).subject
    assert "30/11/2026 17:00" in subject and incident.reference in subject
    assert "due due" not in subject.lower() and "was due" not in subject
    assert not re.search(r"\b(\w+) \1\b", subject, flags=re.IGNORECASE), subject

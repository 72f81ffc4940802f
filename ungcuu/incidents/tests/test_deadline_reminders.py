"""A legal deadline of an incident reminds and escalates for real: the e-mail reaches an SMTP server, the
webhook reaches an HTTP receiver that checks its HMAC signature, and a failing receiver is retried.

TT 20/2017 Điều 9.2.a: the incident notification within 5 days of detection. Detected 20/11/2026 08:30, it
is due at the end of 25/11/2026 (Civil Code Điều 147: counted from the next day).
"""

import datetime

import pytest
from django.utils import timezone

from ungcuu.deadlines.actions import send_deadline_notices
from ungcuu.deadlines.models import Deadline
from ungcuu.incidents.tests.helpers import make_incident
from ungcuu.notifications import actions as notifications
from ungcuu.notifications.models import Delivery, DeliveryStatus


@pytest.fixture
def fast_retries(settings):
    settings.NOTIFICATIONS_RETRY_BASE_SECONDS = 0
    settings.NOTIFICATIONS_MAX_ATTEMPTS = 3


def scan(at, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        return send_deadline_notices(now=at)


def test_the_notification_deadline_reminds_then_escalates_by_email_and_signed_webhook(
        province, smtp_server, webhook_receiver, run_tasks, django_capture_on_commit_callbacks, fast_retries):
    province.officer.email = "truc.ban@pa05.example.vn"
    province.officer.save()
    province.lead.email = "doi.truong@example.vn"
    province.lead.save()
    notifications.create_webhook_endpoint(actor=province.admin, name="Hệ thống điều hành", url=webhook_receiver.url,
                                          events=["deadlines.escalate"], secret=webhook_receiver.secret)
    webhook_receiver.statuses = [500]  # the receiver fails once
    incident = make_incident(province.reporter, system=province.his.pk)
    deadline = Deadline.objects.get(incident=incident, kind="notify")
    assert timezone.localtime(deadline.due_at).date() == datetime.date(2026, 11, 25)

    # Two hours before: a reminder to the standing office; a second scan at the same time sends nothing new.
    before = deadline.due_at - datetime.timedelta(hours=1)
    assert scan(before, django_capture_on_commit_callbacks)["remind"] == 1
    assert scan(before, django_capture_on_commit_callbacks)["remind"] == 0
    run_tasks()
    acknowledgement, reminder = smtp_server.messages  # the reporter's acknowledgement came first
    assert "soyte@example.vn" in acknowledgement.envelope_to
    assert reminder.envelope_to == ["truc.ban@pa05.example.vn"]
    assert incident.reference in reminder["Subject"] and incident.reference in reminder.get_content()

    # Overdue: one escalation, to the lead and the standing office by e-mail, and to the webhook.
    after = deadline.due_at + datetime.timedelta(hours=1)
    assert scan(after, django_capture_on_commit_callbacks)["escalate"] == 1
    run_tasks()
    escalated = {m.envelope_to[0] for m in smtp_server.messages[2:]}
    assert {"truc.ban@pa05.example.vn", "doi.truong@example.vn"} <= escalated
    assert len(webhook_receiver.requests) == 2  # refused once, then accepted
    assert all(request.signature_ok for request in webhook_receiver.requests)
    assert webhook_receiver.requests[-1].json["incident"]["reference"] == incident.reference
    hook = Delivery.objects.get(channel="webhook")
    assert hook.status == DeliveryStatus.SENT and hook.attempts == 2

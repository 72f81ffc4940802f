"""Delivery through a real SMTP server and a real HTTP receiver: signing, retries, deduplication."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db import transaction
from django_tasks_db.models import DBTaskResult

from ungcuu.audit.models import AuditEntry
from ungcuu.incidents.tests.helpers import make_incident
from ungcuu.notifications import actions, tasks
from ungcuu.notifications.models import Delivery, DeliveryStatus
from ungcuu.notifications.tests.fixtures import free_port, verify_signature

BODY = "Sự cố SC-2026-0001 sắp quá hạn thông báo (Điều 9 Thông tư 20/2017). Đề nghị xử lý ngay."
SUBJECT = "Nhắc hạn: báo cáo ban đầu sự cố"


@pytest.fixture
def notify(django_capture_on_commit_callbacks):
    """notify() as a caller's committed transaction would run it: the deliver tasks get enqueued."""

    def call(**kwargs):
        kwargs.setdefault("event", "deadlines.reminder")
        kwargs.setdefault("subject", SUBJECT)
        kwargs.setdefault("body", BODY)
        with django_capture_on_commit_callbacks(execute=True):
            return actions.notify(**kwargs)

    return call


@pytest.fixture
def fast_retries(settings):
    settings.NOTIFICATIONS_RETRY_BASE_SECONDS = 0
    settings.NOTIFICATIONS_MAX_ATTEMPTS = 3
    return settings


def endpoint_for(province, receiver, events=()):
    endpoint, _secret = actions.create_webhook_endpoint(
        actor=province.admin, name="SIEM", url=receiver.url, events=list(events), secret=receiver.secret)
    return endpoint


# E-mail ------------------------------------------------------------------------------------------


def test_a_real_smtp_server_receives_the_email_with_vietnamese_intact(province, smtp_server, notify, run_tasks):
    province.officer.email = "truc.ban@pa05.example.vn"
    province.officer.save()

    deliveries = notify(users=[province.officer], emails=["lanh.dao@example.vn"])
    run_tasks()

    assert len(deliveries) == 2
    received = {m.envelope_to[0]: m for m in smtp_server.messages}
    assert set(received) == {"truc.ban@pa05.example.vn", "lanh.dao@example.vn"}
    message = received["truc.ban@pa05.example.vn"]
    # Django folds an encoded subject onto a continuation line; the parser keeps the fold's space.
    assert message["Subject"].strip() == SUBJECT
    assert message["To"] == "truc.ban@pa05.example.vn"
    assert message["X-Ungcuu-Event"] == "deadlines.reminder"
    assert message.get_content().strip() == BODY
    for delivery in Delivery.objects.all():
        assert delivery.status == DeliveryStatus.SENT and delivery.sent_at is not None
        [attempt] = delivery.attempt_log.all()
        assert attempt.ok and f"127.0.0.1:{smtp_server.port}" in attempt.detail


def test_users_without_email_are_skipped_and_named_in_the_audit_log(province, smtp_server, notify, run_tasks):
    province.lead.email = ""
    province.lead.save()

    deliveries = notify(users=[province.lead], emails=["a@example.vn"])

    assert [d.recipient for d in deliveries] == ["a@example.vn"]
    entry = AuditEntry.objects.get(action="notifications.notify")
    assert entry.changes["skipped_users"] == ["lead (no e-mail)"]


def test_a_refused_recipient_is_retried_then_failed_with_the_smtp_reply(province, smtp_server, notify, run_tasks,
                                                                      fast_retries):
    smtp_server.refuse("khong.ton.tai@example.vn")

    [delivery] = notify(emails=["khong.ton.tai@example.vn"])
    run_tasks()

    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.FAILED
    assert delivery.attempts == 3 and delivery.attempt_log.filter(ok=False).count() == 3
    assert "550" in delivery.last_error
    assert smtp_server.messages == []


def test_a_bad_address_is_a_field_error_and_nothing_is_queued(province, notify):
    with pytest.raises(ValidationError) as caught:
        notify(emails=["not an address"])
    assert "emails" in caught.value.message_dict
    assert not Delivery.objects.exists()


def test_a_rolled_back_caller_sends_nothing(province, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks() as callbacks, pytest.raises(RuntimeError), transaction.atomic():
        actions.notify(event="x", subject="s", body="b", emails=["a@example.vn"])
        raise RuntimeError("the caller's action failed")
    assert not Delivery.objects.exists()
    assert callbacks == []


# Webhooks ----------------------------------------------------------------------------------------


def test_a_webhook_arrives_signed_with_the_incident_reference(province, webhook_receiver, notify, run_tasks):
    endpoint_for(province, webhook_receiver)
    incident = make_incident(province.reporter)

    [delivery] = notify(incident=incident)
    run_tasks()

    [request] = webhook_receiver.requests
    assert request.signature_ok
    assert verify_signature(webhook_receiver.secret, request.headers["X-Ungcuu-Signature"], request.body)
    assert not verify_signature("another-secret-0123456789", request.headers["X-Ungcuu-Signature"], request.body)
    assert request.headers["X-Ungcuu-Event"] == "deadlines.reminder"
    assert request.headers["X-Ungcuu-Delivery"] == str(delivery.pk)
    payload = request.json
    assert payload["body"] == BODY and payload["subject"] == SUBJECT and payload["delivery"] == delivery.pk
    assert payload["incident"]["reference"] == incident.reference
    assert payload["incident"]["url"].endswith(f"/incidents/{incident.reference}/")
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.SENT
    assert delivery.attempt_log.get().response_status == 200


def test_a_receiver_failing_once_gets_the_second_attempt(province, webhook_receiver, notify, run_tasks, fast_retries):
    endpoint_for(province, webhook_receiver)
    webhook_receiver.statuses = [500]

    [delivery] = notify()
    run_tasks()

    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.SENT and delivery.attempts == 2
    assert [(a.ok, a.response_status) for a in delivery.attempt_log.all()] == [(False, 500), (True, 200)]
    assert len(webhook_receiver.requests) == 2


def test_a_receiver_that_always_fails_ends_failed_after_the_allowed_attempts(province, webhook_receiver, notify,
                                                                             run_tasks, fast_retries):
    endpoint_for(province, webhook_receiver)
    webhook_receiver.always(503)

    [delivery] = notify()
    run_tasks()

    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.FAILED
    assert delivery.attempts == 3 and len(webhook_receiver.requests) == 3
    assert delivery.last_error.startswith("HTTP 503")
    assert delivery.next_attempt_at is None


def test_an_unreachable_endpoint_waits_with_exponential_backoff(province, notify, run_tasks, settings):
    settings.NOTIFICATIONS_RETRY_BASE_SECONDS = 60
    actions.create_webhook_endpoint(actor=province.admin, name="down", url=f"http://127.0.0.1:{free_port()}/")

    [delivery] = notify()
    run_tasks()

    delivery.refresh_from_db()
    attempt = delivery.attempt_log.get()
    assert delivery.status == DeliveryStatus.RETRYING and not attempt.ok
    assert "URLError" in attempt.detail
    assert delivery.next_attempt_at - attempt.at == timedelta(seconds=60)
    # The retry is queued for then, and the worker leaves it alone until it is due.
    assert DBTaskResult.objects.filter(status="READY", run_after=delivery.next_attempt_at).count() == 1
    run_tasks()
    assert delivery.attempt_log.count() == 1


@pytest.mark.parametrize(("attempts", "seconds"), [(1, 60), (2, 120), (3, 240), (4, 480), (20, 6 * 3600)])
def test_retry_delay_doubles_up_to_the_cap(settings, attempts, seconds):
    settings.NOTIFICATIONS_RETRY_BASE_SECONDS, settings.NOTIFICATIONS_RETRY_MAX_SECONDS = 60, 6 * 3600
    assert actions.retry_delay(attempts) == timedelta(seconds=seconds)


def test_delivering_a_sent_delivery_again_does_nothing(province, webhook_receiver, notify, run_tasks):
    endpoint_for(province, webhook_receiver)
    [delivery] = notify()
    run_tasks()

    assert tasks.deliver.call(delivery.pk) == DeliveryStatus.SENT

    assert len(webhook_receiver.requests) == 1
    assert delivery.attempt_log.count() == 1


def test_endpoints_get_only_their_events_and_only_while_active(province, webhook_receiver, notify):
    wanted = endpoint_for(province, webhook_receiver, events=["deadlines.escalation"])
    everything = endpoint_for(province, webhook_receiver)
    retired = endpoint_for(province, webhook_receiver)
    actions.deactivate_webhook_endpoint(actor=province.admin, endpoint=retired)

    reminders = notify(event="deadlines.reminder")
    escalations = notify(event="deadlines.escalation")

    assert [d.endpoint for d in reminders] == [everything]
    assert {d.endpoint for d in escalations} == {wanted, everything}


# Deduplication -----------------------------------------------------------------------------------


def test_the_same_key_twice_creates_one_delivery_per_recipient(province, webhook_receiver, smtp_server, notify,
                                                               run_tasks):
    endpoint_for(province, webhook_receiver)
    first = notify(emails=["a@example.vn"], key="SC-2026-0001:notify:due-1d")
    second = notify(emails=["A@example.vn", "b@example.vn"], key="SC-2026-0001:notify:due-1d")
    run_tasks()

    assert len(first) == 2
    assert [d.recipient for d in second] == ["b@example.vn"]
    assert Delivery.objects.count() == 3
    assert len(webhook_receiver.requests) == 1
    assert sorted(m.envelope_to[0] for m in smtp_server.messages) == ["a@example.vn", "b@example.vn"]


def test_without_a_key_every_call_is_delivered(province, notify):
    notify(emails=["a@example.vn"])
    notify(emails=["a@example.vn"])
    assert Delivery.objects.count() == 2


def test_a_delivery_whose_task_was_lost_is_sent_by_the_sweep(province, smtp_server, run_tasks):
    """The process died between the commit and the enqueue: the delivery stays pending until the sweep."""
    from datetime import timedelta

    from django.utils import timezone

    [delivery] = actions.notify(event="deadlines.reminder", subject="Nhắc hạn", body="Nội dung",
                                emails=["mat.tac.vu@example.vn"])  # no on_commit in a test: nothing enqueued
    run_tasks()
    assert smtp_server.messages == []
    assert actions.requeue_stale_deliveries() == 0  # not stale yet
    assert actions.requeue_stale_deliveries(now=timezone.now() + timedelta(minutes=11)) == 1
    run_tasks()
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.SENT
    assert [m.envelope_to for m in smtp_server.messages] == [["mat.tac.vu@example.vn"]]

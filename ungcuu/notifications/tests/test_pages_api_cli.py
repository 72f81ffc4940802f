"""The deliveries and webhook pages, the API and the CLI: who may use them, what they show, query counts."""

import io

import pytest
from django.core.management import call_command
from django.urls import reverse

from ungcuu.audit.models import AuditEntry
from ungcuu.notifications import actions
from ungcuu.notifications.models import Delivery, DeliveryStatus, WebhookEndpoint
from ungcuu.notifications.tests.fixtures import free_port


def failed_delivery(**kwargs):
    """A delivery that used up its attempts (marked as the worker would leave it)."""
    delivery = actions.notify(event="deadlines.escalation", subject="Quá hạn", body="Đã quá hạn.",
                              emails=[kwargs.get("email", "a@example.vn")])[0]
    Delivery.objects.filter(pk=delivery.pk).update(status=DeliveryStatus.FAILED, attempts=5, last_error="SMTP 550")
    return delivery


# Deliveries page --------------------------------------------------------------------------------


def test_officer_sees_deliveries_filtered_by_status_with_attempts(province, client_for, webhook_receiver, run_tasks,
                                                                  django_capture_on_commit_callbacks):
    actions.create_webhook_endpoint(actor=province.admin, name="SIEM", url=webhook_receiver.url,
                                    secret=webhook_receiver.secret)
    with django_capture_on_commit_callbacks(execute=True):
        actions.notify(event="deadlines.reminder", subject="Nhắc hạn thông báo", body="…")
    run_tasks()
    failed_delivery()

    page = client_for(province.officer).get(reverse("notifications:deliveries"), {"status": "failed"})

    text = page.content.decode()
    assert page.status_code == 200
    assert "Quá hạn" in text and "SMTP 550" in text and "Nhắc hạn thông báo" not in text
    webhooks = client_for(province.officer).get(reverse("notifications:deliveries"), {"channel": "webhook"})
    sent = webhooks.content.decode()
    assert "Nhắc hạn thông báo" in sent and "HTTP 200" in sent


def test_deliveries_page_query_count_does_not_grow_with_rows(province, client_for, django_assert_max_num_queries):
    for i in range(30):
        failed_delivery(email=f"user{i}@example.vn")
    client = client_for(province.officer)
    with django_assert_max_num_queries(8):
        page = client.get(reverse("notifications:deliveries"))
    assert page.status_code == 200 and page.context["page"].paginator.count == 30


@pytest.mark.parametrize("persona", ["outsider", "member", "reporter", "auditor"])
def test_others_may_not_see_deliveries(province, client_for, persona):
    assert client_for(getattr(province, persona)).get(reverse("notifications:deliveries")).status_code == 403


def test_retry_now_puts_a_failed_delivery_back_and_sends_it(province, client_for, smtp_server, run_tasks,
                                                            django_capture_on_commit_callbacks):
    delivery = failed_delivery(email="nguoi.nhan@example.vn")

    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(province.officer).post(reverse("notifications:retry", args=[delivery.pk]))
    run_tasks()

    assert response.status_code == 302
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.SENT and delivery.attempts == 6
    assert [m.envelope_to for m in smtp_server.messages] == [["nguoi.nhan@example.vn"]]
    assert AuditEntry.objects.filter(action="notifications.retry", actor_id=province.officer.pk).exists()


def test_a_sent_delivery_cannot_be_retried(province):
    [delivery] = actions.notify(event="x", subject="s", body="b", emails=["a@example.vn"])
    Delivery.objects.filter(pk=delivery.pk).update(status=DeliveryStatus.SENT)
    with pytest.raises(actions.ValidationError) as caught:
        actions.retry_delivery(actor=province.admin, delivery=delivery)
    assert "delivery" in caught.value.message_dict


# Webhook endpoints page ------------------------------------------------------------------------


def test_admin_adds_an_endpoint_and_sees_the_secret_once(province, client_for):
    client = client_for(province.admin)
    url = reverse("notifications:webhooks")

    created = client.post(url, {"name": "SOC tỉnh", "url": "https://soc.example.vn/hook", "events": "a, b"})
    again = client.get(url)

    endpoint = WebhookEndpoint.objects.get()
    assert endpoint.events == ["a", "b"] and len(endpoint.secret) >= 32
    assert endpoint.secret in created.content.decode()
    assert endpoint.secret not in again.content.decode() and "SOC tỉnh" in again.content.decode()


def test_admin_deactivates_an_endpoint(province, client_for):
    endpoint, _ = actions.create_webhook_endpoint(actor=province.admin, name="old", url="https://x.example.vn/")
    response = client_for(province.admin).post(reverse("notifications:deactivate", args=[endpoint.pk]))
    endpoint.refresh_from_db()
    assert response.status_code == 302 and not endpoint.active


@pytest.mark.parametrize("persona", ["officer", "outsider", "lead"])
def test_only_administrators_manage_endpoints(province, client_for, persona):
    endpoint, _ = actions.create_webhook_endpoint(actor=province.admin, name="x", url="https://x.example.vn/")
    client = client_for(getattr(province, persona))
    assert client.get(reverse("notifications:webhooks")).status_code == 403
    assert client.post(reverse("notifications:deactivate", args=[endpoint.pk])).status_code == 403
    endpoint.refresh_from_db()
    assert endpoint.active


@pytest.mark.parametrize(("values", "field"), [
    ({"url": "ftp://x.example.vn/"}, "url"),
    ({"name": "  "}, "name"),
    ({"secret": "short"}, "secret"),
])
def test_endpoint_input_errors_name_the_field(province, values, field):
    data = {"name": "SIEM", "url": "https://x.example.vn/", **values}
    with pytest.raises(actions.ValidationError) as caught:
        actions.create_webhook_endpoint(actor=province.admin, **data)
    assert field in caught.value.message_dict


# API -------------------------------------------------------------------------------------------


def test_api_lists_deliveries_with_filters_and_attempts(province, api_for, django_assert_max_num_queries):
    for i in range(12):
        failed_delivery(email=f"u{i}@example.vn")
    actions.notify(event="other", subject="s", body="b", emails=["z@example.vn"])
    client = api_for(province.officer)

    with django_assert_max_num_queries(8):
        response = client.get("/api/v1/notifications/deliveries", {"status": "failed"})

    body = response.json()
    assert response.status_code == 200 and body["count"] == 12
    assert {d["status"] for d in body["items"]} == {"failed"} and body["items"][0]["attempt_log"] == []
    assert client.get("/api/v1/notifications/deliveries", {"event": "other"}).json()["count"] == 1


def test_api_refuses_deliveries_to_outsiders(province, api_for):
    assert api_for(province.outsider).get("/api/v1/notifications/deliveries").status_code == 403


def test_api_webhook_crud_for_administrators(province, api_for):
    client = api_for(province.admin)
    created = client.post("/api/v1/notifications/webhooks", {"name": "SIEM", "url": "https://siem.example.vn/in",
                                                              "events": ["deadlines.escalation"]},
                          content_type="application/json")
    assert created.status_code == 201
    endpoint_id, secret = created.json()["id"], created.json()["secret"]
    assert len(secret) >= 32

    listed = client.get("/api/v1/notifications/webhooks").json()
    assert [e["name"] for e in listed["items"]] == ["SIEM"] and "secret" not in listed["items"][0]
    changed = client.patch(f"/api/v1/notifications/webhooks/{endpoint_id}", {"events": []},
                           content_type="application/json")
    assert changed.json()["events"] == []
    removed = client.delete(f"/api/v1/notifications/webhooks/{endpoint_id}")
    assert removed.json()["active"] is False
    bad = client.post("/api/v1/notifications/webhooks", {"name": "x", "url": "nope"}, content_type="application/json")
    assert bad.status_code == 422 and "url" in bad.json()["errors"]


def test_api_webhooks_refused_to_officers(province, api_for):
    client = api_for(province.officer)
    assert client.get("/api/v1/notifications/webhooks").status_code == 403
    assert client.post("/api/v1/notifications/webhooks", {"name": "x", "url": "https://x.example.vn/"},
                       content_type="application/json").status_code == 403


# CLI -------------------------------------------------------------------------------------------


def test_cli_webhooks_add_list_disable(province):
    out, err = io.StringIO(), io.StringIO()
    call_command("webhooks", "add", "SOC", "https://soc.example.vn/h", "--event", "a", stdout=out, stderr=err)
    endpoint = WebhookEndpoint.objects.get()
    assert out.getvalue().strip() == endpoint.secret

    listing = io.StringIO()
    call_command("webhooks", "list", stdout=listing)
    assert f"#{endpoint.pk}\tSOC\thttps://soc.example.vn/h\ta\tactive" in listing.getvalue()

    call_command("webhooks", "disable", str(endpoint.pk), stdout=io.StringIO())
    endpoint.refresh_from_db()
    assert not endpoint.active


def test_cli_retry_failed_sends_the_failed_deliveries(province, settings, run_tasks, smtp_server,
                                                      django_capture_on_commit_callbacks):
    failed_delivery(email="a@example.vn")
    actions.create_webhook_endpoint(actor=province.admin, name="down", url=f"http://127.0.0.1:{free_port()}/")

    out = io.StringIO()
    with django_capture_on_commit_callbacks(execute=True):
        call_command("notifications", "retry-failed", stdout=out)
    run_tasks()

    assert "1 failed deliveries queued again." in out.getvalue()
    assert [m.envelope_to for m in smtp_server.messages] == [["a@example.vn"]]

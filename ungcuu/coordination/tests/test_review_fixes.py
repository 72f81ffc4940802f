"""What the review of the coordination app found: deadlines left open by a cancelled order or a released member,
orders readable by reporting agencies, orders on closed incidents, organisations that could not be addressed
from the page, relative links in e-mails, one-digit order numbers, ended delegations offered for revoking and
labels pointing nowhere."""

import re
from datetime import timedelta

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import timezone

from ungcuu.coordination import actions
from ungcuu.coordination.models import CoordinationOrder, OrderRecipient
from ungcuu.coordination.tests.helpers import delegate, issue
from ungcuu.deadlines.models import Deadline
from ungcuu.incidents.models import Incident
from ungcuu.notifications.models import Delivery
from ungcuu.registry import actions as registry_actions


def deadline(kind, subject):
    return Deadline.objects.get(kind=kind, subject_type=subject._meta.label_lower, subject_id=str(subject.pk))


def close(incident):
    Incident.objects.filter(pk=incident.pk).update(status="closed", step="closed", closed_at=timezone.now())
    incident.refresh_from_db()


def english(client):
    """The pages in English (the language switch's cookie), to read the source texts."""
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def with_email(user, address):
    user.email = address
    user.save(update_fields=["email"])
    return user


# 1. Cancelling an order or releasing a member ends their deadlines --------------------------------------------


def test_cancelling_an_order_cancels_its_deadlines(province, incident):
    order = issue(province, incident, users=[province.member, province.deputy],
                  organisations=[(province.isp, "noc@vnpt.example.vn")], channel="phone", urgent=True)
    recipients = list(order.recipients.all())
    assert len(recipients) == 3

    actions.cancel_order(actor=province.officer, order=order, reason="Nhầm sự cố")

    for recipient in recipients:
        for kind in ("acknowledge_order", "order_due"):
            row = deadline(kind, recipient)
            assert row.cancelled_at is not None and row.met_at is None, (kind, recipient)
    assert deadline("written_follow_up", order).cancelled_at is not None
    assert not Deadline.objects.open().filter(kind__in=["acknowledge_order", "order_due", "written_follow_up"]).exists()


def test_cancelling_an_order_keeps_what_was_already_met(province, incident):
    order = issue(province, incident, users=[province.member])
    recipient = order.recipients.get()
    actions.acknowledge_order(actor=province.member, recipient=recipient)

    actions.cancel_order(actor=province.lead, order=order, reason="Đã xử lý xong")

    acknowledged = deadline("acknowledge_order", recipient)
    assert acknowledged.met_at is not None and acknowledged.cancelled_at is None
    assert deadline("order_due", recipient).cancelled_at is not None


def test_releasing_a_member_before_they_acknowledge_cancels_their_acknowledgement_deadline(province, incident):
    responder = actions.dispatch_member(actor=province.lead, incident=incident, user=province.member)
    assert deadline("acknowledge_dispatch", responder).is_open

    actions.release_member(actor=province.lead, responder=responder, note="Nhầm người")

    row = deadline("acknowledge_dispatch", responder)
    assert row.cancelled_at is not None and row.met_at is None


def test_releasing_an_acknowledged_member_leaves_the_met_deadline_alone(province, incident):
    responder = actions.dispatch_member(actor=province.lead, incident=incident, user=province.member)
    actions.acknowledge_dispatch(actor=province.member, responder=responder)

    actions.release_member(actor=province.lead, responder=responder)

    row = deadline("acknowledge_dispatch", responder)
    assert row.met_at is not None and row.cancelled_at is None


# 2. Reporting agencies do not read coordination orders ---------------------------------------------------------


@pytest.mark.parametrize("persona", ["reporter", "owner"])
def test_the_reporting_agency_cannot_read_the_orders_of_its_incident(province, incident, client_for, api_for,
                                                                      persona):
    order = issue(province, incident)
    user = getattr(province, persona)
    assert client_for(user).get(f"/incidents/{incident.reference}/").status_code == 200  # it sees the incident

    assert client_for(user).get(f"/coordination/orders/{order.pk}/").status_code == 404
    api = api_for(user)
    assert api.get("/api/v1/orders").json()["count"] == 0
    assert api.get(f"/api/v1/orders/{order.pk}").status_code == 404


@pytest.mark.parametrize("persona", ["officer", "lead", "auditor"])
def test_the_team_and_oversight_still_read_the_orders(province, incident, client_for, api_for, persona):
    order = issue(province, incident)
    user = getattr(province, persona)
    assert client_for(user).get(f"/coordination/orders/{order.pk}/").status_code == 200
    assert api_for(user).get("/api/v1/orders").json()["count"] == 1
    assert api_for(user).get(f"/api/v1/orders/{order.pk}").status_code == 200


def test_a_recipient_reads_the_order_addressed_to_them(province, incident, client_for, api_for):
    order = issue(province, incident, users=[province.member])
    assert client_for(province.member).get(f"/coordination/orders/{order.pk}/").status_code == 200
    assert api_for(province.member).get(f"/api/v1/orders/{order.pk}").status_code == 200


# 3. No orders or requests on a closed incident -----------------------------------------------------------------


def test_no_order_on_a_closed_incident(province, incident):
    close(incident)
    with pytest.raises(ValidationError) as refused:
        issue(province, incident)
    assert incident.reference in " ".join(refused.value.messages)
    assert not CoordinationOrder.objects.exists()


def test_no_request_on_a_closed_incident(province, incident):
    close(incident)
    with pytest.raises(ValidationError) as refused:
        actions.send_request(actor=province.officer, incident=incident, kind="support",
                             addressed_to_kind="national_coordinator", addressed_to_name="VNCERT/CC",
                             content="Đề nghị hỗ trợ phân tích mã độc.", channel="email")
    assert incident.reference in " ".join(refused.value.messages)


def test_the_pages_offer_no_order_or_request_on_a_closed_incident(province, incident, client_for):
    close(incident)
    officer = english(client_for(province.officer))
    page = officer.get(f"/incidents/{incident.reference}/").content.decode()
    assert 'id="new-order"' not in page and 'name="addressed_to_name"' not in page
    due = (timezone.localtime() + timedelta(days=1)).strftime("%Y-%m-%dT%H:%M")
    response = officer.post(f"/coordination/incidents/{incident.reference}/orders/", {
        "content": "Chặn IP", "due_at": due, "contact_point": "PA05", "signer": "Đội trưởng", "channel": "document",
        "users": [province.member.pk]})
    assert response.status_code == 422 and not CoordinationOrder.objects.exists()
    assert "no coordination order or request can be made" in response.content.decode()


# 4. The order form addresses organisations -------------------------------------------------------------------


@pytest.fixture
def order_page(province, incident, client_for):
    url = f"/coordination/incidents/{incident.reference}/orders/"
    client = english(client_for(province.officer))
    due = (timezone.localtime() + timedelta(days=1)).strftime("%Y-%m-%dT%H:%M")

    def post(**data):
        return client.post(url, {"content": "Cung cấp nhật ký truy cập", "due_at": due, "contact_point": "PA05",
                                 "signer": "Đội trưởng", "urgent": "on", **data})

    post.client, post.url = client, url
    return post


def test_the_order_form_has_a_contact_email_for_the_organisations(order_page):
    page = order_page.client.get(order_page.url).content.decode()
    assert 'name="organisation_email"' in page and 'type="email"' in page


def test_a_phone_order_reaches_an_organisation_without_an_email(province, order_page):
    no_mail = registry_actions.create_organisation(actor=None, name="Công ty ABC", kind="enterprise")
    response = order_page(channel="phone", organisations=[no_mail.pk])
    assert response.status_code == 302, response.content.decode()
    assert list(OrderRecipient.objects.values_list("organisation", "email")) == [(no_mail.pk, "")]


def test_an_email_order_needs_the_organisations_email(province, order_page):
    no_mail = registry_actions.create_organisation(actor=None, name="Công ty ABC", kind="enterprise")
    refused = order_page(channel="email", organisations=[no_mail.pk])
    assert refused.status_code == 422 and not CoordinationOrder.objects.exists()
    assert "Công ty ABC" in refused.content.decode()

    response = order_page(channel="email", organisations=[no_mail.pk], organisation_email="lienhe@abc.example.vn")
    assert response.status_code == 302
    assert list(OrderRecipient.objects.values_list("organisation", "email")) == [
        (no_mail.pk, "lienhe@abc.example.vn")]


def test_the_registry_email_is_used_when_none_is_typed(province, order_page):
    viettel = registry_actions.create_organisation(actor=None, name="Viettel", kind="enterprise",
                                                   email="noc@viettel.example.vn")
    page = order_page.client.get(order_page.url).content.decode()
    assert "noc@viettel.example.vn" in page  # shown next to its name
    assert order_page(channel="email", organisations=[viettel.pk]).status_code == 302
    assert OrderRecipient.objects.get().email == "noc@viettel.example.vn"


def test_a_typed_email_must_be_an_email(province, order_page):
    response = order_page(channel="phone", organisations=[province.isp.pk], organisation_email="không phải email")
    assert response.status_code == 422 and not CoordinationOrder.objects.exists()


# 5. Links in messages are absolute -----------------------------------------------------------------------------


def test_the_dispatch_message_links_to_the_incident_on_the_site(settings, province, incident):
    settings.SITE_URL = "https://ungcuu.example.vn"
    with_email(province.member, "member@example.vn")
    actions.dispatch_member(actor=province.lead, incident=incident, user=province.member)
    body = Delivery.objects.get(event="dispatch", recipient="member@example.vn").body
    assert f"https://ungcuu.example.vn/incidents/{incident.reference}/" in body
    assert f" /incidents/{incident.reference}/" not in body


def test_the_order_message_links_members_to_the_order_page(settings, province, incident):
    settings.SITE_URL = "https://ungcuu.example.vn"
    with_email(province.member, "member@example.vn")
    order = issue(province, incident, users=[province.member], organisations=[(province.isp, "noc@vnpt.example.vn")])
    link = f"https://ungcuu.example.vn/coordination/orders/{order.pk}/"
    assert link in Delivery.objects.get(event="coordination_order", recipient="member@example.vn").body
    # The organisation has no account to open it with: its e-mail carries the order itself.
    organisation_mail = Delivery.objects.get(event="coordination_order", recipient="noc@vnpt.example.vn")
    assert link not in organisation_mail.body and order.content in organisation_mail.body


# 6. Order numbers have at least two digits (NĐ 30/2020) ----------------------------------------------------------


def test_order_numbers_have_two_digits_at_least(province, incident, client_for, api_for):
    first = issue(province, incident)
    assert first.reference == "01/LĐP-ĐƯCSC"
    assert "01/LĐP-ĐƯCSC" in client_for(province.lead).get(f"/coordination/orders/{first.pk}/").content.decode()
    assert api_for(province.lead).get(f"/api/v1/orders/{first.pk}").json()["reference"] == "01/LĐP-ĐƯCSC"
    order = CoordinationOrder(number=123, symbol="LĐP-ĐƯCSC")
    assert order.reference == "123/LĐP-ĐƯCSC"
    order.number = 10
    assert order.reference == "10/LĐP-ĐƯCSC"


# 7. Ended and revoked delegations are not offered for revoking ---------------------------------------------------


def test_an_ended_delegation_shows_its_end_and_no_revoke_button(province, client_for):
    today = timezone.localdate()
    ended = delegate(province, starts_on=today - timedelta(days=10), ends_on=today - timedelta(days=3),
                     reference="1/UQ")
    revoked = delegate(province, reference="2/UQ")
    actions.revoke_delegation(actor=province.lead, delegation=revoked, reason="Đã về")
    current = delegate(province, reference="3/UQ")

    page = english(client_for(province.lead)).get("/coordination/delegations/").content.decode()

    assert f"ended on {ended.ends_on:%d/%m/%Y}" in page
    assert f"/coordination/delegations/{ended.pk}/revoke/" not in page
    assert f"/coordination/delegations/{revoked.pk}/revoke/" not in page
    assert f"/coordination/delegations/{current.pk}/revoke/" in page
    assert page.count("in force on its dates") == 1


# 8. Every label on the order page points at its field ------------------------------------------------------------


def test_the_order_page_labels_point_at_their_fields(province, incident, client_for):
    order = issue(province, incident, users=[province.member, province.deputy],
                  organisations=[(province.isp, "noc@vnpt.example.vn")], channel="phone", urgent=True)
    page = client_for(province.officer).get(f"/coordination/orders/{order.pk}/").content.decode()

    targets = re.findall(r'<label for="([^"]*)"', page)
    ids = re.findall(r'\sid="([^"]+)"', page)
    assert targets and "" not in targets
    assert len(ids) == len(set(ids)), "duplicate ids"
    assert set(targets) <= set(ids)
    assert sum(1 for t in targets if t.endswith("_text")) == 3  # a result field per recipient


def test_the_answer_forms_on_the_incident_page_have_their_own_ids(province, incident, client_for):
    rows = [actions.send_request(actor=province.officer, incident=incident, kind="support",
                                 addressed_to_kind="national_coordinator", addressed_to_name=name,
                                 content="Đề nghị hỗ trợ phân tích mã độc.", channel="email")
            for name in ("VNCERT/CC", "Cục An toàn thông tin")]
    page = client_for(province.officer).get(f"/incidents/{incident.reference}/").content.decode()
    for row in rows:
        assert f'<label for="answer_{row.pk}_answer"' in page and f'id="answer_{row.pk}_answer"' in page
    assert '<label for="">' not in page

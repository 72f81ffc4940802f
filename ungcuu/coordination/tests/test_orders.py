"""Coordination orders (Biểu mẫu 06, TT 20/2017 Điều 8.2 and 8.4; seed 001 Điều 16.1): numbered per year,
acknowledged per recipient, and an urgent order by phone or e-mail followed by the written one."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from ungcuu.coordination import actions
from ungcuu.coordination.models import CoordinationOrder
from ungcuu.coordination.tests.helpers import issue
from ungcuu.deadlines.models import Deadline
from ungcuu.notifications.models import Delivery
from ungcuu.registry import actions as registry_actions


@pytest.fixture
def vnpt(province):
    """The ISP, as an organisation recipient with a contact e-mail."""
    return province.isp


def deadline(kind, subject):
    return Deadline.objects.get(kind=kind, subject_type=subject._meta.label_lower, subject_id=str(subject.pk))


def test_orders_are_numbered_per_year_without_gaps_even_when_cancelled(province, incident):
    first = issue(province, incident)
    actions.cancel_order(actor=province.officer, order=first, reason="Nhầm đơn vị nhận")
    second = issue(province, incident, actor=province.officer)
    year = timezone.localdate().year
    assert [(o.year, o.number) for o in CoordinationOrder.objects.order_by("number")] == [(year, 1), (year, 2)]
    assert second.reference == "02/LĐP-ĐƯCSC"


@pytest.mark.parametrize(("persona", "allowed"), [
    ("officer", True), ("lead", True), ("deputy", True), ("member", False), ("reporter", False), ("auditor", False),
])
def test_who_may_issue_orders(province, incident, persona, allowed):
    """Seed 001 Điều 16.1: the lead or a deputy issues them; the standing office coordinates."""
    if allowed:
        assert issue(province, incident, actor=getattr(province, persona)).number == 1
    else:
        with pytest.raises(PermissionDenied):
            issue(province, incident, actor=getattr(province, persona))


def test_an_order_needs_its_biểu_mẫu_06_content(province, incident):
    with pytest.raises(ValidationError) as refused:
        actions.issue_order(actor=province.lead, incident=incident, content=" ", due_at=timezone.now() - timedelta(1),
                            contact_point="", signer="", channel="pigeon", users=[], organisations=[])
    assert set(refused.value.message_dict) == {"content", "due_at", "contact_point", "signer", "channel", "users"}


def test_each_recipient_acknowledges_for_themselves(province, incident, vnpt):
    order = issue(province, incident, users=[province.member, province.deputy],
                  organisations=[(vnpt, "noc@vnpt.example.vn")])
    member, _deputy, isp = order.recipients.order_by("id")
    with pytest.raises(PermissionDenied):
        actions.acknowledge_order(actor=province.deputy, recipient=member)
    actions.acknowledge_order(actor=province.member, recipient=member)
    # The organisation's acknowledgement came by phone: the standing office records it, saying how.
    with pytest.raises(ValidationError) as refused:
        actions.acknowledge_order(actor=province.officer, recipient=isp, via="phone", note="")
    assert "note" in refused.value.message_dict
    with pytest.raises(PermissionDenied):
        actions.acknowledge_order(actor=province.member, recipient=isp, via="phone", note="anh Bình")
    actions.acknowledge_order(actor=province.officer, recipient=isp, via="phone",
                              note="Anh Trần Bình, trực NOC, gọi lại lúc 09:10")
    states = {r.name: (r.acknowledged_at is not None, r.acknowledged_via) for r in order.recipients.all()}
    assert states == {"Member": (True, "system"), "Deputy": (False, ""), "VNPT": (True, "phone")}


def test_acknowledgement_deadlines_are_started_per_recipient_and_met_on_acknowledgement(province, incident, vnpt):
    order = issue(province, incident, organisations=[(vnpt, "noc@vnpt.example.vn")])
    member, isp = order.recipients.order_by("id")
    for recipient in (member, isp):
        assert deadline("acknowledge_order", recipient).met_at is None
        due = deadline("order_due", recipient)
        assert due.due_at == order.due_at  # the order's own date, not a computed one
    assert deadline("acknowledge_order", member).responsible == province.member
    assert deadline("acknowledge_order", isp).organisation == vnpt

    # The member is not dispatched to the incident, and may still acknowledge what was sent to them.
    actions.acknowledge_order(actor=province.member, recipient=member)
    assert deadline("acknowledge_order", member).met_at is not None
    assert deadline("acknowledge_order", isp).met_at is None
    actions.record_order_result(actor=province.member, recipient=member, text="Đã thu thập nhật ký 3 máy chủ.")
    assert deadline("order_due", member).met_at is not None


def test_a_result_counts_as_acknowledgement(province, incident, vnpt):
    order = issue(province, incident, users=[], organisations=[(vnpt, "noc@vnpt.example.vn")])
    isp = order.recipients.get()
    actions.record_order_result(actor=province.officer, recipient=isp, text="VNPT đã chặn IP nguồn tấn công.")
    assert deadline("acknowledge_order", isp).met_at is not None
    assert deadline("order_due", isp).met_at is not None


def test_an_organisation_needs_a_contact_email_only_for_an_order_sent_by_email(province, incident):
    no_mail = registry_actions.create_organisation(actor=None, name="Công ty ABC", kind="enterprise")
    with pytest.raises(ValidationError) as refused:
        issue(province, incident, users=[], organisations=[(no_mail, "")], channel="email", urgent=True)
    assert "organisations" in refused.value.message_dict
    by_phone = issue(province, incident, users=[], organisations=[(no_mail, "")], channel="phone", urgent=True)
    assert [(r.organisation, r.email) for r in by_phone.recipients.all()] == [(no_mail, "")]


@pytest.mark.parametrize(("channel", "written_required"), [
    ("document", False), ("fax", False), ("phone", True), ("email", True), ("mms", True), ("system", True),
])
def test_which_channels_need_the_written_order_afterwards(province, incident, channel, written_required):
    order = issue(province, incident, channel=channel, urgent=channel != "document")
    assert order.written_required is written_required
    assert Deadline.objects.filter(kind="written_follow_up", subject_id=str(order.pk)).exists() is written_required


def test_an_urgent_phone_order_shows_written_order_pending_until_it_is_recorded(province, incident, client_for,
                                                                               api_for):
    order = issue(province, incident, channel="phone", urgent=True)
    plain = issue(province, incident, channel="document")
    lead, member = client_for(province.lead), client_for(province.member)
    pending = 'written-pending'

    assert pending in lead.get(f"/coordination/orders/{order.pk}/").content.decode()
    assert pending not in lead.get(f"/coordination/orders/{plain.pk}/").content.decode()
    assert pending in lead.get(f"/incidents/{incident.reference}/").content.decode()
    assert pending in lead.get("/coordination/workload/").content.decode()
    assert pending in member.get(f"/coordination/orders/{order.pk}/").content.decode()
    api = api_for(province.officer)
    body = api.get(f"/api/v1/orders/{order.pk}").json()
    assert body["written_pending"] is True and body["urgent"] is True and body["channel"] == "phone"
    listed = api.get("/api/v1/orders?written_pending=true").json()
    assert [row["id"] for row in listed["items"]] == [order.pk]

    with pytest.raises(ValidationError):
        actions.record_written_follow_up(actor=province.officer, order=order, reference="",
                                         sent_at=timezone.now())
    response = lead.post(f"/coordination/orders/{order.pk}/written/", {
        "reference": "25/LĐP-ĐƯCSC", "sent_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M")})
    assert response.status_code == 302
    assert deadline("written_follow_up", order).met_at is not None
    for page in (f"/coordination/orders/{order.pk}/", f"/incidents/{incident.reference}/", "/coordination/workload/"):
        assert pending not in lead.get(page).content.decode(), page
    body = api.get(f"/api/v1/orders/{order.pk}").json()
    assert body["written_pending"] is False and body["written_reference"] == "25/LĐP-ĐƯCSC"
    assert api.get("/api/v1/orders?written_pending=true").json()["items"] == []
    with pytest.raises(ValidationError):
        actions.record_written_follow_up(actor=province.officer, order=plain, reference="1/X", sent_at=timezone.now())


def test_the_order_page_shows_acknowledgement_per_recipient(province, incident, client_for, vnpt):
    order = issue(province, incident, users=[province.member, province.deputy], organisations=[(vnpt, "a@vnpt.vn")])
    member = order.recipients.get(user=province.member)
    response = client_for(province.member).post(f"/coordination/orders/{order.pk}/recipients/{member.pk}/acknowledge/")
    assert response.status_code == 302
    isp = order.recipients.get(organisation=vnpt)
    client_for(province.officer).post(f"/coordination/orders/{order.pk}/recipients/{isp.pk}/acknowledge/",
                                      {"via": "email", "note": "Thư trả lời của NOC VNPT lúc 10:02"})
    page = client_for(province.lead).get(f"/coordination/orders/{order.pk}/").content.decode()
    rows = {r.pk: page.split(f'id="recipient-{r.pk}"')[1].split("</tr>")[0] for r in order.recipients.all()}
    assert "Thư trả lời của NOC VNPT" in rows[isp.pk]
    deputy = order.recipients.get(user=province.deputy)
    assert "badge unverified" in rows[deputy.pk] and "badge unverified" not in rows[member.pk]


def test_the_api_issues_lists_and_acknowledges_orders(province, incident, api_for, vnpt):
    api = api_for(province.officer)
    response = api.post("/api/v1/orders", {
        "incident": incident.reference, "content": "Cô lập máy chủ HIS khỏi mạng.", "signer": "Đội trưởng",
        "due_at": (timezone.now() + timedelta(hours=6)).isoformat(), "contact_point": "PA05 0255 3822 000",
        "channel": "email", "urgent": True, "users": [province.member.pk],
        "organisations": [{"organisation": vnpt.pk, "email": "noc@vnpt.example.vn"}]}, content_type="application/json")
    assert response.status_code == 201, response.content
    order = response.json()
    assert order["reference"] == "01/LĐP-ĐƯCSC" and order["written_pending"] is True
    member_row = next(r for r in order["recipients"] if r["user"] == province.member.pk)
    isp_row = next(r for r in order["recipients"] if r["organisation"] == vnpt.pk)
    url = f"/api/v1/orders/{order['id']}/recipients"
    assert api.post(f"{url}/{member_row['id']}/acknowledge", {}, content_type="application/json").status_code == 403
    ok = api_for(province.member).post(f"{url}/{member_row['id']}/acknowledge", {}, content_type="application/json")
    assert ok.status_code == 200, ok.content
    refused = api.post(f"{url}/{isp_row['id']}/acknowledge", {"via": "system"}, content_type="application/json")
    assert refused.status_code == 422 and "via" in refused.json()["errors"]
    ok = api.post(f"{url}/{isp_row['id']}/acknowledge", {"via": "phone", "note": "anh Bình, 09:10"},
                  content_type="application/json")
    assert all(r["acknowledged_at"] for r in ok.json()["recipients"])
    written = api.post(f"/api/v1/orders/{order['id']}/written-follow-up",
                       {"reference": "26/LĐP-ĐƯCSC", "sent_at": timezone.now().isoformat()},
                       content_type="application/json")
    assert written.status_code == 200 and written.json()["written_pending"] is False
    # Recipients got the order: the member has no e-mail in the fixture, the ISP's contact has one.
    assert Delivery.objects.filter(event="coordination_order", recipient="noc@vnpt.example.vn").exists()


def test_outsiders_neither_see_nor_act_on_orders(province, incident, client_for, api_for):
    order = issue(province, incident)
    assert client_for(province.outsider).get(f"/coordination/orders/{order.pk}/").status_code == 404
    assert api_for(province.outsider).get(f"/api/v1/orders/{order.pk}").status_code == 404
    assert api_for(province.outsider).get("/api/v1/orders").json()["items"] == []
    refused = api_for(province.outsider).post("/api/v1/orders", {
        "incident": incident.reference, "content": "x", "signer": "x", "contact_point": "x", "channel": "phone",
        "due_at": (timezone.now() + timedelta(hours=6)).isoformat(), "users": [province.member.pk]},
        content_type="application/json")
    assert refused.status_code == 404


def test_the_order_list_api_makes_a_constant_number_of_queries(province, incident, api_for, vnpt,
                                                               django_assert_max_num_queries):
    for _n in range(6):
        issue(province, incident, users=[province.member, province.deputy], organisations=[(vnpt, "a@vnpt.vn")])
    api = api_for(province.officer)
    # Token, user roles, count, page, recipients.
    with django_assert_max_num_queries(8):
        body = api.get("/api/v1/orders").json()
    assert body["count"] == 6 and len(body["items"][0]["recipients"]) == 3


def test_the_order_form_page_issues_an_order(province, incident, client_for):
    isp_with_mail = registry_actions.create_organisation(actor=None, name="Viettel Quảng Ngãi", kind="enterprise",
                                                         email="noc@viettel.example.vn")
    url = f"/coordination/incidents/{incident.reference}/orders/"
    assert client_for(province.reporter).get(url).status_code == 403
    officer = client_for(province.officer)
    assert 'id="new-order"' in officer.get(f"/incidents/{incident.reference}/").content.decode()
    assert officer.get(url).status_code == 200
    due = (timezone.localtime() + timedelta(days=1)).strftime("%Y-%m-%dT%H:%M")
    refused = officer.post(url, {"content": "Chặn IP", "due_at": due, "contact_point": "PA05", "signer": "Đội trưởng",
                                 "channel": "phone", "urgent": "on"})
    assert refused.status_code == 422 and not CoordinationOrder.objects.exists()  # nobody to send it to
    response = officer.post(url, {"content": "Chặn IP 203.0.113.9", "due_at": due, "contact_point": "PA05",
                                  "signer": "Đội trưởng", "channel": "phone", "urgent": "on",
                                  "users": [province.member.pk], "organisations": [isp_with_mail.pk]})
    order = CoordinationOrder.objects.get()
    assert response.status_code == 302 and response.url == f"/coordination/orders/{order.pk}/"
    assert order.urgent and order.written_pending and order.recipients.count() == 2


def test_the_incident_panel_and_order_page_do_not_grow_with_the_orders(province, incident, client_for, vnpt):
    def count(url):
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        return len(queries)

    client = client_for(province.lead)
    first = issue(province, incident, users=[province.member], organisations=[(vnpt, "a@vnpt.vn")])
    few = (count(f"/incidents/{incident.reference}/"), count(f"/coordination/orders/{first.pk}/"))
    for _n in range(4):
        issue(province, incident, users=[province.member, province.deputy, province.officer],
              organisations=[(vnpt, "a@vnpt.vn")], channel="email", urgent=True)
    many = (count(f"/incidents/{incident.reference}/"), count(f"/coordination/orders/{first.pk}/"))
    assert many == few

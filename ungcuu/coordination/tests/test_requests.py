"""Requests for direction (to the steering committee) and for support (national coordinator, providers) and
their answers are part of the incident's record (QĐ 05/2017 Điều 11.2; TT 20/2017 Điều 11 step 1c)."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from ungcuu.audit.models import AuditEntry
from ungcuu.coordination import actions
from ungcuu.coordination.models import RequestStatus


def ask(province, incident, actor=None, **extra):
    values = {"kind": "direction", "addressed_to_kind": "steering_committee",
              "addressed_to_name": "Ban Chỉ đạo ứng cứu sự cố tỉnh", "channel": "document",
              "content": "Xin ý kiến chỉ đạo việc tạm dừng hệ thống HIS để xử lý mã độc.", "reference": "31/BC-ĐƯCSC"}
    values.update(extra)
    return actions.send_request(actor=actor or province.officer, incident=incident, **values)


def test_a_request_is_answered_and_the_answer_shows_on_the_incident(province, incident, client_for):
    request = ask(province, incident)
    actions.record_answer(actor=province.lead, request=request, answer="Đồng ý tạm dừng HIS trong 4 giờ.",
                          answered_by_name="Phó Chủ tịch UBND tỉnh")
    request.refresh_from_db()
    assert request.status == RequestStatus.ANSWERED
    page = client_for(province.lead).get(f"/incidents/{incident.reference}/").content.decode()
    assert "Đồng ý tạm dừng HIS trong 4 giờ." in page and "Phó Chủ tịch UBND tỉnh" in page
    assert AuditEntry.objects.filter(action="coordination.answer_request", object_id=str(incident.pk)).exists()
    with pytest.raises(ValidationError):
        actions.withdraw_request(actor=province.lead, request=request)


def test_requests_are_for_the_team_and_need_their_content(province, incident):
    with pytest.raises(PermissionDenied):
        ask(province, incident, actor=province.member)
    with pytest.raises(ValidationError) as refused:
        ask(province, incident, kind="money", addressed_to_kind="", addressed_to_name="", content="",
            sent_at=timezone.now() + timedelta(days=1))
    assert set(refused.value.message_dict) == {"kind", "addressed_to_kind", "addressed_to_name", "content", "sent_at"}


def test_an_answer_cannot_come_before_the_request(province, incident):
    request = ask(province, incident, kind="support", addressed_to_kind="national_coordinator",
                  addressed_to_name="VNCERT/CC", sent_at=timezone.now() - timedelta(hours=1))
    with pytest.raises(ValidationError) as refused:
        actions.record_answer(actor=province.officer, request=request, answer="Cử 2 chuyên gia",
                              answered_by_name="VNCERT/CC", answered_at=timezone.now() - timedelta(hours=2))
    assert "answered_at" in refused.value.message_dict
    actions.withdraw_request(actor=province.officer, request=request, reason="Đã tự xử lý được")
    request.refresh_from_db()
    assert request.status == RequestStatus.WITHDRAWN


def test_requests_through_the_page_and_the_api(province, incident, client_for, api_for):
    response = client_for(province.officer).post(f"/coordination/incidents/{incident.reference}/requests/", {
        "kind": "support", "addressed_to_kind": "provider", "addressed_to_name": "VNPT Quảng Ngãi",
        "content": "Đề nghị hỗ trợ chặn lưu lượng DDoS.", "channel": "email",
        "sent_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M")})
    assert response.status_code == 302
    api = api_for(province.officer)
    listed = api.get(f"/api/v1/requests?incident={incident.reference}").json()
    assert [row["addressed_to_name"] for row in listed["items"]] == ["VNPT Quảng Ngãi"]
    request_id = listed["items"][0]["id"]
    answered = api.post(f"/api/v1/requests/{request_id}/answer", {"answer": "Đã lọc tại biên.",
                                                                  "answered_by_name": "NOC VNPT"},
                        content_type="application/json")
    assert answered.status_code == 200 and answered.json()["status"] == "answered"
    created = api.post("/api/v1/requests", {"incident": str(incident.pk), "kind": "direction",
                                            "addressed_to_kind": "steering_committee",
                                            "addressed_to_name": "Ban Chỉ đạo", "content": "Xin chỉ đạo",
                                            "channel": "document"}, content_type="application/json")
    assert created.status_code == 201
    assert api_for(province.outsider).get(f"/api/v1/requests/{request_id}").status_code in (404, 405)
    assert api_for(province.outsider).post(f"/api/v1/requests/{request_id}/answer", {
        "answer": "x", "answered_by_name": "x"}, content_type="application/json").status_code == 404
    assert api_for(province.outsider).get("/api/v1/requests").json()["items"] == []


def test_the_reporting_agency_does_not_see_the_coordination_panel(province, incident, client_for):
    ask(province, incident)
    page = client_for(province.reporter).get(f"/incidents/{incident.reference}/")
    assert page.status_code == 200
    assert 'id="coordination"' not in page.content.decode()
    assert "Xin ý kiến chỉ đạo việc tạm dừng" not in page.content.decode()  # the request itself

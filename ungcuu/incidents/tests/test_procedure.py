"""The response procedure as a state machine: TT 20/2017 Điều 11 (normal) and QĐ 05/2017 Điều 14 (serious).

Driven through the actions and through the API, as the team would: every move audited, refused moves
explained, close-out gated on the final report (TT 20 Điều 9.2.b).
"""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import translation

from ungcuu.audit.models import AuditEntry
from ungcuu.incidents import actions, procedure
from ungcuu.incidents.models import Incident, IncidentStatus, Severity, StepTransition
from ungcuu.incidents.procedure import Step
from ungcuu.incidents.tests.helpers import make_incident
from ungcuu.registry import actions as registry_actions

TODAY = datetime.date(2026, 11, 25)


@pytest.fixture(autouse=True)
def english_messages():
    """The refusals are read in their English source text (pages are Vietnamese by default)."""
    with translation.override("en"):
        yield


def triaged(province, **overrides):
    """A verified and classified incident on the hospital's HIS, still at step 1a."""
    incident = make_incident(province.reporter, system=province.his.pk, **overrides)
    actions.verify_sender(actor=province.officer, incident=incident, method="phone_callback", note="0905 111 222")
    return actions.classify(actor=province.officer, incident=incident, cause="cyber_attack",
                            attack_type="encryption", effects=["service_interruption"], owner_can_handle=True,
                            system=province.his)


def move(actor, incident, to_step, reason=""):
    return actions.move_step(actor=actor, incident=incident, to_step=to_step, reason=reason)


def send(actor, incident, kind, number):
    return actions.record_report(actor=actor, incident=incident, kind=kind, number=number, issued_on=TODAY,
                                 recipients="Sở Y tế; Đội ƯCSC tỉnh; VNCERT/CC")


def refusal(call) -> str:
    with pytest.raises(ValidationError) as refused:
        call()
    return " ".join(refused.value.messages)


def test_every_step_has_its_source_lead_and_a_way_forward():
    for step in Step.values:
        info = procedure.STEPS[step]
        assert info.source, step
        if step != Step.CLOSED:
            assert procedure.allowed_moves(step), f"{step} is a dead end"
    # Every step of both paths can be reached from the start.
    reached, frontier = set(), [Step.RECEIVE_VERIFY, Step.SERIOUS_DETECT]
    while frontier:
        step = frontier.pop()
        if step not in reached:
            reached.add(step)
            frontier.extend(procedure.allowed_moves(step))
    assert reached == set(Step.values)


# (from, to, allowed) — TT 20 Điều 11: steps in order, 1d only "if needed", 3c may go back to 2 or 3a.
MOVES = [
    (Step.RECEIVE_VERIFY, Step.INITIAL_RESPONSE, True),
    (Step.RECEIVE_VERIFY, Step.CONTAIN, False),
    (Step.RESPONSE_OPTION, Step.DIRECTION, True),
    (Step.RESPONSE_OPTION, Step.REPORT, True),  # 1d is "nếu cần"
    (Step.RESPONSE_OPTION, Step.CONTAIN, False),
    (Step.CONTAIN, Step.RECOVER, False),  # 3a cannot be skipped
    (Step.VERIFY_RECOVERY, Step.CONTAIN, True),  # Điều 11.3.c: back to 2
    (Step.VERIFY_RECOVERY, Step.ERADICATE, True),  # or 3
    (Step.VERIFY_RECOVERY, Step.RECOVER, False),
    (Step.VERIFY_RECOVERY, Step.VIOLATIONS, True),  # seed 000 III.4
    (Step.CLOSE_OUT, Step.CLOSED, True),
    (Step.CONTAIN, Step.CLOSED, False),
    (Step.SERIOUS_ASSESS, Step.SERIOUS_PLAN, True),
    (Step.SERIOUS_ASSESS, Step.INITIAL_RESPONSE, True),  # QĐ 05 Điều 14.2: not serious → normal procedure
    (Step.SERIOUS_EVALUATE, Step.SERIOUS_EMERGENCY, True),
    (Step.SERIOUS_PLAN, Step.SERIOUS_EMERGENCY, False),
]


@pytest.mark.parametrize(("current", "to", "allowed"), MOVES)
def test_transition_table(current, to, allowed):
    assert (to in procedure.allowed_moves(current)) is allowed


def test_a_normal_incident_from_report_to_close_out(province, client_for):
    incident = make_incident(province.reporter, system=province.his.pk)
    assert incident.step == Step.RECEIVE_VERIFY
    message = refusal(lambda: move(province.officer, incident, Step.INITIAL_RESPONSE))
    assert "not been verified" in message and "classified" in message

    incident = triaged(province)
    incident = move(province.officer, incident, Step.INITIAL_RESPONSE, "Cô lập máy chủ HIS khỏi mạng")
    assert incident.status == IncidentStatus.IN_RESPONSE
    incident = move(province.officer, incident, Step.RESPONSE_OPTION)
    assert "approval" in refusal(lambda: move(province.officer, incident, Step.REPORT))
    actions.record_response_option(actor=province.officer, incident=incident,
                                   option="Khôi phục từ bản sao lưu sạch ngày 19/11", approved_by="Giám đốc Sở Y tế")
    incident = move(province.officer, incident, Step.REPORT)  # no direction needed
    assert "notification" in refusal(lambda: move(province.officer, incident, Step.COORDINATE))
    send(province.officer, incident, "notice", "15/TB-SYT")
    for step in (Step.COORDINATE, Step.CONTAIN, Step.ERADICATE, Step.RECOVER, Step.VERIFY_RECOVERY):
        incident = move(province.officer, incident, step)

    # Verification after recovery fails: back to containment, with the reason (TT 20 Điều 11.3.c).
    assert "Say what failed" in refusal(lambda: move(province.officer, incident, Step.CONTAIN))
    incident = move(province.officer, incident, Step.CONTAIN, "Mã độc còn trên máy trạm kế toán")
    assert incident.step == Step.CONTAIN and incident.response_ended_at is None
    for step in (Step.ERADICATE, Step.RECOVER, Step.VERIFY_RECOVERY, Step.CLOSE_OUT):
        incident = move(province.officer, incident, step)
    assert incident.response_ended_at is not None  # the final report's 5 days start here

    message = refusal(lambda: move(province.lead, incident, Step.CLOSED))
    assert "root cause" in message and "final report" in message
    actions.record_close_out(actor=province.officer, incident=incident, root_cause="RDP mở ra Internet",
                             lasting_fix="Đóng RDP, VPN có xác thực hai lớp",
                             prevention_proposals="Rà quét định kỳ 6 tháng", lessons_learned="Sao lưu ngoại tuyến")
    assert "final report" in refusal(lambda: move(province.lead, incident, Step.CLOSED))
    send(province.officer, incident, "final", "20/BC-SYT")
    with pytest.raises(PermissionDenied):
        move(province.officer, incident, Step.CLOSED)  # the lead closes
    incident = move(province.lead, incident, Step.CLOSED)
    assert (incident.step, incident.status) == (Step.CLOSED, IncidentStatus.CLOSED)

    path = list(incident.transitions.values_list("to_step", flat=True))
    assert path[:3] == [Step.INITIAL_RESPONSE, Step.RESPONSE_OPTION, Step.REPORT]
    assert path.count(Step.CONTAIN) == 2 and path[-1] == Step.CLOSED
    back = incident.transitions.get(direction="back")
    assert (back.from_step, back.actor, back.reason) == (Step.VERIFY_RECOVERY, province.officer,
                                                        "Mã độc còn trên máy trạm kế toán")
    assert AuditEntry.objects.filter(action="incidents.step", object_id=str(incident.pk)).count() == len(path)
    page = client_for(province.officer).get(f"/incidents/{incident.reference}/procedure/").content.decode()
    assert "Mã độc còn trên máy trạm kế toán" in page and "20/BC-SYT" in page


def test_a_step_skipped_out_of_order_is_refused_and_nothing_changes(province):
    incident = move(province.officer, triaged(province), Step.INITIAL_RESPONSE)
    message = refusal(lambda: move(province.officer, incident, Step.CONTAIN))
    assert "cannot follow" in message and "1c" in message
    incident.refresh_from_db()
    assert incident.step == Step.INITIAL_RESPONSE
    assert incident.transitions.count() == 1
    assert "Unknown step" in refusal(lambda: move(province.officer, incident, "teleport"))


def test_who_may_move_the_incident(province):
    incident = triaged(province)
    with pytest.raises(PermissionDenied):
        move(province.member, incident, Step.INITIAL_RESPONSE)  # 1a is the standing office's
    incident = move(province.officer, incident, Step.INITIAL_RESPONSE)
    with pytest.raises(PermissionDenied):
        move(province.member, incident, Step.RESPONSE_OPTION)  # not dispatched to it
    with pytest.raises(PermissionDenied):
        move(province.reporter, incident, Step.RESPONSE_OPTION)


def test_the_steering_committees_direction_is_recorded(province):
    incident = move(province.officer, triaged(province), Step.INITIAL_RESPONSE)
    incident = move(province.officer, incident, Step.RESPONSE_OPTION)
    actions.record_response_option(actor=province.officer, incident=incident, option="Cô lập", approved_by="Đội trưởng")
    incident = move(province.officer, incident, Step.DIRECTION)
    assert "direction" in refusal(lambda: move(province.officer, incident, Step.REPORT))
    incident = move(province.officer, incident, Step.REPORT, "Ban Chỉ đạo: huy động thêm 2 thành viên")
    assert incident.transitions.last().reason == "Ban Chỉ đạo: huy động thêm 2 thành viên"


def _serious(province):
    system = registry_actions.create_system(actor=None, name="Cổng dịch vụ công", owner=province.province,
                                            operator=province.province, level=4, domains=["dichvucong.example.vn"])
    incident = make_incident(province.reporter)
    actions.verify_sender(actor=province.officer, incident=incident, method="phone_callback")
    return actions.classify(actor=province.officer, incident=incident, cause="cyber_attack", attack_type="malware",
                            effects=["data_unrecoverable"], owner_can_handle=False, system=system)


def test_a_serious_incident_along_the_emergency_procedure(province):
    incident = actions.propose_serious(actor=province.officer, incident=_serious(province))
    assert incident.step == Step.SERIOUS_ASSESS  # VNCERT/CC verifies and classifies (QĐ 05 Điều 14.2)
    assert "decision" in refusal(lambda: move(province.officer, incident, Step.SERIOUS_PLAN))
    incident = actions.record_severity_decision(actor=province.officer, incident=incident, serious=True,
                                                decision="Công văn 123/VNCERT-ĐPƯC ngày 21/11/2026")
    assert incident.step == Step.SERIOUS_PLAN
    for step in (Step.SERIOUS_INITIAL, Step.SERIOUS_EMERGENCY, Step.SERIOUS_EVALUATE):
        incident = move(province.lead, incident, step)
    assert incident.response_ended_at is not None
    incident = move(province.lead, incident, Step.SERIOUS_EMERGENCY, "Dịch vụ công chưa ổn định")
    incident = move(province.lead, incident, Step.SERIOUS_EVALUATE)
    incident = move(province.lead, incident, Step.SERIOUS_CLOSE)
    actions.record_close_out(actor=province.lead, incident=incident, root_cause="Lỗ hổng CMS",
                             lasting_fix="Vá và WAF", prevention_proposals="Giám sát 24/7")
    send(province.lead, incident, "final", "3/BC-ĐƯCSC")
    incident = move(province.lead, incident, Step.CLOSED)
    assert incident.status == IncidentStatus.CLOSED
    switches = incident.transitions.filter(direction="switch").values_list("to_step", flat=True)
    assert list(switches) == [Step.SERIOUS_ASSESS, Step.SERIOUS_PLAN]


def test_not_serious_after_all_returns_to_the_normal_step(province):
    incident = _serious(province)
    incident = move(province.officer, incident, Step.INITIAL_RESPONSE)
    incident = actions.propose_serious(actor=province.officer, incident=incident)
    assert incident.step == Step.SERIOUS_ASSESS
    incident = actions.record_severity_decision(actor=province.officer, incident=incident, serious=False,
                                                decision="Thư điện tử VNCERT/CC 22/11/2026")
    assert (incident.step, incident.severity) == (Step.INITIAL_RESPONSE, Severity.NORMAL)


def test_merged_or_rejected_reports_do_not_move(province):
    incident = triaged(province)
    other = triaged(province)
    actions.merge_incident(actor=province.officer, duplicate=other, into=incident)
    assert "merged" in refusal(lambda: move(province.officer, other, Step.INITIAL_RESPONSE))
    rejected = actions.reject_report(actor=province.officer, incident=make_incident(province.reporter),
                                     reason="Thử nghiệm")
    assert "rejected" in refusal(lambda: move(province.officer, rejected, Step.INITIAL_RESPONSE))


def test_final_report_only_after_the_response_ended(province):
    incident = move(province.officer, triaged(province), Step.INITIAL_RESPONSE)
    assert "after the response has ended" in refusal(lambda: send(province.officer, incident, "final", "1/BC"))
    assert "number" in refusal(lambda: send(province.officer, incident, "progress", " "))


def test_the_procedure_through_the_api(province, api_for):
    incident = triaged(province)
    lead = api_for(province.lead)
    base = f"/api/v1/incidents/{incident.reference}"

    def post(path, body):
        return lead.post(base + path, body, content_type="application/json")

    state = lead.get(base + "/procedure").json()
    assert state["step"] == "receive_verify" and [m["to_step"] for m in state["next"]] == ["initial_response"]
    skipped = post("/procedure/move", {"to_step": "contain"})
    assert skipped.status_code == 422 and "to_step" in skipped.json()["errors"]
    for step in ("initial_response", "response_option"):
        assert post("/procedure/move", {"to_step": step}).status_code == 200
    post("/procedure/response-option", {"option": "Cô lập và khôi phục", "approved_by": "Giám đốc Sở Y tế"})
    post("/procedure/move", {"to_step": "report"})
    created = post("/reports", {"kind": "initial", "number": "7/BC-SYT", "issued_on": "2026-11-21",
                                "recipients": "Sở Y tế; VNCERT/CC"})
    assert created.status_code == 201
    for step in ("coordinate", "contain", "eradicate", "recover", "verify_recovery"):
        assert post("/procedure/move", {"to_step": step}).status_code == 200
    failed = post("/procedure/move", {"to_step": "contain", "reason": "Dịch vụ chưa ổn định"})
    assert failed.json()["step"] == "contain"
    for step in ("eradicate", "recover", "verify_recovery", "close_out"):
        post("/procedure/move", {"to_step": step})
    refused = post("/procedure/move", {"to_step": "closed"})
    assert refused.status_code == 422
    assert any("Biểu mẫu 04" in m for m in refused.json()["errors"]["to_step"])  # the final report
    post("/procedure/close-out", {"root_cause": "RDP", "lasting_fix": "VPN", "prevention_proposals": "Rà quét"})
    post("/reports", {"kind": "final", "number": "9/BC-SYT", "issued_on": "2026-11-26", "recipients": "VNCERT/CC"})
    closed = post("/procedure/move", {"to_step": "closed"}).json()
    assert closed["status"] == "closed" and closed["next"] == []
    assert [t["to_step"] for t in closed["transitions"]].count("contain") == 2
    assert Incident.objects.get(pk=incident.pk).step == Step.CLOSED
    assert StepTransition.objects.filter(incident=incident, actor=province.lead).count() == 14


def test_the_procedure_page_shows_where_it_is_what_is_next_and_who_acts(province, client_for):
    incident = triaged(province)
    client = client_for(province.officer)
    page = client.get(f"/incidents/{incident.reference}/procedure/").content.decode()
    assert 'class="current" data-step="receive_verify"' in page
    assert 'class="ahead" data-step="initial_response"' in page
    assert 'value="initial_response"' in page  # the one move offered
    assert "TT 20/2017 Điều 11.1.a" in page
    response = client.post(f"/incidents/{incident.reference}/procedure/move/", {"to_step": "contain"})
    assert response.status_code == 422
    response = client.post(f"/incidents/{incident.reference}/procedure/move/", {"to_step": "initial_response"})
    assert response.status_code == 302
    page = client.get(f"/incidents/{incident.reference}/procedure/").content.decode()
    assert 'class="done" data-step="receive_verify"' in page and 'class="current" data-step="initial_response"' in page
    assert "Officer" in page  # who moved it
    detail = client.get(f"/incidents/{incident.reference}/").content.decode()
    assert f"/incidents/{incident.reference}/procedure/" in detail


def test_a_dispatched_member_may_move_the_technical_steps(province, client_for):
    from ungcuu.coordination.actions import dispatch_member

    incident = move(province.officer, triaged(province), Step.INITIAL_RESPONSE)
    client = client_for(province.member)
    page = client.get(f"/incidents/{incident.reference}/procedure/").content.decode()
    assert 'id="move-form"' not in page  # sees the incident (own organisation) but is not on it
    dispatch_member(actor=province.lead, incident=incident, user=province.member, role="Phân tích mã độc")
    page = client.get(f"/incidents/{incident.reference}/procedure/").content.decode()
    assert 'id="move-form"' in page and "Member" in page  # named among those who must act
    assert move(province.member, incident, Step.RESPONSE_OPTION).step == Step.RESPONSE_OPTION


def test_a_serious_incident_through_the_api(province, api_for):
    incident = _serious(province)
    lead = api_for(province.lead)
    base = f"/api/v1/incidents/{incident.reference}"

    def post(path, body):
        return lead.post(base + path, body, content_type="application/json")

    assert post("/propose-serious", {"note": "Cổng dịch vụ công ngừng hoạt động"}).json()["step"] == "serious_assess"
    assert post("/procedure/move", {"to_step": "serious_plan"}).status_code == 422  # VNCERT/CC has not decided
    decided = post("/severity-decision", {"serious": True, "decision": "Công văn 45/VNCERT-ĐPƯC ngày 22/11/2026"})
    assert decided.json()["severity"] == "serious" and decided.json()["step"] == "serious_plan"
    for step in ("serious_initial", "serious_emergency", "serious_evaluate"):
        assert post("/procedure/move", {"to_step": step}).status_code == 200
    # The evaluation finds the service unstable: back to the emergency response, which is not over after all.
    back = post("/procedure/move", {"to_step": "serious_emergency", "reason": "Dịch vụ công chưa ổn định"}).json()
    assert back["response_ended_at"] is None
    assert post("/reports", {"kind": "final", "number": "1/BC", "issued_on": "2026-11-23",
                             "recipients": "VNCERT/CC"}).status_code == 422
    for step in ("serious_evaluate", "serious_close"):
        post("/procedure/move", {"to_step": step})
    post("/procedure/close-out", {"root_cause": "Lỗ hổng CMS", "lasting_fix": "Vá, WAF",
                                  "prevention_proposals": "Giám sát 24/7"})
    assert post("/reports", {"kind": "final", "number": "2/BC-ĐƯCSC", "issued_on": "2026-11-24",
                             "recipients": "Cơ quan thường trực; VNCERT/CC"}).status_code == 201
    closed = post("/procedure/move", {"to_step": "closed"}).json()
    assert closed["status"] == "closed" and closed["path"] == ""
    steps = [t["to_step"] for t in closed["transitions"]]
    assert steps[:2] == ["serious_assess", "serious_plan"] and steps[-1] == "closed"


def test_closing_ends_what_is_still_open_and_going_back_reopens_the_response(province):
    from ungcuu.deadlines.models import Deadline

    incident = actions.propose_serious(actor=province.officer, incident=_serious(province))
    incident = actions.record_severity_decision(actor=province.officer, incident=incident, serious=True,
                                                decision="CV 1/VNCERT")
    for step in (Step.SERIOUS_INITIAL, Step.SERIOUS_EMERGENCY, Step.SERIOUS_EVALUATE):
        incident = move(province.lead, incident, step)
    final = Deadline.objects.get(incident=incident, kind="final_report")
    assert final.cancelled_at is None
    incident = move(province.lead, incident, Step.SERIOUS_EMERGENCY, "Chưa ổn định")
    final.refresh_from_db()
    assert final.cancelled_at is not None and incident.response_ended_at is None
    for step in (Step.SERIOUS_EVALUATE, Step.SERIOUS_CLOSE):
        incident = move(province.lead, incident, step)
    actions.record_close_out(actor=province.lead, incident=incident, root_cause="a", lasting_fix="b",
                             prevention_proposals="c")
    send(province.lead, incident, "final", "9/BC")
    move(province.lead, incident, Step.CLOSED)
    assert not Deadline.objects.filter(incident=incident, met_at__isnull=True, cancelled_at__isnull=True).exists()


def test_dates_and_steps_of_the_record_are_checked(province):
    incident = triaged(province)
    assert "1c" in refusal(lambda: actions.record_response_option(
        actor=province.officer, incident=incident, option="Cô lập", approved_by="Sở Y tế"))
    assert "verified after recovery" in refusal(lambda: actions.record_close_out(
        actor=province.officer, incident=incident, root_cause="a", lasting_fix="b", prevention_proposals="c"))
    future = datetime.date(2030, 5, 5)
    assert "dated after" in refusal(lambda: actions.record_report(
        actor=province.officer, incident=incident, kind="notice", number="1/TB", issued_on=future,
        recipients="VNCERT/CC"))
    assert not incident.reports.exists()


def test_a_released_member_no_longer_acts(province):
    from ungcuu.coordination.actions import dispatch_member, release_member

    incident = move(province.officer, triaged(province), Step.INITIAL_RESPONSE)
    responder = dispatch_member(actor=province.lead, incident=incident, user=province.member, role="Phân tích")
    release_member(actor=province.lead, responder=responder)
    with pytest.raises(PermissionDenied):
        move(province.member, incident, Step.RESPONSE_OPTION)


def test_the_steering_committee_records_its_direction(province):
    from ungcuu.accounts import actions as account_actions

    steering = account_actions.create_user(actor=None, username="steering", password=None, full_name="Ban Chỉ đạo",
                                           organisation=province.province, roles=["steering_member"])
    incident = move(province.officer, triaged(province), Step.INITIAL_RESPONSE)
    incident = move(province.officer, incident, Step.RESPONSE_OPTION)
    actions.record_response_option(actor=province.officer, incident=incident, option="Cô lập", approved_by="Đội trưởng")
    incident = move(province.officer, incident, Step.DIRECTION)
    incident = move(steering, incident, Step.REPORT, "Chỉ đạo: khẩn trương khôi phục dịch vụ")
    assert incident.transitions.last().actor == steering

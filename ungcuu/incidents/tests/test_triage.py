"""Triage: verification of the sender, classification, the serious criteria, related incidents and merging."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from ungcuu.audit.models import AuditEntry
from ungcuu.incidents import actions, severity
from ungcuu.incidents.models import Effect, Incident, IncidentStatus, Severity
from ungcuu.incidents.tests.helpers import make_incident
from ungcuu.registry import actions as registry_actions

ALL = list(Effect.values)

# QĐ 05/2017/QĐ-TTg Điều 9: serious ⇔ (level 4–5 or national critical list) ∧ one of the effects a–đ
# (Điều 9.1) ∧ the owner cannot control and handle it (Điều 9.2). REGULATION.md §2.2.
SERIOUS_CASES = [
    # level, national critical, effects, owner can handle, serious?, criterion exercised
    (4, False, ["service_interruption"], False, True, "9.1 level 4 + a) service interrupted + 9.2"),
    (5, False, ["secret_data_leak"], False, True, "9.1 level 5 + b) secret data may leak + 9.2"),
    (4, False, ["data_unrecoverable"], False, True, "9.1 c) important data unrecoverable"),
    (4, False, ["loss_of_control"], False, True, "9.1 d) control lost"),
    (5, False, ["spreading"], False, True, "9.1 đ) spreading to other level 4–5 systems"),
    (2, True, ["service_interruption"], False, True, "9.1 national critical list, whatever the level"),
    (4, False, ALL, False, True, "several effects at once"),
    (3, False, ALL, False, False, "9.1 fails: level 3 is not 4 or 5"),
    (1, False, ["loss_of_control"], False, False, "9.1 fails: level 1"),
    (None, False, ["loss_of_control"], False, False, "9.1 fails: level unknown"),
    (4, False, [], False, False, "9.1 fails: none of the effects a–đ"),
    (5, False, ["service_interruption"], True, False, "9.2 fails: the owner can handle it"),
    (5, False, ["service_interruption"], None, False, "9.2 not yet known"),
    (4, False, ["not_an_effect"], False, False, "unknown effect codes do not count"),
]


@pytest.mark.parametrize(("level", "critical", "effects", "owner_can_handle", "serious", "why"), SERIOUS_CASES,
                         ids=[case[-1] for case in SERIOUS_CASES])
def test_serious_criteria_of_qd05_dieu9(level, critical, effects, owner_can_handle, serious, why):
    result = severity.assess(level=level, national_critical=critical, effects=effects,
                             owner_can_handle=owner_can_handle)
    assert result.meets_criteria is serious, why
    assert len(result.reasons) == 3  # one line per criterion, shown to the standing office
    met = [r.startswith("✔") for r in result.reasons]
    assert all(met) if serious else not all(met)


def _level4_system(province):
    return registry_actions.create_system(actor=None, name="Cổng dịch vụ công", owner=province.province,
                                          operator=province.province, level=4, domains=["dichvucong.example.vn"])


def test_registered_system_level_overrides_the_level_reported(province):
    system = _level4_system(province)
    incident = make_incident(province.reporter, system_level=1)
    incident = actions.classify(actor=province.officer, incident=incident, cause="cyber_attack",
                                attack_type="denial_of_service", effects=["service_interruption"],
                                owner_can_handle=False, system=system)
    assert severity.assess_incident(incident).meets_criteria


def test_the_province_can_only_propose_serious_and_records_the_coordinators_decision(province, client_for):
    incident = make_incident(province.reporter)
    actions.classify(actor=province.officer, incident=incident, cause="cyber_attack", attack_type="malware",
                     effects=["data_unrecoverable"], owner_can_handle=False, system=_level4_system(province))
    incident = actions.propose_serious(actor=province.officer, incident=incident)
    assert incident.severity == Severity.PROPOSED_SERIOUS  # not "serious": VNCERT/CC decides

    with pytest.raises(ValidationError):
        actions.record_severity_decision(actor=province.officer, incident=incident, serious=True, decision=" ")
    incident = actions.record_severity_decision(actor=province.officer, incident=incident, serious=True,
                                                decision="Công văn 123/VNCERT-ĐPƯC ngày 21/11/2026")
    assert incident.severity == Severity.SERIOUS
    page = client_for(province.officer).get(f"/incidents/{incident.reference}/").content.decode()
    assert "Công văn 123/VNCERT-ĐPƯC" in page


def test_proposing_serious_is_refused_with_the_unmet_criteria(province, client_for):
    incident = make_incident(province.reporter, system=province.his.pk)  # level 3
    actions.classify(actor=province.officer, incident=incident, cause="cyber_attack", attack_type="malware",
                     effects=["service_interruption"], owner_can_handle=False, system=province.his)
    with pytest.raises(ValidationError) as refused:
        actions.propose_serious(actor=province.officer, incident=incident)
    assert any("3" in message for message in refused.value.messages)
    response = client_for(province.officer).post(f"/incidents/{incident.reference}/propose-serious/")
    assert response.status_code == 422
    assert Incident.objects.get(pk=incident.pk).severity == Severity.NORMAL


@pytest.mark.parametrize(("cause", "attack_type", "field"), [
    ("cyber_attack", "", "attack_type"),  # an attack needs one of the 10 types
    ("cyber_attack", "sql_injection", "attack_type"),  # and not another word for it (the API takes any text)
    ("operator_error", "malware", "attack_type"),  # a type only for attacks
    ("earthquake", "", "cause"),
])
def test_classification_rules(province, cause, attack_type, field):
    incident = make_incident(province.reporter)
    with pytest.raises(ValidationError) as refused:
        actions.classify(actor=province.officer, incident=incident, cause=cause, attack_type=attack_type)
    assert field in refused.value.message_dict


def test_verification_records_how_by_whom_and_when(province, client_for):
    incident = make_incident(province.reporter)
    response = client_for(province.officer).post(f"/incidents/{incident.reference}/verify/", {
        "verification_method": "phone_callback", "verification_note": "Gọi lại 0905 111 222, anh An xác nhận"})
    assert response.status_code == 302
    incident.refresh_from_db()
    assert incident.verified_by == province.officer and incident.verified_at is not None
    assert incident.status == IncidentStatus.VERIFIED
    assert AuditEntry.objects.filter(action="incidents.verify", object_id=str(incident.pk)).exists()
    page = client_for(province.officer).get(f"/incidents/{incident.reference}/").content.decode()
    assert "Gọi lại 0905 111 222" in page


def test_only_the_standing_office_and_leads_triage(province, client_for):
    incident = make_incident(province.reporter)
    with pytest.raises(PermissionDenied):
        actions.verify_sender(actor=province.reporter, incident=incident, method="phone_callback")
    response = client_for(province.reporter).post(f"/incidents/{incident.reference}/classify/", {"cause": "other"})
    assert response.status_code == 403


def test_related_incidents_by_system_and_indicator_and_linking(province, client_for):
    first = make_incident(province.reporter, system=province.his.pk, domains=[], ip_addresses=[])
    same_system = make_incident(province.reporter, system=province.his.pk, domains=[], ip_addresses=[])
    same_ip = make_incident(province.outsider, ip_addresses=["198.51.100.5"], domains=[])
    shared_ip = make_incident(province.reporter, ip_addresses=["198.51.100.5"], domains=[])
    unrelated = make_incident(province.reporter, ip_addresses=["192.0.2.9"], domains=[])

    assert set(actions.related_candidates(first)) == {same_system}
    assert set(actions.related_candidates(shared_ip)) == {same_ip}
    page = client_for(province.officer).get(f"/incidents/{shared_ip.reference}/").content.decode()
    assert same_ip.reference in page and unrelated.reference not in page

    actions.link_incidents(actor=province.officer, incident=first, other=unrelated, note="cùng chiến dịch")
    with pytest.raises(ValidationError):
        actions.link_incidents(actor=province.officer, incident=unrelated, other=first)
    assert unrelated.reference in client_for(province.officer).get(f"/incidents/{first.reference}/").content.decode()


def test_merge_keeps_both_records_and_moves_indicators_to_the_survivor(province, client_for):
    kept = make_incident(province.reporter, ip_addresses=["198.51.100.5"], domains=[])
    duplicate = make_incident(province.reporter, ip_addresses=["198.51.100.9"], domains=["his.example.vn"],
                              description="Báo cáo trùng: mã độc trên HIS")
    response = client_for(province.officer).post(f"/incidents/{duplicate.reference}/merge/",
                                                 {"into": kept.reference.lower(), "reason": "trùng"})
    assert response.status_code == 302

    duplicate.refresh_from_db()
    assert duplicate.status == IncidentStatus.MERGED and duplicate.merged_into == kept
    assert duplicate.description == "Báo cáo trùng: mã độc trên HIS"  # nothing of the duplicate is lost
    assert set(kept.indicators.values_list("value", flat=True)) == {"198.51.100.5", "198.51.100.9", "his.example.vn"}
    page = client_for(province.officer).get(f"/incidents/{kept.reference}/").content.decode()
    assert duplicate.reference in page
    with pytest.raises(ValidationError):
        actions.merge_incident(actor=province.officer, duplicate=kept, into=duplicate)  # duplicate is merged
    with pytest.raises(ValidationError):
        actions.merge_incident(actor=province.officer, duplicate=kept, into=kept)
    with pytest.raises(ValidationError, match=kept.reference):  # the duplicate is frozen as merged
        actions.classify(actor=province.officer, incident=duplicate, cause="operator_error")


def test_reject_keeps_the_report_with_the_reason(province):
    incident = make_incident(province.reporter)
    with pytest.raises(ValidationError):
        actions.reject_report(actor=province.officer, incident=incident, reason="")
    incident = actions.reject_report(actor=province.officer, incident=incident, reason="Thử nghiệm của đơn vị")
    assert incident.status == IncidentStatus.REJECTED
    entry = AuditEntry.objects.get(action="incidents.reject")
    assert entry.changes["reason"] == "Thử nghiệm của đơn vị"


def test_api_triage(province, api_for):
    incident = make_incident(province.reporter)
    api = api_for(province.officer)
    response = api.post(f"/api/v1/incidents/{incident.reference}/verification",
                        {"method": "official_address"}, content_type="application/json")
    assert response.status_code == 200 and response.json()["verified"] is True
    response = api.post(f"/api/v1/incidents/{incident.pk}/classification",
                        {"cause": "cyber_attack"}, content_type="application/json")
    assert response.status_code == 422 and "attack_type" in response.json()["errors"]
    response = api.post(f"/api/v1/incidents/{incident.pk}/classification",
                        {"cause": "cyber_attack", "attack_type": "defacement", "effects": ["service_interruption"],
                         "owner_can_handle": False}, content_type="application/json")
    body = response.json()
    assert body["attack_type"] == "defacement" and body["serious_criteria_met"] is False  # level 3 reported
    assert api_for(province.reporter).post(f"/api/v1/incidents/{incident.pk}/classification",
                                           {"cause": "other"}, content_type="application/json").status_code == 403


def test_a_confidential_report_is_only_merged_into_a_confidential_incident(province):
    ordinary = make_incident(province.reporter)
    secret = make_incident(province.reporter, confidential=True, ip_addresses=["198.51.100.9"])
    with pytest.raises(ValidationError):
        actions.merge_incident(actor=province.officer, duplicate=secret, into=ordinary)
    assert not ordinary.indicators.filter(value="198.51.100.9").exists()
    other_secret = make_incident(province.reporter, confidential=True)
    actions.merge_incident(actor=province.officer, duplicate=secret, into=other_secret)

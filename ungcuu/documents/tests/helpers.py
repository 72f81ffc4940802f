"""Incidents taken through the procedure with the incidents app's actions, and documents issued about them."""

from ungcuu.documents import actions
from ungcuu.incidents import actions as incident_actions
from ungcuu.incidents.procedure import Step
from ungcuu.incidents.tests.helpers import make_incident

RECIPIENTS = ["Sở Khoa học và Công nghệ", "Trung tâm VNCERT/CC", "Lưu: VT, PA05"]


def triaged(province, **overrides):
    """A verified, classified incident on the hospital's HIS, at step 1a."""
    incident = make_incident(province.reporter, system=province.his.pk, **overrides)
    incident_actions.verify_sender(actor=province.officer, incident=incident, method="phone_callback",
                                   note="0905 111 222")
    return incident_actions.classify(actor=province.officer, incident=incident, cause="cyber_attack",
                                     attack_type="encryption", effects=["service_interruption"],
                                     owner_can_handle=True, system=province.his)


def closed_out(province, **overrides):
    """An incident whose response ended and whose close-out is recorded (ready for the final report)."""
    move = incident_actions.move_step
    officer = province.officer
    incident = move(actor=officer, incident=triaged(province, **overrides), to_step=Step.INITIAL_RESPONSE,
                    reason="Cô lập máy chủ HIS")
    incident = move(actor=officer, incident=incident, to_step=Step.RESPONSE_OPTION)
    incident_actions.record_response_option(actor=officer, incident=incident,
                                            option="Khôi phục từ bản sao lưu sạch", approved_by="Giám đốc Sở Y tế")
    incident = move(actor=officer, incident=incident, to_step=Step.REPORT)
    incident_actions.record_report(actor=officer, incident=incident, kind="notice", number="15/TB-SYT",
                                   issued_on=incident.created_at.date(), recipients="Đội ƯCSC tỉnh")
    for step in (Step.COORDINATE, Step.CONTAIN, Step.ERADICATE, Step.RECOVER, Step.VERIFY_RECOVERY, Step.CLOSE_OUT):
        incident = move(actor=officer, incident=incident, to_step=step)
    return incident_actions.record_close_out(actor=officer, incident=incident, root_cause="RDP mở ra Internet",
                                             lasting_fix="Đóng RDP, VPN có xác thực hai lớp",
                                             prevention_proposals="Rà quét định kỳ 6 tháng")


def issue(province, incident, kind="initial_report", *, actor=None, **extra):
    values = {"signer_name": "Nguyễn Văn Bình", "signer_title": "Phó Trưởng ban", "signature_prefix": "KT.",
              "signer_authority": "Trưởng ban", "recipients": RECIPIENTS}
    values.update(extra)
    return actions.issue_document(actor=actor or province.lead, kind=kind, incident=incident, **values)

"""Reports made through the intake action, as a reporter would send them."""

from ungcuu.incidents import actions
from ungcuu.incidents.models import Channel


def report_payload(**overrides) -> dict:
    """A complete, valid Biểu mẫu 03 as the API would send it."""
    payload = {
        "reporter_name": "Sở Y tế tỉnh Thử nghiệm",
        "reporter_address": "01 Hùng Vương, Thử nghiệm",
        "reporter_phone": "0255 3822 111",
        "reporter_email": "soyte@example.vn",
        "contact_name": "Nguyễn Văn An",
        "contact_position": "Chuyên viên CNTT",
        "contact_phone": "0905 111 222",
        "contact_email": "an.nv@example.vn",
        "operator_name": "Bệnh viện Đa khoa",
        "owner_name": "Sở Y tế",
        "system_name": "HIS bệnh viện",
        "system_level": 3,
        "description": "Phát hiện mã độc tống tiền mã hóa dữ liệu trên máy chủ HIS.",
        "detected_at": "2026-11-20T08:30",
        "handling_status": "not_handled",
        "detection_method": "log_review",
        "notified_parties": ["network_member"],
        "ip_addresses": ["198.51.100.5"],
        "domains": ["his.example.vn"],
        "confidential": False,
        "reported_at": "2026-11-20T09:00",
    }
    payload.update(overrides)
    return payload


def make_incident(actor=None, channel=Channel.API, files=(), **overrides):
    """An accepted incident; fails the test loudly if the report is refused."""
    _submission, incident, errors = actions.report_incident(
        channel=channel, payload=report_payload(**overrides), files=files, actor=actor)
    assert not errors, errors
    return incident

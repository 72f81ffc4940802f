"""Alerts as monitoring tools send them."""


def generic_alert(ref, host="198.51.100.5", source="wazuh-soc-qn", **overrides) -> dict:
    alert = {"source": source, "source_ref": str(ref), "title": "Dò quét cổng từ 192.0.2.10",
             "description": "Nhiều kết nối SSH thất bại.", "severity": "high", "host": host,
             "observed_at": "2026-11-20T08:30:00+07:00", "indicators": [{"kind": "ip", "value": "192.0.2.10"}]}
    alert.update(overrides)
    return alert


def wazuh_alert(ref="1700000000.1234", agent_ip="198.51.100.5", level=10) -> dict:
    return {"timestamp": "2026-11-20T08:30:12.345+0700",
            "rule": {"level": level, "description": "sshd: brute force trying to get access to the system.",
                     "id": "5712", "groups": ["syslog", "sshd", "authentication_failures"]},
            "agent": {"id": "001", "name": "his-web-01", "ip": agent_ip},
            "manager": {"name": "wazuh-qn"}, "id": ref, "full_log": "Failed password for root from 192.0.2.10",
            "decoder": {"name": "sshd"}, "data": {"srcip": "192.0.2.10", "srcuser": "root"},
            "location": "/var/log/auth.log"}


def thehive_alert(ref="case-42", **overrides) -> dict:
    alert = {"type": "external", "source": "soc-quoc-gia", "sourceRef": ref, "title": "Mã độc liên lạc C2",
             "description": "Máy chủ liên lạc với máy chủ điều khiển.", "severity": 3, "date": 1795000000000,
             "tags": ["c2"], "observables": [{"dataType": "domain", "data": "his.example.vn"},
                                             {"dataType": "ip", "data": "192.0.2.99"}]}
    alert.update(overrides)
    return alert

"""Demo data of alerts, made through its actions; called by ungcuu.demo.load()."""

from datetime import timedelta

from django.utils import timezone

from ungcuu.alerts import actions
from ungcuu.alerts.models import Alert

SOURCE = "wazuh-soc-demo"


def load(users: dict) -> int:
    """Create what is missing; return how many records were created. `users` maps demo usernames to users.

    Four alerts about the provincial portal (203.0.113.5) go to one incident; two minor ones, about hosts
    the registry does not know, wait in the triage queue. Sending them again changes nothing (same refs).
    """
    sender = users.get("thuongtruc")
    if sender is None:
        return 0
    now = timezone.now()

    def when(minutes):
        return (now - timedelta(minutes=minutes)).isoformat()

    brute = "sshd: brute force trying to get access to the system."
    alerts = [
        {"source_ref": "demo-1", "title": brute, "severity": "high", "host": "203.0.113.5", "observed_at": when(50),
         "indicators": [{"kind": "ip", "value": "192.0.2.45"}]},
        {"source_ref": "demo-2", "title": brute, "severity": "high", "host": "203.0.113.5", "observed_at": when(45),
         "indicators": [{"kind": "ip", "value": "192.0.2.45"}]},
        {"source_ref": "demo-3", "title": "Web shell upload attempt (POST /upload.php)", "severity": "critical",
         "host": "quangngai.gov.vn", "observed_at": when(40), "indicators": [{"kind": "ip", "value": "192.0.2.45"}]},
        {"source_ref": "demo-4", "title": "Multiple web server 400 error codes from same source ip.",
         "severity": "medium", "host": "203.0.113.5", "observed_at": when(30),
         "indicators": [{"kind": "ip", "value": "192.0.2.45"}]},
        {"source_ref": "demo-5", "title": "Port scan from an internal workstation", "severity": "low",
         "host": "10.20.30.40", "observed_at": when(20), "indicators": []},
        {"source_ref": "demo-6", "title": "Windows logon failure", "severity": "info", "host": "ws-ketoan-07",
         "observed_at": when(10), "indicators": []},
    ]
    for alert in alerts:
        alert.update(source=SOURCE, description="Cảnh báo mẫu (dữ liệu minh hoạ) từ Wazuh của SOC tỉnh.")
    before = Alert.objects.filter(source=SOURCE).count()
    actions.receive_alerts(actor=sender, items=alerts)
    return Alert.objects.filter(source=SOURCE).count() - before

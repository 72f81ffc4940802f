"""Investigation tests: incidents made through intake, queued tasks not run."""

import pytest

from ungcuu.coordination import actions as coordination_actions
from ungcuu.incidents import actions as incident_actions
from ungcuu.incidents.tests.helpers import make_incident


@pytest.fixture(autouse=True)
def quiet_tasks(settings, tmp_path):
    settings.EVIDENCE_ROOT = tmp_path / "evidence"
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}


@pytest.fixture
def incident(province):
    """A malware incident of the health agency, classified by the standing office, with the member dispatched."""
    incident = make_incident(
        province.reporter,
        description="Máy chủ HIS kết nối tới hxxp://update-his[.]top/payload.exe và IP 203.0.113[.]66. "
                    "Tệp mã độc invoice.pdf.exe, MD5 D41D8CD98F00B204E9800998ECF8427E. Phiên bản 10.2.3.4.",
        recommendations="Đề nghị chặn email attacker [at] evil-mail [dot] com.",
    )
    incident_actions.classify(actor=province.officer, incident=incident, cause="cyber_attack", attack_type="malware")
    coordination_actions.dispatch_member(actor=province.lead, incident=incident, user=province.member)
    incident.refresh_from_db()
    return incident

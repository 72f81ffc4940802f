"""Evidence tests keep their files in a temporary store and queue no real tasks."""

import pytest

from ungcuu.evidence import actions
from ungcuu.evidence.tests.helpers import SAMPLE_BYTES, upload
from ungcuu.incidents.tests.helpers import make_incident


@pytest.fixture(autouse=True)
def evidence_store(settings, tmp_path):
    settings.EVIDENCE_ROOT = tmp_path / "evidence"
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    return settings.EVIDENCE_ROOT


@pytest.fixture
def incident(province):
    """An incident reported by the health agency's reporter, with no files yet."""
    return make_incident(province.reporter)


@pytest.fixture
def log_file(province, incident):
    return actions.add_evidence(actor=province.officer, incident=incident, upload=upload(), kind="system_log",
                                description="Nhật ký SSH máy chủ HIS")


@pytest.fixture
def sample(province, incident):
    return actions.add_evidence(actor=province.officer, incident=incident,
                                upload=upload("lockbit mẫu.exe", SAMPLE_BYTES, "application/x-msdownload"),
                                kind="malware_sample")

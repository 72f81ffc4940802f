"""Plans tests: queued tasks not run, so that an incident's intake does not deliver anything."""

import pytest


@pytest.fixture(autouse=True)
def quiet_tasks(settings, tmp_path):
    settings.EVIDENCE_ROOT = tmp_path / "evidence"
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}

import pytest


@pytest.fixture(autouse=True)
def evidence_root(settings, tmp_path):
    """Messages and attachments go to a store of the test's own."""
    settings.EVIDENCE_ROOT = tmp_path / "evidence"
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    return settings.EVIDENCE_ROOT

"""A real SMTP session against the receiver `ungcuu smtpd` runs (issue 6, "Must show")."""

import hashlib
import smtplib
import socket
import subprocess
import sys
import threading
import time

import pytest

from ungcuu.evidence.models import EvidenceFile
from ungcuu.mailintake import smtp
from ungcuu.mailintake.models import FlagCode, MailMessage, MailSource, MailStatus
from ungcuu.mailintake.tests import mails


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def smtpd(settings):
    settings.MAIL_SMTP_RECIPIENTS = ["@example.vn"]
    port, stop, ready = free_port(), threading.Event(), threading.Event()
    thread = threading.Thread(target=smtp.serve, args=("127.0.0.1", port, stop, ready), daemon=True)
    thread.start()
    assert ready.wait(10)
    yield port
    stop.set()
    thread.join(10)


@pytest.mark.django_db(transaction=True)
def test_smtp_session_makes_the_report_ignores_other_mail_and_flags_broken_mime(province, smtpd):
    report, other, broken = mails.tbsc_report(), mails.plain(), mails.broken_mime()
    with smtplib.SMTP("127.0.0.1", smtpd, timeout=30) as client:
        for raw in (report, other, broken):
            client.sendmail("soyte@example.vn", ["ungcuu@example.vn"], raw)
        # Nothing is relayed: a recipient elsewhere is refused.
        with pytest.raises(smtplib.SMTPRecipientsRefused):
            client.sendmail("soyte@example.vn", ["someone@elsewhere.example.com"], other)
    messages = {m.sha256: m for m in MailMessage.objects.filter(source=MailSource.SMTP)}
    assert len(messages) == 3
    made = messages[hashlib.sha256(report).hexdigest()]
    assert made.status == MailStatus.REPORT_CREATED
    assert made.incident.reporter_name == "Sở Y tế tỉnh Thử nghiệm"
    assert EvidenceFile.objects.get(incident=made.incident).sha256 == hashlib.sha256(mails.LOG_BYTES).hexdigest()
    assert messages[hashlib.sha256(other).hexdigest()].status == MailStatus.IGNORED
    flagged = messages[hashlib.sha256(broken).hexdigest()]
    assert flagged.status == MailStatus.FLAGGED and flagged.flags.filter(code=FlagCode.MALFORMED).exists()
    assert "SMTP 127.0.0.1 from <soyte@example.vn>" in made.mailbox


@pytest.mark.django_db(transaction=True)
def test_the_same_message_sent_twice_is_stored_once(province, smtpd):
    raw = mails.tbsc_report()
    with smtplib.SMTP("127.0.0.1", smtpd, timeout=30) as client:
        client.sendmail("soyte@example.vn", ["ungcuu@example.vn"], raw)
        client.sendmail("soyte@example.vn", ["ungcuu@example.vn"], raw)
    assert MailMessage.objects.count() == 1


def test_the_command_listens(tmp_path):
    """`ungcuu smtpd` starts and answers an SMTP greeting (then is stopped)."""
    port = free_port()
    process = subprocess.Popen([sys.executable, "-m", "ungcuu.cli", "smtpd", "--port", str(port)],
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                with smtplib.SMTP("127.0.0.1", port, timeout=5) as client:
                    code, _ = client.noop()
                    assert code == 250
                    break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    pytest.fail(process.stdout.read().decode(errors="replace"))
                time.sleep(0.2)
    finally:
        process.terminate()
        process.wait(10)

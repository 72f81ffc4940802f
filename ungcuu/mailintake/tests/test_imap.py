"""Fetching a real mailbox: Dovecot over IMAPS and STARTTLS (issue 6, "Must show")."""

import hashlib
import itertools

import pytest

from ungcuu.evidence.models import EvidenceFile
from ungcuu.incidents.models import Incident
from ungcuu.mailintake import actions, imap
from ungcuu.mailintake.models import FlagCode, MailMessage, MailSource, MailStatus
from ungcuu.mailintake.tests import dovecot, mails

pytestmark = pytest.mark.django_db
_users = itertools.count()


@pytest.fixture(scope="module")
def server():
    process, server, folder = dovecot.start()
    yield server
    dovecot.stop(process, folder)


@pytest.fixture
def mailbox(server, settings):
    """A fresh account on the server, and the settings that point the fetcher at it."""
    user = dovecot.USERS[next(_users) % len(dovecot.USERS)]
    settings.MAIL_IMAP_HOST = server.host
    settings.MAIL_IMAP_PORT = server.imaps_port
    settings.MAIL_IMAP_TLS = "ssl"
    settings.MAIL_IMAP_CA_FILE = server.ca_file
    settings.MAIL_IMAP_USER = user
    settings.MAIL_IMAP_PASSWORD = dovecot.PASSWORD
    settings.MAIL_IMAP_FOLDER = "INBOX"
    settings.MAIL_IMAP_PROCESSED_FOLDER = ""
    conn = server.client(user)
    yield conn
    conn.logout()


def deliver(conn, *raws):
    for raw in raws:
        typ, _ = conn.append("INBOX", None, None, raw)
        assert typ == "OK"


def folder_state(conn, folder="INBOX"):
    """{subject: flags} of the messages in a folder, as the server has them."""
    typ, _ = conn.select(f'"{folder}"', readonly=True)
    if typ != "OK":
        return {}
    uids = conn.uid("SEARCH", None, "ALL")[1][0].split()
    state = {}
    for uid in uids:
        typ, data = conn.uid("FETCH", uid, "(FLAGS BODY.PEEK[HEADER.FIELDS (MESSAGE-ID)])")
        flags = data[0][0].decode()
        message_id = data[0][1].decode().split(":", 1)[1].strip()
        state[message_id] = "\\Seen" in flags
    return state


def message_id_of(raw: bytes) -> str:
    from email import message_from_bytes

    return message_from_bytes(raw)["Message-ID"].strip()


def test_fetch_over_tls_makes_the_report_leaves_other_mail_alone_and_flags_broken_mime(mailbox, settings, province):
    settings.MAIL_IMAP_PROCESSED_FOLDER = "Processed"
    report, other, broken = mails.tbsc_report(), mails.plain(), mails.broken_mime()
    deliver(mailbox, report, other, broken)

    result = imap.fetch_mailbox()

    assert (result.unseen, result.stored, result.failed) == (3, 3, 0)
    by_source = {m.message_id: m for m in MailMessage.objects.filter(source=MailSource.IMAP)}
    made = by_source[message_id_of(report)]
    assert made.status == MailStatus.REPORT_CREATED and made.uid is not None
    incident = made.incident
    assert (incident.reporter_name, incident.contact_email, incident.system_name) == (
        "Sở Y tế tỉnh Thử nghiệm", "an.nv@example.vn", "HIS bệnh viện")
    evidence = EvidenceFile.objects.get(incident=incident)
    assert evidence.sha256 == hashlib.sha256(mails.LOG_BYTES).hexdigest()
    assert by_source[message_id_of(other)].status == MailStatus.IGNORED
    flagged = by_source[message_id_of(broken)]
    assert flagged.status == MailStatus.FLAGGED and flagged.flags.filter(code=FlagCode.MALFORMED).exists()

    # On the server: the report and the flagged message moved to Processed (not deleted); the other mail
    # left as it was, unseen, in the inbox.
    inbox, processed = folder_state(mailbox), folder_state(mailbox, "Processed")
    assert inbox == {message_id_of(other): False}
    assert set(processed) == {message_id_of(report), message_id_of(broken)}

    # Fetching again stores nothing new.
    again = imap.fetch_mailbox()
    assert (again.stored, again.failed) == (0, 0)
    assert MailMessage.objects.count() == 3 and Incident.objects.count() == 1
    assert folder_state(mailbox) == {message_id_of(other): False}


def test_fetch_with_starttls_marks_processed_mail_seen_from_the_worker_task(server, mailbox, settings, province,
                                                                            run_tasks):
    from ungcuu.management.commands.worker import enqueue_mail_fetch

    settings.MAIL_IMAP_TLS = "starttls"
    settings.MAIL_IMAP_PORT = server.imap_port
    report, other = mails.tbsc_report(), mails.plain()
    deliver(mailbox, report, other)

    assert enqueue_mail_fetch()
    assert not enqueue_mail_fetch()  # one waiting fetch at a time
    run_tasks()

    assert MailMessage.objects.get(message_id=message_id_of(report)).status == MailStatus.REPORT_CREATED
    assert folder_state(mailbox) == {message_id_of(report): True, message_id_of(other): False}


def test_one_bad_message_does_not_stop_the_others_and_stays_unseen(mailbox, province, monkeypatch):
    first, second = mails.tbsc_report(subject="[TBSC] first"), mails.tbsc_report(subject="[TBSC] second")
    deliver(mailbox, first, second)
    real = actions.receive_and_process

    def fail_on_first(*, raw, **kwargs):
        if b"[TBSC] first" in raw:
            raise ValueError("disk says no")
        return real(raw=raw, **kwargs)

    monkeypatch.setattr(actions, "receive_and_process", fail_on_first)
    result = imap.fetch_mailbox()
    assert (result.stored, result.failed) == (1, 1)
    assert folder_state(mailbox) == {message_id_of(first): False, message_id_of(second): True}

    monkeypatch.setattr(actions, "receive_and_process", real)
    result = imap.fetch_mailbox()
    assert (result.stored, result.failed) == (1, 0)
    assert set(MailMessage.objects.values_list("status", flat=True)) == {MailStatus.REPORT_CREATED}


def test_wrong_password_is_an_error_not_a_crash_of_the_command(mailbox, settings, province):
    from django.core.management import CommandError, call_command

    settings.MAIL_IMAP_PASSWORD = "sai"
    with pytest.raises(CommandError, match="Fetch failed"):
        call_command("mail", "fetch")

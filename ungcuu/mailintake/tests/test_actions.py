"""A received message: stored first, then a report, an addition to an incident, or left alone (SPEC §3)."""

import hashlib

import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation

from ungcuu.audit.models import AuditEntry
from ungcuu.evidence import store
from ungcuu.evidence.models import EvidenceFile
from ungcuu.incidents.models import Channel, Incident, IncidentStatus, SubmissionStatus
from ungcuu.incidents.tests.helpers import make_incident
from ungcuu.investigation.models import TimelineEvent
from ungcuu.mailintake import actions
from ungcuu.mailintake.models import FlagCode, MailMessage, MailSource, MailStatus
from ungcuu.mailintake.tests import mails

pytestmark = pytest.mark.django_db


def receive(raw, source=MailSource.UPLOAD, **kwargs):
    return actions.receive_and_process(raw=raw, source=source, **kwargs)


def flags_of(message):
    return {flag.code for flag in message.flags.all()}


def test_tbsc_mail_becomes_a_report_with_the_form_fields_and_the_attachment_as_evidence(
        province, mailoutbox, run_tasks):
    raw = mails.tbsc_report()
    message, created = receive(raw)
    assert created and message.status == MailStatus.REPORT_CREATED
    incident = message.incident
    assert incident.reference.startswith("SC-") and incident.channel == Channel.EMAIL
    assert incident.status == IncidentStatus.RECEIVED
    assert (incident.reporter_name, incident.contact_name, incident.contact_position) == (
        "Sở Y tế tỉnh Thử nghiệm", "Nguyễn Văn An", "Chuyên viên CNTT")
    assert (incident.reporter_phone, incident.contact_phone) == ("0255 3822 111", "0905 111 222")
    assert incident.system_level == 3 and incident.handling_status == "not_handled"
    assert incident.notified_parties == ["network_member", "coordinator"]
    assert incident.ip_addresses == ["198.51.100.5"] and incident.domains == ["his.example.vn"]
    assert incident.description.startswith("Trang chủ HIS bị thay đổi giao diện")
    # The raw message is kept, byte for byte, under its hash.
    assert message.sha256 == hashlib.sha256(raw).hexdigest()
    with store.open_blob(message.sha256) as handle:
        assert handle.read() == raw
    # The attachment is evidence of the incident, hashed.
    (evidence,) = EvidenceFile.objects.filter(incident=incident)
    assert evidence.original_name == "access.log" and evidence.kind == "system_log"
    assert evidence.sha256 == hashlib.sha256(mails.LOG_BYTES).hexdigest() == message.attachments.get().sha256
    # The sender gets the acknowledgement the intake sends.
    run_tasks()
    assert any(incident.reference in mail.subject for mail in mailoutbox)
    assert {"soyte@example.vn", "an.nv@example.vn"} <= {to for mail in mailoutbox for to in mail.to}
    assert AuditEntry.objects.filter(action="mailintake.receive", object_id=str(message.pk)).exists()


def test_unlabelled_tbsc_mail_is_kept_as_invalid_submission_and_the_sender_told_what_is_missing(
        province, mailoutbox, run_tasks):
    raw = mails.tbsc_report(body="Website của sở bị tấn công, đề nghị hỗ trợ gấp.", attachments=(),
                            sender="Văn thư <vanthu@example.vn>")
    message, _ = receive(raw)
    assert message.status == MailStatus.REPORT_INVALID and message.incident is None
    submission = message.submission
    assert submission.status == SubmissionStatus.INVALID and submission.channel == Channel.EMAIL
    assert submission.payload["description"] == "Website của sở bị tấn công, đề nghị hỗ trợ gấp."
    assert submission.payload["reporter_email"] == "vanthu@example.vn"  # from the envelope
    assert "reporter_name" in submission.errors and "detected_at" in submission.errors
    run_tasks()
    (reply,) = [mail for mail in mailoutbox if mail.to == ["vanthu@example.vn"]]
    assert reply.extra_headers["In-Reply-To"] == message.message_id
    assert reply.extra_headers["Auto-Submitted"] == "auto-replied"
    assert f"#{submission.pk}" in reply.body
    message.refresh_from_db()
    assert message.reply_sent_at is not None


def test_automatic_mail_gets_no_reply(province, mailoutbox, run_tasks):
    raw = mails.tbsc_report(body="x", attachments=()).replace(b"Subject:", b"Auto-Submitted: auto-replied\r\nSubject:")
    message, _ = receive(raw)
    assert message.status == MailStatus.REPORT_INVALID
    run_tasks()
    assert mailoutbox == []


def test_other_mail_is_stored_and_ignored(province):
    message, _ = receive(mails.plain())
    assert message.status == MailStatus.IGNORED
    assert message.submission is None and message.incident is None
    assert message.text.strip() == "Kính mời các đồng chí dự họp."
    assert Incident.objects.count() == 0


def test_same_message_twice_is_stored_once(province):
    raw = mails.tbsc_report()
    first, created = receive(raw)
    again, created_again = receive(raw)
    assert created and not created_again and again.pk == first.pk
    # The same Message-ID with other bytes (e.g. delivered through another route) is the same message.
    resent, created_resent = receive(b"X-Relay: second\r\n" + raw)
    assert not created_resent and resent.pk == first.pk
    assert MailMessage.objects.count() == 1 and Incident.objects.count() == 1


def test_broken_mime_is_kept_and_flagged(province):
    raw = mails.broken_mime()
    message, created = receive(raw)
    assert created and message.status == MailStatus.FLAGGED
    assert FlagCode.MALFORMED in flags_of(message)
    assert message.submission is None
    with store.open_blob(message.sha256) as handle:
        assert handle.read() == raw


def test_oversized_mail_is_stored_flagged_and_not_read(province, settings):
    settings.MAIL_MAX_BYTES = 1000
    raw = mails.tbsc_report(attachments=(("big.bin", b"x" * 5000),))
    message, _ = receive(raw)
    assert message.status == MailStatus.FLAGGED and FlagCode.OVERSIZED in flags_of(message)
    assert message.subject == "[TBSC] Sự cố thay đổi giao diện HIS"  # the headers are still shown
    assert message.text == "" and message.submission is None
    with store.open_blob(message.sha256) as handle:
        assert handle.read() == raw


def test_hostile_html_report_is_flagged_and_still_becomes_a_report(province):
    html = "<p>" + mails.FORM_BODY.replace("\n", "</p><p>") + "</p><script>fetch('/x')</script><img onerror=x>"
    message, _ = receive(mails.html_mail("[TBSC] báo cáo dạng HTML", html))
    assert message.status == MailStatus.REPORT_CREATED
    assert FlagCode.HOSTILE in flags_of(message)
    assert "fetch" not in message.text and "fetch" not in message.incident.description


def test_reply_with_a_reference_is_added_to_the_incident_timeline_with_its_attachments(province):
    incident = make_incident(province.reporter)
    raw = mails.tbsc_report(subject=f"Re: [{incident.reference}] Đã nhận báo cáo sự cố",
                            body="Bổ sung nhật ký máy chủ web.", attachments=(("web.log", b"GET / 500\n"),),
                            sender="an.nv@example.vn")
    message, _ = receive(raw)
    assert message.status == MailStatus.APPENDED and message.incident == incident
    event = TimelineEvent.objects.get(incident=incident)
    assert event.kind == "communication" and "Bổ sung nhật ký máy chủ web." in event.text
    evidence = EvidenceFile.objects.get(incident=incident, original_name="web.log")
    assert evidence.sha256 == hashlib.sha256(b"GET / 500\n").hexdigest()
    assert FlagCode.UNVERIFIED_SENDER not in flags_of(message)


def test_reply_from_a_stranger_is_added_but_flagged(province):
    incident = make_incident(province.reporter)
    message, _ = receive(mails.plain(subject=f"Về sự cố {incident.reference}", sender="la@example.com"))
    assert message.status == MailStatus.APPENDED
    assert FlagCode.UNVERIFIED_SENDER in flags_of(message)


def test_reply_about_a_merged_incident_goes_to_the_one_it_was_merged_into(province):
    from ungcuu.incidents.actions import merge_incident

    kept, duplicate = make_incident(province.reporter), make_incident(province.reporter)
    merge_incident(actor=province.officer, duplicate=duplicate, into=kept)
    message, _ = receive(mails.plain(subject=f"Re: [{duplicate.reference}]", sender="soyte@example.vn"))
    assert message.incident == kept and TimelineEvent.objects.filter(incident=kept).exists()


def test_upload_by_the_standing_office_only(province):
    upload = SimpleUploadedFile("bao-cao.eml", mails.tbsc_report(), "message/rfc822")
    with pytest.raises(PermissionDenied):
        actions.import_eml(actor=province.reporter, upload=upload)
    upload.seek(0)
    message, created = actions.import_eml(actor=province.officer, upload=upload)
    assert created and message.source == MailSource.UPLOAD and message.status == MailStatus.REPORT_CREATED


def test_empty_upload_is_refused_with_a_clear_error(province):
    from django.core.exceptions import ValidationError

    with translation.override("en"), pytest.raises(ValidationError) as refused:
        actions.import_eml(actor=province.officer, upload=SimpleUploadedFile("x.eml", b"", "message/rfc822"))
    assert refused.value.message_dict == {"file": ["The file is empty."]}
    assert MailMessage.objects.count() == 0


def test_a_message_left_unread_is_read_by_the_next_pass(province):
    message, _ = actions.receive_mail(raw=mails.tbsc_report(), source=MailSource.SMTP)
    assert message.status == MailStatus.RECEIVED
    assert actions.process_pending() == 1
    message.refresh_from_db()
    assert message.status == MailStatus.REPORT_CREATED


def test_failure_while_reading_flags_the_message_and_keeps_it(province, monkeypatch):
    def explode(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(actions.intake, "receive_submission", explode)
    message, _ = receive(mails.tbsc_report())
    assert message.status == MailStatus.FLAGGED and FlagCode.ERROR in flags_of(message)
    assert MailMessage.objects.get().raw_stored


def test_cli_import_of_eml_files(province, tmp_path):
    from io import StringIO

    from django.core.management import call_command

    report, other = tmp_path / "bao-cao.eml", tmp_path / "khac.eml"
    report.write_bytes(mails.tbsc_report())
    other.write_bytes(mails.plain())
    out = StringIO()
    call_command("mail", "import", str(report), str(other), stdout=out)
    incident = Incident.objects.get()
    assert "stored as #" in out.getvalue() and incident.reference in out.getvalue()
    out = StringIO()
    call_command("mail", "import", str(report), stdout=out)
    assert "already stored" in out.getvalue() and MailMessage.objects.count() == 2

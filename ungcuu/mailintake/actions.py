"""Every state change of mailintake: one audited function each, called by web, API, CLI and tasks.

A message goes through two steps, like a report from the form: `receive_mail` stores the bytes exactly
as received (content-addressed, fsynced) and the row naming them, and commits; `process_mail` then reads
it and acts: a "[TBSC]" subject becomes a report through the intake action (receive_submission then
submit_report), a subject naming an incident's reference is added to its timeline with its attachments
as evidence, anything else is kept, marked ignored and left alone. Reading never raises: a message
that cannot be read is flagged for the standing office.
"""

import hashlib
import logging

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ungcuu.audit.actions import record
from ungcuu.evidence import store
from ungcuu.incidents import actions as intake
from ungcuu.incidents.models import TRIAGE_ROLES, Channel, Incident, IncidentStatus
from ungcuu.mailintake import conf, parsing
from ungcuu.mailintake.models import FlagCode, MailAttachment, MailFlag, MailMessage, MailSource, MailStatus

logger = logging.getLogger(__name__)
TEXT_LIMIT = 200_000
TIMELINE_LIMIT = 19_000


def can_read_mail(user) -> bool:
    return user is not None and user.is_authenticated and user.has_any_role(*TRIAGE_ROLES)


def require_mail_reader(actor) -> None:
    if actor is not None and not can_read_mail(actor):
        raise PermissionDenied(_("Only the standing office and the team leads may read the team's mailbox."))


def _existing(sha256: str, message_id: str, mailbox: str, uid) -> MailMessage | None:
    found = MailMessage.objects.filter(sha256=sha256).first()
    if found is None and uid is not None:
        found = MailMessage.objects.filter(mailbox=mailbox, uid=uid).first()
    if found is None and message_id:
        found = MailMessage.objects.filter(message_id=message_id).first()
    return found


def receive_mail(*, raw: bytes, source: str, mailbox: str = "", uid: int | None = None,
                 actor=None) -> tuple[MailMessage, bool]:
    """Store a message as received and commit; (message, created). A message already stored (same bytes,
    same mailbox UID or same Message-ID) is not stored again: (the earlier one, False).

    Raises OSError when the bytes could not be written: the caller must then leave the message where it is.
    """
    if source not in MailSource.values:
        raise ValidationError({"source": _("Unknown source.")})
    raw = bytes(raw)
    sha256 = hashlib.sha256(raw).hexdigest()
    head = parsing.read_headers_only(raw)
    existing = _existing(sha256, head.message_id, mailbox, uid)
    if existing is not None:
        return existing, False
    flags = list(head.flags)
    max_bytes = conf.get("MAIL_MAX_BYTES")
    if len(raw) > max_bytes:
        flags.append((FlagCode.OVERSIZED, _("%(size)s bytes, the limit is %(limit)s.") % {
            "size": len(raw), "limit": max_bytes}))
    stored = True
    try:
        store.save_bytes(raw, f"{sha256}.eml")  # on disk, fsynced, before the row naming it is committed
    except ValidationError as exc:  # larger than the evidence store takes: the row says so, the bytes stay put
        stored = False
        flags.append((FlagCode.NOT_STORED, " ".join(exc.messages)[:500]))
    try:
        with transaction.atomic():
            message = MailMessage.objects.create(
                source=source, mailbox=mailbox[:300], uid=uid, sha256=sha256, size=len(raw), raw_stored=stored,
                message_id=head.message_id, sender=head.sender, sender_address=head.sender_address,
                subject=head.subject, sent_at=head.sent_at,
                status=MailStatus.FLAGGED if len(raw) > max_bytes or not stored else MailStatus.RECEIVED)
            MailFlag.objects.bulk_create([MailFlag(message=message, code=code, reason=reason)
                                          for code, reason in dict.fromkeys(flags)])
            record(actor=actor, action="mailintake.receive", target=message, via=f"mail:{source}",
                   summary=_("E-mail received: %(subject)s") % {"subject": message.subject[:200]},
                   changes={"source": source, "mailbox": mailbox, "uid": uid, "sha256": sha256, "size": len(raw),
                            "message_id": message.message_id, "from": message.sender})
    except IntegrityError:
        # Stored meanwhile by a concurrent fetch or delivery: the earlier row stands.
        existing = _existing(sha256, head.message_id, mailbox, uid)
        if existing is None:
            raise
        return existing, False
    return message, True


def _raw_bytes(message: MailMessage) -> bytes:
    with store.open_blob(message.sha256) as handle:
        return handle.read()


def _add_flags(message: MailMessage, flags) -> None:
    known = set(message.flags.values_list("code", "reason"))
    MailFlag.objects.bulk_create([MailFlag(message=message, code=code, reason=reason[:500])
                                  for code, reason in dict.fromkeys(flags) if (code, reason[:500]) not in known])


def process_mail(*, message: MailMessage, raw: bytes | None = None, actor=None) -> MailMessage:
    """Read a stored message and act on it once; never raises for what the message contains."""
    if message.status != MailStatus.RECEIVED:
        return message
    try:
        raw = _raw_bytes(message) if raw is None else raw
        parsed = parsing.parse(raw, max_parts=conf.get("MAIL_MAX_PARTS"))
        with transaction.atomic():
            message.text = parsed.text[:TEXT_LIMIT]
            message.save(update_fields=["text"])
            _add_flags(message, parsed.flags)
            MailAttachment.objects.bulk_create([
                MailAttachment(message=message, filename=a.filename, content_type=a.content_type, size=len(a.data),
                               sha256=a.sha256, executable=a.executable) for a in parsed.attachments])
        if parsed.structural:
            return _finish(message, MailStatus.FLAGGED, actor,
                           _("E-mail flagged, not processed: its MIME structure is broken."))
        incident = _referenced_incident(parsed.subject)
        if incident is not None:
            return _append_to_incident(message, parsed, incident, actor)
        if parsing.is_tbsc(parsed.subject):
            return _create_report(message, parsed, actor)
        return _finish(message, MailStatus.IGNORED, actor, _("E-mail ignored: the subject does not start with [TBSC]."))
    except Exception as exc:
        logger.exception("Could not process e-mail #%s", message.pk)
        message.refresh_from_db()
        if message.status != MailStatus.RECEIVED:
            return message
        with transaction.atomic():
            _add_flags(message, [(FlagCode.ERROR, f"{type(exc).__name__}: {exc}"[:500])])
        return _finish(message, MailStatus.FLAGGED, actor, _("E-mail flagged: it could not be processed."))


def _finish(message: MailMessage, status: str, actor, summary: str, **links) -> MailMessage:
    with transaction.atomic():
        message.status = status
        message.processed_at = timezone.now()
        for name, value in links.items():
            setattr(message, name, value)
        message.save(update_fields=["status", "processed_at", *links])
        record(actor=actor, action="mailintake.process", target=message, via="mail", summary=summary,
               changes={"status": status, **{name: getattr(value, "pk", value) for name, value in links.items()}})
    return message


def _referenced_incident(subject: str) -> Incident | None:
    for reference in parsing.references_in(subject):
        incident = Incident.objects.filter(reference=reference).select_related("merged_into").first()
        seen = set()
        while incident is not None and incident.status == IncidentStatus.MERGED and incident.merged_into_id \
                and incident.pk not in seen:
            seen.add(incident.pk)
            incident = incident.merged_into
        if incident is not None:
            return incident
    return None


def _upload(attachment: parsing.Attachment) -> SimpleUploadedFile:
    return SimpleUploadedFile(attachment.filename, attachment.data, attachment.content_type)


def _local(moment) -> str:
    return timezone.localtime(moment).strftime("%d/%m/%Y %H:%M")


def report_payload(parsed: parsing.ParsedMail) -> dict:
    """The report fields from the body (Biểu mẫu 03 labels); an unlabelled body is the description. What the
    envelope says fills the rest: the sender's address is the reporter's e-mail, the Date the time of reporting."""
    payload = parsing.form_fields(parsed.text)
    if not payload:
        payload = {"description": parsed.text.strip()} if parsed.text.strip() else {}
    if "reporter_email" not in payload and parsed.sender_address:
        payload["reporter_email"] = parsed.sender_address
    if "reported_at" not in payload:
        sent = parsed.sent_at if parsed.sent_at and parsed.sent_at <= timezone.now() else timezone.now()
        payload["reported_at"] = _local(sent)
    return payload


def _create_report(message: MailMessage, parsed: parsing.ParsedMail, actor) -> MailMessage:
    from ungcuu.mailintake.tasks import send_reply

    files = [(attachment.kind, _upload(attachment)) for attachment in parsed.attachments]
    submission = intake.receive_submission(channel=Channel.EMAIL, payload=report_payload(parsed), files=files,
                                           raw_body=parsed.text[:TEXT_LIMIT])
    MailMessage.objects.filter(pk=message.pk).update(submission=submission)  # committed with the submission
    message.submission = submission
    try:
        incident = intake.submit_report(submission=submission, actor=None)
    except ValidationError:
        with transaction.atomic():
            _finish(message, MailStatus.REPORT_INVALID, actor,
                    _("E-mail report incomplete (submission #%(id)s); the sender is told what is missing.")
                    % {"id": submission.pk}, submission=submission)
            if not parsed.auto_submitted:
                send_reply.enqueue(message.pk)
        return message
    return _finish(message, MailStatus.REPORT_CREATED, actor,
                   _("E-mail became report %(ref)s") % {"ref": incident.reference},
                   submission=submission, incident=incident)


def _append_to_incident(message: MailMessage, parsed: parsing.ParsedMail, incident: Incident, actor) -> MailMessage:
    from ungcuu.evidence.actions import add_evidence
    from ungcuu.investigation.actions import add_timeline_event
    from ungcuu.investigation.models import TimelineKind

    known = {address.lower() for address in (incident.reporter_email, incident.contact_email) if address}
    if parsed.sender_address.lower() not in known:
        _add_flags(message, [(FlagCode.UNVERIFIED_SENDER, parsed.sender_address or "?")])
    sent = parsed.sent_at if parsed.sent_at and parsed.sent_at <= timezone.now() else timezone.now()
    names = ", ".join(f"{a.filename} (SHA-256 {a.sha256})" for a in parsed.attachments)
    text = _("E-mail #%(id)s from %(sender)s: %(subject)s") % {
        "id": message.pk, "sender": parsed.sender or "?", "subject": parsed.subject}
    body = parsed.text.strip()
    text = f"{text}\n\n{body}" if body else text
    if names:
        text += "\n\n" + _("Attachments: %(names)s") % {"names": names}
    if len(text) > TIMELINE_LIMIT:
        text = text[:TIMELINE_LIMIT] + "\n…"
    try:
        with transaction.atomic():
            add_timeline_event(actor=None, incident=incident, occurred_at=sent, kind=TimelineKind.COMMUNICATION,
                               text=text)
            for attachment in parsed.attachments:
                add_evidence(actor=None, incident=incident, upload=_upload(attachment), kind=attachment.kind,
                             description=_("Sent by e-mail #%(id)s.") % {"id": message.pk})
    except ValidationError as exc:
        with transaction.atomic():
            _add_flags(message, [(FlagCode.NOT_APPENDED, " ".join(exc.messages)[:500])])
        return _finish(message, MailStatus.FLAGGED, actor,
                       _("E-mail about %(ref)s flagged: it could not be added.") % {"ref": incident.reference},
                       incident=incident)
    return _finish(message, MailStatus.APPENDED, actor,
                   _("E-mail added to the timeline of %(ref)s") % {"ref": incident.reference}, incident=incident)


def receive_and_process(*, raw: bytes, source: str, mailbox: str = "", uid: int | None = None,
                        actor=None) -> tuple[MailMessage, bool]:
    message, created = receive_mail(raw=raw, source=source, mailbox=mailbox, uid=uid, actor=actor)
    if created and message.status == MailStatus.RECEIVED:
        message = process_mail(message=message, raw=raw, actor=actor)
    return message, created


def process_pending(*, actor=None, limit: int = 100) -> int:
    """Read the messages stored but not yet read (a fetch interrupted after storing them)."""
    count = 0
    for message in MailMessage.objects.filter(status=MailStatus.RECEIVED, raw_stored=True).order_by("id")[:limit]:
        process_mail(message=message, actor=actor)
        count += 1
    return count


def import_eml(*, actor, upload) -> tuple[MailMessage, bool]:
    """A .eml file uploaded by the standing office: stored and read as if it had arrived by mail."""
    require_mail_reader(actor)
    if upload is None:
        raise ValidationError({"file": _("Choose a .eml file.")})
    limit = store.settings.EVIDENCE_MAX_BYTES
    if (getattr(upload, "size", 0) or 0) > limit:
        raise ValidationError({"file": _("The file is larger than the %(n)s bytes limit.") % {"n": limit}})
    raw = upload.read()
    if not raw.strip():
        raise ValidationError({"file": _("The file is empty.")})
    return receive_and_process(raw=raw, source=MailSource.UPLOAD, actor=actor)


def mark_replied(*, message: MailMessage) -> None:
    with transaction.atomic():
        MailMessage.objects.filter(pk=message.pk).update(reply_sent_at=timezone.now())
        record(actor=None, action="mailintake.reply", target=message, via="mail",
               summary=_("Reply sent to %(to)s") % {"to": message.sender_address})

"""Reports by e-mail: IMAP fetch, SMTP receiver and .eml upload of "[TBSC]" messages (SPEC §3).

Every message is stored first, exactly as received (its bytes in the content-addressed evidence store),
then read: a "[TBSC]" subject becomes a report through the intake action, a subject naming an incident's
reference is added to that incident's timeline, anything else is kept and left alone.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _

from ungcuu.incidents.models import Incident, Submission


class MailSource(models.TextChoices):
    IMAP = "imap", _("Mailbox (IMAP)")
    SMTP = "smtp", _("Received directly (SMTP)")
    UPLOAD = "upload", _("Uploaded .eml file")


class MailStatus(models.TextChoices):
    RECEIVED = "received", _("Received, not yet read")
    REPORT_CREATED = "report_created", _("Report created")
    REPORT_INVALID = "report_invalid", _("Report incomplete, sender told what is missing")
    APPENDED = "appended", _("Added to an incident")
    IGNORED = "ignored", _("Ignored (not a [TBSC] report)")
    FLAGGED = "flagged", _("Flagged, not processed")


# Statuses after which the message was handled here: the fetcher moves it or marks it seen on the server.
HANDLED_STATUSES = (MailStatus.REPORT_CREATED, MailStatus.REPORT_INVALID, MailStatus.APPENDED, MailStatus.FLAGGED)


class FlagCode(models.TextChoices):
    OVERSIZED = "oversized", _("Larger than the size limit")
    NOT_STORED = "not_stored", _("Raw bytes could not be stored")
    MALFORMED = "malformed", _("Malformed MIME structure")
    TOO_MANY_PARTS = "too_many_parts", _("Too many MIME parts")
    DECODING = "decoding", _("Text could not be decoded cleanly")
    HOSTILE = "hostile", _("Hostile content (scripts, active HTML)")
    EXECUTABLE = "executable", _("Executable attachment")
    UNVERIFIED_SENDER = "unverified_sender", _("Sender is not the incident's reporter or contact")
    NOT_APPENDED = "not_appended", _("Could not be added to the incident")
    ERROR = "error", _("Error while reading the message")


class MailMessage(models.Model):
    """One received e-mail, stored (bytes and hash) before anything is read from it."""

    source = models.CharField(_("source"), max_length=10, choices=MailSource.choices)
    mailbox = models.CharField(_("mailbox"), max_length=300, blank=True,
                               help_text=_("Account, server, folder and UIDVALIDITY the message was fetched from."))
    uid = models.BigIntegerField(_("UID"), null=True, blank=True)
    sha256 = models.CharField(_("SHA-256"), max_length=64, unique=True)
    size = models.BigIntegerField(_("size (bytes)"))
    raw_stored = models.BooleanField(_("raw bytes stored"), default=True)
    message_id = models.CharField(_("Message-ID"), max_length=998, blank=True)
    sender = models.CharField(_("from"), max_length=998, blank=True)
    sender_address = models.CharField(_("sender address"), max_length=320, blank=True, db_index=True)
    subject = models.TextField(_("subject"), blank=True)
    sent_at = models.DateTimeField(_("date"), null=True, blank=True)
    received_at = models.DateTimeField(_("received at"), auto_now_add=True, db_index=True)
    text = models.TextField(_("text"), blank=True)
    status = models.CharField(_("status"), max_length=20, choices=MailStatus.choices, default=MailStatus.RECEIVED,
                              db_index=True)
    submission = models.ForeignKey(Submission, verbose_name=_("submission"), null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="mail_messages")
    incident = models.ForeignKey(Incident, verbose_name=_("incident"), null=True, blank=True,
                                 on_delete=models.PROTECT, related_name="mail_messages")
    processed_at = models.DateTimeField(_("read at"), null=True, blank=True)
    reply_sent_at = models.DateTimeField(_("reply sent at"), null=True, blank=True)

    class Meta:
        ordering = ["-received_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["mailbox", "uid"], condition=models.Q(uid__isnull=False),
                                    name="mail_unique_mailbox_uid"),
            models.UniqueConstraint(fields=["message_id"], condition=~models.Q(message_id=""),
                                    name="mail_unique_message_id"),
        ]
        indexes = [models.Index(fields=["status", "received_at"], name="mail_status_time")]
        verbose_name = _("e-mail message")
        verbose_name_plural = _("e-mail messages")

    def __str__(self):
        return f"#{self.pk} {self.subject[:80]}"


class MailFlag(models.Model):
    """Why a message needs a person's eye: malformed, oversized, hostile…; one row per reason."""

    message = models.ForeignKey(MailMessage, on_delete=models.CASCADE, related_name="flags")
    code = models.CharField(_("flag"), max_length=20, choices=FlagCode.choices, db_index=True)
    reason = models.CharField(_("reason"), max_length=500, blank=True)

    class Meta:
        ordering = ["id"]
        verbose_name = _("flag")
        verbose_name_plural = _("flags")

    def __str__(self):
        return self.get_code_display()


class MailAttachment(models.Model):
    """A file found in a message, with the SHA-256 of its decoded bytes."""

    message = models.ForeignKey(MailMessage, on_delete=models.CASCADE, related_name="attachments")
    filename = models.CharField(_("file name"), max_length=255)
    content_type = models.CharField(_("content type"), max_length=100, blank=True)
    size = models.BigIntegerField(_("size (bytes)"))
    sha256 = models.CharField(_("SHA-256"), max_length=64, db_index=True)
    executable = models.BooleanField(_("executable"), default=False)

    class Meta:
        ordering = ["id"]
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")

    def __str__(self):
        return self.filename

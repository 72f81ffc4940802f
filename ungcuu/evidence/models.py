"""Evidence files of an incident and their chain of custody (SPEC §7)."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from ungcuu.incidents.models import AttachmentKind, Incident


class EvidenceFile(models.Model):
    """A file kept as evidence. The bytes live in the content-addressed store, named by SHA-256."""

    incident = models.ForeignKey(Incident, verbose_name=_("incident"), on_delete=models.PROTECT,
                                 related_name="evidence")
    kind = models.CharField(_("kind"), max_length=20, choices=AttachmentKind.choices, default=AttachmentKind.OTHER)
    original_name = models.CharField(_("file name"), max_length=255)
    sha256 = models.CharField(_("SHA-256"), max_length=64, db_index=True)
    size = models.BigIntegerField(_("size (bytes)"))
    content_type = models.CharField(_("content type"), max_length=100, blank=True)
    description = models.CharField(_("description"), max_length=500, blank=True)
    added_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("added by"), null=True, blank=True,
                                 on_delete=models.PROTECT, related_name="+")
    added_at = models.DateTimeField(_("added at"), auto_now_add=True)
    holder = models.CharField(_("current holder"), max_length=200, blank=True)

    class Meta:
        ordering = ["added_at", "id"]
        verbose_name = _("evidence file")
        verbose_name_plural = _("evidence files")

    def __str__(self):
        return self.original_name

    @property
    def is_malware(self) -> bool:
        return self.kind == AttachmentKind.MALWARE_SAMPLE


class CustodyAction(models.TextChoices):
    ADDED = "added", _("Added")
    VIEWED = "viewed", _("Viewed")
    DOWNLOADED = "downloaded", _("Downloaded")
    HANDED_OVER = "handed_over", _("Handed over")
    VERIFIED = "verified", _("Hash checked")


class CustodyEvent(models.Model):
    """One entry of the custody log: who did what with the file, and whether its hash still matched."""

    evidence = models.ForeignKey(EvidenceFile, on_delete=models.PROTECT, related_name="custody")
    action = models.CharField(_("action"), max_length=20, choices=CustodyAction.choices)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("by"), null=True, blank=True,
                              on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(_("time"), auto_now_add=True)
    recipient = models.CharField(_("handed over to"), max_length=200, blank=True)
    note = models.CharField(_("note"), max_length=500, blank=True)
    hash_ok = models.BooleanField(_("hash matched"), null=True, blank=True)

    class Meta:
        ordering = ["at", "id"]

    def __str__(self):
        return f"{self.get_action_display()} {self.at:%d/%m/%Y %H:%M}"

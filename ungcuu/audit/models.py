"""The append-only, hash-chained audit log.

Each entry's hash covers its own content and the previous entry's hash, so altering or removing
any row breaks the chain from that row on. A one-row ChainHead, locked while an entry is written,
serialises writers so the chain never forks; it also records the last sequence number, so removing
the newest rows is detected too.
"""

import hashlib
import json
from dataclasses import dataclass
from datetime import UTC

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

GENESIS_HASH = "0" * 64


class AuditEntry(models.Model):
    """One recorded change: who did what to which object, and when."""

    seq = models.PositiveBigIntegerField(_("sequence"), unique=True)
    created_at = models.DateTimeField(_("time"), db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("actor"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="+",
    )
    actor_label = models.CharField(_("actor name"), max_length=200)
    action = models.CharField(_("action"), max_length=100, db_index=True)
    object_type = models.CharField(_("object type"), max_length=100)
    object_id = models.CharField(_("object id"), max_length=64)
    object_repr = models.CharField(_("object"), max_length=300)
    summary = models.TextField(_("summary"))
    changes = models.JSONField(_("changes"), default=dict)
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64)

    class Meta:
        ordering = ["-seq"]
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit entries")
        indexes = [models.Index(fields=["object_type", "object_id"])]

    def __str__(self):
        return f"#{self.seq} {self.action} {self.object_repr}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise PermissionError("Audit entries are append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PermissionError("Audit entries are append-only.")

    def payload(self) -> dict:
        """The fields the hash covers, in a stable form."""
        return {
            "seq": self.seq,
            "created_at": self.created_at.isoformat(timespec="microseconds"),
            "actor_id": self.actor_id,
            "actor_label": self.actor_label,
            "action": self.action,
            "object_type": self.object_type,
            "object_id": self.object_id,
            "object_repr": self.object_repr,
            "summary": self.summary,
            "changes": self.changes,
            "prev_hash": self.prev_hash,
        }

    def compute_hash(self) -> str:
        canonical = json.dumps(self.payload(), sort_keys=True, ensure_ascii=False, separators=(",", ":"))
        return hashlib.sha256(canonical.encode()).hexdigest()


class ChainHead(models.Model):
    """The single row holding the last sequence number and hash of the chain."""

    last_seq = models.PositiveBigIntegerField(default=0)
    last_hash = models.CharField(max_length=64, default=GENESIS_HASH)

    def __str__(self):
        return f"#{self.last_seq} {self.last_hash[:12]}"


@dataclass
class ChainReport:
    checked: int
    ok: bool
    bad_seq: int | None = None
    reason: str = ""


def verify_chain() -> ChainReport:
    """Walk the chain in order and report the first entry that does not match."""
    # The head is read first: entries written while we walk (seq beyond it) are not judged.
    head = ChainHead.objects.filter(pk=1).first()
    if head is None:
        return ChainReport(0, False, 1, "the chain head is missing")
    expected_prev = GENESIS_HASH
    expected_seq = 1
    checked = 0
    entries = AuditEntry.objects.filter(seq__lte=head.last_seq).order_by("seq")
    for entry in entries.iterator(chunk_size=2000):
        # Hash in UTC whatever the connection's time zone, as when the entry was written.
        entry.created_at = entry.created_at.astimezone(UTC)
        if entry.seq != expected_seq:
            return ChainReport(checked, False, expected_seq, f"entry #{expected_seq} is missing")
        if entry.prev_hash != expected_prev:
            return ChainReport(checked, False, entry.seq, "previous hash does not match")
        if entry.compute_hash() != entry.hash:
            return ChainReport(checked, False, entry.seq, "content does not match its hash")
        expected_prev = entry.hash
        expected_seq += 1
        checked += 1
    if head.last_seq != checked:
        return ChainReport(checked, False, checked + 1, f"entries after #{checked} are missing")
    if head.last_hash != expected_prev:
        return ChainReport(checked, False, checked, "last hash differs from the chain head")
    return ChainReport(checked, True)

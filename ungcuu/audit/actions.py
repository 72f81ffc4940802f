"""Writing to the audit log. Every action of every app calls record() inside its transaction."""

from datetime import UTC
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.db import models, transaction
from django.utils import timezone

from ungcuu.audit.models import AuditEntry, ChainHead

_encoder = DjangoJSONEncoder()


def plain(value: Any) -> Any:
    """Turn a value into JSON-native data that survives a database round trip unchanged."""
    if isinstance(value, models.Model):
        return {"id": value.pk, "repr": str(value)}
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set):
        return [plain(v) for v in value]
    if value is None or isinstance(value, bool | int | float | str):
        return value
    return _encoder.default(value)


def snapshot(instance: models.Model, fields: list[str]) -> dict:
    """The current values of the named fields, for a before/after comparison."""
    return {name: plain(getattr(instance, name)) for name in fields}


def diff(before: dict, after: dict) -> dict:
    """Fields whose values changed, as {field: [old, new]}."""
    return {k: [before.get(k), after[k]] for k in after if before.get(k) != after[k]}


def record(*, actor, action: str, target: models.Model, summary: str, changes: dict | None = None,
           via: str = "") -> AuditEntry:
    """Append one entry to the chain. Must run inside the caller's transaction."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("audit.record() must be called inside the action's transaction")
    head = ChainHead.objects.select_for_update().filter(pk=1).first()
    if head is None:
        # Made by the migration; only an emptied database (a test flush) lacks it. If entries were
        # left behind, the new entry's sequence number collides with them and the write fails.
        ChainHead.objects.get_or_create(pk=1)
        head = ChainHead.objects.select_for_update().get(pk=1)
    if actor is not None and getattr(actor, "pk", None):
        label = actor.get_username()
        actor_id = actor.pk
    else:
        label = via or "system"
        actor_id = None
    entry = AuditEntry(
        seq=head.last_seq + 1,
        created_at=timezone.now().astimezone(UTC),
        actor_id=actor_id,
        actor_label=label[:200],
        action=action,
        object_type=target._meta.label_lower,
        object_id=str(target.pk),
        object_repr=str(target)[:300],
        summary=summary,
        changes=plain(changes or {}),
        prev_hash=head.last_hash,
    )
    entry.hash = entry.compute_hash()
    entry.save()
    ChainHead.objects.filter(pk=1).update(last_seq=entry.seq, last_hash=entry.hash)
    return entry

"""Every change to evidence: adding a file, and each entry of its custody log. One audited, atomic function each.

The bytes are checked against their SHA-256 whenever they leave the store (download) or change hands
(hand-over), and on demand (verify); each check is written to the custody log with its result.
"""

import os

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from ungcuu.audit.actions import record
from ungcuu.evidence import store
from ungcuu.evidence.models import CustodyAction, CustodyEvent, EvidenceFile
from ungcuu.incidents.models import TRIAGE_ROLES, AttachmentKind, Incident, IncidentStatus, Responder

# A merged incident lives on in the one it was merged into; a rejected one was not an incident.
CLOSED_TO_EVIDENCE = (IncidentStatus.MERGED, IncidentStatus.REJECTED)
ACCESS_ACTIONS = (CustodyAction.VIEWED, CustodyAction.DOWNLOADED)
NAME_LENGTH = 255
DESCRIPTION_LENGTH = 500
HOLDER_LENGTH = 200
NOTE_LENGTH = 500


# Who may do what ---------------------------------------------------------------------------------


def _is_responder(user, incident: Incident) -> bool:
    return Responder.objects.filter(incident=incident, user=user).exists()


def can_see(user, incident: Incident) -> bool:
    return Incident.objects.visible_to(user).filter(pk=incident.pk).exists()


def can_add_evidence(user, incident: Incident) -> bool:
    """The triage roles, a dispatched responder, or the reporting account or organisation; never
    someone who cannot see the incident."""
    if not user.is_authenticated:
        return False
    allowed = (
        user.has_any_role(*TRIAGE_ROLES)
        or incident.created_by_id == user.pk
        or (incident.organisation_id is not None and incident.organisation_id == user.organisation_id)
        or _is_responder(user, incident)
    )
    return allowed and can_see(user, incident)


def can_handle_evidence(user, incident: Incident) -> bool:
    """Custodians: the triage roles and the members dispatched to the incident hand over and check files."""
    if not user.is_authenticated:
        return False
    return user.has_any_role(*TRIAGE_ROLES) or _is_responder(user, incident)


def _require_visible(actor, incident: Incident) -> None:
    if actor is not None and not can_see(actor, incident):
        raise PermissionDenied(_("You may not see this incident."))


def _require_custodian(actor, incident: Incident) -> None:
    _require_visible(actor, incident)
    if actor is not None and not can_handle_evidence(actor, incident):
        raise PermissionDenied(
            _("Only the standing office, the team leads or members dispatched to the incident may do this."))


def _hash_result(evidence: EvidenceFile, current: str | None) -> tuple[bool, str]:
    """Whether the stored bytes still match, and a note for the custody log when they do not."""
    if current is None:
        return False, _("The stored file is missing.")
    if current != evidence.sha256:
        return False, _("SHA-256 mismatch: the stored bytes now hash to %(sha)s.") % {"sha": current}
    return True, ""


def _mismatch_error(evidence: EvidenceFile) -> ValidationError:
    return ValidationError(
        _("The stored file “%(name)s” no longer matches its SHA-256 %(sha)s. It was not released; "
          "the failed check is recorded in the custody log. Tell the standing office.")
        % {"name": evidence.original_name, "sha": evidence.sha256}, code="hash_mismatch")


# Adding ------------------------------------------------------------------------------------------


def clean_file_name(name: str) -> str:
    """The file name without any folder part or control characters: it ends up in a download header
    and as the name inside a ZIP, where "../x" must not climb out of the folder it is unpacked in."""
    name = os.path.basename((name or "").replace("\\", "/"))
    name = "".join(c for c in name if c.isprintable()).strip()
    return name[:NAME_LENGTH] if name.strip(".") else "file"


def add_evidence(*, actor, incident: Incident, upload, kind: str, description: str = "") -> EvidenceFile:
    """Store an uploaded file as evidence of an incident and open its custody log."""
    if actor is not None and not can_add_evidence(actor, incident):
        raise PermissionDenied(_("You may not add evidence to this incident."))
    if incident.status in CLOSED_TO_EVIDENCE:
        raise ValidationError({"__all__": _("This incident takes no new evidence (%(status)s).")
                               % {"status": incident.get_status_display()}})
    errors = {}
    if upload is None:
        errors["file"] = _("Choose a file.")
    if kind not in AttachmentKind.values:
        errors["kind"] = _("Choose the kind of file.")
    description = (description or "").strip()
    if len(description) > DESCRIPTION_LENGTH:
        errors["description"] = _("Keep the description under %(n)s characters.") % {"n": DESCRIPTION_LENGTH}
    if errors:
        raise ValidationError(errors)
    name = clean_file_name(getattr(upload, "name", ""))
    try:
        # On disk (fsynced) before the row that names it is committed; a refused file leaves nothing.
        blob = store.save(upload, name)
    except ValidationError as exc:
        raise ValidationError({"file": exc.messages}) from exc
    with transaction.atomic():
        evidence = EvidenceFile.objects.create(
            incident=incident, kind=kind, original_name=name, sha256=blob.sha256, size=blob.size,
            content_type=(getattr(upload, "content_type", "") or "")[:100], description=description,
            added_by=actor,
        )
        CustodyEvent.objects.create(evidence=evidence, action=CustodyAction.ADDED, actor=actor, hash_ok=True)
        record(actor=actor, action="evidence.add", target=evidence,
               summary=_("Evidence “%(name)s” added to %(ref)s") % {"name": name, "ref": incident.reference},
               changes={"incident": incident.reference, "kind": kind, "sha256": blob.sha256, "size": blob.size,
                        "name": name})
    return evidence


# Custody -----------------------------------------------------------------------------------------


def record_access(*, actor, evidence: EvidenceFile, action: str, source=None) -> CustodyEvent:
    """Log a view or download after re-hashing the bytes; refuse (and log the refusal) when they changed.

    `source` is the open file about to be served, so that the bytes checked are the bytes sent;
    without it the stored file is opened and hashed.
    """
    if action not in ACCESS_ACTIONS:
        raise ValueError(f"not an access action: {action}")
    _require_visible(actor, evidence.incident)
    current = store.hash_file(source) if source is not None else store.rehash(evidence.sha256)
    ok, note = _hash_result(evidence, current)
    with transaction.atomic():
        event = CustodyEvent.objects.create(evidence=evidence, action=action, actor=actor, hash_ok=ok,
                                            note=(_("Refused: %(reason)s") % {"reason": note}) if note else "")
        label = CustodyAction(action).label
        if ok:
            summary = _("%(action)s “%(name)s”") % {"action": label, "name": evidence.original_name}
        else:
            summary = _("%(action)s “%(name)s” refused: the file no longer matches its SHA-256") % {
                "action": label, "name": evidence.original_name}
        record(actor=actor, action=f"evidence.{action}", target=evidence, summary=summary,
               changes={"hash_ok": ok, "sha256": evidence.sha256, "found": current})
    # Raised after the commit: the refusal itself stays in the custody log and the audit chain.
    if not ok:
        raise _mismatch_error(evidence)
    return event


def hand_over(*, actor, evidence: EvidenceFile, recipient: str, note: str = "") -> CustodyEvent:
    """Pass the file to someone else: the hash is checked and the result logged with the hand-over."""
    _require_custodian(actor, evidence.incident)
    recipient = (recipient or "").strip()
    note = (note or "").strip()
    errors = {}
    if not recipient:
        errors["recipient"] = _("Say who receives the file.")
    elif len(recipient) > HOLDER_LENGTH:
        errors["recipient"] = _("Keep the name under %(n)s characters.") % {"n": HOLDER_LENGTH}
    if len(note) > NOTE_LENGTH:
        errors["note"] = _("Keep the note under %(n)s characters.") % {"n": NOTE_LENGTH}
    if errors:
        raise ValidationError(errors)
    current = store.rehash(evidence.sha256)
    ok, problem = _hash_result(evidence, current)
    with transaction.atomic():
        evidence = EvidenceFile.objects.select_for_update().get(pk=evidence.pk)
        previous = evidence.holder
        evidence.holder = recipient
        evidence.save(update_fields=["holder"])
        event = CustodyEvent.objects.create(evidence=evidence, action=CustodyAction.HANDED_OVER, actor=actor,
                                            recipient=recipient, hash_ok=ok,
                                            note=" ".join(part for part in (note, problem) if part)[:NOTE_LENGTH])
        record(actor=actor, action="evidence.hand_over", target=evidence,
               summary=_("“%(name)s” handed over to %(recipient)s") % {
                   "name": evidence.original_name, "recipient": recipient},
               changes={"holder": [previous, recipient], "note": note, "hash_ok": ok, "found": current})
    return event


def verify_hash(*, actor, evidence: EvidenceFile) -> CustodyEvent:
    """Re-hash the stored bytes and log whether they still match."""
    _require_custodian(actor, evidence.incident)
    current = store.rehash(evidence.sha256)
    ok, note = _hash_result(evidence, current)
    with transaction.atomic():
        event = CustodyEvent.objects.create(evidence=evidence, action=CustodyAction.VERIFIED, actor=actor,
                                            hash_ok=ok, note=note)
        if ok:
            summary = _("“%(name)s” still matches its SHA-256") % {"name": evidence.original_name}
        else:
            summary = _("“%(name)s” no longer matches its SHA-256") % {"name": evidence.original_name}
        record(actor=actor, action="evidence.verify", target=evidence, summary=summary,
               changes={"hash_ok": ok, "sha256": evidence.sha256, "found": current})
    return event

"""Evidence endpoints: list an incident's files with their custody log, upload one, download one.

Downloads are attachments of type application/octet-stream; a malware sample comes only as an
AES-encrypted ZIP with the password "infected". Errors come back as 422/403/404 JSON.
"""

from datetime import datetime

from django.db.models import Prefetch
from django.http import Http404
from django.urls import reverse
from ninja import File, Form, Router, Schema, Status
from ninja.files import UploadedFile

from ungcuu.evidence import actions, download
from ungcuu.evidence.models import CustodyEvent, EvidenceFile
from ungcuu.incidents.models import Incident

router = Router(tags=["evidence"])


class CustodyOut(Schema):
    action: str
    action_label: str
    actor: str | None
    at: datetime
    recipient: str
    note: str
    hash_ok: bool | None

    @staticmethod
    def resolve_action_label(event):
        return event.get_action_display()

    @staticmethod
    def resolve_actor(event):
        return event.actor.get_username() if event.actor_id else None


class EvidenceOut(Schema):
    id: int
    incident_id: int
    kind: str
    kind_label: str
    original_name: str
    sha256: str
    size: int
    content_type: str
    description: str
    added_by: str | None
    added_at: datetime
    holder: str
    is_malware: bool
    download_url: str
    zip_password: str | None
    custody: list[CustodyOut]

    @staticmethod
    def resolve_kind_label(evidence):
        return evidence.get_kind_display()

    @staticmethod
    def resolve_added_by(evidence):
        return evidence.added_by.get_username() if evidence.added_by_id else None

    @staticmethod
    def resolve_download_url(evidence):
        return reverse("api:evidence_download", kwargs={"evidence_id": evidence.pk})

    @staticmethod
    def resolve_zip_password(evidence):
        return download.ZIP_PASSWORD if evidence.is_malware else None

    @staticmethod
    def resolve_custody(evidence):
        return list(evidence.custody.all())


def _incident(request, incident_ref: str) -> Incident:
    try:
        return Incident.objects.visible_to(request.user).lookup(incident_ref, by_id=True).get()
    except Incident.DoesNotExist:
        raise Http404 from None


def _with_custody(rows):
    return rows.select_related("added_by").prefetch_related(
        Prefetch("custody", queryset=CustodyEvent.objects.select_related("actor")))


@router.get("/incidents/{incident_ref}/evidence", response=list[EvidenceOut],
            summary="An incident's evidence files with their custody log (incident by id or reference)")
def list_evidence(request, incident_ref: str):
    incident = _incident(request, incident_ref)
    return _with_custody(EvidenceFile.objects.filter(incident=incident))


@router.post("/incidents/{incident_ref}/evidence", response={201: EvidenceOut},
             summary="Add an evidence file (multipart: file, kind, description)")
def add_evidence(request, incident_ref: str, file: File[UploadedFile], kind: Form[str] = "other",
                 description: Form[str] = ""):
    incident = _incident(request, incident_ref)
    evidence = actions.add_evidence(actor=request.user, incident=incident, upload=file, kind=kind,
                                    description=description)
    return Status(201, _with_custody(EvidenceFile.objects.filter(pk=evidence.pk)).get())


@router.get("/evidence/{evidence_id}/download", url_name="evidence_download",
            summary="Download an evidence file (malware samples: encrypted ZIP, password “infected”)")
def download_evidence(request, evidence_id: int):
    visible = Incident.objects.visible_to(request.user).values("pk")
    try:
        evidence = EvidenceFile.objects.select_related("incident").get(pk=evidence_id, incident__in=visible)
    except EvidenceFile.DoesNotExist:
        raise Http404 from None
    return download.download(actor=request.user, evidence=evidence)

"""Document endpoints: the register, issuing (same action as the page) and downloading DOCX/PDF as attachments.

Refusals come back as the other routers give them (403/404/422 {"detail", "errors"}). The list is paged.
"""

from datetime import date, datetime

from django.core.exceptions import PermissionDenied
from django.http import Http404
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import PageNumberPagination, paginate

from ungcuu.documents import actions, views
from ungcuu.documents.models import Document, DocumentKind
from ungcuu.incidents.models import Incident

router = Router(tags=["documents"])
MAX_ID = 2**63 - 1


class DocumentOut(Schema):
    id: int
    kind: str
    reference: str
    number: int
    year: int
    symbol: str
    incident: str | None = Field(None, alias="incident.reference")
    issuer: str = Field(alias="issuer.name")
    issued_on: date
    summary: str
    signature_prefix: str
    signer_name: str
    signer_title: str
    recipients: list[str]
    version: int
    supersedes: str | None = Field(None, alias="supersedes.reference")
    docx_sha256: str
    pdf_sha256: str
    pdf_signed: bool
    order: int | None = Field(None, alias="order_id", description="The coordination order it prints")
    sent_at: datetime | None = Field(None, alias="sent_report.sent_at", description="Marked sent (register)")
    docx_url: str
    pdf_url: str

    @staticmethod
    def resolve_docx_url(obj):
        return f"/api/v1/documents/{obj.pk}/docx"

    @staticmethod
    def resolve_pdf_url(obj):
        return f"/api/v1/documents/{obj.pk}/pdf"


class DocumentFilter(Schema):
    kind: str = ""
    incident: str = Field("", description="Incident reference, e.g. SC-2026-0001")


class IssueIn(Schema):
    incident: str = Field(description="Incident reference or id")
    kind: str = Field(description=", ".join(k for k in DocumentKind.values if k != DocumentKind.COORDINATION_ORDER)
                      + " (a coordination order is printed from the order)")
    signer_name: str
    signer_title: str
    recipients: list[str] = Field(description="Nơi nhận, one item per recipient")
    signature_prefix: str = Field("", description="'', 'KT.', 'TM.', 'TL.' or 'TUQ.'")
    signer_authority: str = Field("", description="With a prefix: the title of the head signed for")
    summary: str = ""
    note: str = Field("", description="What is requested (requests, orders) or recommended")
    issued_on: date | None = None


def _visible(request):
    if not request.user.has_any_role(*views.REGISTER_ROLES):
        raise PermissionDenied
    return views._register_rows(Document.objects.visible_to(request.user))


@router.get("/documents", response=list[DocumentOut], summary="The document register, newest first")
@paginate(PageNumberPagination)
def list_documents(request, filters: Query[DocumentFilter]):
    documents = _visible(request)
    if filters.kind:
        documents = documents.filter(kind=filters.kind)
    if filters.incident:
        documents = documents.filter(incident__reference=filters.incident.strip().upper())
    return documents


@router.post("/documents", response={201: DocumentOut}, summary="Issue a document about an incident")
def issue_document(request, payload: IssueIn):
    try:
        incident = Incident.objects.visible_to(request.user).lookup(payload.incident, by_id=True).get()
    except Incident.DoesNotExist:
        raise Http404 from None
    document = actions.issue_document(actor=request.user, incident=incident, **payload.dict(exclude={"incident"}))
    return Status(201, _visible(request).get(pk=document.pk))


class OrderDocumentIn(Schema):
    signer_title: str
    signer_name: str = Field("", description="Left empty: the order's signer")
    signature_prefix: str = Field("", description="'', 'KT.', 'TM.', 'TL.' or 'TUQ.'")
    signer_authority: str = ""


def _document(request, document_id: int) -> Document:
    if not 0 < document_id <= MAX_ID:
        raise Http404
    try:
        return _visible(request).get(pk=document_id)
    except Document.DoesNotExist:
        raise Http404 from None


@router.post("/documents/{document_id}/sent", response=DocumentOut,
             summary="Mark a report sent: it enters the incident's register of reports sent and meets its deadlines")
def mark_sent(request, document_id: int):
    actions.mark_sent(actor=request.user, document=_document(request, document_id))
    return _visible(request).get(pk=document_id)


@router.post("/coordination/orders/{order_id}/document", response={201: DocumentOut},
             summary="Issue the printed coordination order (Biểu mẫu 06) with the order's own number")
def issue_order_document(request, order_id: int, payload: OrderDocumentIn):
    from ungcuu.coordination.models import CoordinationOrder

    if not 0 < order_id <= MAX_ID:
        raise Http404
    order = CoordinationOrder.objects.filter(
        pk=order_id, incident__in=Incident.objects.visible_to(request.user)).first()
    if order is None:
        raise Http404
    document = actions.issue_order_document(actor=request.user, order=order, **payload.dict())
    return Status(201, _visible(request).get(pk=document.pk))


@router.get("/documents/{document_id}/{fmt}", summary="Download the DOCX or PDF (attachment)")
def download(request, document_id: int, fmt: str):
    return views.download_response(_document(request, document_id), fmt)

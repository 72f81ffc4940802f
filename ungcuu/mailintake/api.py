"""Mail intake endpoints: the received mail (list, one message) and the upload of a .eml file.

Only the standing office and the team leads may use them; refusals come back as the other routers give
them (403/404/422 {"detail", "errors"}). The list is paged (?page=, ?page_size=).
"""

from datetime import datetime

from django.http import Http404
from django.shortcuts import get_object_or_404
from ninja import File, Query, Router, Schema, Status
from ninja.files import UploadedFile
from ninja.pagination import PageNumberPagination, paginate

from ungcuu.mailintake import actions
from ungcuu.mailintake.models import MailMessage
from ungcuu.mailintake.views import messages_for_list

router = Router(tags=["mailintake"])
MAX_ID = 2**63 - 1


class FlagOut(Schema):
    code: str
    reason: str


class AttachmentOut(Schema):
    filename: str
    content_type: str
    size: int
    sha256: str
    executable: bool


class MessageOut(Schema):
    id: int
    source: str
    status: str
    message_id: str
    sender: str
    subject: str
    sent_at: datetime | None
    received_at: datetime
    sha256: str
    size: int
    raw_stored: bool
    submission: int | None = None
    incident: str | None = None
    flags: list[FlagOut]

    @staticmethod
    def resolve_submission(obj):
        return obj.submission_id

    @staticmethod
    def resolve_incident(obj):
        return obj.incident.reference if obj.incident_id else None

    @staticmethod
    def resolve_flags(obj):
        return list(obj.flags.all())


class MessageDetailOut(MessageOut):
    text: str
    attachments: list[AttachmentOut]

    @staticmethod
    def resolve_attachments(obj):
        return list(obj.attachments.all())


class UploadOut(MessageDetailOut):
    created: bool


class ListQuery(Schema):
    status: str = ""
    flag: str = ""


@router.get("/mail/messages", response=list[MessageOut], summary="Received e-mail (newest first)")
@paginate(PageNumberPagination)
def list_messages(request, params: Query[ListQuery]):
    actions.require_mail_reader(request.user)
    return messages_for_list({"status": params.status, "flag": params.flag})[0]


@router.get("/mail/messages/{message_id}", response=MessageDetailOut, summary="One received e-mail")
def get_message(request, message_id: int):
    actions.require_mail_reader(request.user)
    if not 0 < message_id <= MAX_ID:
        raise Http404
    return get_object_or_404(MailMessage.objects.select_related("incident"), pk=message_id)


@router.post("/mail/messages", response={201: UploadOut, 200: UploadOut},
             summary="Upload a .eml file: stored, then read like mail from the mailbox")
def upload_message(request, file: File[UploadedFile] = None):
    message, created = actions.import_eml(actor=request.user, upload=file)
    message = MailMessage.objects.select_related("incident").get(pk=message.pk)
    message.created = created
    return Status(201 if created else 200, message)

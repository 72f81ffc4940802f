"""Advisories endpoints: write, send, remind and close warnings; the coverage; a recipient's acknowledgement and
per-system answers. They call the same actions as the pages; refusals come back as {"detail", "errors"}
(403/404/422). Lists are paged (?page=, ?page_size=)."""

from datetime import date, datetime

from django.core.exceptions import ValidationError
from django.db.models import Prefetch
from django.http import Http404
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import PageNumberPagination, paginate

from ungcuu.advisories import actions
from ungcuu.advisories.models import VIEW_ALL_ROLES, Advisory, AdvisoryStatus, Answer, Recipient
from ungcuu.registry.models import Organisation

router = Router(tags=["advisories"])
MAX_ID = 2**63 - 1


class ProductIn(Schema):
    product: str = Field(max_length=200)
    versions: str = Field("", max_length=300)


class AdvisoryIn(Schema):
    title: str = Field(max_length=300)
    description: str
    deadline: date = Field(description="Answer by (YYYY-MM-DD)")
    products: list[ProductIn] = Field([], description="Affected products; matched against the systems' software")
    cve_ids: list[str] = Field([], description="CVE-YYYY-NNNN identifiers")
    severity: str = Field("high", description="low | medium | high | critical")
    recommended_actions: str = ""
    source: str = Field("", max_length=300, description="e.g. the national coordinator's warning number")
    source_organisation: int | None = Field(None, description="Organisation id of the source")
    organisations: list[int] = Field([], description="Ids of organisations to warn in any case")
    match_products: bool = Field(True, description="Also warn every owner of a system running an affected product")


class ProductOut(Schema):
    product: str
    versions: str


class AdvisoryOut(Schema):
    id: int
    title: str
    description: str
    cve_ids: list[str]
    severity: str
    recommended_actions: str
    deadline: date
    source: str
    source_organisation: int | None = Field(alias="source_organisation_id")
    match_products: bool
    organisations: list[int]
    products: list[ProductOut]
    status: str
    issued_by: int | None = Field(alias="issued_by_id")
    created_at: datetime
    sent_at: datetime | None
    closed_at: datetime | None
    url: str

    @staticmethod
    def resolve_organisations(obj):
        return [o.pk for o in obj.organisations.all()]

    @staticmethod
    def resolve_products(obj):
        return list(obj.products.all())

    @staticmethod
    def resolve_url(obj):
        return f"/advisories/{obj.pk}/"


class AnswerOut(Schema):
    id: int
    system: int = Field(alias="system_id")
    system_name: str
    matched_on: str
    status: str
    note: str
    answered_at: datetime | None
    answered_by: int | None = Field(alias="answered_by_id")

    @staticmethod
    def resolve_system_name(obj):
        return obj.system.name


class RecipientOut(Schema):
    id: int
    advisory: int = Field(alias="advisory_id")
    organisation: int = Field(alias="organisation_id")
    organisation_name: str
    chosen: bool
    matched: bool
    sent_at: datetime
    acknowledged_at: datetime | None
    acknowledged_by: int | None = Field(alias="acknowledged_by_id")
    completed_at: datetime | None
    reminder_count: int
    last_reminded_on: date | None
    answers: list[AnswerOut]
    url: str

    @staticmethod
    def resolve_organisation_name(obj):
        return obj.organisation.name

    @staticmethod
    def resolve_answers(obj):
        return list(obj.answers.all())

    @staticmethod
    def resolve_url(obj):
        return f"/advisories/recipients/{obj.pk}/"


class CoverageOut(Schema):
    advisory: int
    status: str
    recipients: int
    acknowledged: int
    not_acknowledged: int
    completed: int
    reminded: int
    systems: int
    answered: int
    pending: int
    not_affected: int
    fixed: int
    mitigated: int
    cannot_fix: int


def _id(value: int) -> int:
    if not 0 < value <= MAX_ID:
        raise Http404
    return value


def _advisories(request):
    return (Advisory.objects.visible_to(request.user).distinct()
            .prefetch_related("products", "organisations"))


def _advisory(request, advisory_id: int) -> Advisory:
    advisory = _advisories(request).filter(pk=_id(advisory_id)).first()
    if advisory is None:
        raise Http404
    return advisory


def _team_advisory(request, advisory_id: int) -> Advisory:
    """A warning for the team and oversight only (its coverage and every recipient's answers)."""
    if not request.user.has_any_role(*VIEW_ALL_ROLES):
        raise Http404
    return _advisory(request, advisory_id)


def _organisation(pk, field: str) -> Organisation:
    organisation = Organisation.objects.filter(pk=pk).first() if 0 < pk <= MAX_ID else None
    if organisation is None:
        raise ValidationError({field: _("Organisation #%(id)s does not exist.") % {"id": pk}})
    return organisation


def _arguments(payload: AdvisoryIn) -> dict:
    data = payload.dict()
    data["products"] = [(p["product"], p["versions"]) for p in data["products"]]
    data["source_organisation"] = (_organisation(data["source_organisation"], "source_organisation")
                                   if data["source_organisation"] is not None else None)
    data["organisations"] = [_organisation(pk, "organisations") for pk in dict.fromkeys(data["organisations"])]
    return data


def _recipients():
    answers = Answer.objects.select_related("system").order_by("system__name", "pk")
    return (Recipient.objects.select_related("organisation")
            .prefetch_related(Prefetch("answers", queryset=answers)))


class AdvisoryQuery(Schema):
    status: str = Field("", description="draft | sent | closed")


@router.get("/advisories", response=list[AdvisoryOut], summary="List warnings (an agency: those sent to it)")
@paginate(PageNumberPagination)
def list_advisories(request, filters: Query[AdvisoryQuery]):
    rows = _advisories(request).order_by("-created_at", "-id")
    if filters.status:
        if filters.status not in AdvisoryStatus.values:
            raise ValidationError({"status": _("Unknown status %(s)s.") % {"s": filters.status}})
        rows = rows.filter(status=filters.status)
    return rows


@router.post("/advisories", response={201: AdvisoryOut}, summary="Write a warning (a draft)")
def create_advisory(request, payload: AdvisoryIn):
    advisory = actions.create_advisory(actor=request.user, **_arguments(payload))
    return Status(201, _advisory(request, advisory.pk))


@router.get("/advisories/{advisory_id}", response=AdvisoryOut, summary="One warning")
def get_advisory(request, advisory_id: int):
    return _advisory(request, advisory_id)


@router.put("/advisories/{advisory_id}", response=AdvisoryOut, summary="Change a draft warning")
def update_advisory(request, advisory_id: int, payload: AdvisoryIn):
    advisory = _team_advisory(request, advisory_id)
    actions.update_advisory(actor=request.user, advisory=advisory, **_arguments(payload))
    return _advisory(request, advisory_id)


@router.post("/advisories/{advisory_id}/send", response=list[RecipientOut],
             summary="Send a draft: returns the recipients and their systems")
def send_advisory(request, advisory_id: int):
    advisory = _team_advisory(request, advisory_id)
    actions.send_advisory(actor=request.user, advisory=advisory)
    return _recipients().filter(advisory=advisory).order_by("organisation__name", "pk")


class RemindOut(Schema):
    reminded: list[RecipientOut]


@router.post("/advisories/{advisory_id}/remind", response=RemindOut,
             summary="Remind the recipients that have not acknowledged or answered (once a day)")
def remind(request, advisory_id: int):
    advisory = _team_advisory(request, advisory_id)
    rows = actions.remind_non_responders(actor=request.user, advisory=advisory)
    return {"reminded": list(_recipients().filter(pk__in=[r.pk for r in rows]).order_by("organisation__name"))}


class CloseIn(Schema):
    reason: str = Field("", max_length=300)


@router.post("/advisories/{advisory_id}/close", response=AdvisoryOut, summary="Close a sent warning")
def close(request, advisory_id: int, payload: CloseIn):
    advisory = _team_advisory(request, advisory_id)
    actions.close_advisory(actor=request.user, advisory=advisory, reason=payload.reason)
    return _advisory(request, advisory_id)


@router.get("/advisories/{advisory_id}/coverage", response=CoverageOut,
            summary="Coverage figures: agencies acknowledged, systems by answer")
def coverage(request, advisory_id: int):
    advisory = _team_advisory(request, advisory_id)
    return {"advisory": advisory.pk, "status": advisory.status, **advisory.coverage()}


@router.get("/advisories/{advisory_id}/recipients", response=list[RecipientOut],
            summary="The recipients of a warning with their per-system answers")
@paginate(PageNumberPagination)
def list_recipients(request, advisory_id: int):
    advisory = _team_advisory(request, advisory_id)
    return _recipients().filter(advisory=advisory).order_by("organisation__name", "pk")


@router.get("/advisory-recipients", response=list[RecipientOut],
            summary="Recipient rows I may see (an agency: its own), newest first")
@paginate(PageNumberPagination)
def my_recipients(request):
    return (_recipients().filter(pk__in=Recipient.objects.visible_to(request.user).values("pk"))
            .exclude(advisory__status=AdvisoryStatus.DRAFT).order_by("-sent_at", "-pk"))


def _recipient(request, recipient_id: int) -> Recipient:
    recipient = _recipients().filter(pk=_id(recipient_id),
                                     pk__in=Recipient.objects.visible_to(request.user).values("pk")).first()
    if recipient is None:
        raise Http404
    return recipient


@router.get("/advisory-recipients/{recipient_id}", response=RecipientOut, summary="One recipient row")
def get_recipient(request, recipient_id: int):
    return _recipient(request, recipient_id)


@router.post("/advisory-recipients/{recipient_id}/acknowledge", response=RecipientOut,
             summary="Acknowledge a warning for my organisation")
def acknowledge(request, recipient_id: int):
    recipient = _recipient(request, recipient_id)
    actions.acknowledge_advisory(actor=request.user, recipient=recipient)
    return _recipient(request, recipient_id)


class AnswerIn(Schema):
    status: str = Field(description="not_affected | fixed | mitigated | cannot_fix")
    note: str = Field("", max_length=2000, description="Required for cannot_fix: the reason")


@router.post("/advisory-answers/{answer_id}", response=AnswerOut,
             summary="Answer for one system of my organisation")
def answer(request, answer_id: int, payload: AnswerIn):
    row = Answer.objects.filter(pk=_id(answer_id)).first()
    if row is None:
        raise Http404
    _recipient(request, row.recipient_id)  # 404 for a row of another organisation
    saved = actions.answer_advisory(actor=request.user, answer=row, status=payload.status, note=payload.note)
    return Answer.objects.select_related("system").get(pk=saved.pk)

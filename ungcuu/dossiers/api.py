"""Member dossier endpoints (TT 20/2017 Biểu mẫu 01); they call the same actions as the pages."""

from datetime import date, datetime

from django.core.exceptions import ValidationError
from django.db.models import Prefetch
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema, Status
from ninja.pagination import PageNumberPagination, paginate

from ungcuu.dossiers import actions
from ungcuu.dossiers.models import Dossier, FocalPoint, FocalPointChange, FocalPointRole, NoticeMeans
from ungcuu.registry.models import InformationSystem, Organisation, Person

router = Router(tags=["dossiers"])
MAX_ID = 2**63 - 1


def _get(model, pk: int, field: str):
    obj = model.objects.filter(pk=pk).first() if 0 < pk <= MAX_ID else None
    if obj is None:
        raise ValidationError({field: _("Unknown id: %(id)s") % {"id": pk}})
    return obj


def _systems(ids: list[int]) -> list:
    return [_get(InformationSystem, pk, "systems") for pk in dict.fromkeys(ids)]


class FocalPointOut(Schema):
    role: str
    full_name: str
    position: str
    address: str
    landline: str
    mobile: str
    fax: str
    email: str
    since: datetime


class ChangeOut(Schema):
    id: int
    role: str
    previous: str | None
    new: str
    changed_at: datetime
    notified_at: datetime | None
    notice_means: str
    notice_reference: str

    @staticmethod
    def resolve_previous(obj):
        return obj.previous.full_name if obj.previous_id else None

    @staticmethod
    def resolve_new(obj):
        return obj.new.full_name


class SystemOut(Schema):
    id: int
    name: str
    level: int


class StaffOut(Schema):
    id: int
    field: str
    level: str
    certificate: str
    count: int


class ExpertOut(Schema):
    id: int
    full_name: str
    school: str
    speciality: str
    degree: str
    graduated: str


class DossierOut(Schema):
    id: int
    organisation: int = Field(alias="organisation_id")
    member_code: str
    name: str
    parent_body: str
    address: str
    phone: str
    fax: str
    email: str
    website: str
    security_leader: str
    security_leader_position: str
    reception_address: str
    reception_landline: str
    reception_mobile: str
    reception_fax: str
    reception_email: str
    capabilities: str
    systems: list[SystemOut]
    staff: list[StaffOut]
    staff_management: int
    staff_defence: int
    staff_protection: int
    staff_assessment: int
    experts: list[ExpertOut]
    focal_points: list[FocalPointOut]
    pending_changes: list[ChangeOut]
    confirmed_on: date | None
    update_due: bool

    @staticmethod
    def resolve_systems(obj):
        return list(obj.systems.all())

    @staticmethod
    def resolve_staff(obj):
        return list(obj.staff.all())

    @staticmethod
    def resolve_experts(obj):
        return list(obj.experts.all())

    @staticmethod
    def resolve_focal_points(obj):
        return obj.current

    @staticmethod
    def resolve_pending_changes(obj):
        return obj.pending

    @staticmethod
    def resolve_update_due(obj):
        return obj.update_due()


def _dossiers(request):
    return Dossier.objects.visible_to(request.user).prefetch_related(
        "systems", "staff", "experts",
        Prefetch("focal_points", queryset=FocalPoint.objects.filter(until__isnull=True), to_attr="current"),
        Prefetch("focal_point_changes", to_attr="pending",
                 queryset=FocalPointChange.objects.pending().select_related("previous", "new")))


def _dossier(request, dossier_id: int) -> Dossier:
    return get_object_or_404(_dossiers(request), pk=dossier_id)


@router.get("/dossiers", response=list[DossierOut], summary="List member dossiers (Biểu mẫu 01)")
@paginate(PageNumberPagination)
def list_dossiers(request):
    return _dossiers(request)


@router.get("/dossiers/{dossier_id}", response=DossierOut, summary="One member dossier")
def get_dossier(request, dossier_id: int):
    return _dossier(request, dossier_id)


class DossierFields(Schema):
    member_code: str | None = Field(None, max_length=50)
    name: str | None = Field(None, max_length=300)
    parent_body: str | None = Field(None, max_length=300)
    address: str | None = Field(None, max_length=300)
    phone: str | None = Field(None, max_length=50)
    fax: str | None = Field(None, max_length=50)
    email: str | None = None
    website: str | None = None
    security_leader: str | None = Field(None, max_length=200)
    security_leader_position: str | None = Field(None, max_length=200)
    reception_address: str | None = Field(None, max_length=300)
    reception_landline: str | None = Field(None, max_length=50)
    reception_mobile: str | None = Field(None, max_length=50)
    reception_fax: str | None = Field(None, max_length=50)
    reception_email: str | None = None
    capabilities: str | None = None
    staff_management: int | None = Field(None, ge=0)
    staff_defence: int | None = Field(None, ge=0)
    staff_protection: int | None = Field(None, ge=0)
    staff_assessment: int | None = Field(None, ge=0)
    systems: list[int] | None = Field(None, description="Ids of the information systems in charge")


class DossierIn(DossierFields):
    organisation: int = Field(description="Id of the member organisation")


def _fields(payload: DossierFields) -> dict:
    return {k: v for k, v in payload.dict(exclude={"organisation", "systems"}).items() if v is not None}


@router.post("/dossiers", response={201: DossierOut}, summary="Open an organisation's dossier")
def create_dossier(request, payload: DossierIn):
    actions.require_editor(request.user)
    dossier = actions.create_dossier(actor=request.user, organisation=_get(Organisation, payload.organisation,
                                                                          "organisation"),
                                     systems=_systems(payload.systems or []), **_fields(payload))
    return Status(201, _dossier(request, dossier.pk))


@router.patch("/dossiers/{dossier_id}", response=DossierOut, summary="Change sections 1, 2, 4, 5 and 7")
def update_dossier(request, dossier_id: int, payload: DossierFields):
    dossier = _dossier(request, dossier_id)
    actions.update_dossier(actor=request.user, dossier=dossier,
                           systems=_systems(payload.systems) if payload.systems is not None else None,
                           **_fields(payload))
    return _dossier(request, dossier_id)


@router.post("/dossiers/{dossier_id}/confirm", response=DossierOut, summary="Confirm the dossier is up to date")
def confirm_dossier(request, dossier_id: int):
    actions.confirm_dossier(actor=request.user, dossier=_dossier(request, dossier_id))
    return _dossier(request, dossier_id)


class FocalPointIn(Schema):
    role: FocalPointRole
    person: int | None = Field(None, description="Id of a registry person (fills name, position, mobile, e-mail)")
    full_name: str = Field("", max_length=200)
    position: str = Field("", max_length=200)
    address: str = Field("", max_length=300)
    landline: str = Field("", max_length=50)
    mobile: str = Field("", max_length=50)
    fax: str = Field("", max_length=50)
    email: str = Field("", max_length=254)


@router.post("/dossiers/{dossier_id}/focal-points", response={201: ChangeOut},
             summary="Change the main or backup focal point (notify the national coordinator within 24 hours)")
def change_focal_point(request, dossier_id: int, payload: FocalPointIn):
    dossier = _dossier(request, dossier_id)
    data = payload.dict(exclude={"person"})
    person = _get(Person, payload.person, "person") if payload.person is not None else None
    return Status(201, actions.change_focal_point(actor=request.user, dossier=dossier, person=person, **data))


class NoticeIn(Schema):
    sent_at: datetime
    means: NoticeMeans
    reference: str = Field("", max_length=200)


@router.post("/dossiers/{dossier_id}/focal-point-notice", response=list[ChangeOut],
             summary="Record the notice of the focal point changes sent to the national coordinator")
def record_notice(request, dossier_id: int, payload: NoticeIn):
    dossier = _dossier(request, dossier_id)
    return actions.record_focal_point_notice(actor=request.user, dossier=dossier, sent_at=payload.sent_at,
                                             means=payload.means, reference=payload.reference)


class StaffIn(Schema):
    field: str = Field(max_length=200)
    level: str = Field(max_length=100)
    certificate: str = Field("", max_length=300)
    count: int = Field(1, ge=1)


@router.post("/dossiers/{dossier_id}/staff", response={201: StaffOut}, summary="Add IT/security staff (section 6)")
def add_staff(request, dossier_id: int, payload: StaffIn):
    return Status(201, actions.add_staff_entry(actor=request.user, dossier=_dossier(request, dossier_id),
                                               **payload.dict()))


@router.delete("/dossiers/{dossier_id}/staff/{entry_id}", response={204: None}, summary="Remove a staff line")
def remove_staff(request, dossier_id: int, entry_id: int):
    entry = get_object_or_404(_dossier(request, dossier_id).staff, pk=entry_id)
    actions.remove_staff_entry(actor=request.user, entry=entry)
    return Status(204, None)


class ExpertIn(Schema):
    full_name: str = Field(max_length=200)
    school: str = Field("", max_length=300)
    speciality: str = Field("", max_length=200)
    degree: str = Field("", max_length=300)
    graduated: str = Field("", max_length=7, description="mm/yyyy")


@router.post("/dossiers/{dossier_id}/experts", response={201: ExpertOut}, summary="Add an expert (section 8)")
def add_expert(request, dossier_id: int, payload: ExpertIn):
    return Status(201, actions.add_expert(actor=request.user, dossier=_dossier(request, dossier_id),
                                          **payload.dict()))


@router.delete("/dossiers/{dossier_id}/experts/{expert_id}", response={204: None}, summary="Remove an expert")
def remove_expert(request, dossier_id: int, expert_id: int):
    expert = get_object_or_404(_dossier(request, dossier_id).experts, pk=expert_id)
    actions.remove_expert(actor=request.user, expert=expert)
    return Status(204, None)


@router.get("/dossiers/{dossier_id}/docx", summary="Biểu mẫu 01 as an editable DOCX",
            response={200: None})
def dossier_docx(request, dossier_id: int):
    from django.http import HttpResponse

    from ungcuu.dossiers.form01 import render_docx
    from ungcuu.dossiers.views import DOCX_TYPE

    dossier = _dossier(request, dossier_id)
    response = HttpResponse(render_docx(dossier), content_type=DOCX_TYPE)
    response["Content-Disposition"] = f'attachment; filename="bieu-mau-01-{dossier.pk}.docx"'
    return response

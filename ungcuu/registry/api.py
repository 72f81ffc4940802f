"""Registry endpoints: organisations, people, information systems, address lookup, deployment."""

from datetime import date

from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import PageNumberPagination, paginate

from ungcuu.registry import actions
from ungcuu.registry.models import (
    REGISTRY_EDITOR_ROLES,
    Deployment,
    InformationSystem,
    Organisation,
    Person,
)

router = Router(tags=["registry"])


def _require_editor(request):
    if not request.user.has_any_role(*REGISTRY_EDITOR_ROLES):
        raise PermissionDenied(_("Only the standing office or an administrator may change the registry."))


# Organisations -----------------------------------------------------------------------------------


class OrganisationOut(Schema):
    id: int
    name: str
    short_name: str
    kind: str
    kind_label: str = Field(..., alias="get_kind_display")
    parent_id: int | None
    address: str
    phone: str
    email: str
    is_active: bool


class OrganisationIn(Schema):
    name: str
    kind: str
    parent_id: int | None = None
    short_name: str = ""
    address: str = ""
    phone: str = ""
    email: str = ""
    is_active: bool = True


class OrganisationPatch(Schema):
    name: str | None = None
    kind: str | None = None
    parent_id: int | None = None
    short_name: str | None = None
    address: str | None = None
    phone: str | None = None
    email: str | None = None
    is_active: bool | None = None


class OrganisationFilter(Schema):
    q: str | None = None
    kind: str | None = None
    parent_id: int | None = None


def _fields(payload: Schema) -> dict:
    """The fields the client sent, with *_id keys renamed to the action's argument names."""
    data = payload.dict(exclude_unset=True)
    renames = {"parent_id": "parent", "owner_id": "owner", "operator_id": "operator",
               "security_provider_id": "security_provider", "organisation_id": "organisation",
               "connectivity_provider_ids": "connectivity_providers"}
    return {renames.get(k, k): v for k, v in data.items()}


@router.get("/organisations", response=list[OrganisationOut], summary="List organisations")
@paginate(PageNumberPagination)
def list_organisations(request, filters: Query[OrganisationFilter]):
    rows = Organisation.objects.all()
    if filters.q:
        rows = rows.filter(name__icontains=filters.q)
    if filters.kind:
        rows = rows.filter(kind=filters.kind)
    if filters.parent_id:
        rows = rows.filter(parent_id=filters.parent_id)
    return rows


@router.get("/organisations/{organisation_id}", response=OrganisationOut, summary="One organisation")
def get_organisation(request, organisation_id: int):
    return get_object_or_404(Organisation, pk=organisation_id)


@router.post("/organisations", response={201: OrganisationOut}, summary="Create an organisation")
def create_organisation(request, payload: OrganisationIn):
    _require_editor(request)
    return Status(201, actions.create_organisation(actor=request.user, **_fields(payload)))


@router.patch("/organisations/{organisation_id}", response=OrganisationOut, summary="Change an organisation")
def update_organisation(request, organisation_id: int, payload: OrganisationPatch):
    _require_editor(request)
    organisation = get_object_or_404(Organisation, pk=organisation_id)
    return actions.update_organisation(actor=request.user, organisation=organisation, **_fields(payload))


# People ------------------------------------------------------------------------------------------


class PersonOut(Schema):
    id: int
    full_name: str
    position: str
    organisation_id: int
    phone: str
    email: str
    team_position: str
    skills: str
    is_active: bool


class PersonIn(Schema):
    full_name: str
    organisation_id: int
    position: str = ""
    phone: str = ""
    email: str = ""
    team_position: str = ""
    skills: str = ""
    is_active: bool = True


class PersonPatch(Schema):
    full_name: str | None = None
    organisation_id: int | None = None
    position: str | None = None
    phone: str | None = None
    email: str | None = None
    team_position: str | None = None
    skills: str | None = None
    is_active: bool | None = None


class PersonFilter(Schema):
    q: str | None = None
    organisation_id: int | None = None
    team: bool | None = None


@router.get("/people", response=list[PersonOut], summary="List people")
@paginate(PageNumberPagination)
def list_people(request, filters: Query[PersonFilter]):
    rows = Person.objects.visible_to(request.user)
    if filters.q:
        rows = rows.filter(full_name__icontains=filters.q)
    if filters.organisation_id:
        rows = rows.filter(organisation_id=filters.organisation_id)
    if filters.team:
        rows = rows.on_team()
    return rows


@router.get("/people/{person_id}", response=PersonOut, summary="One person")
def get_person(request, person_id: int):
    return get_object_or_404(Person.objects.visible_to(request.user), pk=person_id)


@router.post("/people", response={201: PersonOut}, summary="Add a person")
def create_person(request, payload: PersonIn):
    _require_editor(request)
    return Status(201, actions.create_person(actor=request.user, **_fields(payload)))


@router.patch("/people/{person_id}", response=PersonOut, summary="Change a person")
def update_person(request, person_id: int, payload: PersonPatch):
    _require_editor(request)
    person = get_object_or_404(Person.objects.visible_to(request.user), pk=person_id)
    return actions.update_person(actor=request.user, person=person, **_fields(payload))


# Information systems -----------------------------------------------------------------------------


class OrganisationRef(Schema):
    id: int
    name: str


class SystemOut(Schema):
    id: int
    name: str
    owner: OrganisationRef
    operator: OrganisationRef
    level: int
    level_status: str
    level_approved_on: date | None
    level_decision: str
    national_critical: bool
    purpose: str
    os_versions: str
    services: list[str]
    services_other: str
    security_measures: list[str]
    security_measures_other: str
    security_provider: OrganisationRef | None
    connectivity_providers: list[OrganisationRef]
    ip_ranges: list[str]
    domains: list[str]
    is_active: bool

    @staticmethod
    def resolve_connectivity_providers(system):
        return list(system.connectivity_providers.all())

    @staticmethod
    def resolve_ip_ranges(system):
        return system.ip_ranges()

    @staticmethod
    def resolve_domains(system):
        return system.domain_names()


class SystemIn(Schema):
    name: str
    owner_id: int
    operator_id: int
    level: int
    level_status: str = "proposed"
    level_approved_on: date | None = None
    level_decision: str = ""
    national_critical: bool = False
    purpose: str = ""
    os_versions: str = ""
    services: list[str] = []
    services_other: str = ""
    security_measures: list[str] = []
    security_measures_other: str = ""
    security_provider_id: int | None = None
    connectivity_provider_ids: list[int] = []
    ip_ranges: list[str] = []
    domains: list[str] = []
    is_active: bool = True


class SystemPatch(Schema):
    name: str | None = None
    owner_id: int | None = None
    operator_id: int | None = None
    level: int | None = None
    level_status: str | None = None
    level_approved_on: date | None = None
    level_decision: str | None = None
    national_critical: bool | None = None
    purpose: str | None = None
    os_versions: str | None = None
    services: list[str] | None = None
    services_other: str | None = None
    security_measures: list[str] | None = None
    security_measures_other: str | None = None
    security_provider_id: int | None = None
    connectivity_provider_ids: list[int] | None = None
    ip_ranges: list[str] | None = None
    domains: list[str] | None = None
    is_active: bool | None = None


class SystemFilter(Schema):
    q: str | None = None
    level: int | None = None
    organisation_id: int | None = None


@router.get("/systems", response=list[SystemOut], summary="List information systems")
@paginate(PageNumberPagination)
def list_systems(request, filters: Query[SystemFilter]):
    rows = InformationSystem.objects.visible_to(request.user).with_addresses()
    if filters.q:
        rows = rows.filter(name__icontains=filters.q)
    if filters.level:
        rows = rows.filter(level=filters.level)
    if filters.organisation_id:
        rows = rows.filter(owner_id=filters.organisation_id)
    return rows


@router.get("/systems/resolve", response=list[SystemOut], summary="Find the systems owning an IP or domain")
def resolve(request, q: str):
    found = [s.pk for s in actions.resolve_address(q)]
    systems = InformationSystem.objects.visible_to(request.user).with_addresses().in_bulk(found)
    return [systems[pk] for pk in found if pk in systems]


@router.get("/systems/{system_id}", response=SystemOut, summary="One information system")
def get_system(request, system_id: int):
    return get_object_or_404(InformationSystem.objects.visible_to(request.user).with_addresses(), pk=system_id)


@router.post("/systems", response={201: SystemOut}, summary="Register an information system")
def create_system(request, payload: SystemIn):
    system = actions.create_system(actor=request.user, **_fields(payload))
    return Status(201, InformationSystem.objects.with_addresses().get(pk=system.pk))


@router.patch("/systems/{system_id}", response=SystemOut, summary="Change an information system")
def update_system(request, system_id: int, payload: SystemPatch):
    system = get_object_or_404(InformationSystem.objects.editable_by(request.user), pk=system_id)
    actions.update_system(actor=request.user, system=system, **_fields(payload))
    return InformationSystem.objects.with_addresses().get(pk=system.pk)


# Deployment --------------------------------------------------------------------------------------


class DeploymentOut(Schema):
    province_name: str
    province_id: int | None
    team_name: str
    standing_office_id: int | None
    standing_office_address: str
    standing_office_phone: str
    standing_office_email: str
    steering_committee_id: int | None
    national_coordinator_id: int | None
    incident_term: str


class DeploymentPatch(Schema):
    province_name: str | None = None
    province_id: int | None = None
    team_name: str | None = None
    standing_office_id: int | None = None
    standing_office_address: str | None = None
    standing_office_phone: str | None = None
    standing_office_email: str | None = None
    steering_committee_id: int | None = None
    national_coordinator_id: int | None = None
    incident_term: str | None = None


@router.get("/deployment", response=DeploymentOut, summary="Deployment-wide names")
def get_deployment(request):
    return Deployment.current()


@router.patch("/deployment", response=DeploymentOut, summary="Change deployment-wide names")
def update_deployment(request, payload: DeploymentPatch):
    data = {k.removesuffix("_id"): v for k, v in payload.dict(exclude_unset=True).items()}
    return actions.update_deployment(actor=request.user, **data)

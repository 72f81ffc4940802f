"""Plans endpoints: response plans and their versions, scenarios and steps, approval, the scenario's tasks on an
incident, and the annual plan's tasks with progress per unit.

They call the same actions as the pages; refusals come back as the other routers give them
(403/404/422 {"detail", "errors"}). A plan the caller may not see is a 404. Lists are paged (?page=, ?page_size=).
"""

from datetime import date, datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Prefetch
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import PageNumberPagination, paginate

from ungcuu.incidents.models import Incident
from ungcuu.plans import actions
from ungcuu.plans.models import (
    ANNUAL_READER_ROLES,
    SECTION_FIELDS,
    AnnualPlan,
    AnnualTask,
    PlanStatus,
    ProgressNote,
    ResponsePlan,
    Scenario,
    ScenarioStep,
)
from ungcuu.plans.views import progress_by_unit
from ungcuu.registry.models import InformationSystem, Organisation

router = Router(tags=["plans"])
MAX_ID = 2**63 - 1


def _id_ok(value: int) -> bool:
    return 0 < value <= MAX_ID


def _plans(request):
    return (ResponsePlan.objects.visible_to(request.user).select_related("system__owner", "system__operator")
            .prefetch_related(Prefetch("scenarios", queryset=Scenario.objects.prefetch_related("steps"))))


def _plan(request, plan_id: int) -> ResponsePlan:
    if not _id_ok(plan_id):
        raise Http404
    return get_object_or_404(_plans(request), pk=plan_id)


def _scenario(request, scenario_id: int) -> Scenario:
    if not _id_ok(scenario_id):
        raise Http404
    visible = ResponsePlan.objects.visible_to(request.user).values("pk")
    return get_object_or_404(Scenario.objects.select_related("plan__system__owner", "plan__system__operator"),
                             pk=scenario_id, plan__in=visible)


def _step(request, step_id: int) -> ScenarioStep:
    if not _id_ok(step_id):
        raise Http404
    visible = ResponsePlan.objects.visible_to(request.user).values("pk")
    return get_object_or_404(ScenarioStep.objects.select_related("scenario__plan__system__owner",
                                                                 "scenario__plan__system__operator"),
                             pk=step_id, scenario__plan__in=visible)


# Schemas ------------------------------------------------------------------------------------------------------


class StepIn(Schema):
    title: str = Field(max_length=300)
    detail: str = ""
    procedure_step: str = Field("contain", description="The incident procedure step the task goes to "
                                                       "(e.g. contain, eradicate, recover)")


class StepOut(Schema):
    id: int
    position: int
    title: str
    detail: str
    procedure_step: str


class ScenarioIn(Schema):
    cause: str = Field(description="cyber_attack | system_fault | operator_error | natural_disaster")
    attack_type: str = Field("", description="One of the 10 attack types; only with cause cyber_attack")
    title: str = Field("", max_length=300)
    situation: str = ""
    identify_origin: str = ""
    isolate: str = ""
    handle: str = ""
    recover: str = ""
    resources: str = ""
    steps: list[StepIn] = []


class ScenarioPatch(Schema):
    cause: str | None = None
    attack_type: str | None = None
    title: str | None = Field(None, max_length=300)
    situation: str | None = None
    identify_origin: str | None = None
    isolate: str | None = None
    handle: str | None = None
    recover: str | None = None
    resources: str | None = None
    position: int | None = Field(None, ge=0, le=32767)


class ScenarioOut(Schema):
    id: int
    plan: int = Field(alias="plan_id")
    cause: str
    attack_type: str
    title: str
    situation: str
    identify_origin: str
    isolate: str
    handle: str
    recover: str
    resources: str
    position: int
    steps: list[StepOut]

    @staticmethod
    def resolve_steps(obj):
        return list(obj.steps.all())


class Sections(Schema):
    basis_purpose: str | None = None
    severity_criteria: str | None = None
    risk_current_state: str | None = None
    risk_threats: str | None = None
    risk_impact: str | None = None
    risk_resources: str | None = None
    continuity_priorities: str | None = Field(None, description="Mandatory for approval (TT 20/2017 Điều 12.2)")
    operations: str | None = None
    training: str | None = None
    readiness: str | None = None
    budget_organisation: str | None = None


class PlanIn(Sections):
    scope: str = Field("system", description="system | province")
    system: int | None = Field(None, description="Id of the information system (scope system)")
    title: str = Field("", max_length=300)


class PlanPatch(Sections):
    title: str | None = Field(None, max_length=300)


class PlanOut(Schema):
    id: int
    scope: str
    system: int | None = Field(alias="system_id")
    system_name: str
    version: int
    previous: int | None = Field(alias="previous_id")
    title: str
    outline: str
    status: str
    sections: dict[str, str]
    approver_authority: str
    approver_name: str
    decision_number: str
    decision_date: date | None
    approved_at: datetime | None
    updated_at: datetime
    scenarios: list[ScenarioOut]
    url: str

    @staticmethod
    def resolve_system_name(obj):
        return obj.system.name if obj.system else ""

    @staticmethod
    def resolve_sections(obj):
        return {field: getattr(obj, field) for field in SECTION_FIELDS}

    @staticmethod
    def resolve_scenarios(obj):
        return list(obj.scenarios.all())

    @staticmethod
    def resolve_url(obj):
        return f"/plans/{obj.pk}/"


def _sections(payload: Sections) -> dict:
    return {field: value for field, value in payload.dict().items() if field in SECTION_FIELDS and value is not None}


# Response plans -------------------------------------------------------------------------------------------------


class PlanQuery(Schema):
    status: str = Field("", description="draft | approved | superseded | unapproved (= draft)")
    system: int | None = Field(None, description="Only this system's plan versions")


@router.get("/plans", response=list[PlanOut], summary="List response plan versions I may see")
@paginate(PageNumberPagination)
def list_plans(request, filters: Query[PlanQuery]):
    rows = _plans(request).order_by("-updated_at", "-id")
    status = "draft" if filters.status == "unapproved" else filters.status
    if status:
        if status not in PlanStatus.values:
            raise ValidationError({"status": _("Choose draft, approved, superseded or unapproved.")})
        rows = rows.filter(status=status)
    if filters.system is not None:
        rows = rows.filter(system_id=filters.system if _id_ok(filters.system) else 0)
    return rows


@router.post("/plans", response={201: PlanOut}, summary="Draft version 1 of a system's or the province's plan")
def create_plan(request, payload: PlanIn):
    system = None
    if payload.scope == "system":
        if payload.system is None:
            raise ValidationError({"system": _("Choose the information system.")})
        system = InformationSystem.objects.filter(pk=payload.system).first() if _id_ok(payload.system) else None
        if system is None or not InformationSystem.objects.visible_to(request.user).filter(pk=system.pk).exists():
            raise ValidationError({"system": _("Information system #%(id)s does not exist.") % {"id": payload.system}})
    plan = actions.create_plan(actor=request.user, scope=payload.scope, system=system, title=payload.title,
                               **_sections(payload))
    return Status(201, _plan(request, plan.pk))


@router.get("/plans/{plan_id}", response=PlanOut, summary="One plan version with its scenarios and steps")
def get_plan(request, plan_id: int):
    return _plan(request, plan_id)


@router.patch("/plans/{plan_id}", response=PlanOut, summary="Edit a draft's title and sections")
def update_plan(request, plan_id: int, payload: PlanPatch):
    plan = _plan(request, plan_id)
    actions.update_plan(actor=request.user, plan=plan, title=payload.title, **_sections(payload))
    return _plan(request, plan_id)


@router.post("/plans/{plan_id}/versions", response={201: PlanOut},
             summary="Make a new draft version copying the latest one")
def new_version(request, plan_id: int):
    copy = actions.new_version(actor=request.user, plan=_plan(request, plan_id))
    return Status(201, _plan(request, copy.pk))


class ApproveIn(Schema):
    decision_number: str = Field(max_length=100)
    decision_date: date
    approver_name: str = Field("", max_length=200, description="Who signed the decision")


@router.post("/plans/{plan_id}/approve", response=PlanOut,
             summary="Record the approval of a draft (refused without the continuity priorities section)")
def approve_plan(request, plan_id: int, payload: ApproveIn):
    plan = _plan(request, plan_id)
    actions.approve_plan(actor=request.user, plan=plan, decision_number=payload.decision_number,
                         decision_date=payload.decision_date, approver_name=payload.approver_name)
    return _plan(request, plan_id)


# Scenarios and steps ------------------------------------------------------------------------------------------


@router.get("/plans/{plan_id}/scenarios", response=list[ScenarioOut], summary="A plan version's scenarios")
def list_scenarios(request, plan_id: int):
    return list(_plan(request, plan_id).scenarios.all())


@router.post("/plans/{plan_id}/scenarios", response={201: ScenarioOut}, summary="Add a scenario to a draft")
def add_scenario(request, plan_id: int, payload: ScenarioIn):
    plan = _plan(request, plan_id)
    data = payload.dict()
    steps = data.pop("steps")
    scenario = actions.add_scenario(actor=request.user, plan=plan, steps=steps, **data)
    return Status(201, _scenario(request, scenario.pk))


@router.get("/scenarios/{scenario_id}", response=ScenarioOut, summary="One scenario with its steps")
def get_scenario(request, scenario_id: int):
    return _scenario(request, scenario_id)


@router.patch("/scenarios/{scenario_id}", response=ScenarioOut, summary="Edit a scenario of a draft")
def update_scenario(request, scenario_id: int, payload: ScenarioPatch):
    scenario = _scenario(request, scenario_id)
    values = {field: value for field, value in payload.dict().items() if value is not None}
    actions.update_scenario(actor=request.user, scenario=scenario, **values)
    return _scenario(request, scenario_id)


@router.delete("/scenarios/{scenario_id}", response={204: None}, summary="Remove a scenario of a draft")
def remove_scenario(request, scenario_id: int):
    actions.remove_scenario(actor=request.user, scenario=_scenario(request, scenario_id))
    return Status(204, None)


class StepPosIn(StepIn):
    position: int | None = Field(None, ge=0, le=32767)


@router.post("/scenarios/{scenario_id}/steps", response={201: StepOut}, summary="Add a step to a scenario")
def add_step(request, scenario_id: int, payload: StepPosIn):
    step = actions.add_scenario_step(actor=request.user, scenario=_scenario(request, scenario_id),
                                     **payload.dict())
    return Status(201, step)


@router.put("/scenario-steps/{step_id}", response=StepOut, summary="Replace a step's title, detail, step, order")
def update_step(request, step_id: int, payload: StepPosIn):
    step = _step(request, step_id)
    data = payload.dict()
    if data["position"] is None:
        data["position"] = step.position
    return actions.update_scenario_step(actor=request.user, step=step, **data)


@router.delete("/scenario-steps/{step_id}", response={204: None}, summary="Remove a step")
def remove_step(request, step_id: int):
    actions.remove_scenario_step(actor=request.user, step=_step(request, step_id))
    return Status(204, None)


# The incident link ----------------------------------------------------------------------------------------------


class IncidentPlanOut(Schema):
    plan: PlanOut | None
    scenario: ScenarioOut | None


def _incident(request, incident_ref: str) -> Incident:
    try:
        return Incident.objects.visible_to(request.user).lookup(incident_ref, by_id=True).get()
    except Incident.DoesNotExist:
        raise Http404 from None


@router.get("/incidents/{incident_ref}/response-plan", response=IncidentPlanOut,
            summary="The approved plan of the incident's system and the scenario for its cause or attack type")
def incident_plan(request, incident_ref: str):
    incident = _incident(request, incident_ref)
    plan = _plans(request).filter(system_id=incident.system_id, status=PlanStatus.APPROVED).first() \
        if incident.system_id else None
    return {"plan": plan, "scenario": actions.matching_scenario(plan, incident)}


class TaskOut(Schema):
    id: int
    step: str
    title: str
    detail: str
    status: str


@router.post("/incidents/{incident_ref}/scenario-tasks", response={201: list[TaskOut]},
             summary="Add the matching scenario's steps as the incident's tasks (idempotent)")
def add_scenario_tasks(request, incident_ref: str):
    incident = _incident(request, incident_ref)
    plan = _plans(request).filter(system_id=incident.system_id, status=PlanStatus.APPROVED).first() \
        if incident.system_id else None
    scenario = actions.matching_scenario(plan, incident)
    if scenario is None:
        raise ValidationError({"scenario": _("The incident's system has no approved plan with a scenario for its "
                                             "cause or attack type.")})
    return Status(201, actions.add_scenario_tasks(actor=request.user, incident=incident, scenario=scenario))


# The annual plan ------------------------------------------------------------------------------------------------


def _require_reader(request):
    if not request.user.has_any_role(*ANNUAL_READER_ROLES):
        raise PermissionDenied(_("The annual plan is for the response team and oversight."))


class AnnualPlanIn(Schema):
    year: int = Field(ge=2000, le=2100)
    title: str = Field("", max_length=300)
    reference: str = Field("", max_length=200)


class Progress(Schema):
    total: int
    done: int
    in_progress: int
    not_started: int
    overdue: int
    percent_done: int


class UnitProgress(Progress):
    lead: int = Field(alias="lead_id")
    lead_name: str = Field(alias="lead__name")


class AnnualPlanOut(Schema):
    id: int
    year: int
    title: str
    reference: str
    progress: Progress | None = None
    units: list[UnitProgress] | None = None


@router.get("/annual-plans", response=list[AnnualPlanOut], summary="The annual plans")
@paginate(PageNumberPagination)
def list_annual_plans(request):
    _require_reader(request)
    return AnnualPlan.objects.order_by("-year")


@router.post("/annual-plans", response={201: AnnualPlanOut}, summary="Start a year's plan")
def create_annual_plan(request, payload: AnnualPlanIn):
    plan = actions.create_annual_plan(actor=request.user, **payload.dict())
    return Status(201, plan)


def _annual(request, year: int) -> AnnualPlan:
    _require_reader(request)
    return get_object_or_404(AnnualPlan, year=year)


@router.get("/annual-plans/{year}", response=AnnualPlanOut, summary="A year's plan with progress per lead unit")
def get_annual_plan(request, year: int):
    plan = _annual(request, year)
    units, whole = progress_by_unit(plan)
    plan.progress, plan.units = whole, units
    return plan


class AnnualTaskIn(Schema):
    number: int = Field(ge=1, le=32767)
    content: str = Field(max_length=5000)
    lead: int = Field(description="Id of the lead organisation")
    lead_note: str = Field("", max_length=300)
    co_operating: list[int] = Field([], description="Ids of co-operating organisations")
    co_operating_note: str = Field("", max_length=500)
    period: str = Field("quarters", description="quarters | regularly | in_year")
    quarters: list[int] = Field([], description="1–4, for period quarters")


class AnnualTaskPatch(Schema):
    number: int | None = Field(None, ge=1, le=32767)
    content: str | None = Field(None, max_length=5000)
    lead: int | None = None
    lead_note: str | None = Field(None, max_length=300)
    co_operating: list[int] | None = None
    co_operating_note: str | None = Field(None, max_length=500)
    period: str | None = None
    quarters: list[int] | None = None
    status: str | None = Field(None, description="not_started | in_progress | done (done needs evidence)")
    evidence: str | None = None
    evidence_reference: str | None = Field(None, max_length=200)
    note: str = Field("", max_length=5000, description="A progress note to add")


class NoteOut(Schema):
    text: str
    author: str
    created_at: datetime

    @staticmethod
    def resolve_author(obj):
        return obj.author.get_full_name() if obj.author else ""


class AnnualTaskOut(Schema):
    id: int
    year: int
    number: int
    content: str
    lead: int = Field(alias="lead_id")
    lead_name: str
    lead_note: str
    co_operating: list[int]
    co_operating_note: str
    period: str
    quarters: list[int]
    due_on: date
    status: str
    shown_status: str = Field(description="The status, or overdue when not done after the end of its period")
    evidence: str
    evidence_reference: str
    notes: list[NoteOut]

    @staticmethod
    def resolve_year(obj):
        return obj.plan.year

    @staticmethod
    def resolve_lead_name(obj):
        return obj.lead.name

    @staticmethod
    def resolve_co_operating(obj):
        return [o.pk for o in obj.co_operating.all()]

    @staticmethod
    def resolve_quarters(obj):
        return [int(q) for q in obj.quarters]

    @staticmethod
    def resolve_shown_status(obj):
        return obj.shown_status()

    @staticmethod
    def resolve_notes(obj):
        return list(obj.notes.all())


def _tasks():
    return (AnnualTask.objects.select_related("plan", "lead")
            .prefetch_related("co_operating", Prefetch("notes", ProgressNote.objects.select_related("author")))
            .order_by("number"))


def _organisations(ids: list[int], field: str) -> list[Organisation]:
    found = {o.pk: o for o in Organisation.objects.filter(pk__in=[i for i in ids if _id_ok(i)])}
    missing = [i for i in ids if i not in found]
    if missing:
        raise ValidationError({field: _("Organisation #%(id)s does not exist.") % {"id": missing[0]}})
    return [found[i] for i in ids]


@router.get("/annual-plans/{year}/tasks", response=list[AnnualTaskOut], summary="A year's tasks")
@paginate(PageNumberPagination)
def list_annual_tasks(request, year: int):
    return _tasks().filter(plan=_annual(request, year))


@router.post("/annual-plans/{year}/tasks", response={201: AnnualTaskOut}, summary="Add a task to a year's plan")
def add_annual_task(request, year: int, payload: AnnualTaskIn):
    plan = _annual(request, year)
    data = payload.dict()
    data["lead"] = _organisations([data["lead"]], "lead")[0]
    data["co_operating"] = _organisations(data["co_operating"], "co_operating")
    task = actions.add_annual_task(actor=request.user, plan=plan, **data)
    return Status(201, _tasks().get(pk=task.pk))


@router.patch("/annual-tasks/{task_id}", response=AnnualTaskOut,
              summary="Change a task: status, evidence, period, units; add a progress note")
def update_annual_task(request, task_id: int, payload: AnnualTaskPatch):
    _require_reader(request)
    if not _id_ok(task_id):
        raise Http404
    task = get_object_or_404(AnnualTask, pk=task_id)
    data = {field: value for field, value in payload.dict().items() if value is not None}
    if "lead" in data:
        data["lead"] = _organisations([data["lead"]], "lead")[0]
    if "co_operating" in data:
        data["co_operating"] = _organisations(data["co_operating"], "co_operating")
    actions.update_annual_task(actor=request.user, task=task, **data)
    return _tasks().get(pk=task_id)


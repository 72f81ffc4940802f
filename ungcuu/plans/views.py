"""Pages of plans: response plans with their scenarios, approval, the incident panel, the annual plan.

The views parse input and call the actions; an action's refusal comes back as a message or on the form.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Prefetch, Q
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from ungcuu.incidents.models import Incident
from ungcuu.investigation import actions as investigation_actions
from ungcuu.lib.forms import add_action_errors, flash_form_errors, flash_refusal, perform
from ungcuu.lib.paging import paginate
from ungcuu.plans import actions
from ungcuu.plans.forms import (
    AnnualPlanForm,
    AnnualTaskForm,
    ApproveForm,
    NewPlanForm,
    ScenarioForm,
    SectionsForm,
    StepForm,
    TaskProgressForm,
)
from ungcuu.plans.models import (
    ANNUAL_READER_ROLES,
    PLAN_EDITOR_ROLES,
    SECTION_FIELDS,
    TEAM_ROLES,
    AnnualPlan,
    AnnualTask,
    PlanStatus,
    ProgressNote,
    ResponsePlan,
    Scenario,
    ScenarioStep,
    ScenarioTask,
    TaskStatus,
)
from ungcuu.registry.models import InformationSystem

# Incident panel --------------------------------------------------------------------------------------------


def incident_panel_context(user, incident) -> dict:
    """What this app shows on the incident page (template plans/_incident_panel.html): the approved plan of the
    incident's system, one click away, and the scenario for its cause or attack type with its steps."""
    if incident.system_id is None or not user.is_authenticated:
        return {"response_plan_panel": None}
    plan = (ResponsePlan.objects.visible_to(user).filter(system_id=incident.system_id, status=PlanStatus.APPROVED)
            .first())
    if plan is None:
        if not user.has_any_role(*TEAM_ROLES):
            return {"response_plan_panel": None}
        return {"response_plan_panel": {"plan": None, "system": incident.system}}
    scenarios = list(plan.scenarios.all())
    scenario = actions.matching_scenario(plan, incident, scenarios)
    steps, missing = [], 0
    if scenario is not None:
        steps = list(scenario.steps.all())
        done = set(ScenarioTask.objects.filter(incident=incident, scenario_step__in=steps)
                   .values_list("scenario_step_id", flat=True)) if steps else set()
        for step in steps:
            step.has_task = step.pk in done
        missing = sum(1 for s in steps if not s.has_task)
    return {"response_plan_panel": {
        "plan": plan, "scenario": scenario, "steps": steps, "missing": missing,
        "other_scenarios": [s for s in scenarios if s is not scenario],
        "can_add_tasks": missing > 0 and investigation_actions.can_work(user, incident),
    }}


def _incident(request, reference) -> Incident:
    try:
        return Incident.objects.visible_to(request.user).lookup(reference).get()
    except Incident.DoesNotExist:
        raise Http404 from None


@login_required
@require_POST
def add_scenario_tasks(request, reference):
    """The incident page's button: the scenario's steps become the incident's tasks (once)."""
    incident = _incident(request, reference)
    plan = actions.current_plan_for(incident.system)
    scenario = actions.matching_scenario(plan, incident)
    if plan is None or scenario is None or not actions.can_view(request.user, plan):
        raise Http404
    try:
        created = actions.add_scenario_tasks(actor=request.user, incident=incident, scenario=scenario)
    except (ValidationError, PermissionDenied) as exc:
        flash_refusal(request, exc)
    else:
        if created:
            messages.success(request, _("%(n)s tasks added from the scenario.") % {"n": len(created)})
        else:
            messages.info(request, _("The scenario's steps are already tasks of this incident."))
    return redirect(reverse("incidents:detail", args=[incident.reference]) + "#response-plan")


# Response plans ---------------------------------------------------------------------------------------------


def _plan(request, pk) -> ResponsePlan:
    return get_object_or_404(ResponsePlan.objects.visible_to(request.user).select_related(
        "system__owner", "system__operator", "approved_by", "created_by"), pk=pk)


@login_required
def plan_list(request):
    rows = (ResponsePlan.objects.visible_to(request.user).select_related("system__owner", "approved_by")
            .annotate(scenario_count=Count("scenarios")).order_by("-updated_at", "-id"))
    status = request.GET.get("status", "")
    if status == "unapproved":
        rows = rows.filter(status=PlanStatus.DRAFT)
    elif status in PlanStatus.values:
        rows = rows.filter(status=status)
    page = paginate(request, rows)
    can_create = request.user.has_any_role(*PLAN_EDITOR_ROLES, "system_owner")
    return render(request, "plans/plan_list.html", {
        "page": page, "status": status, "statuses": PlanStatus.choices, "can_create": can_create})


def _creatable_systems(user):
    systems = InformationSystem.objects.filter(is_active=True).select_related("owner")
    if user.has_any_role(*PLAN_EDITOR_ROLES):
        return systems
    if not user.organisation_id or not user.organisation.path:
        return systems.none()
    path = user.organisation.path
    return systems.filter(Q(owner__path__startswith=path) | Q(operator__path__startswith=path))


@login_required
def plan_create(request):
    if not request.user.has_any_role(*PLAN_EDITOR_ROLES, "system_owner"):
        raise PermissionDenied
    form = NewPlanForm(request.POST or None, systems=_creatable_systems(request.user))
    if request.method == "POST" and form.is_valid():
        try:
            plan = actions.create_plan(actor=request.user, scope=form.cleaned_data["scope"],
                                       system=form.cleaned_data["system"], title=form.cleaned_data["title"])
        except ValidationError as exc:
            add_action_errors(form, exc)
        except PermissionDenied as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("Draft plan created: fill in its sections and scenarios."))
            return redirect("plans:detail", pk=plan.pk)
    return render(request, "plans/plan_form.html", {"form": form, "plan": None})


@login_required
def plan_detail(request, pk):
    plan = _plan(request, pk)
    scenarios = list(plan.scenarios.prefetch_related("steps"))
    versions = list(ResponsePlan.objects.filter(series=plan.series).only(
        "pk", "version", "status", "decision_number", "decision_date", "updated_at", "series").order_by("-version"))
    can_edit = plan.is_draft and actions.can_edit(request.user, plan)
    has_draft = any(v.status == PlanStatus.DRAFT for v in versions)
    _field, refusal = actions.approval_refusal(plan) if plan.is_draft else ("", "")
    return render(request, "plans/plan_detail.html", {
        "plan": plan, "scenarios": scenarios, "versions": versions, "can_edit": can_edit,
        "can_approve": plan.is_draft and actions.can_approve(request.user, plan),
        "approval_refusal": refusal,
        "approve_form": ApproveForm(),
        "can_new_version": not plan.is_draft and not has_draft and actions.can_edit(request.user, plan),
        "scenario_form": ScenarioForm(auto_id="new_scenario_%s") if can_edit else None,
        "step_form": StepForm(auto_id=None) if can_edit else None,
    })


@login_required
def plan_edit(request, pk):
    plan = _plan(request, pk)
    if not actions.can_edit(request.user, plan):
        raise PermissionDenied
    if not plan.is_draft:
        messages.error(request, _("An approved version is frozen: make a new version to change it."))
        return redirect("plans:detail", pk=plan.pk)
    initial = {"title": plan.title, **{f: getattr(plan, f) for f in SECTION_FIELDS}}
    form = SectionsForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            actions.update_plan(actor=request.user, plan=plan, **form.cleaned_data)
        except ValidationError as exc:
            add_action_errors(form, exc)
        except PermissionDenied as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("Plan saved."))
            return redirect("plans:detail", pk=plan.pk)
    return render(request, "plans/plan_form.html", {"form": form, "plan": plan})


@login_required
@require_POST
def plan_approve(request, pk):
    plan = _plan(request, pk)
    form = ApproveForm(request.POST)
    if not form.is_valid():
        flash_form_errors(request, form)
        return redirect("plans:detail", pk=plan.pk)
    perform(request, lambda: actions.approve_plan(actor=request.user, plan=plan, **form.cleaned_data),
            _("Plan approved: this version is now in force and frozen."))
    return redirect("plans:detail", pk=plan.pk)


@login_required
@require_POST
def plan_new_version(request, pk):
    plan = _plan(request, pk)
    try:
        copy = actions.new_version(actor=request.user, plan=plan)
    except (ValidationError, PermissionDenied) as exc:
        flash_refusal(request, exc)
        return redirect("plans:detail", pk=plan.pk)
    messages.success(request, _("Version %(v)s created as a copy; the earlier versions stay as they were.")
                     % {"v": copy.version})
    return redirect("plans:detail", pk=copy.pk)


# Scenarios and steps ------------------------------------------------------------------------------------------


def _scenario(request, pk) -> Scenario:
    visible = ResponsePlan.objects.visible_to(request.user).values("pk")
    return get_object_or_404(Scenario.objects.select_related("plan__system__owner", "plan__system__operator"),
                             pk=pk, plan__in=visible)


def _step(request, pk) -> ScenarioStep:
    visible = ResponsePlan.objects.visible_to(request.user).values("pk")
    return get_object_or_404(ScenarioStep.objects.select_related("scenario__plan__system__owner",
                                                                 "scenario__plan__system__operator"),
                             pk=pk, scenario__plan__in=visible)


def _scenario_values(data: dict) -> dict:
    values = dict(data)
    if values.get("position") is None:
        values.pop("position", None)
    return values


@login_required
def scenario_create(request, pk):
    plan = _plan(request, pk)
    if not actions.can_edit(request.user, plan):
        raise PermissionDenied
    form = ScenarioForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            actions.add_scenario(actor=request.user, plan=plan, **_scenario_values(form.cleaned_data))
        except ValidationError as exc:
            add_action_errors(form, exc)
        except PermissionDenied as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("Scenario added: now add its steps."))
            return redirect(reverse("plans:detail", args=[plan.pk]) + "#scenarios")
    return render(request, "plans/scenario_form.html", {"form": form, "plan": plan, "scenario": None})


@login_required
def scenario_edit(request, pk):
    scenario = _scenario(request, pk)
    plan = scenario.plan
    if not actions.can_edit(request.user, plan):
        raise PermissionDenied
    initial = {f: getattr(scenario, f) for f in actions.SCENARIO_FIELDS}
    form = ScenarioForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            actions.update_scenario(actor=request.user, scenario=scenario, **_scenario_values(form.cleaned_data))
        except ValidationError as exc:
            add_action_errors(form, exc)
        except PermissionDenied as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("Scenario saved."))
            return redirect(reverse("plans:detail", args=[plan.pk]) + f"#scenario-{scenario.pk}")
    return render(request, "plans/scenario_form.html", {"form": form, "plan": plan, "scenario": scenario})


@login_required
@require_POST
def scenario_remove(request, pk):
    scenario = _scenario(request, pk)
    perform(request, lambda: actions.remove_scenario(actor=request.user, scenario=scenario), _("Scenario removed."))
    return redirect(reverse("plans:detail", args=[scenario.plan_id]) + "#scenarios")


@login_required
@require_POST
def step_add(request, pk):
    scenario = _scenario(request, pk)
    form = StepForm(request.POST)
    if not form.is_valid():
        flash_form_errors(request, form)
    else:
        perform(request, lambda: actions.add_scenario_step(actor=request.user, scenario=scenario,
                                                           **_scenario_values(form.cleaned_data)), _("Step added."))
    return redirect(reverse("plans:detail", args=[scenario.plan_id]) + f"#scenario-{scenario.pk}")


@login_required
@require_POST
def step_edit(request, pk):
    step = _step(request, pk)
    form = StepForm(request.POST)
    if not form.is_valid():
        flash_form_errors(request, form)
    else:
        data = form.cleaned_data
        try:
            actions.update_scenario_step(actor=request.user, step=step, title=data["title"], detail=data["detail"],
                                         procedure_step=data["procedure_step"],
                                         position=data["position"] if data["position"] is not None else step.position)
        except (ValidationError, PermissionDenied) as exc:
            flash_refusal(request, exc)
        else:
            messages.success(request, _("Step saved."))
    return redirect(reverse("plans:detail", args=[step.scenario.plan_id]) + f"#scenario-{step.scenario_id}")


@login_required
@require_POST
def step_remove(request, pk):
    step = _step(request, pk)
    perform(request, lambda: actions.remove_scenario_step(actor=request.user, step=step), _("Step removed."))
    return redirect(reverse("plans:detail", args=[step.scenario.plan_id]) + f"#scenario-{step.scenario_id}")


# The annual plan ---------------------------------------------------------------------------------------------


def _require_annual_reader(user):
    if not user.has_any_role(*ANNUAL_READER_ROLES):
        raise PermissionDenied


def progress_by_unit(plan: AnnualPlan, today=None):
    """Counts of the plan's tasks by status per lead unit, and for the whole year: two aggregate queries.
    A task not done after the end of its period counts as overdue, not in its stored status."""
    today = today or timezone.localdate()
    late = ~Q(status=TaskStatus.DONE) & Q(due_on__lt=today)
    on_time = Q(due_on__gte=today)
    counts = {
        "total": Count("id"),
        "done": Count("id", filter=Q(status=TaskStatus.DONE)),
        "in_progress": Count("id", filter=Q(status=TaskStatus.IN_PROGRESS) & on_time),
        "not_started": Count("id", filter=Q(status=TaskStatus.NOT_STARTED) & on_time),
        "overdue": Count("id", filter=late),
    }
    tasks = AnnualTask.objects.filter(plan=plan)
    units = list(tasks.values("lead_id", "lead__name").annotate(**counts).order_by("lead__name", "lead_id"))
    year = tasks.aggregate(**counts)
    for row in [*units, year]:
        row["percent_done"] = round(100 * row["done"] / row["total"]) if row["total"] else 0
    return units, year


@login_required
def annual_index(request):
    """The current year's plan, or the list of years with a form to start one."""
    _require_annual_reader(request.user)
    year = timezone.localdate().year
    if AnnualPlan.objects.filter(year=year).exists() and request.method != "POST" and "all" not in request.GET:
        return redirect("plans:annual", year=year)
    form = AnnualPlanForm(request.POST or None, initial={"year": year})
    can_edit = actions.can_edit_annual(request.user)
    if request.method == "POST":
        if not can_edit:
            raise PermissionDenied
        if form.is_valid():
            try:
                plan = actions.create_annual_plan(actor=request.user, **form.cleaned_data)
            except ValidationError as exc:
                add_action_errors(form, exc)
            else:
                messages.success(request, _("Annual plan %(year)s created.") % {"year": plan.year})
                return redirect("plans:annual", year=plan.year)
    page = paginate(request, AnnualPlan.objects.annotate(task_count=Count("tasks")).order_by("-year"))
    return render(request, "plans/annual_index.html", {"page": page, "form": form if can_edit else None})


def _annual_tasks(plan=None):
    rows = AnnualTask.objects.filter(plan=plan) if plan is not None else AnnualTask.objects.all()
    return (rows.select_related("lead")
            .prefetch_related("co_operating",
                              Prefetch("notes", queryset=ProgressNote.objects.select_related("author")))
            .order_by("number"))


@login_required
def annual_plan(request, year):
    _require_annual_reader(request.user)
    plan = get_object_or_404(AnnualPlan, year=year)
    can_edit = actions.can_edit_annual(request.user)
    form = AnnualTaskForm(request.POST or None, auto_id="new_task_%s")
    if request.method == "POST":
        if not can_edit:
            raise PermissionDenied
        if form.is_valid():
            try:
                actions.add_annual_task(actor=request.user, plan=plan, **form.cleaned_data)
            except ValidationError as exc:
                add_action_errors(form, exc)
            else:
                messages.success(request, _("Task added."))
                return redirect("plans:annual", year=plan.year)
    elif not form.is_bound:
        top = AnnualTask.objects.filter(plan=plan).order_by("-number").values_list("number", flat=True).first()
        form = AnnualTaskForm(auto_id="new_task_%s", initial={"number": (top or 0) + 1})
    units, whole_year = progress_by_unit(plan)
    page = paginate(request, _annual_tasks(plan))
    return render(request, "plans/annual_plan.html", {
        "plan": plan, "page": page, "units": units, "year": whole_year, "can_edit": can_edit,
        "form": form if can_edit else None, "today": timezone.localdate(),
        "years": AnnualPlan.objects.values_list("year", flat=True).order_by("-year")[:20],
    })


@login_required
def annual_task(request, pk):
    """One task's progress: status, evidence and a note. With htmx the table row is returned in place."""
    _require_annual_reader(request.user)
    task = get_object_or_404(_annual_tasks().select_related("plan"), pk=pk)
    can_edit = actions.can_edit_annual(request.user)
    htmx = bool(request.headers.get("HX-Request"))
    initial = {"status": task.status, "evidence": task.evidence, "evidence_reference": task.evidence_reference}
    form = TaskProgressForm(request.POST or None, initial=initial, auto_id=f"task_{task.pk}_%s")
    error = ""
    saved = False
    if request.method == "POST":
        if not can_edit:
            raise PermissionDenied
        if form.is_valid():
            try:
                actions.update_annual_task(actor=request.user, task=task, **form.cleaned_data)
            except ValidationError as exc:
                add_action_errors(form, exc)
                error = " ".join(exc.messages)
            else:
                if not htmx:
                    messages.success(request, _("Task %(n)s saved.") % {"n": task.number})
                    return redirect(reverse("plans:annual", args=[task.plan.year]) + f"#task-{task.pk}")
                task = _annual_tasks(task.plan).select_related("plan").get(pk=task.pk)
                saved = True
        else:
            error = " ".join(str(e) for errors in form.errors.values() for e in errors)
    context = {"task": task, "form": form, "can_edit": can_edit, "error": error, "today": timezone.localdate(),
               "editing": htmx and not saved}
    if htmx:
        return render(request, "plans/_annual_task_row.html", context)
    return render(request, "plans/annual_task.html", context)


"""Every state change of plans: one audited function each, called by web, API, CLI and tasks.

Who may do what:
- a system's plan is drafted by the team (standing office, leads, administrators) and by the system owners of
  the organisation that owns or operates the system; the province's plan by the team;
- approval is recorded by the system owner of the owning organisation (or the standing office / administrator
  entering a decision signed on paper); the province's plan by the standing office, the team lead or an
  administrator, always as the decision of the provincial chairman (QĐ 05/2017 Điều 16.1.c);
- approved versions are frozen: a change is a new version, which copies the previous one;
- the annual plan is kept by the standing office, the leads and administrators.
"""

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from ungcuu.audit.actions import diff, record, snapshot
from ungcuu.incidents.models import AttackType, Cause, Incident
from ungcuu.incidents.procedure import Step
from ungcuu.investigation import actions as investigation_actions
from ungcuu.plans.models import (
    ANNUAL_EDITOR_ROLES,
    MANDATORY_SECTION,
    PLAN_EDITOR_ROLES,
    PROVINCE_APPROVAL_ROLES,
    PROVINCE_APPROVER,
    SECTION_FIELDS,
    AnnualPlan,
    AnnualTask,
    Period,
    PlanScope,
    PlanStatus,
    ProgressNote,
    ResponsePlan,
    Scenario,
    ScenarioStep,
    ScenarioTask,
    TaskStatus,
    outline_for,
    period_end,
)

TITLE_LENGTH = 300
TEXT_LENGTH = 50_000
SCENARIO_FIELDS = ["cause", "attack_type", "title", "situation", "identify_origin", "isolate", "handle", "recover",
                   "resources", "position"]
SCENARIO_TEXT_FIELDS = ["situation", "identify_origin", "isolate", "handle", "recover", "resources"]
STEP_FIELDS = ["title", "detail", "procedure_step", "position"]


def _clean_text(value, field: str, label: str, *, required: bool = False, length: int = TEXT_LENGTH) -> str:
    value = (value or "").replace("\x00", "").strip()
    if required and not value:
        raise ValidationError({field: _("Enter the %(label)s.") % {"label": label}})
    if len(value) > length:
        raise ValidationError({field: _("At most %(n)s characters.") % {"n": length}})
    return value


def _in_subtree(user, organisation) -> bool:
    path = user.organisation.path if user.organisation_id else ""
    return bool(path) and organisation is not None and organisation.path.startswith(path)


# Who may do what ------------------------------------------------------------------------------------------


def can_view(user, plan: ResponsePlan) -> bool:
    return ResponsePlan.objects.visible_to(user).filter(pk=plan.pk).exists()


def can_edit(user, plan_or_system) -> bool:
    """The team's editors, or a system owner of the organisation owning or operating the system."""
    if user is None or not user.is_authenticated:
        return False
    if user.has_any_role(*PLAN_EDITOR_ROLES):
        return True
    system = plan_or_system.system if isinstance(plan_or_system, ResponsePlan) else plan_or_system
    return system is not None and user.has_any_role("system_owner") and (
        _in_subtree(user, system.owner) or _in_subtree(user, system.operator))


def can_approve(user, plan: ResponsePlan) -> bool:
    if user is None or not user.is_authenticated:
        return False
    if plan.scope == PlanScope.PROVINCE:
        return user.has_any_role(*PROVINCE_APPROVAL_ROLES)
    if user.has_any_role("administrator", "standing_officer"):
        return True
    return user.has_any_role("system_owner") and _in_subtree(user, plan.system.owner)


def _require_edit(actor, plan_or_system) -> None:
    if actor is not None and not can_edit(actor, plan_or_system):
        raise PermissionDenied(_("Only the response team and the system owner of the owning or operating "
                                 "organisation may draft this plan."))


def _require_draft(plan: ResponsePlan) -> None:
    if plan.status != PlanStatus.DRAFT:
        raise ValidationError({"__all__": _("Version %(v)s is %(status)s and frozen: make a new version to change "
                                            "it.") % {"v": plan.version, "status": plan.get_status_display().lower()}})


def can_edit_annual(user) -> bool:
    return user is not None and user.is_authenticated and user.has_any_role(*ANNUAL_EDITOR_ROLES)


def _require_annual(actor) -> None:
    if actor is not None and not can_edit_annual(actor):
        raise PermissionDenied(_("Only the standing office, the team leads and administrators keep the annual "
                                 "plan."))


# Response plans -------------------------------------------------------------------------------------------


def _series(scope: str, system) -> str:
    return "province" if scope == PlanScope.PROVINCE else f"system:{system.pk}"


def _clean_sections(sections: dict) -> dict:
    unknown = set(sections) - set(SECTION_FIELDS)
    if unknown:
        raise ValidationError({"__all__": _("Unknown plan sections: %(names)s.") % {"names": ", ".join(
            sorted(unknown))}})
    return {field: _clean_text(value, field, field) for field, value in sections.items()}


def default_title(scope: str, system) -> str:
    if scope == PlanScope.PROVINCE:
        return _("Incident response plan of the province")
    return _("Incident response plan: %(system)s") % {"system": system.name}


def create_plan(*, actor, scope: str = PlanScope.SYSTEM, system=None, title: str = "", **sections) -> ResponsePlan:
    """Version 1 of a system's (or the province's) plan, as a draft in the outline the system's level calls for."""
    if scope not in PlanScope.values:
        raise ValidationError({"scope": _("Choose the scope: an information system or the whole province.")})
    if scope == PlanScope.SYSTEM and system is None:
        raise ValidationError({"system": _("Choose the information system.")})
    if scope == PlanScope.PROVINCE:
        system = None
        if actor is not None and not actor.has_any_role(*PLAN_EDITOR_ROLES):
            raise PermissionDenied(_("Only the response team drafts the province's plan."))
    else:
        _require_edit(actor, system)
    title = _clean_text(title, "title", _("title"), length=TITLE_LENGTH) or default_title(scope, system)
    values = _clean_sections(sections)
    series = _series(scope, system)
    with transaction.atomic():
        if ResponsePlan.objects.select_for_update().filter(series=series).exists():
            raise ValidationError({"__all__": _("This plan already exists: make a new version of it instead.")})
        try:
            with transaction.atomic():  # two people creating the same plan at once: the constraint decides
                plan = ResponsePlan.objects.create(scope=scope, system=system, series=series, version=1, title=title,
                                                   outline=outline_for(system), created_by=actor, **values)
        except IntegrityError:
            raise ValidationError({"__all__": _("This plan already exists: make a new version of it instead.")}
                                  ) from None
        record(actor=actor, action="plans.create_plan", target=plan,
               summary=_("Response plan drafted: %(title)s") % {"title": title},
               changes={"scope": scope, "system": system, "outline": plan.outline, "version": 1})
    return plan


def update_plan(*, actor, plan: ResponsePlan, title: str | None = None, **sections) -> ResponsePlan:
    """Change the title and sections of a draft; only what is passed changes."""
    _require_edit(actor, plan)
    values = _clean_sections(sections)
    if title is not None:
        values["title"] = _clean_text(title, "title", _("title"), required=True, length=TITLE_LENGTH)
    fields = ["title", *SECTION_FIELDS]
    with transaction.atomic():
        plan = ResponsePlan.objects.select_for_update().get(pk=plan.pk)
        _require_draft(plan)
        before = snapshot(plan, fields)
        for field, value in values.items():
            setattr(plan, field, value)
        plan.save()
        changes = diff(before, snapshot(plan, fields))
        if changes:
            record(actor=actor, action="plans.update_plan", target=plan,
                   summary=_("Response plan edited: %(title)s v%(v)s") % {"title": plan.title, "v": plan.version},
                   changes=changes)
    return plan


def new_version(*, actor, plan: ResponsePlan) -> ResponsePlan:
    """A draft copying the latest version of the plan's series, scenarios and steps included; the copied
    versions stay as they were. The outline follows the system's level today."""
    _require_edit(actor, plan)
    with transaction.atomic():
        rows = ResponsePlan.objects.select_for_update().filter(series=plan.series)
        if rows.filter(status=PlanStatus.DRAFT).exists():
            raise ValidationError({"__all__": _("A draft of this plan is already being edited: finish or approve "
                                                "it first.")})
        latest = rows.order_by("-version").first()
        copy = ResponsePlan.objects.create(
            scope=latest.scope, system=latest.system, series=latest.series, version=latest.version + 1,
            previous=latest, title=latest.title, outline=outline_for(latest.system), created_by=actor,
            **{field: getattr(latest, field) for field in SECTION_FIELDS})
        for scenario in latest.scenarios.prefetch_related("steps"):
            steps = list(scenario.steps.all())
            scenario.pk = None
            scenario.plan = copy
            scenario.save()
            ScenarioStep.objects.bulk_create([
                ScenarioStep(scenario=scenario, position=s.position, title=s.title, detail=s.detail,
                             procedure_step=s.procedure_step) for s in steps])
        record(actor=actor, action="plans.new_version", target=copy,
               summary=_("New version %(v)s of %(title)s") % {"v": copy.version, "title": copy.title},
               changes={"version": copy.version, "copied_from": latest.pk, "outline": copy.outline})
    return copy


def approval_refusal(plan: ResponsePlan) -> tuple[str, str]:
    """Why the plan cannot be approved now, as (field, message), or ("", "") when it can."""
    if not getattr(plan, MANDATORY_SECTION).strip():
        return MANDATORY_SECTION, _(
            "The plan cannot be approved without its section “Conditions and priorities for keeping the system "
            "running”: TT 20/2017 Điều 12.2 makes it a mandatory part of every response plan.")
    if not plan.scenarios.exists():
        return "scenarios", _("The plan cannot be approved without scenarios: add at least one situation with "
                              "its response (section 3 of the outline).")
    return "", ""


def approve_plan(*, actor, plan: ResponsePlan, decision_number: str, decision_date: datetime.date,
                 approver_name: str = "") -> ResponsePlan:
    """Record the approval of a draft: who signed, the approving authority, the decision's number and date. The
    version approved before it is superseded."""
    if actor is not None and not can_approve(actor, plan):
        if plan.scope == PlanScope.PROVINCE:
            raise PermissionDenied(_("The province's plan is approved by the provincial chairman; the standing "
                                     "office, the team lead or an administrator records the decision."))
        raise PermissionDenied(_("A system's plan is approved by its owner: only a system owner of %(owner)s, the "
                                 "standing office or an administrator records the approval.")
                               % {"owner": plan.system.owner.name})
    decision_number = _clean_text(decision_number, "decision_number", _("decision number"), required=True,
                                  length=100)
    approver_name = _clean_text(approver_name, "approver_name", _("signed by"), length=200)
    if not isinstance(decision_date, datetime.date):
        raise ValidationError({"decision_date": _("Enter the date of the decision.")})
    if decision_date > timezone.localdate():
        raise ValidationError({"decision_date": _("The decision date cannot be in the future.")})
    with transaction.atomic():
        plan = ResponsePlan.objects.select_for_update(of=("self",)).select_related("system__owner").get(pk=plan.pk)
        _require_draft(plan)
        field, refusal = approval_refusal(plan)
        if refusal:
            raise ValidationError({field: refusal})
        authority = PROVINCE_APPROVER if plan.scope == PlanScope.PROVINCE else plan.system.owner.name
        superseded = list(ResponsePlan.objects.filter(series=plan.series, status=PlanStatus.APPROVED)
                          .values_list("pk", flat=True))
        ResponsePlan.objects.filter(pk__in=superseded).update(status=PlanStatus.SUPERSEDED,
                                                              updated_at=timezone.now())
        plan.status = PlanStatus.APPROVED
        plan.approver_authority = authority
        plan.approver_name = approver_name
        plan.decision_number = decision_number
        plan.decision_date = decision_date
        plan.approved_by = actor
        plan.approved_at = timezone.now()
        plan.save()
        record(actor=actor, action="plans.approve_plan", target=plan,
               summary=_("Response plan approved by %(authority)s, decision %(number)s of %(date)s") % {
                   "authority": authority, "number": decision_number, "date": decision_date.strftime("%d/%m/%Y")},
               changes={"version": plan.version, "authority": authority, "signed_by": approver_name,
                        "decision_number": decision_number, "decision_date": decision_date,
                        "superseded": superseded})
    return plan


# Scenarios ------------------------------------------------------------------------------------------------


def _clean_kind(cause: str, attack_type: str) -> tuple[str, str]:
    if cause not in Cause.values:
        raise ValidationError({"cause": _("Choose the cause: a cyber attack, a system fault, an operator error or a "
                                          "natural disaster.")})
    attack_type = attack_type or ""
    if cause == Cause.CYBER_ATTACK and attack_type not in AttackType.values:
        raise ValidationError({"attack_type": _("Choose one of the 10 attack types for a cyber-attack scenario.")})
    if cause != Cause.CYBER_ATTACK and attack_type:
        raise ValidationError({"attack_type": _("An attack type only goes with the cause “cyber attack”.")})
    return cause, attack_type


def _clean_step(title, detail, procedure_step, field_prefix="") -> dict:
    if procedure_step not in Step.values:
        raise ValidationError({f"{field_prefix}procedure_step": _("Choose a step of the procedure.")})
    return {"title": _clean_text(title, f"{field_prefix}title", _("title"), required=True, length=TITLE_LENGTH),
            "detail": _clean_text(detail, f"{field_prefix}detail", _("detail")), "procedure_step": procedure_step}


def _clean_position(position) -> int:
    if position is None:
        return 0
    if not isinstance(position, int) or not 0 <= position <= 32767:
        raise ValidationError({"position": _("Enter a whole number from 0 to 32767.")})
    return position


def add_scenario(*, actor, plan: ResponsePlan, cause: str, attack_type: str = "", title: str = "",
                 steps: list[dict] | tuple = (), position: int | None = None, **texts) -> Scenario:
    """A scenario for one attack type or one non-attack cause, with its ordered steps
    (each {"title", "detail", "procedure_step"})."""
    _require_edit(actor, plan)
    cause, attack_type = _clean_kind(cause, attack_type)
    unknown = set(texts) - set(SCENARIO_TEXT_FIELDS)
    if unknown:
        raise ValidationError({"__all__": _("Unknown scenario fields: %(names)s.") % {"names": ", ".join(
            sorted(unknown))}})
    values = {field: _clean_text(value, field, field) for field, value in texts.items()}
    kind = AttackType(attack_type).label if attack_type else Cause(cause).label
    title = _clean_text(title, "title", _("title"), length=TITLE_LENGTH) or str(kind)
    cleaned_steps = [_clean_step(s.get("title"), s.get("detail", ""), s.get("procedure_step", Step.CONTAIN),
                                 "steps.") for s in steps]
    with transaction.atomic():
        plan = ResponsePlan.objects.select_for_update().get(pk=plan.pk)
        _require_draft(plan)
        if plan.scenarios.filter(cause=cause, attack_type=attack_type).exists():
            raise ValidationError({"attack_type" if attack_type else "cause": _(
                "The plan already has a scenario for “%(kind)s”: edit that one.") % {"kind": kind}})
        if position is None:
            position = (plan.scenarios.aggregate(top=Max("position"))["top"] or 0) + 1
        scenario = Scenario.objects.create(plan=plan, cause=cause, attack_type=attack_type, title=title,
                                           position=_clean_position(position), **values)
        ScenarioStep.objects.bulk_create([ScenarioStep(scenario=scenario, position=n, **s)
                                          for n, s in enumerate(cleaned_steps, start=1)])
        record(actor=actor, action="plans.add_scenario", target=plan,
               summary=_("Scenario added: %(title)s") % {"title": title},
               changes={"scenario": scenario.pk, "cause": cause, "attack_type": attack_type, "title": title,
                        "steps": [s["title"] for s in cleaned_steps]})
    return scenario


def update_scenario(*, actor, scenario: Scenario, **values) -> Scenario:
    """Change a scenario of a draft; only what is passed changes."""
    _require_edit(actor, scenario.plan)
    unknown = set(values) - set(SCENARIO_FIELDS)
    if unknown:
        raise ValidationError({"__all__": _("Unknown scenario fields: %(names)s.") % {"names": ", ".join(
            sorted(unknown))}})
    cleaned = {field: _clean_text(value, field, field) for field, value in values.items()
               if field in SCENARIO_TEXT_FIELDS}
    if "title" in values:
        cleaned["title"] = _clean_text(values["title"], "title", _("title"), required=True, length=TITLE_LENGTH)
    if "position" in values:
        cleaned["position"] = _clean_position(values["position"])
    with transaction.atomic():
        scenario = Scenario.objects.select_for_update().select_related("plan").get(pk=scenario.pk)
        _require_draft(scenario.plan)
        if "cause" in values or "attack_type" in values:
            cause, attack_type = _clean_kind(values.get("cause", scenario.cause),
                                             values.get("attack_type", scenario.attack_type))
            if Scenario.objects.filter(plan=scenario.plan, cause=cause, attack_type=attack_type).exclude(
                    pk=scenario.pk).exists():
                raise ValidationError({"attack_type" if attack_type else "cause": _(
                    "The plan already has a scenario for this kind of incident.")})
            cleaned.update(cause=cause, attack_type=attack_type)
        before = snapshot(scenario, SCENARIO_FIELDS)
        for field, value in cleaned.items():
            setattr(scenario, field, value)
        scenario.save()
        changes = diff(before, snapshot(scenario, SCENARIO_FIELDS))
        if changes:
            record(actor=actor, action="plans.update_scenario", target=scenario.plan,
                   summary=_("Scenario edited: %(title)s") % {"title": scenario.title},
                   changes={"scenario": scenario.pk, **changes})
    return scenario


def remove_scenario(*, actor, scenario: Scenario) -> None:
    _require_edit(actor, scenario.plan)
    with transaction.atomic():
        scenario = Scenario.objects.select_for_update().select_related("plan").get(pk=scenario.pk)
        _require_draft(scenario.plan)
        record(actor=actor, action="plans.remove_scenario", target=scenario.plan,
               summary=_("Scenario removed: %(title)s") % {"title": scenario.title},
               changes={"scenario": scenario.pk, "title": scenario.title,
                        "steps": list(scenario.steps.values_list("title", flat=True))})
        scenario.delete()


def add_scenario_step(*, actor, scenario: Scenario, title: str, detail: str = "",
                      procedure_step: str = Step.CONTAIN, position: int | None = None) -> ScenarioStep:
    """A step at the end of the scenario (or at the given position)."""
    _require_edit(actor, scenario.plan)
    values = _clean_step(title, detail, procedure_step)
    with transaction.atomic():
        scenario = Scenario.objects.select_for_update().select_related("plan").get(pk=scenario.pk)
        _require_draft(scenario.plan)
        if position is None:
            position = (scenario.steps.aggregate(top=Max("position"))["top"] or 0) + 1
        step = ScenarioStep.objects.create(scenario=scenario, position=_clean_position(position), **values)
        record(actor=actor, action="plans.add_scenario_step", target=scenario.plan,
               summary=_("Step added to “%(scenario)s”: %(title)s") % {"scenario": scenario.title,
                                                                       "title": step.title},
               changes={"scenario": scenario.pk, "step": step.pk, **values, "position": step.position})
    return step


def update_scenario_step(*, actor, step: ScenarioStep, title: str, detail: str, procedure_step: str,
                         position: int) -> ScenarioStep:
    _require_edit(actor, step.scenario.plan)
    values = {**_clean_step(title, detail, procedure_step), "position": _clean_position(position)}
    with transaction.atomic():
        step = ScenarioStep.objects.select_for_update().select_related("scenario__plan").get(pk=step.pk)
        _require_draft(step.scenario.plan)
        before = snapshot(step, STEP_FIELDS)
        for field, value in values.items():
            setattr(step, field, value)
        step.save()
        changes = diff(before, snapshot(step, STEP_FIELDS))
        if changes:
            record(actor=actor, action="plans.update_scenario_step", target=step.scenario.plan,
                   summary=_("Step edited in “%(scenario)s”: %(title)s") % {"scenario": step.scenario.title,
                                                                            "title": step.title},
                   changes={"step": step.pk, **changes})
    return step


def remove_scenario_step(*, actor, step: ScenarioStep) -> None:
    _require_edit(actor, step.scenario.plan)
    with transaction.atomic():
        step = ScenarioStep.objects.select_for_update().select_related("scenario__plan").get(pk=step.pk)
        _require_draft(step.scenario.plan)
        record(actor=actor, action="plans.remove_scenario_step", target=step.scenario.plan,
               summary=_("Step removed from “%(scenario)s”: %(title)s") % {"scenario": step.scenario.title,
                                                                           "title": step.title},
               changes={"step": step.pk, "title": step.title})
        step.delete()


# The incident link ----------------------------------------------------------------------------------------


def current_plan_for(system) -> ResponsePlan | None:
    """The approved version of the system's plan, if any."""
    if system is None:
        return None
    return ResponsePlan.objects.filter(system=system, status=PlanStatus.APPROVED).first()


def matching_scenario(plan: ResponsePlan | None, incident: Incident, scenarios=None) -> Scenario | None:
    """The plan's scenario for the incident's attack type (cyber attacks) or cause (the others); from the given
    list of the plan's scenarios when the caller has read them already."""
    if plan is None or not incident.cause:
        return None
    attack_type = incident.attack_type if incident.cause == Cause.CYBER_ATTACK else ""
    if scenarios is not None:
        return next((s for s in scenarios if (s.cause, s.attack_type) == (incident.cause, attack_type)), None)
    return plan.scenarios.filter(cause=incident.cause, attack_type=attack_type).first()


def add_scenario_tasks(*, actor, incident: Incident, scenario: Scenario) -> list:
    """Make an investigation task from every step of the scenario, at the step's procedure step. Idempotent: a
    step that already gave a task on this incident gives no second one."""
    if scenario.plan.status != PlanStatus.APPROVED or scenario.plan.system_id is None \
            or scenario.plan.system_id != incident.system_id:
        raise ValidationError({"scenario": _("Only a scenario of the approved plan of the incident's system can "
                                             "give tasks.")})
    if actor is not None and not investigation_actions.can_work(actor, incident):
        raise PermissionDenied(_("Only the standing office, the team leads and the members dispatched to this "
                                 "incident may add its tasks."))
    created = []
    with transaction.atomic():
        # Serialises two presses of the button for the same incident.
        incident = Incident.objects.select_for_update().get(pk=incident.pk)
        done = set(ScenarioTask.objects.filter(incident=incident, scenario_step__scenario=scenario)
                   .values_list("scenario_step_id", flat=True))
        for step in scenario.steps.all():
            if step.pk in done:
                continue
            task = investigation_actions.add_task(actor=actor, incident=incident, step=step.procedure_step,
                                                  title=step.title, detail=step.detail)
            ScenarioTask.objects.create(incident=incident, scenario_step=step, task=task)
            created.append(task)
        if created:
            record(actor=actor, action="plans.add_scenario_tasks", target=incident,
                   summary=_("%(n)s tasks added from the scenario “%(scenario)s” of the response plan") % {
                       "n": len(created), "scenario": scenario.title},
                   changes={"plan": scenario.plan_id, "version": scenario.plan.version, "scenario": scenario.pk,
                            "tasks": [t.title for t in created]})
    return created


# The annual plan ------------------------------------------------------------------------------------------


def create_annual_plan(*, actor, year: int, title: str = "", reference: str = "") -> AnnualPlan:
    _require_annual(actor)
    if not isinstance(year, int) or not 2000 <= year <= 2100:
        raise ValidationError({"year": _("Enter a year from 2000 to 2100.")})
    title = _clean_text(title, "title", _("title"), length=TITLE_LENGTH) or _(
        "Incident response and cybersecurity plan %(year)s") % {"year": year}
    reference = _clean_text(reference, "reference", _("plan document"), length=200)
    with transaction.atomic():
        if AnnualPlan.objects.filter(year=year).exists():
            raise ValidationError({"year": _("The plan of %(year)s already exists.") % {"year": year}})
        try:
            with transaction.atomic():
                plan = AnnualPlan.objects.create(year=year, title=title, reference=reference, created_by=actor)
        except IntegrityError:
            raise ValidationError({"year": _("The plan of %(year)s already exists.") % {"year": year}}) from None
        record(actor=actor, action="plans.create_annual_plan", target=plan,
               summary=_("Annual plan %(year)s created") % {"year": year},
               changes={"year": year, "title": title, "reference": reference})
    return plan


def _clean_period(period: str, quarters) -> tuple[str, str]:
    if period not in Period.values:
        raise ValidationError({"period": _("Choose the period: given quarters, regularly or during the year.")})
    quarters = "".join(sorted({str(q) for q in (quarters or [])}))
    if any(q not in "1234" for q in quarters):
        raise ValidationError({"quarters": _("Quarters are 1 to 4.")})
    if period == Period.QUARTERS and not quarters:
        raise ValidationError({"quarters": _("Choose at least one quarter.")})
    if period != Period.QUARTERS:
        quarters = ""
    return period, quarters


TASK_FIELDS = ["number", "content", "lead", "lead_note", "co_operating_note", "period", "quarters", "due_on",
               "status", "evidence", "evidence_reference"]


def _clean_task(values: dict) -> dict:
    cleaned = {}
    if "number" in values:
        number = values["number"]
        if not isinstance(number, int) or not 1 <= number <= 32767:
            raise ValidationError({"number": _("Enter a whole number from 1 to 32767.")})
        cleaned["number"] = number
    if "content" in values:
        cleaned["content"] = _clean_text(values["content"], "content", _("task"), required=True, length=5000)
    if "lead" in values:
        if values["lead"] is None:
            raise ValidationError({"lead": _("Choose the lead unit.")})
        cleaned["lead"] = values["lead"]
    for field, length in (("lead_note", 300), ("co_operating_note", 500), ("evidence_reference", 200)):
        if field in values:
            cleaned[field] = _clean_text(values[field], field, field, length=length)
    if "evidence" in values:
        cleaned["evidence"] = _clean_text(values["evidence"], "evidence", _("evidence"))
    if "status" in values and values["status"] not in TaskStatus.values:
        raise ValidationError({"status": _("Choose a status: not started, in progress or done.")})
    if "status" in values:
        cleaned["status"] = values["status"]
    return cleaned


def add_annual_task(*, actor, plan: AnnualPlan, number: int, content: str, lead, co_operating=(),
                    co_operating_note: str = "", lead_note: str = "", period: str = Period.QUARTERS,
                    quarters=()) -> AnnualTask:
    """A row of the annual plan's task table (seed 004 appendix: task, lead, co-operating units, time)."""
    _require_annual(actor)
    values = _clean_task({"number": number, "content": content, "lead": lead, "lead_note": lead_note,
                          "co_operating_note": co_operating_note})
    period, quarters = _clean_period(period, quarters)
    with transaction.atomic():
        if AnnualTask.objects.filter(plan=plan, number=values["number"]).exists():
            raise ValidationError({"number": _("Task %(n)s already exists in this plan.") % {"n": number}})
        task = AnnualTask.objects.create(plan=plan, period=period, quarters=quarters,
                                         due_on=period_end(plan.year, period, quarters), **values)
        task.co_operating.set(co_operating)
        record(actor=actor, action="plans.add_annual_task", target=plan,
               summary=_("Task %(n)s added to the annual plan %(year)s") % {"n": task.number, "year": plan.year},
               changes={"task": task.pk, "content": task.content, "lead": task.lead, "period": period,
                        "quarters": quarters, "co_operating": [o.pk for o in co_operating]})
    return task


_UNSET = object()


def update_annual_task(*, actor, task: AnnualTask, co_operating=_UNSET, note: str = "", **values) -> AnnualTask:
    """Change a task; only what is passed changes. Marking it done needs the evidence of completion. A progress
    note, when given, is added with the change."""
    _require_annual(actor)
    unknown = set(values) - {"number", "content", "lead", "lead_note", "co_operating_note", "period", "quarters",
                             "status", "evidence", "evidence_reference"}
    if unknown:
        raise ValidationError({"__all__": _("Unknown task fields: %(names)s.") % {"names": ", ".join(
            sorted(unknown))}})
    cleaned = _clean_task(values)
    note = _clean_text(note, "note", _("progress note"), length=5000)
    with transaction.atomic():
        task = AnnualTask.objects.select_for_update().select_related("plan").get(pk=task.pk)
        if "period" in values or "quarters" in values:
            period, quarters = _clean_period(values.get("period", task.period),
                                             values.get("quarters", list(task.quarters)))
            cleaned.update(period=period, quarters=quarters, due_on=period_end(task.plan.year, period, quarters))
        if "number" in cleaned and AnnualTask.objects.filter(plan=task.plan, number=cleaned["number"]).exclude(
                pk=task.pk).exists():
            raise ValidationError({"number": _("Task %(n)s already exists in this plan.") % {"n": cleaned["number"]}})
        before = snapshot(task, TASK_FIELDS)
        before_co = sorted(task.co_operating.values_list("pk", flat=True))
        for field, value in cleaned.items():
            setattr(task, field, value)
        if task.status == TaskStatus.DONE and not task.evidence:
            raise ValidationError({"evidence": _("Enter the evidence of completion before marking the task "
                                                 "done.")})
        if task.status == TaskStatus.DONE and before["status"] != TaskStatus.DONE:
            task.completed_at = timezone.now()
        elif task.status != TaskStatus.DONE:
            task.completed_at = None
        task.save()
        changes = diff(before, snapshot(task, TASK_FIELDS))
        if co_operating is not _UNSET:
            task.co_operating.set(co_operating)
            after_co = sorted(o.pk for o in co_operating)
            if after_co != before_co:
                changes["co_operating"] = [before_co, after_co]
        if note:
            ProgressNote.objects.create(task=task, text=note, author=actor)
            changes["note"] = note
        if changes:
            record(actor=actor, action="plans.update_annual_task", target=task.plan,
                   summary=_("Annual plan %(year)s, task %(n)s: %(status)s") % {
                       "year": task.plan.year, "n": task.number, "status": task.get_status_display()},
                   changes={"task": task.pk, **changes})
    return task


def add_progress_note(*, actor, task: AnnualTask, text: str) -> ProgressNote:
    _require_annual(actor)
    text = _clean_text(text, "text", _("progress note"), required=True, length=5000)
    with transaction.atomic():
        note = ProgressNote.objects.create(task=task, text=text, author=actor)
        record(actor=actor, action="plans.add_progress_note", target=task.plan,
               summary=_("Progress note on task %(n)s") % {"n": task.number},
               changes={"task": task.pk, "note": text})
    return note

"""The procedure page of an incident: where it is, what comes next, who must act, and the forms that move it."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from ungcuu.accounts.models import Role
from ungcuu.incidents import actions, procedure
from ungcuu.incidents.forms import CloseOutForm, IncidentReportForm, MoveStepForm, ResponseOptionForm
from ungcuu.incidents.models import Incident, IncidentStatus, ReportKind
from ungcuu.incidents.procedure import Step
from ungcuu.incidents.views import _get_incident
from ungcuu.lib.forms import add_action_errors


def _who_acts(incident: Incident, info) -> list[str]:
    names = [str(Role(role).label) for role in info.actors if role in Role.values]
    if "responders" in info.actors:
        names += [str(r.user) for r in incident.responders.select_related("user")]
    return names


def procedure_context(user, incident: Incident, forms=None) -> dict:
    forms = forms or {}
    step = incident.step
    transitions = list(incident.transitions.select_related("actor"))
    visited = {t.to_step for t in transitions} | {t.from_step for t in transitions} | {step}
    if any(procedure.path_of(s) == procedure.Path.SERIOUS for s in visited):
        visited.add(Step.SERIOUS_DETECT)  # the incident was detected and reported: QĐ 05 Điều 14.1 is behind it
    order = procedure.order_of(step) if step != Step.CLOSED else (
        procedure.SERIOUS_ORDER if any(procedure.path_of(s) == procedure.Path.SERIOUS for s in visited)
        else procedure.NORMAL_ORDER)
    steps = []
    sequence = [*order, Step.CLOSED]
    position = sequence.index(step) if step in sequence else len(sequence)
    for index, code in enumerate(sequence):
        info = procedure.STEPS[code]
        state = "current" if code == step else ("done" if code in visited else "ahead")
        if state == "ahead" and index < position:
            state = "skipped"  # an optional step ("nếu cần") the incident went past
        steps.append({"code": code, "label": Step(code).label, "info": info, "state": state})
    moves = procedure.allowed_moves(step)
    can_act = incident.status not in (IncidentStatus.MERGED, IncidentStatus.REJECTED) and \
        actions.may_act_on_step(user, incident, step)
    triage = user.has_any_role(*procedure.TEAM)
    return {
        "incident": incident,
        "info": procedure.STEPS[step],
        "path": procedure.path_of(step),
        "steps": steps,
        "moves": [{"code": s, "label": Step(s).label, "back": d == procedure.BACK,
                   "missing": actions.missing_for(incident, s)} for s, d in moves.items()],
        "who_acts": _who_acts(incident, procedure.STEPS[step]),
        "transitions": transitions,
        "reports": incident.reports.select_related("created_by"),
        "can_act": can_act,
        "can_triage": triage,
        "move_form": forms.get("move") or MoveStepForm(moves=list(moves), auto_id="move_%s"),
        "option_form": forms.get("option") or ResponseOptionForm(auto_id="option_%s", initial={
            "option": incident.response_option, "approved_by": incident.response_option_approved_by}),
        "close_out_form": forms.get("close_out") or CloseOutForm(auto_id="close_%s", initial={
            f: getattr(incident, f) for f in actions.CLOSE_OUT_FIELDS}),
        "report_form": forms.get("report") or IncidentReportForm(auto_id="report_%s"),
        "show_option": step == Step.RESPONSE_OPTION or bool(incident.response_option),
        "show_close_out": step in procedure.CLOSE_OUT_STEPS or bool(incident.root_cause),
        "report_kinds": ReportKind,
    }


@login_required
def procedure_page(request, reference, forms=None):
    incident = _get_incident(request, reference)
    return render(request, "incidents/procedure.html", procedure_context(request.user, incident, forms),
                  status=422 if forms else 200)


def _post(request, reference, form, key, call, success):
    incident = _get_incident(request, reference)
    if form.is_valid():
        try:
            call(incident, form.cleaned_data)
        except ValidationError as exc:
            add_action_errors(form, exc)
        else:
            messages.success(request, success)
            return redirect("incidents:procedure", reference=incident.reference)
    return procedure_page(request, reference, forms={key: form})


@login_required
@require_POST
def move(request, reference):
    incident = _get_incident(request, reference)
    form = MoveStepForm(request.POST, moves=list(procedure.allowed_moves(incident.step)), auto_id="move_%s")
    if not form.is_valid() and "to_step" in form.errors:
        # A step the procedure does not allow from here: let the action say why, in its words.
        form = MoveStepForm(request.POST, auto_id="move_%s")
    return _post(request, reference, form, "move", lambda inc, data: actions.move_step(
        actor=request.user, incident=inc, to_step=data["to_step"], reason=data["reason"]), _("Step changed."))


@login_required
@require_POST
def response_option(request, reference):
    return _post(request, reference, ResponseOptionForm(request.POST, auto_id="option_%s"), "option",
                 lambda inc, data: actions.record_response_option(
                     actor=request.user, incident=inc, option=data["option"], approved_by=data["approved_by"],
                     approved_at=data["approved_at"]), _("Response option recorded."))


@login_required
@require_POST
def close_out(request, reference):
    return _post(request, reference, CloseOutForm(request.POST, auto_id="close_%s"), "close_out",
                 lambda inc, data: actions.record_close_out(actor=request.user, incident=inc, **data),
                 _("Close-out recorded."))


@login_required
@require_POST
def report(request, reference):
    return _post(request, reference, IncidentReportForm(request.POST, auto_id="report_%s"), "report",
                 lambda inc, data: actions.record_report(actor=request.user, incident=inc, **data),
                 _("Report recorded."))

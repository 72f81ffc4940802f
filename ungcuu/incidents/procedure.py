"""The response procedure: the steps of TT 20/2017 Điều 11 (normal incidents, with seed 000's
"xử lý vi phạm") and of QĐ 05/2017 Điều 14 (serious incidents)."""

from dataclasses import dataclass

from django.db import models
from django.utils.translation import gettext_lazy as _


class Step(models.TextChoices):
    # TT 20/2017/TT-BTTTT Điều 11 (normal incidents)
    RECEIVE_VERIFY = "receive_verify", _("1a. Receive and verify")
    INITIAL_RESPONSE = "initial_response", _("1b. Initial priority response")
    RESPONSE_OPTION = "response_option", _("1c. Choose the response option")
    DIRECTION = "direction", _("1d. Direction by the steering committee")
    REPORT = "report", _("1đ. Notify and report")
    COORDINATE = "coordinate", _("1e. Coordinate the response")
    CONTAIN = "contain", _("2. Contain, collect evidence, find the origin")
    ERADICATE = "eradicate", _("3a. Eradicate")
    RECOVER = "recover", _("3b. Recover")
    VERIFY_RECOVERY = "verify_recovery", _("3c. Verify the system after recovery")
    VIOLATIONS = "violations", _("Handle violations")
    CLOSE_OUT = "close_out", _("4. Close-out and lessons learned")
    # QĐ 05/2017/QĐ-TTg Điều 14 (serious incidents)
    SERIOUS_DETECT = "serious_detect", _("S1. Detect or receive the incident")
    SERIOUS_ASSESS = "serious_assess", _("S2. Verify, analyse, assess and classify")
    SERIOUS_PLAN = "serious_plan", _("S3. Decide the plan, convene the operations unit")
    SERIOUS_INITIAL = "serious_initial", _("S4. Initial response")
    SERIOUS_EMERGENCY = "serious_emergency", _("S5. Emergency response")
    SERIOUS_EVALUATE = "serious_evaluate", _("S6. Evaluate the results")
    SERIOUS_CLOSE = "serious_close", _("S7. Close")
    # Both paths end here: the final report is in and the record is closed.
    CLOSED = "closed", _("Closed")


class Path(models.TextChoices):
    NORMAL = "normal", _("Normal procedure (TT 20/2017 Điều 11)")
    SERIOUS = "serious", _("Emergency procedure for serious incidents (QĐ 05/2017 Điều 14)")


# Who acts in the product at each step: user roles, plus the members dispatched to the incident
# ("responders"). The lead and support columns are the organisations the article names.
TEAM = ("standing_officer", "team_lead", "deputy_lead")
TEAM_AND_RESPONDERS = (*TEAM, "responders")
LEADS = ("team_lead", "deputy_lead")


@dataclass(frozen=True)
class StepInfo:
    step: str
    path: str
    source: str
    lead: str
    support: str
    content: str
    actors: tuple[str, ...] = TEAM_AND_RESPONDERS
    optional: bool = False


def _info(step, path, source, lead, support, content, actors=TEAM_AND_RESPONDERS, optional=False):
    return StepInfo(str(step), str(path), source, lead, support, content, actors, optional)


_OPERATOR = _("The system operator")
_UNIT = _("The provincial response unit")
_VNCERT = _("The national coordinator (VNCERT/CC)")
_STEERING = _("The provincial steering committee")

STEPS: dict[str, StepInfo] = {s.step: s for s in [
    _info(Step.RECEIVE_VERIFY, Path.NORMAL, "TT 20/2017 Điều 11.1.a", _OPERATOR,
          _("provincial response unit; VNCERT/CC"),
          _("Receive and analyse the alert; once confirmed, record it, collect evidence and find the origin."),
          actors=TEAM),
    _info(Step.INITIAL_RESPONSE, Path.NORMAL, "TT 20/2017 Điều 11.1.b", _OPERATOR,
          _("provincial response unit; network members concerned; VNCERT/CC"),
          _("First priority steps, following the approved plan or the guidance of the response unit.")),
    _info(Step.RESPONSE_OPTION, Path.NORMAL, "TT 20/2017 Điều 11.1.c", _OPERATOR,
          _("provincial response unit; network members; VNCERT/CC"),
          _("Choose the containment and handling option; report it to the system owner for approval and ask the "
            "steering committee for direction if needed.")),
    _info(Step.DIRECTION, Path.NORMAL, "TT 20/2017 Điều 11.1.d", _STEERING, _("the system owner"),
          _("Direct the response unit, convene the team, name a spokesperson, add members or adjust the plan."),
          actors=(*TEAM, "steering_member"), optional=True),
    _info(Step.REPORT, Path.NORMAL, "TT 20/2017 Điều 11.1.đ, Điều 9", _OPERATOR,
          _("provincial response unit; service providers"),
          _("Notify and report inside and outside the organisation as Điều 9 requires (owner, response unit and "
            "VNCERT/CC at the same time).")),
    _info(Step.COORDINATE, Path.NORMAL, "TT 20/2017 Điều 11.1.e", _("The steering committee; VNCERT/CC"),
          _("operator; response unit; network members"),
          _("Coordinate the response, supervise co-operation and information sharing, mobilise resources.")),
    _info(Step.CONTAIN, Path.NORMAL, "TT 20/2017 Điều 11.2", _("The operator; the response team"),
          _("security providers; response unit; network members; VNCERT/CC"),
          _("Collect evidence and determine the affected objects; analyse the origin, contain and limit the "
            "impact.")),
    _info(Step.ERADICATE, Path.NORMAL, "TT 20/2017 Điều 11.3.a", _("The operator; the response team"),
          _("security providers; response unit; network members; VNCERT/CC"),
          _("Remove the malware and fix the weaknesses.")),
    _info(Step.RECOVER, Path.NORMAL, "TT 20/2017 Điều 11.3.b", _OPERATOR, _("the response team; response unit"),
          _("Restore systems, data and connections from clean backups; configure securely; add protection.")),
    _info(Step.VERIFY_RECOVERY, Path.NORMAL, "TT 20/2017 Điều 11.3.c", _OPERATOR,
          _("the system owner; response unit; VNCERT/CC"),
          _("Test the whole system after the fix; if it is not stable, go back to containment or eradication.")),
    _info(Step.VIOLATIONS, Path.NORMAL, "Seed 000, Phụ lục III.4", _OPERATOR,
          _("provincial department; provincial response team; police (A05); VNCERT/CC"),
          _("Establish responsibility: internal discipline for breaches of the rules, or referral of the attackers "
            "to the competent authority."), optional=True),
    _info(Step.CLOSE_OUT, Path.NORMAL, "TT 20/2017 Điều 11.4", _OPERATOR,
          _("response unit; response team; system owner; steering committee; VNCERT/CC"),
          _("Compile all reports; record the root cause, the lasting fix, the lessons and the prevention "
            "proposals; send the final report (Biểu mẫu 04).")),
    _info(Step.SERIOUS_DETECT, Path.SERIOUS, "QĐ 05/2017 Điều 14.1", _("The operator; VNCERT/CC"), "",
          _("Continuous monitoring; VNCERT/CC is the focal point for reports from every source."), actors=TEAM),
    _info(Step.SERIOUS_ASSESS, Path.SERIOUS, "QĐ 05/2017 Điều 14.2", _VNCERT,
          _("system owner; response unit; operator"),
          _("Verify, analyse, assess and classify; if the criteria of Điều 9 are met, report to the standing "
            "agency with a proposed plan."), actors=TEAM),
    _info(Step.SERIOUS_PLAN, Path.SERIOUS, "QĐ 05/2017 Điều 14.3", _("The standing agency (Cơ quan thường trực)"),
          _("VNCERT/CC; system owner"),
          _("Decide the response plan and convene the operations unit; allocate direction, information "
            "collection, analysis, containment, recovery and communication."), actors=TEAM),
    _info(Step.SERIOUS_INITIAL, Path.SERIOUS, "QĐ 05/2017 Điều 14.4", _("VNCERT/CC; the system owner"),
          _("operator; response unit; network members"),
          _("Scope, targets and priorities; network-wide warning; temporary restoration; stop the attack "
            "sources; evidence to the police if criminal.")),
    _info(Step.SERIOUS_EMERGENCY, Path.SERIOUS, "QĐ 05/2017 Điều 14.5", _STEERING,
          _("VNCERT/CC; the operations unit"),
          _("Direction and coordination; spokesperson; information collection; eradication checklist (backups "
            "before and after, remove malware, restore, secure configuration, test, fix weaknesses, "
            "monitoring); root cause and attribution report.")),
    _info(Step.SERIOUS_EVALUATE, Path.SERIOUS, "QĐ 05/2017 Điều 14.6", _("The national steering committee"),
          _("the standing agency"), _("Compile all reports and evaluate the results; lessons learned.")),
    _info(Step.SERIOUS_CLOSE, Path.SERIOUS, "QĐ 05/2017 Điều 14.7", _VNCERT, _("the system owner"),
          _("Archive the records; lessons; technical and policy recommendations; report upward; send the final "
            "report.")),
    _info(Step.CLOSED, "", "TT 20/2017 Điều 9.2.b", "", "",
          _("The response is over and the final report has been sent; the coordinator counts the incident "
            "closed."), actors=LEADS),
]}

NORMAL_ORDER = [s for s, info in STEPS.items() if info.path == Path.NORMAL]
SERIOUS_ORDER = [s for s, info in STEPS.items() if info.path == Path.SERIOUS]

# The allowed moves. "back" marks a return after a failed check (reason required; TT 20 Điều 11.3.c).
FORWARD, BACK = "forward", "back"
TRANSITIONS: dict[str, dict[str, str]] = {
    Step.RECEIVE_VERIFY: {Step.INITIAL_RESPONSE: FORWARD},
    Step.INITIAL_RESPONSE: {Step.RESPONSE_OPTION: FORWARD},
    Step.RESPONSE_OPTION: {Step.DIRECTION: FORWARD, Step.REPORT: FORWARD},
    Step.DIRECTION: {Step.REPORT: FORWARD},
    Step.REPORT: {Step.COORDINATE: FORWARD},
    Step.COORDINATE: {Step.CONTAIN: FORWARD},
    Step.CONTAIN: {Step.ERADICATE: FORWARD},
    Step.ERADICATE: {Step.RECOVER: FORWARD},
    Step.RECOVER: {Step.VERIFY_RECOVERY: FORWARD},
    Step.VERIFY_RECOVERY: {Step.VIOLATIONS: FORWARD, Step.CLOSE_OUT: FORWARD, Step.CONTAIN: BACK,
                           Step.ERADICATE: BACK},
    Step.VIOLATIONS: {Step.CLOSE_OUT: FORWARD},
    Step.CLOSE_OUT: {Step.CLOSED: FORWARD},
    Step.SERIOUS_DETECT: {Step.SERIOUS_ASSESS: FORWARD},
    # Not serious after all (Điều 14.2): the parties continue with the normal procedure.
    Step.SERIOUS_ASSESS: {Step.SERIOUS_PLAN: FORWARD, Step.INITIAL_RESPONSE: FORWARD},
    Step.SERIOUS_PLAN: {Step.SERIOUS_INITIAL: FORWARD},
    Step.SERIOUS_INITIAL: {Step.SERIOUS_EMERGENCY: FORWARD},
    Step.SERIOUS_EMERGENCY: {Step.SERIOUS_EVALUATE: FORWARD},
    Step.SERIOUS_EVALUATE: {Step.SERIOUS_CLOSE: FORWARD, Step.SERIOUS_EMERGENCY: BACK},
    Step.SERIOUS_CLOSE: {Step.CLOSED: FORWARD},
    Step.CLOSED: {},
}

# The response ends (the final report's 5 days start) when the system is back to normal.
RESPONSE_ENDS = {(Step.VERIFY_RECOVERY, Step.VIOLATIONS), (Step.VERIFY_RECOVERY, Step.CLOSE_OUT),
                 (Step.SERIOUS_EMERGENCY, Step.SERIOUS_EVALUATE)}


# From these steps on, the close-out (root cause, lasting fix, prevention proposals) can be recorded.
CLOSE_OUT_STEPS = {Step.VERIFY_RECOVERY, Step.VIOLATIONS, Step.CLOSE_OUT, Step.SERIOUS_EVALUATE, Step.SERIOUS_CLOSE}


def path_of(step: str) -> str:
    return STEPS[step].path or ""


def order_of(step: str) -> list[str]:
    return SERIOUS_ORDER if path_of(step) == Path.SERIOUS else NORMAL_ORDER


def allowed_moves(step: str) -> dict[str, str]:
    return {str(k): v for k, v in TRANSITIONS.get(step, {}).items()}


def summary(incident) -> dict:
    """The few lines the incident page shows about the procedure."""
    return {"step_label": Step(incident.step).label, "step_source": STEPS[incident.step].source,
            "next_labels": [Step(s).label for s in allowed_moves(incident.step)]}

"""Incident endpoints: report (same rules and action as the web form), list with keyset paging, detail, triage.

POST /incidents reads the body itself instead of letting the schema reject it first: the payload is
stored as sent before it is checked (SPEC §3: nothing submitted is lost). The documented body is
IncidentIn; errors come back as 422 {"detail", "errors": {field: [messages]}} with the submission id.
"""

import json
from datetime import date, datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.http import Http404
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status

from ungcuu.incidents import actions, procedure, search, severity
from ungcuu.incidents.models import Channel, Incident
from ungcuu.registry.models import InformationSystem

router = Router(tags=["incidents"])
MAX_ID = 2**63 - 1  # larger ids overflow SQLite's integers


class IncidentIn(Schema):
    """Biểu mẫu 03 (TT 20/2017): the fields of the initial report, (*) = required."""

    reporter_name: str = Field(description="(*) Tên tổ chức/cá nhân báo cáo sự cố")
    reporter_address: str = Field(description="(*) Địa chỉ")
    reporter_phone: str = Field(description="(*) Điện thoại")
    reporter_email: str = Field(description="(*) Email")
    contact_name: str = Field(description="(*) Người liên hệ: họ và tên")
    contact_position: str = ""
    contact_phone: str = Field(description="(*) Người liên hệ: điện thoại")
    contact_email: str = Field(description="(*) Người liên hệ: email")
    system: int | None = Field(None, description="Id of a registered system visible to the caller")
    operator_name: str = Field(description="(*) Tên đơn vị vận hành hệ thống thông tin")
    owner_name: str = ""
    system_name: str = ""
    system_level: int | None = Field(None, ge=1, le=5)
    security_provider_name: str = ""
    connectivity_provider_name: str = ""
    description: str = Field(description="(*) Mô tả sơ bộ sự cố")
    detected_at: datetime = Field(description="(*) Ngày, giờ phát hiện (ISO 8601 or dd/mm/yyyy HH:MM)")
    handling_status: str = Field(description="(*) handled | not_handled")
    detection_method: str = Field(description="(*) ids | log_review | notified | other")
    detection_detail: str = Field("", description="Who notified / the other method (required with notified, other)")
    notified_parties: list[str] = Field(description="(*) network_member, isp, coordinator")
    os_versions: str = ""
    services: list[str] = Field([], description="web, mail, database, other")
    services_other: str = ""
    security_measures: list[str] = Field([], description="antivirus, firewall, ids, other")
    security_measures_other: str = ""
    ip_addresses: list[str] = []
    domains: list[str] = []
    system_purpose: str = ""
    attachment_kinds: list[str] = Field([], description="system_log, malware_sample, other")
    attachment_other: str = ""
    confidential: bool = False
    recommendations: str = ""
    reported_at: datetime = Field(description="(*) Thời gian thực hiện báo cáo")


class Ref(Schema):
    id: int
    name: str


class IncidentSummary(Schema):
    id: int
    reference: str
    title: str
    status: str
    step: str
    severity: str
    cause: str
    attack_type: str
    channel: str
    confidential: bool
    verified: bool = Field(alias="is_verified")
    detected_at: datetime
    created_at: datetime
    organisation: Ref | None
    system: Ref | None
    url: str

    @staticmethod
    def resolve_url(incident):
        return f"/incidents/{incident.reference}/"


class IncidentOut(IncidentSummary):
    reporter_name: str
    reporter_address: str
    reporter_phone: str
    reporter_email: str
    contact_name: str
    contact_position: str
    contact_phone: str
    contact_email: str
    operator_name: str
    owner_name: str
    system_name: str
    system_level: int | None
    security_provider_name: str
    connectivity_provider_name: str
    description: str
    handling_status: str
    detection_method: str
    detection_detail: str
    notified_parties: list[str]
    os_versions: str
    services: list[str]
    services_other: str
    security_measures: list[str]
    security_measures_other: str
    ip_addresses: list[str]
    domains: list[str]
    system_purpose: str
    attachment_kinds: list[str]
    attachment_other: str
    recommendations: str
    reported_at: datetime
    verification_method: str
    verification_note: str
    verified_at: datetime | None
    effects: list[str]
    owner_can_handle: bool | None
    severity_decision: str
    merged_into: str | None
    serious_criteria_met: bool
    serious_criteria: list[str]
    indicators: list[dict]

    @staticmethod
    def resolve_merged_into(incident):
        return incident.merged_into.reference if incident.merged_into_id else None

    @staticmethod
    def resolve_serious_criteria_met(incident):
        return severity.assess_incident(incident).meets_criteria

    @staticmethod
    def resolve_serious_criteria(incident):
        return severity.assess_incident(incident).reasons

    @staticmethod
    def resolve_indicators(incident):
        return [{"kind": i.kind, "value": i.value} for i in incident.indicators.all()]


class CreatedOut(Schema):
    id: int
    reference: str
    submission: int
    url: str
    message: str


class IncidentPage(Schema):
    items: list[IncidentSummary]
    next_cursor: str | None = Field(description="Pass as ?after= for the next page")
    previous_cursor: str | None = Field(description="Pass as ?before= for the previous page")


class IncidentQuery(Schema):
    q: str = ""
    status: str = ""
    attack_type: str = ""
    cause: str = ""
    severity: str = ""
    organisation: int | None = Field(None, ge=1, le=MAX_ID)
    system: int | None = Field(None, ge=1, le=MAX_ID)
    detected_from: date | None = None
    detected_to: date | None = None
    sort: str = Field("-detected", description="-detected | detected | -received | received")
    after: str = ""
    before: str = ""
    page_size: int = Field(50, ge=1, le=500)


MAX_DEPTH = 16


def _nested_deeper_than(value, limit: int) -> bool:
    """Whether lists or objects nest deeper than `limit`, found without recursion."""
    stack = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        children = item.values() if isinstance(item, dict) else item if isinstance(item, list) else ()
        if children and depth > limit:
            return True
        stack.extend((child, depth + 1) for child in children)
    return False


class InvalidOut(Schema):
    detail: str
    submission: int
    errors: dict[str, list[str]]


@router.post("/incidents", response={201: CreatedOut, 422: InvalidOut}, summary="Report an incident (Biểu mẫu 03)",
             openapi_extra={"requestBody": {"required": True, "content": {"application/json": {
                 "schema": IncidentIn.model_json_schema()}}}})
def create_incident(request):
    raw = request.body.decode("utf-8", errors="replace")
    try:
        payload = json.loads(raw) if raw.strip() else {}
    except (ValueError, RecursionError):
        payload = None
    if _nested_deeper_than(payload, MAX_DEPTH):
        payload = None  # kept as text: a report is two levels deep, and deeper data would strain every reader
    submission, incident, errors = actions.report_incident(
        channel=Channel.API, payload=payload if payload is not None else raw, actor=request.user,
        remote_addr=request.META.get("REMOTE_ADDR"))
    if incident is None:
        if payload is None or not isinstance(payload, dict):
            errors = {"__all__": [_("The request body must be a JSON object.")]}
        return Status(422, {
            "detail": _("The report was stored as submission #%(id)s but is not valid.") % {"id": submission.pk},
            "submission": submission.pk, "errors": errors})
    return Status(201, {"id": incident.pk, "reference": incident.reference, "submission": submission.pk,
                        "url": f"/incidents/{incident.reference}/",
                        "message": _("Report received with reference %(ref)s.") % {"ref": incident.reference}})


@router.get("/incidents", response=IncidentPage, summary="List incidents (keyset paging)")
def list_incidents(request, params: Query[IncidentQuery]):
    filters = search.IncidentFilters(
        q=params.q, status=params.status, attack_type=params.attack_type, cause=params.cause,
        severity=params.severity, organisation=params.organisation, system=params.system,
        detected_from=params.detected_from, detected_to=params.detected_to, sort=params.sort)
    rows = Incident.objects.visible_to(request.user).list_columns()
    result = search.page(rows, filters, size=min(params.page_size, settings.NINJA_PAGINATION_MAX_PER_PAGE_SIZE),
                         after=params.after, before=params.before)
    return {"items": result.rows, "next_cursor": result.next_cursor, "previous_cursor": result.previous_cursor}


def _get(request, incident_ref: str) -> Incident:
    queryset = Incident.objects.visible_to(request.user).select_related("organisation", "system", "merged_into")
    try:
        return queryset.prefetch_related("indicators").lookup(incident_ref, by_id=True).get()
    except Incident.DoesNotExist:
        raise Http404 from None


@router.get("/incidents/{incident_ref}", response=IncidentOut, summary="One incident, by id or reference")
def get_incident(request, incident_ref: str):
    return _get(request, incident_ref)


class VerificationIn(Schema):
    method: str = Field(description="phone_callback | official_address | signed_document | in_person | "
                                    "authenticated_account | monitoring | other")
    note: str = ""


class ClassificationIn(Schema):
    cause: str
    attack_type: str = ""
    effects: list[str] = []
    owner_can_handle: bool | None = None
    system: int | None = None


@router.post("/incidents/{incident_ref}/verification", response=IncidentOut, summary="Record sender verification")
def verify(request, incident_ref: str, payload: VerificationIn):
    incident = actions.verify_sender(actor=request.user, incident=_get(request, incident_ref),
                                     method=payload.method, note=payload.note)
    return _get(request, str(incident.pk))


@router.post("/incidents/{incident_ref}/classification", response=IncidentOut, summary="Classify an incident")
def classify(request, incident_ref: str, payload: ClassificationIn):
    system = None
    if payload.system is not None:
        system = InformationSystem.objects.filter(pk=payload.system).first()
        if system is None:
            raise ValidationError({"system": _("Information system #%(id)s does not exist.") % {"id": payload.system}})
    incident = actions.classify(actor=request.user, incident=_get(request, incident_ref), cause=payload.cause,
                                attack_type=payload.attack_type, effects=payload.effects,
                                owner_can_handle=payload.owner_can_handle, system=system)
    return _get(request, str(incident.pk))


class SuggestedOut(Schema):
    value: str | int = Field(description="A cause or attack_type value (as in /classification), or a system id")
    label: str
    confidence: float = Field(description="0 to 1")
    reasons: list[str] = Field(description="The words or indicators the suggestion rests on, as written")


class SuggestionOut(Schema):
    cause: SuggestedOut | None
    attack_type: SuggestedOut | None = Field(description="Only when the suggested cause is cyber_attack")
    system: SuggestedOut | None = Field(description="The registered system the indicators or the text point to")


@router.get("/incidents/{incident_ref}/suggestion", response=SuggestionOut,
            summary="Suggested cause, attack type and system, from the text and indicators (a person confirms)")
def get_suggestion(request, incident_ref: str):
    from ungcuu.incidents.suggestions import suggest_for_incident

    incident = _get(request, incident_ref)
    result = suggest_for_incident(incident).as_dict()
    system = result["system"]
    if system and not InformationSystem.objects.visible_to(request.user).filter(pk=system["value"]).exists():
        result["system"] = None  # need-to-know: not a system the caller may see
    return result


class ProposeSeriousIn(Schema):
    note: str = ""


class SeverityDecisionIn(Schema):
    serious: bool = Field(description="The national coordinator's decision: serious (true) or normal (false)")
    decision: str = Field(description="Number and date of the coordinator's document or message")


@router.post("/incidents/{incident_ref}/propose-serious", response=IncidentOut,
             summary="Propose the incident as serious to the national coordinator (QĐ 05 Điều 9, 14.2)")
def propose_serious(request, incident_ref: str, payload: ProposeSeriousIn):
    incident = actions.propose_serious(actor=request.user, incident=_get(request, incident_ref), note=payload.note)
    return _get(request, str(incident.pk))


@router.post("/incidents/{incident_ref}/severity-decision", response=IncidentOut,
             summary="Record the national coordinator's decision: serious (emergency procedure) or normal")
def severity_decision(request, incident_ref: str, payload: SeverityDecisionIn):
    incident = actions.record_severity_decision(actor=request.user, incident=_get(request, incident_ref),
                                                serious=payload.serious, decision=payload.decision)
    return _get(request, str(incident.pk))


# The response procedure ---------------------------------------------------------------------------


class MoveOut(Schema):
    to_step: str
    label: str
    back: bool
    missing: list[str]


class TransitionOut(Schema):
    from_step: str
    to_step: str
    direction: str
    reason: str
    actor: str | None
    at: datetime

    @staticmethod
    def resolve_actor(transition):
        return transition.actor.username if transition.actor_id else None


class ReportOut(Schema):
    id: int
    kind: str
    number: str
    issued_on: date
    sent_at: datetime
    recipients: str
    summary: str


class ProcedureOut(Schema):
    reference: str
    status: str
    path: str
    step: str
    step_label: str
    source: str
    lead: str
    support: str
    next: list[MoveOut]
    response_option: str
    response_option_approved_by: str
    response_ended_at: datetime | None
    root_cause: str
    lasting_fix: str
    prevention_proposals: str
    lessons_learned: str
    closed_at: datetime | None
    transitions: list[TransitionOut]
    reports: list[ReportOut]


def _procedure(incident: Incident) -> dict:
    info = procedure.STEPS[incident.step]
    return {
        **{f: getattr(incident, f) for f in (
            "reference", "status", "step", "response_option", "response_option_approved_by", "response_ended_at",
            "root_cause", "lasting_fix", "prevention_proposals", "lessons_learned", "closed_at")},
        "path": info.path, "step_label": str(incident.get_step_display()), "source": info.source,
        "lead": str(info.lead), "support": str(info.support),
        "next": [{"to_step": s, "label": str(procedure.Step(s).label), "back": d == procedure.BACK,
                  "missing": [str(m) for m in actions.missing_for(incident, s)]}
                 for s, d in procedure.allowed_moves(incident.step).items()],
        "transitions": list(incident.transitions.select_related("actor")),
        "reports": list(incident.reports.all()),
    }


class MoveIn(Schema):
    to_step: str = Field(description="The step to move to; GET …/procedure lists the allowed ones")
    reason: str = ""


class ResponseOptionIn(Schema):
    option: str
    approved_by: str
    approved_at: datetime | None = None


class CloseOutIn(Schema):
    root_cause: str
    lasting_fix: str
    prevention_proposals: str
    lessons_learned: str = ""


class ReportIn(Schema):
    kind: str = Field(description="notice | initial | progress | response_option | direction_request | "
                                  "support_request | final")
    number: str = Field(description="Số, ký hiệu of the document")
    issued_on: date
    recipients: str
    sent_at: datetime | None = None
    summary: str = ""


@router.get("/incidents/{incident_ref}/procedure", response=ProcedureOut,
            summary="Where the incident is in the procedure, what comes next and what is missing")
def get_procedure(request, incident_ref: str):
    return _procedure(_get(request, incident_ref))


@router.post("/incidents/{incident_ref}/procedure/move", response=ProcedureOut, summary="Move to another step")
def move_step(request, incident_ref: str, payload: MoveIn):
    incident = actions.move_step(actor=request.user, incident=_get(request, incident_ref), to_step=payload.to_step,
                                 reason=payload.reason)
    return _procedure(incident)


@router.post("/incidents/{incident_ref}/procedure/response-option", response=ProcedureOut,
             summary="Record the chosen response option and its approval (step 1c)")
def response_option(request, incident_ref: str, payload: ResponseOptionIn):
    incident = actions.record_response_option(actor=request.user, incident=_get(request, incident_ref),
                                              option=payload.option, approved_by=payload.approved_by,
                                              approved_at=payload.approved_at)
    return _procedure(incident)


@router.post("/incidents/{incident_ref}/procedure/close-out", response=ProcedureOut,
             summary="Record root cause, lasting fix, prevention proposals and lessons")
def close_out(request, incident_ref: str, payload: CloseOutIn):
    incident = actions.record_close_out(actor=request.user, incident=_get(request, incident_ref),
                                        **payload.dict())
    return _procedure(incident)


@router.post("/incidents/{incident_ref}/reports", response={201: ReportOut},
             summary="Record a notice or report sent (number, date, recipients)")
def record_report(request, incident_ref: str, payload: ReportIn):
    return Status(201, actions.record_report(actor=request.user, incident=_get(request, incident_ref),
                                             **payload.dict()))

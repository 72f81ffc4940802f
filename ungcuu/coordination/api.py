"""Coordination endpoints: dispatch and acknowledgement, coordination orders, requests, delegations, workload.

They call the same actions as the pages; refusals come back as the other routers give them
(403/404/422 {"detail", "errors"}). Lists are paged (?page=, ?page_size=).
"""

from datetime import date, datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Prefetch
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import PageNumberPagination, paginate

from ungcuu.accounts.models import User
from ungcuu.coordination import actions
from ungcuu.coordination.models import CoordinationOrder, Delegation, OrderRecipient, Request
from ungcuu.coordination.views import WORKLOAD_ROLES, visible_orders, workload_members, workload_rows
from ungcuu.incidents.models import OVERSIGHT_ROLES, TRIAGE_ROLES, Incident, Responder
from ungcuu.registry.models import Organisation

router = Router(tags=["coordination"])
MAX_ID = 2**63 - 1


def _incident(request, incident_ref: str) -> Incident:
    try:
        return Incident.objects.visible_to(request.user).lookup(incident_ref, by_id=True).get()
    except Incident.DoesNotExist:
        raise Http404 from None


def _user(user_id: int, field: str) -> User:
    user = User.objects.filter(pk=user_id).first() if 0 < user_id <= MAX_ID else None
    if user is None:
        raise ValidationError({field: _("User #%(id)s does not exist.") % {"id": user_id}})
    return user


# Dispatch ------------------------------------------------------------------------------------------


class DispatchIn(Schema):
    user: int = Field(description="Id of the team member's account")
    role: str = Field("", max_length=100, description="Role on the incident")
    note: str = Field("", max_length=300)


class ResponderOut(Schema):
    id: int
    incident: str
    user: int
    user_name: str
    role: str
    dispatched_at: datetime
    dispatched_by: int | None = Field(alias="dispatched_by_id")
    acknowledged_at: datetime | None
    released_at: datetime | None

    @staticmethod
    def resolve_incident(obj):
        return obj.incident.reference

    @staticmethod
    def resolve_user(obj):
        return obj.user_id

    @staticmethod
    def resolve_user_name(obj):
        return obj.user.get_full_name()

    @staticmethod
    def resolve_released_at(obj):
        release = getattr(obj, "release", None)
        return release.released_at if release else None


def _responder(request, responder_id: int) -> Responder:
    if not 0 < responder_id <= MAX_ID:
        raise Http404
    responder = get_object_or_404(Responder.objects.select_related("incident", "user", "release"), pk=responder_id)
    if not Incident.objects.visible_to(request.user).filter(pk=responder.incident_id).exists():
        raise Http404
    return responder


@router.get("/incidents/{incident_ref}/responders", response=list[ResponderOut],
            summary="Members dispatched to an incident")
def list_responders(request, incident_ref: str):
    incident = _incident(request, incident_ref)
    return Responder.objects.filter(incident=incident).select_related("incident", "user", "release").order_by(
        "dispatched_at", "id")


@router.post("/incidents/{incident_ref}/responders", response={201: ResponderOut}, summary="Dispatch a member")
def dispatch(request, incident_ref: str, payload: DispatchIn):
    incident = _incident(request, incident_ref)
    responder = actions.dispatch_member(actor=request.user, incident=incident, user=_user(payload.user, "user"),
                                        role=payload.role, note=payload.note)
    return Status(201, _responder(request, responder.pk))


@router.post("/responders/{responder_id}/acknowledge", response=ResponderOut,
             summary="Acknowledge my dispatch (the dispatched member only)")
def acknowledge_dispatch(request, responder_id: int):
    responder = actions.acknowledge_dispatch(actor=request.user, responder=_responder(request, responder_id))
    return _responder(request, responder.pk)


class NoteIn(Schema):
    note: str = Field("", max_length=300)


@router.post("/responders/{responder_id}/release", response=ResponderOut, summary="End a member's work on it")
def release(request, responder_id: int, payload: NoteIn):
    responder = _responder(request, responder_id)
    actions.release_member(actor=request.user, responder=responder, note=payload.note)
    return _responder(request, responder_id)


# Orders --------------------------------------------------------------------------------------------


class OrganisationRecipientIn(Schema):
    organisation: int
    email: str = Field("", description="Contact e-mail; the registry's official e-mail when empty. Needed only "
                                        "when the order is sent by e-mail")


class OrderIn(Schema):
    incident: str = Field(description="Incident id or reference")
    content: str = Field(description="Nội dung yêu cầu")
    due_at: datetime = Field(description="Thời hạn thực hiện (ISO 8601 with time zone)")
    contact_point: str = Field(description="Đầu mối liên hệ")
    signer: str = Field(description="Người ký")
    channel: str = Field(description="document | email | phone | fax | mms | system")
    urgent: bool = False
    result_report_required: bool = True
    users: list[int] = Field([], description="Team members' account ids")
    organisations: list[OrganisationRecipientIn] = []
    symbol: str = actions.DEFAULT_ORDER_SYMBOL


class RecipientOut(Schema):
    id: int
    user: int | None = Field(alias="user_id")
    organisation: int | None = Field(alias="organisation_id")
    name: str
    email: str
    acknowledged_at: datetime | None
    acknowledged_via: str
    acknowledgement_note: str
    result_reported_at: datetime | None
    result_text: str


class OrderOut(Schema):
    id: int
    reference: str
    year: int
    number: int
    symbol: str
    incident: str
    issued_at: datetime
    content: str
    due_at: datetime
    contact_point: str
    result_report_required: bool
    signer: str
    channel: str
    urgent: bool
    written_required: bool
    written_pending: bool
    written_reference: str
    written_sent_at: datetime | None
    cancelled_at: datetime | None
    cancel_reason: str
    recipients: list[RecipientOut]
    url: str

    @staticmethod
    def resolve_incident(obj):
        return obj.incident.reference

    @staticmethod
    def resolve_recipients(obj):
        return list(obj.recipients.all())

    @staticmethod
    def resolve_url(obj):
        return f"/coordination/orders/{obj.pk}/"


def _orders(request):
    return (CoordinationOrder.objects.filter(pk__in=visible_orders(request.user).values("pk"))
            .select_related("incident")
            .prefetch_related(_recipients_prefetch()))


def _recipients_prefetch():
    return Prefetch("recipients", queryset=OrderRecipient.objects.select_related("user", "organisation"))


def _order(request, order_id: int) -> CoordinationOrder:
    if not 0 < order_id <= MAX_ID:
        raise Http404
    return get_object_or_404(_orders(request), pk=order_id)


class OrderQuery(Schema):
    incident: str = Field("", description="Only this incident's orders (id or reference)")
    written_pending: bool | None = Field(None, description="true: only orders whose written follow-up is pending")


@router.get("/orders", response=list[OrderOut], summary="List coordination orders")
@paginate(PageNumberPagination)
def list_orders(request, filters: Query[OrderQuery]):
    rows = _orders(request).order_by("-issued_at", "-id")
    if filters.incident:
        rows = rows.filter(incident=_incident(request, filters.incident))
    if filters.written_pending is True:
        rows = rows.written_pending()
    elif filters.written_pending is False:
        rows = rows.exclude(pk__in=CoordinationOrder.objects.written_pending().values("pk"))
    return rows


@router.get("/orders/{order_id}", response=OrderOut, summary="One coordination order")
def get_order(request, order_id: int):
    return _order(request, order_id)


@router.post("/orders", response={201: OrderOut}, summary="Issue a coordination order (Biểu mẫu 06)")
def issue_order(request, payload: OrderIn):
    incident = _incident(request, payload.incident)
    users = [_user(user_id, "users") for user_id in payload.users]
    organisations = []
    for item in payload.organisations:
        organisation = Organisation.objects.filter(pk=item.organisation).first() if 0 < item.organisation <= MAX_ID \
            else None
        if organisation is None:
            raise ValidationError({"organisations": _("Organisation #%(id)s does not exist.") % {
                "id": item.organisation}})
        organisations.append((organisation, item.email))
    order = actions.issue_order(
        actor=request.user, incident=incident, content=payload.content, due_at=payload.due_at,
        contact_point=payload.contact_point, signer=payload.signer, channel=payload.channel, urgent=payload.urgent,
        result_report_required=payload.result_report_required, users=users, organisations=organisations,
        symbol=payload.symbol)
    return Status(201, _order(request, order.pk))


class AcknowledgeIn(Schema):
    via: str = Field("system", description="system (a member, themselves) | phone | email | document | fax | "
                                           "in_person (the standing office, for an organisation)")
    note: str = Field("", max_length=300, description="For an organisation: who acknowledged and when")


def _recipient(request, order_id: int, recipient_id: int) -> OrderRecipient:
    order = _order(request, order_id)
    for recipient in order.recipients.all():
        if recipient.pk == recipient_id:
            return recipient
    raise Http404


@router.post("/orders/{order_id}/recipients/{recipient_id}/acknowledge", response=OrderOut,
             summary="Acknowledge an order (a member their own; the standing office an organisation's)")
def acknowledge_order(request, order_id: int, recipient_id: int, payload: AcknowledgeIn):
    actions.acknowledge_order(actor=request.user, recipient=_recipient(request, order_id, recipient_id),
                              via=payload.via, note=payload.note)
    return _order(request, order_id)


class ResultIn(Schema):
    text: str


@router.post("/orders/{order_id}/recipients/{recipient_id}/result", response=OrderOut,
             summary="Record a recipient's report on the result")
def order_result(request, order_id: int, recipient_id: int, payload: ResultIn):
    actions.record_order_result(actor=request.user, recipient=_recipient(request, order_id, recipient_id),
                                text=payload.text)
    return _order(request, order_id)


class WrittenIn(Schema):
    reference: str = Field(description="Số/ký hiệu of the written order")
    sent_at: datetime


@router.post("/orders/{order_id}/written-follow-up", response=OrderOut,
             summary="Record the written order that followed an urgent one")
def written_follow_up(request, order_id: int, payload: WrittenIn):
    actions.record_written_follow_up(actor=request.user, order=_order(request, order_id),
                                     reference=payload.reference, sent_at=payload.sent_at)
    return _order(request, order_id)


class ReasonIn(Schema):
    reason: str = ""


@router.post("/orders/{order_id}/cancel", response=OrderOut, summary="Cancel an order")
def cancel_order(request, order_id: int, payload: ReasonIn):
    actions.cancel_order(actor=request.user, order=_order(request, order_id), reason=payload.reason)
    return _order(request, order_id)


# Requests ------------------------------------------------------------------------------------------


class RequestIn(Schema):
    incident: str = Field(description="Incident id or reference")
    kind: str = Field(description="direction | support")
    addressed_to_kind: str = Field(description="steering_committee | national_coordinator | provider | organisation")
    addressed_to_name: str = ""
    organisation: int | None = None
    content: str
    channel: str = Field(description="document | email | phone | fax | mms | system")
    sent_at: datetime | None = None
    reference: str = ""


class RequestOut(Schema):
    id: int
    incident: str
    kind: str
    addressed_to_kind: str
    addressed_to_name: str
    organisation: int | None = Field(alias="organisation_id")
    content: str
    channel: str
    sent_at: datetime
    reference: str
    status: str
    answer: str
    answered_at: datetime | None
    answered_by_name: str

    @staticmethod
    def resolve_incident(obj):
        return obj.incident.reference


def _request(request, request_id: int) -> Request:
    if not 0 < request_id <= MAX_ID:
        raise Http404
    row = get_object_or_404(Request.objects.select_related("incident"), pk=request_id)
    if not Incident.objects.visible_to(request.user).filter(pk=row.incident_id).exists():
        raise Http404
    return row


class RequestQuery(Schema):
    incident: str = ""
    status: str = ""


@router.get("/requests", response=list[RequestOut], summary="List requests for direction or support")
@paginate(PageNumberPagination)
def list_requests(request, filters: Query[RequestQuery]):
    rows = Request.objects.filter(incident__in=Incident.objects.visible_to(request.user).values("pk")).select_related(
        "incident").order_by("-sent_at", "-id")
    if not request.user.has_any_role(*TRIAGE_ROLES, "team_member", *OVERSIGHT_ROLES):
        rows = rows.none()
    if filters.incident:
        rows = rows.filter(incident=_incident(request, filters.incident))
    if filters.status:
        rows = rows.filter(status=filters.status)
    return rows


@router.post("/requests", response={201: RequestOut}, summary="Record a request for direction or support")
def send_request(request, payload: RequestIn):
    incident = _incident(request, payload.incident)
    organisation = None
    if payload.organisation is not None:
        organisation = Organisation.objects.filter(pk=payload.organisation).first() \
            if 0 < payload.organisation <= MAX_ID else None
        if organisation is None:
            raise ValidationError({"organisation": _("Organisation #%(id)s does not exist.") % {
                "id": payload.organisation}})
    row = actions.send_request(
        actor=request.user, incident=incident, kind=payload.kind, addressed_to_kind=payload.addressed_to_kind,
        addressed_to_name=payload.addressed_to_name, organisation=organisation, content=payload.content,
        channel=payload.channel, sent_at=payload.sent_at, reference=payload.reference)
    return Status(201, _request(request, row.pk))


class AnswerIn(Schema):
    answer: str
    answered_by_name: str
    answered_at: datetime | None = None


@router.post("/requests/{request_id}/answer", response=RequestOut, summary="Record the answer to a request")
def answer_request(request, request_id: int, payload: AnswerIn):
    row = actions.record_answer(actor=request.user, request=_request(request, request_id), answer=payload.answer,
                                answered_by_name=payload.answered_by_name, answered_at=payload.answered_at)
    return _request(request, row.pk)


@router.post("/requests/{request_id}/withdraw", response=RequestOut, summary="Withdraw a request")
def withdraw_request(request, request_id: int, payload: ReasonIn):
    row = actions.withdraw_request(actor=request.user, request=_request(request, request_id), reason=payload.reason)
    return _request(request, row.pk)


# Delegations ---------------------------------------------------------------------------------------


class DelegationIn(Schema):
    delegate: int = Field(description="The deputy lead's account id")
    reference: str = Field(description="Số/ký hiệu of the written authorisation")
    starts_on: date
    ends_on: date
    scope: str = ""


class DelegationOut(Schema):
    id: int
    delegate: int = Field(alias="delegate_id")
    delegate_name: str
    reference: str
    starts_on: date
    ends_on: date
    scope: str
    created_at: datetime
    revoked_at: datetime | None
    revoke_reason: str

    @staticmethod
    def resolve_delegate_name(obj):
        return obj.delegate.get_full_name()


def _require_delegation_reader(user) -> None:
    if not user.has_any_role(*TRIAGE_ROLES, *OVERSIGHT_ROLES):
        raise PermissionDenied(_("Only the team, the standing office and oversight see delegations."))


@router.get("/delegations", response=list[DelegationOut], summary="List delegations")
@paginate(PageNumberPagination)
def list_delegations(request):
    _require_delegation_reader(request.user)
    return Delegation.objects.select_related("delegate")


@router.post("/delegations", response={201: DelegationOut}, summary="Grant a delegation (team lead)")
def grant_delegation(request, payload: DelegationIn):
    delegation = actions.grant_delegation(
        actor=request.user, delegate=_user(payload.delegate, "delegate"), reference=payload.reference,
        starts_on=payload.starts_on, ends_on=payload.ends_on, scope=payload.scope)
    return Status(201, delegation)


@router.post("/delegations/{delegation_id}/revoke", response=DelegationOut, summary="Revoke a delegation")
def revoke_delegation(request, delegation_id: int, payload: ReasonIn):
    if not 0 < delegation_id <= MAX_ID:
        raise Http404
    delegation = get_object_or_404(Delegation, pk=delegation_id)
    return actions.revoke_delegation(actor=request.user, delegation=delegation, reason=payload.reason)


class DispatchRightOut(Schema):
    allowed: bool
    reason: str
    delegation: int | None


@router.get("/dispatch-right", response=DispatchRightOut, summary="May I dispatch members now, and why (not)")
def dispatch_right(request):
    right = actions.can_dispatch(request.user)
    return {"allowed": right.allowed, "reason": right.reason,
            "delegation": right.delegation.pk if right.delegation else None}


# Workload ------------------------------------------------------------------------------------------


class WorkloadDispatch(Schema):
    responder: int
    incident: str
    role: str
    dispatched_at: datetime
    acknowledged_at: datetime | None


class WorkloadOrder(Schema):
    order: int
    reference: str
    incident: str
    due_at: datetime
    acknowledged_at: datetime | None
    written_pending: bool


class WorkloadOut(Schema):
    user: int
    name: str
    organisation: str | None
    incidents: list[WorkloadDispatch]
    orders: list[WorkloadOrder]


class WorkloadPagination(PageNumberPagination):
    """Page the members, then read their dispatches and orders for the whole page at once."""

    def paginate_queryset(self, queryset, pagination, request, **params):
        page = super().paginate_queryset(queryset, pagination, request, **params)
        page[self.items_attribute] = [_workload_item(row) for row in workload_rows(list(page[self.items_attribute]))]
        return page


def _workload_item(row) -> dict:
    member = row["member"]
    return {
        "user": member.pk, "name": member.get_full_name(),
        "organisation": member.organisation.name if member.organisation_id else None,
        "incidents": [{"responder": r.pk, "incident": r.incident.reference, "role": r.role,
                       "dispatched_at": r.dispatched_at, "acknowledged_at": r.acknowledged_at}
                      for r in row["dispatches"]],
        "orders": [{"order": r.order_id, "reference": r.order.reference, "incident": r.order.incident.reference,
                    "due_at": r.order.due_at, "acknowledged_at": r.acknowledged_at,
                    "written_pending": r.order.written_pending} for r in row["orders"]],
    }


@router.get("/workload", response=list[WorkloadOut], summary="Per team member: open incidents and open orders")
@paginate(WorkloadPagination)
def workload(request):
    if not request.user.has_any_role(*WORKLOAD_ROLES):
        raise PermissionDenied(_("Only the standing office and the team leads see the team's workload."))
    return workload_members()

"""Notification endpoints: the deliveries with their attempts (administrators, standing officers, team leads)
and webhook endpoints (administrators). A webhook's secret is returned only by the call that creates it."""

from datetime import datetime

from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import Query, Router, Schema, Status
from ninja.pagination import PageNumberPagination, paginate

from ungcuu.notifications import actions
from ungcuu.notifications.models import Channel, Delivery, DeliveryStatus, WebhookEndpoint
from ungcuu.notifications.views import filtered_deliveries

router = Router(tags=["notifications"])


class AttemptOut(Schema):
    at: datetime
    ok: bool
    response_status: int | None
    detail: str
    duration_ms: int


class DeliveryOut(Schema):
    id: int
    channel: Channel
    event: str
    key: str
    recipient: str
    endpoint_id: int | None
    subject: str
    incident: str | None
    status: DeliveryStatus
    attempts: int
    next_attempt_at: datetime | None
    last_error: str
    sent_at: datetime | None
    created_at: datetime
    attempt_log: list[AttemptOut]

    @staticmethod
    def resolve_incident(delivery):
        return delivery.incident.reference if delivery.incident_id else None

    @staticmethod
    def resolve_attempt_log(delivery):
        return list(delivery.attempt_log.all())


class DeliveryFilter(Schema):
    status: DeliveryStatus | None = None
    channel: Channel | None = None
    event: str | None = None


class EndpointOut(Schema):
    id: int
    name: str
    url: str
    events: list[str]
    active: bool
    created_at: datetime
    deactivated_at: datetime | None


class EndpointCreatedOut(EndpointOut):
    secret: str


class EndpointIn(Schema):
    name: str
    url: str
    events: list[str] = []
    secret: str = ""


class EndpointPatch(Schema):
    name: str | None = None
    url: str | None = None
    events: list[str] | None = None
    active: bool | None = None


def _require_viewer(request):
    if not actions.can_view_deliveries(request.user):
        raise PermissionDenied(_("Only administrators, standing officers and the team leads may see notifications."))


def _require_admin(request):
    if not actions.can_manage_webhooks(request.user):
        raise PermissionDenied(_("Only administrators may manage webhook endpoints."))


@router.get("/notifications/deliveries", response=list[DeliveryOut], summary="List deliveries, newest first")
@paginate(PageNumberPagination)
def list_deliveries(request, filters: Query[DeliveryFilter]):
    _require_viewer(request)
    _form, rows = filtered_deliveries(filters.dict(exclude_none=True))
    return rows


@router.post("/notifications/deliveries/{delivery_id}/retry", response=DeliveryOut, summary="Retry a delivery now")
def retry_delivery(request, delivery_id: int):
    _require_viewer(request)
    delivery = get_object_or_404(Delivery, pk=delivery_id)
    actions.retry_delivery(actor=request.user, delivery=delivery)
    return get_object_or_404(Delivery.objects.select_related("incident"), pk=delivery_id)


@router.get("/notifications/webhooks", response=list[EndpointOut], summary="List webhook endpoints")
@paginate(PageNumberPagination)
def list_endpoints(request):
    _require_admin(request)
    return WebhookEndpoint.objects.all()


@router.post("/notifications/webhooks", response={201: EndpointCreatedOut},
             summary="Add a webhook endpoint (the secret is returned only here)")
def create_endpoint(request, payload: EndpointIn):
    _require_admin(request)
    endpoint, secret = actions.create_webhook_endpoint(actor=request.user, **payload.dict())
    endpoint.secret = secret
    return Status(201, endpoint)


@router.get("/notifications/webhooks/{endpoint_id}", response=EndpointOut, summary="One webhook endpoint")
def get_endpoint(request, endpoint_id: int):
    _require_admin(request)
    return get_object_or_404(WebhookEndpoint, pk=endpoint_id)


@router.patch("/notifications/webhooks/{endpoint_id}", response=EndpointOut, summary="Change a webhook endpoint")
def update_endpoint(request, endpoint_id: int, payload: EndpointPatch):
    _require_admin(request)
    endpoint = get_object_or_404(WebhookEndpoint, pk=endpoint_id)
    return actions.update_webhook_endpoint(actor=request.user, endpoint=endpoint, **payload.dict(exclude_unset=True))


@router.delete("/notifications/webhooks/{endpoint_id}", response=EndpointOut,
               summary="Deactivate a webhook endpoint (kept with its deliveries)")
def deactivate_endpoint(request, endpoint_id: int):
    _require_admin(request)
    endpoint = get_object_or_404(WebhookEndpoint, pk=endpoint_id)
    return actions.deactivate_webhook_endpoint(actor=request.user, endpoint=endpoint)

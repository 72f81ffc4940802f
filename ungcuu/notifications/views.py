"""Pages of the notifications app: the deliveries (administrators, standing officers, team leads) and webhook
endpoints (administrators). Thin: input is checked by forms, every change is an action."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Prefetch
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from ungcuu.lib.paging import paginate
from ungcuu.notifications import actions
from ungcuu.notifications.forms import DeliveryFilter, WebhookEndpointForm
from ungcuu.notifications.models import Delivery, DeliveryAttempt, WebhookEndpoint

PANEL_LIMIT = 10


def deliveries_for_list():
    """Deliveries with what the list shows: endpoint name, incident reference and the attempts (one query)."""
    return (Delivery.objects.select_related("endpoint", "incident")
            .only("channel", "event", "key", "recipient", "subject", "status", "attempts", "next_attempt_at",
                  "last_error", "sent_at", "created_at", "endpoint__name", "incident__reference")
            .prefetch_related(Prefetch("attempt_log", queryset=DeliveryAttempt.objects.order_by("at", "id"))))


def filtered_deliveries(data):
    form = DeliveryFilter(data)
    rows = deliveries_for_list()
    if form.is_valid():
        for name in ("status", "channel", "event"):
            if form.cleaned_data[name]:
                rows = rows.filter(**{name: form.cleaned_data[name]})
    return form, rows


def _require_viewer(user):
    if not actions.can_view_deliveries(user):
        raise PermissionDenied(_("Only administrators, standing officers and the team leads may see notifications."))


@login_required
def delivery_list(request):
    _require_viewer(request.user)
    form, rows = filtered_deliveries(request.GET)
    return render(request, "notifications/delivery_list.html", {
        "form": form, "page": paginate(request, rows),
        "can_manage_webhooks": actions.can_manage_webhooks(request.user)})


@login_required
@require_POST
def retry(request, pk):
    _require_viewer(request.user)
    delivery = get_object_or_404(Delivery, pk=pk)
    try:
        actions.retry_delivery(actor=request.user, delivery=delivery)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Delivery #%(id)s will be sent again now.") % {"id": delivery.pk})
    return redirect(request.POST.get("next") or "notifications:deliveries")


@login_required
def webhook_list(request):
    if not actions.can_manage_webhooks(request.user):
        raise PermissionDenied(_("Only administrators may manage webhook endpoints."))
    form, created, secret = WebhookEndpointForm(), None, ""
    if request.method == "POST":
        form = WebhookEndpointForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                created, secret = actions.create_webhook_endpoint(
                    actor=request.user, name=data["name"], url=data["url"], events=data["events"].split(","),
                    secret=data["secret"])
            except ValidationError as exc:
                for field, errors in exc.message_dict.items():
                    form.add_error(field if field in form.fields else None, errors)
            else:
                form = WebhookEndpointForm()
    endpoints = WebhookEndpoint.objects.select_related("created_by")
    return render(request, "notifications/webhook_list.html", {
        "form": form, "page": paginate(request, endpoints), "created": created, "secret": secret})


@login_required
@require_POST
def deactivate(request, pk):
    endpoint = get_object_or_404(WebhookEndpoint, pk=pk)
    actions.deactivate_webhook_endpoint(actor=request.user, endpoint=endpoint)
    messages.success(request, _("Webhook endpoint “%(name)s” deactivated.") % {"name": endpoint.name})
    return redirect("notifications:webhooks")


def incident_panel_context(user, incident) -> dict:
    """What this app's panel on the incident page needs: the incident's latest deliveries, for staff."""
    if not actions.can_view_deliveries(user):
        return {}
    rows = list(Delivery.objects.filter(incident=incident)
                .select_related("endpoint").only("channel", "event", "recipient", "subject", "status", "attempts",
                                                 "sent_at", "created_at", "endpoint__name")[:PANEL_LIMIT + 1])
    return {"notification_deliveries": rows[:PANEL_LIMIT], "notification_deliveries_more": len(rows) > PANEL_LIMIT}

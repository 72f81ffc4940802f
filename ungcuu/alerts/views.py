"""Pages of alerts: the standing office's triage queue, an alert, the grouping settings, the incident panel."""

import json
from datetime import timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Max
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from ungcuu.accounts.actions import authenticate_token
from ungcuu.alerts import actions
from ungcuu.alerts.forms import DismissForm, MoveForm, QueueFilterForm, SettingsForm
from ungcuu.alerts.models import VIEW_ROLES, Alert, AlertSettings, AlertStatus, RejectedAlert
from ungcuu.incidents.models import TRIAGE_ROLES, Incident
from ungcuu.lib.forms import flash_form_errors, flash_refusal, next_or
from ungcuu.lib.paging import paginate
from ungcuu.registry.models import InformationSystem

PANEL_ALERTS = 20
RAW_SHOWN = 2000  # characters of a rejected item shown in the list


def _require_view(user) -> None:
    if not user.has_any_role(*VIEW_ROLES):
        raise PermissionDenied(_("Alerts are seen by the response team."))


@login_required
def queue(request):
    """New alerts waiting for a decision (or any status), filtered, with the groups that received alerts lately."""
    _require_view(request.user)
    data = request.GET.copy()
    data.setdefault("status", AlertStatus.NEW)
    form = QueueFilterForm(data)
    systems = list(InformationSystem.objects.filter(alerts__isnull=False).distinct().order_by("name")
                   .values_list("id", "name"))
    form.fields["system"].widget.choices = [("", _("All")), *systems]
    alerts = Alert.objects.select_related("system", "incident").defer("raw", "description")
    if form.is_valid():
        filters = form.cleaned_data
        if filters["status"]:
            alerts = alerts.filter(status=filters["status"])
        if filters["source"]:
            alerts = alerts.filter(source=filters["source"].strip())
        if filters["system"]:
            alerts = alerts.filter(system_id=filters["system"])
        if filters["severity"]:
            alerts = alerts.filter(severity=filters["severity"])
    since = timezone.now() - timedelta(hours=24)
    groups = (Alert.objects.filter(status=AlertStatus.GROUPED, received_at__gte=since, incident__isnull=False)
              .values("incident__reference", "incident__title", "incident__status")
              .annotate(count=Count("id"), last=Max("received_at")).order_by("-last")[:20])
    return render(request, "alerts/queue.html", {
        "form": form, "page": paginate(request, alerts), "groups": groups,
        "can_triage": request.user.has_any_role(*TRIAGE_ROLES),
        "move_form": MoveForm(), "dismiss_form": DismissForm(),
        "sources": Alert.objects.values_list("source", flat=True).distinct().order_by("source")[:100],
        "rejected_count": RejectedAlert.objects.count(),
    })


@login_required
def rejected(request):
    """Items of batches that could not be taken as alerts, kept with their reasons (SPEC §3)."""
    _require_view(request.user)
    page = paginate(request, RejectedAlert.objects.select_related("received_by"))
    for row in page:
        text = row.raw if isinstance(row.raw, str) else json.dumps(row.raw, ensure_ascii=False)
        row.raw_shown = text[:RAW_SHOWN] + ("…" if len(text) > RAW_SHOWN else "")
    return render(request, "alerts/rejected.html", {"page": page})


@login_required
def detail(request, pk: int):
    _require_view(request.user)
    alert = Alert.objects.select_related("system", "incident", "received_by").filter(pk=pk).first()
    if alert is None:
        raise Http404
    return render(request, "alerts/detail.html", {
        "alert": alert, "raw": json.dumps(alert.raw, ensure_ascii=False, indent=2),
        "can_triage": request.user.has_any_role(*TRIAGE_ROLES),
        "move_form": MoveForm(), "dismiss_form": DismissForm(),
    })


def _back(request, default: str):
    return redirect(next_or(request, reverse(default)))


@login_required
@require_POST
def act(request):
    """Move the chosen alerts into an incident, or dismiss them."""
    ids = [int(v) for v in request.POST.getlist("alert") if v.isdigit()]
    alerts = list(Alert.objects.filter(pk__in=ids))
    try:
        if request.POST.get("action") == "dismiss":
            form = DismissForm(request.POST)
            if not form.is_valid():
                flash_form_errors(request, form)
                return _back(request, "alerts:queue")
            n = actions.dismiss_alerts(actor=request.user, alerts=alerts, reason=form.cleaned_data["reason"])
            messages.success(request, _("%(n)s alert(s) dismissed.") % {"n": n})
        else:
            form = MoveForm(request.POST)
            if not form.is_valid():
                flash_form_errors(request, form)
                return _back(request, "alerts:queue")
            incident = Incident.objects.visible_to(request.user).lookup(form.cleaned_data["reference"]).first()
            if incident is None:
                messages.error(request, _("No incident %(ref)s.") % {"ref": form.cleaned_data["reference"]})
                return _back(request, "alerts:queue")
            n = actions.move_alerts(actor=request.user, alerts=alerts, incident=incident)
            messages.success(request, _("%(n)s alert(s) moved into %(ref)s.") % {"n": n, "ref": incident.reference})
    except (ValidationError, PermissionDenied) as exc:
        flash_refusal(request, exc)
    return _back(request, "alerts:queue")


@login_required
@require_POST
def split(request, pk: int):
    """Take one alert into a new incident of its own."""
    alert = Alert.objects.filter(pk=pk).first()
    if alert is None:
        raise Http404
    try:
        incident = actions.split_alert(actor=request.user, alert=alert)
    except (ValidationError, PermissionDenied) as exc:
        flash_refusal(request, exc)
        return redirect("alerts:detail", pk=pk)
    messages.success(request, _("New incident %(ref)s opened from the alert.") % {"ref": incident.reference})
    return redirect("incidents:detail", incident.reference)


@login_required
def alert_settings(request):
    if not request.user.has_any_role("administrator"):
        raise PermissionDenied(_("Only an administrator may change how alerts are grouped."))
    rules = AlertSettings.current()
    form = SettingsForm(request.POST or None, initial={"group_window_minutes": rules.group_window_minutes,
                                                       "incident_min_severity": rules.incident_min_severity})
    if request.method == "POST" and form.is_valid():
        try:
            actions.update_alert_settings(actor=request.user, **form.cleaned_data)
        except (ValidationError, PermissionDenied) as exc:
            flash_refusal(request, exc)
        else:
            messages.success(request, _("Saved."))
            return redirect("alerts:settings")
    return render(request, "alerts/settings.html", {"form": form})


@csrf_exempt
@require_POST
def thehive4_alert(request):
    """TheHive 4's `POST /api/alert` (thehive4py 1.x), Bearer API key = an ungcuu API token."""
    from ungcuu.alerts.api import _hive_error, thehive_create

    header = request.headers.get("Authorization", "")
    user = authenticate_token(header[7:].strip()) if header.lower().startswith("bearer ") else None
    if user is None:
        return _hive_error("AuthenticationError", _("Authentication required: send a valid API token."), 401)
    request.user = user
    try:
        return thehive_create(request)
    except PermissionDenied as exc:
        return _hive_error("AuthorizationError", str(exc), 403)


def incident_panel_context(user, incident) -> dict:
    """What this app shows on the incident page (template alerts/_incident_panel.html)."""
    if not user.has_any_role(*VIEW_ROLES):
        return {"alerts_panel": None}
    alerts = Alert.objects.filter(incident=incident)
    count = alerts.count()
    if not count:
        return {"alerts_panel": None}
    latest = list(alerts.select_related("system").defer("raw", "description")[:PANEL_ALERTS])
    return {"alerts_panel": {"count": count, "latest": latest, "can_triage": user.has_any_role(*TRIAGE_ROLES)}}

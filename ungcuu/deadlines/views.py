"""Deadline pages: the panel on the incident page, the due/overdue list and the rules with the calendar."""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import render
from django.utils import timezone

from ungcuu.deadlines.models import (
    Comparison,
    Deadline,
    DeadlineKind,
    DeadlineStatus,
    Holiday,
    Override,
    Rule,
    RuleSet,
)
from ungcuu.incidents.models import OVERSIGHT_ROLES, TRIAGE_ROLES
from ungcuu.lib.paging import paginate

# The due/overdue page is for the response team and oversight, not for reporters.
TEAM_PAGE_ROLES = (*TRIAGE_ROLES, *OVERSIGHT_ROLES, "team_member")


def _rows(deadlines, now):
    return [{"deadline": d, "status": d.status(now), "status_label": d.status_label(now)} for d in deadlines]


def incident_panel_context(user, incident) -> dict:
    """What this app's panel on the incident page needs (templates/<app>/_incident_panel.html)."""
    deadlines = list(Deadline.objects.filter(incident=incident).select_related("rule", "override")
                     .order_by("due_at", "pk")[:200])
    return {"deadline_rows": _rows(deadlines, timezone.now())}


@login_required
def deadline_list(request):
    if not request.user.has_any_role(*TEAM_PAGE_ROLES):
        raise PermissionDenied
    now = timezone.now()
    status = request.GET.get("status", "open")
    kind = request.GET.get("kind", "")
    rows = Deadline.objects.visible_to(request.user).select_related("incident", "rule", "override", "responsible")
    if status in DeadlineStatus.values:
        rows = rows.with_status(status, now)
    if kind in DeadlineKind.values:
        rows = rows.filter(kind=kind)
    page = paginate(request, rows.order_by("due_at", "pk"))
    page.rows = _rows(page.object_list, now)
    return render(request, "deadlines/deadline_list.html", {
        "page": page, "status": status, "kind": kind, "statuses": DeadlineStatus.choices,
        "kinds": DeadlineKind.choices,
    })


@login_required
def rules(request):
    if not request.user.has_any_role(*TEAM_PAGE_ROLES):
        raise PermissionDenied
    today = timezone.localdate()
    in_force = list(Rule.objects.in_force(today).select_related("rule_set"))
    current = {}
    for rule in in_force:  # newest rule set first: keep the first per kind
        current.setdefault(rule.kind, rule)
    overrides = list(Override.objects.order_by("-active", "kind", "-created_at")[:100])
    override_rows = [{"override": o, "comparison": o.compare_to(current.get(o.kind)),
                      "label": Comparison(o.compare_to(current.get(o.kind))).label} for o in overrides]
    holidays = Holiday.objects.filter(date__year__gte=today.year - 1).order_by("date")
    return render(request, "deadlines/rules.html", {
        "rule_sets": RuleSet.objects.all()[:20], "rules": sorted(current.values(), key=lambda r: r.kind),
        "override_rows": override_rows, "page": paginate(request, holidays),
    })

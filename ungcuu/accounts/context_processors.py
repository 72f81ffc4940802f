"""Navigation entries for the signed-in user's roles (SPEC §12: navigation by role)."""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from ungcuu.registry.models import Deployment

# The roles each page lets in, written out here because accounts imports no domain app; the navigation
# tests check them against the pages themselves.
DEADLINE_ROLES = ("standing_officer", "team_lead", "deputy_lead", "team_member", "administrator", "auditor",
                  "steering_member")
WORKLOAD_ROLES = ("standing_officer", "team_lead", "deputy_lead")  # delegations are linked from the workload page
DELIVERY_ROLES = ("administrator", "standing_officer", "team_lead", "deputy_lead")  # webhooks linked from there
REPORT_ROLES = ("standing_officer", "team_lead", "deputy_lead", "team_member", "administrator", "auditor",
                "steering_member")  # the dashboard, with the periodic report linked from it
DOCUMENT_ROLES = ("standing_officer", "team_lead", "deputy_lead", "administrator", "auditor", "steering_member")

# (label, url name, roles allowed; None means every signed-in user)
NAVIGATION = [
    (_("Home"), "home", None),
    (_("Incidents"), "incidents:list", None),
    (_("Report an incident"), "incidents:report", None),
    (_("Deadlines"), "deadlines:list", DEADLINE_ROLES),
    (_("Coordination"), "coordination:workload", WORKLOAD_ROLES),
    (_("Dashboard"), "reports:dashboard", REPORT_ROLES),
    (_("Official documents"), "documents:register", DOCUMENT_ROLES),
    (_("Information systems"), "registry:systems", None),
    (_("Organisations"), "registry:organisations", None),
    (_("People and team"), "registry:people", None),
    (_("Find by IP/domain"), "registry:resolve", None),
    (_("Notifications"), "notifications:deliveries", DELIVERY_ROLES),
    (_("Checklist templates"), "investigation:template_list", ("administrator",)),
    (_("Audit log"), "audit:log", ("auditor", "administrator")),
    (_("Settings"), "registry:deployment", ("administrator",)),
]


def navigation(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav": [], "deployment": None}
    path = request.path
    items = []
    for label, name, roles in NAVIGATION:
        if roles is None or user.has_any_role(*roles):
            url = reverse(name)
            matches = path == url if name == "home" else path.startswith(url)
            items.append({"label": label, "url": url, "active": matches})
    # Only the most specific match is current: /incidents/report/ is not also "Incidents".
    best = max((item for item in items if item["active"]), key=lambda item: len(item["url"]), default=None)
    for item in items:
        item["active"] = item is best
    return {"nav": items, "deployment": Deployment.current()}

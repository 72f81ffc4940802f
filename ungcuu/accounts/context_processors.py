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

PREPAREDNESS_ROLES = ("standing_officer", "team_lead", "deputy_lead", "team_member", "administrator", "auditor",
                      "steering_member")
INTAKE_ROLES = ("standing_officer", "team_lead", "deputy_lead")  # received e-mail, the alert queue

# The menu's groups, in order; an entry's group is its fourth field.
GROUPS = [
    ("incidents", _("Incidents")),
    ("preparedness", _("Preparedness")),
    ("reports", _("Reports")),
    ("registry", _("Registry")),
    ("administration", _("Administration")),
]

# (label, url name, roles allowed — None means every signed-in user, group)
NAVIGATION = [
    (_("Home"), "home", None, ""),
    (_("Incidents"), "incidents:list", None, "incidents"),
    (_("Report an incident"), "incidents:report", None, "incidents"),
    (_("Alert queue"), "alerts:queue", (*INTAKE_ROLES, "team_member", "administrator"), "incidents"),
    (_("Received e-mail"), "mailintake:messages", INTAKE_ROLES, "incidents"),
    (_("Deadlines"), "deadlines:list", DEADLINE_ROLES, "incidents"),
    (_("Coordination"), "coordination:workload", WORKLOAD_ROLES, "incidents"),
    (_("Warnings"), "advisories:list", None, "preparedness"),
    (_("Inspections and scans"), "inspections:list", (*PREPAREDNESS_ROLES, "system_owner"), "preparedness"),
    (_("Response plans"), "plans:list", (*PREPAREDNESS_ROLES, "system_owner"), "preparedness"),
    (_("Annual plan"), "plans:annual_index", PREPAREDNESS_ROLES, "preparedness"),
    (_("Drills and meetings"), "drills:drills", PREPAREDNESS_ROLES, "preparedness"),
    (_("Member dossiers"), "dossiers:dossiers", PREPAREDNESS_ROLES, "preparedness"),
    (_("Dashboard"), "reports:dashboard", REPORT_ROLES, "reports"),
    (_("Official documents"), "documents:register", DOCUMENT_ROLES, "reports"),
    (_("Information systems"), "registry:systems", None, "registry"),
    (_("Organisations"), "registry:organisations", None, "registry"),
    (_("People and team"), "registry:people", None, "registry"),
    (_("Find by IP/domain"), "registry:resolve", None, "registry"),
    (_("Notifications"), "notifications:deliveries", DELIVERY_ROLES, "administration"),
    (_("Checklist templates"), "investigation:template_list", ("administrator",), "administration"),
    (_("Audit log"), "audit:log", ("auditor", "administrator"), "administration"),
    (_("Settings"), "registry:deployment", ("administrator",), "administration"),
]


def navigation(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav": [], "deployment": None}
    path = request.path
    items = []
    for label, name, roles, group in NAVIGATION:
        if roles is None or user.has_any_role(*roles):
            url = reverse(name)
            matches = path == url if name == "home" else path.startswith(url)
            items.append({"label": label, "url": url, "active": matches, "group": group})
    # Only the most specific match is current: /incidents/report/ is not also "Incidents".
    best = max((item for item in items if item["active"]), key=lambda item: len(item["url"]), default=None)
    for item in items:
        item["active"] = item is best
    # The menu as shown: Home, then each group as a drop-down (a group of one entry is a plain link).
    groups = [{"label": _("Home"), "items": [item for item in items if not item["group"]]}]
    for key, label in GROUPS:
        members = [item for item in items if item["group"] == key]
        if members:
            groups.append({"label": label, "items": members, "active": any(i["active"] for i in members)})
    return {"nav": items, "nav_groups": groups, "deployment": Deployment.current()}

"""Navigation entries for the signed-in user's roles (SPEC §12: navigation by role)."""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from ungcuu.registry.models import Deployment

# (label, url name, roles allowed; None means every signed-in user)
NAVIGATION = [
    (_("Home"), "home", None),
    (_("Incidents"), "incidents:list", None),
    (_("Report an incident"), "incidents:report", None),
    (_("Information systems"), "registry:systems", None),
    (_("Organisations"), "registry:organisations", None),
    (_("People and team"), "registry:people", None),
    (_("Find by IP/domain"), "registry:resolve", None),
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

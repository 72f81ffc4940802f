"""Navigation entries for the signed-in user's roles (SPEC §12: navigation by role)."""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from ungcuu.registry.models import Deployment

# (label, url name, roles allowed; None means every signed-in user)
NAVIGATION = [
    (_("Home"), "home", None),
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
            active = path == url if name == "home" else path.startswith(url)
            items.append({"label": label, "url": url, "active": active})
    return {"nav": items, "deployment": Deployment.current()}

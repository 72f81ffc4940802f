"""The audit log, for auditors and administrators."""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import render
from django.utils.translation import gettext as _

from ungcuu.audit.models import AuditEntry
from ungcuu.lib.paging import paginate


@login_required
def log(request):
    if not request.user.has_any_role("auditor", "administrator"):
        raise PermissionDenied(_("Only auditors and administrators may read the audit log."))
    rows = AuditEntry.objects.all()
    action = request.GET.get("action", "").strip()
    if action:
        rows = rows.filter(action__startswith=action)
    return render(request, "audit/log.html", {"page": paginate(request, rows), "action": action})

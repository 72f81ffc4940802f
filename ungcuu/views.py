"""The home page: what the signed-in user can reach, with the registry's counts."""

from django.contrib.auth.decorators import login_required
from django.db.models import Count
from django.shortcuts import render

from ungcuu.incidents.models import Incident, IncidentStatus
from ungcuu.registry.models import InformationSystem, Organisation, Person

RECENT_INCIDENTS = 5


@login_required
def home(request):
    systems = InformationSystem.objects.visible_to(request.user)
    by_level = dict(systems.values_list("level").annotate(n=Count("id")).order_by())
    incidents = Incident.objects.visible_to(request.user)
    return render(request, "home.html", {
        "awaiting_verification": incidents.filter(status=IncidentStatus.RECEIVED).count(),
        "recent_incidents": incidents.list_columns()[:RECENT_INCIDENTS],
        "system_count": sum(by_level.values()),
        "by_level": [(level, by_level.get(level, 0)) for level in range(1, 6)],
        "organisation_count": Organisation.objects.count(),
        "team_count": Person.objects.on_team().count(),
    })

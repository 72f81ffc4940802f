"""Exports in the API: one incident as a STIX 2.1 bundle or as a MISP event (404 when not visible)."""

from django.http import HttpResponse
from ninja import Router

from ungcuu.sharing import misp
from ungcuu.sharing.views import stix_json, visible_incident

router = Router(tags=["sharing"])


@router.get("/incidents/{incident_ref}/stix", summary="One incident and its indicators as a STIX 2.1 bundle",
            description="By id or reference. Marked TLP:AMBER when the incident is confidential, TLP:GREEN "
                        "otherwise.")
def incident_stix(request, incident_ref: str):
    incident, indicators = visible_incident(request.user, incident_ref, by_id=True)
    return HttpResponse(stix_json(incident, indicators), content_type="application/stix+json;version=2.1")


@router.get("/incidents/{incident_ref}/misp", summary="One incident and its indicators as a MISP event",
            description="By id or reference; the body is MISP's event JSON ({\"Event\": {...}}).")
def incident_misp(request, incident_ref: str):
    incident, indicators = visible_incident(request.user, incident_ref, by_id=True)
    return HttpResponse(misp.incident_event_json(incident, indicators), content_type="application/json")

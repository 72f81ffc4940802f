"""Export pages: incident and indicator lists as CSV/XLSX, one incident as STIX 2.1 or a MISP event.

Every export reads only what the user may see (`Incident.objects.visible_to`); an incident the user
may not see is a 404, as on its page.
"""

from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpResponse, StreamingHttpResponse
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from ungcuu.incidents import search
from ungcuu.incidents.forms import IncidentFilterForm
from ungcuu.incidents.models import Incident
from ungcuu.sharing import misp, stix, tabular

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _filters(request) -> search.IncidentFilters:
    """The incident list's filters from the query string (bad values are ignored, as on the list)."""
    if not request.GET:
        return search.IncidentFilters()
    return IncidentFilterForm(request.GET, user=request.user).filters()


def _filename(stem: str, extension: str) -> str:
    return f"{stem}-{timezone.localtime():%Y%m%d-%H%M}.{extension}"


def _csv_response(columns, queryset, filename: str) -> StreamingHttpResponse:
    language = translation.get_language()

    def chunks():
        # The body is produced after the view has returned: keep the request's language for the headers.
        with translation.override(language):
            yield from tabular.csv_chunks(columns, queryset)

    response = StreamingHttpResponse(chunks(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def _xlsx_response(columns, queryset, filename: str, title: str) -> FileResponse:
    return FileResponse(tabular.xlsx_file(columns, queryset, title=title), as_attachment=True, filename=filename,
                        content_type=XLSX_TYPE)


@login_required
def incidents_csv(request):
    queryset = tabular.incidents_for(request.user, _filters(request))
    return _csv_response(tabular.INCIDENT_COLUMNS, queryset, _filename("incidents", "csv"))


@login_required
def incidents_xlsx(request):
    queryset = tabular.incidents_for(request.user, _filters(request))
    return _xlsx_response(tabular.INCIDENT_COLUMNS, queryset, _filename("incidents", "xlsx"), _("Incidents"))


@login_required
def indicators_csv(request):
    queryset = tabular.indicators_for(request.user, _filters(request))
    return _csv_response(tabular.INDICATOR_COLUMNS, queryset, _filename("indicators", "csv"))


@login_required
def indicators_xlsx(request):
    queryset = tabular.indicators_for(request.user, _filters(request))
    return _xlsx_response(tabular.INDICATOR_COLUMNS, queryset, _filename("indicators", "xlsx"), "IOC")


def visible_incident(user, reference: str, *, by_id: bool = False) -> tuple[Incident, list]:
    """The incident the user names and may see, with its indicators; Http404 otherwise."""
    try:
        incident = Incident.objects.visible_to(user).lookup(reference, by_id=by_id).get()
    except Incident.DoesNotExist:
        raise Http404 from None
    return incident, list(incident.indicators.all())


def stix_json(incident, indicators) -> str:
    return stix.incident_bundle(incident, indicators).serialize(pretty=True, ensure_ascii=False)


@login_required
def incident_stix(request, reference):
    incident, indicators = visible_incident(request.user, reference)
    response = HttpResponse(stix_json(incident, indicators), content_type="application/stix+json;version=2.1")
    response["Content-Disposition"] = f'attachment; filename="{incident.reference}.stix.json"'
    return response


@login_required
def incident_misp(request, reference):
    incident, indicators = visible_incident(request.user, reference)
    response = HttpResponse(misp.incident_event_json(incident, indicators), content_type="application/json")
    response["Content-Disposition"] = f'attachment; filename="{incident.reference}.misp.json"'
    return response


def incident_panel_context(user, incident) -> dict:
    """The export links on the incident page (the user can see the incident, or the page would be a 404)."""
    return {"sharing_exports": [
        ("STIX 2.1", reverse("sharing:incident_stix", args=[incident.reference])),
        ("MISP", reverse("sharing:incident_misp", args=[incident.reference])),
    ]}

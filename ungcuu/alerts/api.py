"""Alerts API: POST /api/v1/alerts (one alert, a JSON array or NDJSON) and TheHive's alert API.

TheHive's paths (`POST /api/v1/alert` of TheHive 5 and thehive4py 2, `POST /api/alert` of TheHive 4 and
thehive4py 1, the latter in urls.py) take one alert in TheHive's shape and answer as TheHive does, so an
integration only changes its URL and API key.
"""

import json

import orjson
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.utils.translation import gettext as _
from ninja import Router

from ungcuu.alerts import actions, formats
from ungcuu.alerts.models import Alert, AlertFormat

router = Router(tags=["alerts"])
NDJSON_TYPES = ("application/x-ndjson", "application/ndjson", "application/jsonl", "application/x-jsonlines")


def json_response(body, status: int) -> HttpResponse:
    """UTF-8 JSON written by orjson: an answer lists every alert of a batch (up to 10,000). What orjson cannot
    write (an integer of 2^64 or more kept in an alert's `raw`) goes through the standard library."""
    try:
        content = orjson.dumps(body, default=str)
    except TypeError:
        content = json.dumps(body, ensure_ascii=False, default=str).encode()
    return HttpResponse(content, status=status, content_type="application/json")


def _invalid_body() -> HttpResponse:
    return json_response({"detail": _("The data sent is not valid."),
                  "errors": {"__all__": [_("The request body is not valid JSON (send one object, an array, "
                                           "or NDJSON with Content-Type: application/x-ndjson).")]}}, 422)


@router.post("/alerts", summary="Send monitoring alerts (one object, a JSON array, or NDJSON)",
             openapi_extra={"requestBody": {"content": {"application/json": {"schema": {}}}}})
def receive(request, format: str = "", source: str = ""):
    """Each item is created, a duplicate (same source and source_ref as one stored) or invalid (with its
    errors); valid items are stored and committed before the answer. 201 when something was created,
    200 when everything was already there, 422 when nothing was valid."""
    if format and format not in AlertFormat.values:
        raise ValidationError({"format": _("Choose one of: %(values)s.") % {"values": ", ".join(AlertFormat.values)}})
    try:
        items = formats.split_body(request.body, ndjson=request.content_type in NDJSON_TYPES)
    except ValueError:
        return _invalid_body()
    results = actions.receive_alerts(actor=request.user, items=items, fmt=format or None, source=source[:100])
    return json_response(*answer(results))


def answer(results: list[dict]) -> tuple[dict, int]:
    """The body and status of an answer to POST /alerts (here and on the lean path, alerts/intake.py)."""
    counts = {"created": 0, "duplicate": 0, "invalid": 0}
    for result in results:
        counts[result["status"]] += 1
    status = 201 if counts["created"] else 200 if counts["duplicate"] else 422
    return {**counts, "received": len(results), "items": results}, status


@router.get("/alerts/{alert_id}", summary="One alert, as received and as grouped")
def detail(request, alert_id: int):
    alert = Alert.objects.visible_to(request.user).select_related("incident", "system").filter(pk=alert_id).first()
    if alert is None:
        raise Http404
    return json_response(alert_json(alert), 200)


def alert_json(alert: Alert) -> dict:
    return {"id": alert.pk, "source": alert.source, "source_ref": alert.source_ref, "format": alert.format,
            "received_at": alert.received_at.isoformat(),
            "observed_at": alert.observed_at.isoformat() if alert.observed_at else None,
            "title": alert.title, "description": alert.description, "severity": alert.severity,
            "host": alert.host, "system": alert.system_id, "indicators": alert.indicators,
            "status": alert.status, "incident": alert.incident.reference if alert.incident_id else None,
            "group_key": alert.group_key, "raw": alert.raw}


# TheHive compatibility -------------------------------------------------------------------------------


def _hive_error(kind: str, message: str, status: int, errors: dict | None = None) -> HttpResponse:
    # TheHive's error body is {"type", "message"}; thehive4py shows "<type> - <message>".
    body = {"type": kind, "message": message, "detail": message}
    if errors:
        body["errors"] = errors
    return json_response(body, status)


def thehive_create(request) -> HttpResponse:
    """One alert in TheHive's shape → TheHive's answer (201 and the alert; 400 when it exists or is invalid)."""
    try:
        item = formats.loads(request.body.decode("utf-8"))
    except ValueError:
        return _hive_error("BadRequest", _("The request body is not valid JSON."), 400)
    if not isinstance(item, dict):
        return _hive_error("BadRequest", _("Send one alert as a JSON object."), 400)
    result = actions.receive_alerts(actor=request.user, items=[item], fmt=AlertFormat.THEHIVE)[0]
    if result["status"] == "invalid":
        message = "; ".join(f"{field}: {' '.join(msgs)}" for field, msgs in result["errors"].items())
        return _hive_error("AttributeCheckingError", message, 400, result["errors"])
    if result["status"] == "duplicate":
        return _hive_error("CreateError", _("Alert %(ref)s of %(source)s already exists") % {
            "ref": item.get("sourceRef"), "source": result["source"]}, 400)
    alert = Alert.objects.select_related("received_by", "incident").get(pk=result["id"])
    return json_response(thehive_json(alert), 201)


def thehive_json(alert: Alert) -> dict:
    raw = alert.raw if isinstance(alert.raw, dict) else {}
    created = int(alert.received_at.timestamp() * 1000)
    date = int((alert.observed_at or alert.received_at).timestamp() * 1000)
    severity = formats.THEHIVE_SEVERITY_OF.get(alert.severity, 2)
    status = {"new": "New", "grouped": "Imported", "dismissed": "Ignored"}[alert.status]
    return {
        "_id": str(alert.pk), "_type": "Alert", "_createdBy": alert.received_by.get_username()
        if alert.received_by_id else "", "_createdAt": created, "type": raw.get("type", ""),
        "source": alert.source, "sourceRef": raw.get("sourceRef", alert.source_ref),
        "externalLink": raw.get("externalLink", ""),
        "title": alert.title, "description": alert.description, "severity": severity,
        "severityLabel": {1: "LOW", 2: "MEDIUM", 3: "HIGH", 4: "CRITICAL"}[severity], "date": date,
        "tags": raw.get("tags") or [], "tlp": raw.get("tlp", 2), "tlpLabel": "AMBER", "pap": raw.get("pap", 2),
        "papLabel": "AMBER", "follow": True, "customFields": [], "observableCount": len(alert.indicators),
        "status": status, "stage": status, "extraData": {}, "newDate": created, "timeToDetect": max(0, created - date),
        **({"caseId": alert.incident.reference} if alert.incident_id else {}),
    }


@router.post("/alert", summary="TheHive 5 alert API (thehive4py 2): create one alert",
             openapi_extra={"requestBody": {"content": {"application/json": {"schema": {}}}}})
def thehive_alert(request):
    return thehive_create(request)


@router.get("/alert/{alert_id}", summary="TheHive 5 alert API: one alert")
def thehive_get(request, alert_id: str):
    if not alert_id.isdigit():
        raise Http404
    alert = (Alert.objects.visible_to(request.user).select_related("received_by", "incident")
             .filter(pk=int(alert_id)).first())
    if alert is None:
        raise Http404
    return json_response(thehive_json(alert), 200)

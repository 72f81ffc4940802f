"""One incident with its indicators as a MISP event (MISP's JSON event format, written here).

Mapping: severity serious → threat level 1 (high), proposed serious → 2 (medium), normal → 3 (low);
analysis 0 (initial) while received, 2 (completed) once closed, 1 (ongoing) otherwise; distribution 0
(this organisation only) for a confidential incident, 1 (this community) otherwise. The TLP tag
follows STIX: tlp:amber when confidential, tlp:green otherwise.

Attributes: ip → ip-dst, domain → domain, url → url, email → email-src, md5/sha1/sha256, file_name →
filename. `to_ids` is off for the affected system's own addresses from the report form and for file
names (too weak to detect on); on for the rest.
"""

import json

from django.utils import timezone

from ungcuu.incidents.models import Incident, IncidentStatus, Indicator, IndicatorKind, Severity
from ungcuu.sharing.stix import stable_id

ATTRIBUTE_TYPES = {
    IndicatorKind.IP: ("ip-dst", "Network activity"),
    IndicatorKind.DOMAIN: ("domain", "Network activity"),
    IndicatorKind.URL: ("url", "Network activity"),
    IndicatorKind.EMAIL: ("email-src", "Payload delivery"),
    IndicatorKind.MD5: ("md5", "Payload delivery"),
    IndicatorKind.SHA1: ("sha1", "Payload delivery"),
    IndicatorKind.SHA256: ("sha256", "Payload delivery"),
    IndicatorKind.FILE_NAME: ("filename", "Payload delivery"),
}
THREAT_LEVELS = {Severity.SERIOUS: "1", Severity.PROPOSED_SERIOUS: "2", Severity.NORMAL: "3"}


def _uuid(kind: str, key: str) -> str:
    return stable_id(kind, key).split("--", 1)[1]


def _analysis(incident: Incident) -> str:
    if incident.status == IncidentStatus.CLOSED:
        return "2"
    return "0" if incident.status == IncidentStatus.RECEIVED else "1"


def to_ids(indicator: Indicator) -> bool:
    return indicator.source != "report" and indicator.kind != IndicatorKind.FILE_NAME


def incident_event(incident: Incident, indicators: list[Indicator]) -> dict:
    """The MISP event of one incident, as the dict MISP's API accepts ({"Event": {...}})."""
    attributes = []
    for indicator in indicators:
        misp_type, category = ATTRIBUTE_TYPES[indicator.kind]
        value = indicator.value.lower() if indicator.kind in (IndicatorKind.MD5, IndicatorKind.SHA1,
                                                              IndicatorKind.SHA256) else indicator.value
        attributes.append({
            "uuid": _uuid("indicator", f"{incident.reference}:{indicator.kind}:{indicator.value}"),
            "type": misp_type, "category": category, "value": value, "to_ids": to_ids(indicator),
            "comment": str(indicator.source_label), "distribution": "5",  # inherit the event's
            "timestamp": str(int(indicator.created_at.timestamp())),
        })
    modified = max(incident.updated_at, incident.created_at)
    info = f"{incident.reference} {incident.title}"
    if incident.attack_type:
        info += f" ({incident.get_attack_type_display()})"
    return {"Event": {
        "uuid": _uuid("incident", incident.reference),
        "info": info,
        "date": timezone.localtime(incident.detected_at).date().isoformat(),
        "threat_level_id": THREAT_LEVELS.get(incident.severity, "4"),
        "analysis": _analysis(incident),
        "distribution": "0" if incident.confidential else "1",
        "published": False,
        "timestamp": str(int(modified.timestamp())),
        "Tag": [{"name": "tlp:amber" if incident.confidential else "tlp:green"}],
        "Attribute": attributes,
    }}


def incident_event_json(incident: Incident, indicators: list[Indicator]) -> str:
    return json.dumps(incident_event(incident, indicators), ensure_ascii=False, indent=2)

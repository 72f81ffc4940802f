"""One incident with its indicators as a STIX 2.1 bundle (stix2 library).

The bundle holds the team's identity (created_by_ref of every object), the TLP marking, the
incident as a STIX 2.1 `incident` object (its reference as an external reference), one `indicator`
per indicator with a STIX pattern, and a `related-to` relationship from each indicator to the
incident. It passes the OASIS validator in strict mode: no custom properties, UUIDv4-shaped ids.

Marking: TLP:AMBER for a confidential incident, TLP:GREEN otherwise.

Ids are derived from the reference and the indicator, so exporting the same incident again gives the
same ids and a receiver updates its copy instead of adding a second one. Indicators that came from
the report form itself (the affected system's own addresses) are typed `compromised`; the others
(extracted, added by hand, merged) `malicious-activity`.
"""

import hashlib
import ipaddress
import uuid

import stix2

from ungcuu.incidents.models import Incident, Indicator, IndicatorKind
from ungcuu.registry.models import Deployment

DEFAULT_TEAM_NAME = "Đội ứng cứu sự cố"
HASH_NAMES = {IndicatorKind.MD5: "MD5", IndicatorKind.SHA1: "SHA-1", IndicatorKind.SHA256: "SHA-256"}


def stable_id(kind: str, key: str) -> str:
    """A STIX id that is the same for the same key: a SHA-256 of the key shaped as a version-4 UUID."""
    digest = hashlib.sha256(f"ungcuu:{kind}:{key}".encode()).digest()
    return f"{kind}--{uuid.UUID(bytes=digest[:16], version=4)}"


def _quote(value: str) -> str:
    return "'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'"


def pattern(kind: str, value: str) -> str:
    """The STIX pattern of one indicator."""
    if kind == IndicatorKind.IP:
        try:
            network = ipaddress.ip_network(value, strict=False)
        except ValueError:
            network = None
        object_type = "ipv6-addr" if network is not None and network.version == 6 else "ipv4-addr"
        return f"[{object_type}:value = {_quote(value)}]"
    if kind == IndicatorKind.DOMAIN:
        return f"[domain-name:value = {_quote(value)}]"
    if kind == IndicatorKind.URL:
        return f"[url:value = {_quote(value)}]"
    if kind == IndicatorKind.EMAIL:
        return f"[email-addr:value = {_quote(value)}]"
    if kind in HASH_NAMES:
        return f"[file:hashes.'{HASH_NAMES[kind]}' = {_quote(value.lower())}]"
    if kind == IndicatorKind.FILE_NAME:
        return f"[file:name = {_quote(value)}]"
    raise ValueError(f"no STIX pattern for indicator kind {kind!r}")


def tlp(incident: Incident):
    return stix2.TLP_AMBER if incident.confidential else stix2.TLP_GREEN


def team_identity(deployment: Deployment | None = None) -> stix2.Identity:
    deployment = deployment or Deployment.current()
    name = deployment.team_name or DEFAULT_TEAM_NAME
    when = deployment.updated_at or None
    kwargs = {"created": when, "modified": when} if when else {}
    return stix2.Identity(id=stable_id("identity", name), name=name, identity_class="organization",
                          sectors=["government"], **kwargs)


def incident_bundle(incident: Incident, indicators: list[Indicator], *, deployment=None) -> stix2.Bundle:
    """The STIX 2.1 bundle of one incident and its indicators."""
    identity = team_identity(deployment)
    marking = tlp(incident)
    common = {"created_by_ref": identity.id, "object_marking_refs": [marking.id]}
    created, modified = incident.created_at, max(incident.updated_at, incident.created_at)
    description = incident.description
    if incident.attack_type:
        description = f"{incident.get_attack_type_display()}. {description}"
    stix_incident = stix2.Incident(
        id=stable_id("incident", incident.reference), name=f"{incident.reference} {incident.title}",
        description=description, created=created, modified=modified,
        external_references=[{"source_name": "ungcuu", "external_id": incident.reference}], **common)
    objects = [identity, marking, stix_incident]
    for indicator in indicators:
        key = f"{incident.reference}:{indicator.kind}:{indicator.value}"
        stix_indicator = stix2.Indicator(
            id=stable_id("indicator", key), name=f"{indicator.get_kind_display()} {indicator.value}",
            description=f"{incident.reference}: {indicator.source_label}",
            indicator_types=["compromised" if indicator.source == "report" else "malicious-activity"],
            pattern=pattern(indicator.kind, indicator.value), pattern_type="stix",
            valid_from=indicator.created_at, created=indicator.created_at, modified=indicator.created_at, **common)
        relationship = stix2.Relationship(
            id=stable_id("relationship", key), relationship_type="related-to", source_ref=stix_indicator.id,
            target_ref=stix_incident.id, created=indicator.created_at, modified=indicator.created_at, **common)
        objects += [stix_indicator, relationship]
    return stix2.Bundle(*objects, id=stable_id("bundle", f"{incident.reference}:{modified.isoformat()}"))

"""The alert formats the API takes: generic JSON, Wazuh's alerts.json objects and TheHive's alert API.

`split_body` turns a request body (one object, a JSON array, or NDJSON) into items; `normalise` turns one
item into the fields of an Alert, or a dict of errors saying what is wrong with it.
"""

import datetime
import json
import math
import re
from typing import Any

import orjson
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

from ungcuu.alerts.models import AlertFormat, AlertSeverity
from ungcuu.incidents.actions import _storable
from ungcuu.incidents.models import IndicatorKind

TITLE_LENGTH = 300
SOURCE_LENGTH = 100
REF_LENGTH = 200
TYPE_LENGTH = 50  # TheHive's alert type, stored in front of its reference (see _thehive)
STORED_REF_LENGTH = REF_LENGTH + TYPE_LENGTH + 1
HOST_LENGTH = 255
MAX_INDICATORS = 100
RAW_LIMIT = 64_000  # characters of a rejected item kept as received
_SEVERITIES = frozenset(AlertSeverity.values)
_KINDS = frozenset(IndicatorKind.values)
# TheHive's severity numbers (1 low … 4 critical).
THEHIVE_SEVERITY = {1: AlertSeverity.LOW, 2: AlertSeverity.MEDIUM, 3: AlertSeverity.HIGH, 4: AlertSeverity.CRITICAL}
THEHIVE_SEVERITY_OF = {value: key for key, value in THEHIVE_SEVERITY.items()}
# TheHive observable data types → indicator kinds (hashes are told apart by length).
THEHIVE_TYPES = {"ip": IndicatorKind.IP, "domain": IndicatorKind.DOMAIN, "fqdn": IndicatorKind.DOMAIN,
                 "hostname": IndicatorKind.DOMAIN, "url": IndicatorKind.URL, "uri_path": IndicatorKind.URL,
                 "mail": IndicatorKind.EMAIL, "mail-address": IndicatorKind.EMAIL, "email": IndicatorKind.EMAIL,
                 "filename": IndicatorKind.FILE_NAME, "file": IndicatorKind.FILE_NAME}
HASH_KINDS = {32: IndicatorKind.MD5, 40: IndicatorKind.SHA1, 64: IndicatorKind.SHA256}


class BadItem:
    """An NDJSON line that is not JSON: reported as invalid, the other lines go on."""

    def __init__(self, message: str, text: str = ""):
        self.message = message
        self.text = text


_LONG_NUMBER = re.compile(r"\d{20,}")


def loads(text: str | bytes):
    """JSON text → value: orjson, or the standard parser for what orjson refuses but senders do write (NaN,
    Infinity, a lone surrogate). Those numbers become their JSON spelling ("NaN", "Infinity"), as stored
    anyway (incidents.actions._storable), so that a parsed value never holds a float JSON cannot write.
    Text with a run of 20 digits goes to the standard parser too: orjson reads an integer of 2^64 or more
    as a float, and two such references would then read the same. ValueError when it is not JSON."""
    try:
        if not _LONG_NUMBER.search(text if isinstance(text, str) else text.decode("utf-8", "replace")):
            return orjson.loads(text)
    except orjson.JSONDecodeError:
        pass
    try:
        return json.loads(text, parse_constant=str, parse_float=_finite_or_spelled)
    except RecursionError:
        raise ValueError("nested too deeply") from None


def _finite_or_spelled(text: str):
    value = float(text)
    return value if math.isfinite(value) else ("Infinity" if value > 0 else "-Infinity")


def split_body(body: bytes, ndjson: bool) -> list:
    """The items of a body; ValueError when it is not JSON at all (NDJSON lines fail one by one)."""
    text = body.decode("utf-8")
    if ndjson:
        items: list = []
        for number, line in enumerate(text.splitlines(), start=1):
            if not line.strip():
                continue
            try:
                items.append(loads(line))
            except ValueError:
                items.append(BadItem(_("Line %(n)s is not valid JSON.") % {"n": number}, line))
        return items
    value = loads(text)
    return value if isinstance(value, list) else [value]


def detect(item: dict) -> str:
    if isinstance(item.get("rule"), dict) and ("agent" in item or "manager" in item):
        return AlertFormat.WAZUH
    if "sourceRef" in item or "observables" in item or "artifacts" in item:
        return AlertFormat.THEHIVE
    return AlertFormat.GENERIC


def _text(value, limit: int | None = None) -> str:
    if value is None:
        return ""
    if isinstance(value, bool) or not isinstance(value, (str, int, float)):
        raise TypeError
    text = str(value).replace("\x00", "").strip()
    if not text.isascii():
        text = _storable(text)  # a lone surrogate (valid in JSON) cannot be stored as text
    return text[:limit] if limit else text


def _when(value) -> datetime.datetime | None:
    """ISO 8601 text (a naive one is local time) or a Unix time in seconds or milliseconds."""
    if value in (None, ""):
        return None
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        seconds = value / 1000 if value > 10**11 else value
        return datetime.datetime.fromtimestamp(seconds, tz=datetime.UTC)
    if not isinstance(value, str):
        raise ValueError
    try:  # the common case, in C; Django's parser takes the other ISO 8601 spellings
        parsed = datetime.datetime.fromisoformat(value)
    except ValueError:
        parsed = parse_datetime(value.strip())
    if parsed is None:
        raise ValueError
    if parsed.tzinfo is None:  # both parsers give a fixed offset or none
        parsed = timezone.make_aware(parsed)
    return parsed


def _indicator(kind: str, value) -> dict | None:
    try:
        value = _text(value, 1000)
    except TypeError:
        return None
    return {"kind": kind, "value": value} if value else None


def normalise(item, *, fmt: str | None = None, source: str = "") -> tuple[dict | None, dict]:
    """(fields, {}) or (None, errors). `source` names the sender when the format does not (Wazuh)."""
    if isinstance(item, BadItem):
        return None, {"__all__": [item.message]}
    if not isinstance(item, dict):
        return None, {"__all__": [_("Each alert must be a JSON object.")]}
    fmt = fmt or detect(item)
    errors: dict[str, list[str]] = {}
    try:
        fields = {AlertFormat.WAZUH: _wazuh, AlertFormat.THEHIVE: _thehive}.get(fmt, _generic)(item, source, errors)
    except (TypeError, AttributeError):
        return None, {"__all__": [_("The alert does not have the shape of the %(format)s format.")
                                  % {"format": AlertFormat(fmt).label}]}
    ref_limit = STORED_REF_LENGTH if fmt == AlertFormat.THEHIVE else REF_LENGTH  # checked part by part there
    for name, limit in (("source", SOURCE_LENGTH), ("source_ref", ref_limit)):
        if not fields.get(name):
            errors.setdefault(name, []).append(_("This field is required."))
        elif len(fields[name]) > limit:
            errors.setdefault(name, []).append(_("At most %(n)s characters.") % {"n": limit})
    if not fields.get("title"):
        errors.setdefault("title", []).append(_("This field is required."))
    if errors:
        return None, errors
    fields["format"] = fmt
    fields["title"] = fields["title"][:TITLE_LENGTH]
    fields["host"] = fields.get("host", "")[:HOST_LENGTH]
    fields["indicators"] = fields.get("indicators", [])[:MAX_INDICATORS]
    fields["raw"] = item
    return fields, {}


def _observed(value, errors, field) -> datetime.datetime | None:
    try:
        return _when(value)
    except (ValueError, OverflowError, OSError):
        errors.setdefault(field, []).append(_("Enter a date and time as ISO 8601, e.g. 2026-11-20T08:30:00+07:00."))
        return None


def _generic(item: dict, source: str, errors: dict) -> dict[str, Any]:
    severity = item.get("severity", AlertSeverity.MEDIUM)
    if isinstance(severity, int) and severity in THEHIVE_SEVERITY:
        severity = THEHIVE_SEVERITY[severity]
    if severity not in _SEVERITIES:
        errors["severity"] = [_("Choose one of: %(values)s.") % {"values": ", ".join(AlertSeverity.values)}]
    indicators = []
    raw_indicators = item.get("indicators") or []
    if not isinstance(raw_indicators, list):
        errors["indicators"] = [_("Enter a list of {kind, value} objects.")]
        raw_indicators = []
    for entry in raw_indicators:
        kind = entry.get("kind") if isinstance(entry, dict) else None
        found = _indicator(kind, entry.get("value")) if kind in _KINDS else None
        if found is None:
            errors.setdefault("indicators", []).append(
                _("Each indicator needs a kind (%(kinds)s) and a value.") % {"kinds": ", ".join(IndicatorKind.values)})
            break
        indicators.append(found)
    return {"source": _text(item.get("source") or source), "source_ref": _text(item.get("source_ref")),
            "title": _text(item.get("title")), "description": _text(item.get("description")),
            "severity": severity, "observed_at": _observed(item.get("observed_at"), errors, "observed_at"),
            "host": _text(item.get("host")), "indicators": indicators}


def wazuh_severity(level) -> str:
    """Wazuh rule levels 0–15: ≤3 informational, 4–6 low, 7–9 medium, 10–12 high, 13–15 critical."""
    level = int(level) if isinstance(level, (int, str)) and str(level).isdigit() else 0
    for top, severity in ((3, AlertSeverity.INFO), (6, AlertSeverity.LOW), (9, AlertSeverity.MEDIUM),
                          (12, AlertSeverity.HIGH)):
        if level <= top:
            return severity
    return AlertSeverity.CRITICAL


def _wazuh(item: dict, source: str, errors: dict) -> dict[str, Any]:
    rule, agent = item.get("rule") or {}, item.get("agent") or {}
    data, syscheck = item.get("data") or {}, item.get("syscheck") or {}
    manager = (item.get("manager") or {}).get("name")
    host = agent.get("ip") if agent.get("ip") not in (None, "", "any") else agent.get("name")
    indicators = [_indicator(IndicatorKind.IP, data.get("srcip")), _indicator(IndicatorKind.IP, data.get("dstip")),
                  _indicator(IndicatorKind.URL, data.get("url")),
                  _indicator(IndicatorKind.FILE_NAME, syscheck.get("path")),
                  _indicator(IndicatorKind.MD5, syscheck.get("md5_after")),
                  _indicator(IndicatorKind.SHA1, syscheck.get("sha1_after")),
                  _indicator(IndicatorKind.SHA256, syscheck.get("sha256_after"))]
    lines = [f"Wazuh rule {_text(rule.get('id'))} (level {_text(rule.get('level'))})"
             + (f": {', '.join(str(g) for g in rule.get('groups') or [])}" if rule.get("groups") else ""),
             f"Agent: {_text(agent.get('name'))} {_text(agent.get('ip'))}".rstrip(),
             _text(item.get("full_log"))]
    return {"source": _text(source or (f"wazuh-{manager}" if manager else "wazuh")),
            "source_ref": _text(item.get("id")), "title": _text(rule.get("description")),
            "description": "\n".join(line for line in lines if line),
            "severity": wazuh_severity(rule.get("level")),
            "observed_at": _observed(item.get("timestamp"), errors, "timestamp"),
            "host": _text(host), "indicators": [i for i in indicators if i]}


def thehive_kind(data_type: str, value: str) -> str | None:
    if data_type == "hash":
        return HASH_KINDS.get(len(value))
    return THEHIVE_TYPES.get(data_type)


def _thehive(item: dict, source: str, errors: dict) -> dict[str, Any]:
    severity = item.get("severity", 2)
    if severity not in THEHIVE_SEVERITY:
        errors["severity"] = [_("TheHive severity is 1 (low), 2 (medium), 3 (high) or 4 (critical).")]
    indicators = []
    for observable in (item.get("observables") or item.get("artifacts") or []):
        data = _text(observable.get("data"), 1000)
        kind = thehive_kind(_text(observable.get("dataType")), data)
        if kind and data:
            indicators.append({"kind": kind, "value": data})
    if not item.get("type"):
        errors["type"] = [_("This field is required.")]
    reference, kind = _text(item.get("sourceRef")), _text(item.get("type"))
    if len(reference) > REF_LENGTH:
        errors["sourceRef"] = [_("At most %(n)s characters.") % {"n": REF_LENGTH}]
    if len(kind) > TYPE_LENGTH:
        errors["type"] = [_("At most %(n)s characters.") % {"n": TYPE_LENGTH}]
    # TheHive keeps one alert per (type, source, sourceRef): two types under one reference are two alerts.
    return {"source": _text(item.get("source")),
            "source_ref": f"{kind}/{reference}" if reference else "",
            "title": _text(item.get("title")), "description": _text(item.get("description")),
            "severity": THEHIVE_SEVERITY.get(severity, AlertSeverity.MEDIUM),
            "observed_at": _observed(item.get("date"), errors, "date"), "host": "", "indicators": indicators}


def rejected_raw(item):
    """What is kept of a rejected item: its JSON value, or text when it was not JSON or is too long."""
    if isinstance(item, BadItem):
        return _storable(item.text[:RAW_LIMIT])
    item = _storable(item)
    try:
        text = json.dumps(item, ensure_ascii=False)
    except ValueError:  # NaN and the like
        text = repr(item)
    return item if len(text) <= RAW_LIMIT else text[:RAW_LIMIT]


def rejected_source(item, source: str = "") -> str:
    """The source an invalid item names (as given), else the one of the request; blank when neither."""
    given = item.get("source") if isinstance(item, dict) else None
    text = given if isinstance(given, str) and given.strip() else source
    return _storable(str(text or "").replace("\x00", "").strip())[:SOURCE_LENGTH]

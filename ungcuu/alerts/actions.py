"""Every state change of alerts: one audited function each, called by web, API, CLI and tasks.

Receiving is built for volume (SPEC §3, issue 6): a batch is normalised in Python, its hosts resolved to
registered systems once per distinct value, and inserted with one INSERT … ON CONFLICT DO NOTHING per
500 rows, committed before the answer. The alert row itself records who sent what and when, so receiving
writes no audit entry (each would queue on the audit chain's head row); grouping writes one per incident
it touches, and people's decisions (move, split, dismiss) one each.
"""

import contextlib
import json
import logging
from collections import defaultdict
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ungcuu.alerts import formats
from ungcuu.alerts.models import (
    SENDER_ROLES,
    SEVERITY_RANK,
    Alert,
    AlertGroup,
    AlertSettings,
    AlertStatus,
    PendingAlert,
    RejectedAlert,
)
from ungcuu.audit.actions import record
from ungcuu.incidents import actions as incident_actions
from ungcuu.incidents.forms import DomainListField, IpListField
from ungcuu.incidents.models import TRIAGE_ROLES, Channel, Incident, IncidentStatus, IndicatorKind
from ungcuu.lib import netaddr
from ungcuu.registry.models import InformationSystem, SystemDomain, SystemNetwork

logger = logging.getLogger(__name__)
MAX_BATCH = 10_000
INSERT_CHUNK = 500
COPY_FROM = 20  # rows from which a PostgreSQL batch goes through COPY
# Grouping looks at this many waiting alerts per pass; a bigger backlog is taken by the next pass.
GROUP_PASS = 20_000
MAX_INLINE_PASSES = 3  # then the task takes over, so a request does not group for others forever
CLOSED_STATUSES = (IncidentStatus.CLOSED, IncidentStatus.REJECTED)
RESOLVED_KINDS = (IndicatorKind.IP, IndicatorKind.DOMAIN)


def require_sender(actor) -> None:
    if actor is None or not actor.has_any_role(*SENDER_ROLES):
        raise PermissionDenied(_("Only an account of the standing office, a team lead or an administrator may "
                                 "send monitoring alerts."))


def require_triage(actor) -> None:
    if actor is None or not actor.has_any_role(*TRIAGE_ROLES):
        raise PermissionDenied(_("Only the standing office or the team leads may triage alerts."))


# Receiving ---------------------------------------------------------------------------------------


class SystemResolver:
    """The registered system of hosts and indicators, as registry.actions.resolve_address finds it (the
    narrowest range holding an address; the longest registered domain a name ends with), for a whole batch
    in two queries instead of one ORM query per distinct value."""

    def __init__(self):
        self.cache: dict[str, int | None] = {}

    def prepare(self, texts) -> None:
        addresses, names = {}, {}
        for text in {(t or "").strip().lower() for t in texts} - self.cache.keys():
            host = netaddr.host_of(text)
            address = netaddr.parse_address(host)
            if address is not None:
                addresses[text] = netaddr.address_key(address)
                continue
            try:
                names[text] = netaddr.domain_suffixes(netaddr.normalize_domain(text))
            except ValidationError:  # neither an address nor a domain name (a bare host name)
                self.cache[text] = None
        if addresses:
            low, high = min(addresses.values()), max(addresses.values())
            networks = [(int(last, 16) - int(first, 16), system_id, first, last) for system_id, first, last in
                        SystemNetwork.objects.filter(first_key__lte=high, last_key__gte=low)
                        .values_list("system_id", "first_key", "last_key")]
            networks.sort()
            for text, key in addresses.items():
                self.cache[text] = next((sid for _w, sid, first, last in networks if first <= key <= last), None)
        if names:
            wanted = {suffix for suffixes in names.values() for suffix in suffixes}
            owners = dict(SystemDomain.objects.filter(domain__in=wanted).values_list("domain", "system_id"))
            for text, suffixes in names.items():  # longest first, as domain_suffixes lists them
                self.cache[text] = next((owners[s] for s in suffixes if s in owners), None)

    def __call__(self, text: str) -> int | None:
        text = (text or "").strip().lower()
        if not text:
            return None
        if text not in self.cache:
            self.prepare([text])
        return self.cache[text]

    def system_of(self, fields: dict) -> int | None:
        found = self(fields["host"])
        for indicator in fields["indicators"]:
            if found is not None:
                break
            if indicator["kind"] in RESOLVED_KINDS:
                found = self(indicator["value"])
        return found

    @staticmethod
    def values_of(fields: dict) -> list[str]:
        """The host, then the address and domain indicators: where the affected system is looked for."""
        return [fields["host"], *(i["value"] for i in fields["indicators"] if i["kind"] in RESOLVED_KINDS)]


def receive_alerts(*, actor, items: list, fmt: str | None = None, source: str = "", group: bool = True) -> list:
    """Store a batch of alerts; one result per item: {"index", "status": created|duplicate|invalid, …}.

    Valid items are stored (and committed) whatever is wrong with the others; an alert already stored
    under the same (source, source_ref) is a duplicate and changes nothing. An invalid item is kept as a
    RejectedAlert with its reasons, in the same transaction, and its result carries "kept_id" (SPEC §3:
    nothing sent is lost). Then groups what arrived.
    """
    require_sender(actor)
    if len(items) > MAX_BATCH:
        raise ValidationError({"__all__": _("At most %(n)s alerts per request.") % {"n": MAX_BATCH}})
    ops = connection.ops
    pg = connection.vendor == "postgresql"
    now = timezone.now()
    received_at = ops.adapt_datetimefield_value(now)
    resolver = SystemResolver()
    results: list[dict] = []
    rows: list[tuple] = []
    seen: set[tuple[str, str]] = set()
    normalised = [formats.normalise(item, fmt=fmt, source=source) for item in items]
    # Hosts first; indicators only of alerts whose host names no registered system.
    resolver.prepare(fields["host"] for fields, _errors in normalised if fields)
    resolver.prepare(value for fields, _errors in normalised if fields and resolver(fields["host"]) is None
                     for value in resolver.values_of(fields)[1:])
    rejected: list[tuple[dict, RejectedAlert]] = []
    for index, (fields, errors) in enumerate(normalised):
        if fields is None:
            result = {"index": index, "status": "invalid", "errors": errors}
            results.append(result)
            item = items[index]
            rejected.append((result, RejectedAlert(
                received_at=now, received_by=actor, source=formats.rejected_source(item, source),
                format=(fmt or formats.detect(item)) if isinstance(item, dict) else "",
                raw=formats.rejected_raw(item), errors=incident_actions._storable(errors))))
            continue
        key = (fields["source"], fields["source_ref"])
        result = {"index": index, "source": key[0], "source_ref": key[1]}
        results.append(result)
        if key in seen:
            result["status"] = "duplicate"
            continue
        seen.add(key)
        observed = fields["observed_at"]
        # The columns of INSERT_COLUMNS, ready for the driver (no model instance: this is the hot path).
        rows.append((
            key[0], key[1], fields["format"], received_at,
            ops.adapt_datetimefield_value(observed) if observed is not None else None, actor.pk,
            fields["title"], fields["description"], fields["severity"], fields["host"], resolver.system_of(fields),
            _json_param(fields["indicators"], pg), _json_param(fields["raw"], pg),
            AlertStatus.NEW, None, "", "",
        ))
    grouped = None
    with transaction.atomic():
        created = _insert(rows) if rows else {}
        _add_pending(created.values())
        if rejected:
            kept = RejectedAlert.objects.bulk_create([row for _result, row in rejected], batch_size=INSERT_CHUNK)
            for (result, _row), row in zip(rejected, kept, strict=True):
                result["kept_id"] = row.pk
        if group and created:
            # The first pass rides in the batch's own transaction (one commit instead of two); a failure
            # there rolls back to the savepoint and leaves the stored alerts waiting.
            try:
                grouped = group_alerts(actor=actor, wait=False)
            except Exception:
                logger.exception("Grouping alerts failed; the alerts are stored and left for a later pass")
    missing = [key for key in seen if key not in created]
    existing = _existing_ids(missing) if missing else {}
    for result in results:
        status = result.get("status")
        if status == "invalid":
            continue
        key = (result["source"], result["source_ref"])
        if status is None and key in created:
            result.update(status="created", id=created[key])
        else:
            result.update(status="duplicate", id=existing.get(key, created.get(key)))
    if group and created:
        group_after_receipt(actor=actor, first_pass_done=grouped is not None)
    return results


INSERT_COLUMNS = ["source", "source_ref", "format", "received_at", "observed_at", "received_by_id", "title",
                  "description", "severity", "host", "system_id", "indicators", "raw", "status", "incident_id",
                  "group_key", "note"]


def _dump_json(value) -> str:
    """JSON text both databases keep: NUL, lone surrogates and NaN (which a JSON body may carry) are made
    storable first, by the intake's own rule; the common case is one json.dumps."""
    text = json.dumps(value)
    if "\\u0000" in text or "\\ud" in text or "NaN" in text or "Infinity" in text:
        text = json.dumps(incident_actions._storable(value))
    return text


def _json_param(value, pg: bool):
    return _dump_json(value)  # text: SQLite's JSON column is text, and PostgreSQL parses it on COPY or cast


def _insert(rows: list[tuple]) -> dict[tuple[str, str], int]:
    """INSERT … ON CONFLICT DO NOTHING RETURNING, committed: {(source, source_ref): id} of the rows inserted.

    On PostgreSQL a batch is first COPied into a temporary table and inserted from there: one statement
    with no parameters to bind, near the speed of COPY itself; small batches and SQLite use VALUES lists."""
    quote = connection.ops.quote_name
    columns = ", ".join(quote(Alert._meta.get_field(name.removesuffix("_id")).column) for name in INSERT_COLUMNS)
    table = quote(Alert._meta.db_table)
    conflict = (f"ON CONFLICT ({quote('source')}, {quote('source_ref')}) DO NOTHING "
                f"RETURNING {quote('id')}, {quote('source')}, {quote('source_ref')}")
    created: dict[tuple[str, str], int] = {}
    with connection.cursor() as cursor:  # inside the caller's transaction
        if connection.vendor == "postgresql" and len(rows) >= COPY_FROM:
            cursor.execute(f"CREATE TEMPORARY TABLE alerts_incoming AS SELECT {columns} FROM {table} WITH NO DATA")
            with cursor.cursor.copy(f"COPY alerts_incoming ({columns}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
            cursor.execute(f"INSERT INTO {table} ({columns}) SELECT {columns} FROM alerts_incoming {conflict}")
            created.update({(source, ref): pk for pk, source, ref in cursor.fetchall()})
            cursor.execute("DROP TABLE alerts_incoming")
            return created
        json_cast = "::jsonb" if connection.vendor == "postgresql" else ""
        one_row = "(" + ", ".join("%s" + json_cast if name in ("indicators", "raw") else "%s"
                                  for name in INSERT_COLUMNS) + ")"
        for start in range(0, len(rows), INSERT_CHUNK):
            chunk = rows[start:start + INSERT_CHUNK]
            cursor.execute(f"INSERT INTO {table} ({columns}) VALUES {', '.join([one_row] * len(chunk))} {conflict}",
                           [value for row in chunk for value in row])
            created.update({(source, ref): pk for pk, source, ref in cursor.fetchall()})
    return created


def _existing_ids(keys) -> dict[tuple[str, str], int]:
    by_source = defaultdict(list)
    for source, ref in keys:
        by_source[source].append(ref)
    found = {}
    for source, refs in by_source.items():
        for start in range(0, len(refs), INSERT_CHUNK):
            found.update({(source, ref): pk for pk, ref in Alert.objects.filter(
                source=source, source_ref__in=refs[start:start + INSERT_CHUNK]).values_list("id", "source_ref")})
    return found


def group_after_receipt(*, actor, first_pass_done: bool = False) -> None:
    """Group what is still waiting once a batch is committed. When another request is grouping (PostgreSQL:
    the lock is taken without waiting), that one sees this batch: it looks again for waiting alerts after
    each pass, and this batch was committed before the lock was tried here. Should grouping fail, the
    `group_alerts` task retries."""
    try:
        for _pass in range(MAX_INLINE_PASSES):
            if first_pass_done:
                first_pass_done = False
            elif group_alerts(actor=actor, wait=False) is None:
                return
            if not PendingAlert.objects.exists():
                return
    except Exception:
        logger.exception("Grouping alerts failed; the alerts are stored and left for the group_alerts task")
    from ungcuu.alerts.tasks import group_alerts_task

    group_alerts_task.enqueue()


# Grouping ----------------------------------------------------------------------------------------


def alert_keys(system_id: int | None, indicators: list) -> list[str]:
    """The grouping key of an alert about a known system; for one whose system is unknown, its indicators."""
    if system_id:
        return [f"system:{system_id}"]
    keys = [f"{indicator['kind']}:{str(indicator['value']).lower()}"[:300] for indicator in indicators or []]
    return list(dict.fromkeys(keys))


def _open_incident(incident: Incident | None, incidents: dict) -> Incident | None:
    """The incident alerts should go to: a merged one's survivor; none when closed or rejected."""
    for _hop in range(5):
        if incident is None or incident.status in CLOSED_STATUSES:
            return None
        if incident.status != IncidentStatus.MERGED:
            return incident
        incident = incidents.get(incident.merged_into_id) or Incident.objects.filter(
            pk=incident.merged_into_id).first()
    return None


def group_alerts(*, actor=None, wait: bool = True) -> dict | None:
    """Put waiting alerts into incidents: the same system (or, with no known system, a shared indicator)
    within the window goes to the same open incident; an alert severe enough with no open incident
    opens one through the intake action. Runs under the settings row's lock, so two batches grouped at
    once never open two incidents for one group; with wait=False, None when another pass holds it.
    Returns {"looked": n, "grouped": n, "opened": n}."""
    with transaction.atomic():
        rules = AlertSettings.objects.select_for_update(skip_locked=not wait).filter(pk=1).first()
        if rules is None:
            if AlertSettings.objects.filter(pk=1).exists():
                return None  # another pass holds the lock
            AlertSettings.current()  # made by the migration; only an emptied database lacks it
            rules = AlertSettings.objects.select_for_update().get(pk=1)
        window = timedelta(minutes=rules.group_window_minutes)
        threshold = SEVERITY_RANK[rules.incident_min_severity]
        waiting = list(PendingAlert.objects.order_by("alert_id").values_list("alert_id", flat=True)[:GROUP_PASS])
        pending = []
        for start in range(0, len(waiting), INSERT_CHUNK):
            pending += Alert.objects.filter(pk__in=waiting[start:start + INSERT_CHUNK]).order_by("id").values_list(
                "id", "received_at", "observed_at", "severity", "system_id", "indicators")
        if not pending:
            return {"looked": 0, "grouped": 0, "opened": 0}
        keys = {row[0]: alert_keys(row[4], row[5]) for row in pending}
        all_keys = {key for values in keys.values() for key in values}
        groups = {g.key: g for g in AlertGroup.objects.filter(key__in=all_keys).select_related("incident").only(
            "key", "last_alert_at", "incident__status", "incident__merged_into_id", "incident__reference")}
        incidents = {g.incident_id: g.incident for g in groups.values()}
        current: dict[str, tuple[Incident, object]] = {}
        for key, group in groups.items():
            incident = _open_incident(group.incident, incidents)
            if incident is not None:
                current[key] = (incident, group.last_alert_at)
        assigned: list[tuple[int, int, str]] = []  # (alert, incident, group key)
        counts: dict[str, int] = defaultdict(int)
        touched: set[int] = set()
        opened = 0
        for pk, received_at, observed_at, severity, _system_id, _indicators in pending:
            when = min(observed_at or received_at, received_at)
            own = keys[pk]
            match = next((key for key in own if key in current and current[key][1] >= when - window), None)
            incident = current[match][0] if match else None
            if incident is None and own and SEVERITY_RANK.get(severity, 0) >= threshold:
                alert = Alert.objects.select_related("received_by__organisation").get(pk=pk)
                try:
                    incident = _incident_from_alert(alert, actor=alert.received_by)
                except ValidationError as exc:
                    logger.warning("Alert %s could not open an incident: %s", pk, exc.messages)
                else:
                    opened += 1
                    match = own[0]
            if incident is None:
                continue
            assigned.append((pk, incident.pk, match))
            counts[incident.reference] += 1
            touched.add(incident.pk)
            for key in own:
                last = current[key][1] if key in current and current[key][0].pk == incident.pk else when
                current[key] = (incident, max(last, when))
        _mark_grouped(assigned)
        _forget_pending(waiting)
        updated = [AlertGroup(key=key, incident=incident, last_alert_at=last) for key, (incident, last)
                   in current.items() if key in all_keys and incident.pk in touched]
        AlertGroup.objects.bulk_create(updated, update_conflicts=True, unique_fields=["key"],
                                       update_fields=["incident", "last_alert_at"], batch_size=INSERT_CHUNK)
        if assigned:
            # One entry per pass (not per alert or incident): the alert rows say which incident each joined.
            record(actor=actor, action="alerts.group", target=rules,
                   summary=_("%(n)s monitoring alert(s) grouped into %(refs)s") % {
                       "n": len(assigned), "refs": ", ".join(sorted(counts))},
                   changes={"incidents": dict(counts), "first": assigned[0][0], "last": assigned[-1][0]})
    return {"looked": len(pending), "grouped": len(assigned), "opened": opened}


def _mark_grouped(assigned: list[tuple[int, int, str]]) -> None:
    """One UPDATE … FROM (VALUES …) per 500 alerts, whatever the number of incidents they go to."""
    quote = connection.ops.quote_name
    table = quote(Alert._meta.db_table)
    for start in range(0, len(assigned), INSERT_CHUNK):
        chunk = assigned[start:start + INSERT_CHUNK]
        values = ", ".join(["(%s, %s, %s)"] * len(chunk))
        with connection.cursor() as cursor:
            cursor.execute(
                f"WITH v(alert_id, incident_id, group_key) AS (VALUES {values}) "
                f"UPDATE {table} SET {quote('incident_id')} = v.incident_id, {quote('group_key')} = v.group_key, "
                f"{quote('status')} = %s FROM v WHERE {table}.{quote('id')} = v.alert_id",
                [value for row in chunk for value in row] + [AlertStatus.GROUPED])


def _forget_pending(ids) -> None:
    ids = list(ids)
    for start in range(0, len(ids), INSERT_CHUNK):
        PendingAlert.objects.filter(alert_id__in=ids[start:start + INSERT_CHUNK]).delete()


def _add_pending(ids) -> None:
    """One multi-row INSERT per 500 alerts (no model instances: this is on the receipt path)."""
    ids = list(ids)
    table = connection.ops.quote_name(PendingAlert._meta.db_table)
    with connection.cursor() as cursor:
        for start in range(0, len(ids), INSERT_CHUNK):
            chunk = ids[start:start + INSERT_CHUNK]
            cursor.execute(f"INSERT INTO {table} (alert_id) VALUES {', '.join(['(%s)'] * len(chunk))}", chunk)


def _valid_list(field_class, values) -> list[str]:
    kept = []
    for value in values:
        with contextlib.suppress(ValidationError):
            kept += field_class(required=False).clean([value])
    return kept


def incident_payload(alert: Alert, actor, system: InformationSystem | None) -> dict:
    """Biểu mẫu 03 filled from an alert, for the intake action (the same validation as the form)."""
    organisation = getattr(actor, "organisation", None)
    email = (getattr(actor, "email", "") or getattr(organisation, "email", "") or settings.DEFAULT_FROM_EMAIL)
    phone = getattr(organisation, "phone", "") or "—"
    now = timezone.localtime()
    detected = timezone.localtime(min(alert.observed_at or alert.received_at, timezone.now()))
    ips = [i["value"] for i in alert.indicators if i["kind"] == IndicatorKind.IP]
    domains = [i["value"] for i in alert.indicators if i["kind"] == IndicatorKind.DOMAIN]
    if netaddr.parse_address(alert.host or ""):
        ips.insert(0, alert.host)
    elif alert.host:
        domains.insert(0, alert.host)
    lines = [alert.title, "", alert.description, "",
             _("Monitoring alert %(source)s / %(ref)s, severity %(severity)s, host %(host)s.") % {
                 "source": alert.source, "ref": alert.source_ref, "severity": alert.get_severity_display(),
                 "host": alert.host or "—"}]
    payload = {
        "reporter_name": _("Monitoring: %(source)s") % {"source": alert.source},
        "reporter_address": getattr(organisation, "address", "") or getattr(organisation, "name", "") or "—",
        "reporter_phone": phone, "reporter_email": email,
        "contact_name": (actor.get_full_name() or actor.get_username()) if actor else alert.source,
        "contact_phone": phone, "contact_email": email,
        "operator_name": system.operator.name if system else _("Not known (host %(host)s)") % {
            "host": alert.host or "—"},
        "description": "\n".join(lines).strip(),
        "detected_at": detected.strftime("%Y-%m-%dT%H:%M"),
        "handling_status": "not_handled",
        "detection_method": "ids",
        # The monitoring source has told the provincial team, the network member responsible.
        "notified_parties": ["network_member"],
        "ip_addresses": _valid_list(IpListField, ips[:20]),
        "domains": _valid_list(DomainListField, domains[:20]),
        "reported_at": now.strftime("%Y-%m-%dT%H:%M"),
    }
    if system is not None:
        payload.update(system=system.pk, system_name=system.name, system_level=system.level,
                       owner_name=system.owner.name)
    return payload


def _incident_from_alert(alert: Alert, *, actor) -> Incident:
    """A new incident from an alert, through the same intake action as the report form."""
    system = None
    if alert.system_id:
        visible = InformationSystem.objects.visible_to(actor) if actor is not None else InformationSystem.objects
        system = visible.select_related("owner", "operator").filter(pk=alert.system_id).first()
    submission = incident_actions.receive_submission(
        channel=Channel.MONITORING, payload=incident_payload(alert, actor, system), user=actor)
    return incident_actions.submit_report(submission=submission, actor=actor)


# People's decisions ------------------------------------------------------------------------------


def _locked(alerts) -> list[Alert]:
    ids = [a.pk for a in alerts]
    if not ids:
        raise ValidationError({"alerts": _("Choose at least one alert.")})
    return list(Alert.objects.select_for_update().filter(pk__in=ids).order_by("id"))


def move_alerts(*, actor, alerts, incident: Incident) -> int:
    """Put alerts into an incident (from the queue, or out of another incident): one incident per alert."""
    require_triage(actor)
    if incident.status == IncidentStatus.MERGED:
        raise ValidationError({"incident": _("This incident was merged; choose the incident it was merged into.")})
    with transaction.atomic():
        rows = _locked(alerts)
        moved = {a.pk: a.incident.reference if a.incident_id else None for a in rows if a.incident_id != incident.pk}
        Alert.objects.filter(pk__in=list(moved)).update(incident=incident, status=AlertStatus.GROUPED)
        _forget_pending(moved)
        record(actor=actor, action="alerts.move", target=incident,
               summary=_("%(n)s alert(s) moved into the incident") % {"n": len(moved)},
               changes={"alerts": sorted(moved), "from": sorted({ref for ref in moved.values() if ref})})
    return len(moved)


def split_alert(*, actor, alert: Alert) -> Incident:
    """Take an alert out of its incident (or the queue) into a new incident of its own."""
    require_triage(actor)
    with transaction.atomic():
        alert = _locked([alert])[0]
        if alert.status == AlertStatus.DISMISSED:
            raise ValidationError({"alert": _("This alert was dismissed.")})
        before = alert.incident.reference if alert.incident_id else None
        incident = _incident_from_alert(alert, actor=actor)
        Alert.objects.filter(pk=alert.pk).update(incident=incident, status=AlertStatus.GROUPED, group_key="")
        _forget_pending([alert.pk])
        record(actor=actor, action="alerts.split", target=alert,
               summary=_("Alert taken into a new incident %(ref)s") % {"ref": incident.reference},
               changes={"incident": [before, incident.reference]})
    return incident


def dismiss_alerts(*, actor, alerts, reason: str) -> int:
    """Set aside alerts of the queue that need no incident (false positive, test, noise), with the reason."""
    require_triage(actor)
    if not reason.strip():
        raise ValidationError({"reason": _("Say why the alerts are dismissed.")})
    with transaction.atomic():
        rows = [a for a in _locked(alerts) if a.status == AlertStatus.NEW]
        if not rows:
            raise ValidationError({"alerts": _("Only new alerts, not yet in an incident, can be dismissed.")})
        Alert.objects.filter(pk__in=[a.pk for a in rows]).update(status=AlertStatus.DISMISSED, note=reason.strip())
        _forget_pending([a.pk for a in rows])
        record(actor=actor, action="alerts.dismiss", target=rows[0],
               summary=_("%(n)s alert(s) dismissed: %(reason)s") % {"n": len(rows), "reason": reason.strip()},
               changes={"alerts": [a.pk for a in rows]})
    return len(rows)


def update_alert_settings(*, actor, group_window_minutes: int, incident_min_severity: str) -> AlertSettings:
    """The administrator sets the grouping window and the severity that opens an incident."""
    if actor is None or not actor.has_any_role("administrator"):
        raise PermissionDenied(_("Only an administrator may change how alerts are grouped."))
    errors = {}
    if not isinstance(group_window_minutes, int) or not 1 <= group_window_minutes <= 7 * 24 * 60:
        errors["group_window_minutes"] = _("Enter a number of minutes between 1 and 10080 (a week).")
    if incident_min_severity not in SEVERITY_RANK:
        errors["incident_min_severity"] = _("Choose a severity.")
    if errors:
        raise ValidationError(errors)
    AlertSettings.current()
    with transaction.atomic():
        rules = AlertSettings.objects.select_for_update().get(pk=1)
        before = {"group_window_minutes": rules.group_window_minutes,
                  "incident_min_severity": rules.incident_min_severity}
        rules.group_window_minutes = group_window_minutes
        rules.incident_min_severity = incident_min_severity
        rules.save()
        record(actor=actor, action="alerts.settings", target=rules, summary=_("Changed how alerts are grouped"),
               changes={key: [value, getattr(rules, key)] for key, value in before.items()})
    return rules

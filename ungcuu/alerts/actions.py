"""Every state change of alerts: one audited function each, called by web, API, CLI and tasks.

Receiving is built for volume (SPEC §3, issue 6): a batch is normalised in Python and its hosts resolved
to registered systems once per distinct value, before any lock; then, under the grouping lock, each new
alert's incident is decided and the rows are written once, with it (on PostgreSQL one COPY straight into
the table), and committed before the answer. The alert row itself records who sent what and when, so
receiving writes no audit entry per alert (each would queue on the audit chain's head row); grouping
writes one per pass, and people's decisions (move, split, dismiss) one each.
"""

import contextlib
import datetime
import functools
import json
import logging
from collections import defaultdict
from dataclasses import dataclass
from datetime import timedelta

import orjson
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import DatabaseError, IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.dateparse import parse_datetime
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
CLOSED_STATUSES = (IncidentStatus.CLOSED, IncidentStatus.REJECTED)
RESOLVED_KINDS = (IndicatorKind.IP, IndicatorKind.DOMAIN)


def require_sender(actor, roles: frozenset[str] | None = None) -> None:
    """`roles`: the sender's roles, when only its id is at hand (the lean path of alerts/intake.py)."""
    if roles is None:
        roles = getattr(actor, "role_set", None) or frozenset()
    if not roles.intersection(SENDER_ROLES):
        raise PermissionDenied(_("Only an account of the standing office, a team lead or an administrator may "
                                 "send monitoring alerts."))


def require_triage(actor) -> None:
    if actor is None or not actor.has_any_role(*TRIAGE_ROLES):
        raise PermissionDenied(_("Only the standing office or the team leads may triage alerts."))


# Receiving ---------------------------------------------------------------------------------------


def _rows(model, columns: list[str], where: str, params: list) -> list[tuple]:
    """SELECT columns FROM model's table WHERE … as plain tuples. The receipt path runs a dozen queries per
    transaction, and building each through the ORM cost more CPU than the database spent on it;
    `where` names columns as {field_name}."""
    quote = connection.ops.quote_name
    names = {name: quote(model._meta.get_field(name.removesuffix("_id")).column) for name in columns}
    names.update({f.name: quote(f.column) for f in model._meta.concrete_fields if f.name not in names})
    sql = (f"SELECT {', '.join(names[c] for c in columns)} FROM {quote(model._meta.db_table)} "
           f"WHERE {where.format(**names)}")
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def _aware(value):
    """A datetime read by `_rows`: SQLite gives text or a naive UTC value, PostgreSQL an aware one."""
    if isinstance(value, str):
        value = parse_datetime(value)
    if value is not None and timezone.is_naive(value):
        value = timezone.make_aware(value, datetime.UTC)
    return value


@functools.lru_cache(maxsize=50_000)
def _host_key(text: str) -> tuple[str, object]:
    """("address", its sortable key) or ("names", the domains it may be registered under), or ("", None)
    for text that is neither (a bare host name). Pure, and the same hosts come back in every batch, so it
    is kept: parsing was most of the time spent finding the systems of a batch."""
    host = netaddr.host_of(text)
    address = netaddr.parse_address(host)
    if address is not None:
        return "address", netaddr.address_key(address)
    try:
        return "names", tuple(netaddr.domain_suffixes(netaddr.normalize_domain(text)))
    except ValidationError:
        return "", None


class SystemResolver:
    """The registered system of hosts and indicators, as registry.actions.resolve_address finds it (the
    narrowest range holding an address; the longest registered domain a name ends with), for a whole batch
    in two queries instead of one ORM query per distinct value."""

    def __init__(self):
        self.cache: dict[str, int | None] = {}

    def prepare(self, texts) -> None:
        addresses, names = {}, {}
        for text in {(t or "").strip().lower() for t in texts} - self.cache.keys():
            kind, value = _host_key(text)
            if kind == "address":
                addresses[text] = value
            elif kind == "names":
                names[text] = value
            else:
                self.cache[text] = None
        if addresses:
            low, high = min(addresses.values()), max(addresses.values())
            networks = [(int(last, 16) - int(first, 16), system_id, first, last) for system_id, first, last in
                        _rows(SystemNetwork, ["system_id", "first_key", "last_key"],
                              "{first_key} <= %s AND {last_key} >= %s", [high, low])]
            networks.sort()
            for text, key in addresses.items():
                self.cache[text] = next((sid for _w, sid, first, last in networks if first <= key <= last), None)
        if names:
            wanted = {suffix for suffixes in names.values() for suffix in suffixes}
            owners = {}
            wanted = sorted(wanted)
            for start in range(0, len(wanted), INSERT_CHUNK):
                chunk = wanted[start:start + INSERT_CHUNK]
                owners.update(_rows(SystemDomain, ["domain", "system_id"],
                                    f"{{domain}} IN ({', '.join(['%s'] * len(chunk))})", chunk))
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


@dataclass
class AlertBatch:
    """One request's alerts, normalised but not yet stored: what `store_batches` writes, alone or together
    with other requests' batches (alerts/intake.py commits concurrent requests in one transaction)."""

    actor_id: int
    items: list  # as received: an invalid item is kept from here
    normalised: list  # (fields or None, errors) per item
    fmt: str | None = None
    source: str = ""
    actor: object = None  # the sender's User, when the caller has it already


def normalise_batch(*, actor, items: list, fmt: str | None = None, source: str = "", roles=None) -> AlertBatch:
    """Check the sender and read each item (no database work): the part of receiving a request does itself.
    `actor` is the sender's User, or only its id with its `roles` (the lean path of alerts/intake.py)."""
    require_sender(actor, roles)
    if len(items) > MAX_BATCH:
        raise ValidationError({"__all__": _("At most %(n)s alerts per request.") % {"n": MAX_BATCH}})
    user = actor if roles is None else None
    return AlertBatch(actor_id=user.pk if user else actor, actor=user, items=items, fmt=fmt, source=source,
                      normalised=[formats.normalise(item, fmt=fmt, source=source) for item in items])


def receive_alerts(*, actor, items: list, fmt: str | None = None, source: str = "", group: bool = True) -> list:
    """Store a batch of alerts; one result per item: {"index", "status": created|duplicate|invalid, …}.

    Valid items are stored (and committed) whatever is wrong with the others; an alert already stored
    under the same (source, source_ref) is a duplicate and changes nothing. An invalid item is kept as a
    RejectedAlert with its reasons, in the same transaction, and its result carries "kept_id" (SPEC §3:
    nothing sent is lost). Each new alert is grouped as it is stored (see `store_batches`).
    """
    return store_batches([normalise_batch(actor=actor, items=items, fmt=fmt, source=source)], group=group)[0]


def store_batches(batches: list[AlertBatch], *, group: bool = True, defer_below: int = 0) -> list[list[dict]]:
    """Store and group several requests' batches in one transaction; the results of each batch, in order.

    Under the grouping lock (the settings row), so what is already stored is known exactly: duplicates
    write nothing, and each new alert's incident is decided *before* its row is written, which is then
    written once with it (no second write of every row). Should deciding fail, the alerts are stored
    waiting (PendingAlert) and the `group_alerts` task groups them after the commit. With group=False
    they are stored waiting too.

    With fewer than `defer_below` alerts in all (the writer of alerts/intake.py, one alert per request),
    they are stored waiting without the lock and the caller groups them soon after with `group_alerts`,
    many at a time: deciding costs a dozen queries and an audit entry per transaction, which a single
    alert cannot pay for.
    """
    now = timezone.now()
    ops = connection.ops
    received_at = ops.adapt_datetimefield_value(now)
    resolver = SystemResolver()
    valid = [fields for batch in batches for fields, _errors in batch.normalised if fields]
    # Hosts and indicators in one go: two queries (networks, domains), whatever the batch.
    resolver.prepare(value for fields in valid for value in resolver.values_of(fields))
    all_results: list[list[dict]] = []
    new: list[tuple[dict, AlertBatch, dict]] = []  # (fields, batch, result) of each first sighting of a key
    rejected: list[tuple[dict, RejectedAlert]] = []
    seen: set[tuple[str, str]] = set()
    for batch in batches:
        results: list[dict] = []
        all_results.append(results)
        for index, (fields, errors) in enumerate(batch.normalised):
            if fields is None:
                result = {"index": index, "status": "invalid", "errors": errors}
                results.append(result)
                item = batch.items[index]
                rejected.append((result, RejectedAlert(
                    received_at=now, received_by_id=batch.actor_id,
                    source=formats.rejected_source(item, batch.source),
                    format=(batch.fmt or formats.detect(item)) if isinstance(item, dict) else "",
                    raw=formats.rejected_raw(item), errors=incident_actions._storable(errors))))
                continue
            key = (fields["source"], fields["source_ref"])
            result = {"index": index, "source": key[0], "source_ref": key[1]}
            results.append(result)
            if key in seen:
                result["status"] = "duplicate"
                continue
            seen.add(key)
            fields["system_id"] = resolver.system_of(fields)
            observed = fields["observed_at"]
            # The columns of INSERT_COLUMNS but the grouping's three, ready for the driver, made before the
            # lock is taken (no model instance: this is the hot path).
            fields["row"] = (
                key[0], key[1], fields["format"], received_at,
                ops.adapt_datetimefield_value(observed) if observed is not None else None, batch.actor_id,
                fields["title"], fields["description"], fields["severity"], fields["host"], fields["system_id"],
                _dump_json(fields["indicators"]), _dump_json(fields["raw"]))
            new.append((fields, batch, result))
    actors = _Senders(batches)
    deferred = len(new) < defer_below

    def write(existing: dict, may_open: bool):
        """Decide the groups of the alerts not in `existing` and write them: (fresh, placement, waiting,
        created). With may_open=False, raises _WouldOpen instead of opening an incident."""
        fresh = [entry for entry in new if (entry[0]["source"], entry[0]["source_ref"]) not in existing]
        placement, waiting = None, bool(fresh) and (deferred or not group)
        if group and fresh and not deferred:
            try:
                with transaction.atomic():  # a savepoint: a database error here must not abort the batch
                    placement = _place_new(fresh, rules, now, actors, may_open=may_open)
            except _WouldOpen:
                raise
            except Exception:
                logger.exception("Grouping alerts failed; they are stored waiting for the group_alerts task")
                placement, waiting = None, True
        assigned = placement.assigned if placement else {}
        rows = []
        for position, (fields, _batch, _result) in enumerate(fresh):
            incident_id, group_key = assigned.get(position, (None, ""))
            rows.append((*fields["row"], AlertStatus.GROUPED if incident_id else AlertStatus.NEW, incident_id,
                         group_key, ""))
        # A deferred round did not look for duplicates: ON CONFLICT skips them.
        return fresh, placement, waiting, (_insert(rows, locked=not deferred) if rows else {})

    keys = [(f["source"], f["source_ref"]) for f, _b, _r in new]
    with transaction.atomic():
        # Every write of alerts holds the lock, a deferred round too: so a batch that found no duplicate
        # under it can COPY without meeting a row written meanwhile.
        rules = _lock_rules(wait=True) if new else None
        existing = {}
        if (rules is not None and not deferred and connection.vendor == "postgresql" and len(new) >= COPY_FROM
                and not _existing_ids([keys[0], keys[-1]])):
            # Most batches repeat nothing: write them straight away (COPY refuses a row already stored) and
            # look for duplicates only when that fails, or when an incident would be opened (not to open
            # one that a duplicate then rolls back). A batch sent again is recognised by its first or last
            # alert, before trying.
            try:
                with transaction.atomic():
                    fresh, placement, waiting, created = write(existing, may_open=False)
            except (_WouldOpen, IntegrityError):
                existing = _existing_ids(keys)
                fresh, placement, waiting, created = write(existing, may_open=True)
        else:
            existing = _existing_ids(keys) if rules is not None and not deferred else {}
            fresh, placement, waiting, created = write(existing, may_open=True)
        if waiting and created:
            _add_pending(created.values())
            if not deferred:
                from ungcuu.alerts.tasks import group_alerts_task

                transaction.on_commit(group_alerts_task.enqueue, robust=True)  # the worker's pass catches up
        if placement and placement.assigned:
            placement.save_groups()
            ids = [created[key] for key in ((f["source"], f["source_ref"]) for f, _b, _r in fresh) if key in created]
            placement.audit(rules, actors.one(), first=min(ids, default=None), last=max(ids, default=None))
        if rejected:
            kept = RejectedAlert.objects.bulk_create([row for _result, row in rejected], batch_size=INSERT_CHUNK)
            for (result, _row), row in zip(rejected, kept, strict=True):
                result["kept_id"] = row.pk
    for _fields, _batch, result in new:
        key = (result["source"], result["source_ref"])
        if key in created:
            result.update(status="created", id=created[key])
        else:
            result.update(status="duplicate", id=existing.get(key))
    missing = [(r["source"], r["source_ref"]) for results in all_results for r in results
               if r.get("status") == "duplicate" and r.get("id") is None]
    try:  # committed already: a failure here must not turn into an error (and a resend) for stored alerts
        found = _existing_ids(missing) if missing else {}
    except DatabaseError:
        logger.exception("Could not look up the ids of duplicate alerts; answered without them")
        found = {}
    for results in all_results:
        for result in results:
            if result.get("status") == "duplicate" and result.get("id") is None:
                result["id"] = found.get((result["source"], result["source_ref"]), existing.get(
                    (result["source"], result["source_ref"])))
    return all_results


class _Senders:
    """The senders' accounts, loaded only when needed (opening an incident, naming who grouped)."""

    def __init__(self, batches: list[AlertBatch]):
        self.users = {b.actor_id: b.actor for b in batches if b.actor is not None}
        self.ids = {b.actor_id for b in batches}

    def get(self, user_id: int):
        if user_id not in self.users:
            from ungcuu.accounts.models import User

            self.users[user_id] = User.objects.select_related("organisation").filter(pk=user_id).first()
        return self.users[user_id]

    def one(self):
        """The sender, when all the alerts are from one account; None (the system) for a mix."""
        return self.get(next(iter(self.ids))) if len(self.ids) == 1 else None


def _lock_rules(*, wait: bool) -> AlertSettings | None:
    """The settings row, locked: grouping (and storing, which decides the grouping) runs one at a time."""
    lock = "FOR UPDATE" if wait else "FOR UPDATE SKIP LOCKED"
    rows = _rows(AlertSettings, ["group_window_minutes", "incident_min_severity"],
                 "{id} = 1 " + (lock if connection.features.has_select_for_update else ""), [])
    rules = AlertSettings(pk=1, group_window_minutes=rows[0][0], incident_min_severity=rows[0][1]) if rows else None
    if rules is None:
        if AlertSettings.objects.filter(pk=1).exists():
            return None  # another pass holds the lock
        AlertSettings.current()  # made by the migration; only an emptied database lacks it
        rules = AlertSettings.objects.select_for_update().get(pk=1)
    return rules


class _WouldOpen(Exception):
    """Deciding the groups would open an incident (see store_batches: not on a first, optimistic try)."""


def _place_new(fresh, rules: AlertSettings, now, actors: _Senders, may_open: bool = True) -> "_Placement":
    """Decide the incident of each new alert (position in `fresh`), opening incidents where needed."""
    placement = _Placement({pos: alert_keys(f["system_id"], f["indicators"]) for pos, (f, _b, _r) in enumerate(fresh)},
                           rules)

    def opener(position):
        if not may_open:
            raise _WouldOpen
        fields, batch, _result = fresh[position]
        alert = Alert(**{name: fields[name] for name in ("source", "source_ref", "format", "title", "description",
                                                        "severity", "host", "indicators", "observed_at")},
                      system_id=fields["system_id"], received_at=now, received_by_id=batch.actor_id)
        with transaction.atomic():  # a savepoint: an incident that fails half-way leaves nothing behind
            return _incident_from_alert(alert, actor=actors.get(batch.actor_id))

    for position, (fields, _batch, _result) in enumerate(fresh):
        placement.place(position, now, fields["observed_at"], fields["severity"], opener)
    return placement


class _Placement:
    """Which open incident alerts go to, alert by alert: the same system (or, with no known system, a
    shared indicator) within the window goes to the incident its group last went to; an alert severe
    enough with no such incident opens one through the intake action. Used under the settings lock."""

    def __init__(self, keys: dict, rules: AlertSettings):
        self.keys = keys
        self.window = timedelta(minutes=rules.group_window_minutes)
        self.threshold = SEVERITY_RANK[rules.incident_min_severity]
        self.all_keys = {key for values in keys.values() for key in values}
        groups, incidents = {}, {}
        keys_sorted = sorted(self.all_keys)
        for start in range(0, len(keys_sorted), INSERT_CHUNK):
            chunk = keys_sorted[start:start + INSERT_CHUNK]
            for key, last_alert_at, incident_id in _rows(AlertGroup, ["key", "last_alert_at", "incident_id"],
                                                         f"{{key}} IN ({', '.join(['%s'] * len(chunk))})", chunk):
                groups[key] = (incident_id, _aware(last_alert_at))
        if groups:
            ids = sorted({incident_id for incident_id, _last in groups.values()})
            incidents = {row[0]: Incident(pk=row[0], status=row[1], merged_into_id=row[2], reference=row[3])
                         for row in _rows(Incident, ["id", "status", "merged_into_id", "reference"],
                                          f"{{id}} IN ({', '.join(['%s'] * len(ids))})", ids)}
        self.current: dict[str, tuple[Incident, object]] = {}
        for key, (incident_id, last_alert_at) in groups.items():
            incident = _open_incident(incidents.get(incident_id), incidents)
            if incident is not None:
                self.current[key] = (incident, last_alert_at)
        self.assigned: dict = {}  # item → (incident id, group key)
        self.counts: dict[str, int] = defaultdict(int)
        self.touched: set[int] = set()
        self.opened = 0

    def place(self, item, received_at, observed_at, severity, opener) -> None:
        when = min(observed_at or received_at, received_at)
        own = self.keys[item]
        current = self.current
        since = when - self.window
        match = None
        for key in own:
            found = current.get(key)
            if found is not None and found[1] >= since:
                match = key
                break
        incident = current[match][0] if match else None
        if incident is None and own and SEVERITY_RANK.get(severity, 0) >= self.threshold:
            try:
                incident = opener(item)
            except ValidationError as exc:
                logger.warning("Alert %s could not open an incident: %s", item, exc.messages)
            else:
                self.opened += 1
                match = own[0]
        if incident is None:
            return
        self.assigned[item] = (incident.pk, match)
        self.counts[incident.reference] += 1
        self.touched.add(incident.pk)
        for key in own:
            found = current.get(key)
            last = found[1] if found is not None and found[0].pk == incident.pk and found[1] > when else when
            current[key] = (incident, last)

    def save_groups(self) -> None:
        updated = [AlertGroup(key=key, incident=incident, last_alert_at=last) for key, (incident, last)
                   in self.current.items() if key in self.all_keys and incident.pk in self.touched]
        AlertGroup.objects.bulk_create(updated, update_conflicts=True, unique_fields=["key"],
                                       update_fields=["incident", "last_alert_at"], batch_size=INSERT_CHUNK)

    def audit(self, rules: AlertSettings, actor, first, last) -> None:
        # One entry per pass (not per alert or incident): the alert rows say which incident each joined.
        record(actor=actor, action="alerts.group", target=rules,
               summary=_("%(n)s monitoring alert(s) grouped into %(refs)s") % {
                   "n": len(self.assigned), "refs": ", ".join(sorted(self.counts))},
               changes={"incidents": dict(self.counts), "first": first, "last": last})


INSERT_COLUMNS = ["source", "source_ref", "format", "received_at", "observed_at", "received_by_id", "title",
                  "description", "severity", "host", "system_id", "indicators", "raw", "status", "incident_id",
                  "group_key", "note"]


def _dump_json(value) -> str:
    """JSON text both databases keep: NUL and lone surrogates (which a JSON body may carry) are made
    storable first, by the intake's own rule. Values come from `formats.loads`, which leaves no NaN or
    infinity (orjson would write them as null). Text: SQLite's JSON column is text, and PostgreSQL parses
    it on COPY or cast."""
    try:
        text = orjson.dumps(value).decode()
    except TypeError:  # a lone surrogate, or a key that is not text
        return json.dumps(incident_actions._storable(value))
    if "\\u0000" in text:
        text = json.dumps(incident_actions._storable(value))
    return text


def _insert(rows: list[tuple], locked: bool) -> dict[tuple[str, str], int]:
    """Write the rows in the caller's transaction: {(source, source_ref): id} of the rows inserted.

    Under the grouping lock (`locked`), with the duplicates set aside, no row conflicts: on PostgreSQL a
    batch then takes its ids from the sequence in one query and is COPied straight into the table, at
    the speed of COPY itself. Otherwise, and on SQLite, INSERT … VALUES … ON CONFLICT DO NOTHING
    RETURNING, which skips a duplicate stored meanwhile."""
    quote = connection.ops.quote_name
    names = [quote(Alert._meta.get_field(name.removesuffix("_id")).column) for name in INSERT_COLUMNS]
    table = quote(Alert._meta.db_table)
    created: dict[tuple[str, str], int] = {}
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql" and locked and len(rows) >= COPY_FROM:
            cursor.execute("SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
                           [Alert._meta.db_table, len(rows)])
            ids = [row[0] for row in cursor.fetchall()]
            with connection.wrap_database_errors, cursor.cursor.copy(  # psycopg's errors as Django's
                    f"COPY {table} (id, {', '.join(names)}) FROM STDIN") as copy:
                for pk, row in zip(ids, rows, strict=True):
                    copy.write_row((pk, *row))
            return {(row[0], row[1]): pk for pk, row in zip(ids, rows, strict=True)}
        json_cast = "::jsonb" if connection.vendor == "postgresql" else ""
        one_row = "(" + ", ".join("%s" + json_cast if name in ("indicators", "raw") else "%s"
                                  for name in INSERT_COLUMNS) + ")"
        conflict = (f"ON CONFLICT ({quote('source')}, {quote('source_ref')}) DO NOTHING "
                    f"RETURNING {quote('id')}, {quote('source')}, {quote('source_ref')}")
        for start in range(0, len(rows), INSERT_CHUNK):
            chunk = rows[start:start + INSERT_CHUNK]
            cursor.execute(f"INSERT INTO {table} ({', '.join(names)}) VALUES {', '.join([one_row] * len(chunk))} "
                           f"{conflict}", [value for row in chunk for value in row])
            created.update({(source, ref): pk for pk, source, ref in cursor.fetchall()})
    return created


def _existing_ids(keys) -> dict[tuple[str, str], int]:
    """{(source, source_ref): id} of the keys already stored: one query per source (per 500 on SQLite)."""
    by_source = defaultdict(list)
    for source, ref in keys:
        by_source[source].append(ref)
    quote = connection.ops.quote_name
    select = (f"SELECT {quote('id')}, {quote('source_ref')} FROM {quote(Alert._meta.db_table)} "
              f"WHERE {quote('source')} = %s")
    found = {}
    with connection.cursor() as cursor:
        for source, refs in by_source.items():
            if connection.vendor == "postgresql":
                cursor.execute(f"{select} AND {quote('source_ref')} = ANY(%s)", [source, refs])
                found.update({(source, ref): pk for pk, ref in cursor.fetchall()})
                continue
            for start in range(0, len(refs), INSERT_CHUNK):
                chunk = refs[start:start + INSERT_CHUNK]
                cursor.execute(f"{select} AND {quote('source_ref')} IN ({', '.join(['%s'] * len(chunk))})",
                               [source, *chunk])
                found.update({(source, ref): pk for pk, ref in cursor.fetchall()})
    return found


# Grouping what waits -----------------------------------------------------------------------------


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
    """Group alerts stored waiting (PendingAlert: stored with group=False, or when deciding failed), by the
    same rules as on receipt. Runs under the settings row's lock; with wait=False, None when another pass
    holds it. Returns {"looked": n, "grouped": n, "opened": n}."""
    with transaction.atomic():
        rules = _lock_rules(wait=wait)
        if rules is None:
            return None
        waiting = list(PendingAlert.objects.order_by("alert_id").values_list("alert_id", flat=True)[:GROUP_PASS])
        pending = []
        for start in range(0, len(waiting), INSERT_CHUNK):
            pending += Alert.objects.filter(pk__in=waiting[start:start + INSERT_CHUNK]).order_by("id").values_list(
                "id", "received_at", "observed_at", "severity", "system_id", "indicators")
        if not pending:
            _forget_pending(waiting)
            return {"looked": 0, "grouped": 0, "opened": 0}
        placement = _Placement({row[0]: alert_keys(row[4], row[5]) for row in pending}, rules)

        def opener(pk):
            alert = Alert.objects.select_related("received_by__organisation").get(pk=pk)
            return _incident_from_alert(alert, actor=alert.received_by)

        for pk, received_at, observed_at, severity, _system_id, _indicators in pending:
            placement.place(pk, received_at, observed_at, severity, opener)
        _mark_grouped([(pk, incident_id, key) for pk, (incident_id, key) in placement.assigned.items()])
        _forget_pending(waiting)
        if placement.assigned:
            placement.save_groups()
            placement.audit(rules, actor, first=min(placement.assigned), last=max(placement.assigned))
    return {"looked": len(pending), "grouped": len(placement.assigned), "opened": placement.opened}


def group_all_waiting(*, actor=None) -> dict:
    """Pass after pass until nothing waits (the task, the worker's safety net, `ungcuu group_alerts`):
    the totals {"looked", "grouped", "opened"}."""
    totals = {"looked": 0, "grouped": 0, "opened": 0}
    while True:
        result = group_alerts(actor=actor)
        for key, value in result.items():
            totals[key] += value
        if not result["looked"]:
            return totals


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
    """Put alerts into an incident (from the queue, or out of another incident): one incident per alert.

    When this takes away the last alerts a group had in its incident, the group follows them: later alerts
    about the same system (or indicator) go to this incident too, not back to the one they were moved out
    of. Moving only some of a group's alerts leaves the group where it was."""
    require_triage(actor)
    if incident.status == IncidentStatus.MERGED:
        raise ValidationError({"incident": _("This incident was merged; choose the incident it was merged into.")})
    with transaction.atomic():
        _lock_rules(wait=True)  # groups change here: not while a batch is being grouped
        rows = _locked(alerts)
        moved = {a.pk: a.incident.reference if a.incident_id else None for a in rows if a.incident_id != incident.pk}
        Alert.objects.filter(pk__in=list(moved)).update(incident=incident, status=AlertStatus.GROUPED)
        _forget_pending(moved)
        followed = []
        keys = {a.group_key for a in rows if a.pk in moved and a.group_key}
        for group in AlertGroup.objects.filter(key__in=keys).exclude(incident=incident).order_by("key"):
            if not Alert.objects.filter(incident_id=group.incident_id, group_key=group.key).exists():
                AlertGroup.objects.filter(pk=group.pk).update(incident=incident)
                followed.append(group.key)
        record(actor=actor, action="alerts.move", target=incident,
               summary=_("%(n)s alert(s) moved into the incident") % {"n": len(moved)},
               changes={"alerts": sorted(moved), "from": sorted({ref for ref in moved.values() if ref}),
                        "groups": followed})
    return len(moved)


def split_alert(*, actor, alert: Alert) -> Incident:
    """Take an alert out of its incident (or the queue) into a new incident of its own."""
    require_triage(actor)
    with transaction.atomic():
        _lock_rules(wait=True)  # not while a grouping pass decides this alert
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
        _lock_rules(wait=True)  # not while a grouping pass decides these alerts
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

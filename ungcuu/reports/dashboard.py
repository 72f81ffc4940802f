"""The dashboard's figures: each one query, over the last 12 months where the figure is a history.

Response times run from the incident's creation (`created_at`, when the report was received) to:
acknowledge — its first move out of "receive and verify"; contain — its first entry into "contain";
recover — `response_ended_at`. Median and 90th percentile are the continuous percentiles
(linear interpolation, as PostgreSQL's percentile_cont): in SQL on PostgreSQL; on SQLite the
durations are read (at most SQLITE_SAMPLE of the most recent incidents) and computed in Python.

The open incidents by step and the deadlines are always live. The 12-month figures (by type, cause,
organisation, month, and the response times) are computed on each view while the incident table is small;
above DASHBOARD_SNAPSHOT_ABOVE incidents (PostgreSQL's row estimate) they are read from a snapshot the worker
refreshes every DASHBOARD_REFRESH_SECONDS — at 1M incidents each takes 0.5–2 s to compute (bench/RESULTS.md)
— and the page says when they were computed. A snapshot older than twice the interval is not trusted.
"""

import datetime
import math
import time
from dataclasses import dataclass

from django.conf import settings
from django.db import connection
from django.db.models import Aggregate, Count, F, FloatField, Func, Min, OuterRef, Q, Subquery
from django.db.models.functions import TruncMonth
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ungcuu.deadlines.models import Deadline, due_soon_window
from ungcuu.incidents.models import AttackType, Cause, Incident, IncidentStatus, StepTransition
from ungcuu.incidents.procedure import Step

CLOSED_STATES = (IncidentStatus.CLOSED, IncidentStatus.MERGED, IncidentStatus.REJECTED)
NOT_COUNTED = (IncidentStatus.MERGED, IncidentStatus.REJECTED)
SQLITE_SAMPLE = 20_000
TOP_ORGANISATIONS = 10


class PercentileCont(Aggregate):
    """PostgreSQL's ordered-set aggregate percentile_cont(p) WITHIN GROUP (ORDER BY expr)."""

    function = "percentile_cont"
    template = "%(function)s(%(fraction)s) WITHIN GROUP (ORDER BY %(expressions)s)"

    def __init__(self, expression, fraction: float, **extra):
        super().__init__(expression, fraction=float(fraction), **extra)


def percentile(values: list[float], fraction: float) -> float | None:
    """The continuous percentile of percentile_cont (linear interpolation between closest ranks)."""
    if not values:
        return None
    ordered = sorted(values)
    position = fraction * (len(ordered) - 1)
    low, high = math.floor(position), math.ceil(position)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def since(now: datetime.datetime | None = None) -> datetime.datetime:
    """The first day of the month eleven months back: the last 12 calendar months, this one included."""
    local = timezone.localtime(now or timezone.now())
    month, year = local.month - 11, local.year
    if month < 1:
        month, year = month + 12, year - 1
    return local.replace(year=year, month=month, day=1, hour=0, minute=0, second=0, microsecond=0)


def _recent(now=None):
    return Incident.objects.filter(detected_at__gte=since(now)).exclude(status__in=NOT_COUNTED)


def open_by_step() -> list[tuple[str, str, int]]:
    """Open incidents (not closed, merged or rejected) per procedure step, in procedure order."""
    # Count("step"), not the primary key: the partial index of open steps then answers alone (index-only).
    counts = dict(Incident.objects.exclude(status__in=CLOSED_STATES).values_list("step")
                  .annotate(n=Count("step")).order_by())
    return [(value, str(label), counts[value]) for value, label in Step.choices if counts.get(value)]


def deadline_counts(user, now=None) -> dict:
    """Open deadlines the user may see: all, due soon (within the due-soon window), overdue."""
    now = now or timezone.now()
    return Deadline.objects.visible_to(user).open().aggregate(
        open=Count("pk"), overdue=Count("pk", filter=Q(due_at__lt=now)),
        due_soon=Count("pk", filter=Q(due_at__gte=now, due_at__lt=now + due_soon_window())))


def by_attack_type(now=None) -> list[tuple[str, str, int]]:
    counts = dict(_recent(now).exclude(attack_type="").values_list("attack_type").annotate(n=Count("pk")).order_by())
    return [(value, str(label), counts.get(value, 0)) for value, label in AttackType.choices]


def by_cause(now=None) -> list[tuple[str, str, int]]:
    counts = dict(_recent(now).values_list("cause").annotate(n=Count("pk")).order_by())
    rows = [(value, str(label), counts.get(value, 0)) for value, label in Cause.choices]
    if counts.get(""):
        rows.append(("", str(_("Not yet classified")), counts[""]))
    return rows


def by_organisation(now=None) -> list[tuple[int | None, str, int]]:
    """The organisations with most incidents (reporting organisation; none = reported without an account)."""
    rows = (_recent(now).values_list("organisation", "organisation__name").annotate(n=Count("pk"))
            .order_by("-n", "organisation__name")[:TOP_ORGANISATIONS])
    return [(pk, name or str(_("No registered organisation")), n) for pk, name, n in rows]


def by_month(now=None) -> list[tuple[str, str, int]]:
    """Incidents per month of detection, the last 12 months, empty months included."""
    start = since(now)
    tz = timezone.get_default_timezone()
    counts = {}
    for month, n in (_recent(now).annotate(month=TruncMonth("detected_at", tzinfo=tz)).values_list("month")
                     .annotate(n=Count("pk")).order_by()):
        counts[(month.year, month.month)] = n
    rows, year, month = [], start.year, start.month
    for _i in range(12):
        rows.append((f"{year}-{month:02d}", f"{month:02d}/{year}", counts.get((year, month), 0)))
        month, year = (1, year + 1) if month == 12 else (month + 1, year)
    return rows


@dataclass
class Timing:
    key: str
    label: str
    count: int
    median: datetime.timedelta | None
    p90: datetime.timedelta | None


TIMINGS = {
    "acknowledge": _("Time to acknowledge (received → out of “receive and verify”)"),
    "contain": _("Time to contain (received → containment started)"),
    "recover": _("Time to recover (received → response ended)"),
}


def _ended_expression(key: str):
    if key == "acknowledge":
        return Subquery(StepTransition.objects.filter(incident=OuterRef("pk"), from_step=Step.RECEIVE_VERIFY)
                        .order_by().values("incident").annotate(first=Min("at")).values("first")[:1])
    if key == "contain":
        return Subquery(StepTransition.objects.filter(incident=OuterRef("pk"), to_step=Step.CONTAIN)
                        .order_by().values("incident").annotate(first=Min("at")).values("first")[:1])
    return F("response_ended_at")


def _seconds(value) -> datetime.timedelta | None:
    return None if value is None else datetime.timedelta(seconds=round(value))


# The first transition that ends each measured time, by the StepTransition field that marks it.
FIRST_TRANSITION = {"acknowledge": ("from_step", Step.RECEIVE_VERIFY), "contain": ("to_step", Step.CONTAIN)}


def _first_transition_timing(key: str, start) -> Timing:
    """PostgreSQL: the first matching transition of each incident, computed once per incident in a grouped
    subquery (as a correlated subquery it ran three times per incident: 113 ms at 100k, bench/RESULTS.md)."""
    column, step = FIRST_TRANSITION[key]
    sql = f"""
        SELECT count(*), percentile_cont(0.5) WITHIN GROUP (ORDER BY s), percentile_cont(0.9) WITHIN GROUP (ORDER BY s)
        FROM (SELECT EXTRACT(EPOCH FROM min(t.at) - i.created_at) AS s
              FROM {StepTransition._meta.db_table} t JOIN {Incident._meta.db_table} i ON i.id = t.incident_id
              WHERE t.{column} = %s AND i.created_at >= %s AND NOT (i.status = ANY(%s))
              GROUP BY t.incident_id, i.created_at) firsts"""  # table and column names are ours, values bound
    with connection.cursor() as cursor:
        cursor.execute(sql, [str(step), start, [str(s) for s in NOT_COUNTED]])
        n, median, p90 = cursor.fetchone()
    return Timing(key, str(TIMINGS[key]), n, _seconds(median), _seconds(p90))


def timing(key: str, now=None) -> Timing:
    """Median and 90th percentile of one response time over incidents received in the last 12 months."""
    if connection.vendor == "postgresql" and key in FIRST_TRANSITION:
        return _first_transition_timing(key, since(now))
    incidents = (Incident.objects.filter(created_at__gte=since(now)).exclude(status__in=NOT_COUNTED)
                 .annotate(ended=_ended_expression(key)).filter(ended__isnull=False))
    if connection.vendor == "postgresql":
        seconds = Func(F("ended") - F("created_at"), template="EXTRACT(EPOCH FROM %(expressions)s)",
                       output_field=FloatField())
        row = incidents.aggregate(n=Count("pk"), median=PercentileCont(seconds, 0.5, output_field=FloatField()),
                                  p90=PercentileCont(seconds, 0.9, output_field=FloatField()))
        return Timing(key, str(TIMINGS[key]), row["n"], _seconds(row["median"]), _seconds(row["p90"]))
    pairs = incidents.order_by("-created_at").values_list("created_at", "ended")[:SQLITE_SAMPLE]
    values = [(ended - created).total_seconds() for created, ended in pairs]
    return Timing(key, str(TIMINGS[key]), len(values), _seconds(percentile(values, 0.5)),
                  _seconds(percentile(values, 0.9)))


def bars(rows, width: int = 100) -> list[dict]:
    """Rows (key, label, value) as bars for the SVG template: each bar's length relative to the largest."""
    top = max((r[2] for r in rows), default=0) or 1
    return [{"key": k, "label": label, "value": v, "length": round(width * v / top, 1)} for k, label, v in rows]



# The 12-month figures: live, or from the worker's snapshot on a large table ----------------------------------

SNAPSHOT_KEY = "history"


def uses_snapshot() -> bool:
    """Whether the 12-month figures come from the snapshot: DASHBOARD_SNAPSHOT_ABOVE incidents or more, by
    PostgreSQL's estimate (free; SQLite deployments are small and always live). 0 means always."""
    threshold = int(getattr(settings, "DASHBOARD_SNAPSHOT_ABOVE", 200_000))
    if threshold <= 0:
        return True
    if connection.vendor != "postgresql":
        return False
    with connection.cursor() as cursor:
        cursor.execute("SELECT reltuples FROM pg_class WHERE oid = %s::regclass", [Incident._meta.db_table])
        row = cursor.fetchone()
    return bool(row) and row[0] >= threshold


def refresh_seconds() -> int:
    return int(getattr(settings, "DASHBOARD_REFRESH_SECONDS", 300))


def compute_history(now=None) -> dict:
    """The 12-month figures as plain data (labels are added when read, in the reader's language)."""
    now = now or timezone.now()
    timings = [timing(key, now) for key in TIMINGS]
    return {
        "since": since(now).isoformat(),
        "by_type": [(value, n) for value, _label, n in by_attack_type(now)],
        "by_cause": [(value, n) for value, _label, n in by_cause(now)],
        "by_organisation": [(pk, name, n) for pk, name, n in by_organisation(now)],
        "by_month": [(key, label, n) for key, label, n in by_month(now)],
        "timings": [(t.key, t.count, _total(t.median), _total(t.p90)) for t in timings],
    }


def _total(value: datetime.timedelta | None) -> float | None:
    return None if value is None else value.total_seconds()


def refresh_history(now=None):
    """Compute the 12-month figures and keep them as the snapshot (what the worker runs)."""
    from ungcuu.reports.models import DashboardSnapshot

    started = time.perf_counter()
    data = compute_history(now)
    took = round((time.perf_counter() - started) * 1000)
    snapshot, _created = DashboardSnapshot.objects.update_or_create(
        key=SNAPSHOT_KEY, defaults={"data": data, "computed_at": now or timezone.now(), "took_ms": took})
    return snapshot


def _labelled(data: dict) -> dict:
    types, causes = dict(AttackType.choices), dict(Cause.choices)
    cause_rows = [(value, str(causes.get(value, _("Not yet classified"))), n) for value, n in data["by_cause"]]
    return {
        "since": datetime.datetime.fromisoformat(data["since"]),
        "by_type": [(value, str(types.get(value, value)), n) for value, n in data["by_type"]],
        "by_cause": cause_rows,
        "by_organisation": [(pk, name, n) for pk, name, n in data["by_organisation"]],
        "by_month": [tuple(row) for row in data["by_month"]],
        "timings": [Timing(key, str(TIMINGS[key]), n, _seconds(median), _seconds(p90))
                    for key, n, median, p90 in data["timings"]],
    }


def history(now=None) -> dict:
    """The 12-month figures with their labels, and `computed_at` (None when computed now). From the snapshot
    on a large table while it is fresh; otherwise computed now (and kept, when the snapshot is in use)."""
    from ungcuu.reports.models import DashboardSnapshot

    now = now or timezone.now()
    if uses_snapshot():
        snapshot = DashboardSnapshot.objects.filter(key=SNAPSHOT_KEY).first()
        if snapshot is None or snapshot.computed_at < now - datetime.timedelta(seconds=2 * refresh_seconds()):
            snapshot = refresh_history(now)
        return {**_labelled(snapshot.data), "computed_at": snapshot.computed_at}
    return {**_labelled(compute_history(now)), "computed_at": None}

"""Benchmark the procedure, deadlines and coordination (issue 4): on N incidents loaded as bench/incidents.py
loads them, with ~3 deadlines per incident written in bulk, time move_step (and record_response_option,
record_report) through the actions, the due/overdue page and API, the deadline scan, dispatch_member,
notify(), a busy incident's page and the workload page.

    .venv/bin/python bench/procedure.py [--incidents 100000] [--repeat 20] [--plans]
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_procedure .venv/bin/python bench/procedure.py

Runs in a throw-away database created and dropped here: a SQLite file in a temporary directory under /tmp,
or the PostgreSQL database `bench_procedure` (whatever database DATABASE_URL names; only its server is
used). Incidents come from bench/incidents.py's generator and loader (the same seeded rows; here a closed
incident is also at the step "closed" and one in response at a step of the response), then the deadlines
are generated from the incidents' own dates with the rules in force (days counted on the holiday calendar,
as compute_due does): notify and acknowledge_report for every incident, final_report for closed ones,
acknowledge_dispatch and initial_report for some; met (some late) on closed incidents, cancelled on
rejected and merged ones, open or overdue on the rest. Overdue ones are marked escalated (and
acknowledgements chased) as a scan running until --backlog-hours ago would have left them; the first
scan measured catches up on that backlog, the second finds nothing new to send. Requests are timed
in-process with Django's test client (server time), as in bench/incidents.py.
"""

import argparse
import os
import random
import shutil
import statistics
import sys
import time
from contextlib import contextmanager
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import incidents as base  # bench/incidents.py: sets up Django, its data dir in a temporary directory

# isort: split

from django.conf import settings
from django.db import connection, transaction
from django.test import Client
from django.utils import timezone

from ungcuu.deadlines import calendar
from ungcuu.deadlines.models import ACKNOWLEDGE_KINDS, Counting, Deadline, Holiday, Rule
from ungcuu.incidents.models import Incident

PG_BENCH_DB = "bench_procedure"
IN_RESPONSE_STEPS = ["initial_response", "response_option", "report", "coordinate", "contain", "contain",
                     "eradicate", "recover", "verify_recovery", "close_out"]
MOVES = ["initial_response", "response_option", "report", "coordinate", "contain"]


# Loading ------------------------------------------------------------------------------------------


class ProcedureGenerator(base.Generator):
    """bench/incidents.py's rows (same seed, same data) with the procedure step that goes with the status."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.step_rng = random.Random(4)  # a second generator: the base rows stay identical

    def row(self, offset):
        incident, indicators = super().row(offset)
        status = incident["status"]
        if status == "closed":
            incident["step"] = "closed"
            incident["closed_at"] = incident["updated_at"]
            incident["response_ended_at"] = incident["updated_at"] - timedelta(days=self.step_rng.uniform(1, 5))
        elif status == "in_response":
            incident["step"] = self.step_rng.choice(IN_RESPONSE_STEPS)
        return incident, indicators


class DeadlineRows:
    """Deadline rows from the loaded incidents' dates, by the rules in force today."""

    def __init__(self, members, seed: int = 5):
        self.rng = random.Random(seed)
        self.now = timezone.now()
        self.rules = {kind: Rule.objects.for_kind(kind, timezone.localdate())
                      for kind in ("notify", "acknowledge_report", "initial_report", "final_report",
                                   "acknowledge_dispatch")}
        missing = [k for k, r in self.rules.items() if r is None]
        assert not missing, f"no rule in force for {missing}"
        self.calendar = Holiday.objects.calendar(date(2015, 1, 1), date(2035, 12, 31))
        self.members = [m.pk for m in members]
        self.chase = timedelta(hours=max(1, int(getattr(settings, "DEADLINE_CHASE_HOURS", 4))))
        self.counts: dict[str, int] = {}

    def due(self, kind, start):
        rule = self.rules[kind]
        if rule.counting == Counting.DAYS:
            return calendar.due_after_days(start, rule.amount, self.calendar)
        if rule.counting == Counting.HOURS:
            return calendar.due_after_hours(start, rule.amount)
        raise AssertionError(f"{kind}: {rule.counting}")

    def make(self, kind, incident_id, start, *, met=None, cancelled=None, subject=("", ""), responsible=None,
             backlog_start=None):
        now, rng = self.now, self.rng
        due = self.due(kind, start)
        if met is not None:
            met = min(met, now - timedelta(minutes=1))
        row = dict(kind=kind, incident_id=incident_id, subject_type=subject[0], subject_id=subject[1],
                   start_at=start, due_at=due, met_at=met, cancelled_at=cancelled, rule_id=self.rules[kind].pk,
                   responsible_id=responsible, created_at=start, comparison="", note="", chase_count=0)
        if met is None and cancelled is None:
            # What the scans before the backlog already did: escalated once overdue, acknowledgements chased.
            if due < backlog_start:
                row["escalated_at"] = due + timedelta(minutes=rng.randint(1, 5))
                row["reminded_hours"] = 2
                if kind in ACKNOWLEDGE_KINDS:
                    row["chase_count"] = int((backlog_start - due) / self.chase)
            status = "overdue" if due < now else "open"
        elif cancelled is not None:
            status = "cancelled"
        else:
            status = "met_late" if met > due else "met_on_time"
        self.counts[status] = self.counts.get(status, 0) + 1
        return row

    def for_incident(self, pk, status, step, created, detected, classified, owner_can_handle, closed_at,
                     response_ended_at, backlog_start):
        rng, now = self.rng, self.now
        age = (now - created).total_seconds() / 86400
        done = status in ("closed",)
        gone = status in ("rejected", "merged")
        cancelled = created + timedelta(hours=rng.uniform(2, 72)) if gone else None
        kw = {"backlog_start": backlog_start}
        rows = []
        # Acknowledge the report at once (Điều 10): met within minutes, a few late; open only on fresh reports.
        ack_met = None if (status == "received" and age < 3 and rng.random() < 0.5) else \
            created + timedelta(minutes=rng.expovariate(1 / 20))
        rows.append(self.make("acknowledge_report", pk, created, met=ack_met, **kw))
        # The notification within 5 days of detection.
        open_notify = status == "received" or (status in ("verified", "in_response") and rng.random() < 0.12)
        notify_met = None if open_notify or gone else detected + timedelta(days=rng.uniform(0.2, 6.5))
        rows.append(self.make("notify", pk, detected, met=notify_met, cancelled=cancelled if notify_met is None
                              else None, **kw))
        if done:
            rows.append(self.make("final_report", pk, response_ended_at,
                                  met=response_ended_at + timedelta(days=rng.uniform(0.5, 6.5)), **kw))
        if status == "in_response" or (done and rng.random() < 0.5):
            member = rng.choice(self.members)
            start = (classified or created) + timedelta(minutes=rng.randint(5, 600))
            met = None if (status == "in_response" and rng.random() < 0.08) else \
                start + timedelta(minutes=rng.expovariate(1 / 90))
            rows.append(self.make("acknowledge_dispatch", pk, start, met=met, responsible=member,
                                  subject=("incidents.responder", str(pk)), **kw))
        if status in ("in_response", "closed") and owner_can_handle is False:
            start = classified or created
            met = None if (status == "in_response" and rng.random() < 0.15) else \
                start + timedelta(hours=rng.expovariate(1 / 12))
            rows.append(self.make("initial_report", pk, start, met=met, **kw))
        if status == "in_response" and step in ("verify_recovery", "close_out") and rng.random() < 0.5:
            # The response has ended; the final report is still to come.
            start = max(created, now - timedelta(days=rng.uniform(0, 20)))
            rows.append(self.make("final_report", pk, start, **kw))
        return rows


@contextmanager
def no_auto_now():
    field = Deadline._meta.get_field("created_at")
    saved = field.auto_now_add
    field.auto_now_add = False
    try:
        yield
    finally:
        field.auto_now_add = saved


def load_deadlines(members, backlog_hours: float) -> list[tuple[str, str]]:
    postgres = connection.vendor == "postgresql"
    start = time.perf_counter()
    maker = DeadlineRows(members)
    backlog_start = maker.now - timedelta(hours=backlog_hours)
    indexes = base._secondary_indexes([Deadline._meta.db_table]) if postgres else []
    with connection.cursor() as cursor:
        for name, _sql in indexes:
            cursor.execute(f"DROP INDEX {connection.ops.quote_name(name)}")
    fields = ("id", "status", "step", "created_at", "detected_at", "classified_at", "owner_can_handle", "closed_at",
              "response_ended_at")
    total, batch = 0, []

    def flush():
        with transaction.atomic():
            if postgres:
                base._copy(Deadline, batch)
            else:
                Deadline.objects.bulk_create([Deadline(**row) for row in batch], batch_size=2000)

    with no_auto_now():
        for values in Incident.objects.order_by("id").values_list(*fields).iterator(chunk_size=base.BATCH):
            batch.extend(maker.for_incident(*values, backlog_start=backlog_start))
            if len(batch) >= base.BATCH:
                flush()
                total += len(batch)
                batch = []
        if batch:
            flush()
            total += len(batch)
    seconds = time.perf_counter() - start
    statuses = ", ".join(f"{k} {v:,}" for k, v in sorted(maker.counts.items()))
    timings = [("deadlines", f"{total:,} rows in {seconds:.0f} s ({statuses})")]
    if postgres:
        start = time.perf_counter()
        with connection.cursor() as cursor:
            for _name, sql in indexes:
                cursor.execute(sql)
            cursor.execute(f"VACUUM ANALYZE {Deadline._meta.db_table}")
        timings.append((f"rebuild {len(indexes)} deadline indexes + VACUUM ANALYZE",
                        f"{time.perf_counter() - start:.0f} s"))
    print(f"  {timings[0][1]}", flush=True)
    return timings


# Measuring ----------------------------------------------------------------------------------------


class Queries:
    """Counts the queries run (and their time) inside `with`; optionally keeps those matching `keep`."""

    def __init__(self, keep: str | None = None):
        self.count, self.seconds, self.keep, self.kept = 0, 0.0, keep, []

    def __call__(self, execute, sql, params, many, context):
        start = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            self.count += 1
            self.seconds += time.perf_counter() - start
            if self.keep is not None and self.keep in sql:
                self.kept.append((sql, params, (time.perf_counter() - start) * 1000))

    @contextmanager
    def measure(self):
        with connection.execute_wrapper(self):
            yield self


def stats(samples: list[float]) -> dict:
    samples = sorted(samples)
    return {"n": len(samples), "p50": statistics.median(samples), "p95": base.percentile(samples, 0.95),
            "p90": base.percentile(samples, 0.9)}


class Calls:
    """Latency and queries of calls to an action, one sample per call."""

    def __init__(self, label):
        self.label, self.samples, self.queries = label, [], []

    def __call__(self, fn, *args, **kwargs):
        counter = Queries()
        with counter.measure():
            start = time.perf_counter()
            result = fn(*args, **kwargs)
            self.samples.append((time.perf_counter() - start) * 1000)
        self.queries.append(counter.count)
        return result

    def row(self):
        s = stats(self.samples)
        q = sorted(self.queries)
        queries = f"{q[0]}" if q[0] == q[-1] else f"{statistics.median(q):.0f} (min {q[0]}, max {q[-1]})"
        return (self.label, f"{s['p50']:.1f} ms", f"{s['p95']:.1f} ms", queries, f"{s['n']} calls")


def procedure_measures(officer, repeat_incidents: int):
    from ungcuu.incidents import actions

    candidates = list(Incident.objects.filter(status="verified", step="receive_verify", confidential=False)
                      .exclude(cause="").exclude(verified_at=None).order_by("-detected_at")[:repeat_incidents + 1])
    assert len(candidates) == repeat_incidents + 1, len(candidates)
    moves, option, report = Calls("`move_step`"), Calls("`record_response_option`"), Calls("`record_report` (notice)")
    by_step = {step: Calls(f"`move_step` → {step}") for step in MOVES}
    for i, incident in enumerate(candidates):
        warm = i == 0  # the first incident warms caches (templates of checklists, rules) and is not counted
        for step in MOVES:
            if step == "report":
                call = (lambda fn, *a, **k: fn(*a, **k)) if warm else option
                call(actions.record_response_option, actor=officer, incident=incident,
                     option="Cô lập máy chủ, chặn IP nguồn tấn công, khôi phục từ bản sao lưu.",
                     approved_by="Giám đốc Sở (chủ quản hệ thống)")
            if step == "coordinate":
                call = (lambda fn, *a, **k: fn(*a, **k)) if warm else report
                call(actions.record_report, actor=officer, incident=incident, kind="notice",
                     number=f"{100 + i}/BC-ĐƯCSC", issued_on=timezone.localdate(),
                     recipients="Chủ quản hệ thống; Sở KH&CN; VNCERT/CC")
            if warm:
                incident = actions.move_step(actor=officer, incident=incident, to_step=step)
                continue
            start_q = len(moves.queries)
            incident = moves(actions.move_step, actor=officer, incident=incident, to_step=step)
            by_step[step].samples.append(moves.samples[-1])
            by_step[step].queries.append(moves.queries[start_q])
    return [moves.row(), *[c.row() for c in by_step.values()], option.row(), report.row()], candidates[1:]


def coordination_measures(lead, officer, members, moved):
    """Dispatch members to incidents in response, then make one incident busy: dispatches, orders, reports,
    notifications. Returns the timing rows and the busy incident."""
    from ungcuu.coordination import actions as coordination
    from ungcuu.incidents import actions
    from ungcuu.notifications.actions import notify

    others = list(Incident.objects.filter(status="in_response", confidential=False)
                  .exclude(pk__in=[i.pk for i in moved]).order_by("-detected_at")[:160])
    targets = moved + others
    dispatch = Calls("`dispatch_member` (team lead)")
    busy = moved[0]
    for member in members:  # the busy incident: every member on it
        dispatch(coordination.dispatch_member, actor=lead, incident=busy, user=member, role="Phân tích mã độc")
    for i, incident in enumerate(targets[1:]):
        dispatch(coordination.dispatch_member, actor=lead, incident=incident, user=members[i % len(members)],
                 role="Ứng cứu tại chỗ")
    orders = Calls("`issue_order` (3 members, written)")
    for i in range(4):
        orders(coordination.issue_order, actor=officer, incident=busy,
               content=f"Thu thập nhật ký máy chủ và gửi mẫu mã độc (đợt {i + 1}).",
               due_at=timezone.now() + timedelta(days=2), contact_point="Trực ban 0235 3811 111",
               signer="Trưởng Ban Điều phối", channel="document", users=members[i * 3:(i + 1) * 3])
    notices = Calls("`notify()` (2 users, audited)")
    for i in range(60):
        notices(notify, event="bench", subject=f"[{busy.reference}] Cập nhật tình hình {i}",
                body="Nội dung cập nhật.", users=[officer, lead], incident=busy, key=f"bench:{i}")
    for i in range(3):
        actions.record_report(actor=officer, incident=busy, kind="initial", number=f"{900 + i}/BC-ĐƯCSC",
                              issued_on=timezone.localdate(), recipients="VNCERT/CC")
    return [dispatch.row(), orders.row(), notices.row()], busy


def page_measures(officer, lead, busy, repeat: int, plans: bool, idle_wait: float):
    from ungcuu.accounts import actions as accounts

    _token, raw = accounts.create_api_token(actor=None, user=officer)
    api = Client(headers={"authorization": f"Bearer {raw}"})
    web = Client()
    web.force_login(officer)
    cases = [
        ("web `/deadlines/` (default: open)", web, "/deadlines/", "deadlines_deadline"),
        ("web `/deadlines/?status=overdue`", web, "/deadlines/?status=overdue", "deadlines_deadline"),
        ("`GET /api/v1/deadlines?status=overdue`", api, "/api/v1/deadlines?status=overdue", "deadlines_deadline"),
        (f"web `/incidents/{busy.reference}/` (busy incident)", web, f"/incidents/{busy.reference}/", None),
        ("web `/coordination/workload/`", web, "/coordination/workload/", None),
    ]
    rows, explained = [], []
    for label, client, url, table in cases:
        base.wait_for_idle(idle_wait)
        response = client.get(url)
        assert response.status_code == 200, (url, response.status_code)
        counter = Queries(keep=f'FROM "{table}"' if table else "")
        with counter.measure():
            client.get(url)
        median, p90 = base.timed(lambda c=client, u=url: c.get(u), repeat)
        extra = ""
        if client is api:
            body = response.json()
            extra = f"{body['count']:,} matching, {len(body['items'])} shown"
        elif table:
            extra = f"{response.content.count(b'<tr') - 1} rows shown"
        rows.append((label, median, p90, counter.count, counter.seconds * 1000, extra))
        print(f"  {label}: median {median:.1f} ms, p90 {p90:.1f} ms, {counter.count} queries "
              f"({counter.seconds * 1000:.1f} ms) {extra}", flush=True)
        # The page's own deadline queries; on the other pages, the slowest three.
        kept = counter.kept if table else sorted(counter.kept, key=lambda q: -q[2])[:3]
        for sql, params, ms in kept:
            plan, indexes = base.explain(sql, params)
            explained.append((label, ms, sql, params, plan, indexes))
            print(f"    {ms:6.1f} ms {', '.join(indexes) or 'no index'}: {sql[:300]}", flush=True)
            if plans:
                print("\n".join(f"      {line}" for line in plan.splitlines()), flush=True)
    return rows, explained


def profile_pages(officer, busy, top: int = 25):
    """Where a page's server time goes: cProfile over 5 requests, the top functions by own time."""
    import cProfile
    import pstats

    web = Client()
    web.force_login(officer)
    for url in (f"/incidents/{busy.reference}/", "/coordination/workload/"):
        web.get(url)
        profiler = cProfile.Profile()
        profiler.enable()
        for _ in range(5):
            web.get(url)
        profiler.disable()
        print(f"\nProfile of 5 × {url} (by own time):", flush=True)
        pstats.Stats(profiler).sort_stats("tottime").print_stats(top)
        pstats.Stats(profiler).sort_stats("cumulative").print_stats(top)


def scan_measures():
    from django.db.models import Q

    from ungcuu.deadlines.actions import reminder_hours, send_deadline_notices

    runs = []
    for _ in range(2):
        now = timezone.now()
        horizon = now + timedelta(hours=reminder_hours()[0])
        examined = Deadline.objects.open().filter(Q(escalated_at__isnull=True) | Q(kind__in=ACKNOWLEDGE_KINDS),
                                                  due_at__lt=horizon).count()
        counter = Queries()
        with counter.measure():
            start = time.perf_counter()
            counts = send_deadline_notices(now=now)
            seconds = time.perf_counter() - start
        runs.append({"seconds": seconds, "examined": examined, "counts": counts, "queries": counter.count,
                     "db_ms": counter.seconds * 1000})
        print(f"  scan: {seconds:.2f} s, {examined:,} examined, sent {counts}, {counter.count:,} queries", flush=True)
    return runs


# Main ---------------------------------------------------------------------------------------------


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--incidents", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=20, help="timed requests per page (after a warm-up)")
    parser.add_argument("--move-incidents", type=int, default=40,
                        help="incidents taken from receive_verify to contain (5 moves each)")
    parser.add_argument("--members", type=int, default=20, help="team members to dispatch")
    parser.add_argument("--backlog-hours", type=float, default=24,
                        help="the scan last ran this long ago: overdue deadlines since then are not yet escalated")
    parser.add_argument("--plans", action="store_true", help="print the full plans of the deadline queries")
    parser.add_argument("--profile", action="store_true", help="cProfile the busy incident page and the workload page")
    parser.add_argument("--idle-wait", type=float, default=0, metavar="SECONDS",
                        help="on a shared machine, wait up to this long before each page for idle CPUs")
    args = parser.parse_args()
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    if connection.vendor == "sqlite":
        connection.settings_dict["TEST"]["NAME"] = str(base.TMP / "bench.sqlite3")
    else:
        connection.settings_dict["TEST"]["NAME"] = PG_BENCH_DB
    old_name = connection.settings_dict["NAME"]
    connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)
    try:
        run(args)
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)
        shutil.rmtree(base.TMP, ignore_errors=True)


def run(args):
    from ungcuu.accounts import actions as accounts
    from ungcuu.accounts.models import Role

    vendor = connection.vendor
    n = args.incidents
    print(f"{vendor}: set-up, then loading {n:,} incidents", flush=True)
    province, _organisations, systems = base.make_registry()
    officer = accounts.create_user(actor=None, username="officer", password=None, full_name="Trực ban",
                                   email="trucban@example.gov.vn", organisation=province,
                                   roles=[Role.STANDING_OFFICER])
    lead = accounts.create_user(actor=None, username="lead", password=None, full_name="Trưởng nhóm",
                                email="truongnhom@example.gov.vn", organisation=province, roles=[Role.TEAM_LEAD])
    members = [accounts.create_user(actor=None, username=f"member{i}", password=None,
                                    full_name=f"{base.FAMILY[i % 16]} Văn {base.GIVEN[i % 26]}",
                                    email=f"member{i}@example.gov.vn", organisation=province,
                                    roles=[Role.TEAM_MEMBER]) for i in range(args.members)]
    base.Generator = ProcedureGenerator  # base.load() builds its rows with this
    load_rows = base.load(n, systems, officer)
    load_rows += load_deadlines(members, args.backlog_hours)
    assert Incident.objects.count() == n
    calibration = [base.calibrate()]
    print(f"  calibration loop {calibration[0]:.0f} ms; load average {os.getloadavg()[0]:.1f}", flush=True)

    print("procedure actions", flush=True)
    action_rows, moved = procedure_measures(officer, args.move_incidents)
    for row in action_rows:
        print("  " + " | ".join(row), flush=True)
    print("coordination actions", flush=True)
    coordination_rows, busy = coordination_measures(lead, officer, members, moved)
    for row in coordination_rows:
        print("  " + " | ".join(row), flush=True)
    print("deadline scan", flush=True)
    scans = scan_measures()
    print("pages", flush=True)
    page_rows, explained = page_measures(officer, lead, busy, args.repeat, args.plans, args.idle_wait)
    calibration.append(base.calibrate())
    if args.profile:
        profile_pages(officer, busy)

    total = Deadline.objects.count()
    open_ = Deadline.objects.open().count()
    overdue = Deadline.objects.overdue().count()
    print(f"\n### {vendor}, {n:,} incidents, {total:,} deadlines ({open_:,} open, {overdue:,} overdue)\n")
    print(f"Calibration (`sum(range(2_000_000))`, median of 15): {calibration[0]:.0f} ms before, "
          f"{calibration[1]:.0f} ms after.\n")
    print("| loading | |\n|---|---|")
    for label, value in load_rows:
        print(f"| {label} | {value} |")
    print("\n| action (through `ungcuu.*.actions`) | p50 | p95 | queries per call | sample |\n|---|---|---|---|---|")
    for row in action_rows + coordination_rows:
        print("| " + " | ".join(row) + " |")
    print("\n| `send_deadline_notices()` | time | examined | sent | queries |\n|---|---|---|---|---|")
    for i, scan in enumerate(scans):
        sent = ", ".join(f"{k} {v}" for k, v in scan["counts"].items())
        print(f"| run {i + 1} | {scan['seconds'] * 1000:.0f} ms | {scan['examined']:,} | {sent} | "
              f"{scan['queries']:,} ({scan['db_ms']:.0f} ms) |")
    print(f"\n| page ({args.repeat} requests after a warm-up) | median | p90 | queries (their time) | |"
          "\n|---|---|---|---|---|")
    for label, median, p90, count, db_ms, extra in page_rows:
        print(f"| {label} | {median:.1f} ms | {p90:.1f} ms | {count} ({db_ms:.0f} ms) | {extra} |")
    print("\nDeadline queries of the deadline pages, the three slowest of the others:")
    for label, ms, sql, _params, _plan, indexes in explained:
        print(f"- {label}: {ms:.1f} ms, {', '.join(indexes) or 'no index (scan)'}: {sql[:200]}")


if __name__ == "__main__":
    main()

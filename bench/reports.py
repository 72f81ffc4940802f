"""Benchmark the dashboard and the periodic report (issue 5): on N incidents loaded as bench/procedure.py loads
them, with step transitions, outcomes and deadlines written in bulk, time each dashboard figure on its own
(`ungcuu.reports.dashboard`), the dashboard page, the periodic report Biểu mẫu 05 (half-year and annual,
`ungcuu.reports.statistics.periodic_report`) and its page, as the standing officer.

    .venv/bin/python bench/reports.py [--incidents 100000] [--repeat 9] [--plans]
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_reports .venv/bin/python bench/reports.py --incidents 1000000

Runs in a throw-away database created and dropped here: a SQLite file in a temporary directory under /tmp,
or the PostgreSQL database `bench_reports` (whatever database DATABASE_URL names; only its server is used).
Incidents come from bench/procedure.py's generator (bench/incidents.py's seeded rows, closed ones at the step
"closed" with `response_ended_at`, those in response at a step of the response). Then, from the loaded rows:
- step transitions for half of the incidents that left "receive and verify" (seeded): the move out of it
  (minutes to hours after verification) and, for those at or past "contain" (closed ones included), the move
  into "contain" (hours to days later) — what the time-to-acknowledge and time-to-contain figures read;
- an `IncidentOutcome` for 85 % of the classified incidents that count (not merged or rejected): handled by
  the organisation itself mostly, some with the provincial team, other or foreign organisations (with
  `Supporter` rows) or VNCERT/CC, a damage estimate on some;
- deadlines as bench/procedure.py generates them (its `DeadlineRows`), for the incidents still open and those
  created in the last 180 days (the dashboard counts only open deadlines; older closed incidents would only
  add met rows).
Each figure is called --repeat times after a warm-up: the median of its wall time and of its queries' time,
with the query count; pages through Django's test client (server time), as in bench/incidents.py. Figures
over the target (--target-ms) get their queries EXPLAIN ANALYZEd (printed with --plans).
"""

import argparse
import os
import random
import shutil
import statistics
import sys
import time
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import incidents as base  # bench/incidents.py: sets up Django, its data dir in a temporary directory
import procedure  # bench/procedure.py: the generator with steps, the deadline rows

# isort: split

from django.conf import settings
from django.core.management import call_command
from django.db import connection, transaction
from django.test import Client
from django.utils import timezone

from ungcuu.deadlines.models import Deadline
from ungcuu.incidents.models import Incident, StepTransition
from ungcuu.reports import dashboard
from ungcuu.reports import statistics as periodic
from ungcuu.reports.models import IncidentOutcome, Supporter

PG_BENCH_DB = "bench_reports"
AT_OR_PAST_CONTAIN = {"contain", "eradicate", "recover", "verify_recovery", "close_out", "closed"}
OTHER_SUPPORTERS = ["VNPT", "Viettel", "FPT Telecom", "Công an tỉnh", "Bkav", "CMC Cyber Security",
                    "Trung tâm Giám sát an toàn không gian mạng quốc gia (NCSC)", "VSEC"]
FOREIGN_SUPPORTERS = ["Microsoft", "Google", "Cloudflare", "Kaspersky", "Trend Micro"]


# Loading ------------------------------------------------------------------------------------------


def _restore_indexes(models) -> None:
    """Create the models' indexes (and partial unique indexes) that an interrupted load dropped."""
    from django.db.models import UniqueConstraint

    with connection.cursor() as cursor:
        cursor.execute("SELECT indexname FROM pg_indexes WHERE schemaname = current_schema()")
        existing = {row[0] for row in cursor.fetchall()}
    with connection.schema_editor() as editor:
        for model in models:
            statements = list(editor._model_indexes_sql(model))
            statements += [c.create_sql(model, editor) for c in model._meta.constraints
                           if isinstance(c, UniqueConstraint) and c.condition is not None]
            for statement in statements:
                if statement is not None and str(statement.parts["name"]).strip('"') not in existing:
                    editor.execute(statement)


def reload_history(officer, members) -> list[tuple[str, str]]:
    tables = [StepTransition, IncidentOutcome, Supporter, Deadline]
    with connection.cursor() as cursor:
        cursor.execute("TRUNCATE " + ", ".join(m._meta.db_table for m in tables) + " CASCADE")
    _restore_indexes(tables)
    return load_history(officer, members)


def _bulk(model, rows):
    with transaction.atomic():
        if connection.vendor == "postgresql":
            base._copy(model, rows)
        else:
            model.objects.bulk_create([model(**row) for row in rows], batch_size=2000)


def load_history(officer, deadline_members) -> list[tuple[str, str]]:
    """Transitions, outcomes (+ supporters) and deadlines from the loaded incidents, in one pass."""
    postgres = connection.vendor == "postgresql"
    rng = random.Random(7)
    start = time.perf_counter()
    tables = [StepTransition._meta.db_table, IncidentOutcome._meta.db_table, Supporter._meta.db_table,
              Deadline._meta.db_table]
    indexes = base._secondary_indexes(tables) if postgres else []
    with connection.cursor() as cursor:
        for name, _sql in indexes:
            cursor.execute(f"DROP INDEX {connection.ops.quote_name(name)}")
    deadlines = procedure.DeadlineRows(deadline_members)
    now = deadlines.now
    backlog_start = now - timedelta(hours=24)
    recent = now - timedelta(days=180)
    fields = ("id", "status", "step", "created_at", "detected_at", "verified_at", "classified_at", "attack_type",
              "cause", "owner_can_handle", "closed_at", "response_ended_at")
    pending = {StepTransition: [], IncidentOutcome: [], Supporter: [], Deadline: []}
    totals = dict.fromkeys(pending, 0)

    def flush(force=False):
        # All together, outcomes before their supporters: a supporter's outcome must be stored before it.
        if not (force or any(len(rows) >= base.BATCH for rows in pending.values())):
            return
        for model in (IncidentOutcome, Supporter, StepTransition, Deadline):
            rows = pending[model]
            if rows:
                _bulk(model, rows)
                totals[model] += len(rows)
                pending[model] = []

    with procedure.no_auto_now():
        outcome_field = IncidentOutcome._meta.get_field("updated_at")
        outcome_field.auto_now = False
        try:
            for (pk, status, step, created, detected, verified, classified, _attack_type, cause, owner_can_handle,
                 closed_at, response_ended_at) in (Incident.objects.order_by("id").values_list(*fields)
                                                   .iterator(chunk_size=base.BATCH)):
                moved = step != "receive_verify" and verified is not None
                if moved and rng.random() < 0.5:
                    out_at = verified + timedelta(minutes=rng.expovariate(1 / 90))
                    pending[StepTransition].append(dict(
                        incident_id=pk, from_step="receive_verify", to_step="initial_response", direction="forward",
                        reason="", actor_id=officer.pk, at=out_at))
                    if step in AT_OR_PAST_CONTAIN and rng.random() < 0.8:
                        contain_at = out_at + timedelta(hours=rng.expovariate(1 / 30))
                        if response_ended_at is not None:
                            contain_at = min(contain_at, response_ended_at - timedelta(minutes=5))
                        pending[StepTransition].append(dict(
                            incident_id=pk, from_step="coordinate", to_step="contain", direction="forward",
                            reason="", actor_id=officer.pk, at=max(contain_at, out_at + timedelta(minutes=1))))
                if cause and status not in periodic.NOT_COUNTED and rng.random() < 0.85:
                    roll = rng.random()
                    other = roll < 0.12
                    foreign = roll < 0.02
                    pending[IncidentOutcome].append(dict(
                        id=pk, incident_id=pk, self_handled=roll > 0.25, provincial_team=0.08 < roll < 0.3,
                        national_coordinator=roll < 0.05, other_support=other, foreign_support=foreign,
                        estimated_damage=rng.randrange(0, 500_000_000, 1_000_000) if rng.random() < 0.3 else None,
                        damage_note="", updated_by_id=officer.pk, updated_at=(closed_at or classified or created)))
                    if other:
                        for name in rng.sample(OTHER_SUPPORTERS, rng.randint(1, 2)):
                            pending[Supporter].append(dict(outcome_id=pk, name=name, foreign=False))
                    if foreign:
                        pending[Supporter].append(dict(outcome_id=pk, name=rng.choice(FOREIGN_SUPPORTERS),
                                                       foreign=True))
                if status not in dashboard.CLOSED_STATES or created >= recent:
                    pending[Deadline].extend(deadlines.for_incident(
                        pk, status, step, created, detected, classified, owner_can_handle, closed_at,
                        response_ended_at, backlog_start))
                flush()
            flush(force=True)
        finally:
            outcome_field.auto_now = True
    seconds = time.perf_counter() - start
    states = ", ".join(f"{k} {v:,}" for k, v in sorted(deadlines.counts.items()))
    timings = [("transitions, outcomes, supporters, deadlines",
                f"{totals[StepTransition]:,} + {totals[IncidentOutcome]:,} + {totals[Supporter]:,} + "
                f"{totals[Deadline]:,} rows in {seconds:.0f} s (deadlines: {states})")]
    print(f"  {timings[0][1]}", flush=True)
    if postgres:
        start = time.perf_counter()
        with connection.cursor() as cursor:
            for sql in connection.ops.sequence_reset_sql(base.no_style(), list(pending)):
                cursor.execute(sql)
            cursor.execute("SET maintenance_work_mem = '512MB'")
            for _name, sql in indexes:
                cursor.execute(sql)
            cursor.execute("RESET maintenance_work_mem")
            for table in tables:
                cursor.execute(f"VACUUM ANALYZE {table}")
        timings.append((f"rebuild {len(indexes)} indexes + VACUUM ANALYZE", f"{time.perf_counter() - start:.0f} s"))
    return timings


# Measuring ----------------------------------------------------------------------------------------


def measure(fn, repeat: int):
    """Warm-up, then `repeat` calls: (median ms, p90 ms, queries, median ms of the queries, the queries kept)."""
    fn()
    walls, dbs, counts, kept = [], [], [], []
    for _ in range(repeat):
        counter = procedure.Queries(keep="")
        with counter.measure():
            start = time.perf_counter()
            fn()
            walls.append((time.perf_counter() - start) * 1000)
        dbs.append(counter.seconds * 1000)
        counts.append(counter.count)
        kept = counter.kept
    walls.sort()
    return statistics.median(walls), base.percentile(walls, 0.9), max(counts), statistics.median(dbs), kept


def run_measures(officer, repeat: int, target_ms: float, report_target_ms: float, plans: bool, idle_wait: float):
    web = Client()
    web.force_login(officer)
    year = timezone.localdate().year
    half = periodic.preset_period(periodic.HALFYEAR, year)
    annual = periodic.preset_period(periodic.ANNUAL, year)
    figures = [
        ("`open_by_step()`", dashboard.open_by_step),
        ("`deadline_counts(officer)`", lambda: dashboard.deadline_counts(officer)),
        ("`by_attack_type()`", dashboard.by_attack_type),
        ("`by_cause()`", dashboard.by_cause),
        ("`by_organisation()`", dashboard.by_organisation),
        ("`by_month()`", dashboard.by_month),
        *[(f"`timing('{key}')`", lambda k=key: dashboard.timing(k)) for key in dashboard.TIMINGS],
    ]
    cases = [(label, fn, target_ms, "figure") for label, fn in figures]
    dashboard.refresh_history()
    cases += [
        ("`history()`: the 12-month figures read from the worker's snapshot", dashboard.history, target_ms,
         "figure"),
        ("`refresh_history()`: the worker's refresh of the snapshot (all 12-month figures)",
         dashboard.refresh_history, None, "page"),
    ]
    cases += [
        ("web `/reports/dashboard/`", lambda: web.get("/reports/dashboard/"), None, "page"),
        (f"`periodic_report()` half-year {year} ({half[0]:%d/%m/%Y}–{half[1]:%d/%m/%Y})",
         lambda: periodic.periodic_report(*half), report_target_ms, "report"),
        (f"`periodic_report()` annual {year}", lambda: periodic.periodic_report(*annual), report_target_ms, "report"),
        (f"web `/reports/periodic/?preset=halfyear&year={year}`",
         lambda: web.get(f"/reports/periodic/?preset=halfyear&year={year}"), report_target_ms, "page"),
        (f"web `/reports/periodic/?preset=annual&year={year}`",
         lambda: web.get(f"/reports/periodic/?preset=annual&year={year}"), report_target_ms, "page"),
    ]
    for url in ("/reports/dashboard/", f"/reports/periodic/?preset=halfyear&year={year}"):
        response = web.get(url)
        assert response.status_code == 200, (url, response.status_code)
    rows, explained = [], []
    for label, fn, target, kind in cases:
        base.wait_for_idle(idle_wait)
        median, p90, count, db_ms, kept = measure(fn, repeat)
        missed = target is not None and median > target
        rows.append((label, median, p90, count, db_ms, target, missed))
        print(f"  {label}: median {median:.1f} ms, p90 {p90:.1f} ms, {count} queries ({db_ms:.1f} ms)"
              f"{' — over the target' if missed else ''}", flush=True)
        if kind == "page":
            continue
        # Every figure's and report's queries: which index, and the plan's own time (EXPLAIN ANALYZE).
        for sql, params, ms in sorted(kept, key=lambda q: -q[2]):
            if sql.startswith(("SAVEPOINT", "RELEASE")) or "django_session" in sql:
                continue
            plan, indexes = base.explain(sql, params)
            explained.append((label, ms, sql, params, plan, indexes, missed))
            print(f"    {ms:6.1f} ms {', '.join(indexes) or 'no index'}: {sql[:200]}", flush=True)
            if plans or missed:
                print("\n".join(f"      {line}" for line in plan.splitlines()), flush=True)
    return rows, explained


def describe() -> dict:
    since = dashboard.since()
    recent = Incident.objects.filter(created_at__gte=since).exclude(status__in=periodic.NOT_COUNTED)
    return {
        "incidents_12m": dashboard._recent().count(),
        "recovered_12m": recent.filter(response_ended_at__isnull=False).count(),
        "transitions": StepTransition.objects.count(),
        "outcomes": IncidentOutcome.objects.count(),
        "supporters": Supporter.objects.count(),
        "deadlines": Deadline.objects.count(),
        "open": Deadline.objects.open().count(),
        "overdue": Deadline.objects.overdue().count(),
    }


# Main ---------------------------------------------------------------------------------------------


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--incidents", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=9, help="timed calls per measure (after a warm-up)")
    parser.add_argument("--members", type=int, default=20, help="team members the dispatch deadlines go to")
    parser.add_argument("--target-ms", type=float, default=50, help="target of each dashboard figure")
    parser.add_argument("--report-target-ms", type=float, default=1000, help="target of the periodic report")
    parser.add_argument("--plans", action="store_true", help="print every plan (those over the target always)")
    parser.add_argument("--idle-wait", type=float, default=0, metavar="SECONDS",
                        help="on a shared machine, wait up to this long before each measure for idle CPUs")
    parser.add_argument("--keep", action="store_true", help="keep the loaded database (PostgreSQL) for --reuse")
    parser.add_argument("--reuse", action="store_true",
                        help="measure the database a previous --keep run loaded, without loading again")
    parser.add_argument("--reload-history", action="store_true",
                        help="with --reuse: empty and load again the transitions, outcomes and deadlines")
    args = parser.parse_args()
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    if connection.vendor == "sqlite":
        connection.settings_dict["TEST"]["NAME"] = str(base.TMP / "bench.sqlite3")
    else:
        connection.settings_dict["TEST"]["NAME"] = PG_BENCH_DB
    old_name = connection.settings_dict["NAME"]
    if args.reuse:
        connection.close()
        settings.DATABASES["default"]["NAME"] = connection.settings_dict["NAME"] = PG_BENCH_DB
        call_command("migrate", verbosity=0)  # indexes added since the --keep run
    else:
        connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)
    try:
        run(args)
    finally:
        if not (args.keep or args.reuse):
            connection.creation.destroy_test_db(old_name, verbosity=0)
        shutil.rmtree(base.TMP, ignore_errors=True)


def run(args):
    from ungcuu.accounts import actions as accounts
    from ungcuu.accounts.models import Role

    vendor = connection.vendor
    n = args.incidents
    if args.reuse:
        from ungcuu.accounts.models import User

        officer = User.objects.get(username="officer")
        n = Incident.objects.count()
        load_rows = [("loading", f"reused the database of a --keep run ({n:,} incidents)")]
        if args.reload_history:
            members = list(User.objects.filter(username__startswith="member").order_by("pk"))
            load_rows += reload_history(officer, members)
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")
        measure_all(args, officer, n, load_rows)
        return
    print(f"{vendor}: set-up, then loading {n:,} incidents", flush=True)
    started = time.perf_counter()
    province, _organisations, systems = base.make_registry()
    officer = accounts.create_user(actor=None, username="officer", password=None, full_name="Trực ban",
                                   email="trucban@example.gov.vn", organisation=province,
                                   roles=[Role.STANDING_OFFICER])
    members = [accounts.create_user(actor=None, username=f"member{i}", password=None,
                                    full_name=f"{base.FAMILY[i % 16]} Văn {base.GIVEN[i % 26]}",
                                    email=f"member{i}@example.gov.vn", organisation=province,
                                    roles=[Role.TEAM_MEMBER]) for i in range(args.members)]
    base.Generator = procedure.ProcedureGenerator  # base.load() builds its rows with this
    load_rows = base.load(n, systems, officer)
    load_rows += load_history(officer, members)
    load_rows.append(("total set-up", f"{time.perf_counter() - started:.0f} s"))
    assert Incident.objects.count() == n
    measure_all(args, officer, n, load_rows)


def measure_all(args, officer, n, load_rows):
    vendor = connection.vendor
    data = describe()
    calibration = [base.calibrate()]
    print(f"  calibration loop {calibration[0]:.0f} ms; load average {os.getloadavg()[0]:.1f}; {data}", flush=True)
    rows, explained = run_measures(officer, args.repeat, args.target_ms, args.report_target_ms, args.plans,
                                   args.idle_wait)
    calibration.append(base.calibrate())

    print(f"\n### {vendor}, {n:,} incidents ({data['incidents_12m']:,} detected in the last 12 months and counted), "
          f"{data['transitions']:,} step transitions, {data['outcomes']:,} outcomes ({data['supporters']:,} "
          f"supporters), {data['deadlines']:,} deadlines ({data['open']:,} open, {data['overdue']:,} overdue)\n")
    print(f"Calibration (`sum(range(2_000_000))`, median of 15): {calibration[0]:.0f} ms before, "
          f"{calibration[1]:.0f} ms after.\n")
    print("| loading | |\n|---|---|")
    for label, value in load_rows:
        print(f"| {label} | {value} |")
    print(f"\n| measure ({args.repeat} calls after a warm-up, as the standing officer) | median | p90 | queries "
          "(median of their time) | target |\n|---|---|---|---|---|")
    for label, median, p90, count, db_ms, target, missed in rows:
        verdict = "" if target is None else (
            f"**missed** (< {target:,.0f} ms)" if missed else f"met (< {target:,.0f} ms)")
        print(f"| {label} | {median:.1f} ms | {p90:.1f} ms | {count} ({db_ms:.1f} ms) | {verdict} |")
    print("\nQueries of the figures and reports (time in the timed call; indexes of EXPLAIN ANALYZE):")
    for label, ms, sql, _params, _plan, indexes, _missed in explained:
        print(f"- {label}: {ms:.1f} ms, {', '.join(indexes) or 'no index (scan)'}: {sql[:160]}")


if __name__ == "__main__":
    main()

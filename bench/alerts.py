"""Benchmark alert intake (issue 6): alerts stored per second with de-duplication, in batches and one by one,
beside the raw rate of PostgreSQL COPY of the same rows.

    .venv/bin/python bench/alerts.py [--alerts 100000] [--batch 1000] [--serve-seconds 10]
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_alerts .venv/bin/python bench/alerts.py

Runs in a throw-away database created and dropped here: a SQLite file in a temporary directory, or the
PostgreSQL database `bench_alerts` (only the server DATABASE_URL names is used). The registry holds 30
systems; alerts name one of their addresses (resolved to the system, as in production), one or two
indicators and ~450 bytes of JSON. Measures:

- batch, action: `actions.receive_alerts` called directly with --batch alerts, grouping off (stored only);
- batch, action + grouping: the same, then `actions.group_alerts` as the request does after the commit;
- batch, API: POST /api/v1/alerts with --batch alerts per request through Django's test client (in-process:
  JSON parsing, auth, the action, grouping inline, the answer; no network);
- duplicates: the first batches sent again (every item answered "duplicate", nothing written);
- one by one, HTTP: `ungcuu serve` (no task worker) with the default 2 workers × 16 threads and 8, then 64
  clients, then 3 workers × 32 threads and 64 clients, each client POSTing one alert per request (each its
  own reference) over a keep-alive connection for --serve-seconds, with wrk (Debian's package) when
  installed, else a Python client; the alerts acknowledged are then counted in the database;
- batches over HTTP (3 × 32 server): 1,000 alerts per request, from 1 then 2 senders at once;
- COPY (PostgreSQL only): psycopg `cursor.copy` of the same rows, written as COPY text beforehand, into a
  copy of the alerts table with its unique constraint and indexes (CREATE TABLE … LIKE … INCLUDING ALL), and
  into a bare table of the same columns (no index): the rates the database itself reaches.
"""

import argparse
import http.client
import json
import os
import random
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from urllib.parse import quote

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ungcuu.settings")
TMP = Path(tempfile.mkdtemp(prefix="ungcuu-bench-alerts-"))
os.environ.setdefault("UNGCUU_DATA_DIR", str(TMP / "data"))

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402

PG_BENCH_DB = "bench_alerts"
RULES = ["sshd: brute force trying to get access to the system.", "Web server 400 error code.",
         "Multiple web server 400 error codes from same source ip.", "SQL injection attempt.",
         "Possible port scan", "Windows logon failure", "ClamAV: virus detected", "Integrity checksum changed."]


def make_registry():
    from ungcuu.accounts import actions as accounts
    from ungcuu.accounts.models import Role
    from ungcuu.registry import actions as registry

    province = registry.create_organisation(actor=None, name="UBND tỉnh", kind="province")
    office = registry.create_organisation(actor=None, name="PA05", kind="standing_office", parent=province)
    hosts = []
    for i in range(30):
        agency = registry.create_organisation(actor=None, name=f"Sở {i}", kind="provincial_agency", parent=province)
        registry.create_system(actor=None, name=f"Hệ thống {i}", owner=agency, operator=agency, level=2,
                               ip_ranges=[f"198.51.{i}.0/28"], domains=[f"he-thong-{i}.example.vn"])
        hosts += [f"198.51.{i}.{j}" for j in range(1, 6)] + [f"he-thong-{i}.example.vn"]
    officer = accounts.create_user(actor=None, username="soc", password=None, full_name="SOC",
                                   organisation=office, roles=[Role.STANDING_OFFICER])
    _token, raw = accounts.create_api_token(actor=None, user=officer)
    return officer, raw, hosts


def alerts(n: int, hosts, prefix: str, seed: int = 1) -> list[dict]:
    rng = random.Random(seed)
    rows = []
    for i in range(n):
        indicators = [{"kind": "ip", "value": f"192.0.2.{rng.randint(1, 254)}"}]
        if rng.random() < 0.3:
            indicators.append({"kind": "domain", "value": f"c2-{rng.randint(1, 50)}.bad.example"})
        rows.append({"source": "wazuh-soc-qn", "source_ref": f"{prefix}{i}", "title": rng.choice(RULES),
                     "description": f"Rule {rng.randint(1000, 99999)} fired on agent {rng.randint(1, 400)}; "
                                    "full log line of about a hundred characters as Wazuh would forward it.",
                     "severity": rng.choice(["low", "medium", "high"]), "host": rng.choice(hosts),
                     "observed_at": "2026-11-20T08:30:00+07:00", "indicators": indicators})
    return rows


def rate(count: int, seconds: float) -> str:
    return f"{count / seconds:,.0f}"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def database_url() -> str:
    db = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{Path(db['NAME']).resolve()}"
    auth = db["USER"] + (f":{quote(db['PASSWORD'], safe='')}" if db.get("PASSWORD") else "")
    return f"postgres://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


def post_load(port: int, token: str, bodies, clients: int, seconds: float, once: bool = False) -> dict:
    """Each client POSTs one body per request on its own keep-alive connection until time is up (with
    `once`, or until every body was sent once)."""
    stop = time.monotonic() + seconds
    counts = {"ok": 0, "other": 0}
    lock = threading.Lock()

    def worker(k):
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        ok = other = 0
        i = k
        while time.monotonic() < stop and not (once and i >= len(bodies)):
            body = bodies[i % len(bodies)]
            i += clients
            conn.request("POST", "/api/v1/alerts", body=body,
                         headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"})
            response = conn.getresponse()
            response.read()
            if response.status in (200, 201):
                ok += 1
            else:
                other += 1
        with lock:
            counts["ok"] += ok
            counts["other"] += other

    threads = [threading.Thread(target=worker, args=(k,)) for k in range(clients)]
    started = time.monotonic()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    counts["seconds"] = time.monotonic() - started
    return counts


WRK_SCRIPT = (ROOT / "bench" / "alerts_wrk.lua").read_text()  # %-format template: hosts, prefix, token


def wrk_load(port: int, token: str, hosts, prefix: str, clients: int, seconds: float) -> dict:
    script = TMP / f"{prefix}.lua"
    script.write_text(WRK_SCRIPT % {"hosts": ", ".join(f'"{h}"' for h in hosts), "prefix": prefix, "token": token})
    out = subprocess.run(["wrk", "-t1", f"-c{clients}", f"-d{max(1, round(seconds))}s", "-s", str(script),
                          f"http://127.0.0.1:{port}/"], capture_output=True, text=True, check=True).stdout
    requests, non2xx, socket_errors, duration = next(line for line in out.splitlines()
                                                     if line.startswith("RESULT")).split()[1:]
    return {"ok": int(requests) - int(non2xx), "other": int(non2xx) + int(socket_errors),
            "seconds": float(duration)}


def serve_one_by_one(token: str, hosts, seconds: float) -> list[tuple]:
    from ungcuu.alerts.models import Alert

    env = {**os.environ, "DATABASE_URL": database_url(), "UNGCUU_DATA_DIR": str(TMP / "serve"),
           "EMAIL_BACKEND": "django.core.mail.backends.dummy.EmailBackend"}
    use_wrk = shutil.which("wrk") is not None
    rows = []
    for workers, threads, clients in ((2, 16, 8), (2, 16, 64), (3, 32, 64)):
        port = free_port()
        log = open(TMP / "serve.log", "w")  # noqa: SIM115 (closed below)
        server = subprocess.Popen([sys.executable, "-m", "ungcuu.cli", "serve", "--no-collectstatic",
                                   "--no-access-log", "--no-worker", "--port", str(port), "--workers", str(workers),
                                   "--threads", str(threads)], env=env, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT)
        try:
            deadline = time.monotonic() + 60
            while True:
                try:
                    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
                    conn.request("GET", "/api/v1/me", headers={"Authorization": f"Bearer {token}"})
                    if conn.getresponse().status == 200:
                        break
                except OSError:
                    pass
                if time.monotonic() > deadline or server.poll() is not None:
                    raise RuntimeError(f"server did not start, see {log.name}")
                time.sleep(0.3)
            prefix = f"one-{workers}x{threads}-{clients}"  # each run its own references
            if use_wrk:
                wrk_load(port, token, hosts, prefix + "-warm", clients, 2)
                before = Alert.objects.count()
                result = wrk_load(port, token, hosts, prefix, clients, seconds)
            else:
                bodies = [json.dumps(a).encode() for a in alerts(200_000, hosts, prefix, seed=10 + workers)]
                post_load(port, token, bodies[-2000:], clients, 1)  # warm-up (these refs are not counted below)
                before = Alert.objects.count()
                result = post_load(port, token, bodies[:-2000], clients, seconds)
            stored = Alert.objects.count() - before
            rows.append((f"one by one, HTTP to `ungcuu serve` ({workers} workers × {threads} threads), {clients} "
                         f"clients ({'wrk' if use_wrk else 'Python client'})", result["ok"], stored,
                         result["other"], result["seconds"]))
            print(f"  one by one, {workers}×{threads}, {clients} clients: {rate(result['ok'], result['seconds'])} "
                  f"alerts/s, {stored} stored, {result['other']} errors", flush=True)
            if threads < 32:
                continue
            for senders in (1, 2):  # batches of 1,000 from one SOC, then from two at once
                data = alerts(1000 * 15 * senders * max(1, round(seconds)), hosts, f"{prefix}-b{senders}-",
                              seed=20 + senders)
                bodies = [json.dumps(data[i:i + 1000]).encode() for i in range(0, len(data), 1000)]
                before = Alert.objects.count()
                result = post_load(port, token, bodies, senders, seconds, once=True)
                stored = Alert.objects.count() - before
                rows.append((f"batches of 1,000, HTTP to `ungcuu serve` ({workers} × {threads}), {senders} "
                             f"sender(s) at once", result["ok"] * 1000, stored, result["other"], result["seconds"]))
                print(f"  batches, {senders} senders: {rate(result['ok'] * 1000, result['seconds'])} alerts/s, "
                      f"{stored} stored, {result['other']} errors", flush=True)
        finally:
            server.send_signal(signal.SIGTERM)
            try:
                server.wait(timeout=30)
            except subprocess.TimeoutExpired:
                server.kill()
                server.wait()
            log.close()
            text = (TMP / "serve.log").read_text()
            if "Traceback" in text or "ERROR" in text:
                print("  server log (errors):\n" + text[-3000:], flush=True)
    return rows


def copy_rate(rows: list[dict], officer) -> dict[str, float]:
    """COPY of the same rows (as the action would store them), written as COPY text beforehand, into a copy
    of the alerts table with its indexes, and into a bare table of the same columns."""
    from django.utils import timezone

    now = timezone.now().isoformat()
    columns = ["source", "source_ref", "format", "received_at", "observed_at", "received_by_id", "title",
               "description", "severity", "host", "system_id", "indicators", "raw", "status", "group_key",
               "note"]

    def text(value) -> str:
        if value is None:
            return "\\N"
        return str(value).replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n")

    data = "".join("\t".join(text(v) for v in (
        a["source"], a["source_ref"], "generic", now, now, officer.pk, a["title"], a["description"], a["severity"],
        a["host"], None, json.dumps(a["indicators"]), json.dumps(a), "new", "", "")) + "\n" for a in rows).encode()
    rates = {}
    raw = connection.connection
    for label, create in (("indexed", "CREATE TABLE bench_alert_copy (LIKE alerts_alert INCLUDING ALL)"),
                          ("bare", "CREATE TABLE bench_alert_copy (LIKE alerts_alert INCLUDING DEFAULTS "
                                   "INCLUDING IDENTITY)")):
        with connection.cursor() as cursor:
            cursor.execute("DROP TABLE IF EXISTS bench_alert_copy")
            cursor.execute(create)
        started = time.perf_counter()
        with raw.transaction(), raw.cursor() as cursor, cursor.copy(
                f"COPY bench_alert_copy ({', '.join(columns)}) FROM STDIN") as copy:
            for start in range(0, len(data), 1 << 20):
                copy.write(data[start:start + (1 << 20)])
        rates[label] = len(rows) / (time.perf_counter() - started)
        with connection.cursor() as cursor:
            cursor.execute("DROP TABLE bench_alert_copy")
    # Into the alerts table itself: its indexes and its foreign keys (checked at the commit, timed here).
    started = time.perf_counter()
    with raw.transaction(), raw.cursor() as cursor, cursor.copy(
            f"COPY alerts_alert ({', '.join(columns)}) FROM STDIN") as copy:
        for start in range(0, len(data), 1 << 20):
            copy.write(data[start:start + (1 << 20)])
    rates["table"] = len(rows) / (time.perf_counter() - started)
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM alerts_alert WHERE source_ref LIKE 'd-%%'")
    return rates


def run(args):
    from ungcuu.alerts import actions
    from ungcuu.alerts.models import Alert, AlertStatus, PendingAlert
    from ungcuu.incidents.models import Incident

    vendor = connection.vendor
    officer, token, hosts = make_registry()
    n, size = args.alerts, args.batch
    table = []

    data = alerts(n, hosts, "a-")
    started = time.perf_counter()
    for start in range(0, n, size):
        actions.receive_alerts(actor=officer, items=data[start:start + size], group=False)
    stored = time.perf_counter() - started
    started = time.perf_counter()
    while actions.group_alerts(actor=officer)["looked"]:
        pass
    grouped = time.perf_counter() - started
    table.append((f"batch of {size:,}, action, stored only", n, rate(n, stored)))
    table.append((f"grouping those {n:,} alerts afterwards (`group_alerts`)", n, rate(n, grouped)))
    table.append(("batch, action, stored + grouped", n, rate(n, stored + grouped)))

    data = alerts(n, hosts, "b-", seed=2)
    bodies = [json.dumps(data[start:start + size]) for start in range(0, n, size)]
    client = Client(headers={"authorization": f"Bearer {token}"})
    started = time.perf_counter()
    for body in bodies:
        response = client.post("/api/v1/alerts", data=body, content_type="application/json")
        assert response.status_code == 201, response.content[:300]
    api = time.perf_counter() - started
    table.append((f"batch of {size:,}, POST /api/v1/alerts (test client, grouping inline)", n, rate(n, api)))

    started = time.perf_counter()
    for body in bodies:
        response = client.post("/api/v1/alerts", data=body, content_type="application/json")
        assert response.status_code == 200 and response.json()["duplicate"] == size
    dup = time.perf_counter() - started
    table.append(("the same batches again (all duplicates), POST /api/v1/alerts", n, rate(n, dup)))
    assert Alert.objects.count() == 2 * n
    assert not PendingAlert.objects.exists()

    ndjson = "\n".join(json.dumps(a) for a in alerts(n, hosts, "c-", seed=3)).encode()
    lines = ndjson.split(b"\n")
    started = time.perf_counter()
    for start in range(0, n, size):
        response = client.post("/api/v1/alerts", data=b"\n".join(lines[start:start + size]),
                               content_type="application/x-ndjson")
        assert response.status_code == 201
    nd = time.perf_counter() - started
    table.append((f"batch of {size:,} as NDJSON, POST /api/v1/alerts", n, rate(n, nd)))

    if vendor == "postgresql" and not args.no_analyze:
        # As autovacuum would after this much writing: without fresh statistics the planner believes most
        # rows still wait for grouping and scans the table instead of the partial index of waiting alerts.
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE alerts_alert")
    serve_rows = [] if args.skip_serve else serve_one_by_one(token, hosts, args.serve_seconds)
    copy = copy_rate(alerts(n, hosts, "d-", seed=4), officer) if vendor == "postgresql" else None

    print(f"\n### {vendor}: {n:,} alerts per measure, {os.cpu_count()} CPUs, load average "
          f"{' '.join(f'{x:.1f}' for x in os.getloadavg())}\n")
    print("| measure | alerts | alerts/s |\n|---|---|---|")
    for label, count, value in table:
        print(f"| {label} | {count:,} | {value} |")
    for label, ok, stored_count, other, seconds in serve_rows:
        print(f"| {label}, {seconds:.0f} s | {ok:,} acknowledged (stored {stored_count:,}, errors {other}) | "
              f"{rate(ok, seconds)} |")
    if copy is not None:
        print(f"| PostgreSQL COPY of the same rows into a copy of the table (unique + indexes) | {n:,} | "
              f"{copy['indexed']:,.0f} |")
        print(f"| PostgreSQL COPY of the same rows into a bare table (no index) | {n:,} | {copy['bare']:,.0f} |")
        print(f"| PostgreSQL COPY of the same rows into the alerts table itself (indexes + foreign keys) | {n:,} | "
              f"{copy['table']:,.0f} |")
    print(f"\n{Incident.objects.count()} incidents opened; "
          f"{Alert.objects.filter(status=AlertStatus.NEW).count()} alerts waiting in the queue.")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--alerts", type=int, default=100_000)
    parser.add_argument("--batch", type=int, default=1000)
    parser.add_argument("--serve-seconds", type=float, default=10)
    parser.add_argument("--skip-serve", action="store_true")
    parser.add_argument("--no-analyze", action="store_true", help="no VACUUM ANALYZE before the HTTP measure")
    args = parser.parse_args()
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    if connection.vendor == "sqlite":
        connection.settings_dict["TEST"]["NAME"] = str(TMP / "bench.sqlite3")
    else:
        connection.settings_dict["TEST"]["NAME"] = PG_BENCH_DB
    old_name = connection.settings_dict["NAME"]
    connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)
    try:
        run(args)
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)
        shutil.rmtree(TMP, ignore_errors=True)


if __name__ == "__main__":
    main()

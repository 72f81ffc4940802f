"""Benchmark the registry: write rate through the actions, list/detail/resolve latency, audit verify.

    .venv/bin/python bench/registry.py [--systems 5000]
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/test .venv/bin/python bench/registry.py

Runs in a throw-away test database (created and dropped here). Prints a Markdown table row set.
"""

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ungcuu.settings")

import django

django.setup()

from django.conf import settings  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import setup_test_environment  # noqa: E402


def timed(fn, repeat: int) -> tuple[float, float]:
    """Median and 90th percentile in milliseconds."""
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - start) * 1000)
    samples.sort()
    return statistics.median(samples), samples[int(len(samples) * 0.9) - 1]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--systems", type=int, default=5000)
    args = parser.parse_args()
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    setup_test_environment()
    if connection.vendor == "sqlite":
        # A file, as in production, not the in-memory database Django tests use.
        connection.settings_dict["TEST"]["NAME"] = str(Path(settings.DATA_DIR) / "bench.sqlite3")
    old_name = connection.settings_dict["NAME"]
    connection.creation.create_test_db(verbosity=0, autoclobber=True)
    try:
        run(args.systems)
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)


def run(n_systems: int):
    from ungcuu.accounts import actions as accounts
    from ungcuu.accounts.models import Role
    from ungcuu.audit.models import verify_chain
    from ungcuu.registry import actions

    vendor = connection.vendor
    province = actions.create_organisation(actor=None, name="UBND tỉnh", kind="province")
    agencies = [actions.create_organisation(actor=None, name=f"Sở {i}", kind="provincial_agency", parent=province)
                for i in range(50)]
    officer = accounts.create_user(actor=None, username="officer", password=None, organisation=province,
                                   roles=[Role.STANDING_OFFICER])
    reporter = accounts.create_user(actor=None, username="reporter", password=None, organisation=agencies[7],
                                    roles=[Role.REPORTER])

    start = time.perf_counter()
    for i in range(n_systems):
        actions.create_system(
            actor=officer, name=f"Hệ thống {i:05d}", owner=agencies[i % 50], operator=agencies[i % 50],
            level=1 + i % 4, ip_ranges=[f"10.{i // 250}.{i % 250}.0/24"],
            domains=[f"ht{i}.example.vn", f"www.ht{i}.example.vn"], services=["web"])
    write_seconds = time.perf_counter() - start

    rows = []
    rows.append(("create_system through the action (audited)", f"{n_systems / write_seconds:,.0f} systems/s"))

    _t, raw = accounts.create_api_token(actor=None, user=officer)
    api = Client(headers={"authorization": f"Bearer {raw}"})
    web = Client()
    web.force_login(officer)
    outsider_web = Client()
    outsider_web.force_login(reporter)
    deep_page = max(1, n_systems // settings.PAGE_SIZE)

    def check(client, url):
        def fn():
            response = client.get(url)
            assert response.status_code == 200, (url, response.status_code)
        return fn

    cases = [
        ("GET /api/v1/systems (page 1)", check(api, "/api/v1/systems"), 50),
        (f"GET /api/v1/systems?page={deep_page} (last page)", check(api, f"/api/v1/systems?page={deep_page}"), 50),
        ("GET /api/v1/systems/{id}", check(api, "/api/v1/systems/1234"), 100),
        ("GET /api/v1/systems/resolve?q=<IP>", check(api, "/api/v1/systems/resolve?q=10.7.77.5"), 200),
        ("GET /api/v1/systems/resolve?q=<sub-domain>",
         check(api, "/api/v1/systems/resolve?q=mail.www.ht4321.example.vn"), 200),
        ("web /registry/systems/ (page 1)", check(web, "/registry/systems/"), 50),
        ("web /registry/systems/?q=… (name filter)", check(web, "/registry/systems/?q=4321"), 50),
        ("web /registry/systems/ as an agency reporter", check(outsider_web, "/registry/systems/"), 50),
    ]
    for label, fn, repeat in cases:
        fn()  # warm-up
        median, p90 = timed(fn, repeat)
        rows.append((label, f"median {median:.1f} ms, p90 {p90:.1f} ms"))

    start = time.perf_counter()
    report = verify_chain()
    seconds = time.perf_counter() - start
    assert report.ok
    rows.append(("audit verify", f"{report.checked:,} entries in {seconds:.2f} s "
                                 f"({report.checked / seconds:,.0f} entries/s)"))

    print(f"\n### {vendor}, {n_systems:,} systems, {len(agencies)} agencies\n")
    print("| measure | result |\n|---|---|")
    for label, value in rows:
        print(f"| {label} | {value} |")


if __name__ == "__main__":
    main()

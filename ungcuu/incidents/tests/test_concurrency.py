"""Reference numbers under concurrent reports (PostgreSQL, the production database: row locks are real)."""

import threading

import pytest
from django.db import connection, connections

from ungcuu.incidents.models import Incident
from ungcuu.incidents.tests.helpers import make_incident

pytestmark = pytest.mark.skipif(connection.vendor != "postgresql",
                                reason="SQLite serialises every writer; the race exists only on PostgreSQL")


@pytest.mark.django_db(transaction=True)
def test_concurrent_reports_get_distinct_consecutive_numbers(province, settings, tmp_path):
    settings.EVIDENCE_ROOT = tmp_path
    reporters = 8
    barrier = threading.Barrier(reporters)
    failures = []

    def report():
        try:
            barrier.wait(timeout=10)
            make_incident(province.reporter)
        except Exception as exc:
            failures.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=report) for _ in range(reporters)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert failures == []
    numbers = sorted(Incident.objects.values_list("number", flat=True))
    assert numbers == list(range(1, reporters + 1))  # unique and without gaps

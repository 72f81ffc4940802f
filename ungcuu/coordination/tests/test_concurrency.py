"""Order numbers under concurrent issue (PostgreSQL, the production database: row locks are real)."""

import threading

import pytest
from django.db import connection, connections

from ungcuu.coordination.models import CoordinationOrder
from ungcuu.coordination.tests.helpers import issue
from ungcuu.demo import ensure_reference_data
from ungcuu.incidents.tests.helpers import make_incident

pytestmark = pytest.mark.skipif(connection.vendor != "postgresql",
                                reason="SQLite serialises every writer; the race exists only on PostgreSQL")


@pytest.mark.django_db(transaction=True)
def test_concurrent_orders_get_distinct_consecutive_numbers(province):
    ensure_reference_data()  # an earlier transactional test's flush emptied the deadline rules
    incident = make_incident(province.reporter)
    writers = 8
    barrier = threading.Barrier(writers)
    failures = []

    def write(actor):
        try:
            barrier.wait(timeout=10)
            issue(province, incident, actor=actor, channel="phone", urgent=True)
        except Exception as exc:
            failures.append(exc)
        finally:
            connections.close_all()

    actors = [province.lead, province.officer, province.deputy] * 3
    threads = [threading.Thread(target=write, args=(actors[n],)) for n in range(writers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert failures == []
    numbers = sorted(CoordinationOrder.objects.values_list("number", flat=True))
    assert numbers == list(range(1, writers + 1))  # unique and without gaps

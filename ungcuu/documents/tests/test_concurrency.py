"""Document numbers under concurrent issue (PostgreSQL, the production database: row locks are real)."""

import threading

import pytest
from django.db import connection, connections

from ungcuu.demo import ensure_reference_data
from ungcuu.documents.models import Document
from ungcuu.documents.tests.helpers import issue, triaged

pytestmark = pytest.mark.skipif(connection.vendor != "postgresql",
                                reason="SQLite serialises every writer; the race exists only on PostgreSQL")


@pytest.mark.django_db(transaction=True)
def test_concurrent_documents_get_distinct_consecutive_numbers(province):
    ensure_reference_data()  # an earlier transactional test's flush emptied the deadline rules
    incident = triaged(province)
    writers = 6
    barrier = threading.Barrier(writers)
    failures = []

    def write(actor):
        try:
            barrier.wait(timeout=10)
            issue(province, incident, actor=actor)
        except Exception as exc:
            failures.append(exc)
        finally:
            connections.close_all()

    actors = [province.lead, province.officer, province.deputy] * 2
    threads = [threading.Thread(target=write, args=(actors[n],)) for n in range(writers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert failures == []
    references = sorted(Document.objects.values_list("reference", flat=True))
    assert references == [f"{n:02d}/BC-ĐƯCSC" for n in range(1, writers + 1)]  # unique and without gaps

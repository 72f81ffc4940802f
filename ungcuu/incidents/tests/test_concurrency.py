"""Reference numbers under concurrent reports (PostgreSQL, the production database: row locks are real)."""

import threading
import time

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, connections, transaction

from ungcuu.incidents import actions
from ungcuu.incidents.models import Incident, IncidentStatus
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


@pytest.mark.django_db(transaction=True)
def test_opposite_merges_at_the_same_time_do_not_deadlock(province, settings, tmp_path):
    settings.EVIDENCE_ROOT = tmp_path
    first, second = make_incident(province.reporter), make_incident(province.reporter)
    holding, release = threading.Event(), threading.Event()
    failures, refused = [], []

    def hold_both():
        # Both merges start while the rows are taken, so that they ask for their locks at the same moment.
        try:
            with transaction.atomic():
                list(Incident.objects.select_for_update().filter(pk__in=[first.pk, second.pk]))
                holding.set()
                release.wait(timeout=10)
        finally:
            connections.close_all()

    def merge(duplicate, into):
        try:
            actions.merge_incident(actor=province.officer, duplicate=duplicate, into=into)
        except ValidationError:
            refused.append(duplicate.pk)  # the other merge won: this one is refused, as it should be
        except Exception as exc:
            failures.append(exc)
        finally:
            connections.close_all()

    holder = threading.Thread(target=hold_both)
    holder.start()
    assert holding.wait(timeout=10)
    merges = [threading.Thread(target=merge, args=pair) for pair in ((first, second), (second, first))]
    for thread in merges:
        thread.start()
    time.sleep(0.5)  # both merges are now waiting for the rows
    release.set()
    for thread in [holder, *merges]:
        thread.join(timeout=30)

    assert failures == []
    assert len(refused) == 1
    statuses = sorted(Incident.objects.filter(pk__in=[first.pk, second.pk]).values_list("status", flat=True))
    assert statuses.count(IncidentStatus.MERGED) == 1

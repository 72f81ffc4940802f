"""Grouping alerts into incidents: by system, by shared indicator, within the administrator's window."""

import json
import time

import pytest
from django.core.exceptions import PermissionDenied
from django.db.models import Count

from ungcuu.alerts import actions
from ungcuu.alerts.models import Alert, AlertSettings, AlertStatus, PendingAlert
from ungcuu.alerts.tests.helpers import generic_alert
from ungcuu.audit.models import AuditEntry
from ungcuu.incidents.models import Incident
from ungcuu.registry import actions as registry_actions


def send(client, alerts):
    response = client.post("/api/v1/alerts", data=json.dumps(alerts), content_type="application/json")
    assert response.status_code in (200, 201), response.content
    return response.json()


@pytest.mark.django_db
def test_ten_thousand_alerts_about_three_systems_make_three_incidents(province, api_for):
    portal = registry_actions.create_system(actor=None, name="Cổng thông tin tỉnh", owner=province.province,
                                            operator=province.province, level=2, ip_ranges=["192.0.2.128/25"])
    hosts = ["198.51.100.5", "203.0.113.3", "192.0.2.200"]
    client = api_for(province.officer)
    started = time.monotonic()
    for batch in range(10):
        alerts = [generic_alert(f"{batch}-{i}", host=hosts[i % 3], indicators=[],
                                observed_at=f"2026-11-20T08:{(batch * 1000 + i) * 30 // 10_000:02d}:00+07:00")
                  for i in range(1000)]
        assert send(client, alerts)["created"] == 1000
    elapsed = time.monotonic() - started
    assert Alert.objects.count() == 10_000
    incidents = {i.system_id: i for i in Incident.objects.all()}
    assert set(incidents) == {province.his.pk, province.budget.pk, portal.pk}
    per_incident = {row["incident__system_id"]: row["n"]
                    for row in Alert.objects.values("incident__system_id").annotate(n=Count("id"))}
    assert per_incident == {province.his.pk: 3340, province.budget.pk: 3330, portal.pk: 3330}
    assert not Alert.objects.filter(status=AlertStatus.NEW).exists()
    assert not PendingAlert.objects.exists()
    assert elapsed < 20, f"{elapsed:.1f} s"


@pytest.mark.django_db
def test_alerts_further_apart_than_the_window_open_a_new_incident(province, api_for):
    client = api_for(province.officer)
    send(client, [generic_alert(1, observed_at="2026-11-20T08:00:00+07:00"),
                  generic_alert(2, observed_at="2026-11-20T08:50:00+07:00"),
                  generic_alert(3, observed_at="2026-11-20T10:00:00+07:00")])
    refs = dict(Alert.objects.values_list("source_ref", "incident__reference"))
    assert refs["1"] == refs["2"] != refs["3"]
    assert Incident.objects.count() == 2


@pytest.mark.django_db
def test_the_administrator_sets_the_window(province, api_for):
    actions.update_alert_settings(actor=province.admin, group_window_minutes=180, incident_min_severity="medium")
    send(api_for(province.officer), [generic_alert(1, observed_at="2026-11-20T08:00:00+07:00"),
                                     generic_alert(3, observed_at="2026-11-20T10:00:00+07:00")])
    assert Incident.objects.count() == 1
    assert AuditEntry.objects.filter(action="alerts.settings").exists()
    with pytest.raises(PermissionDenied):
        actions.update_alert_settings(actor=province.officer, group_window_minutes=5, incident_min_severity="low")
    assert AlertSettings.current().group_window_minutes == 180


@pytest.mark.django_db
def test_alerts_without_a_known_system_are_grouped_by_a_shared_indicator(province, api_for):
    ioc = [{"kind": "domain", "value": "c2.bad.example"}]
    send(api_for(province.officer), [generic_alert(1, host="", indicators=ioc),
                                     generic_alert(2, host="10.9.9.9", indicators=ioc),
                                     generic_alert(3, host="", indicators=[{"kind": "ip", "value": "192.0.2.77"}])])
    refs = dict(Alert.objects.values_list("source_ref", "incident__reference"))
    assert refs["1"] == refs["2"] != refs["3"]
    assert Incident.objects.filter(system__isnull=True).count() == 2


@pytest.mark.django_db
def test_minor_alerts_join_an_open_incident_but_do_not_open_one(province, api_for):
    client = api_for(province.officer)
    send(client, [generic_alert(1, severity="low", host="203.0.113.2"), generic_alert(2, severity="info")])
    assert Incident.objects.count() == 0
    assert set(Alert.objects.values_list("status", flat=True)) == {AlertStatus.NEW}
    send(client, [generic_alert(3, severity="critical"), generic_alert(4, severity="low")])
    refs = dict(Alert.objects.values_list("source_ref", "incident__reference"))
    assert refs["3"] == refs["4"] and refs["1"] is None
    # An alert that had waited is not pulled in later: it was already looked at, and waits for a person.
    assert Alert.objects.get(source_ref="2").status == AlertStatus.NEW


@pytest.mark.django_db
def test_alerts_of_a_closed_incident_group_open_a_new_one(province, api_for):
    client = api_for(province.officer)
    send(client, [generic_alert(1)])
    Incident.objects.update(status="rejected")
    send(client, [generic_alert(2)])
    assert Incident.objects.count() == 2


@pytest.mark.django_db
def test_grouping_writes_one_audit_entry_per_batch_not_per_alert(province, api_for):
    send(api_for(province.officer), [generic_alert(i, host=["198.51.100.5", "203.0.113.2"][i % 2]) for i in range(30)])
    entry = AuditEntry.objects.get(action="alerts.group")
    assert sorted(entry.changes["incidents"].values()) == [15, 15]
    assert AuditEntry.objects.filter(action="incidents.report").count() == 2


@pytest.mark.django_db
def test_alerts_left_waiting_by_a_crash_are_grouped_by_the_task(province, api_for, run_tasks):
    results = actions.receive_alerts(actor=province.officer, items=[generic_alert(1), generic_alert(2)], group=False)
    assert {r["status"] for r in results} == {"created"}
    assert PendingAlert.objects.count() == 2
    from ungcuu.alerts.tasks import group_alerts_task

    group_alerts_task.enqueue()
    run_tasks()
    assert Incident.objects.count() == 1
    assert set(Alert.objects.values_list("status", flat=True)) == {AlertStatus.GROUPED}


@pytest.mark.django_db(transaction=True)
def test_concurrent_batches_about_one_system_open_one_incident(province):
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("SQLite runs one writer at a time; the race needs PostgreSQL")
    import threading

    barrier = threading.Barrier(4)
    errors = []

    def send_batch(n):
        from django.db import connection as thread_connection

        try:
            barrier.wait()
            actions.receive_alerts(actor=province.officer, items=[generic_alert(f"{n}-{i}") for i in range(100)])
        except Exception as exc:  # reported below
            errors.append(exc)
        finally:
            thread_connection.close()

    threads = [threading.Thread(target=send_batch, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    # Requests that found the lock taken left their alerts to the one holding it, which looked again.
    assert not PendingAlert.objects.exists()
    assert Incident.objects.count() == 1
    assert Alert.objects.filter(incident__isnull=False).count() == 400

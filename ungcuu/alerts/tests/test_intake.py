"""POST /api/v1/alerts: batches, NDJSON, idempotency, per-item answers, the three formats."""

import json

import pytest

from ungcuu.alerts.models import Alert, AlertStatus
from ungcuu.alerts.tests.helpers import generic_alert, thehive_alert, wazuh_alert
from ungcuu.audit.models import AuditEntry
from ungcuu.incidents.models import Channel, Incident

URL = "/api/v1/alerts"


def post(client, body, content_type="application/json", **query):
    data = body if isinstance(body, (str, bytes)) else json.dumps(body)
    suffix = "?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else ""
    return client.post(URL + suffix, data=data, content_type=content_type, headers={"accept-language": "en"})


@pytest.mark.django_db
def test_the_same_batch_sent_twice_creates_nothing_new(province, api_for):
    client = api_for(province.officer)
    batch = [generic_alert(i) for i in range(50)]
    first = post(client, batch)
    assert first.status_code == 201
    assert first.json()["created"] == 50
    counts = (Alert.objects.count(), Incident.objects.count(), AuditEntry.objects.count())
    second = post(client, batch)
    assert second.status_code == 200
    body = second.json()
    assert body["created"] == 0 and body["duplicate"] == 50
    assert [item["id"] for item in body["items"]] == [item["id"] for item in first.json()["items"]]
    assert (Alert.objects.count(), Incident.objects.count(), AuditEntry.objects.count()) == counts


@pytest.mark.django_db
def test_invalid_items_are_refused_one_by_one_and_the_valid_ones_stored(province, api_for):
    client = api_for(province.officer)
    batch = [generic_alert(1), {"source": "x", "title": "no reference"}, "not an object",
             generic_alert(2, severity="apocalyptic"), generic_alert(1)]
    response = post(client, batch)
    assert response.status_code == 201
    items = response.json()["items"]
    assert [i["status"] for i in items] == ["created", "invalid", "invalid", "invalid", "duplicate"]
    assert items[1]["errors"] == {"source_ref": ["This field is required."]}
    assert "severity" in items[3]["errors"]
    assert sorted(Alert.objects.values_list("source_ref", flat=True)) == ["1"]


@pytest.mark.django_db
def test_ndjson_lines_are_taken_and_a_broken_line_is_reported(province, api_for):
    client = api_for(province.officer)
    body = "\n".join([json.dumps(generic_alert(1)), "{broken", json.dumps(generic_alert(2)), ""])
    response = post(client, body, content_type="application/x-ndjson")
    assert response.status_code == 201
    assert [i["status"] for i in response.json()["items"]] == ["created", "invalid", "created"]


@pytest.mark.django_db
def test_a_body_that_is_not_json_is_refused_and_nothing_stored(province, api_for):
    response = post(api_for(province.officer), "{nope")
    assert response.status_code == 422
    assert Alert.objects.count() == 0


@pytest.mark.django_db
def test_only_the_team_accounts_may_send_alerts(province, api_for, client):
    assert post(client, [generic_alert(1)]).status_code == 401
    for user in (province.reporter, province.outsider, province.member, province.auditor):
        assert post(api_for(user), [generic_alert(1)]).status_code == 403
    assert post(api_for(province.admin), [generic_alert(1)]).status_code == 201
    assert Alert.objects.count() == 1


@pytest.mark.django_db
def test_the_affected_system_is_found_from_the_host_ip_or_domain(province, api_for):
    client = api_for(province.officer)
    post(client, [generic_alert(1, host="198.51.100.7"), generic_alert(2, host="https://his.example.vn/login"),
                  generic_alert(3, host="203.0.113.2"), generic_alert(4, host="192.0.2.200", indicators=[])])
    systems = dict(Alert.objects.values_list("source_ref", "system__name"))
    assert systems == {"1": "HIS bệnh viện", "2": "HIS bệnh viện", "3": "Quản lý ngân sách", "4": None}


@pytest.mark.django_db
def test_a_wazuh_alert_is_read_from_its_alerts_json_shape(province, api_for):
    response = post(api_for(province.officer), wazuh_alert())
    assert response.status_code == 201
    alert = Alert.objects.get()
    assert (alert.source, alert.source_ref, alert.format) == ("wazuh-wazuh-qn", "1700000000.1234", "wazuh")
    assert alert.title == "sshd: brute force trying to get access to the system."
    assert alert.severity == "high" and alert.system == province.his
    assert {"kind": "ip", "value": "192.0.2.10"} in alert.indicators
    assert alert.observed_at.isoformat() == "2026-11-20T01:30:12.345000+00:00"
    assert alert.raw["rule"]["id"] == "5712"


@pytest.mark.django_db
def test_a_wazuh_source_can_be_named_in_the_query(province, api_for):
    post(api_for(province.officer), [wazuh_alert("1"), wazuh_alert("2")], source="wazuh-soc-qn", format="wazuh")
    assert set(Alert.objects.values_list("source", flat=True)) == {"wazuh-soc-qn"}


@pytest.mark.django_db
def test_a_thehive_alert_is_read_in_the_generic_endpoint_too(province, api_for):
    post(api_for(province.officer), thehive_alert())
    alert = Alert.objects.get()
    assert (alert.source, alert.source_ref, alert.format, alert.severity) == (
        "soc-quoc-gia", "external/case-42", "thehive", "high")
    assert alert.system == province.his  # from the domain observable


@pytest.mark.django_db
def test_the_alert_is_read_back_through_the_api(province, api_for):
    client = api_for(province.officer)
    created = post(client, generic_alert(1)).json()["items"][0]
    body = client.get(f"{URL}/{created['id']}").json()
    assert body["source_ref"] == "1" and body["status"] == AlertStatus.GROUPED
    assert body["incident"] == Incident.objects.get().reference
    assert api_for(province.outsider).get(f"{URL}/{created['id']}").status_code == 404


@pytest.mark.django_db
def test_the_first_alert_of_a_group_makes_an_incident_through_the_intake_action(province, api_for):
    post(api_for(province.officer), generic_alert(1))
    incident = Incident.objects.get()
    assert incident.channel == Channel.MONITORING
    assert incident.system == province.his
    assert incident.organisation == province.health
    assert incident.reference.startswith("SC-")
    assert incident.submissions.get().payload["reporter_name"].endswith("wazuh-soc-qn")


@pytest.mark.django_db
def test_text_a_database_cannot_hold_is_made_storable_not_lost(province, api_for):
    body = json.dumps([generic_alert(1, title="NUL\u0000here", description="half \ud800 pair",
                                     extra={"score": float("nan"), "s": "\ud800"})])
    assert post(api_for(province.officer), body).status_code == 201
    alert = Alert.objects.get()
    assert alert.title == "NULhere" and alert.description == "half \ufffd pair"
    assert alert.raw["extra"] == {"score": "NaN", "s": "\ufffd"}


@pytest.mark.django_db
def test_a_batch_mixing_stored_and_new_alerts_stores_only_the_new_ones(province, api_for):
    """On PostgreSQL a batch is first written optimistically; one already-stored alert in it makes the write
    fail and the batch go again with the duplicates set aside: nothing is lost, nothing doubled."""
    client = api_for(province.officer)
    first = post(client, [generic_alert(i) for i in range(30)]).json()
    incidents = Incident.objects.count()
    answer = post(client, [generic_alert(i) for i in range(60)])
    assert answer.status_code == 201
    body = answer.json()
    assert (body["created"], body["duplicate"]) == (30, 30)
    assert [item["id"] for item in body["items"][:30]] == [item["id"] for item in first["items"]]
    assert Alert.objects.count() == 60
    assert Incident.objects.count() == incidents  # the new ones joined the same system's incident
    assert set(Alert.objects.values_list("status", flat=True)) == {AlertStatus.GROUPED}


@pytest.mark.django_db
def test_references_that_are_very_large_numbers_stay_distinct(province, api_for):
    """JSON numbers of 2^64 and more are kept exact (a float would make two references read the same)."""
    body = '[' + ", ".join(f'{{"source": "siem", "source_ref": {n}, "title": "t", "severity": "low"}}'
                           for n in (123456789012345678901, 123456789012345678902)) + ']'
    answer = post(api_for(province.officer), body)
    assert answer.status_code == 201 and answer.json()["created"] == 2
    assert sorted(Alert.objects.values_list("source_ref", flat=True)) == ["123456789012345678901",
                                                                          "123456789012345678902"]
    alert = Alert.objects.get(source_ref="123456789012345678901")
    detail = api_for(province.officer).get(f"/api/v1/alerts/{alert.pk}")
    assert detail.status_code == 200 and detail.json()["raw"]["source_ref"] == 123456789012345678901


@pytest.mark.django_db
def test_a_database_error_while_grouping_leaves_the_alerts_stored_and_waiting(province, api_for, monkeypatch):
    """Deciding the groups fails with a database error: the batch is still stored (waiting for the task)."""
    from django.db import connection

    from ungcuu.alerts import actions
    from ungcuu.alerts.models import PendingAlert

    def broken(self, keys, rules):
        with connection.cursor() as cursor:
            cursor.execute("SELECT * FROM no_such_table")

    monkeypatch.setattr(actions._Placement, "__init__", broken)
    for size in (5, 30):  # the checked write, and PostgreSQL's optimistic COPY
        answer = post(api_for(province.officer), [generic_alert(f"db{size}-{i}") for i in range(size)])
        assert answer.status_code == 201 and answer.json()["created"] == size
    assert Alert.objects.count() == PendingAlert.objects.count() == 35

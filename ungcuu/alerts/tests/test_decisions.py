"""People's decisions on alerts: move (merge) into another incident, split out, dismiss; the pages."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from ungcuu.alerts import actions
from ungcuu.alerts.models import Alert, AlertStatus
from ungcuu.alerts.tests.helpers import generic_alert
from ungcuu.audit.models import AuditEntry
from ungcuu.incidents.models import Incident
from ungcuu.incidents.tests.helpers import make_incident


def receive(province, alerts):
    return actions.receive_alerts(actor=province.officer, items=alerts)


@pytest.mark.django_db
def test_alerts_moved_into_another_incident_belong_to_that_one_only(province):
    receive(province, [generic_alert(i) for i in range(3)])
    grouped = Incident.objects.get()
    other = make_incident(actor=province.officer)
    moved = list(Alert.objects.order_by("id")[:2])
    assert actions.move_alerts(actor=province.officer, alerts=moved, incident=other) == 2
    assert dict(Alert.objects.values_list("source_ref", "incident_id")) == {"0": other.pk, "1": other.pk,
                                                                          "2": grouped.pk}
    entry = AuditEntry.objects.get(action="alerts.move")
    assert entry.changes["from"] == [grouped.reference]
    # Moving again changes nothing and is not counted twice.
    assert actions.move_alerts(actor=province.officer, alerts=moved, incident=other) == 0


@pytest.mark.django_db
def test_a_group_moved_whole_is_followed_by_its_later_alerts_and_a_partial_move_is_not(province):
    receive(province, [generic_alert(i) for i in range(3)])
    first = Incident.objects.get()
    other = make_incident(actor=province.officer)
    # Two of three moved: the group stays with the first incident.
    actions.move_alerts(actor=province.officer, alerts=list(Alert.objects.order_by("id")[:2]), incident=other)
    receive(province, [generic_alert("later-1")])
    assert Alert.objects.get(source_ref="later-1").incident == first
    # The rest moved too: the group follows, and the next alert about the system goes to the other incident.
    actions.move_alerts(actor=province.officer, alerts=list(Alert.objects.filter(incident=first)), incident=other)
    receive(province, [generic_alert("later-2")])
    assert Alert.objects.get(source_ref="later-2").incident == other
    assert AuditEntry.objects.filter(action="alerts.move").order_by("seq").last().changes["groups"] == [
        f"system:{province.his.pk}"]


@pytest.mark.django_db
def test_an_alert_split_out_gets_a_new_incident_of_its_own(province):
    receive(province, [generic_alert(i) for i in range(3)])
    first = Incident.objects.get()
    alert = Alert.objects.get(source_ref="1")
    new = actions.split_alert(actor=province.officer, alert=alert)
    assert new.pk != first.pk and new.system == province.his
    assert Alert.objects.filter(incident=first).count() == 2
    assert Alert.objects.filter(incident=new).count() == 1
    assert AuditEntry.objects.filter(action="alerts.split").exists()


@pytest.mark.django_db
def test_only_new_alerts_are_dismissed_and_a_reason_is_required(province):
    receive(province, [generic_alert(1), generic_alert(2, severity="low", host="", indicators=[])])
    waiting = Alert.objects.get(source_ref="2")
    assert waiting.status == AlertStatus.NEW
    with pytest.raises(ValidationError):
        actions.dismiss_alerts(actor=province.officer, alerts=[waiting], reason=" ")
    with pytest.raises(ValidationError):
        actions.dismiss_alerts(actor=province.officer, alerts=[Alert.objects.get(source_ref="1")], reason="noise")
    assert actions.dismiss_alerts(actor=province.officer, alerts=[waiting], reason="Quét định kỳ") == 1
    waiting.refresh_from_db()
    assert (waiting.status, waiting.note) == (AlertStatus.DISMISSED, "Quét định kỳ")


@pytest.mark.parametrize("persona", ["member", "reporter", "outsider", "auditor", "admin"])
@pytest.mark.django_db
def test_only_the_triage_roles_decide_on_alerts(province, persona):
    receive(province, [generic_alert(1)])
    user = getattr(province, persona)
    alert = Alert.objects.get()
    with pytest.raises(PermissionDenied):
        actions.split_alert(actor=user, alert=alert)
    with pytest.raises(PermissionDenied):
        actions.dismiss_alerts(actor=user, alerts=[alert], reason="x")


@pytest.mark.django_db
def test_the_triage_queue_shows_waiting_alerts_with_bounded_queries(province, client_for,
                                                                    django_assert_max_num_queries):
    client = client_for(province.officer)
    receive(province, [generic_alert(i, severity="low", host=f"198.51.100.{i % 10}") for i in range(5)])
    with django_assert_max_num_queries(12):
        small = client.get("/alerts/")
    receive(province, [generic_alert(f"b{i}", severity="low", host=f"203.0.113.{i % 5}") for i in range(120)])
    with django_assert_max_num_queries(12):
        big = client.get("/alerts/")
    assert small.status_code == big.status_code == 200
    assert big.content.decode().count('name="alert"') == 50  # one page
    filtered = client.get("/alerts/", {"system": province.budget.pk, "severity": "low", "source": "wazuh-soc-qn"})
    assert filtered.content.decode().count('name="alert"') == 50
    assert "198.51.100" not in filtered.content.decode()


@pytest.mark.django_db
def test_outsiders_do_not_see_the_queue_or_an_alert(province, client_for):
    receive(province, [generic_alert(1)])
    alert = Alert.objects.get()
    for user in (province.reporter, province.outsider, province.owner):
        client = client_for(user)
        assert client.get("/alerts/").status_code == 403
        assert client.get(f"/alerts/{alert.pk}/").status_code == 403


@pytest.mark.django_db
def test_the_officer_moves_and_dismisses_from_the_queue_page(province, client_for):
    receive(province, [generic_alert(1, severity="low"), generic_alert(2, severity="low")])
    incident = make_incident(actor=province.officer)
    client = client_for(province.officer)
    one, two = Alert.objects.order_by("id")
    client.post("/alerts/act/", {"alert": [one.pk], "action": "move", "reference": incident.reference.lower()})
    client.post("/alerts/act/", {"alert": [two.pk], "action": "dismiss", "reason": "Báo động giả"})
    assert Alert.objects.get(pk=one.pk).incident == incident
    assert Alert.objects.get(pk=two.pk).status == AlertStatus.DISMISSED
    page = client.get(f"/alerts/{one.pk}/").content.decode()
    assert incident.reference in page


@pytest.mark.django_db
def test_split_from_the_alert_page_opens_the_new_incident(province, client_for):
    receive(province, [generic_alert(1, severity="low")])
    alert = Alert.objects.get()
    response = client_for(province.officer).post(f"/alerts/{alert.pk}/split/")
    incident = Incident.objects.get()
    assert response.status_code == 302 and incident.reference in response["Location"]


@pytest.mark.django_db
def test_the_incident_page_lists_its_alerts(province, client_for, django_assert_max_num_queries):
    receive(province, [generic_alert(i) for i in range(25)])
    incident = Incident.objects.get()
    from ungcuu.alerts.views import incident_panel_context

    with django_assert_max_num_queries(3):
        panel = incident_panel_context(province.officer, incident)["alerts_panel"]
        assert panel["count"] == 25 and len(panel["latest"]) == 20
    page = client_for(province.officer).get(f"/incidents/{incident.reference}/")
    assert page.status_code == 200
    assert 'id="incident-alerts"' in page.content.decode()
    assert incident_panel_context(province.reporter, incident) == {"alerts_panel": None}


@pytest.mark.django_db
def test_the_administrator_changes_the_window_on_the_settings_page(province, client_for):
    response = client_for(province.admin).post("/alerts/settings/", {"group_window_minutes": 30,
                                                                    "incident_min_severity": "high"})
    assert response.status_code == 302
    from ungcuu.alerts.models import AlertSettings

    assert (AlertSettings.current().group_window_minutes, AlertSettings.current().incident_min_severity) == (
        30, "high")
    assert client_for(province.officer).get("/alerts/settings/").status_code == 403

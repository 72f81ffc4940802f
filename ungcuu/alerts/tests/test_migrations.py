"""The data migration that puts TheHive's type into stored references (alerts 0006)."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE = [("alerts", "0005_fewer_indexes")]
AFTER = [("alerts", "0006_thehive_type_in_reference")]


@pytest.mark.django_db(transaction=True)
def test_stored_thehive_alerts_get_their_type_in_the_reference_and_are_still_recognised(province):
    from ungcuu.alerts import actions
    from ungcuu.alerts.tests.helpers import thehive_alert

    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    old = executor.loader.project_state(BEFORE).apps.get_model("alerts", "Alert")
    old.objects.create(source="soc-quoc-gia", source_ref="case-42", format="thehive", title="C2",
                       received_at="2026-11-20T01:30:00Z", raw=thehive_alert("case-42"))
    old.objects.create(source="wazuh-qn", source_ref="1700.1", format="wazuh", title="sshd",
                       received_at="2026-11-20T01:30:00Z", raw={"id": "1700.1"})
    # A reference that already starts with its type gets it in front all the same, as new alerts do.
    old.objects.create(source="soc-quoc-gia", source_ref="alert/7", format="thehive", title="C2",
                       received_at="2026-11-20T01:30:00Z", raw=thehive_alert("alert/7", type="alert"))
    executor = MigrationExecutor(connection)
    executor.migrate(AFTER)
    from ungcuu.alerts.models import Alert

    assert sorted(Alert.objects.values_list("source_ref", flat=True)) == ["1700.1", "alert/alert/7",
                                                                          "external/case-42"]
    # The same TheHive alerts sent again after the upgrade are duplicates, not new alerts.
    results = actions.receive_alerts(actor=province.officer,
                                     items=[thehive_alert("case-42"), thehive_alert("alert/7", type="alert")])
    assert [r["status"] for r in results] == ["duplicate", "duplicate"]
    assert Alert.objects.count() == 3
    # A 200-character reference behind its type still fits.
    long = actions.receive_alerts(actor=province.officer, items=[thehive_alert("r" * 200)])[0]
    assert long["status"] == "created"

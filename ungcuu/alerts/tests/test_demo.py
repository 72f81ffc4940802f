"""The demo alerts: one incident from four alerts, two waiting in the queue; loading twice adds nothing."""

import pytest

from ungcuu.alerts import demo
from ungcuu.alerts.models import Alert, AlertStatus
from ungcuu.incidents.models import Incident
from ungcuu.registry import actions as registry_actions


@pytest.mark.django_db
def test_demo_alerts_make_one_incident_and_two_waiting_and_load_once(province):
    registry_actions.create_system(actor=None, name="Cổng thông tin điện tử tỉnh", owner=province.province,
                                   operator=province.province, level=3, ip_ranges=["203.0.113.0/28"],
                                   domains=["quangngai.gov.vn"])
    # The fixture's own budget system holds 203.0.113.0/29, narrower: keep the demo on the portal.
    registry_actions.update_system(actor=None, system=province.budget, ip_ranges=["203.0.113.248/29"])
    users = {"thuongtruc": province.officer}
    assert demo.load(users) == 6
    assert demo.load(users) == 0
    assert Incident.objects.count() == 1
    assert Alert.objects.filter(incident__isnull=False).count() == 4
    assert Alert.objects.filter(status=AlertStatus.NEW).count() == 2

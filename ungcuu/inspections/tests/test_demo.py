"""The demo: an overdue level-3 inspection and a recent scan with a finding being fixed; loading twice adds nothing."""

from ungcuu.inspections import demo
from ungcuu.inspections.models import Duty, Finding, Result
from ungcuu.registry import actions as registry_actions


def test_demo_loads_once(province):
    portal = registry_actions.create_system(actor=None, name=demo.PORTAL, owner=province.province,
                                            operator=province.pa05, level=3, level_status="approved",
                                            level_approved_on="2024-06-19")
    registry_actions.update_system(actor=None, system=province.his, name=demo.HIS)
    users = {"thuongtruc": province.officer, "chuquan": province.owner}
    assert demo.load(users) == 2
    assert demo.load(users) == 0
    assert Result.objects.count() == 2
    inspection = Duty.objects.get(system=portal, kind="inspection")
    assert not inspection.never_done
    from django.utils import timezone

    assert inspection.status(timezone.localdate()) == "overdue"
    assert Finding.objects.filter(result__system=province.his, status="open").count() == 1

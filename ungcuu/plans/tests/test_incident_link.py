"""The incident page shows the approved plan of the incident's system and the scenario for its type; the
scenario's steps become the incident's investigation tasks, once."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from ungcuu.incidents import actions as incident_actions
from ungcuu.incidents.tests.helpers import make_incident
from ungcuu.investigation.models import Task
from ungcuu.plans import actions
from ungcuu.plans.models import ScenarioTask
from ungcuu.plans.tests.helpers import FLOOD, PHISHING, RANSOMWARE, approved_plan, draft_plan


def _incident(province, cause="cyber_attack", attack_type="encryption", system=None):
    system = system or province.his
    incident = make_incident(province.reporter, system=system.pk)
    incident_actions.classify(actor=province.officer, incident=incident, cause=cause, attack_type=attack_type,
                              system=system)
    incident.refresh_from_db()
    return incident


def test_the_incident_page_shows_the_approved_plan_and_the_scenarios_steps(province, client_for):
    plan = approved_plan(province, scenarios=(RANSOMWARE, PHISHING))
    incident = _incident(province)
    page = client_for(province.officer).get(f"/incidents/{incident.reference}/")
    html = page.content.decode()
    assert page.status_code == 200
    assert f'href="/plans/{plan.pk}/"' in html and 'id="incident-plan-link"' in html
    assert "12/QĐ-SYT" in html
    assert "Mã độc tống tiền" in html
    for step in ("Cô lập máy chủ HIS", "Gỡ bỏ mã độc", "Khôi phục CSDL từ bản sao lưu"):
        assert step in html
    assert "Chặn tên miền giả mạo" not in html  # the phishing scenario's steps are not this incident's
    assert 'id="add-scenario-tasks"' in html


@pytest.mark.parametrize(("cause", "attack_type", "title"), [
    ("cyber_attack", "encryption", "Mã độc tống tiền"),
    ("cyber_attack", "spoofing", "Thư giả mạo"),
    ("natural_disaster", "", "Lũ lụt ngập phòng máy"),
    ("cyber_attack", "defacement", None),   # no scenario for this attack type
    ("system_fault", "", None),
])
def test_the_scenario_matches_the_incidents_cause_or_attack_type(province, cause, attack_type, title):
    plan = approved_plan(province, scenarios=(RANSOMWARE, PHISHING, FLOOD))
    scenario = actions.matching_scenario(plan, _incident(province, cause, attack_type))
    assert (scenario.title if scenario else None) == title


def test_only_the_approved_version_is_shown_not_a_draft(province, client_for):
    draft = draft_plan(province)
    incident = _incident(province)
    html = client_for(province.officer).get(f"/incidents/{incident.reference}/").content.decode()
    assert 'id="no-plan"' in html and f"/plans/{draft.pk}/" not in html


def test_the_button_adds_the_scenarios_steps_as_tasks_once(province, client_for):
    approved_plan(province)
    incident = _incident(province)
    client = client_for(province.officer)
    url = f"/plans/incidents/{incident.reference}/scenario-tasks/"
    assert client.post(url).status_code == 302
    tasks = list(Task.objects.filter(incident=incident).order_by("id"))
    assert [(t.title, t.step) for t in tasks] == [
        ("Cô lập máy chủ HIS", "contain"), ("Gỡ bỏ mã độc", "eradicate"), ("Khôi phục CSDL từ bản sao lưu", "recover")]
    client.post(url)  # pressed twice: nothing more
    assert Task.objects.filter(incident=incident).count() == 3
    html = client.get(f"/incidents/{incident.reference}/").content.decode()
    assert 'id="add-scenario-tasks"' not in html and html.count("task-") >= 3


def test_tasks_from_a_new_version_only_add_the_new_steps(province):
    plan = approved_plan(province)
    incident = _incident(province)
    first = actions.add_scenario_tasks(actor=province.officer, incident=incident, scenario=plan.scenarios.get())
    assert len(first) == 3
    assert actions.add_scenario_tasks(actor=province.officer, incident=incident, scenario=plan.scenarios.get()) == []
    assert ScenarioTask.objects.filter(incident=incident).count() == 3


def test_only_the_team_working_on_the_incident_adds_tasks(province):
    plan = approved_plan(province)
    incident = _incident(province)
    with pytest.raises(PermissionDenied):
        actions.add_scenario_tasks(actor=province.owner, incident=incident, scenario=plan.scenarios.get())
    assert not Task.objects.filter(incident=incident).exists()


def test_a_scenario_of_another_systems_plan_gives_no_tasks(province):
    other = approved_plan(province, system=province.budget, actor=province.officer)
    incident = _incident(province)
    with pytest.raises(ValidationError):
        actions.add_scenario_tasks(actor=province.officer, incident=incident, scenario=other.scenarios.get())


def test_a_reporter_outside_the_system_sees_the_incident_but_not_the_plan(province, client_for):
    approved_plan(province)
    incident = make_incident(province.outsider)  # an outsider cannot pick the system; the triage sets it
    incident_actions.classify(actor=province.officer, incident=incident, cause="cyber_attack",
                              attack_type="encryption", system=province.his)
    page = client_for(province.outsider).get(f"/incidents/{incident.reference}/")
    assert page.status_code == 200
    html = page.content.decode()
    assert 'id="response-plan"' not in html and "Cô lập máy chủ HIS" not in html


def test_the_panel_costs_a_fixed_number_of_queries(province, client_for):
    """More scenarios and steps in the plan do not make the incident page read more."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    plan = approved_plan(province)
    incident = _incident(province)
    client = client_for(province.officer)
    client.get(f"/incidents/{incident.reference}/")
    with CaptureQueriesContext(connection) as before:
        client.get(f"/incidents/{incident.reference}/")
    second = actions.new_version(actor=province.owner, plan=plan)
    scenario = second.scenarios.get()
    for n in range(5):
        actions.add_scenario_step(actor=province.owner, scenario=scenario, title=f"Bước thêm {n}")
    actions.add_scenario(actor=province.owner, plan=second, **PHISHING)
    actions.add_scenario(actor=province.owner, plan=second, **FLOOD)
    actions.approve_plan(actor=province.owner, plan=second, decision_number="2/QĐ-SYT",
                         decision_date=plan.decision_date)
    with CaptureQueriesContext(connection) as after:
        html = client.get(f"/incidents/{incident.reference}/").content.decode()
    assert "Bước thêm 4" in html
    assert len(after) <= len(before)

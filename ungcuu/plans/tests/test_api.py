"""Plans API: the same actions as the pages, errors as {"detail", "errors"}, outsiders get 404."""

from django.utils import translation

from ungcuu.incidents import actions as incident_actions
from ungcuu.incidents.tests.helpers import make_incident
from ungcuu.investigation.models import Task
from ungcuu.plans.models import AnnualTask, PlanStatus, ResponsePlan
from ungcuu.plans.tests.helpers import approved_plan

JSON = "application/json"


def test_drafting_a_plan_with_scenarios_and_approving_it(province, api_for):
    api = api_for(province.owner)
    created = api.post("/api/v1/plans", {"system": province.his.pk, "risk_threats": "Mã độc"}, content_type=JSON)
    assert created.status_code == 201, created.content
    plan = created.json()
    assert (plan["version"], plan["status"], plan["outline"]) == (1, "draft", "tt20_pl3")
    scenario = api.post(f"/api/v1/plans/{plan['id']}/scenarios", {
        "cause": "cyber_attack", "attack_type": "encryption", "title": "Mã độc tống tiền",
        "steps": [{"title": "Cô lập máy chủ"}, {"title": "Khôi phục", "procedure_step": "recover"}]},
        content_type=JSON)
    assert scenario.status_code == 201 and [s["title"] for s in scenario.json()["steps"]] == [
        "Cô lập máy chủ", "Khôi phục"]

    with translation.override("en"):
        refused = api.post(f"/api/v1/plans/{plan['id']}/approve", {"decision_number": "1/QĐ-SYT",
                                                                  "decision_date": "2026-01-10"}, content_type=JSON)
    assert refused.status_code == 422
    assert "TT 20/2017 Điều 12.2" in refused.json()["errors"]["continuity_priorities"][0]

    patched = api.patch(f"/api/v1/plans/{plan['id']}", {"continuity_priorities": "Ưu tiên cấp cứu"},
                        content_type=JSON)
    assert patched.json()["sections"]["continuity_priorities"] == "Ưu tiên cấp cứu"
    approved = api.post(f"/api/v1/plans/{plan['id']}/approve", {"decision_number": "1/QĐ-SYT",
                                                               "decision_date": "2026-01-10"}, content_type=JSON)
    assert approved.status_code == 200
    assert (approved.json()["status"], approved.json()["approver_authority"]) == ("approved", province.health.name)

    copy = api.post(f"/api/v1/plans/{plan['id']}/versions")
    assert copy.status_code == 201 and copy.json()["version"] == 2 and len(copy.json()["scenarios"]) == 1
    assert ResponsePlan.objects.get(pk=plan["id"]).status == PlanStatus.APPROVED


def test_the_plans_list_is_paged_and_scoped(province, api_for):
    approved_plan(province)
    assert api_for(province.officer).get("/api/v1/plans?status=approved").json()["count"] == 1
    assert api_for(province.officer).get("/api/v1/plans?status=unapproved").json()["count"] == 0
    assert api_for(province.outsider).get("/api/v1/plans").json()["count"] == 0


def test_an_outsider_cannot_create_a_plan_for_anothers_system(province, api_for):
    response = api_for(province.outsider).post("/api/v1/plans", {"system": province.his.pk}, content_type=JSON)
    assert response.status_code == 422 and "system" in response.json()["errors"]
    assert not ResponsePlan.objects.exists()


def test_the_incidents_plan_and_scenario_tasks(province, api_for):
    approved_plan(province)
    incident = make_incident(province.reporter, system=province.his.pk)
    incident_actions.classify(actor=province.officer, incident=incident, cause="cyber_attack",
                              attack_type="encryption", system=province.his)
    api = api_for(province.officer)
    shown = api.get(f"/api/v1/incidents/{incident.reference}/response-plan").json()
    assert shown["scenario"]["title"] == "Mã độc tống tiền" and len(shown["scenario"]["steps"]) == 3
    first = api.post(f"/api/v1/incidents/{incident.reference}/scenario-tasks")
    again = api.post(f"/api/v1/incidents/{incident.reference}/scenario-tasks")
    assert (len(first.json()), again.json()) == (3, [])
    assert Task.objects.filter(incident=incident).count() == 3
    assert api_for(province.outsider).get(f"/api/v1/incidents/{incident.reference}/response-plan"
                                          ).status_code == 404


def test_annual_plan_tasks_and_progress(province, api_for):
    api = api_for(province.officer)
    assert api.post("/api/v1/annual-plans", {"year": 2026}, content_type=JSON).status_code == 201
    added = api.post("/api/v1/annual-plans/2026/tasks", {
        "number": 6, "content": "Đánh giá, kiểm tra an toàn thông tin", "lead": province.pa05.pk,
        "co_operating": [province.health.pk], "quarters": [3]}, content_type=JSON)
    assert added.status_code == 201, added.content
    task = added.json()
    assert (task["quarters"], task["due_on"], task["co_operating"]) == ([3], "2026-09-30", [province.health.pk])
    refused = api.patch(f"/api/v1/annual-tasks/{task['id']}", {"status": "done"}, content_type=JSON)
    assert refused.status_code == 422 and "evidence" in refused.json()["errors"]
    done = api.patch(f"/api/v1/annual-tasks/{task['id']}", {"status": "done", "evidence": "Báo cáo kết quả",
                                                             "note": "Xong"}, content_type=JSON)
    assert done.json()["shown_status"] == "done" and done.json()["notes"][0]["text"] == "Xong"
    progress = api.get("/api/v1/annual-plans/2026").json()
    assert progress["progress"]["done"] == 1 and progress["units"][0]["lead_name"] == "Phòng PA05"
    assert api.get("/api/v1/annual-plans/2026/tasks").json()["count"] == 1
    assert api_for(province.outsider).get("/api/v1/annual-plans/2026").status_code == 403
    member = api_for(province.member).patch(f"/api/v1/annual-tasks/{task['id']}", {"status": "in_progress"},
                                            content_type=JSON)
    assert member.status_code == 403 and AnnualTask.objects.get().status == "done"
    bad = api.post("/api/v1/annual-plans/2026/tasks", {"number": 7, "content": "x", "lead": 999999},
                   content_type=JSON)
    assert bad.status_code == 422 and "lead" in bad.json()["errors"]

"""Plans pages: need-to-know, the list's paging and query count, editing, approval from the page."""

import pytest
from django.test import Client

from ungcuu.accounts import actions as account_actions
from ungcuu.plans import actions
from ungcuu.plans.models import PlanStatus, ResponsePlan
from ungcuu.plans.tests.helpers import PHISHING, approved_plan, draft_plan
from ungcuu.registry import actions as registry_actions


@pytest.mark.parametrize(("persona", "sees"), [
    ("owner", True),      # the owning organisation (Sở Y tế)
    ("reporter", True),   # also of the owning organisation
    ("member", True),     # the team (and of the operating hospital)
    ("officer", True),
    ("lead", True),
    ("admin", True),
    ("outsider", False),  # Sở Tài chính: not its system
    ("auditor", True),    # of the provincial committee, above every agency in the organisation tree
])
def test_only_the_owner_operator_and_team_see_a_systems_plan(province, client_for, api_for, persona, sees):
    plan = approved_plan(province)
    user = getattr(province, persona)
    page = client_for(user).get(f"/plans/{plan.pk}/")
    api = api_for(user).get(f"/api/v1/plans/{plan.pk}")
    scenario = plan.scenarios.get()
    api_scenario = api_for(user).get(f"/api/v1/scenarios/{scenario.pk}")
    assert (page.status_code, api.status_code, api_scenario.status_code) == ((200, 200, 200) if sees
                                                                             else (404, 404, 404))
    listed = client_for(user).get("/plans/").content.decode()
    assert (f'href="/plans/{plan.pk}/"' in listed) is sees


def test_the_operator_organisation_sees_the_plan(province, client_for):
    """The hospital operates the HIS that the health agency owns."""
    nurse = account_actions.create_user(actor=None, username="nurse", password=None, full_name="Y tá",
                                        organisation=province.hospital, roles=["reporter"])
    plan = approved_plan(province)
    assert client_for(nurse).get(f"/plans/{plan.pk}/").status_code == 200


def test_an_anonymous_visitor_is_sent_to_sign_in(province):
    plan = approved_plan(province)
    assert Client().get(f"/plans/{plan.pk}/").status_code == 302


def test_the_plan_page_shows_sections_scenarios_steps_and_the_approval(province, client_for):
    plan = approved_plan(province, scenarios=(PHISHING,))
    html = client_for(province.owner).get(f"/plans/{plan.pk}/").content.decode()
    assert "Ưu tiên duy trì tiếp đón và cấp cứu" in html
    assert "Thư giả mạo" in html and "Chặn tên miền giả mạo" in html
    assert "12/QĐ-SYT" in html and "15/01/2026" in html and province.health.name in html
    assert 'id="edit-plan"' not in html       # frozen
    assert 'id="new-version"' in html


def test_the_list_pages_with_a_fixed_number_of_queries(province, client_for, django_assert_max_num_queries):
    client = client_for(province.officer)
    approved_plan(province, actor=province.officer)
    client.get("/plans/")
    with django_assert_max_num_queries(12) as few:
        client.get("/plans/")
    for n in range(6):
        system = registry_actions.create_system(actor=None, name=f"Hệ thống {n}", owner=province.health,
                                                operator=province.hospital, level=2)
        approved_plan(province, system=system, actor=province.officer)
    with django_assert_max_num_queries(len(few.captured_queries)):
        page = client.get("/plans/")
    assert page.content.decode().count('href="/plans/') >= 7


def test_the_list_is_paged_and_filters_the_unapproved(province, client_for, settings):
    settings.PAGE_SIZE = 2
    approved_plan(province, actor=province.officer)
    for n in range(3):
        system = registry_actions.create_system(actor=None, name=f"Hệ thống {n}", owner=province.health,
                                                operator=province.health, level=2)
        draft_plan(province, system=system, actor=province.officer)
    client = client_for(province.officer)
    first = client.get("/plans/").content.decode()
    assert "page=2" in first
    drafts = client.get("/plans/?status=unapproved").content.decode()
    assert "HIS bệnh viện" not in drafts


def test_drafting_editing_and_approving_from_the_pages(province, client_for):
    client = client_for(province.owner)
    response = client.post("/plans/new/", {"scope": "system", "system": province.his.pk, "title": ""})
    plan = ResponsePlan.objects.get(system=province.his)
    assert response.status_code == 302 and response.url == f"/plans/{plan.pk}/"
    client.post(f"/plans/{plan.pk}/scenarios/new/", {"cause": "cyber_attack", "attack_type": "encryption",
                                                     "title": "Mã độc tống tiền"})
    scenario = plan.scenarios.get()
    client.post(f"/plans/scenarios/{scenario.pk}/steps/", {"title": "Cô lập máy chủ", "procedure_step": "contain"})
    assert [s.title for s in scenario.steps.all()] == ["Cô lập máy chủ"]

    # Approval without the priorities section: refused, with the reason on the page.
    page = client.post(f"/plans/{plan.pk}/approve/", {"decision_number": "1/QĐ-SYT", "decision_date": "2026-01-10"},
                       follow=True).content.decode()
    plan.refresh_from_db()
    assert plan.status == PlanStatus.DRAFT
    assert "12.2" in page

    sections = {"title": "Kế hoạch HIS", "continuity_priorities": "Ưu tiên cấp cứu"}
    assert client.post(f"/plans/{plan.pk}/edit/", sections).status_code == 302
    client.post(f"/plans/{plan.pk}/approve/", {"decision_number": "1/QĐ-SYT", "decision_date": "2026-01-10"})
    plan.refresh_from_db()
    assert (plan.status, plan.title, plan.decision_number) == (PlanStatus.APPROVED, "Kế hoạch HIS", "1/QĐ-SYT")

    response = client.post(f"/plans/{plan.pk}/new-version/")
    second = ResponsePlan.objects.get(system=province.his, version=2)
    assert response.url == f"/plans/{second.pk}/"
    assert client.get(f"/plans/{plan.pk}/edit/").status_code == 302  # frozen: back to the plan


def test_an_outsider_cannot_draft_or_change_anothers_plan(province, client_for):
    plan = draft_plan(province)
    client = client_for(province.outsider)
    assert client.post(f"/plans/{plan.pk}/edit/", {"title": "x"}).status_code == 404
    assert client.post(f"/plans/{plan.pk}/approve/", {"decision_number": "1", "decision_date": "2026-01-01"}
                       ).status_code == 404
    scenario = plan.scenarios.get()
    assert client.post(f"/plans/scenarios/{scenario.pk}/remove/").status_code == 404
    response = client.post("/plans/new/", {"scope": "system", "system": province.his.pk})
    assert response.status_code == 200 and not ResponsePlan.objects.filter(created_by=province.outsider).exists()
    actions.update_plan(actor=province.owner, plan=plan, title="unchanged")
    plan.refresh_from_db()
    assert plan.title == "unchanged"


def test_the_draft_pages_offer_their_forms(province, client_for):
    plan = draft_plan(province, priorities="")
    scenario = plan.scenarios.get()
    client = client_for(province.owner)
    detail = client.get(f"/plans/{plan.pk}/").content.decode()
    assert 'id="edit-plan"' in detail and 'id="approve-form"' in detail and 'id="new-scenario"' in detail
    assert 'id="approval-refusal"' in detail  # the missing section is said before anyone presses the button
    for url in (f"/plans/{plan.pk}/edit/", f"/plans/{plan.pk}/scenarios/new/", f"/plans/scenarios/{scenario.pk}/edit/",
                "/plans/new/"):
        assert client.get(url).status_code == 200, url
    # A member of the team reads the draft but neither edits nor approves it.
    member = client_for(province.member).get(f"/plans/{plan.pk}/").content.decode()
    assert 'id="edit-plan"' not in member and 'id="approve-form"' not in member

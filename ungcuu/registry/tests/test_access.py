"""Need-to-know: an agency's users see and change only their own systems (SPEC §11).

Every registry endpoint, web and API, is tried by the outsider (a reporter and system owner of the
finance department) against the health department's HIS.
"""

import json

import pytest

from ungcuu.registry.models import InformationSystem


def patch(client, url, data):
    return client.patch(url, data=json.dumps(data), content_type="application/json")


def post(client, url, data):
    return client.post(url, data=json.dumps(data), content_type="application/json")


# API ---------------------------------------------------------------------------------------------


def test_api_list_shows_only_own_systems(province, api_for):
    names = {s["name"] for s in api_for(province.outsider).get("/api/v1/systems").json()["items"]}
    assert names == {"Quản lý ngân sách"}


def test_api_detail_of_another_agencys_system_is_404(province, api_for):
    response = api_for(province.outsider).get(f"/api/v1/systems/{province.his.pk}")
    assert response.status_code == 404


def test_api_change_of_another_agencys_system_is_refused(province, api_for):
    response = patch(api_for(province.outsider), f"/api/v1/systems/{province.his.pk}", {"name": "Đã chiếm"})
    assert response.status_code == 404
    assert InformationSystem.objects.get(pk=province.his.pk).name == "HIS bệnh viện"


def test_api_cannot_register_a_system_for_another_agency(province, api_for):
    response = post(api_for(province.outsider), "/api/v1/systems", {
        "name": "Giả mạo", "owner_id": province.health.pk, "operator_id": province.health.pk, "level": 1})
    assert response.status_code == 422
    assert "owner" in response.json()["errors"]
    assert not InformationSystem.objects.filter(name="Giả mạo").exists()


def test_api_resolve_hides_another_agencys_system(province, api_for):
    assert api_for(province.outsider).get("/api/v1/systems/resolve?q=198.51.100.3").json() == []
    found = api_for(province.reporter).get("/api/v1/systems/resolve?q=198.51.100.3").json()
    assert [s["name"] for s in found] == ["HIS bệnh viện"]


def test_api_people_of_another_agency_are_hidden(province, api_for):
    from ungcuu.registry import actions

    nurse = actions.create_person(actor=None, full_name="Y tá Lan", organisation=province.health)
    client = api_for(province.outsider)
    assert client.get(f"/api/v1/people/{nurse.pk}").status_code == 404
    assert "Y tá Lan" not in {p["full_name"] for p in client.get("/api/v1/people").json()["items"]}


def test_api_outsider_cannot_create_or_change_organisations_or_people(province, api_for):
    client = api_for(province.outsider)
    assert post(client, "/api/v1/organisations", {"name": "X", "kind": "commune"}).status_code == 403
    assert patch(client, f"/api/v1/organisations/{province.health.pk}", {"name": "X"}).status_code == 403
    assert post(client, "/api/v1/people", {"full_name": "X", "organisation_id": province.health.pk}).status_code == 403
    assert patch(client, "/api/v1/deployment", {"province_name": "X"}).status_code == 403


def test_owner_may_change_own_agency_system_via_api(province, api_for):
    response = patch(api_for(province.owner), f"/api/v1/systems/{province.his.pk}", {"level": 4})
    assert response.status_code == 200
    assert response.json()["level"] == 4


def test_reporter_may_read_but_not_change_own_agency_system(province, api_for):
    client = api_for(province.reporter)
    assert client.get(f"/api/v1/systems/{province.his.pk}").status_code == 200
    assert patch(client, f"/api/v1/systems/{province.his.pk}", {"level": 1}).status_code == 404


@pytest.mark.parametrize("persona", ["officer", "lead", "deputy", "member", "auditor", "admin"])
def test_team_and_oversight_roles_see_every_system(province, api_for, persona):
    items = api_for(getattr(province, persona)).get("/api/v1/systems").json()["items"]
    assert {s["name"] for s in items} == {"HIS bệnh viện", "Quản lý ngân sách"}


# Web pages ---------------------------------------------------------------------------------------


def test_web_list_shows_only_own_systems(province, client_for):
    body = client_for(province.outsider).get("/registry/systems/").content.decode()
    assert "Quản lý ngân sách" in body
    assert "HIS bệnh viện" not in body


def test_web_detail_and_edit_of_another_agencys_system_are_404(province, client_for):
    client = client_for(province.outsider)
    assert client.get(f"/registry/systems/{province.his.pk}/").status_code == 404
    assert client.get(f"/registry/systems/{province.his.pk}/edit/").status_code == 404
    response = client.post(f"/registry/systems/{province.his.pk}/edit/", {"name": "Đã chiếm"})
    assert response.status_code == 404
    assert InformationSystem.objects.get(pk=province.his.pk).name == "HIS bệnh viện"


def test_web_resolve_hides_another_agencys_system(province, client_for):
    body = client_for(province.outsider).get("/registry/resolve/?q=his.example.vn").content.decode()
    assert "HIS bệnh viện" not in body


def test_web_registry_editing_pages_are_forbidden_to_agency_users(province, client_for):
    client = client_for(province.outsider)
    for url in ["/registry/organisations/new/", f"/registry/organisations/{province.health.pk}/edit/",
                "/registry/people/new/", "/registry/deployment/"]:
        assert client.get(url).status_code == 403, url
        assert client.post(url, {"name": "X"}).status_code == 403, url


def test_web_audit_log_is_for_auditors_and_administrators(province, client_for):
    assert client_for(province.outsider).get("/audit/").status_code == 403
    assert client_for(province.officer).get("/audit/").status_code == 403
    assert client_for(province.auditor).get("/audit/").status_code == 200


def test_an_operating_agency_cannot_take_over_the_owners_system(province, api_for):
    """The finance owner operates the HIS for health: it may see it but not re-assign or edit it."""
    from ungcuu.registry import actions

    actions.update_system(actor=None, system=province.his, operator=province.finance)
    client = api_for(province.outsider)
    assert client.get(f"/api/v1/systems/{province.his.pk}").status_code == 200
    response = patch(client, f"/api/v1/systems/{province.his.pk}",
                     {"owner_id": province.finance.pk, "operator_id": province.finance.pk})
    assert response.status_code == 404
    assert InformationSystem.objects.get(pk=province.his.pk).owner == province.health


def test_domain_conflict_does_not_name_a_system_the_user_may_not_see(province, api_for):
    response = post(api_for(province.outsider), "/api/v1/systems", {
        "name": "Trang mới", "owner_id": province.finance.pk, "operator_id": province.finance.pk, "level": 1,
        "domains": ["his.example.vn"]})
    assert response.status_code == 422
    message = response.json()["errors"]["domains"][0]
    assert "his.example.vn" in message
    assert "HIS bệnh viện" not in message


def test_a_system_owner_cannot_approve_their_own_security_level(province, api_for):
    """Approval belongs to the competent authority; the standing office records it, not the owner."""
    client = api_for(province.owner)
    response = patch(client, f"/api/v1/systems/{province.his.pk}",
                     {"level_status": "approved", "level_approved_on": "2026-01-05"})
    assert response.status_code == 422
    assert "level_status" in response.json()["errors"]
    assert InformationSystem.objects.get(pk=province.his.pk).level_status == "proposed"
    officer = patch(api_for(province.officer), f"/api/v1/systems/{province.his.pk}",
                    {"level_status": "approved", "level_approved_on": "2026-01-05"})
    assert officer.status_code == 200


def test_an_owner_changing_an_approved_level_sends_it_back_to_proposed(province, api_for):
    from ungcuu.registry import actions

    actions.update_system(actor=None, system=province.his, level_status="approved", level_approved_on="2025-01-01")
    response = patch(api_for(province.owner), f"/api/v1/systems/{province.his.pk}", {"level": 4})
    assert response.status_code == 200
    assert response.json()["level_status"] == "proposed"

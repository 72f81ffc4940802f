"""The registry through the REST API: create, read, change, resolve; errors as structured JSON."""

import json

from ungcuu.audit.models import AuditEntry
from ungcuu.registry.models import Deployment, InformationSystem, Organisation


def send(client, method, url, data):
    return getattr(client, method)(url, data=json.dumps(data), content_type="application/json")


def test_standing_officer_registers_a_system(province, api_for):
    response = send(api_for(province.officer), "post", "/api/v1/systems", {
        "name": "Cổng dịch vụ công", "owner_id": province.health.pk, "operator_id": province.hospital.pk,
        "level": 3, "level_status": "approved", "level_approved_on": "2025-03-01",
        "ip_ranges": ["192.0.2.0/28"], "domains": ["dvc.example.vn"], "services": ["web", "database"],
        "security_measures": ["firewall"], "connectivity_provider_ids": [province.isp.pk],
        "security_provider_id": province.isp.pk, "purpose": "Dịch vụ công trực tuyến"})
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["owner"] == {"id": province.health.pk, "name": "Sở Y tế"}
    assert body["ip_ranges"] == ["192.0.2.0/28"]
    assert body["domains"] == ["dvc.example.vn"]
    assert body["connectivity_providers"] == [{"id": province.isp.pk, "name": "VNPT"}]
    entry = AuditEntry.objects.order_by("-seq").first()
    assert entry.action == "registry.create_system"
    assert entry.actor_label == "officer"


def test_invalid_system_gets_422_naming_each_field(province, api_for):
    """Invalid CIDR, unknown owner, level 7 and a taken domain: all reported at once, nothing saved."""
    before = InformationSystem.objects.count()
    response = send(api_for(province.officer), "post", "/api/v1/systems", {
        "name": "X", "owner_id": 999999, "operator_id": province.health.pk, "level": 7,
        "ip_ranges": ["1.2.3.4/33"], "domains": ["his.example.vn"]})
    assert response.status_code == 422
    errors = response.json()["errors"]
    assert set(errors) == {"owner", "level", "ip_ranges", "domains"}
    assert "HIS bệnh viện" in errors["domains"][0]
    assert InformationSystem.objects.count() == before


def test_wrongly_typed_fields_get_422_in_the_same_shape(province, api_for):
    response = send(api_for(province.officer), "post", "/api/v1/systems", {
        "name": "X", "owner_id": "abc", "level": "ba"})
    assert response.status_code == 422
    errors = response.json()["errors"]
    assert {"owner_id", "level", "operator_id"} <= set(errors)


def test_malformed_json_gets_a_clear_error(province, api_for):
    response = api_for(province.officer).post("/api/v1/systems", data="{not json", content_type="application/json")
    assert response.status_code in (400, 422)
    assert "detail" in response.json()


def test_patch_changes_only_the_fields_sent(province, api_for):
    response = send(api_for(province.officer), "patch", f"/api/v1/systems/{province.his.pk}",
                    {"domains": ["his.example.vn", "his2.example.vn"]})
    assert response.status_code == 200
    his = InformationSystem.objects.get(pk=province.his.pk)
    assert sorted(his.domain_names()) == ["his.example.vn", "his2.example.vn"]
    assert his.ip_ranges() == ["198.51.100.0/28"]
    assert his.level == 3


def test_organisations_crud_and_unknown_parent(province, api_for):
    client = api_for(province.officer)
    created = send(client, "post", "/api/v1/organisations",
                   {"name": "UBND xã Mới", "kind": "commune", "parent_id": province.province.pk})
    assert created.status_code == 201
    org_id = created.json()["id"]
    assert client.get(f"/api/v1/organisations/{org_id}").json()["kind_label"]
    changed = send(client, "patch", f"/api/v1/organisations/{org_id}", {"phone": "0255 123"})
    assert changed.json()["phone"] == "0255 123"
    bad = send(client, "post", "/api/v1/organisations", {"name": "Y", "kind": "commune", "parent_id": 424242})
    assert bad.status_code == 422
    assert "parent" in bad.json()["errors"]
    assert not Organisation.objects.filter(name="Y").exists()


def test_organisation_filters(province, api_for):
    client = api_for(province.reporter)
    agencies = client.get("/api/v1/organisations?kind=provincial_agency").json()["items"]
    assert {o["name"] for o in agencies} == {"Sở Y tế", "Sở Tài chính"}
    children = client.get(f"/api/v1/organisations?parent_id={province.health.pk}").json()["items"]
    assert [o["name"] for o in children] == ["Bệnh viện Đa khoa"]


def test_people_and_team_positions(province, api_for):
    client = api_for(province.officer)
    created = send(client, "post", "/api/v1/people", {
        "full_name": "Nguyễn Văn An", "organisation_id": province.pa05.pk, "team_position": "lead",
        "position": "Trưởng phòng", "phone": "0905000001", "email": "an@example.vn", "skills": "Điều phối"})
    assert created.status_code == 201, created.content
    team = client.get("/api/v1/people?team=true").json()["items"]
    assert [p["full_name"] for p in team] == ["Nguyễn Văn An"]
    bad = send(client, "post", "/api/v1/people", {"full_name": "X", "organisation_id": province.pa05.pk,
                                                  "team_position": "captain", "email": "not-an-email"})
    assert bad.status_code == 422
    assert {"team_position", "email"} <= set(bad.json()["errors"])


def test_resolve_an_address_to_its_system(province, api_for):
    client = api_for(province.officer)
    by_ip = client.get("/api/v1/systems/resolve?q=203.0.113.5").json()
    by_subdomain = client.get("/api/v1/systems/resolve?q=mail.ngansach.example.vn").json()
    nothing = client.get("/api/v1/systems/resolve?q=8.8.8.8").json()
    assert [s["name"] for s in by_ip] == ["Quản lý ngân sách"]
    assert [s["name"] for s in by_subdomain] == ["Quản lý ngân sách"]
    assert nothing == []


def test_resolve_prefers_the_narrowest_range(province, api_for):
    from ungcuu.registry import actions

    actions.create_system(actor=None, name="Máy chủ con", owner=province.finance, operator=province.finance,
                          level=1, ip_ranges=["203.0.113.4/30"])
    found = api_for(province.officer).get("/api/v1/systems/resolve?q=203.0.113.5").json()
    assert [s["name"] for s in found] == ["Máy chủ con", "Quản lý ngân sách"]


def test_administrator_renames_the_deployment_bodies(province, api_for):
    """The 2025 reorganisation: standing office and coordinator are data the administrator edits."""
    response = send(api_for(province.admin), "patch", "/api/v1/deployment", {
        "province_name": "Quảng Ngãi", "team_name": "Đội ứng cứu sự cố tỉnh Quảng Ngãi",
        "standing_office_id": province.pa05.pk, "incident_term": "anm"})
    assert response.status_code == 200, response.content
    deployment = Deployment.current()
    assert deployment.standing_office == province.pa05
    assert deployment.get_incident_term_display()
    assert send(api_for(province.officer), "patch", "/api/v1/deployment", {"team_name": "X"}).status_code == 403


def test_openapi_description_lists_the_registry(db):
    from django.test import Client

    spec = Client().get("/api/v1/openapi.json").json()
    assert {"/api/v1/organisations", "/api/v1/systems", "/api/v1/systems/resolve"} <= set(spec["paths"])
    assert Client().get("/api/v1/docs").status_code == 200


def test_resolve_accepts_a_pasted_url_with_an_ip_host(province, api_for):
    client = api_for(province.officer)
    found = client.get("/api/v1/systems/resolve", {"q": "http://198.51.100.7:8080/login"}).json()
    assert [s["name"] for s in found] == ["HIS bệnh viện"]

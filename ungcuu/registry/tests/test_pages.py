"""Registry pages: list, filter, view, create and edit, with errors shown on the form."""

from ungcuu.registry.models import Deployment, InformationSystem, Organisation, Person


def system_form(province, **overrides):
    data = {"name": "Cổng thông tin xã", "owner": province.health.pk, "operator": province.health.pk,
            "level": "2", "level_status": "proposed", "ip_ranges": "192.0.2.0/28\n192.0.2.16/28",
            "domains": "xa.example.vn", "services": ["web"], "is_active": "on"}
    data.update(overrides)
    return data


def test_officer_creates_a_system_from_the_form(province, client_for):
    client = client_for(province.officer)
    assert client.get("/registry/systems/new/").status_code == 200
    response = client.post("/registry/systems/new/", system_form(province))
    system = InformationSystem.objects.get(name="Cổng thông tin xã")
    assert response.status_code == 302
    assert response.url == f"/registry/systems/{system.pk}/"
    assert system.ip_ranges() == ["192.0.2.0/28", "192.0.2.16/28"]
    detail = client.get(response.url).content.decode()
    assert "xa.example.vn" in detail


def test_form_errors_are_shown_and_nothing_is_saved(province, client_for):
    client = client_for(province.officer)
    response = client.post("/registry/systems/new/", system_form(
        province, ip_ranges="192.0.2.0/33", domains="his.example.vn", level="7"))
    body = response.content.decode()
    assert response.status_code == 200
    assert 'class="errorlist"' in body
    assert "192.0.2.0/33" in body
    assert not InformationSystem.objects.filter(name="Cổng thông tin xã").exists()


def test_domain_rule_error_is_shown_next_to_the_field(province, client_for):
    response = client_for(province.officer).post("/registry/systems/new/",
                                                 system_form(province, domains="his.example.vn"))
    assert "HIS bệnh viện" in response.content.decode()
    assert not InformationSystem.objects.filter(name="Cổng thông tin xã").exists()


def test_system_owner_creates_a_system_of_own_agency_with_owner_prefilled(province, client_for):
    client = client_for(province.owner)
    page = client.get("/registry/systems/new/").content.decode()
    assert f'<option value="{province.health.pk}" selected>' in page
    response = client.post("/registry/systems/new/", system_form(province))
    assert response.status_code == 302


def test_reporter_cannot_create_systems(province, client_for):
    assert client_for(province.reporter).get("/registry/systems/new/").status_code == 403


def test_edit_form_shows_stored_values_and_saves_changes(province, client_for):
    client = client_for(province.officer)
    page = client.get(f"/registry/systems/{province.his.pk}/edit/").content.decode()
    assert "198.51.100.0/28" in page
    assert "his.example.vn" in page
    data = system_form(province, name="HIS bệnh viện (mới)", domains="his.example.vn\nhis-moi.example.vn",
                       ip_ranges="198.51.100.0/28", level="3")
    response = client.post(f"/registry/systems/{province.his.pk}/edit/", data)
    assert response.status_code == 302
    his = InformationSystem.objects.get(pk=province.his.pk)
    assert his.name == "HIS bệnh viện (mới)"
    assert sorted(his.domain_names()) == ["his-moi.example.vn", "his.example.vn"]


def test_system_list_filters_by_level_and_name(province, client_for):
    client = client_for(province.officer)
    level3 = client.get("/registry/systems/?level=3").content.decode()
    assert "HIS bệnh viện" in level3 and "Quản lý ngân sách" not in level3
    by_name = client.get("/registry/systems/?q=ngân").content.decode()
    assert "Quản lý ngân sách" in by_name and "HIS bệnh viện" not in by_name


def test_organisation_pages(province, client_for):
    client = client_for(province.officer)
    response = client.post("/registry/organisations/new/", {
        "name": "UBND xã Tịnh Phong", "kind": "commune", "parent": province.province.pk, "is_active": "on"})
    org = Organisation.objects.get(name="UBND xã Tịnh Phong")
    assert response.status_code == 302
    assert org.parent == province.province
    detail = client.get(f"/registry/organisations/{province.health.pk}/").content.decode()
    assert "Bệnh viện Đa khoa" in detail and "HIS bệnh viện" in detail
    communes = client.get("/registry/organisations/?kind=commune").content.decode()
    assert "UBND xã Tịnh Phong" in communes and "Sở Y tế" not in communes


def test_organisation_form_refuses_unknown_parent(province, client_for):
    response = client_for(province.officer).post("/registry/organisations/new/", {
        "name": "Phòng ma", "kind": "commune", "parent": 424242})
    assert response.status_code == 200
    assert 'class="errorlist"' in response.content.decode()
    assert not Organisation.objects.filter(name="Phòng ma").exists()


def test_people_pages_and_team_list(province, client_for):
    client = client_for(province.officer)
    response = client.post("/registry/people/new/", {
        "full_name": "Lê Văn Cường", "organisation": province.pa05.pk, "team_position": "deputy",
        "position": "Đội phó", "phone": "0905", "email": "cuong@example.vn", "is_active": "on"})
    assert response.status_code == 302
    person = Person.objects.get(full_name="Lê Văn Cường")
    team = client.get("/registry/people/?team=1").content.decode()
    assert "Lê Văn Cường" in team
    edit = client.post(f"/registry/people/{person.pk}/edit/", {
        "full_name": "Lê Văn Cường", "organisation": province.pa05.pk, "team_position": "lead", "is_active": "on"})
    assert edit.status_code == 302
    assert Person.objects.get(pk=person.pk).team_position == "lead"


def test_resolve_page_finds_the_system(province, client_for):
    body = client_for(province.officer).get("/registry/resolve/?q=198.51.100.7").content.decode()
    assert "HIS bệnh viện" in body
    bad = client_for(province.officer).get("/registry/resolve/?q=khong hop le").content.decode()
    assert 'class="errorlist"' in bad


def test_administrator_edits_deployment_settings(province, client_for):
    response = client_for(province.admin).post("/registry/deployment/", {
        "province_name": "Quảng Ngãi", "team_name": "Đội ứng cứu sự cố ATTT mạng tỉnh Quảng Ngãi",
        "standing_office": province.pa05.pk, "incident_term": "attt"})
    assert response.status_code == 302
    assert Deployment.current().team_name == "Đội ứng cứu sự cố ATTT mạng tỉnh Quảng Ngãi"
    home = client_for(province.reporter).get("/").content.decode()
    assert "Đội ứng cứu sự cố ATTT mạng tỉnh Quảng Ngãi" in home


def test_every_page_has_the_language_switch(province, client_for):
    client = client_for(province.officer)
    for url in ["/", "/registry/systems/", f"/registry/systems/{province.his.pk}/", "/registry/organisations/",
                "/registry/people/", "/registry/resolve/", "/accounts/profile/"]:
        body = client.get(url).content.decode()
        assert 'action="/i18n/setlang/"' in body, url
        assert 'name="language" value="en"' in body, url

"""The API: the same rules as the pages, errors as {"detail", "errors"}."""

import json
from datetime import timedelta

from django.utils import timezone, translation

from ungcuu.advisories.models import Answer, Recipient
from ungcuu.advisories.tests.helpers import send


def _post(client, url, body=None):
    return client.post(url, data=json.dumps(body or {}), content_type="application/json")


def _payload(**overrides):
    body = {"title": "Lỗ hổng PostgreSQL", "description": "Thực thi mã từ xa.",
            "deadline": (timezone.localdate() + timedelta(days=7)).isoformat(),
            "products": [{"product": "PostgreSQL", "versions": "14"}], "cve_ids": ["CVE-2026-12345"],
            "severity": "critical", "source": "VNCERT/CC"}
    body.update(overrides)
    return body


def test_create_send_acknowledge_answer_and_coverage(software, api_for):
    p = software
    team = api_for(p.officer)
    created = _post(team, "/api/v1/advisories", _payload(organisations=[p.isp.pk]))
    assert created.status_code == 201, created.content
    advisory_id = created.json()["id"]
    assert created.json()["status"] == "draft" and created.json()["cve_ids"] == ["CVE-2026-12345"]

    sent = _post(team, f"/api/v1/advisories/{advisory_id}/send")
    assert sent.status_code == 200
    by_org = {r["organisation_name"]: r for r in sent.json()}
    assert set(by_org) == {"Sở Y tế", "Bệnh viện Đa khoa", "VNPT"}
    assert by_org["Sở Y tế"]["answers"][0]["matched_on"] == "PostgreSQL ← PostgreSQL 14"

    agency = api_for(p.owner)
    mine = agency.get("/api/v1/advisory-recipients").json()["items"]
    assert [r["organisation_name"] for r in mine] == ["Sở Y tế"]
    row = mine[0]
    assert _post(agency, f"/api/v1/advisory-recipients/{row['id']}/acknowledge").status_code == 200
    answered = _post(agency, f"/api/v1/advisory-answers/{row['answers'][0]['id']}", {"status": "fixed"})
    assert answered.status_code == 200 and answered.json()["status"] == "fixed"

    figures = team.get(f"/api/v1/advisories/{advisory_id}/coverage").json()
    assert (figures["recipients"], figures["acknowledged"], figures["systems"], figures["fixed"]) == (3, 1, 2, 1)

    reminded = _post(team, f"/api/v1/advisories/{advisory_id}/remind").json()["reminded"]
    assert {r["organisation_name"] for r in reminded} == {"Bệnh viện Đa khoa", "VNPT"}
    assert _post(team, f"/api/v1/advisories/{advisory_id}/remind").json()["reminded"] == []


def test_an_agency_cannot_answer_for_another_through_the_api(software, api_for):
    p = software
    advisory = send(p.officer, products=[("PostgreSQL", "")], organisations=[p.finance])
    health_row = Recipient.objects.get(advisory=advisory, organisation=p.health)
    health_answer = Answer.objects.get(recipient=health_row)
    outsider = api_for(p.outsider)
    assert _post(outsider, f"/api/v1/advisory-answers/{health_answer.pk}", {"status": "fixed"}).status_code == 404
    assert _post(outsider, f"/api/v1/advisory-recipients/{health_row.pk}/acknowledge").status_code == 404
    assert outsider.get(f"/api/v1/advisories/{advisory.pk}/coverage").status_code == 404
    assert outsider.get(f"/api/v1/advisory-recipients/{health_row.pk}").status_code == 404
    # finance sees the warning sent to it, but not who else got it.
    assert outsider.get(f"/api/v1/advisories/{advisory.pk}").status_code == 200
    assert outsider.get(f"/api/v1/advisories/{advisory.pk}/recipients").status_code == 404


def test_people_outside_the_team_cannot_write_or_send(software, api_for):
    p = software
    with translation.override("en"):
        response = _post(api_for(p.owner), "/api/v1/advisories", _payload())
    assert response.status_code == 403
    advisory = send(p.officer)
    assert _post(api_for(p.member), f"/api/v1/advisories/{advisory.pk}/remind").status_code == 403


def test_bad_input_comes_back_by_field(software, api_for):
    p = software
    with translation.override("en"):
        response = _post(api_for(p.officer), "/api/v1/advisories",
                         _payload(cve_ids=["CVE-2026-1"], products=[], organisations=[99999]))
    assert response.status_code == 422
    errors = response.json()["errors"]
    assert list(errors) == ["organisations"]  # an unknown organisation is refused before anything else
    response = _post(api_for(p.officer), "/api/v1/advisories", _payload(cve_ids=["CVE-2026-1"]))
    assert response.status_code == 422 and "cve_ids" in response.json()["errors"]
    advisory = send(p.officer)
    answer = Answer.objects.filter(advisory=advisory, recipient__organisation=p.health).get()
    response = _post(api_for(p.owner), f"/api/v1/advisory-answers/{answer.pk}", {"status": "cannot_fix"})
    assert response.status_code == 422 and "note" in response.json()["errors"]


def test_list_filters_and_pages(software, api_for):
    p = software
    send(p.officer, title="Đã gửi")
    from ungcuu.advisories.tests.helpers import make_advisory

    make_advisory(p.officer, title="Nháp")
    body = api_for(p.auditor).get("/api/v1/advisories?status=draft").json()
    assert [a["title"] for a in body["items"]] == ["Nháp"] and body["count"] == 1
    assert api_for(p.owner).get("/api/v1/advisories").json()["count"] == 1  # drafts are the team's


def test_every_endpoint_refuses_an_organisation_the_warning_was_not_sent_to(software, api_for):
    """education runs none of the products: it neither sees the warning nor can act on it (404 everywhere)."""
    p = software
    advisory = send(p.officer, products=[("PostgreSQL", "")])
    row = Recipient.objects.filter(advisory=advisory).first()
    answer = Answer.objects.filter(advisory=advisory).first()
    client = api_for(p.education_it)
    a = advisory.pk
    for method, url in [
        ("get", f"/api/v1/advisories/{a}"), ("put", f"/api/v1/advisories/{a}"),
        ("post", f"/api/v1/advisories/{a}/send"), ("post", f"/api/v1/advisories/{a}/remind"),
        ("post", f"/api/v1/advisories/{a}/close"), ("get", f"/api/v1/advisories/{a}/coverage"),
        ("get", f"/api/v1/advisories/{a}/recipients"), ("get", f"/api/v1/advisory-recipients/{row.pk}"),
        ("post", f"/api/v1/advisory-recipients/{row.pk}/acknowledge"),
        ("post", f"/api/v1/advisory-answers/{answer.pk}"),
    ]:
        body = _payload() if method == "put" else ({"status": "fixed"} if "answers" in url else {})
        if method == "get":
            response = client.get(url)
        else:
            response = getattr(client, method)(url, data=json.dumps(body), content_type="application/json")
        assert response.status_code == 404, (method, url, response.status_code)
    assert client.get("/api/v1/advisories").json()["count"] == 0
    assert client.get("/api/v1/advisory-recipients").json()["count"] == 0

"""Indicators added or extracted through the API come back with the other incidents they were seen in, as the
list gives them."""

from ungcuu.incidents.tests.helpers import make_incident
from ungcuu.investigation import actions


def test_adding_an_indicator_by_api_answers_with_where_else_it_was_seen(province, api_for, incident):
    secret = make_incident(province.outsider, confidential=True, system_name="Quản lý ngân sách")
    own = make_incident(province.reporter)
    for other in (secret, own):
        actions.add_indicator(actor=province.officer, incident=other, kind="ip", value="198.51.100.77")

    created = api_for(province.lead).post(f"/api/v1/incidents/{incident.reference}/indicators",
                                          {"kind": "ip", "value": "198.51.100[.]77"},
                                          content_type="application/json")

    assert created.status_code == 201, created.content
    body = created.json()
    assert body["value"] == "198.51.100.77"
    assert {s["reference"] for s in body["also_seen_in"]} == {own.reference, secret.reference}
    listed = api_for(province.lead).get(f"/api/v1/incidents/{incident.reference}/indicators").json()["items"]
    assert [s for r in listed if r["value"] == "198.51.100.77" for s in r["also_seen_in"]] == body["also_seen_in"]


def test_the_answer_only_names_incidents_the_caller_may_see(province, api_for, incident):
    secret = make_incident(province.outsider, confidential=True, system_name="Quản lý ngân sách")
    actions.add_indicator(actor=province.officer, incident=secret, kind="domain", value="c2-his.top")

    created = api_for(province.member).post(f"/api/v1/incidents/{incident.reference}/indicators",
                                            {"kind": "domain", "value": "c2-his[.]top"},
                                            content_type="application/json")

    assert created.status_code == 201, created.content
    assert created.json()["also_seen_in"] == []


def test_extracted_indicators_come_back_with_where_else_they_were_seen(province, api_for, incident):
    own = make_incident(province.reporter)
    actions.add_indicator(actor=province.officer, incident=own, kind="ip", value="203.0.113.66")

    extracted = api_for(province.lead).post(f"/api/v1/incidents/{incident.reference}/indicators/extract")

    assert extracted.status_code == 201, extracted.content
    seen = {r["value"]: [s["reference"] for s in r["also_seen_in"]] for r in extracted.json()}
    assert seen["203.0.113.66"] == [own.reference]

"""Incident lists: diacritic- and case-insensitive search (run on SQLite and PostgreSQL in CI), filters,
keyset paging and a constant number of queries per page."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from ungcuu.incidents import actions
from ungcuu.incidents.tests.helpers import make_incident
from ungcuu.lib.text import fold


@pytest.mark.parametrize(("text", "folded"), [
    ("Tấn công MÃ ĐỘC", "tan cong ma doc"),
    ("Đường truyền  bị   gián đoạn", "duong truyen bi gian doan"),
    ("ỨNG CỨU sự cố", "ung cuu su co"),
])
def test_fold(text, folded):
    assert fold(text) == folded


@pytest.fixture
def reports(province):
    return {
        "malware": make_incident(province.reporter, description="Phát hiện mã độc trên máy chủ", domains=[],
                                 ip_addresses=[]),
        "ddos": make_incident(province.reporter, description="Tấn công từ chối dịch vụ vào cổng thông tin",
                              domains=["congthongtin.example.vn"], ip_addresses=[]),
        "deface": make_incident(province.reporter, description="Trang chủ bị thay đổi giao diện",
                                domains=[], ip_addresses=["203.0.113.77"], contact_name="Trần Thị Đào"),
    }


@pytest.mark.parametrize(("query", "expected"), [
    ("ma doc", {"malware"}),  # no diacritics finds "mã độc"
    ("MÃ ĐỘC", {"malware"}),
    ("TAN CONG", {"ddos"}),  # upper case without marks finds "Tấn công"
    ("tấn công dịch vụ", {"ddos"}),  # every word must match, in any order
    ("congthongtin.example", {"ddos"}),  # indicators
    ("203.0.113.77", {"deface"}),
    ("tran thi dao", {"deface"}),  # reporter / contact
    ("SC-", {"malware", "ddos", "deface"}),  # reference
    ("không có", set()),
])
def test_search_ignores_diacritics_and_case(province, reports, api_for, client_for, query, expected):
    references = {name: incident.reference for name, incident in reports.items()}
    found = {row["reference"] for row in api_for(province.officer).get("/api/v1/incidents", {"q": query}).json()[
        "items"]}
    assert found == {references[name] for name in expected}
    page = client_for(province.officer).get("/incidents/", {"q": query}).content.decode()
    assert {name for name, ref in references.items() if ref in page} == expected


def test_filters(province, reports, api_for):
    actions.classify(actor=province.officer, incident=reports["ddos"], cause="cyber_attack",
                     attack_type="denial_of_service")
    actions.verify_sender(actor=province.officer, incident=reports["deface"], method="phone_callback")
    api = api_for(province.officer)

    def refs(**params):
        return {row["reference"] for row in api.get("/api/v1/incidents", params).json()["items"]}

    assert refs(attack_type="denial_of_service") == {reports["ddos"].reference}
    assert refs(cause="cyber_attack") == {reports["ddos"].reference}
    assert refs(status="verified") == {reports["deface"].reference}
    assert refs(organisation=province.health.pk) == {r.reference for r in reports.values()}
    assert refs(organisation=province.finance.pk) == set()
    assert refs(detected_from="2026-11-21") == set()
    assert refs(detected_from="2026-11-20", detected_to="2026-11-20") == {r.reference for r in reports.values()}


def test_keyset_paging_walks_every_row_once_both_ways(province, api_for, client_for, settings):
    created = [make_incident(province.reporter, detected_at=f"2026-11-{day:02d}T08:00",
                             reported_at="2026-11-20T09:00") for day in (1, 2, 2, 2, 3, 4, 5)]
    api = api_for(province.officer)
    seen, cursor, pages = [], "", []
    while True:
        body = api.get("/api/v1/incidents", {"page_size": 3, "after": cursor}).json()
        pages.append(body)
        seen += [row["reference"] for row in body["items"]]
        cursor = body["next_cursor"]
        if not cursor:
            break
    newest_first = sorted(created, key=lambda i: (i.detected_at, i.pk), reverse=True)
    assert seen == [i.reference for i in newest_first]  # ties on the date broken by id, nothing repeated
    back = api.get("/api/v1/incidents", {"page_size": 3, "before": pages[2]["previous_cursor"]}).json()
    assert back["items"] == pages[1]["items"]
    oldest = api.get("/api/v1/incidents", {"page_size": 50, "sort": "detected"}).json()["items"]
    assert [row["reference"] for row in oldest] == seen[::-1]

    settings.PAGE_SIZE = 3
    page = client_for(province.officer).get("/incidents/").content.decode()
    assert "after=" in page and newest_first[3].reference not in page


def test_list_queries_do_not_grow_with_rows(province, client_for, api_for):
    def count(fetch):
        with CaptureQueriesContext(connection) as queries:
            assert fetch().status_code == 200
        return len(queries)

    officer_page = client_for(province.officer)
    agency_api = api_for(province.reporter)
    make_incident(province.reporter, system=province.his.pk)
    agency_api.get("/api/v1/incidents")  # the token's first use is recorded once
    few = (count(lambda: officer_page.get("/incidents/")), count(lambda: agency_api.get("/api/v1/incidents")))
    for _ in range(15):
        make_incident(province.reporter, system=province.his.pk)
    many = (count(lambda: officer_page.get("/incidents/")), count(lambda: agency_api.get("/api/v1/incidents")))
    assert many == few
    assert many[0] <= 10 and many[1] <= 6


def _busy_incident(province):
    """An incident in containment with a full record: responders, tasks, indicators, timeline, orders,
    a request, deadlines — what each panel of the incident page lists."""
    import datetime

    from django.utils import timezone

    from ungcuu.coordination import actions as coordination
    from ungcuu.incidents import actions
    from ungcuu.investigation import actions as investigation

    incident = make_incident(province.reporter, system=province.his.pk)
    actions.verify_sender(actor=province.officer, incident=incident, method="phone_callback")
    actions.classify(actor=province.officer, incident=incident, cause="cyber_attack", attack_type="malware",
                     system=province.his)
    coordination.dispatch_member(actor=province.lead, incident=incident, user=province.member, role="Phân tích")
    coordination.dispatch_member(actor=province.lead, incident=incident, user=province.deputy, role="Điều phối")
    for step in ("initial_response", "response_option"):
        actions.move_step(actor=province.officer, incident=incident, to_step=step)
    actions.record_response_option(actor=province.officer, incident=incident, option="Cô lập", approved_by="Sở Y tế")
    actions.move_step(actor=province.officer, incident=incident, to_step="report")
    actions.record_report(actor=province.officer, incident=incident, kind="notice", number="1/TB",
                          issued_on=datetime.date(2026, 11, 21), recipients="VNCERT/CC")
    for step in ("coordinate", "contain"):
        actions.move_step(actor=province.officer, incident=incident, to_step=step)
    for n in range(8):
        investigation.add_indicator(actor=province.officer, incident=incident, kind="ip", value=f"203.0.113.{n + 1}")
        investigation.add_timeline_event(actor=province.officer, incident=incident, occurred_at=timezone.now(),
                                         kind="finding", text=f"Phát hiện {n}")
    for _ in range(3):
        coordination.issue_order(actor=province.lead, incident=incident, content="Thu thập nhật ký",
                                 due_at=timezone.now() + datetime.timedelta(days=1), contact_point="PA05",
                                 signer="Đội trưởng", channel="phone", users=[province.member, province.deputy],
                                 urgent=True)
    coordination.send_request(actor=province.lead, incident=incident, kind="support",
                              addressed_to_kind="national_coordinator", addressed_to_name="VNCERT/CC",
                              content="Hỗ trợ phân tích mã độc", channel="email")
    return incident


def test_detail_queries_do_not_grow_with_the_record(province, client_for):
    """The incident page with every panel full costs the same number of queries as a bare one."""
    bare = make_incident(province.reporter, system=province.his.pk)
    busy = _busy_incident(province)
    client = client_for(province.officer)
    counts = []
    for incident in (bare, busy):
        with CaptureQueriesContext(connection) as queries:
            assert client.get(f"/incidents/{incident.reference}/").status_code == 200
        counts.append(len(queries))
    assert busy.tasks.count() > 10 and busy.indicators.count() >= 8  # the panels had something to list
    assert counts[1] <= counts[0] + 3, counts  # a few panels only query once they have rows
    assert counts[1] <= 32, counts


@pytest.mark.parametrize("url", [
    "/incidents/?organisation=abc", "/incidents/?after=garbage", "/incidents/?before=garbage",
    "/incidents/?after=9999-12-31T23:59:59-14:00~1", "/incidents/?before=0001-01-01T00:00:00%2B14:00~1",
    "/incidents/?after=2026-01-01T00:00~99999999999999999999999",
    "/incidents/?detected_from=bad", "/incidents/?detected_from=0001-01-01", "/incidents/?detected_to=9999-12-31",
    "/incidents/?system=abc", "/incidents/%00/",
    "/incidents/SC-2026-0001%00/evidence/add/",
    "/api/v1/incidents?detected_from=bad", "/api/v1/incidents?after=zz", "/api/v1/incidents?q=%00",
    "/api/v1/incidents?detected_from=0001-01-01", "/api/v1/incidents?detected_to=9999-12-31",
    "/api/v1/incidents?after=9999-12-31T23:59:59-14:00~1", "/api/v1/incidents?organisation=99999999999999999999",
    "/api/v1/incidents?system=99999999999999999999",
    "/api/v1/incidents/%C2%B2", "/api/v1/incidents/%C2%B2/evidence", "/api/v1/incidents/SC%00/evidence",
])
def test_odd_query_parameters_are_ignored_or_refused_never_a_server_error(province, client_for, url):
    make_incident(province.reporter, system=province.his.pk)
    client = client_for(province.officer)
    client.raise_request_exception = False
    assert client.get(url).status_code in (200, 404, 422)


@pytest.mark.parametrize("system", ["abc", "²", "", "99999999999999999999"])
def test_odd_system_choices_for_the_prefill_are_not_found(province, client_for, system):
    client = client_for(province.reporter)
    client.raise_request_exception = False
    assert client.post("/incidents/report/system-fields/", {"system": system}).status_code == 404


def test_out_of_range_numbers_in_the_api_are_explained_in_vietnamese(province, api_for):
    response = api_for(province.officer).get("/api/v1/incidents", {"page_size": 100000})
    assert response.status_code == 422
    assert response.json()["errors"]["page_size"] == ["Số quá lớn."]

"""The incident panel, the due/overdue page, the rules page and the API: what each persona sees."""

from datetime import datetime

import pytest

from ungcuu.deadlines import actions
from ungcuu.deadlines.calendar import LOCAL
from ungcuu.deadlines.models import DeadlineKind
from ungcuu.incidents.tests.helpers import make_incident


def local(y, m, d, hh=0, mm=0):
    return datetime(y, m, d, hh, mm, tzinfo=LOCAL)


@pytest.fixture
def incidents(province):
    actions.set_override(actor=None, province="Hà Tĩnh", kind=DeadlineKind.FINAL_REPORT, amount=10,
                         source_document="Quyết định 1859/QĐ-UBND Hà Tĩnh (seed 003)", article="mục 4.2")
    rows = []
    for n in range(4):
        incident = make_incident(actor=province.reporter, description=f"Sự cố thử {n}")
        actions.cancel_deadlines(incident=incident)
        actions.start_deadline(kind=DeadlineKind.NOTIFY, start=local(2026, 3, 4, 10), incident=incident,
                               responsible=province.member)
        actions.start_deadline(kind=DeadlineKind.FINAL_REPORT, start=local(2026, 3, 2, 17), incident=incident)
        rows.append(incident)
    return rows


def test_incident_panel_shows_due_status_source_and_flag(province, incidents, client_for):
    page = client_for(province.officer).get(f"/incidents/{incidents[0].reference}/").content.decode()
    assert "09/03/2026 23:59" in page and "12/03/2026 23:59" in page
    assert "Điều 9.2.a" in page and "mục 4.2" in page
    assert "flagged" in page


def test_due_page_lists_overdue_with_pinned_queries(province, incidents, client_for, django_assert_max_num_queries):
    client = client_for(province.lead)
    with django_assert_max_num_queries(12):
        response = client.get("/deadlines/?status=overdue&kind=notify")
    page = response.content.decode()
    assert response.status_code == 200
    assert all(i.reference in page for i in incidents)
    assert "Điều 9.2.a" in page and "09/03/2026 23:59" in page


def test_due_page_is_for_the_team(province, incidents, client_for):
    assert client_for(province.reporter).get("/deadlines/").status_code == 403
    assert client_for(province.outsider).get("/deadlines/").status_code == 403


def test_rules_page_shows_sources_flags_and_holidays(province, incidents, client_for):
    page = client_for(province.officer).get("/deadlines/rules/?page=1").content.decode()
    assert "Thông tư 20/2017/TT-BTTTT" in page and "Điều 6.1.c" in page
    assert "mục 4.2" in page and "flagged" in page
    assert "Bộ luật Lao động 2019" in page


def test_api_list_filters_and_pages(province, incidents, api_for, django_assert_max_num_queries):
    client = api_for(province.lead)
    with django_assert_max_num_queries(12):
        body = client.get("/api/v1/deadlines?status=overdue&kind=final_report&page_size=2").json()
    assert body["count"] == 4 and len(body["items"]) == 2
    item = body["items"][0]
    assert item["flagged_looser"] is True and item["comparison"] == "looser"
    assert item["rule_source"] == "Thông tư 20/2017/TT-BTTTT Điều 9.2.b"
    assert item["status"] == "overdue"


def test_api_incident_deadlines_respects_visibility(province, incidents, api_for):
    reference = incidents[0].reference
    body = api_for(province.reporter).get(f"/api/v1/incidents/{reference}/deadlines").json()
    assert {d["kind"] for d in body if d["status"] != "cancelled"} == {"notify", "final_report"}
    assert api_for(province.outsider).get(f"/api/v1/incidents/{reference}/deadlines").status_code == 404
    assert api_for(province.outsider).get("/api/v1/deadlines").status_code == 403

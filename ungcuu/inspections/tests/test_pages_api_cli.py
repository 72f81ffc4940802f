"""Pages, API and CLI: need-to-know, bounded query counts on the paged lists, the record form with findings."""

from datetime import date, timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from ungcuu.inspections import actions
from ungcuu.inspections.models import Duty, Finding, PeriodOverride, Result
from ungcuu.inspections.tests.helpers import record
from ungcuu.registry import actions as registry_actions


def more_systems(province, n):
    for i in range(n):
        registry_actions.create_system(actor=None, name=f"Hệ thống {i}", owner=province.health,
                                       operator=province.hospital, level=3 + i % 3)


# The due list -------------------------------------------------------------------------------------


def test_due_list_shows_overdue_and_never_done(province, client_for):
    registry_actions.update_system(actor=None, system=province.his, level_status="approved",
                                   level_approved_on=date(2024, 6, 19))
    actions.schedule_duties()
    page = client_for(province.officer).get(reverse("inspections:list"), {"status": "overdue"})
    assert page.status_code == 200
    text = page.content.decode()
    assert "HIS bệnh viện" in text
    assert "19/06/2025" in text  # never inspected: due a year after the level approval (NĐ 85 Điều 20.2.c)
    assert "Điều 20.2.c" in text


def test_due_list_query_count_does_not_grow_with_rows(province, client_for, django_assert_max_num_queries):
    actions.schedule_duties()
    client = client_for(province.owner)
    url = reverse("inspections:list")
    client.get(url)
    with django_assert_max_num_queries(14) as few:
        client.get(url)
    more_systems(province, 20)
    actions.schedule_duties()
    with django_assert_max_num_queries(len(few.captured_queries)):
        page = client.get(url, {"kind": "inspection"})
    assert page.status_code == 200
    assert "Hệ thống 19" in page.content.decode()


def test_due_list_is_paginated(province, client_for, settings):
    settings.PAGE_SIZE = 5
    more_systems(province, 4)
    actions.schedule_duties()
    page = client_for(province.lead).get(reverse("inspections:list"))
    assert page.context["page"].paginator.num_pages > 1
    assert len(page.context["page"].rows) == 5


def test_owners_see_only_their_own_duties(province, client_for):
    actions.schedule_duties()
    outsider = client_for(province.outsider).get(reverse("inspections:list")).content.decode()
    assert "Quản lý ngân sách" in outsider and "HIS bệnh viện" not in outsider
    owner = client_for(province.owner).get(reverse("inspections:list")).content.decode()
    assert "HIS bệnh viện" in owner and "Quản lý ngân sách" not in owner
    auditor = client_for(province.auditor).get(reverse("inspections:list")).content.decode()
    assert "HIS bệnh viện" in auditor and "Quản lý ngân sách" in auditor


def test_filter_by_organisation(province, client_for):
    actions.schedule_duties()
    page = client_for(province.lead).get(reverse("inspections:list"), {"organisation": province.finance.pk})
    assert {row["duty"].organisation_id for row in page.context["page"].rows} == {province.finance.pk}


# History, record form, result ---------------------------------------------------------------------


def test_history_of_a_system(province, client_for, django_assert_max_num_queries):
    record(province.admin, system=province.his, performed_on=date(2025, 9, 1),
           findings=[{"title": "Mật khẩu mặc định", "severity": "high"}])
    client = client_for(province.owner)
    url = reverse("inspections:system", args=[province.his.pk])
    client.get(url)
    with django_assert_max_num_queries(16):
        page = client.get(url)
    text = page.content.decode()
    assert "01/09/2025" in text and "01/09/2026" in text
    assert "Mật khẩu mặc định" not in text  # titles are on the result page; severities here
    assert client_for(province.outsider).get(url).status_code == 404


def test_history_of_a_level_2_system_explains_the_decree(province, client_for):
    """NĐ 85 Điều 20.2.c has no system-level period for level 2: the page says so, no inspection duty is open."""
    actions.schedule_duties()
    page = client_for(province.outsider).get(reverse("inspections:system", args=[province.budget.pk]))
    assert page.status_code == 200
    assert page.context["inspection_period"].months is None
    assert [row["duty"].code for row in page.context["duty_rows"]] == [
        "vulnerability_scan", "threat_hunt", "organisation_inspection"]


def test_record_form_with_findings(province, client_for):
    actions.schedule_duties()
    client = client_for(province.owner)
    url = reverse("inspections:record")
    assert client.get(url, {"system": province.his.pk, "kind": "vulnerability_scan"}).status_code == 200
    today = timezone.localdate()
    response = client.post(url, {
        "system": province.his.pk, "kind": "vulnerability_scan", "performed_on": today.isoformat(),
        "body_name": "", "performer": "Tổ CNTT", "summary": "Rà quét định kỳ", "report_reference": "RQ-02/2026",
        "findings-TOTAL_FORMS": "3", "findings-INITIAL_FORMS": "0",
        "findings-0-title": "OpenSSH 8.2 lỗi thời", "findings-0-severity": "high", "findings-0-status": "open",
        "findings-1-title": "TLS 1.0", "findings-1-severity": "medium", "findings-1-status": "fixed",
        "findings-1-status_on": today.isoformat(),
        "findings-2-title": "", "findings-2-severity": "", "findings-2-status": "open",
    })
    result = Result.objects.get()
    assert response.status_code == 302 and response.url == reverse("inspections:result", args=[result.pk])
    assert [f.status for f in result.findings.order_by("pk")] == ["open", "fixed"]
    assert Duty.objects.get(system=province.his, kind="vulnerability_scan").last_done_on == today


def test_record_form_refuses_an_unlicensed_level_3_inspection(province, client_for):
    client = client_for(province.owner)
    response = client.post(reverse("inspections:record"), {
        "system": province.his.pk, "kind": "inspection", "performed_on": "2026-05-01", "body_name": "Công ty X",
        "summary": "Kiểm tra", "report_reference": "BC-1", "findings-TOTAL_FORMS": "0",
        "findings-INITIAL_FORMS": "0"}, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 422
    assert "Điều 20.2.c" in response.content.decode()
    assert not Result.objects.exists()


def test_record_form_is_refused_to_outsiders(province, client_for):
    client = client_for(province.outsider)
    assert client.get(reverse("inspections:record"), {"system": province.his.pk}).status_code == 404
    assert client.get(reverse("inspections:record"), {"organisation": province.health.pk}).status_code == 404
    assert client_for(province.auditor).get(reverse("inspections:record"),
                                            {"system": province.his.pk}).status_code == 403


def test_htmx_adds_a_finding_row(province, client_for):
    response = client_for(province.owner).get(reverse("inspections:finding_row"), {"findings-TOTAL_FORMS": "2"})
    text = response.content.decode()
    assert 'name="findings-2-title"' in text
    assert 'value="3"' in text and "hx-swap-oob" in text


def test_finding_update_from_the_result_page(province, client_for):
    result = record(province.owner, kind="vulnerability_scan", system=province.his, performed_on=date(2026, 10, 1),
                    findings=[{"title": "SMBv1", "severity": "high"}])
    finding = result.findings.get()
    client = client_for(province.owner)
    assert "SMBv1" in client.get(reverse("inspections:result", args=[result.pk])).content.decode()
    client.post(reverse("inspections:update_finding", args=[finding.pk]),
                {"status": "fixed", "status_on": "2026-10-10", "remediation": "Tắt SMBv1"})
    finding.refresh_from_db()
    assert (finding.status, finding.status_on, finding.remediation) == ("fixed", date(2026, 10, 10), "Tắt SMBv1")
    assert client_for(province.outsider).get(reverse("inspections:result", args=[result.pk])).status_code == 404
    response = client_for(province.outsider).post(reverse("inspections:update_finding", args=[finding.pk]),
                                                  {"status": "open"})
    assert response.status_code == 404


# Periods page -------------------------------------------------------------------------------------


def test_periods_page_lists_sources_and_refuses_a_looser_period(province, client_for):
    client = client_for(province.admin)
    page = client.get(reverse("inspections:periods")).content.decode()
    assert "Điều 20.2.c" in page and "Chỉ thị 18/CT-TTg" in page
    response = client.post(reverse("inspections:periods"), {"code": "inspection_level_3", "months": "18",
                                                            "source_document": "QĐ tỉnh"}, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 422
    assert not PeriodOverride.objects.exists()
    response = client.post(reverse("inspections:periods"), {"code": "inspection_level_3", "months": "6",
                                                            "source_document": "QĐ tỉnh"})
    assert response.status_code == 302
    assert PeriodOverride.objects.get().months == 6


def test_only_administrators_set_periods_on_the_page(province, client_for):
    client = client_for(province.lead)
    assert client.get(reverse("inspections:periods")).status_code == 200
    response = client.post(reverse("inspections:periods"), {"code": "threat_hunt", "months": "3",
                                                            "source_document": "QĐ tỉnh"})
    assert response.status_code == 403
    assert not PeriodOverride.objects.exists()


# API ----------------------------------------------------------------------------------------------


def test_api_lists_visible_duties_paged(province, api_for, django_assert_max_num_queries):
    actions.schedule_duties()
    client = api_for(province.owner)
    response = client.get("/api/v1/inspections/duties", {"kind": "inspection"})
    assert response.status_code == 200
    items = response.json()["items"]
    assert {item["system_name"] for item in items} == {"HIS bệnh viện", None}
    assert all(item["organisation"] == province.health.pk for item in items)
    more_systems(province, 10)
    actions.schedule_duties()
    client = api_for(province.lead)
    with django_assert_max_num_queries(12):
        response = client.get("/api/v1/inspections/duties", {"status": "never_done"})
    assert response.json()["count"] >= 30


def test_api_records_a_result_and_updates_a_finding(province, api_for):
    client = api_for(province.owner)
    response = client.post("/api/v1/inspections/results", {
        "kind": "threat_hunt", "system": province.his.pk, "performed_on": "2026-08-31", "summary": "Săn lùng",
        "evidence": "Nhật ký EDR", "findings": [{"title": "Webshell", "severity": "critical"}]},
        content_type="application/json")
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["next_due_on"] == "2027-02-28"  # 31/08 + 6 months (BLDS Điều 147–148)
    finding_id = body["findings"][0]["id"]
    response = client.patch(f"/api/v1/inspections/findings/{finding_id}",
                            {"status": "accepted", "status_on": "2026-09-02"}, content_type="application/json")
    assert response.status_code == 200 and response.json()["status"] == "accepted"
    assert Finding.objects.get().status == "accepted"


def test_api_refusals(province, api_for):
    client = api_for(province.outsider)
    response = client.post("/api/v1/inspections/results", {
        "kind": "inspection", "system": province.his.pk, "performed_on": "2026-08-31", "summary": "x",
        "evidence": "y"}, content_type="application/json")
    assert response.status_code == 422 and "system" in response.json()["errors"]
    client = api_for(province.owner)
    response = client.post("/api/v1/inspections/results", {
        "kind": "inspection", "system": province.his.pk, "performed_on": "2026-08-31", "summary": "x",
        "evidence": "y", "body_name": "Công ty X"}, content_type="application/json")
    assert response.status_code == 422 and "licensed" in response.json()["errors"]
    result = record(province.owner, system=province.his, performed_on=date(2026, 8, 1),
                    findings=[{"title": "F", "severity": "low"}])
    assert api_for(province.outsider).get(f"/api/v1/inspections/results/{result.pk}").status_code == 404
    finding = result.findings.get()
    response = api_for(province.outsider).patch(f"/api/v1/inspections/findings/{finding.pk}", {"status": "open"},
                                                content_type="application/json")
    assert response.status_code == 404


def test_api_periods(province, api_for):
    actions.set_period_override(actor=None, code="threat_hunt", months=3, source_document="QĐ tỉnh")
    rows = {row["code"]: row for row in api_for(province.reporter).get("/api/v1/inspections/periods").json()}
    assert rows["inspection_level_5"]["national_months"] == 6
    assert rows["inspection_level_2"]["national_months"] is None
    assert rows["threat_hunt"]["provincial_months"] == 3


# CLI and task ------------------------------------------------------------------------------------


def test_cli_schedule_and_due(province):
    out = StringIO()
    call_command("inspections", "schedule", stdout=out)
    assert "opened 7" in out.getvalue()
    out = StringIO()
    call_command("inspections", "schedule", stdout=out)
    assert "opened 0" in out.getvalue()
    record(province.admin, system=province.his, performed_on=timezone.localdate() - timedelta(days=1))
    out = StringIO()
    call_command("inspections", "due", "--overdue", stdout=out)
    text = out.getvalue()
    lines = [line for line in text.splitlines() if "\t" in line]
    assert all("overdue" in line for line in lines)
    assert not any("HIS bệnh viện" in line and "\tinspection\t" in line for line in lines)
    out = StringIO()
    call_command("inspections", "due", stdout=out)
    assert "Nghị định 85/2016/NĐ-CP Điều 20.2.c" in out.getvalue()


def test_task_schedules_idempotently(province):
    from ungcuu.inspections.tasks import schedule_duties

    assert schedule_duties.call()["created"] == 7
    assert schedule_duties.call()["created"] == 0


@pytest.mark.parametrize("user", ["admin", "lead", "owner", "outsider", "auditor"])
def test_pages_open_for_every_persona(province, client_for, user):
    actions.schedule_duties()
    client = client_for(getattr(province, user))
    for name in ("inspections:list", "inspections:periods"):
        assert client.get(reverse(name)).status_code == 200

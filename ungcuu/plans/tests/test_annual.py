"""The annual plan (seed 004 appendix): tasks with lead and co-operating units, period, status, evidence, and
progress per lead unit."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from ungcuu.plans import actions
from ungcuu.plans.models import OVERDUE, AnnualTask, TaskStatus, period_end
from ungcuu.plans.views import progress_by_unit


@pytest.fixture
def plan(province):
    return actions.create_annual_plan(actor=province.officer, year=2026, title="Kế hoạch năm 2026",
                                      reference="2840/KH-UBND")


def _task(province, plan, number, lead=None, period="quarters", quarters=(3,), **kwargs):
    return actions.add_annual_task(actor=province.officer, plan=plan, number=number, content=f"Nhiệm vụ {number}",
                                   lead=lead or province.pa05, period=period, quarters=quarters, **kwargs)


@pytest.mark.parametrize(("period", "quarters", "end"), [
    # seed 004 appendix "Thời gian": Quý I … Quý IV, "Quý III; Quý IV", "Thường xuyên", "Trong năm"
    ("quarters", "1", datetime.date(2026, 3, 31)),
    ("quarters", "2", datetime.date(2026, 6, 30)),
    ("quarters", "3", datetime.date(2026, 9, 30)),
    ("quarters", "4", datetime.date(2026, 12, 31)),
    ("quarters", "34", datetime.date(2026, 12, 31)),
    ("quarters", "24", datetime.date(2026, 12, 31)),
    ("quarters", "12", datetime.date(2026, 6, 30)),
    ("regularly", "", datetime.date(2026, 12, 31)),
    ("in_year", "", datetime.date(2026, 12, 31)),
])
def test_the_period_ends_with_its_last_quarter_or_the_year(period, quarters, end):
    assert period_end(2026, period, quarters) == end


@pytest.mark.parametrize(("status", "today", "shown"), [
    (TaskStatus.NOT_STARTED, datetime.date(2026, 9, 30), TaskStatus.NOT_STARTED),
    (TaskStatus.NOT_STARTED, datetime.date(2026, 10, 1), OVERDUE),
    (TaskStatus.IN_PROGRESS, datetime.date(2026, 10, 1), OVERDUE),
    (TaskStatus.DONE, datetime.date(2026, 10, 1), TaskStatus.DONE),
])
def test_overdue_is_computed_from_the_end_of_the_period(province, plan, status, today, shown):
    task = _task(province, plan, 1, quarters=[3])
    if status != TaskStatus.NOT_STARTED:
        task = actions.update_annual_task(actor=province.officer, task=task, status=status, evidence="Biên bản")
    assert task.shown_status(today) == shown


def test_a_task_keeps_its_units_period_and_quarters(province, plan):
    task = _task(province, plan, 7, lead=province.health, quarters=[4, 2], co_operating=[province.pa05,
                 province.finance], co_operating_note="các cơ quan, đơn vị liên quan",
                 lead_note="Các Sở, Ban ngành")
    assert task.quarters == "24" and task.due_on == datetime.date(2026, 12, 31)
    assert set(task.co_operating.all()) == {province.pa05, province.finance}
    assert task.period_label().count(";") == 1


def test_marking_done_needs_the_evidence(province, plan):
    task = _task(province, plan, 1)
    with pytest.raises(ValidationError) as refused:
        actions.update_annual_task(actor=province.officer, task=task, status=TaskStatus.DONE)
    assert "evidence" in refused.value.message_dict
    task.refresh_from_db()
    assert task.status == TaskStatus.NOT_STARTED
    task = actions.update_annual_task(actor=province.officer, task=task, status=TaskStatus.DONE,
                                      evidence="Đã diễn tập", evidence_reference="Báo cáo 12/BC-PA05",
                                      note="Hoàn thành")
    assert task.completed_at is not None and task.notes.get().text == "Hoàn thành"


def test_bad_input_is_refused_and_nothing_saved(province, plan):
    for bad in ({"quarters": []}, {"quarters": [5]}, {"period": "sometimes"}):
        with pytest.raises(ValidationError):
            _task(province, plan, 1, **bad)
    _task(province, plan, 1)
    with pytest.raises(ValidationError):
        _task(province, plan, 1)  # the number is taken
    assert AnnualTask.objects.count() == 1
    with pytest.raises(ValidationError):
        actions.create_annual_plan(actor=province.officer, year=2026)


def test_only_the_standing_office_and_leads_keep_the_annual_plan(province, plan):
    for persona in ("member", "owner", "outsider", "auditor"):
        with pytest.raises(PermissionDenied):
            actions.add_annual_task(actor=getattr(province, persona), plan=plan, number=1, content="x",
                                    lead=province.pa05, quarters=[1])


def test_progress_per_unit_counts_by_status_with_overdue_apart(province, plan):
    today = datetime.date(2026, 10, 15)
    done = _task(province, plan, 1, lead=province.pa05, quarters=[1])
    actions.update_annual_task(actor=province.officer, task=done, status=TaskStatus.DONE, evidence="Xong")
    _task(province, plan, 2, lead=province.pa05, quarters=[3])                     # overdue, not started
    late = _task(province, plan, 3, lead=province.pa05, quarters=[2])
    actions.update_annual_task(actor=province.officer, task=late, status=TaskStatus.IN_PROGRESS)  # overdue
    going = _task(province, plan, 4, lead=province.health, period="regularly", quarters=[])
    actions.update_annual_task(actor=province.officer, task=going, status=TaskStatus.IN_PROGRESS)
    _task(province, plan, 5, lead=province.health, quarters=[4])                   # not started, on time
    units, year = progress_by_unit(plan, today)
    by_unit = {row["lead__name"]: row for row in units}
    assert {k: by_unit["Phòng PA05"][k] for k in ("total", "done", "in_progress", "not_started", "overdue")} == {
        "total": 3, "done": 1, "in_progress": 0, "not_started": 0, "overdue": 2}
    assert {k: by_unit["Sở Y tế"][k] for k in ("total", "done", "in_progress", "not_started", "overdue")} == {
        "total": 2, "done": 0, "in_progress": 1, "not_started": 1, "overdue": 0}
    assert (year["total"], year["done"], year["overdue"], year["percent_done"]) == (5, 1, 2, 20)


def test_the_annual_page_shows_progress_with_a_fixed_number_of_queries(province, plan, client_for,
                                                                      django_assert_max_num_queries):
    client = client_for(province.officer)
    _task(province, plan, 1, co_operating=[province.health])
    client.get("/plans/annual/2026/")
    with django_assert_max_num_queries(20) as few:
        client.get("/plans/annual/2026/")
    for n in range(2, 12):
        task = _task(province, plan, n, lead=province.health if n % 2 else province.pa05,
                     co_operating=[province.finance, province.hospital])
        actions.add_progress_note(actor=province.officer, task=task, text=f"Ghi chú {n}")
    with django_assert_max_num_queries(len(few.captured_queries)):
        page = client.get("/plans/annual/2026/")
    html = page.content.decode()
    assert 'id="unit-progress"' in html and "Nhiệm vụ 11" in html and "Ghi chú 11" in html


def test_the_current_year_opens_from_the_index(province, client_for):
    year = timezone.localdate().year
    actions.create_annual_plan(actor=province.officer, year=year)
    assert client_for(province.lead).get("/plans/annual/").url == f"/plans/annual/{year}/"
    assert client_for(province.outsider).get("/plans/annual/").status_code == 403


def test_a_task_is_updated_in_place_with_htmx(province, plan, client_for):
    task = _task(province, plan, 1)
    client = client_for(province.officer)
    form = client.get(f"/plans/annual/tasks/{task.pk}/", headers={"HX-Request": "true"}).content.decode()
    assert form.startswith("<tr") and 'name="evidence"' in form
    refused = client.post(f"/plans/annual/tasks/{task.pk}/", {"status": "done"}, headers={"HX-Request": "true"})
    assert refused.status_code == 200 and 'role="alert"' in refused.content.decode()
    task.refresh_from_db()
    assert task.status == TaskStatus.NOT_STARTED
    row = client.post(f"/plans/annual/tasks/{task.pk}/", {"status": "done", "evidence": "Biên bản diễn tập",
                                                          "note": "Đã xong"}, headers={"HX-Request": "true"})
    html = row.content.decode()
    assert "Biên bản diễn tập" in html and "Đã xong" in html and 'name="evidence"' not in html
    task.refresh_from_db()
    assert task.status == TaskStatus.DONE


def test_adding_a_task_from_the_page(province, plan, client_for):
    client = client_for(province.officer)
    response = client.post("/plans/annual/2026/", {
        "number": 10, "content": "Tổ chức diễn tập thực chiến toàn tỉnh", "lead": province.pa05.pk,
        "co_operating": [province.health.pk], "period": "quarters", "quarters": ["3"]})
    assert response.status_code == 302
    task = AnnualTask.objects.get(number=10)
    assert task.quarters == "3" and list(task.co_operating.all()) == [province.health]
    assert client_for(province.member).post("/plans/annual/2026/", {"number": 11}).status_code == 403

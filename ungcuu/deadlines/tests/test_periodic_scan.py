"""The half-year and annual reports (TT 20/2017 Điều 6.1.c: before 20/6 and 15/12) open by themselves with the
worker's scan, once a year, and a report sent is not asked for again."""

from django.utils import timezone

from ungcuu.deadlines import actions
from ungcuu.deadlines.models import PERIOD_SUBJECT, Deadline
from ungcuu.deadlines.tasks import scan_deadlines


def test_the_scan_opens_this_years_reports_once(province, run_tasks):
    scan_deadlines.enqueue()
    run_tasks()
    year = str(timezone.localdate().year)
    periodic = Deadline.objects.filter(subject_type=PERIOD_SUBJECT, subject_id=year)
    assert sorted(periodic.values_list("kind", flat=True)) == ["annual_report", "halfyear_report"]
    scan_deadlines.enqueue()
    run_tasks()
    assert periodic.count() == 2


def test_a_report_sent_is_not_opened_again(province):
    halfyear, annual = actions.open_periodic_deadlines(year=2026)
    actions.meet_deadline(kind="halfyear_report", subject=(PERIOD_SUBJECT, "2026"))
    again = actions.open_periodic_deadlines(year=2026)
    assert [d.pk for d in again] == [halfyear.pk, annual.pk]
    assert Deadline.objects.filter(kind="halfyear_report", subject_id="2026").count() == 1

"""The dashboard: figures from the records, response-time percentiles on both databases, one query each."""

import datetime

import pytest

from ungcuu.incidents import actions as incident_actions
from ungcuu.incidents.models import ReportKind
from ungcuu.incidents.procedure import Step
from ungcuu.incidents.tests.helpers import make_incident
from ungcuu.reports import dashboard

H = datetime.timedelta(hours=1)


def walk(incident, lead, *, ack, contain=None, recover=None):
    """Take the incident through the normal procedure, each move `at` the given offset from its creation."""
    start = incident.created_at
    incident_actions.verify_sender(actor=lead, incident=incident, method="phone_callback")
    incident_actions.classify(actor=lead, incident=incident, cause="cyber_attack", attack_type="malware")
    incident_actions.move_step(actor=lead, incident=incident, to_step=Step.INITIAL_RESPONSE, at=start + ack)
    if contain is None:
        return
    incident_actions.move_step(actor=lead, incident=incident, to_step=Step.RESPONSE_OPTION, at=start + ack)
    incident_actions.record_response_option(actor=lead, incident=incident, option="Cô lập máy chủ",
                                            approved_by="Đội trưởng")
    incident_actions.move_step(actor=lead, incident=incident, to_step=Step.REPORT, at=start + ack)
    incident_actions.record_report(actor=lead, incident=incident, kind=ReportKind.NOTICE, number="01/TB",
                                   issued_on=datetime.date.today(), recipients="VNCERT/CC")
    incident_actions.move_step(actor=lead, incident=incident, to_step=Step.COORDINATE, at=start + ack)
    incident_actions.move_step(actor=lead, incident=incident, to_step=Step.CONTAIN, at=start + contain)
    if recover is None:
        return
    for step in (Step.ERADICATE, Step.RECOVER, Step.VERIFY_RECOVERY):
        incident_actions.move_step(actor=lead, incident=incident, to_step=step, at=start + contain)
    incident_actions.move_step(actor=lead, incident=incident, to_step=Step.CLOSE_OUT, at=start + recover)


@pytest.mark.parametrize("values, fraction, want", [
    ([1, 2, 4], 0.5, 2), ([1, 2, 4], 0.9, 3.6), ([5], 0.9, 5), ([], 0.5, None), ([4, 1, 3, 2], 0.5, 2.5),
])
def test_percentile_interpolates_like_percentile_cont(values, fraction, want):
    got = dashboard.percentile(values, fraction)
    assert got is None if want is None else got == pytest.approx(want)


@pytest.fixture
def timed(province):
    """Three incidents: acknowledged after 1, 2, 4 hours; two contained after 3 and 5; one recovered after 10."""
    lead = province.lead
    a, b, c = make_incident(), make_incident(), make_incident()
    walk(a, lead, ack=1 * H, contain=3 * H, recover=10 * H)
    walk(b, lead, ack=2 * H, contain=5 * H)
    walk(c, lead, ack=4 * H)
    make_incident()  # still at "receive and verify": counts nowhere in the timings
    return a, b, c


def test_response_times_median_and_90th_percentile(timed, django_assert_num_queries):
    with django_assert_num_queries(1):
        ack = dashboard.timing("acknowledge")
    assert (ack.count, ack.median, ack.p90) == (3, 2 * H, datetime.timedelta(hours=3.6))
    contain = dashboard.timing("contain")
    assert (contain.count, contain.median, contain.p90) == (2, 4 * H, datetime.timedelta(hours=4.8))
    recover = dashboard.timing("recover")
    assert (recover.count, recover.median, recover.p90) == (1, 10 * H, 10 * H)


def test_figures_count_what_was_recorded(timed, province, django_assert_num_queries):
    incident_actions.classify(actor=province.lead, incident=make_incident(), cause="operator_error")
    with django_assert_num_queries(1):
        steps = {key: n for key, _label, n in dashboard.open_by_step()}
    assert steps == {Step.RECEIVE_VERIFY: 2, Step.INITIAL_RESPONSE: 1, Step.CONTAIN: 1, Step.CLOSE_OUT: 1}
    with django_assert_num_queries(1):
        types = {key: n for key, _label, n in dashboard.by_attack_type()}
    assert types["malware"] == 3 and sum(types.values()) == 3
    with django_assert_num_queries(1):
        causes = {key: n for key, _label, n in dashboard.by_cause()}
    assert causes == {"cyber_attack": 3, "system_fault": 0, "operator_error": 1, "natural_disaster": 0, "": 1}
    with django_assert_num_queries(1):
        months = dashboard.by_month()
    assert len(months) == 12 and months[-1][2] == 5  # detected 20/11/2026 in the helper's report
    with django_assert_num_queries(1):
        organisations = dashboard.by_organisation()
    assert sum(n for _pk, _name, n in organisations) == 5


def test_dashboard_page_renders_figures_and_charts(timed, province, client_for, django_assert_max_num_queries):
    client = client_for(province.officer)
    with django_assert_max_num_queries(16):
        response = client.get("/reports/dashboard/")
    assert response.status_code == 200
    html = response.content.decode()
    assert html.count("<svg") == 5  # steps, month, type, cause, organisation: drawn on the server
    assert "cdn" not in html.lower()
    assert 'id="timing-acknowledge"' in html and "2:00:00" in html  # the median time to acknowledge
    assert 'class="due-soon-count"' in html


def test_deadline_counts_split_overdue_and_due_soon(timed, province):
    now = datetime.datetime.now(datetime.UTC)
    counts = dashboard.deadline_counts(province.officer, now)
    later = dashboard.deadline_counts(province.officer, now + datetime.timedelta(days=400))
    assert counts["open"] == later["open"] > 0
    assert later["overdue"] == later["open"] and counts["overdue"] < counts["open"]


def _month_total(client) -> int:
    figures = client.get("/reports/dashboard/").context
    return sum(bar["value"] for bar in figures["by_month"])


def test_a_large_table_reads_the_12_month_figures_from_the_workers_snapshot(timed, province, client_for, settings,
                                                                             run_tasks):
    """Above DASHBOARD_SNAPSHOT_ABOVE incidents the 12-month figures come from the snapshot: a new report shows
    after the worker's refresh, and the page says when the figures were computed. The live figures stay live."""
    from ungcuu.reports.models import DashboardSnapshot
    from ungcuu.reports.tasks import refresh_dashboard

    settings.DASHBOARD_SNAPSHOT_ABOVE = 0  # every table counts as large
    client = client_for(province.officer)
    assert _month_total(client) == 4  # no snapshot yet: computed now and kept
    snapshot = DashboardSnapshot.objects.get()
    make_incident()
    page = client.get("/reports/dashboard/")
    assert _month_total(client) == 4, "the snapshot is used until refreshed"
    assert f"{snapshot.computed_at.astimezone(datetime.timezone(datetime.timedelta(hours=7))):%H:%M}" in \
        page.content.decode()
    assert sum(n for _key, _label, n in dashboard.open_by_step()) == 5  # open incidents: always live
    refresh_dashboard.enqueue()
    run_tasks()
    assert _month_total(client) == 5


def test_a_stale_snapshot_is_recomputed_on_view(timed, province, client_for, settings):
    from ungcuu.reports.models import DashboardSnapshot

    settings.DASHBOARD_SNAPSHOT_ABOVE = 0
    settings.DASHBOARD_REFRESH_SECONDS = 60
    client = client_for(province.officer)
    _month_total(client)
    make_incident()
    DashboardSnapshot.objects.update(computed_at=datetime.datetime(2020, 1, 1, tzinfo=datetime.UTC))
    assert _month_total(client) == 5


def test_small_tables_compute_the_figures_on_each_view(timed, province, client_for):
    client = client_for(province.officer)
    assert _month_total(client) == 4
    make_incident()
    assert _month_total(client) == 5
    assert not dashboard.uses_snapshot()

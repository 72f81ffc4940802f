"""The worker's periodic jobs: each queued at most once at a time, the dashboard snapshot only when in use."""

from django_tasks_db.models import DBTaskResult

from ungcuu.management.commands import worker


def queued(task_path: str) -> int:
    return DBTaskResult.objects.ready().filter(task_path=task_path).count()


def test_each_periodic_job_is_queued_once_until_it_runs(db, settings):
    settings.DASHBOARD_SNAPSHOT_ABOVE = 0
    assert worker.enqueue_duty_schedules() and not worker.enqueue_duty_schedules()
    assert worker.enqueue_dashboard_refresh() and not worker.enqueue_dashboard_refresh()
    assert queued("ungcuu.inspections.tasks.schedule_duties") == 1
    assert queued("ungcuu.drills.tasks.sync_duty_deadlines") == 1
    assert queued("ungcuu.reports.tasks.refresh_dashboard") == 1


def test_the_dashboard_snapshot_is_not_refreshed_for_a_small_table(db, settings):
    settings.DASHBOARD_SNAPSHOT_ABOVE = 200_000
    assert not worker.enqueue_dashboard_refresh()
    assert queued("ungcuu.reports.tasks.refresh_dashboard") == 0

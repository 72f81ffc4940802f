"""Background work of the reports app."""

from django_tasks import task

from ungcuu.reports import dashboard


@task()
def refresh_dashboard() -> int:
    """Recompute the dashboard's 12-month figures snapshot; returns the milliseconds it took."""
    return dashboard.refresh_history().took_ms

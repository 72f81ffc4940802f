"""Background work of alerts: grouping what an interrupted or busy request left waiting."""

from django_tasks import task


@task()
def group_alerts_task() -> dict:
    """Group every alert still waiting (receipt groups as it stores; this catches up after a failure or a crash)."""
    from ungcuu.alerts.actions import group_all_waiting

    return group_all_waiting(actor=None)

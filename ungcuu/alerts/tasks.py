"""Background work of alerts: grouping what an interrupted or busy request left waiting."""

from django_tasks import task


@task()
def group_alerts_task() -> dict:
    """Group every alert still waiting (receipt groups inline; this catches up after a failure or a crash)."""
    from ungcuu.alerts.actions import group_alerts

    totals = {"looked": 0, "grouped": 0, "opened": 0}
    while True:
        result = group_alerts(actor=None)
        for key, value in result.items():
            totals[key] += value
        if not result["looked"]:
            return totals

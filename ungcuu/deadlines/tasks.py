"""Background work of the deadlines app, run by `ungcuu worker` (which enqueues the scan every minute)."""

from django.utils import timezone
from django_tasks import task

from ungcuu.deadlines import actions
from ungcuu.notifications.actions import requeue_stale_deliveries


@task()
def scan_deadlines() -> dict:
    """Open this year's periodic reports if they are not yet, then send the reminders, escalations and
    acknowledgement chasers that are due now."""
    actions.open_periodic_deadlines(year=timezone.localdate().year)
    # The worker's one periodic task also picks up notifications whose delivery task was lost.
    requeue_stale_deliveries()
    return actions.send_deadline_notices()

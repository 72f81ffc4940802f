"""Background work of the deadlines app, run by `ungcuu worker` (which enqueues the scan every minute)."""

from django.utils import timezone
from django_tasks import task

from ungcuu.deadlines import actions


@task()
def scan_deadlines() -> dict:
    """Open this year's periodic reports if they are not yet, then send the reminders, escalations and
    acknowledgement chasers that are due now."""
    actions.open_periodic_deadlines(year=timezone.localdate().year)
    return actions.send_deadline_notices()

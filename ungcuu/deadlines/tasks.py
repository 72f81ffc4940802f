"""Background work of the deadlines app, run by `ungcuu worker` (which enqueues the scan every minute)."""

from django_tasks import task

from ungcuu.deadlines import actions


@task()
def scan_deadlines() -> dict:
    """Send the reminders, escalations and acknowledgement chasers that are due now."""
    return actions.send_deadline_notices()

"""Background work of inspections: the deadline scan (or a cron) may enqueue `schedule_duties` daily."""

from django_tasks import task

from ungcuu.inspections import actions


@task()
def schedule_duties() -> dict:
    """Open the missing inspection, scan and hunt duties with their deadlines, and bring the others in step with
    levels, owners and periods. Idempotent: the deadline scan then sends the reminders and escalations."""
    return actions.schedule_duties()

"""Background work of drills, run by `ungcuu worker`."""

from django_tasks import task

from ungcuu.drills import actions


@task()
def sync_duty_deadlines() -> dict:
    """Open or refresh the Chỉ thị 18 live drill deadlines and the regular meeting deadline."""
    return actions.sync_deadlines(actor=None)

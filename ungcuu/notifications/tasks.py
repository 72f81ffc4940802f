"""Background work of the notifications app, run by `ungcuu worker` (django.tasks backport)."""

from django_tasks import task


@task()
def deliver(delivery_id: int) -> str:
    """Make one attempt at a delivery (a retry is enqueued by the attempt itself); returns its status."""
    # Imported here: the actions module enqueues this task, so it imports this module first.
    from ungcuu.notifications.actions import attempt_delivery

    delivery = attempt_delivery(actor=None, delivery_id=delivery_id)
    return delivery.status if delivery is not None else "missing"

"""Gap-free yearly numbers (incident references, coordination orders, later document numbers)."""

from django.db import IntegrityError, transaction
from django.db.models import F


def take_next(counter_model, **key) -> int:
    """The next number of the counter row matching `key` (created at 0 when missing): unique and without gaps.

    The UPDATE locks the row until the caller's transaction ends, so callers take the number as late as they
    can. `counter_model` has a `last` integer field and a unique key made of `key`'s fields.
    """
    counter = counter_model.objects.filter(**key)
    if not counter.update(last=F("last") + 1):
        try:
            with transaction.atomic():
                counter_model.objects.create(**key, last=0)
        except IntegrityError:
            pass  # another transaction created the counter first
        counter.update(last=F("last") + 1)
    return counter.values_list("last", flat=True).get()

"""Filtering, search and ordering of incident lists, shared by the pages and the API.

Search folds the query like the stored `search_text` (no diacritics, no case), so "ma doc" finds
"mã độc" and "TAN CONG" finds "tấn công" on SQLite and PostgreSQL alike; on PostgreSQL the
trigram index answers the substring match.
"""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.utils import timezone

from ungcuu.lib import keyset
from ungcuu.lib.text import fold

# sort key → (column, descending)
SORTS = {
    "-detected": ("detected_at", True),
    "detected": ("detected_at", False),
    "-received": ("created_at", True),
    "received": ("created_at", False),
}
DEFAULT_SORT = "-detected"
EARLIEST = date(1900, 1, 1)


@dataclass
class IncidentFilters:
    q: str = ""
    status: str = ""
    attack_type: str = ""
    cause: str = ""
    severity: str = ""
    organisation: int | None = None
    system: int | None = None
    detected_from: date | None = None
    detected_to: date | None = None
    sort: str = DEFAULT_SORT


def _day_start(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def apply(queryset, filters: IncidentFilters):
    if filters.status:
        queryset = queryset.filter(status=filters.status)
    if filters.attack_type:
        queryset = queryset.filter(attack_type=filters.attack_type)
    if filters.cause:
        queryset = queryset.filter(cause=filters.cause)
    if filters.severity:
        queryset = queryset.filter(severity=filters.severity)
    if filters.organisation:
        queryset = queryset.filter(organisation_id=filters.organisation)
    if filters.system:
        queryset = queryset.filter(system_id=filters.system)
    # Bounds at the ends of the calendar filter nothing and would overflow in the conversion to UTC.
    if filters.detected_from and filters.detected_from > EARLIEST:
        queryset = queryset.filter(detected_at__gte=_day_start(filters.detected_from))
    if filters.detected_to and filters.detected_to < date.max:
        queryset = queryset.filter(detected_at__lt=_day_start(filters.detected_to + timedelta(days=1)))
    for word in fold(filters.q.replace("\x00", " ")).split()[:8]:  # PostgreSQL refuses NUL
        queryset = queryset.filter(search_text__contains=word)
    return queryset


def page(queryset, filters: IncidentFilters, *, size: int, after: str = "", before: str = ""):
    column, descending = SORTS.get(filters.sort, SORTS[DEFAULT_SORT])
    return keyset.page(apply(queryset, filters), column=column, descending=descending, size=size,
                       after=after, before=before)

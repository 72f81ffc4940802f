"""Keyset ("seek") paging: a page is read from an index position, so page 10,000 costs what page 1 does.

A cursor names the last row seen, e.g. "2026-11-20T08:30:00+00:00~1234"; ordering is on one column
plus the primary key as tie-breaker.
"""

from dataclasses import dataclass
from datetime import UTC, datetime

from django.db.models import Q


@dataclass
class KeysetPage:
    rows: list
    next_cursor: str | None
    previous_cursor: str | None


def _encode(row, column: str) -> str:
    value = getattr(row, column)
    return f"{value.isoformat() if isinstance(value, datetime) else value}~{row.pk}"


def _decode(cursor: str):
    value, _sep, pk = (cursor or "").rpartition("~")
    try:
        position = datetime.fromisoformat(value)
        if position.tzinfo is None:
            position = position.replace(tzinfo=UTC)
        position.astimezone(UTC)  # near year 1 or 9999 the database could not take it
        return position, int(pk)
    except (ValueError, OverflowError):
        return None


def _seek(queryset, column: str, descending: bool, value, pk):
    """Rows strictly after (value, pk) in the given direction. The redundant bound on the column
    alone lets the database start its index scan there instead of filtering from the top."""
    if descending:
        return queryset.filter(Q(**{f"{column}__lte": value}),
                               Q(**{f"{column}__lt": value}) | Q(pk__lt=pk))
    return queryset.filter(Q(**{f"{column}__gte": value}), Q(**{f"{column}__gt": value}) | Q(pk__gt=pk))


def _ordered(queryset, column: str, descending: bool):
    sign = "-" if descending else ""
    return queryset.order_by(f"{sign}{column}", f"{sign}pk")


def page(queryset, *, column: str, descending: bool, size: int, after: str = "", before: str = "") -> KeysetPage:
    """One page after the cursor `after`, or the page before the cursor `before`, or the first page."""
    position = _decode(before) if before else _decode(after) if after else None
    going_back = bool(before) and position is not None
    if going_back:
        rows = list(_ordered(_seek(queryset, column, not descending, *position), column, not descending)[: size + 1])
        more_before = len(rows) > size
        rows = list(reversed(rows[:size]))
        return KeysetPage(rows=rows, next_cursor=_encode(rows[-1], column) if rows else None,
                          previous_cursor=_encode(rows[0], column) if rows and more_before else None)
    if position is not None:
        queryset = _seek(queryset, column, descending, *position)
    rows = list(_ordered(queryset, column, descending)[: size + 1])
    more_after = len(rows) > size
    rows = rows[:size]
    return KeysetPage(rows=rows, next_cursor=_encode(rows[-1], column) if rows and more_after else None,
                      previous_cursor=_encode(rows[0], column) if rows and position is not None else None)

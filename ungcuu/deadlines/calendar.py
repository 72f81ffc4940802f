"""Counting legal periods: Bộ luật Dân sự 2015 Điều 147–148, Asia/Ho_Chi_Minh, with the holiday calendar as data.

Pure functions: no database. The caller loads the days off (`Holiday` rows) into a `WorkCalendar`.

- A period in days (Điều 147.1) starts on the day after the event; it ends at the end (24:00) of its last
  day (Điều 148.1, 148.6). If the last day is a Saturday, Sunday, public holiday or official day off, it ends
  at the end of the next working day (Điều 148.5). We store "the end of the day" as 23:59:59.999999 local
  time so it shows as "23:59" of the last day rather than "00:00" of the next one.
- A period in hours counts from the event itself (Điều 147.2 counts hours from the moment given), with no
  holiday shift: an acknowledgement "ngay" does not wait for Monday.
- A fixed date "trước ngày 20 tháng 6" (TT 20/2017 Điều 6.1.c) is a point in time, not a period, so
  Điều 148.5 does not move it: the report is due by the end of the day before (19/6 23:59). If that day is
  a day off, the team has to send it earlier; nothing is moved later. See docs/deadlines.md.
"""

from calendar import monthrange
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

LOCAL = ZoneInfo("Asia/Ho_Chi_Minh")
END_OF_DAY = time(23, 59, 59, 999999)


@dataclass(frozen=True)
class WorkCalendar:
    """Which dates are not working days beyond weekends, and which weekend dates are worked (make-up days)."""

    days_off: frozenset[date] = field(default_factory=frozenset)
    working_weekends: frozenset[date] = field(default_factory=frozenset)

    @classmethod
    def of(cls, days_off: Iterable[date] = (), working_weekends: Iterable[date] = ()) -> "WorkCalendar":
        return cls(frozenset(days_off), frozenset(working_weekends))

    def is_working_day(self, day: date) -> bool:
        if day in self.days_off:
            return False
        if day.weekday() >= 5:
            return day in self.working_weekends
        return True

    def next_working_day(self, day: date) -> date:
        """`day` itself if it is a working day, else the first working day after it."""
        for _ in range(60):  # the longest run of days off (Tết and two weekends) is far below this
            if self.is_working_day(day):
                return day
            day += timedelta(days=1)
        raise ValueError(f"No working day within 60 days of {day:%d/%m/%Y}")


def local_date(moment: datetime) -> date:
    if moment.tzinfo is None:
        raise ValueError("Deadlines are computed from aware datetimes")
    return moment.astimezone(LOCAL).date()


def end_of_day(day: date) -> datetime:
    """24:00 of `day` in Asia/Ho_Chi_Minh (stored as 23:59:59.999999)."""
    return datetime.combine(day, END_OF_DAY, tzinfo=LOCAL)


def start_of_day(day: date) -> datetime:
    """00:00 of `day` in Asia/Ho_Chi_Minh."""
    return datetime.combine(day, time.min, tzinfo=LOCAL)


def add_months(day: date, months: int) -> date:
    """`day` plus whole calendar months; the month's last day when it has no such day (Bộ luật Dân sự Điều
    147–148: 31/08 + 6 months = 28/02, or 29/02 in a leap year). Periods of inspections, scans and drills."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return date(year, month, min(day.day, monthrange(year, month)[1]))


def last_day_of_period(start: datetime, days: int) -> date:
    """The nominal last day of a period of `days` days counted from the day after `start` (Điều 147.1)."""
    if days < 1:
        raise ValueError("A period in days is at least one day")
    return local_date(start) + timedelta(days=days)


def due_after_days(start: datetime, days: int, calendar: WorkCalendar) -> datetime:
    """The end of a period of `days` calendar days (Điều 147.1, 148.1, 148.5, 148.6)."""
    return end_of_day(calendar.next_working_day(last_day_of_period(start, days)))


def due_after_hours(start: datetime, hours: int) -> datetime:
    """A period in hours runs from the event itself (Điều 147.2); it is never moved."""
    if start.tzinfo is None:
        raise ValueError("Deadlines are computed from aware datetimes")
    return start + timedelta(hours=hours)


def due_before_fixed_date(start: datetime, day: int, month: int) -> datetime:
    """"Before day/month": the end of the day before that date, in the year of `start` or, once that
    moment has passed, the next year."""
    year = local_date(start).year
    for candidate_year in (year, year + 1):
        due = end_of_day(date(candidate_year, month, day) - timedelta(days=1))
        if due >= start:
            return due
    raise AssertionError("unreachable")

"""Deadlines of the case process, as pure functions (no database): easy to test and to reason about.

* Clock hours (the 12 hours of Decree 56 Art. 26 for the initial assessment and emergency
  measures) run day and night, holidays included: ``due_after_hours``.
* Working days (the 5 days of Art. 28 for the plan) skip weekends and public holidays, and count
  the make-up Saturdays the Government sometimes declares: ``due_after_working_days``. As the
  Civil Code counts periods in days (Art. 147), counting starts the day after the report, and the
  deadline is the end of the last working day, local time.

The national calendar comes from the ``holidays`` package (Tết with its eve and the days around
it, Hùng Kings' day, 30/4, 1/5, National Day, substituted days off and make-up working Saturdays).
Local decisions (a province's extra day off, a make-up working day the package does not know yet)
are passed in as ``extra_days_off`` / ``extra_working_days``; the database keeps them as
``CalendarOverride`` rows (see ``selectors.working_calendar``).
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Iterable
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

import holidays

VIETNAM = ZoneInfo("Asia/Ho_Chi_Minh")
WEEKEND = frozenset({5, 6})  # Saturday, Sunday
MAX_WORKING_DAYS = 366  # a guard against a calendar without working days


@functools.lru_cache(maxsize=64)
def _national(year: int) -> tuple[frozenset[dt.date], frozenset[dt.date]]:
    calendar = holidays.country_holidays("VN", years=[year], language="vi")
    days_off = frozenset(calendar)
    working = frozenset(d for d in calendar.weekend_workdays if d.year == year)
    return days_off, working


def national_days_off(year: int) -> frozenset[dt.date]:
    """Public holidays (and substituted days off) of Vietnam in ``year``."""
    return _national(year)[0]


def national_working_weekend_days(year: int) -> frozenset[dt.date]:
    """Saturdays or Sundays that are working days in ``year`` (make-up days for a bridge holiday)."""
    return _national(year)[1]


def holiday_name(day: dt.date) -> str:
    """The Vietnamese name of the public holiday on ``day`` ("" when none)."""
    return holidays.country_holidays("VN", years=[day.year], language="vi").get(day, "")


@dataclass(frozen=True)
class WorkingCalendar:
    """Vietnam's working days with local overrides (an override wins over the national calendar)."""

    extra_days_off: frozenset[dt.date] = field(default_factory=frozenset)
    extra_working_days: frozenset[dt.date] = field(default_factory=frozenset)

    @classmethod
    def with_overrides(
        cls, *, days_off: Iterable[dt.date] = (), working_days: Iterable[dt.date] = ()
    ) -> WorkingCalendar:
        days_off, working_days = frozenset(days_off), frozenset(working_days)
        both = days_off & working_days
        if both:
            raise ValueError(f"A day cannot be both off and a working day: {sorted(both)}")
        return cls(extra_days_off=days_off, extra_working_days=working_days)

    def is_working_day(self, day: dt.date) -> bool:
        if day in self.extra_working_days:
            return True
        if day in self.extra_days_off:
            return False
        if day in national_working_weekend_days(day.year):
            return True
        return day.weekday() not in WEEKEND and day not in national_days_off(day.year)

    def nth_working_day_after(self, day: dt.date, n: int) -> dt.date:
        """The ``n``-th working day after ``day`` (``day`` itself never counts)."""
        if n < 1:
            raise ValueError("n must be at least 1")
        found = 0
        current = day
        for _step in range(MAX_WORKING_DAYS * max(n, 1)):
            current += dt.timedelta(days=1)
            if self.is_working_day(current):
                found += 1
                if found == n:
                    return current
        raise ValueError("The calendar has no working days left")

    def working_days_between(self, start: dt.date, end: dt.date) -> int:
        """Working days after ``start`` up to and including ``end``."""
        return sum(
            1 for k in range(1, (end - start).days + 1) if self.is_working_day(start + dt.timedelta(days=k))
        )


def _aware(moment: dt.datetime) -> dt.datetime:
    if moment.tzinfo is None:
        raise ValueError("Deadlines are computed from aware datetimes only")
    return moment


def end_of_day(day: dt.date) -> dt.datetime:
    """The last moment of ``day`` in Vietnam (23:59:59)."""
    return dt.datetime.combine(day, dt.time(23, 59, 59), tzinfo=VIETNAM)


def due_after_hours(start: dt.datetime, hours: int) -> dt.datetime:
    """``hours`` clock hours after ``start`` (night, weekend and holiday included)."""
    if hours < 1:
        raise ValueError("hours must be at least 1")
    return _aware(start) + dt.timedelta(hours=hours)


def due_after_working_days(start: dt.datetime, days: int, calendar: WorkingCalendar) -> dt.datetime:
    """The end of the ``days``-th working day after the (Vietnamese) day of ``start``."""
    local_day = _aware(start).astimezone(VIETNAM).date()
    return end_of_day(calendar.nth_working_day_after(local_day, days))


def due_by_rule(start: dt.datetime, rule: dict, calendar: WorkingCalendar) -> dt.datetime:
    """Apply a configured rule: ``{"hours": n}`` or ``{"working_days": n}``."""
    if set(rule) == {"hours"}:
        return due_after_hours(start, int(rule["hours"]))
    if set(rule) == {"working_days"}:
        return due_after_working_days(start, int(rule["working_days"]), calendar)
    raise ValueError(f"A deadline rule is {{'hours': n}} or {{'working_days': n}}, not {rule!r}")


def deadline_state(
    due_at: dt.datetime, *, now: dt.datetime, soon: dt.timedelta, met_at: dt.datetime | None = None
) -> str:
    """The state of a deadline at ``now``: "met" (in time), "met_late", "overdue" (not met and
    past), "due_soon" or "pending". A deadline met after it fell due was missed, whenever met."""
    if met_at is not None:
        return "met_late" if met_at > due_at else "met"
    if now > due_at:
        return "overdue"
    if now >= due_at - soon:
        return "due_soon"
    return "pending"

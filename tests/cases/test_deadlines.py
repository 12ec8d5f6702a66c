"""The deadline functions: clock hours, Vietnamese working days (Tết, substituted days off, make-up
Saturdays) and local overrides. Pure functions: no database."""

import datetime as dt

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from treem.cases.deadlines import (
    VIETNAM,
    WorkingCalendar,
    deadline_state,
    due_after_hours,
    due_after_working_days,
    due_by_rule,
    end_of_day,
    holiday_name,
)

NATIONAL = WorkingCalendar()


def local(*args) -> dt.datetime:
    return dt.datetime(*args, tzinfo=VIETNAM)


def test_twelve_hours_run_through_the_night_and_tet():
    # Tết eve 2026 in the evening: the 12 hours do not stop for the holiday.
    assert due_after_hours(local(2026, 2, 16, 20, 0), 12) == local(2026, 2, 17, 8, 0)


def test_five_working_days_across_tet_2026():
    # Friday 13/02/2026; 16–20/02 are Tết (eve to the fourth day), then two weekend days.
    assert due_after_working_days(local(2026, 2, 13, 10, 0), 5, NATIONAL) == end_of_day(dt.date(2026, 2, 27))


def test_five_working_days_across_tet_2027():
    # Wednesday 03/02/2027; Tết 2027 takes 04–10/02 (the weekend inside it included).
    assert due_after_working_days(local(2027, 2, 3, 9, 0), 5, NATIONAL) == end_of_day(dt.date(2027, 2, 17))


def test_tet_days_are_not_working_days():
    for day in range(16, 21):
        assert not NATIONAL.is_working_day(dt.date(2026, 2, day))
    assert holiday_name(dt.date(2026, 2, 17)) == "Tết Nguyên Đán"
    assert NATIONAL.is_working_day(dt.date(2026, 2, 23))


def test_national_make_up_saturday_counts():
    # Saturday 22/08/2026 is worked in exchange for Monday 31/08 (a bridge to National Day).
    assert NATIONAL.is_working_day(dt.date(2026, 8, 22))
    assert due_after_working_days(local(2026, 8, 19, 15, 0), 5, NATIONAL) == end_of_day(dt.date(2026, 8, 25))


def test_substituted_day_off_and_national_day():
    # Friday 28/08/2026: Monday 31/08 (substituted), 01/09 and 02/09 (National Day) are off.
    assert not NATIONAL.is_working_day(dt.date(2026, 8, 31))
    assert due_after_working_days(local(2026, 8, 28, 9, 0), 5, NATIONAL) == end_of_day(dt.date(2026, 9, 9))


def test_local_make_up_saturday():
    received = local(2026, 1, 8, 9, 0)  # a Thursday
    assert due_after_working_days(received, 5, NATIONAL) == end_of_day(dt.date(2026, 1, 15))
    local_calendar = WorkingCalendar.with_overrides(working_days=[dt.date(2026, 1, 10)])
    assert local_calendar.is_working_day(dt.date(2026, 1, 10))
    assert due_after_working_days(received, 5, local_calendar) == end_of_day(dt.date(2026, 1, 14))


def test_local_extra_day_off():
    received = local(2026, 12, 7, 9, 0)  # a Monday
    assert due_after_working_days(received, 5, NATIONAL) == end_of_day(dt.date(2026, 12, 14))
    calendar = WorkingCalendar.with_overrides(days_off=[dt.date(2026, 12, 8)])
    assert due_after_working_days(received, 5, calendar) == end_of_day(dt.date(2026, 12, 15))


def test_an_override_can_cancel_a_national_holiday():
    calendar = WorkingCalendar.with_overrides(working_days=[dt.date(2026, 4, 30)])
    assert calendar.is_working_day(dt.date(2026, 4, 30))
    assert not NATIONAL.is_working_day(dt.date(2026, 4, 30))


def test_a_report_on_a_sunday_counts_from_monday():
    assert due_after_working_days(local(2026, 3, 8, 22, 0), 1, NATIONAL) == end_of_day(dt.date(2026, 3, 9))


def test_the_day_is_the_vietnamese_day_not_the_servers():
    # 18:00 UTC on Thursday 12/02/2026 is 01:00 on Friday 13/02 in Vietnam.
    received = dt.datetime(2026, 2, 12, 18, 0, tzinfo=dt.UTC)
    assert due_after_working_days(received, 5, NATIONAL) == end_of_day(dt.date(2026, 2, 27))
    earlier = dt.datetime(2026, 2, 12, 16, 0, tzinfo=dt.UTC)  # 23:00 on Thursday in Vietnam
    assert due_after_working_days(earlier, 5, NATIONAL) == end_of_day(dt.date(2026, 2, 26))


def test_configured_rules():
    start = local(2026, 2, 13, 10, 0)
    assert due_by_rule(start, {"hours": 12}, NATIONAL) == local(2026, 2, 13, 22, 0)
    assert due_by_rule(start, {"working_days": 5}, NATIONAL) == end_of_day(dt.date(2026, 2, 27))
    for bad in ({}, {"days": 5}, {"hours": 1, "working_days": 1}):
        with pytest.raises(ValueError, match="deadline rule"):
            due_by_rule(start, bad, NATIONAL)


def test_bad_input_is_refused():
    with pytest.raises(ValueError, match="aware"):
        due_after_hours(dt.datetime(2026, 1, 1, 8, 0), 12)
    with pytest.raises(ValueError, match="aware"):
        due_after_working_days(dt.datetime(2026, 1, 1, 8, 0), 5, NATIONAL)
    with pytest.raises(ValueError, match="at least 1"):
        due_after_hours(local(2026, 1, 1, 8, 0), 0)
    with pytest.raises(ValueError, match="at least 1"):
        NATIONAL.nth_working_day_after(dt.date(2026, 1, 1), 0)
    with pytest.raises(ValueError, match="both off and a working day"):
        WorkingCalendar.with_overrides(days_off=[dt.date(2026, 1, 10)], working_days=[dt.date(2026, 1, 10)])


def test_deadline_state():
    due = local(2026, 2, 27, 23, 59, 59)
    soon = dt.timedelta(hours=24)
    assert deadline_state(due, now=local(2026, 2, 25, 9, 0), soon=soon) == "pending"
    assert deadline_state(due, now=local(2026, 2, 27, 9, 0), soon=soon) == "due_soon"
    assert deadline_state(due, now=local(2026, 2, 28, 0, 0), soon=soon) == "overdue"
    # Met: in time, or late however long ago it was done.
    assert deadline_state(due, now=local(2026, 3, 5, 0, 0), soon=soon, met_at=local(2026, 2, 26)) == "met"
    assert deadline_state(due, now=local(2026, 3, 5, 0, 0), soon=soon, met_at=due) == "met"
    late = local(2026, 2, 28, 0, 0)
    assert deadline_state(due, now=local(2026, 3, 5, 0, 0), soon=soon, met_at=late) == "met_late"
    assert deadline_state(due, now=local(2026, 2, 28, 0, 1), soon=soon, met_at=late) == "met_late"


@settings(max_examples=200, deadline=None)
@given(
    start=st.datetimes(min_value=dt.datetime(2024, 1, 1), max_value=dt.datetime(2028, 12, 31)),
    days=st.integers(min_value=1, max_value=15),
)
def test_property_the_deadline_is_the_nth_working_day(start, days):
    received = start.replace(tzinfo=VIETNAM)
    due = due_after_working_days(received, days, NATIONAL)
    assert due.timetz() == dt.time(23, 59, 59, tzinfo=VIETNAM)
    assert NATIONAL.is_working_day(due.date())
    assert NATIONAL.working_days_between(received.date(), due.date()) == days
    assert due.date() > received.date()

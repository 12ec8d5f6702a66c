"""The Vietnamese lunar calendar (UTC+7) against dates known from outside the library.

Sources: the Vietnamese government's holiday schedules for Tết (kept in the ``holidays``
package's Vietnamese lunisolar table, an independent source), and the well-known years where
Vietnam's calendar and China's (UTC+8) differ: Tết 1985 (21/01 in Vietnam, 20/02 in China) and
Tết 2007 (17/02 in Vietnam, 18/02 in China).
"""

import datetime as dt

import pytest
from holidays.calendars.chinese import CHINESE_CALENDAR, VIETNAMESE_CALENDAR, _ChineseLunisolar

from treem.campaigns import lunar

# (event, lunar year, month, day) → solar date; verified against the sources above.
KNOWN = [
    ("Tết 2026", 2026, 1, 1, dt.date(2026, 2, 17)),
    ("Tết 2027", 2027, 1, 1, dt.date(2027, 2, 6)),
    ("Tết 2028", 2028, 1, 1, dt.date(2028, 1, 26)),
    ("Trung thu 2025", 2025, 8, 15, dt.date(2025, 10, 6)),
    ("Trung thu 2026", 2026, 8, 15, dt.date(2026, 9, 25)),
    ("Trung thu 2027", 2027, 8, 15, dt.date(2027, 9, 15)),
    ("Trung thu 2028", 2028, 8, 15, dt.date(2028, 10, 3)),
    ("Trung thu 2029", 2029, 8, 15, dt.date(2029, 9, 22)),
    ("Tết 1985 (Vietnam, not China)", 1985, 1, 1, dt.date(1985, 1, 21)),
    ("Tết 2007 (Vietnam, not China)", 2007, 1, 1, dt.date(2007, 2, 17)),
]


@pytest.mark.parametrize(("label", "year", "month", "day", "expected"), KNOWN, ids=[k[0] for k in KNOWN])
def test_known_dates(label, year, month, day, expected):
    assert lunar.to_solar(year, month, day) == expected
    back = lunar.to_lunar(expected)
    assert (back.year, back.month, back.day, back.leap) == (year, month, day, False)


def test_vietnam_differs_from_china_where_it_should():
    china = _ChineseLunisolar(calendar=CHINESE_CALENDAR)
    assert china.lunar_new_year_date(1985)[0] == dt.date(1985, 2, 20)
    assert lunar.to_solar(1985, 1, 1) == dt.date(1985, 1, 21)
    assert china.lunar_new_year_date(2007)[0] == dt.date(2007, 2, 18)
    assert lunar.to_solar(2007, 1, 1) == dt.date(2007, 2, 17)


def test_every_tet_matches_the_official_vietnamese_table():
    """Tết of every year the ``holidays`` package tabulates for Vietnam (1901–2099)."""
    vietnam = _ChineseLunisolar(calendar=VIETNAMESE_CALENDAR)
    mismatches = []
    for year in range(lunar.FIRST_YEAR, lunar.LAST_YEAR + 1):
        official, _estimated = vietnam.lunar_new_year_date(year)
        if lunar.to_solar(year, 1, 1) != official:
            mismatches.append((year, official, lunar.to_solar(year, 1, 1)))
    assert mismatches == []


def test_lunar_day_30_of_a_short_month_is_its_last_day():
    # The 12th month of Ất Tỵ (2025) has 29 days: Tết 2026 is 17/02/2026.
    assert lunar.to_solar(2025, 12, 30) == dt.date(2026, 2, 16)


def test_occurrences_of_a_late_lunar_date_in_january():
    # 23/12 lunar (Ông Công Ông Táo) of 2025's lunar year falls on 10/02/2026, and of 2026's in 2027.
    assert lunar.occurrences_in(2026, 12, 23) == [dt.date(2026, 2, 10)]
    assert lunar.occurrences_in(2026, 8, 15) == [dt.date(2026, 9, 25)]


def test_mid_autumn_2034_is_a_day_earlier_in_vietnam():
    # The new moon of September 2034 (the annular eclipse of 12/09/2034, about 16:15 UTC) falls
    # before midnight at UTC+7 and after it at UTC+8: the 8th month starts on 12/09 in Vietnam and
    # 13/09 in China, so Tết Trung thu is 26/09/2034 in Vietnam and 27/09 in China (the
    # ``holidays`` table, which is China's for this festival).
    china = _ChineseLunisolar(calendar=CHINESE_CALENDAR)
    assert china.mid_autumn_date(2034)[0] == dt.date(2034, 9, 27)
    assert lunar.to_solar(2034, 8, 1) == dt.date(2034, 9, 12)
    assert lunar.to_solar(2034, 8, 15) == dt.date(2034, 9, 26)

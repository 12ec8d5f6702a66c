"""The Vietnamese lunar calendar, through the ``lunar-vn`` package.

Vietnam's lunar calendar is computed for UTC+7 (Hồ Ngọc Đức's algorithm, which ``lunar-vn``
implements), so its months may start a day before China's (UTC+8): Tết 1985 was 21 January in
Vietnam and 20 February in China; Tết 2007 was 17 February in Vietnam and 18 in China. Every call
here passes the time zone explicitly, so a change of the library's default cannot move a date.
"""

from __future__ import annotations

import datetime as dt

from lunar_vn import LunarDate, lunar_to_solar, solar_to_lunar

VIETNAM_UTC_OFFSET = 7.0
FIRST_YEAR, LAST_YEAR = 1901, 2099  # inside the library's range, with a year to spare each side


def to_solar(lunar_year: int, month: int, day: int) -> dt.date:
    """The solar date of day ``day`` of (ordinary, not leap) month ``month`` of ``lunar_year``.

    A day 30 in a month of 29 days falls on the month's last day.
    """
    solar = lunar_to_solar(LunarDate(day, month, lunar_year), time_zone=VIETNAM_UTC_OFFSET)
    if day == 30:
        back = to_lunar(solar)
        if (back.month, back.leap) != (month, False):
            solar -= dt.timedelta(days=1)
    return solar


def to_lunar(day: dt.date) -> LunarDate:
    return solar_to_lunar(day, time_zone=VIETNAM_UTC_OFFSET)


def occurrences_in(year: int, month: int, day: int) -> list[dt.date]:
    """Solar dates in ``year`` of the lunar day (month, day): lunar years ``year - 1`` and
    ``year`` both may fall in it (a date late in the 11th or 12th month lands in January)."""
    found = []
    for lunar_year in (year - 1, year):
        solar = to_solar(lunar_year, month, day)
        if solar.year == year:
            found.append(solar)
    return found

"""Reporting periods written as in DHIS2 and ADX: ``2025`` (year), ``2025S1`` (half), ``2025Q3``."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

PERIOD_RE = re.compile(r"^(\d{4})(?:(S)([12])|(Q)([1-4]))?$")


@dataclass(frozen=True)
class Period:
    code: str
    year: int
    start: dt.date
    end: dt.date


def parse_period(code: str) -> Period:
    """The period a code names, or ValidationError with a clear message."""
    code = (code or "").strip().upper()
    match = PERIOD_RE.match(code)
    if not match or not 2000 <= int(match.group(1)) <= 2100:
        raise ValidationError(
            _("“%(period)s” is not a period: write 2025, 2025S1 (half-year) or 2025Q3 (quarter).")
            % {"period": code},
            code="period",
        )
    year = int(match.group(1))
    if match.group(2):
        half = int(match.group(3))
        start = dt.date(year, 1 if half == 1 else 7, 1)
        end = dt.date(year, 6, 30) if half == 1 else dt.date(year, 12, 31)
    elif match.group(4):
        quarter = int(match.group(5))
        start = dt.date(year, 3 * quarter - 2, 1)
        end = (dt.date(year + 1, 1, 1) if quarter == 4 else dt.date(year, 3 * quarter + 1, 1)) - dt.timedelta(
            days=1
        )
    else:
        start, end = dt.date(year, 1, 1), dt.date(year, 12, 31)
    return Period(code, year, start, end)


def unit_exists_in(unit, start: dt.date, end: dt.date) -> bool:
    """True when the unit was in force on at least one day between ``start`` and ``end``."""
    return (unit.valid_from is None or unit.valid_from <= end) and (
        unit.valid_to is None or unit.valid_to >= start
    )

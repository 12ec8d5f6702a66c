"""The legal deadline of a complaint, denunciation or petition, in working days from its receipt.

Defaults (``DEFAULT_DEADLINES``; a deployment overrides any of them with the setting
``TREEM_COMPLAINT_DEADLINES``, same keys):

* complaint: 30 days to settle; 45 for a complex matter (Law on Complaints 2011 Art. 28);
* denunciation: 30 days; extended once for a complex matter, 30 more (Law on Denunciations 2018
  Art. 30);
* petition or view of a child: 15 days (a province's practice: configurable).

Rules are ``{"working_days": n}`` (Vietnamese working days, counted from the day after receipt,
the calendar of ``cases.deadlines`` with the unit's overrides) or ``{"days": n}`` (calendar days).
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings

from treem.cases.deadlines import WorkingCalendar

DEFAULT_DEADLINES: dict[str, dict[str, int]] = {
    "complaint": {"working_days": 30},
    "complaint_complex": {"working_days": 45},
    "denunciation": {"working_days": 30},
    "denunciation_extended": {"working_days": 60},
    "petition": {"working_days": 15},
}


def configured_deadlines() -> dict[str, dict[str, int]]:
    return {**DEFAULT_DEADLINES, **getattr(settings, "TREEM_COMPLAINT_DEADLINES", {})}


def rule_key(kind: str, *, complex_matter: bool = False, extended: bool = False) -> str:
    if kind == "complaint" and complex_matter:
        return "complaint_complex"
    if kind == "denunciation" and (extended or complex_matter):
        return "denunciation_extended"
    return kind


def due_on(
    kind: str,
    received_on: dt.date,
    calendar: WorkingCalendar,
    *,
    complex_matter: bool = False,
    extended: bool = False,
) -> tuple[dt.date, str]:
    """The last day to settle, and the rule applied (``"complaint: working_days=30"``)."""
    key = rule_key(kind, complex_matter=complex_matter, extended=extended)
    rule = configured_deadlines()[key]
    if set(rule) == {"working_days"}:
        day = calendar.nth_working_day_after(received_on, int(rule["working_days"]))
    elif set(rule) == {"days"}:
        day = received_on + dt.timedelta(days=int(rule["days"]))
    else:
        raise ValueError(f"A complaint deadline is {{'working_days': n}} or {{'days': n}}, not {rule!r}")
    label = ", ".join(f"{k}={v}" for k, v in rule.items())
    return day, f"{key}: {label}"

"""Reads of the consolidated report: which period a request names, and the figures of the report.

Everything is read through the plans and indicators apps' selectors (``plans.selectors.task_table``,
``results_by_section``, ``difficulties_and_proposals``, ``reporting_rates``;
``indicators.selectors.indicator_table``); this module only finds the period and gathers them.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from treem.accounts.models import User
from treem.geo.models import Unit
from treem.indicators.choices import Programme
from treem.indicators.selectors import TableRow, indicator_table
from treem.plans import selectors as plan_selectors
from treem.plans.models import PeriodKind, Plan, ProgressReport, ReportingPeriod, ReportStatus

# The programmes whose figures add up over a province (child-friendly scores are per commune).
PROGRAMMES = (Programme.ACTION_2030, Programme.CIRCULAR_13, Programme.PROVINCE)

# ``--period`` / the form's choice → (kind, number in the year).
PERIOD_RE = re.compile(r"^(?:(year|y)|q([1-4])|[sh]([12])|(preliminary)|(final))$", re.IGNORECASE)


def parse_period_choice(value: str) -> tuple[str, int]:
    """``year``, ``Q1``–``Q4``, ``S1``/``S2`` (``H1``/``H2``), ``preliminary``, ``final`` → (kind, number)."""
    match = PERIOD_RE.match((value or "year").strip())
    if not match:
        raise ValidationError(
            _("“%(value)s” is not a period: write year, Q1–Q4, S1, S2, preliminary or final.")
            % {"value": value},
            code="period",
        )
    if match.group(2):
        return PeriodKind.QUARTER, int(match.group(2))
    if match.group(3):
        return PeriodKind.HALF_YEAR, int(match.group(3))
    if match.group(4):
        return PeriodKind.PRELIMINARY, 1
    if match.group(5):
        return PeriodKind.FINAL, 1
    return PeriodKind.YEAR, 1


def reportable_plans(user: User) -> QuerySet[Plan]:
    """Plans whose consolidated report ``user`` may make: those of their own units (coordinators)."""
    return (
        Plan.objects.restrict(user, "change")
        .select_related("unit", "issuing_agency")
        .order_by("unit__path", "-issued_on", "id")
    )


def period_find(
    *,
    user: User,
    year: int,
    period: str = "year",
    unit: Unit | None = None,
    plan: Plan | None = None,
    today: dt.date | None = None,
) -> ReportingPeriod:
    """The closed reporting period a request names, or a ValidationError saying what is wrong.

    The plan is ``plan``, or the one plan of ``unit`` (or of the user's units) with periods in
    ``year``. A period is closed once its last day has passed: its agencies' reports are final.
    """
    kind, number = parse_period_choice(period)
    plans = reportable_plans(user)
    if plan is not None:
        plans = plans.filter(pk=plan.pk)
    if unit is not None:
        plans = plans.filter(unit=unit)
    periods = ReportingPeriod.objects.filter(plan__in=plans, year=year).select_related("plan", "plan__unit")
    if not periods.exists():
        where = unit.name if unit is not None else (str(plan) if plan is not None else _("your units"))
        raise ValidationError(
            _("No plan of %(where)s has reporting periods in %(year)s: there is nothing to report on.")
            % {"where": where, "year": year},
            code="no_plan",
        )
    matching = list(periods.filter(kind=kind, number=number))
    if not matching:
        names = ", ".join(sorted({p.label for p in periods}))
        raise ValidationError(
            _("The plan has no such period in %(year)s. Its periods that year: %(names)s.")
            % {"year": year, "names": names},
            code="no_period",
        )
    if len(matching) > 1:
        keys = ", ".join(p.plan.key for p in matching)
        raise ValidationError(
            _("Several plans have this period (%(keys)s): choose the plan.") % {"keys": keys},
            code="several_plans",
        )
    found = matching[0]
    today = today or timezone.localdate()
    if found.ends_on >= today:
        raise ValidationError(
            _(
                "%(period)s is not closed yet: it ends on %(end)s. Its consolidated report can be made "
                "from %(next)s, when the agencies' reports for the whole period are in."
            )
            % {
                "period": found.label,
                "end": found.ends_on.strftime("%d/%m/%Y"),
                "next": (found.ends_on + dt.timedelta(days=1)).strftime("%d/%m/%Y"),
            },
            code="not_closed",
        )
    return found


@dataclass
class ReportData:
    """Everything the consolidated report shows, read once and used by the .docx and the .xlsx."""

    period: ReportingPeriod
    plan: Plan
    unit: Unit
    tasks: list[plan_selectors.TaskRow]
    sections: list[plan_selectors.SectionResults]
    concerns: list[plan_selectors.Concern]
    rates: list[plan_selectors.Rate]
    indicators: list[TableRow]
    status_counts: Counter = field(default_factory=Counter)
    reports_accepted: int = 0
    reports_pending: int = 0  # submitted or returned, not accepted: left out of the report


def indicator_rows(*, user: User, unit: Unit, year: int) -> list[TableRow]:
    """The indicator table of the report: indicators with a target or a figure for the unit's year.

    A unit still in force is counted under today's units (values of communes merged in 2025 follow
    them); an ended unit under the units of the period.
    """
    under = "today" if unit.valid_to is None else "period"
    rows = indicator_table(user=user, unit=unit, year=year, under=under, programmes=PROGRAMMES)
    return [r for r in rows if r.target is not None or r.actual is not None]


def report_data(*, user: User, period: ReportingPeriod, progress=None) -> ReportData:
    """Read the report's figures as ``user`` sees them (a coordinator sees the whole plan)."""
    progress = progress or (lambda stage, done, total=None: None)
    plan = period.plan
    progress("tasks", 0, 3)
    tasks = plan_selectors.task_table(plan=plan, user=user, day=period.ends_on)
    progress("tasks", 1, 3)
    sections = plan_selectors.results_by_section(period=period, user=user)
    concerns = plan_selectors.difficulties_and_proposals(period=period, user=user)
    rates = plan_selectors.reporting_rates(period=period, user=user)
    progress("tasks", 2, 3)
    sent = ProgressReport.objects.restrict(user).filter(period=period).values_list("status", flat=True)
    statuses = Counter(sent)
    progress("tasks", 3, 3)
    progress("indicators", 0, 1)
    indicators = indicator_rows(user=user, unit=plan.unit, year=period.year)
    progress("indicators", 1, 1)
    return ReportData(
        period=period,
        plan=plan,
        unit=plan.unit,
        tasks=tasks,
        sections=sections,
        concerns=concerns,
        rates=rates,
        indicators=indicators,
        status_counts=Counter(row.status for row in tasks),
        reports_accepted=statuses[ReportStatus.ACCEPTED],
        reports_pending=statuses[ReportStatus.SUBMITTED] + statuses[ReportStatus.RETURNED],
    )

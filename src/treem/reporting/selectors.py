"""Reads of the consolidated report: which period a request names, and the figures of the report.

Every figure is read through the selector of the page that shows it, never recounted here:
the plan's tasks and reports (``plans.selectors``), the indicators against targets and the
child-friendly ranking (``indicators.selectors``), children by special-circumstance group
(``children.statistics``), abuse and cases (``cases.statistics``, publication mode: the report is a
published document, so small counts are suppressed as the statistics page does), complaints and
petitions (``complaints.selectors``), campaigns (``campaigns.selectors.yearly_summary``), training
and the workforce against the norms (``workforce.selectors``), budget and the transparency figures
(``funding.selectors``), inspections and recommendations (``plans.selectors.visible_inspections``).
This module finds the period, its window of figures (Decree 09/2019) and gathers them.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from dataclasses import dataclass, field

from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.db.models import F, Q, QuerySet
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from treem.accounts.models import User
from treem.campaigns import selectors as campaign_selectors
from treem.cases import statistics as case_statistics
from treem.cases.statistics import abuse_statistics
from treem.children.statistics import (
    HIDDEN_SECONDARY,
    HIDDEN_SMALL,
    SMALL_COUNT,
    Shown,
    child_statistics,
    statistics_children,
    suppress,
)
from treem.complaints import selectors as complaint_selectors
from treem.funding import selectors as funding_selectors
from treem.geo.models import Unit
from treem.indicators import selectors as indicator_selectors
from treem.indicators.choices import Programme
from treem.indicators.selectors import TableRow, indicator_table
from treem.plans import selectors as plan_selectors
from treem.plans.models import (
    PeriodKind,
    Plan,
    ProgressReport,
    Recommendation,
    ReportingPeriod,
    ReportStatus,
    Section,
    Task,
    TaskStatus,
)
from treem.workforce import selectors as workforce_selectors

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


# Decree 09/2019/NĐ-CP Art. 12: a period's figures stop on the 14th of its last month and start on
# the 15th of the month before its first. Periods recorded on calendar dates (1/1–31/12, a calendar
# quarter) are read with these cut-offs; periods recorded with other dates keep theirs (data).
CUT_OFF_DAY = 14
DECREE_09_KINDS = (PeriodKind.YEAR, PeriodKind.HALF_YEAR, PeriodKind.QUARTER)


def figures_window(period: ReportingPeriod) -> tuple[dt.date, dt.date]:
    """The first and last day of the figures of ``period`` (see ``CUT_OFF_DAY``)."""
    start, end = period.starts_on, period.ends_on
    calendar_aligned = start.day == 1 and (end + dt.timedelta(days=1)).day == 1
    if period.kind in DECREE_09_KINDS and calendar_aligned:
        end = end.replace(day=CUT_OFF_DAY)
        start = (start - dt.timedelta(days=1)).replace(day=CUT_OFF_DAY + 1)
    return start, end


def period_find(
    *,
    user: User,
    year: int,
    period: str = "year",
    unit: Unit | None = None,
    plan: Plan | None = None,
    today: dt.date | None = None,
    closed: bool = True,
) -> ReportingPeriod:
    """The closed reporting period a request names, or a ValidationError saying what is wrong.
    With ``closed=False`` the period may still be running (the coordinator's texts).

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
    _start, ends_on = figures_window(found)
    if closed and ends_on >= today:
        raise ValidationError(
            _(
                "%(period)s is not closed yet: its figures run to %(end)s. Its consolidated report can "
                "be made from %(next)s."
            )
            % {
                "period": found.label,
                "end": ends_on.strftime("%d/%m/%Y"),
                "next": (ends_on + dt.timedelta(days=1)).strftime("%d/%m/%Y"),
            },
            code="not_closed",
        )
    return found


def report_texts(*, user: User, period: ReportingPeriod):
    """The coordinator's texts for ``period`` (None when none were written), if ``user`` may read them."""
    from treem.reporting.models import ReportTexts

    texts = ReportTexts.objects.restrict(user).filter(plan=period.plan_id, period_key=period_key(period))
    return texts.first()


@dataclass
class ChildGroupRow:
    """A special-circumstance group at the start and the end of the period (published counts)."""

    label: str
    before: Shown
    after: Shown

    @property
    def change(self) -> Shown:
        if self.before.hidden or self.after.hidden:
            return Shown(0, HIDDEN_SECONDARY)
        return Shown(self.after.value - self.before.value)


@dataclass
class CaseFigures:
    """Abuse and the case process of the period, as the statistics page publishes them."""

    abused_children: Shown
    by_harm: list[tuple[str, Shown]]
    opened: Shown
    closed: Shown
    missed: Shown
    with_deadline: Shown
    deadlines_kept: Shown


@dataclass
class InspectionFigures:
    inspections: int = 0
    done: int = 0
    recommendations: int = 0
    closed: int = 0
    closed_in_time: int = 0
    open_overdue: int = 0


@dataclass
class Facts:
    """What treem knows of the period beyond the plan's reports, each from its page's selector."""

    start: dt.date
    end: dt.date
    children: list[ChildGroupRow]
    children_total: ChildGroupRow
    cases: CaseFigures
    complaints: list[complaint_selectors.KindSummary]
    campaigns: list[campaign_selectors.AgencySummary]
    campaigns_total: campaign_selectors.AgencySummary | None
    training: workforce_selectors.TrainingSummary
    staffing: list[tuple[str, int, int, int]]  # norm, have, needed, missing (all communes)
    communes_short: int
    budget: funding_selectors.Totals
    transparency: dict
    inspections: InspectionFigures
    child_friendly: indicator_selectors.RankingSummary


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
    all_sections: list = field(default_factory=list)  # every section of the plan, in order
    areas: dict[int, list[int]] = field(default_factory=dict)  # task → solution areas it serves
    facts: Facts | None = None
    texts: object | None = None  # the coordinator's texts (models.ReportTexts) or None
    status_counts: Counter = field(default_factory=Counter)
    reports_accepted: int = 0
    reports_pending: int = 0  # submitted or returned, not accepted: left out of the report

    @property
    def start(self) -> dt.date:
        return figures_window(self.period)[0]

    @property
    def end(self) -> dt.date:
        return figures_window(self.period)[1]


def indicator_rows(*, user: User, unit: Unit, year: int) -> list[TableRow]:
    """The indicator table of the report: indicators with a target or a figure for the unit's year.

    A unit still in force is counted under today's units (values of communes merged in 2025 follow
    them); an ended unit under the units of the period.
    """
    under = "today" if unit.valid_to is None else "period"
    rows = indicator_table(user=user, unit=unit, year=year, under=under, programmes=PROGRAMMES)
    return [r for r in rows if r.target is not None or r.actual is not None]


def reported_task_id(report) -> int:
    """The task a report counts for: a commune's share of a task counts for the task itself."""
    return getattr(report.task, "parent_id", None) or report.task_id


def task_areas(rows) -> dict[int, list[int]]:
    """The solution areas (sections II.1–II.8) each task serves, where the plan records them apart
    from the assignment (``Task.areas``); empty where tasks hang only under their section."""
    try:
        Task._meta.get_field("areas")
    except FieldDoesNotExist:
        return {}
    out: dict[int, list[int]] = {}
    pairs = (
        Task.areas.through.objects.filter(task_id__in=[r.task.pk for r in rows])
        .order_by("section__position", "section__code")
        .values_list("task_id", "section_id")
    )
    for task_id, section_id in pairs:
        out.setdefault(task_id, []).append(section_id)
    return out


def task_rows(*, user: User, period: ReportingPeriod, accepted_task_ids: set[int]) -> list:
    """The task table at the end of the period's figures; a task with an accepted report in the
    period has started, whatever its stored status says."""
    rows = plan_selectors.task_table(plan=period.plan, user=user, day=figures_window(period)[1])
    for row in rows:
        if row.status == TaskStatus.NOT_STARTED and row.task.pk in accepted_task_ids:
            row.status = TaskStatus.IN_PROGRESS
            row.status_label = str(TaskStatus.IN_PROGRESS.label)
    return rows


def published(value: int) -> Shown:
    """A lone count as a published document shows it: 1–4 hidden."""
    return Shown(value, HIDDEN_SMALL if 0 < value < SMALL_COUNT else "")


def children_figures(*, user: User, unit: Unit, start: dt.date, end: dt.date):
    """Children by special-circumstance group on the day before the period and on its last day,
    each table published as the statistics page's publication view publishes it."""
    queryset = statistics_children(user)
    grids = []
    for day in (start - dt.timedelta(days=1), end):
        table = child_statistics(queryset=queryset, group_by=["group"], day=day, unit=unit)
        grid = table.grid(suppress([table]))
        shown = {row["key"]: (row["label"], row["total"]) for row in grid["rows"]}
        grids.append((shown, grid["footer"]["total"] if grid["footer"] else Shown(table.total or 0)))
    (before, before_total), (after, after_total) = grids
    keys = list(before) + [k for k in after if k not in before]
    rows = [
        ChildGroupRow(
            label=(after.get(key) or before.get(key))[0],
            before=before.get(key, ("", Shown(0)))[1],
            after=after.get(key, ("", Shown(0)))[1],
        )
        for key in keys
    ]
    return rows, ChildGroupRow(label="", before=before_total, after=after_total)


def case_figures(*, user: User, unit: Unit, start: dt.date, end: dt.date) -> CaseFigures:
    """The statistics page's figures in publication mode (``AbuseStatistics.hidden(True)``)."""
    result = abuse_statistics(user=user, start=start, end=end, unit=unit)
    hidden = result.hidden(publication=True)
    harm_table = result.children_tables[1]
    harm_grid = harm_table.grid(hidden)
    by_harm = [(row["label"], row["total"]) for row in harm_grid["rows"]]
    abused = harm_grid["footer"]["total"] if harm_grid["footer"] else Shown(result.abused_children)
    cases_grid = result.cases_table.grid(hidden)
    totals = dict(zip(result.cases_table.columns, cases_grid["footer"]["cells"], strict=True))
    cases = case_statistics.statistics_cases(user).filter(commune__path__startswith=unit.path)
    with_deadline, kept = case_statistics.cases_deadlines_kept(cases=cases, start=start, end=end)
    return CaseFigures(
        abused_children=abused,
        by_harm=by_harm,
        opened=totals["opened"],
        closed=totals["closed"],
        missed=totals["missed"],
        with_deadline=published(with_deadline),
        # Beside fewer than 5 cases due, the kept ones would give away the others: hidden too.
        deadlines_kept=(
            published(kept)
            if with_deadline == 0 or with_deadline >= SMALL_COUNT
            else Shown(kept, HIDDEN_SECONDARY)
        ),
    )


def inspection_figures(*, user: User, unit: Unit, start: dt.date, end: dt.date) -> InspectionFigures:
    """Inspections that started in the period and their recommendations' follow-up on its last day."""
    inspections = plan_selectors.visible_inspections(user).filter(
        unit__path__startswith=unit.path, starts_on__gte=start, starts_on__lte=end
    )
    out = InspectionFigures(inspections=inspections.count(), done=inspections.filter(status="done").count())
    recommendations = Recommendation.objects.restrict(user).filter(inspection__in=inspections.values("pk"))
    out.recommendations = recommendations.count()
    closed = recommendations.filter(closed_on__isnull=False, closed_on__lte=end)
    out.closed = closed.count()
    out.closed_in_time = closed.filter(closed_on__lte=F("deadline")).count()
    out.open_overdue = (
        recommendations.filter(deadline__lt=end)
        .filter(Q(closed_on__isnull=True) | Q(closed_on__gt=end))
        .count()
    )
    return out


def facts(*, user: User, unit: Unit, period: ReportingPeriod) -> Facts:
    """Everything the apps know of the period under ``unit``, read as ``user`` sees it."""
    start, end = figures_window(period)
    year = period.year
    children, children_total = children_figures(user=user, unit=unit, start=start, end=end)
    campaigns, campaigns_total = campaign_selectors.yearly_summary(user=user, year=year)
    staffing = workforce_selectors.staffing_dashboard(user=user, day=end)
    norms: dict[str, list[int]] = {}
    for commune in staffing:
        for status in commune.statuses:
            have_needed_missing = norms.setdefault(str(status.norm), [0, 0, 0])
            have_needed_missing[0] += status.have
            have_needed_missing[1] += status.needed
            have_needed_missing[2] += status.missing
    ranking = indicator_selectors.child_friendly_ranking(user=user, unit=unit, year=year)
    return Facts(
        start=start,
        end=end,
        children=children,
        children_total=children_total,
        cases=case_figures(user=user, unit=unit, start=start, end=end),
        complaints=complaint_selectors.complaint_summary(user=user, start=start, end=end),
        campaigns=campaigns,
        campaigns_total=campaigns_total,
        training=workforce_selectors.training_summary(user=user, start=start, end=end),
        staffing=[(name, *values) for name, values in norms.items()],
        communes_short=sum(1 for c in staffing if c.flagged),
        budget=funding_selectors.budget_totals(user=user, year=year),
        transparency=funding_selectors.transparency_figures(unit=unit, year=year),
        inspections=inspection_figures(user=user, unit=unit, start=start, end=end),
        child_friendly=indicator_selectors.child_friendly_summary(ranking),
    )


def report_data(*, user: User, period: ReportingPeriod, progress=None) -> ReportData:
    """Read the report's figures as ``user`` sees them (a coordinator sees the whole plan)."""
    progress = progress or (lambda stage, done, total=None: None)
    plan = period.plan
    progress("tasks", 0, 3)
    sections = plan_selectors.results_by_section(period=period, user=user)
    accepted = {reported_task_id(report) for section in sections for report in section.reports}
    tasks = task_rows(user=user, period=period, accepted_task_ids=accepted)
    progress("tasks", 1, 3)
    concerns = plan_selectors.difficulties_and_proposals(period=period, user=user)
    rates = plan_selectors.reporting_rates(period=period, user=user)
    progress("tasks", 2, 3)
    sent = ProgressReport.objects.restrict(user).filter(period=period).values_list("status", flat=True)
    statuses = Counter(sent)
    all_sections = list(Section.objects.filter(plan=plan).order_by("position", "code", "id"))
    progress("tasks", 3, 3)
    progress("indicators", 0, 2)
    indicators = indicator_rows(user=user, unit=plan.unit, year=period.year)
    progress("indicators", 1, 2)
    with translation.override("vi"):  # labels of groups and kinds as the document prints them
        found = facts(user=user, unit=plan.unit, period=period)
    progress("indicators", 2, 2)
    return ReportData(
        period=period,
        plan=plan,
        unit=plan.unit,
        tasks=tasks,
        sections=sections,
        concerns=concerns,
        rates=rates,
        indicators=indicators,
        all_sections=all_sections,
        areas=task_areas(tasks),
        facts=found,
        texts=report_texts(user=user, period=period),
        status_counts=Counter(row.status for row in tasks),
        reports_accepted=statuses[ReportStatus.ACCEPTED],
        reports_pending=statuses[ReportStatus.SUBMITTED] + statuses[ReportStatus.RETURNED],
    )


def period_key(period: ReportingPeriod) -> str:
    """ "2026-year", "2026-Q4", "2026-S1": the period as the coordinator's texts name it (kept apart
    from the period's row, which the plan's loader may rebuild)."""
    suffix = {PeriodKind.QUARTER: f"Q{period.number}", PeriodKind.HALF_YEAR: f"S{period.number}"}
    return f"{period.year}-{suffix.get(period.kind, period.kind)}"

"""Reads of plans: what a user may see, the task table, results per section, the difficulties and
proposals of a period, and reporting rates (completeness and timeliness, as DHIS2 counts them).

The consolidated report (.docx) is built from ``task_table``, ``results_by_section`` and
``difficulties_and_proposals``; pass ``user`` to keep to what that user may see, or None for the
whole plan (background jobs acting for a coordinator check access before calling).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import IntegerField, Prefetch, Q, QuerySet, Value
from django.utils import timezone

from treem.accounts.models import Agency, AgencyKind, User
from treem.plans.models import (
    COORDINATE,
    PERIOD_EXPECTS,
    AgencyReport,
    Inspection,
    Plan,
    PlanAgency,
    ProgressReport,
    Recommendation,
    Reminder,
    ReportingPeriod,
    ReportStatus,
    Section,
    Task,
    TaskStatus,
    commune_paths,
)
from treem.plans.services import expected_tasks

SENT = (ReportStatus.SUBMITTED, ReportStatus.ACCEPTED, ReportStatus.RETURNED)


def visible_plans(user: User) -> QuerySet[Plan]:
    return Plan.objects.restrict(user, "view").select_related("unit", "issuing_agency", "parent")


def visible_tasks(user: User, action: str = "view") -> QuerySet[Task]:
    return Task.objects.restrict(user, action).select_related("plan", "lead_agency", "section", "unit")


def visible_reports(user: User, action: str = "view") -> QuerySet[ProgressReport]:
    return ProgressReport.objects.restrict(user, action).select_related(
        "period", "task", "task__plan", "task__plan__unit", "agency"
    )


@dataclass
class NamedAgencyRow:
    """An agency the plan names, what it is bound to, and the tasks it leads or joins."""

    named: PlanAgency
    tasks: list[Task]
    waiting_tasks: list[Task]


def plan_agencies(*, plan: Plan, user: User) -> list[NamedAgencyRow]:
    """The agencies a plan names (coordinators only), those waiting for the coordinator first,
    each with the tasks the plan gives it and those of them still without a lead agency."""
    named = (
        PlanAgency.objects.restrict(user)
        .filter(plan=plan)
        .select_related("agency", "chosen_by", "successor")
        .prefetch_related("led_tasks", "cooperating_tasks")
    )
    rows = []
    for item in named:
        tasks = sorted(
            {t for t in [*item.led_tasks.all(), *item.cooperating_tasks.all()] if t.parent_id is None},
            key=lambda t: (t.position, t.code),
        )
        waiting = [t for t in item.led_tasks.all() if t.lead_agency_id is None and t.parent_id is None]
        rows.append(NamedAgencyRow(item, tasks, waiting if item.waiting else []))
    return sorted(rows, key=lambda r: (not r.named.waiting, r.named.code))


def _tasks(plan: Plan, user: User) -> QuerySet[Task]:
    """The plan's tasks (communes' shares left out: they are read with ``commune_shares``)."""
    qs = Task.objects.restrict(user).filter(plan=plan)
    return (
        qs.filter(parent__isnull=True)
        .select_related("lead_agency", "section", "lead_named")
        .prefetch_related(
            Prefetch("cooperating_agencies", queryset=Agency.objects.order_by("name")),
            Prefetch("areas", queryset=Section.objects.order_by("position")),
        )
    )


@dataclass
class TaskRow:
    """One line of the task table."""

    code: str
    content: str
    lead_agency: str
    cooperating_agencies: list[str]
    timing: str
    expected_output: str
    status: str
    status_label: str
    task: Task
    areas: list[str] = field(default_factory=list)  # codes of the solution areas it serves


def task_table(*, plan: Plan, user: User, day: dt.date | None = None) -> list[TaskRow]:
    """The plan's tasks in order: lead and cooperating agencies, deadline or recurrence, status
    (late when past the deadline and not done)."""
    day = day or timezone.localdate()
    rows = []
    for task in _tasks(plan, user).order_by("position", "code", "id"):
        status = TaskStatus.LATE if task.is_late(day) else task.status
        timing = task.deadline.strftime("%d/%m/%Y") if task.deadline else str(task.get_recurrence_display())
        rows.append(
            TaskRow(
                code=task.code,
                content=task.content,
                lead_agency=task.lead_label,
                cooperating_agencies=[str(a) for a in task.cooperating_agencies.all()],
                timing=timing,
                expected_output=task.expected_output,
                status=status,
                status_label=str(TaskStatus(status).label),
                task=task,
                areas=[a.code for a in task.areas.all()],
            )
        )
    return rows


@dataclass
class SectionResults:
    """A section of the plan with the reports of a period on its tasks."""

    section: Section
    reports: list[ProgressReport] = field(default_factory=list)


def _period_reports(period: ReportingPeriod, user: User, statuses) -> QuerySet[ProgressReport]:
    qs = ProgressReport.objects.restrict(user)
    return (
        qs.filter(period=period, status__in=statuses)
        .select_related("task", "task__section", "agency")
        .order_by("task__position", "task__code", "agency__name", "id")
    )


def results_by_section(
    *, period: ReportingPeriod, user: User, statuses=(ReportStatus.ACCEPTED,)
) -> list[SectionResults]:
    """For each section that has tasks, the period's reports (accepted ones by default)."""
    out: dict[int, SectionResults] = {}
    for section in (
        Section.objects.filter(plan=period.plan_id, tasks__isnull=False).distinct().order_by("position")
    ):
        out[section.pk] = SectionResults(section)
    for report in _period_reports(period, user, statuses):
        if report.task.section_id in out:
            out[report.task.section_id].reports.append(report)
    return list(out.values())


@dataclass
class AreaResults:
    """A solution area of the plan (II.1–II.8) with the tasks that serve it and their reports."""

    area: Section
    tasks: list[Task] = field(default_factory=list)
    reports: list[ProgressReport] = field(default_factory=list)


def solution_areas(plan: Plan) -> QuerySet[Section]:
    """The plan's solution areas: its sections that no task is assigned under (II.1–II.8 of the
    7947 plan; the groups IV.1–IV.14 hold the tasks), in the plan's order."""
    return Section.objects.filter(plan=plan).exclude(tasks__isnull=False).order_by("position", "id")


def results_by_area(
    *, period: ReportingPeriod, user: User, statuses=(ReportStatus.ACCEPTED,)
) -> list[AreaResults]:
    """Every solution area of the period's plan, even one no task serves yet, each with the tasks
    serving it (``Task.areas``; communes' shares left out, as in ``task_table``) and the period's
    reports (accepted ones by default) on those tasks and on their communes' shares.

    A task serving two areas appears under both; ``user`` keeps to what that user may see (None:
    the whole plan, for a background job acting for its coordinator).
    """
    out = {area.pk: AreaResults(area) for area in solution_areas(period.plan)}
    for task in _tasks(period.plan, user).order_by("position", "code", "id"):
        for area in task.areas.all():
            if area.pk in out:
                out[area.pk].tasks.append(task)
    for report in _period_reports(period, user, statuses).prefetch_related(
        "task__areas", "task__parent__areas"
    ):
        served = report.task.parent.areas.all() if report.task.parent_id else report.task.areas.all()
        for area in served:
            if area.pk in out:
                out[area.pk].reports.append(report)
    return list(out.values())


@dataclass
class AgencyResults:
    """An agency (or a commune's People's Committee) with the tasks it leads and its reports."""

    agency: Agency
    tasks: list[Task] = field(default_factory=list)
    reports: list[ProgressReport] = field(default_factory=list)
    rate: Rate | None = None


def results_by_agency(
    *,
    period: ReportingPeriod,
    user: User,
    statuses=(ReportStatus.ACCEPTED,),
    by: str = "agency",
) -> list[AgencyResults]:
    """Per lead agency of the period's plan, by name: the tasks it leads that the period asks a
    report on, its reports of the period (accepted ones by default; a cooperating agency's
    reports are listed under that agency) and its reporting rate (``reporting_rates``, the same
    numbers as the period's page). ``by``: "agency" (the province's agencies), "commune" (the
    communes' People's Committees on their shares) or "" (both)."""
    rates = {r.agency.pk: r for r in reporting_rates(period=period, user=user, by=by)}
    out: dict[int, AgencyResults] = {}
    tasks = expected_tasks(period).select_related("lead_agency", "lead_agency__unit")
    tasks = tasks.filter(pk__in=Task.objects.restrict(user).values("pk"))
    if by == "agency":
        tasks = tasks.filter(parent__isnull=True)
    elif by == "commune":
        tasks = tasks.filter(parent__isnull=False)
    for task in tasks.order_by("position", "code", "id"):
        row = out.setdefault(
            task.lead_agency_id, AgencyResults(task.lead_agency, rate=rates.get(task.lead_agency_id))
        )
        row.tasks.append(task)
    reports = _period_reports(period, user, statuses).select_related("agency__unit")
    if by == "agency":
        reports = reports.filter(task__parent__isnull=True)
    elif by == "commune":
        reports = reports.filter(task__parent__isnull=False)
    for report in reports:
        out.setdefault(report.agency_id, AgencyResults(report.agency, rate=rates.get(report.agency_id)))
        out[report.agency_id].reports.append(report)
    return sorted(out.values(), key=lambda r: (r.agency.unit.name if by == "commune" else "", r.agency.name))


@dataclass
class Concern:
    agency: Agency
    task: Task
    difficulties: str
    proposals: str


def difficulties_and_proposals(
    *, period: ReportingPeriod, user: User, statuses=(ReportStatus.ACCEPTED,)
) -> list[Concern]:
    """What agencies said held them back and what they propose, in the period's reports."""
    return [
        Concern(r.agency, r.task, r.difficulties, r.proposals)
        for r in _period_reports(period, user, statuses)
        if r.difficulties.strip() or r.proposals.strip()
    ]


@dataclass
class Rate:
    """Reporting rates of one agency (or one commune's People's Committee) for one period."""

    agency: Agency
    expected: int = 0
    submitted: int = 0
    on_time: int = 0
    accepted: int = 0
    missing: list[Task] = field(default_factory=list)

    @property
    def completeness(self) -> int:
        return round(100 * self.submitted / self.expected) if self.expected else 0

    @property
    def timeliness(self) -> int:
        return round(100 * self.on_time / self.expected) if self.expected else 0


def reporting_rates(*, period: ReportingPeriod, user: User, by: str = "") -> list[Rate]:
    """Per lead agency: reports expected (one per expected task), submitted, submitted on time
    (first submitted no later than the due day), accepted, and the tasks still missing.

    ``by="agency"`` keeps the province's agencies (tasks not shared out to communes),
    ``by="commune"`` the communes' People's Committees reporting on their shares (``Rate.agency``
    is the commune's People's Committee, ``Rate.agency.unit`` the commune); by default both.
    """
    tasks = (
        expected_tasks(period).select_related("lead_agency", "lead_agency__unit").order_by("position", "id")
    )
    if by == "agency":
        tasks = tasks.filter(parent__isnull=True)
    elif by == "commune":
        tasks = tasks.filter(parent__isnull=False)
    elif by:
        raise ValueError(f"reporting_rates: by={by!r}")
    tasks = tasks.filter(pk__in=Task.objects.restrict(user).values("pk"))
    reports = {
        (r.task_id, r.agency_id): r
        for r in ProgressReport.objects.filter(
            period=period, first_submitted_at__isnull=False
        ).select_related("period")
    }
    rates: dict[int, Rate] = {}
    for task in tasks:
        rate = rates.setdefault(task.lead_agency_id, Rate(task.lead_agency))
        rate.expected += 1
        report = reports.get((task.pk, task.lead_agency_id))
        if report is None:
            rate.missing.append(task)
            continue
        rate.submitted += 1
        rate.on_time += report.on_time
        rate.accepted += report.status == ReportStatus.ACCEPTED
    return sorted(rates.values(), key=lambda r: (r.completeness, r.agency.name))


def task_periods(task: Task) -> list[ReportingPeriod]:
    """The periods of the task's plan that ask for a report on it (by its frequency), latest first."""
    kinds = [kind for kind, recurrences in PERIOD_EXPECTS.items() if task.recurrence in recurrences]
    return list(
        ReportingPeriod.objects.filter(plan=task.plan_id, kind__in=kinds).order_by("-ends_on", "kind", "id")
    )


@dataclass
class CommuneShare:
    """A commune's share of a task shared out to every commune, and where its reporting stands."""

    commune: object  # geo.Unit
    task: Task
    status: str
    status_label: str
    report: ProgressReport | None  # the share's report for the period asked, if any


def commune_shares(*, task: Task, user: User, period: ReportingPeriod | None = None) -> list[CommuneShare]:
    """The communes' shares of ``task`` the user may see, by commune name, each with its status and
    its report for ``period`` (by default the latest period whose reports are open)."""
    if period is None:
        period = next(
            (p for p in task_periods(task) if p.is_open()),
            None,
        )
    shares = list(
        Task.objects.restrict(user)
        .filter(parent=task)
        .select_related("unit", "lead_agency")
        .order_by("unit__name")
    )
    reports = {}
    if period is not None:
        reports = {
            r.task_id: r
            for r in ProgressReport.objects.restrict(user).filter(
                period=period, task__in=[s.pk for s in shares]
            )
        }
    return [
        CommuneShare(
            commune=share.unit,
            task=share,
            status=share.display_status,
            status_label=str(share.get_display_status_display()),
            report=reports.get(share.pk),
        )
        for share in shares
    ]


def total_rate(rates: list[Rate]) -> Rate:
    total = Rate(Agency(name=""))
    for r in rates:
        total.expected += r.expected
        total.submitted += r.submitted
        total.on_time += r.on_time
        total.accepted += r.accepted
    return total


def my_reminders(user: User) -> list[Reminder]:
    """The reminders of the user's agency for reports not yet submitted."""
    qs = Reminder.objects.restrict(user).select_related("task", "period", "agency")
    if user.agency_id:
        qs = qs.filter(agency=user.agency_id)
    reminders = list(qs[:200])
    submitted = set(
        ProgressReport.objects.filter(
            first_submitted_at__isnull=False, task__in={r.task_id for r in reminders}
        ).values_list("task_id", "period_id", "agency_id")
    )
    return [r for r in reminders if (r.task_id, r.period_id, r.agency_id) not in submitted]


def visible_inspections(user: User) -> QuerySet[Inspection]:
    return Inspection.objects.restrict(user).select_related(
        "unit", "inspected_agency", "inspected_unit", "plan"
    )


def overdue_recommendations(user: User, day: dt.date | None = None) -> QuerySet[Recommendation]:
    day = day or timezone.localdate()
    return Recommendation.objects.restrict(user).filter(closed_on__isnull=True, deadline__lt=day)


# --- the reports that wait for someone -------------------------------------------------------------

WORKLIST_LIMIT = 10
RECENT_DAYS = 120  # a period this long past its due date no longer calls for its report


def my_reporting_agencies(user: User) -> list[Agency]:
    """The agencies ``user`` reports for: their own agency, and the People's Committee of each
    commune they are assigned to (whose chairman and officers report on its share of the tasks)."""
    if not user.has_perm("plans.add_progressreport"):
        return []
    q = Q(pk=user.agency_id) if user.agency_id else Q(pk__in=[])
    for path in commune_paths(user):
        q |= Q(kind=AgencyKind.COMMUNE_PC, unit__path=path)
    return list(Agency.objects.filter(q, valid_to__isnull=True).select_related("unit").order_by("name"))


@dataclass
class OwedReport:
    """A report the period asks of one of the user's agencies, and where it stands."""

    period: ReportingPeriod
    agency: Agency
    report: AgencyReport | None  # None: not begun

    @property
    def label(self) -> str:
        if self.agency.kind == AgencyKind.COMMUNE_PC and self.agency.unit_id:
            return f"{self.period.label} · {self.agency.unit.name}"
        return f"{self.period.label} · {self.agency.short_name or self.agency.name}"


@dataclass
class MyPeriodReport:
    agency: Agency
    report: AgencyReport | None

    @property
    def name(self) -> str:
        if self.agency.kind == AgencyKind.COMMUNE_PC and self.agency.unit_id:
            return self.agency.unit.name
        return self.agency.short_name or self.agency.name


def my_period_reports(user: User, period: ReportingPeriod) -> list[MyPeriodReport]:
    """The user's agencies (their own, their communes') that ``period`` asks for a report, each
    with its report if one was begun: what the period page offers them to write or open."""
    agencies = my_reporting_agencies(user)
    if not agencies:
        return []
    asked = set(expected_tasks(period).filter(lead_agency__in=agencies).values_list("lead_agency", flat=True))
    reports = {r.agency_id: r for r in AgencyReport.objects.filter(period=period, agency__in=asked)}
    return [MyPeriodReport(a, reports.get(a.pk)) for a in agencies if a.pk in asked]


def reports_owed(user: User, *, day: dt.date | None = None, agencies: list[Agency] | None = None):
    """The periods open on ``day`` (or recently due) that ask a report of the user's agencies and
    have not had it sent: not begun, a draft, or returned for changes. Oldest due first."""
    day = day or timezone.localdate()
    agencies = my_reporting_agencies(user) if agencies is None else agencies
    if not agencies:
        return []
    periods = list(
        ReportingPeriod.objects.filter(
            opens_on__lte=day, due_on__gte=day - dt.timedelta(days=RECENT_DAYS)
        ).select_related("plan")
    )
    by_id = {a.pk: a for a in agencies}
    existing = {
        (r.period_id, r.agency_id): r
        for r in AgencyReport.objects.filter(period__in=periods, agency__in=agencies)
    }
    # The agencies each period asks, in one query for all the periods (not one per period).
    asked: dict[int, set[int]] = {period.pk: set() for period in periods}
    per_period = [
        expected_tasks(period)
        .filter(lead_agency__in=agencies)
        .order_by()
        .values_list(Value(period.pk, output_field=IntegerField()), "lead_agency")
        for period in periods
    ]
    if per_period:
        rows = per_period[0].union(*per_period[1:], all=True) if len(per_period) > 1 else per_period[0]
        for period_id, agency_id in rows:
            asked[period_id].add(agency_id)
    owed = []
    for period in periods:
        for agency_id in sorted(asked[period.pk], key=lambda pk: by_id[pk].name):
            report = existing.get((period.pk, agency_id))
            if report is None or report.status in (ReportStatus.DRAFT, ReportStatus.RETURNED):
                owed.append(OwedReport(period, by_id[agency_id], report))
    owed.sort(key=lambda o: (o.period.due_on, o.period.kind, o.agency.name))
    return owed


def reports_to_decide(user: User):
    """Agency reports sent to the coordinator of the plan's units and not yet decided."""
    if not (user.has_perm(COORDINATE) and user.has_perm("plans.change_progressreport")):
        return AgencyReport.objects.none()
    return (
        AgencyReport.objects.restrict(user)
        .filter(status=ReportStatus.SUBMITTED)
        .select_related("period", "agency", "agency__unit")
        .order_by("submitted_at", "pk")
    )


def worklist_items(user: User, *, day: dt.date | None = None) -> list:
    """What waits for ``user`` in the plan (``core.worklist``): the periodic reports their agency or
    commune must write or correct, due on the period's due date; for the coordinator, the reports
    sent to them to accept or return."""
    from django.utils.translation import gettext as _

    from treem.core.worklist import WorkItem

    items = []
    for owed in reports_owed(user, day=day)[:WORKLIST_LIMIT]:
        if owed.report is not None and owed.report.status == ReportStatus.RETURNED:
            kind, href = _("Periodic report to correct"), owed.report.get_absolute_url()
        else:
            kind = _("Periodic report to write")
            href = owed.report.get_absolute_url() if owed.report else owed.period.get_absolute_url()
        due = timezone.make_aware(dt.datetime.combine(owed.period.due_on, dt.time(23, 59)))
        items.append(WorkItem(kind, owed.label, href, due))
    by_period: dict[int, list[AgencyReport]] = {}
    for report in reports_to_decide(user)[:200]:
        by_period.setdefault(report.period_id, []).append(report)
    for reports in list(by_period.values())[:WORKLIST_LIMIT]:
        first = reports[0]
        one = len(reports) == 1
        who = first.agency.unit.name if first.agency.kind == AgencyKind.COMMUNE_PC else first.agency
        items.append(
            WorkItem(
                _("Periodic reports to accept or return"),
                f"{first.period.label} · {who}" if one else first.period.label,
                first.get_absolute_url() if one else first.period.get_absolute_url(),
                None,
                None if one else len(reports),
            )
        )
    return items

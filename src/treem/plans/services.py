"""Writes of plans, tasks, reports and inspections: each checks permission and scope, validates,
saves and records its audit event in one transaction (a refusal writes nothing)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from treem.accounts.models import Agency, AgencyKind, AgencySuccession, User
from treem.audit.services import audit_record, diff, snapshot
from treem.core.scope import ScopeError, scope_require, unit_in_scope
from treem.geo.models import Unit
from treem.plans.models import (
    COORDINATE,
    OPEN_TASK_STATUSES,
    PERIOD_EXPECTS,
    AgencyReport,
    Binding,
    Inspection,
    InspectionStatus,
    PeriodKind,
    Plan,
    PlanAgency,
    ProgressReport,
    Recommendation,
    Recurrence,
    Reminder,
    ReportingPeriod,
    ReportStatus,
    Section,
    Task,
    TaskHistory,
    TaskStatus,
    commune_paths,
)

REPORT_FIELDS = ("activities", "results", "figures", "difficulties", "proposals")


def _coordinate_require(user: User, unit: Unit, perm: str) -> None:
    scope_require(user, unit, perm)
    scope_require(user, unit, COORDINATE)


def _day(value) -> str:
    return formats.date_format(value, "SHORT_DATE_FORMAT")


# --- plans and tasks ---------------------------------------------------------------------------


@transaction.atomic
def plan_create(
    *,
    acting_user: User,
    key: str,
    title: str,
    unit: Unit,
    number: str = "",
    issuing_agency: Agency | None = None,
    issued_on: dt.date | None = None,
    parent: Plan | None = None,
    summary: str = "",
) -> Plan:
    """Register a plan (a sub-plan names the plan it carries out)."""
    _coordinate_require(acting_user, unit, "plans.add_plan")
    if parent is not None and not Plan.objects.restrict(acting_user).filter(pk=parent.pk).exists():
        raise ValidationError({"parent": _("Choose a plan you can see.")})
    plan = Plan(
        key=(key or "").strip(),
        title=(title or "").strip(),
        unit=unit,
        number=number,
        issuing_agency=issuing_agency,
        issued_on=issued_on,
        parent=parent,
        summary=summary,
        created_by=acting_user,
        updated_by=acting_user,
    )
    plan.full_clean()
    plan.save()
    audit_record(acting_user, "plans.plan.created", plan, changes=diff(None, snapshot(plan)))
    return plan


def _agencies_in_reach(user: User, agencies: Iterable[Agency], field_name: str) -> list[Agency]:
    agencies = [a for a in agencies if a is not None]
    visible = set(Agency.objects.restrict(user, "view").filter(pk__in=[a.pk for a in agencies]))
    if len(visible) != len(set(agencies)):
        raise ValidationError({field_name: _("Choose agencies among those you can see.")})
    return agencies


@transaction.atomic
def task_create(
    *,
    acting_user: User,
    plan: Plan,
    code: str,
    content: str,
    lead_agency: Agency | None,
    cooperating_agencies: Iterable[Agency] = (),
    section: Section | None = None,
    unit: Unit | None = None,
    starts_on: dt.date | None = None,
    deadline: dt.date | None = None,
    recurrence: str = Recurrence.ANNUAL,
    expected_output: str = "",
    position: int = 0,
    lead_named: PlanAgency | None = None,
    cooperating_named: Iterable[PlanAgency] = (),
    areas: Iterable[Section] = (),
    parent: Task | None = None,
) -> Task:
    """Add a task to a plan; a task without a lead agency (chủ trì) is refused, unless the plan
    names one that waits for the coordinator or stands for every commune (``lead_named``)."""
    _coordinate_require(acting_user, plan.unit, "plans.add_task")
    if lead_agency is None and (lead_named is None or lead_named.agency_id is not None):
        raise ValidationError({"lead_agency": _("A task needs a lead agency (chủ trì): choose one.")})
    cooperating = _agencies_in_reach(acting_user, cooperating_agencies, "cooperating_agencies")
    _agencies_in_reach(acting_user, [lead_agency], "lead_agency")
    areas = list(areas)
    if any(a.plan_id != plan.pk for a in areas):
        raise ValidationError({"areas": _("The solution areas must be sections of the same plan.")})
    if any(n.plan_id != plan.pk for n in [lead_named, *cooperating_named] if n is not None):
        raise ValidationError({"lead_agency": _("The agencies named belong to another plan.")})
    if lead_agency is not None and lead_agency in cooperating:
        raise ValidationError(
            {"cooperating_agencies": _("The lead agency cannot also be a cooperating agency.")}
        )
    if unit is not None and not unit_in_scope(acting_user, unit):
        raise ScopeError("plans.add_task")
    if section is not None and section.plan_id != plan.pk:
        raise ValidationError({"section": _("The section belongs to another plan.")})
    if starts_on and deadline and deadline < starts_on:
        raise ValidationError({"deadline": _("The deadline is before the start.")})
    task = Task(
        plan=plan,
        section=section,
        code=(code or "").strip(),
        position=position,
        content=(content or "").strip(),
        lead_agency=lead_agency,
        unit=unit,
        starts_on=starts_on,
        deadline=deadline,
        recurrence=recurrence,
        expected_output=expected_output,
        lead_named=lead_named,
        parent=parent,
        created_by=acting_user,
        updated_by=acting_user,
    )
    task.full_clean()
    task.save()
    task.cooperating_agencies.set(cooperating)
    task.cooperating_named.set(list(cooperating_named))
    task.areas.set(areas)
    TaskHistory.objects.create(task=task, actor=acting_user, kind="created", to_agency=lead_agency)
    changes = diff(None, snapshot(task))
    changes["cooperating_agencies"] = [None, sorted(a.pk for a in cooperating)]
    changes["areas"] = [None, sorted(a.code for a in areas)]
    audit_record(acting_user, "plans.task.created", task, changes=changes)
    if lead_agency is not None:
        _announce("plans.task.assigned", task, acting_user)
    return task


@transaction.atomic
def task_record_passed(
    *, acting_user: User, task: Task, predecessor: Agency, successor: Agency | None, note: str = ""
) -> TaskHistory:
    """Record on a new task that the plan gave it to an agency that has since ended, and to whom
    it passed (None: every commune, or a name that waits for the coordinator)."""
    _coordinate_require(acting_user, task.plan.unit, "plans.add_task")
    if predecessor.valid_to is None or predecessor.valid_to >= timezone.localdate():
        raise ValidationError(_("%(agency)s has not ended.") % {"agency": predecessor})
    entry = TaskHistory.objects.create(
        task=task,
        actor=acting_user,
        kind="succession",
        from_agency=predecessor,
        to_agency=successor,
        note=(
            note
            or _("%(agency)s ended on %(date)s.")
            % {"agency": predecessor, "date": _day(predecessor.valid_to)}
        )[:500],
    )
    audit_record(
        acting_user,
        "plans.task.passed_to_successor",
        task,
        changes={"lead_agency": [predecessor.pk, successor.pk if successor else None]},
        reason=entry.note,
    )
    return entry


@transaction.atomic
def task_set_areas(*, acting_user: User, task: Task, areas: Iterable[Section]) -> Task:
    """Say which solution areas (II.1–II.8) a task serves."""
    _coordinate_require(acting_user, task.plan.unit, "plans.change_task")
    areas = list(areas)
    if any(a.plan_id != task.plan_id for a in areas):
        raise ValidationError({"areas": _("The solution areas must be sections of the same plan.")})
    before = sorted(task.areas.values_list("code", flat=True))
    task.areas.set(areas)
    audit_record(
        acting_user,
        "plans.task.areas_changed",
        task,
        changes={"areas": [before, sorted(a.code for a in areas)]},
    )
    return task


# --- agencies named by a plan, commune shares ----------------------------------------------------


@transaction.atomic
def tasks_assign_named(*, acting_user: User, named: PlanAgency) -> int:
    """Give the tasks waiting on a name of the plan to the agency it is now bound to: they lead
    the tasks the plan gave that name, and cooperate where the plan named it to. Returns how many."""
    agency = named.agency
    if agency is None or named.binding == Binding.COMMUNES:
        return 0
    _coordinate_require(acting_user, named.plan.unit, "plans.change_task")
    count = 0
    for task in Task.objects.filter(lead_named=named, lead_agency__isnull=True, parent__isnull=True):
        before = snapshot(task)
        task.lead_agency = agency
        task.updated_by = acting_user
        task.save(update_fields=["lead_agency", "updated_by", "updated_at"])
        task.cooperating_agencies.remove(agency)
        TaskHistory.objects.create(
            task=task, actor=acting_user, kind="assigned", to_agency=agency, note=named.name[:500]
        )
        audit_record(acting_user, "plans.task.assigned", task, changes=diff(before, snapshot(task)))
        _announce("plans.task.assigned", task, acting_user)
        count += 1
    for task in Task.objects.filter(cooperating_named=named, parent__isnull=True).exclude(
        cooperating_agencies=agency
    ):
        if task.lead_agency_id == agency.pk:
            continue
        task.cooperating_agencies.add(agency)
        TaskHistory.objects.create(
            task=task, actor=acting_user, kind="cooperation", to_agency=agency, note=named.name[:500]
        )
        audit_record(
            acting_user, "plans.task.assigned", task, changes={"cooperating_agencies": [None, agency.pk]}
        )
        count += 1
    # Agencies of the plan that ended and whose tasks the plan file gives to this one.
    today = timezone.localdate()
    for ended in PlanAgency.objects.filter(successor=named, agency__valid_to__lt=today).select_related(
        "agency"
    ):
        note = _("%(agency)s ended on %(date)s; its tasks pass to %(successor)s.") % {
            "agency": ended.agency,
            "date": _day(ended.agency.valid_to),
            "successor": agency,
        }
        tasks = Task.objects.filter(plan=named.plan_id, status__in=OPEN_TASK_STATUSES)
        for task in tasks.filter(lead_agency=ended.agency):
            _pass_lead(acting_user, task, ended.agency, agency, note)
            count += 1
        for task in tasks.filter(cooperating_agencies=ended.agency):
            _pass_cooperation(acting_user, task, ended.agency, agency, note)
            count += 1
    return count


@transaction.atomic
def plan_agency_choose(*, acting_user: User, named: PlanAgency, agency: Agency | None) -> PlanAgency:
    """The coordinator binds a name of the plan that waits to an agency in force, and the tasks
    waiting on it go to that agency. The plan keeps the choice (loading it again keeps it)."""
    _coordinate_require(acting_user, named.plan.unit, "plans.change_task")
    if agency is None:
        raise ValidationError({"agency": _("Choose the agency this name stands for.")})
    if not named.waiting:
        raise ValidationError({"agency": _("%(name)s is already bound to an agency.") % {"name": named.name}})
    if not Agency.objects.restrict(acting_user, "view").current().filter(pk=agency.pk).exists():
        raise ValidationError({"agency": _("Choose an agency in force that you can see.")})
    before = snapshot(named)
    named.agency = agency
    named.binding = Binding.CHOSEN
    named.chosen_by = acting_user
    named.chosen_at = timezone.now()
    named.full_clean()
    named.save()
    audit_record(acting_user, "plans.plan_agency.chosen", named, changes=diff(before, snapshot(named)))
    tasks_assign_named(acting_user=acting_user, named=named)
    return named


def commune_agency(commune: Unit) -> Agency | None:
    """The commune's People's Committee in force, if the register has it."""
    return (
        Agency.objects.current()
        .filter(unit=commune, kind=AgencyKind.COMMUNE_PC)
        .order_by("valid_from", "pk")
        .first()
    )


@transaction.atomic
def task_pass_to_communes(*, acting_user: User, task: Task, named: PlanAgency) -> Task:
    """An ended agency's task passes to every commune's People's Committee (the district
    People's Committees' tasks from 01/07/2025): the task keeps whom it came from."""
    _coordinate_require(acting_user, task.plan.unit, "plans.change_task")
    if named.binding != Binding.COMMUNES or named.plan_id != task.plan_id:
        raise ValidationError(_("The agency named does not stand for every commune of the plan."))
    before = snapshot(task)
    predecessor = task.lead_agency
    task.lead_agency = None
    task.lead_named = named
    task.updated_by = acting_user
    task.save(update_fields=["lead_agency", "lead_named", "updated_by", "updated_at"])
    TaskHistory.objects.create(
        task=task,
        actor=acting_user,
        kind="succession",
        from_agency=predecessor,
        note=_("Passed to every commune's People's Committee: %(name)s") % {"name": named.name},
    )
    audit_record(acting_user, "plans.task.passed_to_successor", task, changes=diff(before, snapshot(task)))
    return task


@transaction.atomic
def task_share_to_communes(*, acting_user: User, task: Task) -> int:
    """One share of the task per commune in force in the plan's unit, led by the commune's
    People's Committee (registered for the commune if the register lacks it): each has its own
    status, reports and deadline. Communes that already have their share are left alone."""
    _coordinate_require(acting_user, task.plan.unit, "plans.add_task")
    if task.parent_id is not None:
        raise ValidationError(_("A commune's share cannot be shared out again."))
    from treem.accounts import services as accounts_services
    from treem.geo.models import UnitLevel

    have = set(task.shares.values_list("unit_id", flat=True))
    communes = (
        Unit.objects.current()
        .filter(level=UnitLevel.COMMUNE, path__startswith=task.plan.unit.path)
        .exclude(pk__in=have)
        .order_by("code", "pk")
    )
    made = 0
    for commune in communes:
        agency = commune_agency(commune) or accounts_services.agency_create(
            acting_user=acting_user,
            name=f"Ủy ban nhân dân {commune.name}",
            short_name=f"UBND {commune.name}"[:60],
            kind=AgencyKind.COMMUNE_PC,
            unit=commune,
        )
        share = Task(
            plan=task.plan,
            section=task.section,
            parent=task,
            code=f"{task.code}/{commune.code}",
            position=task.position,
            content=task.content,
            lead_agency=agency,
            lead_named=task.lead_named,
            unit=commune,
            starts_on=task.starts_on,
            deadline=task.deadline,
            recurrence=task.recurrence,
            expected_output=task.expected_output,
            created_by=acting_user,
            updated_by=acting_user,
        )
        share.full_clean()
        share.save()
        share.areas.set(task.areas.all())
        TaskHistory.objects.create(task=share, actor=acting_user, kind="created", to_agency=agency)
        audit_record(acting_user, "plans.task.shared", share, changes=diff(None, snapshot(share)))
        _announce("plans.task.assigned", share, acting_user)
        made += 1
    return made


def is_commune_share_of(user: User, task: Task) -> bool:
    """The task is a commune's share (or a task carried out in one commune) of the user's communes:
    its chairman and child-protection officers report on it for the commune's People's Committee."""
    return bool(
        task.unit_id is not None
        and task.lead_agency_id is not None
        and task.lead_agency.unit_id == task.unit_id
        and any(task.unit.path.startswith(path) for path in commune_paths(user))
    )


def _may_work_on_task(user: User, task: Task, perm: str) -> bool:
    if user.has_perm(COORDINATE) and unit_in_scope(user, task.plan.unit):
        return user.has_perm(perm)
    if not user.has_perm(perm):
        return False
    return (user.agency_id is not None and user.agency_id == task.lead_agency_id) or is_commune_share_of(
        user, task
    )


@transaction.atomic
def task_set_status(*, acting_user: User, task: Task, status: str, note: str = "") -> Task:
    """Record a task's progress (not started, in progress, done, cancelled); "late" is computed."""
    if not _may_work_on_task(acting_user, task, "plans.change_task"):
        raise ScopeError("plans.change_task")
    if status not in dict(TaskStatus.choices) or status == TaskStatus.LATE:
        raise ValidationError({"status": _("Choose a status: late is worked out from the deadline.")})
    if status == TaskStatus.CANCELLED and not acting_user.has_perm(COORDINATE):
        raise ValidationError({"status": _("Only the plan's coordinator may cancel a task.")})
    before = snapshot(task)
    old = task.status
    task.status = status
    task.updated_by = acting_user
    task.full_clean()
    task.save(update_fields=["status", "updated_by", "updated_at"])
    TaskHistory.objects.create(
        task=task,
        actor=acting_user,
        kind="status",
        note=f"{_status_label(old)} → {_status_label(status)} {note}".strip()[:500],
    )
    audit_record(
        acting_user, "plans.task.status_changed", task, changes=diff(before, snapshot(task)), reason=note
    )
    return task


# --- agencies merged in 2025 -------------------------------------------------------------------


def successor_for(predecessor: Agency) -> Agency | None:
    """The one agency ``predecessor``'s work passed to, or None when it has none or several."""
    links = list(AgencySuccession.objects.filter(predecessor=predecessor).select_related("successor"))
    return links[0].successor if len(links) == 1 else None


@transaction.atomic
def tasks_pass_to_successor(
    *, acting_user: User, predecessor: Agency, successor: Agency | None = None
) -> int:
    """Give the open tasks of an agency that ended to its successor, keeping the history.

    The successor must be one recorded for the agency (accounts.AgencySuccession); it may be left
    out when there is exactly one. Done and cancelled tasks stay with the agency that did them.
    Returns the number of tasks (and cooperations) passed on.
    """
    links = {
        link.successor_id: link
        for link in AgencySuccession.objects.filter(predecessor=predecessor).select_related("successor")
    }
    if not links:
        raise ValidationError(
            {"successor": _("%(agency)s has no successor agency recorded.") % {"agency": predecessor}}
        )
    if successor is None:
        if len(links) > 1:
            raise ValidationError(
                {
                    "successor": _("%(agency)s has several successors: choose the one that takes its tasks.")
                    % {"agency": predecessor}
                }
            )
        successor = next(iter(links.values())).successor
    if successor.pk not in links:
        raise ValidationError(
            {
                "successor": _("%(successor)s is not a successor of %(agency)s.")
                % {"successor": successor, "agency": predecessor}
            }
        )
    tasks = Task.objects.restrict(acting_user, "change").filter(status__in=OPEN_TASK_STATUSES)
    note = links[successor.pk].note or _("Agency succession from %(date)s") % {
        "date": _day(links[successor.pk].effective)
    }
    moved = 0
    for task in tasks.filter(lead_agency=predecessor).select_related("plan__unit"):
        _pass_lead(acting_user, task, predecessor, successor, note)
        moved += 1
    for task in tasks.filter(cooperating_agencies=predecessor).select_related("plan__unit"):
        _pass_cooperation(acting_user, task, predecessor, successor, note)
        moved += 1
    return moved


def _pass_lead(acting_user: User, task: Task, predecessor: Agency, successor: Agency, note: str) -> None:
    _coordinate_require(acting_user, task.plan.unit, "plans.change_task")
    before = snapshot(task)
    task.lead_agency = successor
    task.updated_by = acting_user
    task.save(update_fields=["lead_agency", "updated_by", "updated_at"])
    task.cooperating_agencies.remove(successor)
    TaskHistory.objects.create(
        task=task,
        actor=acting_user,
        kind="succession",
        from_agency=predecessor,
        to_agency=successor,
        note=note[:500],
    )
    audit_record(
        acting_user,
        "plans.task.passed_to_successor",
        task,
        changes=diff(before, snapshot(task)),
        reason=note,
    )
    _announce("plans.task.assigned", task, acting_user)


def _pass_cooperation(
    acting_user: User, task: Task, predecessor: Agency, successor: Agency, note: str
) -> None:
    _coordinate_require(acting_user, task.plan.unit, "plans.change_task")
    task.cooperating_agencies.remove(predecessor)
    if task.lead_agency_id != successor.pk:
        task.cooperating_agencies.add(successor)
    TaskHistory.objects.create(
        task=task,
        actor=acting_user,
        kind="cooperation",
        from_agency=predecessor,
        to_agency=successor,
        note=note[:500],
    )
    audit_record(
        acting_user,
        "plans.task.passed_to_successor",
        task,
        changes={"cooperating_agencies": [predecessor.pk, successor.pk]},
        reason=note,
    )


def agencies_with_open_tasks_to_pass(user: User) -> list[Agency]:
    """Agencies that ended and still lead or cooperate in open tasks the user manages."""
    tasks = Task.objects.restrict(user, "change").filter(status__in=OPEN_TASK_STATUSES)
    ended = AgencySuccession.objects.values("predecessor")
    ids = set(tasks.filter(lead_agency__in=ended).values_list("lead_agency", flat=True))
    ids |= set(tasks.filter(cooperating_agencies__in=ended).values_list("cooperating_agencies", flat=True))
    return list(Agency.objects.filter(pk__in=ids).prefetch_related("successors").order_by("name"))


# --- reporting periods and reports -------------------------------------------------------------


@transaction.atomic
def period_create(
    *,
    acting_user: User,
    plan: Plan,
    kind: str,
    year: int,
    number: int = 1,
    starts_on: dt.date,
    ends_on: dt.date,
    opens_on: dt.date,
    due_on: dt.date,
) -> ReportingPeriod:
    """Open a reporting period of a plan (quarter, six months, year, sơ kết, tổng kết)."""
    _coordinate_require(acting_user, plan.unit, "plans.add_reportingperiod")
    if ReportingPeriod.objects.filter(plan=plan, kind=kind, year=year, number=number).exists():
        raise ValidationError(_("This plan already has this reporting period."))
    if ends_on < starts_on:
        raise ValidationError({"ends_on": _("The last day is before the first day.")})
    if due_on < opens_on:
        raise ValidationError({"due_on": _("Reports cannot be due before they open.")})
    period = ReportingPeriod(
        plan=plan,
        kind=kind,
        year=year,
        number=number,
        starts_on=starts_on,
        ends_on=ends_on,
        opens_on=opens_on,
        due_on=due_on,
    )
    period.full_clean()
    period.save()
    audit_record(acting_user, "plans.period.created", period, changes=diff(None, snapshot(period)))
    return period


# When a period's figures start and end, and when its reports open and are due: Decree
# 09/2019/NĐ-CP Art. 12 by default (figures of a year from 15/12 of the year before to 14/12; of
# the first six months 15/12–14/6; of a quarter from the 15th of the month before it to the 14th of
# its last month). A plan file may set others (``periods: calendar:``); ``first_day: 1`` gives
# calendar months.
DEFAULT_CALENDAR = {
    "first_day": 15,  # figures start on this day of the month before the period's first month
    "opens_days_before_end": 14,  # reports may be written from this many days before the cut-off
    "due_days_after_end": 6,  # … and are due this many days after it (the 20th by default)
    "kinds": [PeriodKind.QUARTER, PeriodKind.HALF_YEAR, PeriodKind.YEAR],
}


def _month_day(year: int, month: int, day: int) -> dt.date:
    while month < 1:
        year, month = year - 1, month + 12
    while month > 12:
        year, month = year + 1, month - 12
    return dt.date(year, month, day)


def period_dates(year: int, first_month: int, last_month: int, calendar: dict | None = None) -> dict:
    """First and last day of a period's figures, the day reports open and the day they are due."""
    cal = {**DEFAULT_CALENDAR, **(calendar or {})}
    first_day = int(cal["first_day"])
    if not 1 <= first_day <= 28:
        raise ValidationError(_("The first day of a reporting period must be between 1 and 28."))
    if first_day == 1:
        starts = dt.date(year, first_month, 1)
        ends = _month_day(year, last_month + 1, 1) - dt.timedelta(days=1)
    else:
        starts = _month_day(year, first_month - 1, first_day)
        ends = _month_day(year, last_month, first_day) - dt.timedelta(days=1)
    opens = ends - dt.timedelta(days=int(cal["opens_days_before_end"]))
    due = ends + dt.timedelta(days=int(cal["due_days_after_end"]))
    if due < opens:
        raise ValidationError(_("Reports cannot be due before they open."))
    return {"starts_on": starts, "ends_on": ends, "opens_on": max(opens, starts), "due_on": due}


def standard_periods(year: int, calendar: dict | None = None) -> list[dict]:
    """The quarters, halves and the year of ``year`` with the dates of the reporting calendar
    (Decree 09/2019/NĐ-CP by default, see DEFAULT_CALENDAR; ``calendar`` overrides its values)."""
    cal = {**DEFAULT_CALENDAR, **(calendar or {})}
    kinds = set(cal["kinds"])
    unknown = kinds - {PeriodKind.QUARTER, PeriodKind.HALF_YEAR, PeriodKind.YEAR}
    if unknown:
        raise ValidationError(
            _("Unknown kinds of reporting period: %(kinds)s.") % {"kinds": ", ".join(sorted(unknown))}
        )
    periods = []

    def add(kind, number, first_month, last_month):
        if kind in kinds:
            dates = period_dates(year, first_month, last_month, cal)
            periods.append({"kind": kind, "year": year, "number": number, **dates})

    for q in range(1, 5):
        add(PeriodKind.QUARTER, q, 3 * q - 2, 3 * q)
    add(PeriodKind.HALF_YEAR, 1, 1, 6)
    add(PeriodKind.HALF_YEAR, 2, 7, 12)
    add(PeriodKind.YEAR, 1, 1, 12)
    return periods


def _may_report_for(user: User, task: Task, agency: Agency) -> bool:
    if user.has_perm(COORDINATE) and unit_in_scope(user, task.plan.unit):
        return True
    if agency.pk == task.lead_agency_id and is_commune_share_of(user, task):
        return True
    return user.agency_id is not None and user.agency_id == agency.pk


def reporting_agency_for(user: User, task: Task) -> Agency | None:
    """The agency a user reports for on a task: their own, or the commune's People's Committee
    for a commune's share in their communes."""
    if user.agency_id is not None and user.agency_id in _task_agencies(task):
        return user.agency
    if is_commune_share_of(user, task):
        return task.lead_agency
    return user.agency


def _task_agencies(task: Task) -> set[int]:
    return {task.lead_agency_id, *task.cooperating_agencies.values_list("pk", flat=True)}


@transaction.atomic
def report_save(
    *,
    acting_user: User,
    period: ReportingPeriod,
    task: Task,
    agency: Agency | None = None,
    today: dt.date | None = None,
    **fields,
) -> ProgressReport:
    """Write (or edit) an agency's draft report on a task for a period.

    Refused: a period not yet open, a task of another plan, an agency that neither leads nor
    cooperates in the task, a report already submitted or accepted.
    """
    if not acting_user.has_perm("plans.add_progressreport"):
        raise ScopeError("plans.add_progressreport")
    if not Task.objects.restrict(acting_user).filter(pk=task.pk).exists():
        raise ScopeError("plans.add_progressreport")
    agency = agency or reporting_agency_for(acting_user, task)
    if agency is None:
        raise ValidationError(_("Your account belongs to no agency: ask the coordinator to set it."))
    if not _may_report_for(acting_user, task, agency):
        raise ScopeError("plans.add_progressreport")
    if task.plan_id != period.plan_id:
        raise ValidationError(_("The task and the period belong to different plans."))
    if task.recurrence not in PERIOD_EXPECTS[period.kind]:
        raise ValidationError(
            _("Task %(code)s (%(frequency)s) is not asked for a report in %(period)s.")
            % {
                "code": task.code,
                "frequency": task.get_recurrence_display().lower(),
                "period": period.label,
            }
        )
    if task.lead_agency_id is None:
        raise ValidationError(
            _("Task %(code)s waits for the coordinator to choose its lead agency.") % {"code": task.code}
        )
    if agency.pk not in _task_agencies(task):
        raise ValidationError(_("%(agency)s neither leads nor cooperates in this task.") % {"agency": agency})
    today = today or timezone.localdate()
    if not period.is_open(today):
        raise ValidationError(
            _("The reporting period %(period)s opens on %(date)s: reports cannot be written before then.")
            % {"period": period.label, "date": _day(period.opens_on)}
        )
    unknown = set(fields) - set(REPORT_FIELDS)
    if unknown:
        raise TypeError(f"unknown report fields: {sorted(unknown)}")
    report = (
        ProgressReport.objects.select_for_update().filter(period=period, task=task, agency=agency).first()
    )
    created = report is None
    if created:
        report = ProgressReport(period=period, task=task, agency=agency, created_by=acting_user)
    elif not report.editable:
        raise ValidationError(
            _("This report is %(status)s: it can no longer be changed.")
            % {"status": report.get_status_display().lower()}
        )
    before = None if created else snapshot(report)
    for name, value in fields.items():
        setattr(report, name, (value or "").strip())
    report.updated_by = acting_user
    report.full_clean()
    report.save()
    audit_record(
        acting_user,
        "plans.report.created" if created else "plans.report.updated",
        report,
        changes=diff(before, snapshot(report)),
    )
    return report


@transaction.atomic
def report_submit(*, acting_user: User, report: ProgressReport) -> ProgressReport:
    """Send a draft (or a returned report, corrected) to the lead agency and the coordinator."""
    if not (
        acting_user.has_perm("plans.change_progressreport")
        and _may_report_for(acting_user, report.task, report.agency)
    ):
        raise ScopeError("plans.change_progressreport")
    if not report.editable:
        raise ValidationError(_("Only a draft or a returned report can be submitted."))
    if not any(getattr(report, name).strip() for name in ("activities", "results")):
        raise ValidationError(_("Say what was done or what it achieved before submitting the report."))
    before = snapshot(report)
    now = timezone.now()
    report.status = ReportStatus.SUBMITTED
    report.submitted_at = now
    report.first_submitted_at = report.first_submitted_at or now
    report.updated_by = acting_user
    report.save()
    audit_record(acting_user, "plans.report.submitted", report, changes=diff(before, snapshot(report)))
    return report


def may_decide(user: User, report: ProgressReport) -> bool:
    """The coordinator of the plan's unit, or the lead agency for a cooperating agency's report."""
    if not user.has_perm("plans.change_progressreport"):
        return False
    if user.has_perm(COORDINATE) and unit_in_scope(user, report.task.plan.unit):
        return True
    return (
        user.agency_id is not None
        and user.agency_id == report.task.lead_agency_id
        and report.agency_id != user.agency_id
    )


def _decide(
    acting_user: User, report: ProgressReport, status: str, comment: str, action: str
) -> ProgressReport:
    if not may_decide(acting_user, report):
        raise ScopeError("plans.change_progressreport")
    if report.status != ReportStatus.SUBMITTED:
        raise ValidationError(_("Only a submitted report can be accepted or returned."))
    before = snapshot(report)
    report.status = status
    report.review_comment = (comment or "").strip()
    report.decided_at = timezone.now()
    report.decided_by = acting_user
    report.updated_by = acting_user
    report.save()
    audit_record(
        acting_user, action, report, changes=diff(before, snapshot(report)), reason=report.review_comment
    )
    if status == ReportStatus.ACCEPTED:
        _task_status_from_report(acting_user, report)
    return report


@transaction.atomic
def report_accept(*, acting_user: User, report: ProgressReport, comment: str = "") -> ProgressReport:
    """Accept a submitted report."""
    return _decide(acting_user, report, ReportStatus.ACCEPTED, comment, "plans.report.accepted")


@transaction.atomic
def report_return(*, acting_user: User, report: ProgressReport, comment: str) -> ProgressReport:
    """Return a submitted report to its agency with comments saying what to change."""
    if not (comment or "").strip():
        raise ValidationError({"comment": _("Say what must change before returning the report.")})
    return _decide(acting_user, report, ReportStatus.RETURNED, comment, "plans.report.returned")


# --- reminders ---------------------------------------------------------------------------------


@dataclass
class Due:
    """An expected report not yet submitted: due soon or late."""

    period: ReportingPeriod
    task: Task
    agency: Agency
    kind: str


def expected_tasks(period: ReportingPeriod):
    """The tasks a period expects a report on: open in the period, by their recurrence."""
    from django.db.models import Q

    return (
        Task.objects.filter(plan=period.plan_id, recurrence__in=PERIOD_EXPECTS[period.kind])
        .filter(lead_agency__isnull=False)  # not a task shared out to the communes, nor one waiting
        .exclude(status=TaskStatus.CANCELLED)
        .filter(Q(starts_on__isnull=True) | Q(starts_on__lte=period.ends_on))
        .exclude(status=TaskStatus.DONE, updated_at__date__lt=period.starts_on)
    )


def reports_due(*, day: dt.date | None = None, within_days: int = 7, periods=None) -> list[Due]:
    """Reports expected from each task's lead agency that are due within ``within_days`` or late."""
    day = day or timezone.localdate()
    if periods is None:
        periods = ReportingPeriod.objects.filter(opens_on__lte=day + dt.timedelta(days=within_days))
    due: list[Due] = []
    for period in periods.select_related("plan"):
        if period.due_on > day + dt.timedelta(days=within_days):
            continue
        kind = Reminder.LATE if period.due_on < day else Reminder.DUE_SOON
        sent = set(
            ProgressReport.objects.filter(period=period, first_submitted_at__isnull=False).values_list(
                "task_id", "agency_id"
            )
        )
        for task in expected_tasks(period).select_related("lead_agency").order_by("position", "id"):
            if (task.pk, task.lead_agency_id) not in sent:
                due.append(Due(period, task, task.lead_agency, kind))
    return due


@dataclass
class ReminderResult:
    recorded: list[Reminder] = field(default_factory=list)
    emails: int = 0


@transaction.atomic
def reminders_record(
    *, day: dt.date | None = None, within_days: int = 7, email: bool = True
) -> ReminderResult:
    """Record an in-app reminder per report due soon or late (once per kind) and e-mail each
    agency one list of its new reminders (to the agency's address and its staff's)."""
    result = ReminderResult()
    by_agency: dict[int, list[Reminder]] = {}
    for item in reports_due(day=day, within_days=within_days):
        reminder, created = Reminder.objects.get_or_create(
            period=item.period, task=item.task, agency=item.agency, kind=item.kind
        )
        if created:
            result.recorded.append(reminder)
            by_agency.setdefault(item.agency.pk, []).append(reminder)
    if result.recorded:
        audit_record(
            None,
            "plans.reminders.recorded",
            None,
            object_label=_("Report reminders"),
            changes={"reminders": len(result.recorded)},
        )
    if not email:
        return result
    for reminders in by_agency.values():
        agency = reminders[0].agency
        to = sorted(
            {
                agency.email,
                *agency.staff.filter(is_active=True).exclude(email="").values_list("email", flat=True),
            }
            - {""}
        )
        if not to:
            continue
        lines = [
            _("- %(kind)s: %(task)s — %(period)s (due on %(date)s)")
            % {
                "kind": r.get_kind_display(),
                "task": r.task.code,
                "period": r.period.label,
                "date": _day(r.period.due_on),
            }
            for r in reminders
        ]
        send_mail(
            _("Plan reports due: %(agency)s") % {"agency": agency},
            "\n".join([_("These reports are due soon or late:"), *lines]),
            settings.DEFAULT_FROM_EMAIL,
            to,
        )
        Reminder.objects.filter(pk__in=[r.pk for r in reminders]).update(emailed_to=", ".join(to)[:500])
        result.emails += 1
    return result


# --- inspections -------------------------------------------------------------------------------


@transaction.atomic
def inspection_create(
    *,
    acting_user: User,
    unit: Unit,
    title: str,
    starts_on: dt.date,
    kind: str = "check",
    plan: Plan | None = None,
    inspecting_agency: Agency | None = None,
    inspected_agency: Agency | None = None,
    inspected_unit: Unit | None = None,
    ends_on: dt.date | None = None,
    findings: str = "",
    status: str = InspectionStatus.PLANNED,
) -> Inspection:
    """Plan an inspection of an agency or a commune."""
    scope_require(acting_user, unit, "plans.add_inspection")
    if inspected_agency is None and inspected_unit is None:
        raise ValidationError({"inspected_agency": _("Name the inspected agency or commune.")})
    if inspected_unit is not None and not unit_in_scope(acting_user, inspected_unit):
        raise ValidationError({"inspected_unit": _("Choose a commune of your units.")})
    _agencies_in_reach(acting_user, [inspecting_agency, inspected_agency], "inspected_agency")
    if ends_on and ends_on < starts_on:
        raise ValidationError({"ends_on": _("The inspection ends before it starts.")})
    inspection = Inspection(
        unit=unit,
        plan=plan,
        kind=kind,
        title=(title or "").strip(),
        inspecting_agency=inspecting_agency,
        inspected_agency=inspected_agency,
        inspected_unit=inspected_unit,
        starts_on=starts_on,
        ends_on=ends_on,
        findings=findings,
        status=status,
        created_by=acting_user,
        updated_by=acting_user,
    )
    inspection.full_clean()
    inspection.save()
    audit_record(
        acting_user, "plans.inspection.created", inspection, changes=diff(None, snapshot(inspection))
    )
    return inspection


@transaction.atomic
def inspection_record_findings(
    *, acting_user: User, inspection: Inspection, findings: str, status: str, ends_on: dt.date | None = None
) -> Inspection:
    """Record what an inspection found and where it stands."""
    scope_require(acting_user, inspection.unit, "plans.change_inspection")
    before = snapshot(inspection)
    inspection.findings = (findings or "").strip()
    inspection.status = status
    inspection.ends_on = ends_on or inspection.ends_on
    if status == InspectionStatus.DONE and not inspection.findings:
        raise ValidationError({"findings": _("Write the findings before marking the inspection done.")})
    if inspection.ends_on and inspection.ends_on < inspection.starts_on:
        raise ValidationError({"ends_on": _("The inspection ends before it starts.")})
    inspection.updated_by = acting_user
    inspection.full_clean()
    inspection.save()
    audit_record(
        acting_user, "plans.inspection.updated", inspection, changes=diff(before, snapshot(inspection))
    )
    return inspection


@transaction.atomic
def recommendation_add(
    *, acting_user: User, inspection: Inspection, text: str, owner: Agency | None, deadline: dt.date | None
) -> Recommendation:
    """Add a recommendation, owned by an agency, with a deadline."""
    scope_require(acting_user, inspection.unit, "plans.add_recommendation")
    if owner is None:
        raise ValidationError({"owner": _("Name the agency responsible for the recommendation.")})
    if deadline is None:
        raise ValidationError({"deadline": _("Give the recommendation a deadline.")})
    _agencies_in_reach(acting_user, [owner], "owner")
    rec = Recommendation(inspection=inspection, text=(text or "").strip(), owner=owner, deadline=deadline)
    rec.full_clean()
    rec.save()
    audit_record(acting_user, "plans.recommendation.created", rec, changes=diff(None, snapshot(rec)))
    return rec


@transaction.atomic
def recommendation_follow_up(
    *,
    acting_user: User,
    recommendation: Recommendation,
    follow_up: str,
    close: bool = False,
    today: dt.date | None = None,
) -> Recommendation:
    """Record the follow-up of a recommendation, closing it when carried out."""
    scope_require(acting_user, recommendation.inspection.unit, "plans.change_recommendation")
    if recommendation.is_closed:
        raise ValidationError(_("This recommendation is closed."))
    follow_up = (follow_up or "").strip()
    if not follow_up:
        raise ValidationError({"follow_up": _("Say what was done about the recommendation.")})
    before = snapshot(recommendation)
    recommendation.follow_up = follow_up
    if close:
        recommendation.closed_on = today or timezone.localdate()
    recommendation.full_clean()
    recommendation.save()
    audit_record(
        acting_user,
        "plans.recommendation.closed" if close else "plans.recommendation.followed_up",
        recommendation,
        changes=diff(before, snapshot(recommendation)),
    )
    return recommendation


# --- one report per agency (or commune) per period -------------------------------------------------


def _may_act_for(user: User, period: ReportingPeriod, agency: Agency) -> bool:
    """The plan's coordinator, the agency's own staff, or the commune's users for its People's
    Committee."""
    if user.has_perm(COORDINATE) and unit_in_scope(user, period.plan.unit):
        return True
    if user.agency_id is not None and user.agency_id == agency.pk:
        return True
    return agency.kind == AgencyKind.COMMUNE_PC and any(
        agency.unit.path.startswith(path) for path in commune_paths(user)
    )


def agency_report_tasks(*, period: ReportingPeriod, agency: Agency):
    """The tasks the period asks ``agency`` to report on: those it leads (its communes' shares
    for a commune's People's Committee)."""
    return expected_tasks(period).filter(lead_agency=agency).order_by("position", "code", "id")


@transaction.atomic
def agency_report_open(
    *, acting_user: User, period: ReportingPeriod, agency: Agency | None = None, today: dt.date | None = None
) -> AgencyReport:
    """Open (or find) the agency's report for the period, with a draft row per task it leads that
    the period asks for. Refused: a period not open yet, an agency with no task in the period."""
    if not acting_user.has_perm("plans.add_progressreport"):
        raise ScopeError("plans.add_progressreport")
    agency = agency or acting_user.agency
    if agency is None:
        raise ValidationError(_("Your account belongs to no agency: ask the coordinator to set it."))
    if not _may_act_for(acting_user, period, agency):
        raise ScopeError("plans.add_progressreport")
    report = AgencyReport.objects.select_for_update().filter(period=period, agency=agency).first()
    tasks = list(agency_report_tasks(period=period, agency=agency))
    if report is None:
        if not tasks:
            raise ValidationError(
                _("%(period)s asks %(agency)s for no report.") % {"period": period.label, "agency": agency}
            )
        today = today or timezone.localdate()
        if not period.is_open(today):
            raise ValidationError(
                _("The reporting period %(period)s opens on %(date)s: reports cannot be written before then.")
                % {"period": period.label, "date": _day(period.opens_on)}
            )
        report = AgencyReport(period=period, agency=agency, created_by=acting_user, updated_by=acting_user)
        report.full_clean()
        report.save()
        audit_record(acting_user, "plans.agency_report.created", report, changes=diff(None, snapshot(report)))
    rows = {r.task_id: r for r in ProgressReport.objects.filter(period=period, agency=agency)}
    for task in tasks:
        row = rows.get(task.pk)
        if row is None:
            row = report_save(acting_user=acting_user, period=period, task=task, agency=agency, today=today)
        if row.agency_report_id != report.pk:
            row.agency_report = report
            row.save(update_fields=["agency_report"])
    return report


ROW_FIELDS = (*REPORT_FIELDS, "task_status")


@transaction.atomic
def agency_report_save(
    *, acting_user: User, report: AgencyReport, summary: str | None = None, rows: dict | None = None
) -> AgencyReport:
    """Write the agency report's general assessment and its rows (task id → what was done,
    results, figures, difficulties, proposals, where the task stands). All or nothing."""
    if not (
        acting_user.has_perm("plans.change_progressreport")
        and _may_act_for(acting_user, report.period, report.agency)
    ):
        raise ScopeError("plans.change_progressreport")
    if not report.editable:
        raise ValidationError(
            _("This report is %(status)s: it can no longer be changed.")
            % {"status": report.get_status_display().lower()}
        )
    mine = {row.task_id: row for row in report.rows.select_related("task")}
    for task_id, values in (rows or {}).items():
        row = mine.get(int(task_id))
        if row is None:
            raise ValidationError(_("This report has no row for that task."))
        status = values.get("task_status", row.task_status)
        if status not in (TaskStatus.IN_PROGRESS, TaskStatus.DONE):
            raise ValidationError(
                _("Task %(code)s: say whether it is in progress or done.") % {"code": row.task.code}
            )
        unknown = set(values) - set(ROW_FIELDS)
        if unknown:
            raise TypeError(f"unknown report fields: {sorted(unknown)}")
        before = snapshot(row)
        for name in REPORT_FIELDS:
            if name in values:
                setattr(row, name, (values[name] or "").strip())
        row.task_status = status
        row.updated_by = acting_user
        row.full_clean()
        row.save()
        changes = diff(before, snapshot(row))
        if changes:
            audit_record(acting_user, "plans.report.updated", row, changes=changes)
    if summary is not None and summary.strip() != report.summary:
        before = snapshot(report)
        report.summary = summary.strip()
        report.updated_by = acting_user
        report.save(update_fields=["summary", "updated_by", "updated_at"])
        audit_record(
            acting_user, "plans.agency_report.updated", report, changes=diff(before, snapshot(report))
        )
    return report


@transaction.atomic
def agency_report_submit(*, acting_user: User, report: AgencyReport) -> AgencyReport:
    """Send the agency's report, every row together, to the plan's coordinator."""
    if not (
        acting_user.has_perm("plans.change_progressreport")
        and _may_act_for(acting_user, report.period, report.agency)
    ):
        raise ScopeError("plans.change_progressreport")
    if not report.editable:
        raise ValidationError(_("Only a draft or a returned report can be submitted."))
    rows = list(report.rows.select_related("task", "agency", "period", "task__plan__unit"))
    if not rows:
        raise ValidationError(_("This report has no task to report on."))
    empty = [r.task.code for r in rows if not (r.activities.strip() or r.results.strip())]
    if empty:
        raise ValidationError(
            _("Say what was done or what it achieved for every task before submitting: %(codes)s.")
            % {"codes": ", ".join(empty)}
        )
    for row in rows:
        if row.editable:
            report_submit(acting_user=acting_user, report=row)
    before = snapshot(report)
    now = timezone.now()
    report.status = ReportStatus.SUBMITTED
    report.submitted_at = now
    report.first_submitted_at = report.first_submitted_at or now
    report.updated_by = acting_user
    report.save()
    audit_record(acting_user, "plans.agency_report.submitted", report, changes=diff(before, snapshot(report)))
    _announce("plans.agency_report.submitted", report, acting_user)
    return report


def may_decide_agency_report(user: User, report: AgencyReport) -> bool:
    """The coordinator of the plan's unit decides agency reports."""
    return bool(
        user.has_perm("plans.change_progressreport")
        and user.has_perm(COORDINATE)
        and unit_in_scope(user, report.period.plan.unit)
    )


def _decide_agency_report(acting_user: User, report: AgencyReport, status: str, comment: str) -> AgencyReport:
    if not may_decide_agency_report(acting_user, report):
        raise ScopeError("plans.change_progressreport")
    if report.status != ReportStatus.SUBMITTED:
        raise ValidationError(_("Only a submitted report can be accepted or returned."))
    for row in report.rows.select_related("task", "task__plan__unit", "agency", "period"):
        if row.status == ReportStatus.SUBMITTED:
            _decide(
                acting_user,
                row,
                status,
                comment,
                "plans.report.accepted" if status == ReportStatus.ACCEPTED else "plans.report.returned",
            )
    before = snapshot(report)
    report.status = status
    report.review_comment = (comment or "").strip()
    report.decided_at = timezone.now()
    report.decided_by = acting_user
    report.updated_by = acting_user
    report.save()
    action = (
        "plans.agency_report.accepted" if status == ReportStatus.ACCEPTED else "plans.agency_report.returned"
    )
    audit_record(
        acting_user, action, report, changes=diff(before, snapshot(report)), reason=report.review_comment
    )
    _announce(action, report, acting_user)
    return report


@transaction.atomic
def agency_report_accept(*, acting_user: User, report: AgencyReport, comment: str = "") -> AgencyReport:
    """Accept the agency's report: every row is accepted and each task reads as its row says."""
    return _decide_agency_report(acting_user, report, ReportStatus.ACCEPTED, comment)


@transaction.atomic
def agency_report_return(*, acting_user: User, report: AgencyReport, comment: str) -> AgencyReport:
    """Return the agency's report with comments saying what to change."""
    if not (comment or "").strip():
        raise ValidationError({"comment": _("Say what must change before returning the report.")})
    return _decide_agency_report(acting_user, report, ReportStatus.RETURNED, comment)


# --- task status from accepted reports --------------------------------------------------------------


def _task_status_from_report(acting_user: User, report: ProgressReport) -> None:
    """An accepted report of the lead agency says where its task stands; a commune's share moves
    its task too (done when every commune's share is done)."""
    task = report.task
    if report.agency_id != task.lead_agency_id or task.status == TaskStatus.CANCELLED:
        return
    _set_derived_status(acting_user, task, report.task_status, report)
    if task.parent_id is not None:
        parent = task.parent
        statuses = set(parent.shares.values_list("status", flat=True)) - {TaskStatus.CANCELLED}
        if statuses == {TaskStatus.DONE}:
            derived = TaskStatus.DONE
        elif statuses & {TaskStatus.IN_PROGRESS, TaskStatus.DONE}:
            derived = TaskStatus.IN_PROGRESS
        else:
            derived = TaskStatus.NOT_STARTED
        if parent.status != TaskStatus.CANCELLED:
            _set_derived_status(acting_user, parent, derived, report)


def _set_derived_status(acting_user: User, task: Task, status: str, report: ProgressReport) -> None:
    if task.status == status:
        return
    before = snapshot(task)
    old = task.status
    task.status = status
    task.updated_by = acting_user
    task.save(update_fields=["status", "updated_by", "updated_at"])
    note = _("From the accepted report of %(agency)s for %(period)s") % {
        "agency": report.agency,
        "period": report.period.label,
    }
    TaskHistory.objects.create(
        task=task,
        actor=acting_user,
        kind="status",
        note=f"{_status_label(old)} → {_status_label(status)} · {note}"[:500],
    )
    audit_record(
        acting_user, "plans.task.status_changed", task, changes=diff(before, snapshot(task)), reason=note
    )


def _announce(kind: str, record, acting_user: User) -> None:
    """Announce a plan event (plans/events.py) once the notifications table holds it."""
    from treem.notifications.events import EVENTS, announce

    if kind in EVENTS:
        announce(kind, record, actor=acting_user)


def _status_label(value: str) -> str:
    """A task status as people read it (the history keeps words, not the stored value)."""
    try:
        return str(TaskStatus(value).label)
    except ValueError:
        return value

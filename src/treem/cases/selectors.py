"""Reads of the case process: always from what the user may see, then the confidentiality group.

Two layers decide what a user sees of a case:

1. Scope (``Case.objects.restrict(user, "view")``): the case's commune must be in the user's
   units. Out of scope, a case does not exist for the user (404).
2. The confidentiality group (``case_access``): assigned workers, the supervisor and the users the
   case was shared with see its content; anyone else in scope sees only that it exists (number,
   status) unless they broke the glass (an active ``CaseAccess`` with its reason).

System administrators (who see all units) are not in any case's group: they see that cases exist
and must break the glass like anyone else, so that every reading of a case's content has a name
and a reason in the audit log.
"""

from __future__ import annotations

import datetime as dt
import enum
from dataclasses import dataclass

from django.conf import settings
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from treem.cases.choices import TransferStatus
from treem.cases.deadlines import WorkingCalendar, deadline_state
from treem.cases.models import CalendarOverride, Case, CaseAccess, Deadline, Report, Transfer


class Access(enum.Enum):
    NONE = "none"  # out of scope: 404
    EXISTS = "exists"  # in scope, outside the group: number and status only
    GLASS = "glass"  # broke the glass: content, every view audited with the reason
    MEMBER = "member"  # assigned worker, supervisor or shared user


@dataclass(frozen=True)
class CaseAccessInfo:
    level: Access
    grant: CaseAccess | None = None

    @property
    def sees_content(self) -> bool:
        return self.level in (Access.MEMBER, Access.GLASS)


def member_q(user, prefix: str = "") -> Q:
    """Q for cases whose group ``user`` belongs to (``prefix`` leads from another model to the case)."""
    return (
        Q(**{f"{prefix}workers": user})
        | Q(**{f"{prefix}supervisor": user})
        | Q(**{f"{prefix}shared_with": user})
    )


def is_member(user, case: Case) -> bool:
    if not (user and user.is_authenticated and user.is_active):
        return False
    return Case.objects.filter(pk=case.pk).filter(member_q(user)).exists()


def is_worker(user, case: Case) -> bool:
    return bool(user and user.is_authenticated) and case.workers.filter(pk=user.pk).exists()


def active_glass(user, case: Case, *, now: dt.datetime | None = None) -> CaseAccess | None:
    now = now or timezone.now()
    return (
        CaseAccess.objects.filter(case=case, user=user, opened_at__lte=now, expires_at__gt=now)
        .order_by("-opened_at")
        .first()
    )


def case_access(user, case: Case) -> CaseAccessInfo:
    """What ``user`` may see of ``case`` (which must come from a restricted queryset or be checked)."""
    if not Case.objects.restrict(user, "view").filter(pk=case.pk).exists():
        return CaseAccessInfo(Access.NONE)
    if is_member(user, case):
        return CaseAccessInfo(Access.MEMBER)
    grant = active_glass(user, case)
    if grant is not None:
        return CaseAccessInfo(Access.GLASS, grant)
    return CaseAccessInfo(Access.EXISTS)


def case_list(*, user, filters: dict | None = None) -> QuerySet[Case]:
    """Cases in the user's scope, each annotated ``is_member`` (lists show content only for those)."""
    from treem.cases.choices import PlanStatus
    from treem.cases.filtersets import CaseFilterSet
    from treem.cases.models import Plan

    member = Case.objects.filter(pk=OuterRef("pk")).filter(member_q(user))
    plan_waiting = Plan.objects.filter(case=OuterRef("pk"), status=PlanStatus.SUBMITTED)
    qs = (
        Case.objects.restrict(user, "view")
        .annotate(is_member=Exists(member), plan_waiting=Exists(plan_waiting))
        .select_related("step", "commune", "child", "supervisor")
    )
    return CaseFilterSet(filters or {}, queryset=qs, request=None, user=user).qs


def my_cases(*, user) -> QuerySet[Case]:
    """Open cases the user works on, supervises or was given (content visible)."""
    return (
        Case.objects.restrict(user, "view")
        .filter(pk__in=Case.objects.filter(member_q(user)).values("pk"))
        .select_related("step", "commune", "child")
    )


def _soon() -> dt.timedelta:
    return dt.timedelta(hours=settings.TREEM_CASE_DUE_SOON_HOURS)


def open_deadlines(*, user) -> QuerySet[Deadline]:
    """Deadlines not yet met of open cases in the user's scope."""
    return (
        Deadline.objects.restrict(user, "view")
        .filter(met_at__isnull=True, case__status="open")
        .select_related("case", "case__step")
        .order_by("due_at", "id")
    )


def overdue_deadlines(*, user, now: dt.datetime | None = None) -> QuerySet[Deadline]:
    now = now or timezone.now()
    return open_deadlines(user=user).filter(due_at__lt=now)


def due_soon_deadlines(*, user, now: dt.datetime | None = None) -> QuerySet[Deadline]:
    now = now or timezone.now()
    return open_deadlines(user=user).filter(due_at__gte=now, due_at__lte=now + _soon())


def cases_with_deadlines(*, user, state: str, now: dt.datetime | None = None) -> QuerySet[Case]:
    """Cases in scope with an ``overdue`` or ``due_soon`` deadline."""
    deadlines = {"overdue": overdue_deadlines, "due_soon": due_soon_deadlines}[state](user=user, now=now)
    return case_list(user=user).filter(pk__in=deadlines.values("case_id"))


def deadline_rows(case: Case, *, now: dt.datetime | None = None) -> list[tuple[Deadline, str]]:
    """The case's deadlines with their state (met, met late, overdue, due soon, pending)."""
    now = now or timezone.now()
    return [
        (d, deadline_state(d.due_at, now=now, soon=_soon(), met_at=d.met_at))
        for d in case.deadlines.order_by("due_at", "id")
    ]


def reports_waiting(*, user) -> QuerySet[Report]:
    """Reports in scope not yet joined to a case (the 12 hours run from their receipt)."""
    return Report.objects.restrict(user, "view").filter(case__isnull=True).select_related("unit", "child")


def working_calendar(unit=None) -> WorkingCalendar:
    """The national calendar with the overrides for ``unit`` (national ones, and those of its units)."""
    overrides = CalendarOverride.objects.filter(unit__isnull=True)
    if unit is not None:
        ancestors = [int(pk) for pk in unit.path.strip("/").split("/") if pk]
        overrides = CalendarOverride.objects.filter(Q(unit__isnull=True) | Q(unit_id__in=ancestors))
    days_off, working = set(), set()
    # A unit's own decision wins over a national one for the same day (more specific).
    for override in overrides.select_related("unit").order_by("day", "unit__path"):
        (days_off if override.kind == "day_off" else working).add(override.day)
        (working if override.kind == "day_off" else days_off).discard(override.day)
    return WorkingCalendar.with_overrides(days_off=days_off, working_days=working)


def glass_breaks_for_supervisor(*, user) -> QuerySet[CaseAccess]:
    """Break-the-glass openings of the cases ``user`` supervises (newest first)."""
    return (
        CaseAccess.objects.restrict(user, "view")
        .filter(case__supervisor=user)
        .select_related("case", "user")
        .order_by("-opened_at", "-id")
    )


def referral_agencies(commune):
    """Agencies in force that serve ``commune``: its own and those of the units above it (the
    provincial hospital, police, social protection centre)."""
    from treem.accounts.models import Agency

    ancestors = [int(pk) for pk in commune.path.strip("/").split("/") if pk]
    return (
        Agency.objects.current()
        .filter(unit_id__in=ancestors)
        .select_related("unit")
        .order_by("unit__path", "name")
    )


def transfers_incoming(*, user) -> QuerySet[Transfer]:
    """Transfers waiting for a commune of the user's units to accept or refuse."""
    from treem.core.scope import scope_q

    if not user.has_perm("cases.add_case"):
        return Transfer.objects.none()
    qs = Transfer.objects.restrict(user, "view").filter(status=TransferStatus.REQUESTED)
    q = scope_q(user, "to_commune__path")
    return (qs if q is None else qs.filter(q)).select_related(
        "case", "from_commune", "to_commune", "requested_by"
    )


def public_provinces():
    """Provinces in force, for the public form."""
    from treem.geo.models import Unit, UnitLevel

    return Unit.objects.current().filter(level=UnitLevel.PROVINCE).order_by("name")


def public_communes(province):
    """Communes in force of ``province``, for the public form (none without a province)."""
    from treem.geo.models import Unit, UnitLevel

    if province is None:
        return Unit.objects.none()
    return (
        Unit.objects.current()
        .filter(level=UnitLevel.COMMUNE, path__startswith=province.path)
        .order_by("name")
    )


def search_hits(user, text: str) -> list:
    """Cases by number and reports by tracking code for the site's search box (exact, in scope;
    the number only: a case is never found by its child or its content)."""
    from django.utils.translation import gettext as _

    from treem.core.search import Hit

    code = text.strip().upper()
    if " " in code or len(code) > 20:
        return []
    hits = []
    if user.has_perm("cases.view_case"):
        for case in Case.objects.restrict(user, "view").filter(number=code).select_related("commune", "step"):
            hits.append(
                Hit(
                    _("Case"),
                    case.number,
                    f"{case.commune.label} · {case.step}",
                    case.get_absolute_url(),
                    True,
                )
            )
    if user.has_perm("cases.view_report"):
        for report in Report.objects.restrict(user, "view").filter(tracking_code=code).select_related("unit"):
            hits.append(
                Hit(_("Report"), report.tracking_code, report.unit.label, report.get_absolute_url(), True)
            )
    return hits


WORKLIST_LIMIT = 20


def worklist_items(user) -> list:
    """What waits for ``user`` in child protection (``core.worklist``): reports to screen in their
    units, deadlines of cases they work on, plans and closures they must decide, transfers their
    commune must accept, referrals waiting for an agency's answer. Cases by number only."""
    from django.utils.translation import gettext as _

    from treem.cases.choices import PlanStatus, ReferralStatus
    from treem.cases.models import Plan, Referral
    from treem.core.worklist import WorkItem

    items: list[WorkItem] = []
    if user.has_perm("cases.add_case"):
        rule = settings.TREEM_CASE_DEADLINES.get("initial_assessment", {})
        hours = rule.get("hours", 12) if isinstance(rule, dict) else 12
        for report in reports_waiting(user=user).order_by("received_at", "pk")[:WORKLIST_LIMIT]:
            items.append(
                WorkItem(
                    _("Report to screen"),
                    f"{report.tracking_code} · {report.unit.label}",
                    report.get_absolute_url(),
                    report.received_at + dt.timedelta(hours=hours),
                )
            )
    if not user.has_perm("cases.view_case"):
        return items
    mine = Case.objects.restrict(user, "view").filter(pk__in=Case.objects.filter(member_q(user)).values("pk"))
    deadlines = (
        Deadline.objects.filter(case__in=mine.values("pk"), met_at__isnull=True, case__status="open")
        .select_related("case")
        .order_by("due_at", "pk")[:WORKLIST_LIMIT]
    )
    for deadline in deadlines:
        items.append(
            WorkItem(
                deadline.get_kind_display(),
                deadline.case.number,
                deadline.case.get_absolute_url(),
                deadline.due_at,
            )
        )
    if user.has_perm("cases.approve_case"):
        supervised = Case.objects.restrict(user, "view").filter(supervisor=user, status="open")
        plans = (
            Plan.objects.filter(case__in=supervised.values("pk"), status=PlanStatus.SUBMITTED)
            .select_related("case")
            .order_by("submitted_at", "pk")[:WORKLIST_LIMIT]
        )
        for plan in plans:
            items.append(WorkItem(_("Plan to approve"), plan.case.number, plan.case.get_absolute_url(), None))
        for case in supervised.filter(closure_requested_at__isnull=False).order_by("closure_requested_at")[
            :WORKLIST_LIMIT
        ]:
            items.append(WorkItem(_("Closure to decide"), case.number, case.get_absolute_url(), None))
    for transfer in transfers_incoming(user=user)[:WORKLIST_LIMIT]:
        items.append(
            WorkItem(
                _("Transfer to accept"),
                f"{transfer.case.number} · {transfer.from_commune.label}",
                transfer.get_absolute_url(),
                None,
            )
        )
    referrals = (
        Referral.objects.filter(case__in=mine.values("pk"), status=ReferralStatus.SENT)
        .select_related("case", "agency")
        .order_by("pk")[:WORKLIST_LIMIT]
    )
    for referral in referrals:
        items.append(
            WorkItem(
                _("Referral waiting for an answer"),
                f"{referral.case.number} · {referral.agency_label}",
                referral.case.get_absolute_url(),
                None,
            )
        )
    return items


def case_warnings(case: Case) -> list[str]:
    """What in the case's records contradicts itself and will print wrong on the decree's forms
    (shown on the case page to its group; the records are not refused, someone must check)."""
    from django.utils.formats import date_format
    from django.utils.translation import gettext as _

    warnings = []
    if not case.emergency:
        for assessment in case.assessments.order_by("assessed_at"):  # encrypted: read, then tested
            if not assessment.emergency_measures.strip():
                continue
            day = timezone.localtime(assessment.assessed_at).date()
            warnings.append(
                _(
                    "%(assessment)s of %(day)s records emergency measures, but the case is not "
                    "marked as an emergency: the forms will print “urgent protection: No”."
                )
                % {
                    "assessment": assessment.get_kind_display(),
                    "day": date_format(day, "SHORT_DATE_FORMAT"),
                }
            )
    born = case.child.birth_date if case.child_id else None
    if born is not None:
        for report in case.reports.order_by("received_at"):
            received = timezone.localtime(report.received_at).date()
            if born > received:
                warnings.append(
                    _(
                        "The child's date of birth (%(born)s) is after the report %(code)s was received "
                        "(%(received)s): check one of them."
                    )
                    % {
                        "born": date_format(born, "SHORT_DATE_FORMAT"),
                        "code": report.tracking_code,
                        "received": date_format(received, "SHORT_DATE_FORMAT"),
                    }
                )
    return warnings

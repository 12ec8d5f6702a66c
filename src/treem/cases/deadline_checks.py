"""The periodic check of case deadlines: warn the assigned workers before a deadline passes, tell
them when it has passed, and escalate an overdue deadline to the case's supervisor.

Run by ``treem check_deadlines`` (a timer, every 15 minutes or so) or as the job kind
``cases.check_deadlines`` by ``treem worker`` (``treem check_deadlines --queue``).

When a deadline counts as "due soon" is configured per kind of deadline in
``TREEM_CASE_DEADLINE_WARNINGS`` (defaults below): clock hours before it (2 hours for the 12-hour
initial assessment), or working days (1: from the end of the working day before the deadline's
day, by the case's working calendar).

Each alert is sent once per deadline, state and due date (a ``DeadlineAlert`` row, unique): a
second run sends nothing new, two workers running at once send each alert once, and a deadline
whose date moved is announced again. A deadline found already overdue gets no "due soon" alert.
Alerts name the case by its number and the deadline by its kind, never the content.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.conf import settings
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from treem.audit.services import audit_record
from treem.cases.deadlines import VIETNAM, WorkingCalendar, end_of_day
from treem.cases.models import Case, Deadline
from treem.cases.selectors import due_soon_deadlines, member_q, overdue_deadlines, working_calendar

DEFAULT_WARNINGS = {
    "initial_assessment": {"hours": 2},
    "plan": {"working_days": 1},
    "review": {"working_days": 1},
}
# Deadlines further ahead than this are not looked at (no warning rule reaches so far).
LOOK_AHEAD = dt.timedelta(days=45)
MAX_WORKING_DAYS_BACK = 366


def warning_rules() -> dict[str, dict]:
    return {**DEFAULT_WARNINGS, **getattr(settings, "TREEM_CASE_DEADLINE_WARNINGS", {})}


def nth_working_day_before(calendar: WorkingCalendar, day: dt.date, n: int) -> dt.date:
    """The ``n``-th working day before ``day`` (``day`` itself never counts)."""
    if n < 1:
        raise ValueError("n must be at least 1")
    found, current = 0, day
    for _step in range(MAX_WORKING_DAYS_BACK * n):
        current -= dt.timedelta(days=1)
        if calendar.is_working_day(current):
            found += 1
            if found == n:
                return current
    raise ValueError("The calendar has no working days left")


def warn_from(due_at: dt.datetime, rule: dict, calendar: WorkingCalendar) -> dt.datetime:
    """When a deadline due at ``due_at`` becomes "due soon" under ``rule``."""
    if set(rule) == {"hours"}:
        return due_at - dt.timedelta(hours=int(rule["hours"]))
    if set(rule) == {"working_days"}:
        due_day = due_at.astimezone(VIETNAM).date()
        return end_of_day(nth_working_day_before(calendar, due_day, int(rule["working_days"])))
    raise ValueError(f"A warning rule is {{'hours': n}} or {{'working_days': n}}, not {rule!r}")


def alert_state(deadline: Deadline, *, now: dt.datetime, calendar: WorkingCalendar) -> str | None:
    """ "overdue", "due_soon" or None (met, or not near yet) for ``deadline`` at ``now``."""
    if deadline.met_at is not None:
        return None
    if now > deadline.due_at:
        return "overdue"
    rule = warning_rules().get(deadline.kind)
    if rule and now >= warn_from(deadline.due_at, rule, calendar):
        return "due_soon"
    return None


@dataclass
class CheckResult:
    checked: int = 0
    due_soon: int = 0
    overdue: int = 0
    escalated: int = 0
    notifications: int = 0
    cases: list[str] = field(default_factory=list)

    def as_dict(self) -> dict:
        return {
            "checked": self.checked,
            "due_soon": self.due_soon,
            "overdue": self.overdue,
            "escalated": self.escalated,
            "notifications": self.notifications,
        }


def _when(moment: dt.datetime) -> str:
    return date_format(timezone.localtime(moment), "SHORT_DATETIME_FORMAT")


def _messages(deadline: Deadline) -> dict[str, str]:
    values = {
        "number": deadline.case.number,
        "kind": deadline.get_kind_display(),
        "due": _when(deadline.due_at),
    }
    return {
        "due_soon": _("Case %(number)s: “%(kind)s” is due by %(due)s.") % values,
        "overdue": _("Case %(number)s: the deadline for “%(kind)s” passed at %(due)s.") % values,
        "escalated": _("Case %(number)s, which you supervise: the deadline for “%(kind)s” passed at %(due)s.")
        % values,
    }


def supervisors_of(case: Case) -> list:
    """The case's supervisor; without one, the active users of its commune who approve cases."""
    if case.supervisor_id:
        return [case.supervisor] if case.supervisor.is_active else []
    from treem.accounts.models import User

    candidates = User.objects.filter(is_active=True, unit_assignments__unit__in=[case.commune_id]).distinct()
    return [u for u in candidates if u.has_perm("cases.approve_case")]


def _send(deadline: Deadline, state: str, recipients: list, text: str, now: dt.datetime) -> int | None:
    """Record the alert and notify ``recipients``, once: None when it was sent before."""
    from treem.notifications.models import DeadlineAlert
    from treem.notifications.services import notify

    try:
        with transaction.atomic():
            _alert, created = DeadlineAlert.objects.get_or_create(
                deadline=deadline,
                state=state,
                due_at=deadline.due_at,
                defaults={"sent_at": now, "recipients": len(recipients)},
            )
            if not created:
                return None
            link = reverse("cases:case_detail", args=[deadline.case_id])
            for user in recipients:
                notify(user, text, link, email=True, category=f"cases.deadline.{state}")
            audit_record(
                None,
                "cases.deadline.alerted",
                deadline,
                changes={"state": state, "recipients": [u.username for u in recipients]},
            )
    except IntegrityError:  # another worker sent this very alert a moment ago
        return None
    return len(recipients)


def check_deadlines(*, now: dt.datetime | None = None, progress=None) -> CheckResult:
    """Send the alerts that are due at ``now`` (each once); returns what was sent."""
    now = now or timezone.now()
    result = CheckResult()
    open_deadlines = (
        Deadline.objects.filter(met_at__isnull=True, case__status="open", due_at__lte=now + LOOK_AHEAD)
        .select_related("case", "case__commune", "case__supervisor")
        .order_by("due_at", "id")
    )
    calendars: dict[int, WorkingCalendar] = {}
    total = open_deadlines.count()
    for index, deadline in enumerate(open_deadlines.iterator(chunk_size=500)):
        result.checked += 1
        case = deadline.case
        if case.commune_id not in calendars:
            calendars[case.commune_id] = working_calendar(case.commune)
        state = alert_state(deadline, now=now, calendar=calendars[case.commune_id])
        if state is None:
            continue
        texts = _messages(deadline)
        workers = list(case.workers.filter(is_active=True))
        sent = _send(deadline, state, workers, texts[state], now)
        if sent is not None:
            setattr(result, state, getattr(result, state) + 1)
            result.notifications += sent
            result.cases.append(case.number)
        if state == "overdue":
            sent = _send(deadline, "escalated", supervisors_of(case), texts["escalated"], now)
            if sent is not None:
                result.escalated += 1
                result.notifications += sent
        if progress is not None:
            progress("check", index + 1, total)
    return result


# --- the home page's section ------------------------------------------------------------------

DASHBOARD_LIST_LIMIT = 10


def dashboard_section(request) -> dict | None:
    """Overdue and due-soon deadlines of cases in the user's scope: counts, and case numbers only."""
    user = request.user
    if not user.has_perm("cases.view_deadline"):
        return None
    now = timezone.now()
    mine = Case.objects.filter(member_q(user)).values("pk")
    overdue = overdue_deadlines(user=user, now=now)
    due_soon = due_soon_deadlines(user=user, now=now)
    return {
        "template": "cases/_dashboard_deadlines.html",
        "overdue_count": overdue.count(),
        "due_soon_count": due_soon.count(),
        "overdue_mine": overdue.filter(case__in=mine).count(),
        "due_soon_mine": due_soon.filter(case__in=mine).count(),
        "overdue": list(overdue.select_related("case")[:DASHBOARD_LIST_LIMIT]),
        "due_soon": list(due_soon.select_related("case")[:DASHBOARD_LIST_LIMIT]),
        "mine_ids": set(Case.objects.filter(member_q(user)).values_list("pk", flat=True)[:5000]),
        "limit": DASHBOARD_LIST_LIMIT,
    }

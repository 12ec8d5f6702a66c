"""The plans' notification events (notifications/events.py's table): who is told when an agency's
report is submitted, returned or accepted, and when a task is given to an agency (by the plan, by
the coordinator's choice or by a succession). Registered from ``PlansConfig.ready``."""

from __future__ import annotations

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from treem.notifications.events import Event, register


def _agency_users(agency):
    """The agency's active staff; for a commune's People's Committee, the commune's users who
    report on the plans (its chairman and child-protection officers)."""
    from treem.accounts.models import User
    from treem.geo.models import UnitLevel

    users = list(User.objects.filter(is_active=True, agency=agency).order_by("pk"))
    if agency.kind == "commune_pc" and agency.unit.level == UnitLevel.COMMUNE:
        users += [
            u
            for u in User.objects.filter(is_active=True, unit_assignments__unit=agency.unit)
            .distinct()
            .order_by("pk")
            if u.has_perm("plans.add_progressreport")
        ]
    return users


def _coordinators(report, context):
    from treem.accounts.models import User

    unit = report.period.plan.unit
    users = User.objects.filter(is_active=True, unit_assignments__unit=unit).distinct().order_by("pk")
    return [u for u in users if u.has_perm("plans.coordinate_plan")]


def _report_agency(report, context):
    return _agency_users(report.agency)


def _task_agency(task, context):
    return _agency_users(task.lead_agency) if task.lead_agency_id else []


def _report_values(report) -> dict:
    return {"agency": str(report.agency), "period": report.period.label}


def _link(record, context) -> str:
    return record.get_absolute_url()


def register_events() -> None:
    for event in (
        Event(
            "plans.agency_report.submitted",
            gettext_lazy("An agency's plan report waits for my decision"),
            _coordinators,
            lambda r, c: (
                _("%(agency)s submitted its report for %(period)s: accept or return it.") % _report_values(r)
            ),
            _link,
        ),
        Event(
            "plans.agency_report.returned",
            gettext_lazy("My agency's plan report was returned"),
            _report_agency,
            lambda r, c: (
                _("The report of %(agency)s for %(period)s was returned with comments.") % _report_values(r)
            ),
            _link,
        ),
        Event(
            "plans.agency_report.accepted",
            gettext_lazy("My agency's plan report was accepted"),
            _report_agency,
            lambda r, c: _("The report of %(agency)s for %(period)s was accepted.") % _report_values(r),
            _link,
        ),
        Event(
            "plans.task.assigned",
            gettext_lazy("A plan task was given to my agency"),
            _task_agency,
            lambda t, c: (
                _("Task %(code)s of %(plan)s is now led by %(agency)s.")
                % {"code": t.code, "plan": t.plan.number or t.plan.title, "agency": t.lead_agency}
            ),
            _link,
        ),
    ):
        register(event)

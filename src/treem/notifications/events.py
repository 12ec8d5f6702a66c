"""Who is told what: the one table of events → recipients, and ``announce``.

Each kind of event that asks someone to act has one entry: a label (shown on the preferences
page), who receives it (a function of the record and of what the service passes along), the
sentence (it names the record by its number, tracking code or title — never a case's content,
never a child's name) and the link to the record. A service announces after it has written::

    announce("cases.case.assigned", case, actor=acting_user, added=new_workers)

``announce`` then keeps, of the entry's recipients, the active users who may see the record
(its restricted queryset; for a case's content, the case's group), leaves out the actor, and
puts one notification in each inbox. The e-mail follows each user's preference for the kind
(``EmailPreference``) and leaves only when the transaction commits, through the job queue.

Adding an event (the plans' agency reports and tasks, for instance): one ``Event`` in ``EVENTS``
below (or ``register(Event(...))`` from the app's own ``ready``), and one ``announce`` call in the
service that makes the change; tests/notifications/test_events.py runs every entry of the table.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

# The records' sentences are written in the site's language (Vietnamese): the recipient reads
# them, not the person whose action sent them.


@dataclass(frozen=True)
class Event:
    """One kind of event: its label, recipients, sentence and link."""

    kind: str
    label: Any
    # (record, context) → users; None: the sender chooses them (the deadline checks).
    recipients: Callable[[Any, dict], Iterable] | None
    text: Callable[[Any, dict], str] | None
    link: Callable[[Any, dict], str] | None
    # The case whose group alone may be told (events about a case's content); None: scope only.
    case: Callable[[Any], Any] | None = None
    email_default: bool = True
    # Who may be told although the record has left their scope (a transfer accepted by the other
    # commune: its requester no longer sees it); None: the record's restricted queryset decides.
    told_outside_scope: Callable[[Any, Any], bool] | None = None


# --- who: recipients ----------------------------------------------------------------------------


def _users_of_unit(unit, *perms: str):
    """Active users assigned to ``unit`` itself who hold every one of ``perms``."""
    from treem.accounts.models import User
    from treem.core.backends import load_permissions_many

    users = list(User.objects.filter(is_active=True, unit_assignments__unit=unit).distinct().order_by("pk"))
    load_permissions_many(users)  # one read for all, not one per user
    return [u for u in users if u.has_perms(perms)]  # roles are groups: the auth backend decides


def _report_receivers(report, context: dict):
    """The unit's officers and case workers, who screen reports and open cases from them (for a
    report sent to the province, the commune not known, the province's); its supervisors (the
    chairman) only where nobody else may open a case."""
    users = _users_of_unit(report.unit, "cases.view_report", "cases.add_case")
    workers = [u for u in users if not u.has_perm("cases.approve_case")]
    return workers or users


def _case_workers(case, context: dict):
    return list(case.workers.filter(is_active=True).order_by("pk"))


def _plan_workers(plan, context: dict):
    return _case_workers(plan.case, context)


def _case_supervisor(case, context: dict):
    return [case.supervisor] if case.supervisor_id else []


def _plan_supervisor(plan, context: dict):
    return _case_supervisor(plan.case, context)


def _newly_assigned(case, context: dict):
    """Workers added by the change, and the new supervisor (not those already on the case)."""
    users = list(context.get("added", ()))
    if context.get("supervisor") is not None:
        users.append(context["supervisor"])
    return users


def _shared_user(case, context: dict):
    return [context["user"]]


def _referral_agency_users(referral, context: dict):
    from treem.accounts.models import User

    if not referral.agency_id:
        return []  # an agency typed in by name has no users
    return list(User.objects.filter(is_active=True, agency_id=referral.agency_id).order_by("pk"))


def _referral_requester(referral, context: dict):
    return [referral.referred_by]


def _transfer_receivers(transfer, context: dict):
    # Those who may accept it: the receiving commune's officers and supervisors.
    return _users_of_unit(transfer.to_commune, "cases.view_transfer", "cases.add_case")


def _transfer_requester(transfer, context: dict):
    return [transfer.requested_by]


def _recommendation_owners(recommendation, context: dict):
    """The staff of the agency responsible for it (those who may see it: the queryset decides)."""
    from treem.accounts.models import User

    return list(User.objects.filter(is_active=True, agency_id=recommendation.owner_id).order_by("pk"))


def _job_owner(job, context: dict):
    return [job.requested_by] if job.requested_by_id else []


# --- what: sentences and links ------------------------------------------------------------------


def _case_link(case, context: dict) -> str:
    return reverse("cases:case_detail", args=[case.pk])


def _plan_link(plan, context: dict) -> str:
    return _case_link(plan.case, context)


def _sub_link(record, context: dict) -> str:
    return _case_link(record.case, context)


def _record_link(record, context: dict) -> str:
    return record.get_absolute_url()


def _plan_values(plan) -> dict:
    return {"number": plan.case.number, "version": plan.version}


def _referral_values(referral) -> dict:
    return {"number": referral.case.number, "service": referral.get_service_display()}


def _recommendation_text(recommendation, context: dict) -> str:
    values = {
        "id": recommendation.pk,
        "inspection": recommendation.inspection.title,
        "date": recommendation.deadline.strftime("%d/%m/%Y"),
    }
    if context.get("overdue"):
        return _("Recommendation no. %(id)s of the inspection “%(inspection)s” was due on %(date)s.") % values
    return _("Recommendation no. %(id)s of the inspection “%(inspection)s” is due on %(date)s.") % values


def _job_values(job) -> dict:
    return {"job": job.kind_label, "id": job.pk}


EVENTS: dict[str, Event] = {}


def register(event: Event) -> Event:
    """Add an entry to the table (an app's own events; a kind is declared once)."""
    if event.kind in EVENTS:
        raise ValueError(f"notification event {event.kind!r} is declared twice")
    EVENTS[event.kind] = event
    return event


for _event in (
    # Reports and cases (cases/services.py).
    Event(
        "cases.report.received",
        gettext_lazy("A report was received for my commune"),
        _report_receivers,
        lambda report, c: (
            _("Report %(code)s was received for %(unit)s: screen it.")
            % {"code": report.tracking_code, "unit": report.unit.name}
        ),
        _record_link,
    ),
    Event(
        "cases.case.assigned",
        gettext_lazy("A case was assigned to me"),
        _newly_assigned,
        lambda case, c: _("Case %(number)s was assigned to you.") % {"number": case.number},
        _case_link,
        case=lambda case: case,
    ),
    Event(
        "cases.case.shared",
        gettext_lazy("A case was shared with me"),
        _shared_user,
        lambda case, c: _("Case %(number)s was shared with you.") % {"number": case.number},
        _case_link,
        case=lambda case: case,
    ),
    Event(
        "cases.plan.submitted",
        gettext_lazy("A case plan waits for my approval"),
        _plan_supervisor,
        lambda plan, c: _("Case %(number)s: plan v%(version)s waits for your approval.") % _plan_values(plan),
        _plan_link,
        case=lambda plan: plan.case,
    ),
    Event(
        "cases.plan.rejected",
        gettext_lazy("A case plan was returned"),
        _plan_workers,
        lambda plan, c: (
            _("Case %(number)s: plan v%(version)s was returned with comments.") % _plan_values(plan)
        ),
        _plan_link,
        case=lambda plan: plan.case,
    ),
    Event(
        "cases.plan.approved",
        gettext_lazy("A case plan was approved"),
        _plan_workers,
        lambda plan, c: _("Case %(number)s: plan v%(version)s was approved.") % _plan_values(plan),
        _plan_link,
        case=lambda plan: plan.case,
    ),
    Event(
        "cases.case.closure_requested",
        gettext_lazy("Closing a case waits for my decision"),
        _case_supervisor,
        lambda case, c: _("Case %(number)s: closing it waits for your decision.") % {"number": case.number},
        _case_link,
        case=lambda case: case,
    ),
    Event(
        "cases.case.closure_refused",
        gettext_lazy("Closing a case was refused"),
        _case_workers,
        lambda case, c: (
            _("Case %(number)s: closing it was refused; work on it goes on.") % {"number": case.number}
        ),
        _case_link,
        case=lambda case: case,
    ),
    Event(
        "cases.referral.sent",
        gettext_lazy("A case was referred to my agency"),
        _referral_agency_users,
        lambda referral, c: (
            _("Case %(number)s was referred to your agency (%(service)s).") % _referral_values(referral)
        ),
        _sub_link,
    ),
    Event(
        "cases.referral.accepted",
        gettext_lazy("A referral I sent was accepted"),
        _referral_requester,
        lambda referral, c: (
            _("Case %(number)s: the referral (%(service)s) was accepted.") % _referral_values(referral)
        ),
        _sub_link,
        case=lambda referral: referral.case,
    ),
    Event(
        "cases.referral.rejected",
        gettext_lazy("A referral I sent was rejected"),
        _referral_requester,
        lambda referral, c: (
            _("Case %(number)s: the referral (%(service)s) was rejected.") % _referral_values(referral)
        ),
        _sub_link,
        case=lambda referral: referral.case,
    ),
    Event(
        "cases.transfer.requested",
        gettext_lazy("A case transfer waits for my commune's answer"),
        _transfer_receivers,
        lambda transfer, c: (
            _("Case %(number)s: a transfer to %(commune)s waits for your answer.")
            % {"number": transfer.case.number, "commune": transfer.to_commune.name}
        ),
        _record_link,
    ),
    Event(
        "cases.transfer.accepted",
        gettext_lazy("A transfer I asked for was accepted"),
        _transfer_requester,
        lambda transfer, c: (
            _("Case %(number)s: %(commune)s accepted the transfer.")
            % {"number": transfer.case.number, "commune": transfer.to_commune.name}
        ),
        # The case and the transfer now belong to the other commune: no link to follow.
        lambda transfer, c: "",
        told_outside_scope=lambda user, transfer: user.pk == transfer.requested_by_id,
    ),
    Event(
        "cases.transfer.refused",
        gettext_lazy("A transfer I asked for was refused"),
        _transfer_requester,
        lambda transfer, c: (
            _("Case %(number)s: %(commune)s refused the transfer.")
            % {"number": transfer.case.number, "commune": transfer.to_commune.name}
        ),
        _record_link,
    ),
    # Deadlines of cases: cases/deadline_checks.py picks the recipients and writes the sentence.
    Event("cases.deadline.due_soon", gettext_lazy("A case deadline is near"), None, None, None),
    Event("cases.deadline.overdue", gettext_lazy("A case deadline has passed"), None, None, None),
    Event(
        "cases.deadline.escalated",
        gettext_lazy("A deadline of a case I supervise has passed"),
        None,
        None,
        None,
    ),
    # Background jobs (jobs/worker.py): imports, exports, reports.
    Event(
        "jobs.job.done",
        gettext_lazy("A background job I started has finished"),
        _job_owner,
        lambda job, c: _("Your job “%(job)s” (no. %(id)s) has finished.") % _job_values(job),
        _record_link,
    ),
    Event(
        "jobs.job.failed",
        gettext_lazy("A background job I started has failed"),
        _job_owner,
        lambda job, c: _("Your job “%(job)s” (no. %(id)s) has failed.") % _job_values(job),
        _record_link,
    ),
    # Recommendations of inspections (notifications/reminders.py, once per state and deadline).
    Event(
        "plans.recommendation.due",
        gettext_lazy("A recommendation of an inspection is due"),
        _recommendation_owners,
        _recommendation_text,
        _record_link,
    ),
    # Plans (agency reports submitted / returned / accepted, tasks assigned or passed to a
    # successor) are declared by the plans app's owner here.
):
    register(_event)


def event(kind: str) -> Event:
    try:
        return EVENTS[kind]
    except KeyError:
        raise ValueError(f"unknown notification event {kind!r}: declare it in EVENTS") from None


def _keeps_shared_rule(record) -> bool:
    """The record's model filters by the shared unit rule (``RestrictedQuerySet.restrict`` as is)."""
    from treem.core.scope import RestrictedQuerySet

    return type(type(record).objects.all()).restrict is RestrictedQuerySet.restrict


def _in_restricted(user, record, answers: dict | None) -> bool:
    """The record is in the user's restricted queryset. ``answers`` (given where the model keeps
    the shared unit rule) holds one answer per scope signature, so that users alike cost one
    query, not one each; None asks per user (a rule of the model's own)."""
    from treem.core.scope import scope_signature

    if answers is None:
        return type(record).objects.restrict(user, "view").filter(pk=record.pk).exists()
    key = scope_signature(user)
    if key not in answers:
        answers[key] = type(record).objects.restrict(user, "view").filter(pk=record.pk).exists()
    return answers[key]


def _may_see(user, record, entry: Event, answers: dict | None = None) -> bool:
    """The record is in the user's restricted queryset; for case content, the user is in its group."""
    if entry.told_outside_scope is not None and entry.told_outside_scope(user, record):
        return True
    if not _in_restricted(user, record, answers):
        return False
    if entry.case is not None:
        from treem.cases.selectors import is_member

        return is_member(user, entry.case(record))
    return True


def recipients_of(kind: str, record, *, actor=None, **context) -> list:
    """Who ``announce`` would tell: the entry's recipients who may see the record, not the actor."""
    from treem.core.backends import load_permissions_many
    from treem.core.scope import prime_scope_units

    entry = event(kind)
    if entry.recipients is None:
        raise ValueError(f"{kind!r} is sent by its own check, not announced")
    seen: set[int] = set()
    candidates = []
    for user in entry.recipients(record, context):
        if user is None or not user.is_active or user.pk in seen:
            continue
        seen.add(user.pk)
        if actor is not None and user.pk == getattr(actor, "pk", None):
            continue
        candidates.append(user)
    # Permissions and units of all candidates in two queries, then one visibility query per scope.
    load_permissions_many(candidates)
    prime_scope_units(candidates)
    answers: dict | None = {} if candidates and _keeps_shared_rule(record) else None
    return [user for user in candidates if _may_see(user, record, entry, answers)]


def announce(kind: str, record, *, actor=None, **context) -> list:
    """Tell each recipient of ``kind`` about ``record`` (in-app; e-mail on commit per preference).

    Call it inside the service's transaction, after the change: rolled back, nothing is sent.
    Returns the notifications written.
    """
    from treem.notifications.services import notify_many

    entry = event(kind)
    users = recipients_of(kind, record, actor=actor, **context)
    if not users:
        return []
    with translation.override(settings.LANGUAGE_CODE):
        text = str(entry.text(record, context))
    link = entry.link(record, context)
    return notify_many(users, text, link, category=kind)


def announce_once(kind: str, record, *, key: str, actor=None, **context) -> list | None:
    """``announce``, unless ``kind`` was announced for ``key`` before (periodic checks); None then."""
    from django.db import IntegrityError, transaction
    from django.utils import timezone

    from treem.notifications.models import Announcement

    try:
        with transaction.atomic():
            _mark, created = Announcement.objects.get_or_create(
                kind=kind, key=key[:100], defaults={"announced_at": timezone.now()}
            )
            if not created:
                return None
            written = announce(kind, record, actor=actor, **context)
            Announcement.objects.filter(pk=_mark.pk).update(recipients=len(written))
    except IntegrityError:  # another run announced it a moment ago
        return None
    return written


def kinds() -> list[tuple[str, Any]]:
    """Every kind of event with its label, in the table's order (the preferences page)."""
    return [(e.kind, e.label) for e in EVENTS.values()]

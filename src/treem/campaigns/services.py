"""Writes on campaigns and the recurring events. Each function is one audited transaction; bad
input raises ValidationError naming the field and leaves nothing written."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from treem.accounts.models import Agency
from treem.audit.services import audit_record, diff, snapshot
from treem.campaigns.models import CalendarKind, Campaign, Channel, RecurringEvent
from treem.core.scope import ScopeError, scope_require
from treem.geo.models import Unit, UnitLevel

CAMPAIGN_FIELDS = (
    "title",
    "agency",
    "unit",
    "event",
    "starts_on",
    "ends_on",
    "channels",
    "reach_people",
    "reach_children",
    "materials",
    "budget_used",
    "notes",
)
EVENT_FIELDS = ("name", "calendar", "month", "day", "duration_days", "note", "order", "active")
MAX_COUNT = 2_147_483_647  # the columns' limit (PositiveIntegerField)
MAX_VND = 10**15  # a thousand billion đồng: anything above is a typing error


def _add(errors: dict[str, list[str]], field: str, message: str) -> None:
    errors.setdefault(field, []).append(message)


def _whole(value, field: str, errors, *, message: str, limit: int) -> None:
    """A whole number from 0 to ``limit``; booleans, fractions and text are refused."""
    if isinstance(value, bool) or not isinstance(value, int):
        _add(errors, field, _("Enter a whole number."))
    elif value < 0:
        _add(errors, field, message)
    elif value > limit:
        _add(errors, field, _("This number is too large."))


def _check_campaign(acting_user, campaign: Campaign, errors: dict[str, list[str]]) -> None:
    campaign.title = " ".join((campaign.title or "").split())
    campaign.materials = (campaign.materials or "").strip()
    campaign.notes = (campaign.notes or "").strip()
    if not campaign.title:
        _add(errors, "title", _("Enter the campaign's title."))
    if campaign.starts_on is None:
        _add(errors, "starts_on", _("Enter the first day."))
    if campaign.ends_on is None:
        _add(errors, "ends_on", _("Enter the last day."))
    if campaign.starts_on and campaign.ends_on and campaign.ends_on < campaign.starts_on:
        _add(errors, "ends_on", _("The campaign cannot end before it starts."))
    channels = list(campaign.channels or [])
    if not channels:
        _add(errors, "channels", _("Choose at least one channel."))
    elif any(c not in Channel.values for c in channels):
        _add(errors, "channels", _("Choose channels from the list."))
    else:
        campaign.channels = [c for c in Channel.values if c in channels]  # one order, no repeats
    _whole(
        campaign.reach_people, "reach_people", errors, message=_("Reach cannot be negative."), limit=MAX_COUNT
    )
    _whole(
        campaign.reach_children,
        "reach_children",
        errors,
        message=_("Reach cannot be negative."),
        limit=MAX_COUNT,
    )
    _whole(
        campaign.budget_used,
        "budget_used",
        errors,
        message=_("The budget cannot be negative."),
        limit=MAX_VND,
    )
    if (
        "reach_people" not in errors
        and "reach_children" not in errors
        and campaign.reach_children > campaign.reach_people
    ):
        _add(errors, "reach_children", _("Children reached cannot be more than the people reached."))
    unit = campaign.unit if campaign.unit_id else None
    if unit is not None and unit.level == UnitLevel.DISTRICT:
        _add(errors, "unit", _("Choose a province, a commune or a village."))
    agency = campaign.agency if campaign.agency_id else None
    if agency is None:
        _add(errors, "agency", _("Choose the agency."))
    elif not Agency.objects.restrict(acting_user, "view").filter(pk=agency.pk).exists():
        raise ScopeError("accounts.view_agency")


@transaction.atomic
def campaign_create(
    *,
    acting_user,
    unit: Unit,
    agency: Agency | None,
    title: str,
    starts_on: dt.date,
    ends_on: dt.date,
    **fields,
) -> Campaign:
    """Record a communication campaign or activity of ``agency`` in ``unit``."""
    unknown = set(fields) - set(CAMPAIGN_FIELDS)
    if unknown:
        raise TypeError(f"Unknown campaign fields: {sorted(unknown)}")
    scope_require(acting_user, unit, "campaigns.add_campaign")
    campaign = Campaign(
        unit=unit,
        agency=agency,
        title=title,
        starts_on=starts_on,
        ends_on=ends_on,
        created_by=acting_user,
        updated_by=acting_user,
        **fields,
    )
    errors: dict[str, list[str]] = {}
    _check_campaign(acting_user, campaign, errors)
    if errors:
        raise ValidationError(errors)
    campaign.full_clean()
    campaign.save()
    audit_record(acting_user, "campaigns.campaign.created", campaign, changes=diff(None, snapshot(campaign)))
    return campaign


@transaction.atomic
def campaign_update(*, acting_user, campaign: Campaign, **fields) -> Campaign:
    """Change a campaign (its reach and budget are often known only afterwards)."""
    unknown = set(fields) - set(CAMPAIGN_FIELDS)
    if unknown:
        raise TypeError(f"Unknown campaign fields: {sorted(unknown)}")
    scope_require(acting_user, campaign.unit, "campaigns.change_campaign")
    if "unit" in fields:
        scope_require(acting_user, fields["unit"], "campaigns.change_campaign")
    before = snapshot(campaign)
    for name, value in fields.items():
        setattr(campaign, name, value)
    errors: dict[str, list[str]] = {}
    try:
        _check_campaign(acting_user, campaign, errors)
        if errors:
            raise ValidationError(errors)
        campaign.updated_by = acting_user
        campaign.full_clean()
    except (ValidationError, ScopeError):
        campaign.refresh_from_db()
        raise
    campaign.save()
    audit_record(
        acting_user, "campaigns.campaign.updated", campaign, changes=diff(before, snapshot(campaign))
    )
    return campaign


# --- recurring events ---------------------------------------------------------------------------


def _check_event(event: RecurringEvent, errors: dict[str, list[str]]) -> None:
    event.name = " ".join((event.name or "").split())
    event.note = " ".join((event.note or "").split())
    if not event.name:
        _add(errors, "name", _("Enter the event's name."))
    if event.calendar not in CalendarKind.values:
        _add(errors, "calendar", _("Choose the solar or the lunar calendar."))
    if not isinstance(event.month, int) or not 1 <= event.month <= 12:
        _add(errors, "month", _("Enter a month from 1 to 12."))
    elif not isinstance(event.day, int) or event.day < 1:
        _add(errors, "day", _("Enter a real day of that month."))
    elif event.calendar == CalendarKind.LUNAR and event.day > 30:
        _add(errors, "day", _("A lunar month has at most 30 days."))
    elif event.calendar == CalendarKind.SOLAR:
        try:
            dt.date(2024, event.month, event.day)  # a leap year: 29/02 is a real day
        except ValueError:
            _add(errors, "day", _("Enter a real day of that month."))
    if not isinstance(event.duration_days, int) or not 1 <= event.duration_days <= 366:
        _add(errors, "duration_days", _("An event lasts from 1 to 366 days."))


def _may_keep_events(acting_user, perm: str) -> None:
    if not (acting_user and acting_user.is_authenticated and acting_user.has_perm(perm)):
        raise ScopeError(perm)


@transaction.atomic
def event_create(*, acting_user, code: str, **fields) -> RecurringEvent:
    """Add a recurring event to the calendar (a provincial day, a forum held on a fixed date…)."""
    _may_keep_events(acting_user, "campaigns.add_recurringevent")
    unknown = set(fields) - set(EVENT_FIELDS)
    if unknown:
        raise TypeError(f"Unknown event fields: {sorted(unknown)}")
    event = RecurringEvent(code=(code or "").strip(), **fields)
    errors: dict[str, list[str]] = {}
    _check_event(event, errors)
    if not event.code:
        _add(errors, "code", _("Enter a short code (letters, digits, hyphens)."))
    elif RecurringEvent.objects.filter(code=event.code).exists():
        _add(errors, "code", _("An event with this code exists already."))
    if errors:
        raise ValidationError(errors)
    event.full_clean()
    event.save()
    audit_record(acting_user, "campaigns.event.created", event, changes=diff(None, snapshot(event)))
    return event


@transaction.atomic
def event_update(*, acting_user, event: RecurringEvent, **fields) -> RecurringEvent:
    """Change a recurring event (its date, name or whether the calendar shows it)."""
    _may_keep_events(acting_user, "campaigns.change_recurringevent")
    unknown = set(fields) - set(EVENT_FIELDS)
    if unknown:
        raise TypeError(f"Unknown event fields: {sorted(unknown)}")
    before = snapshot(event)
    for name, value in fields.items():
        setattr(event, name, value)
    errors: dict[str, list[str]] = {}
    _check_event(event, errors)
    if errors:
        event.refresh_from_db()
        raise ValidationError(errors)
    event.full_clean()
    event.save()
    audit_record(acting_user, "campaigns.event.updated", event, changes=diff(before, snapshot(event)))
    return event

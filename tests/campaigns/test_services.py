"""Campaign and recurring-event services: happy paths, bad input with its message, nothing written."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from tests.campaigns.conftest import campaign_data
from treem.audit.models import AuditEvent
from treem.campaigns import services
from treem.campaigns.models import Campaign, RecurringEvent
from treem.core.scope import ScopeError


def state():
    return (
        Campaign.objects.count(),
        list(RecurringEvent.objects.values_list("code", "name", "month", "day", "calendar").order_by("code")),
        AuditEvent.objects.count(),
    )


def test_reference_events_are_loaded(db):
    events = {e.code: e for e in RecurringEvent.objects.all()}
    assert {
        "lunar_new_year",
        "childrens_day",
        "action_month",
        "family_day",
        "mid_autumn",
        "back_to_school",
    } <= set(events)
    mid_autumn = events["mid_autumn"]
    assert (mid_autumn.calendar, mid_autumn.month, mid_autumn.day) == ("lunar", 8, 15)
    assert (events["family_day"].month, events["family_day"].day) == (6, 28)
    assert events["micronutrient_day"].duration_days == 2


def test_campaign_created_and_audited(campaign_a):
    assert campaign_a.channels == ["radio_tv", "direct"]  # the list's order, whatever the input's
    assert campaign_a.budget_used == 15_000_000
    event = AuditEvent.objects.get(action="campaigns.campaign.created")
    assert event.unit == campaign_a.unit
    assert event.changes["budget_used"] == [None, 15_000_000]


@pytest.mark.parametrize(
    ("fields", "expected"),
    [
        (
            {"ends_on": dt.date(2026, 5, 31)},
            {"ends_on": ["The campaign cannot end before it starts."]},
        ),
        ({"budget_used": -1}, {"budget_used": ["The budget cannot be negative."]}),
        ({"budget_used": 1.5}, {"budget_used": ["Enter a whole number."]}),
        ({"reach_people": -5, "reach_children": 0}, {"reach_people": ["Reach cannot be negative."]}),
        (
            {"reach_people": 10, "reach_children": 11},
            {"reach_children": ["Children reached cannot be more than the people reached."]},
        ),
        ({"channels": []}, {"channels": ["Choose at least one channel."]}),
        ({"channels": ["carrier_pigeon"]}, {"channels": ["Choose channels from the list."]}),
        ({"title": "  "}, {"title": ["Enter the campaign's title."]}),
    ],
)
def test_bad_campaign_is_refused_and_nothing_written(officer_a, geo, fields, expected):
    before = state()
    with pytest.raises(ValidationError) as exc:
        services.campaign_create(
            acting_user=officer_a, unit=geo.commune_a, agency=geo.agency_a, **campaign_data(**fields)
        )
    assert exc.value.message_dict == expected
    assert state() == before


def test_campaign_outside_scope_is_refused(officer_a, geo):
    before = state()
    with pytest.raises(ScopeError):
        services.campaign_create(
            acting_user=officer_a, unit=geo.commune_b, agency=geo.agency_b, **campaign_data()
        )
    with pytest.raises(ScopeError):  # own commune, but another commune's agency
        services.campaign_create(
            acting_user=officer_a, unit=geo.commune_a, agency=geo.agency_b, **campaign_data()
        )
    assert state() == before


def test_campaign_update_and_a_refused_update_restores(officer_a, campaign_a):
    services.campaign_update(acting_user=officer_a, campaign=campaign_a, reach_people=1500)
    campaign_a.refresh_from_db()
    assert campaign_a.reach_people == 1500
    before = state()
    with pytest.raises(ValidationError):
        services.campaign_update(acting_user=officer_a, campaign=campaign_a, budget_used=-10)
    assert state() == before
    assert campaign_a.budget_used == 15_000_000


def test_officer_b_cannot_update_campaign_of_a(officer_b, campaign_a):
    before = state()
    with pytest.raises(ScopeError):
        services.campaign_update(acting_user=officer_b, campaign=campaign_a, title="Đổi tên")
    assert state() == before


def test_coordinator_adds_and_changes_an_event(coordinator):
    event = services.event_create(
        acting_user=coordinator,
        code="children-forum",
        name="Diễn đàn trẻ em tỉnh",
        calendar="solar",
        month=6,
        day=15,
        duration_days=1,
    )
    assert event.dates_in(2027) == [dt.date(2027, 6, 15)]
    services.event_update(acting_user=coordinator, event=event, calendar="lunar", month=12, day=23)
    event.refresh_from_db()
    assert event.dates_in(2026) == [dt.date(2026, 2, 10)]
    assert AuditEvent.objects.filter(action__startswith="campaigns.event.").count() == 2


@pytest.mark.parametrize(
    ("fields", "expected"),
    [
        ({"month": 2, "day": 30}, {"day": ["Enter a real day of that month."]}),
        ({"calendar": "lunar", "day": 31}, {"day": ["A lunar month has at most 30 days."]}),
        ({"month": 13}, {"month": ["Enter a month from 1 to 12."]}),
        ({"duration_days": 0}, {"duration_days": ["An event lasts from 1 to 366 days."]}),
        ({"code": "mid_autumn"}, {"code": ["An event with this code exists already."]}),
    ],
)
def test_bad_event_is_refused(coordinator, fields, expected):
    data = {"code": "new-day", "name": "Ngày mới", "calendar": "solar", "month": 6, "day": 10, **fields}
    before = state()
    with pytest.raises(ValidationError) as exc:
        services.event_create(acting_user=coordinator, **data)
    assert exc.value.message_dict == expected
    assert state() == before


def test_officer_cannot_change_the_calendar(officer_a):
    event = RecurringEvent.objects.get(code="mid_autumn")
    before = state()
    with pytest.raises(ScopeError):
        services.event_update(acting_user=officer_a, event=event, day=14)
    assert state() == before

"""The campaigns' lines of the access table (tests/core/test_access_matrix.py collects them)."""

from __future__ import annotations

from django.utils import timezone

from tests.matrix import Endpoint
from treem.campaigns import services
from treem.campaigns.models import Campaign, RecurringEvent

TITLES = {
    "a": "Chiến dịch truyền thông An",
    "b": "Chiến dịch truyền thông Bình",
    "c": "Chiến dịch truyền thông Xa",
}


def records(side, tag: str, personas: dict) -> None:
    """A campaign of the side's agency in its commune, today (so this year's pages show it)."""
    today = timezone.localdate()
    side.campaign = services.campaign_create(
        acting_user=side.user,
        unit=side.commune,
        agency=side.agency,
        title=TITLES[tag],
        starts_on=today,
        ends_on=today,
        channels=["direct"],
        reach_people=100,
        reach_children=60,
        budget_used=1_000_000,
    )
    side.campaign_event = RecurringEvent.objects.get(code="mid_autumn")


def marker(obj) -> str | None:
    if isinstance(obj, Campaign):
        return obj.title
    return None


def _campaign_form(side) -> dict:
    return {
        "title": "Chiến dịch mới",
        "agency": side.agency.pk,
        "unit": side.commune.pk,
        "starts_on": "01/06/2026",
        "ends_on": "30/06/2026",
        "channels": ["direct", "online"],
        "reach_people": "50",
        "reach_children": "20",
        "budget_used": "500000",
    }


def _event(side) -> dict:
    return {"pk": side.campaign_event.pk}


ENDPOINTS = (
    Endpoint("campaigns:calendar", denied="no_role_a", shown=lambda side: [side.campaign]),
    Endpoint("campaigns:campaign_list", denied="no_role_a", shown=lambda side: [side.campaign]),
    Endpoint("campaigns:campaign_add", denied="viewer"),
    Endpoint(
        "campaigns:campaign_add",
        "post",
        denied="viewer",
        data=_campaign_form,
        ok=302,
        events=1,
        out_status=400,
    ),
    Endpoint("campaigns:campaign_detail", denied="no_role_a", record="campaign"),
    Endpoint("campaigns:campaign_edit", denied="viewer", record="campaign"),
    Endpoint(
        "campaigns:campaign_edit",
        "post",
        denied="viewer",
        record="campaign",
        data=_campaign_form,
        ok=302,
        events=1,
    ),
    Endpoint("campaigns:summary", denied="no_role_a", shown=lambda side: [side.agency]),
    Endpoint("campaigns:event_list", denied="no_role_a"),
    Endpoint("campaigns:event_add", permitted="coordinator", denied="officer_a"),
    # Recurring events are the province's calendar, not records of a place: the empty form is
    # refused (400) here; tests/campaigns/test_services.py adds and changes events.
    Endpoint("campaigns:event_add", "post", permitted="coordinator", denied="officer_a", ok=400),
    Endpoint("campaigns:event_edit", permitted="coordinator", denied="officer_a", kwargs=_event),
    Endpoint(
        "campaigns:event_edit", "post", permitted="coordinator", denied="officer_a", kwargs=_event, ok=400
    ),
)

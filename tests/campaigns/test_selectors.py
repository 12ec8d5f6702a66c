"""The yearly calendar and the yearly summary per agency, in the user's scope."""

import datetime as dt

from tests.campaigns.conftest import campaign_data
from treem.campaigns import selectors, services


def dates_of(months, code):
    return [e.starts_on for m in months for e in m.entries if e.event and e.event.code == code]


def test_calendar_places_lunar_and_solar_events(officer_a):
    months = selectors.calendar_year(user=officer_a, year=2027)
    assert [m.number for m in months] == list(range(1, 13))
    assert dates_of(months, "mid_autumn") == [dt.date(2027, 9, 15)]
    assert dates_of(months, "lunar_new_year") == [dt.date(2027, 2, 6)]
    assert dates_of(months, "family_day") == [dt.date(2027, 6, 28)]
    june = months[5]
    action = next(e for e in june.entries if e.event and e.event.code == "action_month")
    assert action.ends_on == dt.date(2027, 6, 30)
    september = months[8]
    assert any(e.event and e.event.code == "mid_autumn" for e in september.entries)


def test_calendar_shows_only_campaigns_in_scope(officer_a, campaign_a, campaign_b):
    months = selectors.calendar_year(user=officer_a, year=2026)
    titles = [e.campaign.title for m in months for e in m.entries if e.campaign]
    assert titles == [campaign_a.title]
    assert selectors.calendar_year(user=officer_a, year=2027)[5].entries  # events, but no 2026 campaign
    assert not [
        e for m in selectors.calendar_year(user=officer_a, year=2027) for e in m.entries if e.campaign
    ]


def test_yearly_summary_per_agency(coordinator, officer_a, geo, campaign_a, campaign_b):
    services.campaign_create(
        acting_user=officer_a,
        unit=geo.commune_a,
        agency=geo.agency_a,
        **campaign_data(
            title="Phát thanh về an toàn",
            channels=["radio_tv", "online"],
            reach_people=300,
            reach_children=0,
            budget_used=2_500_000,
            starts_on=dt.date(2026, 3, 1),
            ends_on=dt.date(2026, 3, 31),
        ),
    )
    services.campaign_create(  # another year: not counted
        acting_user=officer_a,
        unit=geo.commune_a,
        agency=geo.agency_a,
        **campaign_data(starts_on=dt.date(2025, 6, 1), ends_on=dt.date(2025, 6, 30)),
    )
    rows, total = selectors.yearly_summary(user=coordinator, year=2026)
    by_agency = {r.agency.name: r for r in rows}
    a = by_agency["UBND Phường An"]
    assert (a.campaigns, a.reach_people, a.reach_children, a.budget_used) == (2, 1500, 800, 17_500_000)
    assert a.channels == {"radio_tv": 2, "press": 0, "online": 1, "direct": 1}
    assert isinstance(a.budget_used, int)
    assert (total.campaigns, total.budget_used) == (3, 32_500_000)
    rows, total = selectors.yearly_summary(user=officer_a, year=2026)
    assert [r.agency.name for r in rows] == ["UBND Phường An"]
    assert selectors.yearly_summary(user=officer_a, year=2024) == ([], None)

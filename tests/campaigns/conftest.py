import datetime as dt

import pytest
from django.utils import translation

from treem.campaigns import services


@pytest.fixture(autouse=True)
def _english(settings):
    settings.LANGUAGE_CODE = "en"  # pages answer in the site language; messages are asserted in English
    with translation.override("en"):
        yield


def campaign_data(**fields) -> dict:
    return {
        "title": "Tháng hành động vì trẻ em 2026",
        "starts_on": dt.date(2026, 6, 1),
        "ends_on": dt.date(2026, 6, 30),
        "channels": ["direct", "radio_tv"],
        "reach_people": 1200,
        "reach_children": 800,
        "materials": "500 tờ rơi, 20 áp phích",
        "budget_used": 15_000_000,
        **fields,
    }


@pytest.fixture
def campaign_a(officer_a, geo):
    return services.campaign_create(
        acting_user=officer_a, unit=geo.commune_a, agency=geo.agency_a, **campaign_data()
    )


@pytest.fixture
def campaign_b(officer_b, geo):
    return services.campaign_create(
        acting_user=officer_b,
        unit=geo.commune_b,
        agency=geo.agency_b,
        **campaign_data(
            title="Trung thu cho em Xã Bình", starts_on=dt.date(2026, 9, 20), ends_on=dt.date(2026, 9, 25)
        ),
    )

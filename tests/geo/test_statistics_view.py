"""The villages-by-unit page: counts under today's units or those in force on a past day."""

import pytest
from django.urls import reverse
from django.utils import translation

from tests.conftest import REORG
from tests.factories import VillageFactory
from treem.geo.reorganisation import reorganise


@pytest.fixture(autouse=True)
def _english(settings):
    settings.LANGUAGE_CODE = "en"
    with translation.override("en"):
        yield


@pytest.fixture
def moved(geo):
    """Two villages of Old-1 (wholly merged into A) carried over by the reorganisation."""
    villages = [VillageFactory(name=n, parent=geo.old_1) for n in ("Thôn Cũ Một", "Thôn Cũ Hai")]
    reorganise(effective=REORG)
    return villages


def rows(response):
    return {(unit.pk if unit else None): n for unit, n in response.context["rows"]}


def test_today_counts_moved_villages_under_the_new_commune(client, coordinator, geo, moved):
    client.force_login(coordinator)
    response = client.get(reverse("geo:unit_statistics"), {"under": "today", "level": "commune"})
    assert response.status_code == 200
    assert rows(response) == {geo.commune_a.pk: 3, geo.commune_b.pk: 1}
    province = client.get(reverse("geo:unit_statistics"), {"under": "today", "level": "province"})
    assert rows(province) == {geo.province.pk: 4}


def test_a_past_day_counts_them_under_the_old_units(client, coordinator, geo, moved):
    client.force_login(coordinator)
    day = {"under": "period", "day": "30/06/2025"}
    communes = client.get(reverse("geo:unit_statistics"), {**day, "level": "commune"})
    assert communes.status_code == 200
    counts = rows(communes)
    assert counts[geo.old_1.pk] == 2
    district = client.get(reverse("geo:unit_statistics"), {**day, "level": "district"})
    assert rows(district)[geo.old_district.pk] == 2


def test_officer_counts_only_their_own_villages(client, officer_b, geo, moved):
    client.force_login(officer_b)
    response = client.get(reverse("geo:unit_statistics"), {"under": "today", "level": "commune"})
    assert rows(response) == {geo.commune_b.pk: 1}
    assert "Phường An" not in response.content.decode()


@pytest.mark.parametrize(
    ("params", "field", "message"),
    [
        ({"under": "period", "level": "commune"}, "day", "Choose the day whose units you want."),
        (
            {"under": "period", "day": "31/02/2025", "level": "commune"},
            "day",
            "Enter the date as day/month/year, for example 15/03/2020.",
        ),
        ({"under": "sometime", "level": "commune"}, "under", "Select a valid choice."),
    ],
)
def test_bad_parameters_are_explained(client, coordinator, geo, params, field, message):
    client.force_login(coordinator)
    response = client.get(reverse("geo:unit_statistics"), params)
    assert response.status_code == 400
    assert any(message in e for e in response.context["form"].errors[field])
    assert "result" not in response.context

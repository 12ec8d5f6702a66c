"""The statistics page keeps its counts for TREEM_STATISTICS_CACHE_SECONDS; exports count anew."""

from __future__ import annotations

from django.core.cache import cache
from django.urls import reverse

from tests.factories import ChildFactory


def _total(client) -> int:
    response = client.get(reverse("children:statistics"))
    assert response.status_code == 200
    return response.context["table"].total


def test_page_counts_are_kept_then_counted_anew(client, officer_a, geo, settings):
    cache.clear()
    settings.TREEM_STATISTICS_CACHE_SECONDS = 300
    for _ in range(3):
        ChildFactory(commune=geo.commune_a)
    client.force_login(officer_a)
    assert _total(client) == 3
    ChildFactory(commune=geo.commune_a)
    assert _total(client) == 3  # kept: the page says the counts are refreshed every few minutes
    cache.clear()
    assert _total(client) == 4
    settings.TREEM_STATISTICS_CACHE_SECONDS = 0
    ChildFactory(commune=geo.commune_a)
    assert _total(client) == 5


def test_users_of_other_places_never_share_counts(client, officer_a, officer_b, geo, settings):
    cache.clear()
    settings.TREEM_STATISTICS_CACHE_SECONDS = 300
    ChildFactory(commune=geo.commune_a)
    for _ in range(2):
        ChildFactory(commune=geo.commune_b)
    client.force_login(officer_a)
    assert _total(client) == 1
    client.force_login(officer_b)
    assert _total(client) == 2
    cache.clear()

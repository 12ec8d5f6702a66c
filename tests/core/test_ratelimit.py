"""Rate limits kept in the database: login, the API, and the rule itself."""

from __future__ import annotations

import pytest
from django.urls import reverse
from hypothesis import given
from hypothesis import strategies as st

from treem.core import ratelimit
from treem.core.models import RateCounter


@pytest.mark.parametrize(
    ("rate", "expected"),
    [
        ("10/m", (10, 60)),
        ("5/10m", (5, 600)),
        ("1000/h", (1000, 3600)),
        ("3/2d", (3, 172800)),
        ("1/s", (1, 1)),
    ],
)
def test_parse_rate(rate, expected):
    assert ratelimit.parse_rate(rate) == expected


@pytest.mark.parametrize("rate", ["", "10", "ten/m", "10/y", "10/0m", "/m", "10/-1m"])
def test_a_bad_rate_is_refused(rate):
    with pytest.raises(ValueError, match="Not a rate"):
        ratelimit.parse_rate(rate)


@given(st.text(max_size=12))
def test_parse_rate_never_crashes_otherwise(text):
    try:
        count, seconds = ratelimit.parse_rate(text)
    except ValueError:
        return
    assert count >= 0 and seconds >= 1


def test_counts_per_window_and_per_client(db):
    now = 1_000_000.0
    verdicts = [ratelimit.hit("t", "1.2.3.4", "3/m", now=now + i) for i in range(5)]
    assert [v.allowed for v in verdicts] == [True, True, True, False, False]
    assert verdicts[-1].hits == 5 and verdicts[-1].retry_after == 60 - (int(now + 4) % 60)
    assert ratelimit.hit("t", "5.6.7.8", "3/m", now=now).allowed  # another client
    later = ratelimit.hit("t", "1.2.3.4", "3/m", now=now + 60)
    assert later.allowed and later.hits == 1  # a new window
    assert RateCounter.objects.filter(key="t:1.2.3.4").count() == 1  # the old window was removed


def test_login_is_rate_limited_per_address(client, db, settings):
    settings.TREEM_RATE_LIMITS = {**settings.TREEM_RATE_LIMITS, "login": "3/m"}
    url = reverse("login")
    codes = [client.post(url, {"username": f"x{i}", "password": "sai"}).status_code for i in range(4)]
    assert codes == [200, 200, 200, 429]
    response = client.post(url, {"username": "y", "password": "sai"}, HTTP_ACCEPT_LANGUAGE="vi")
    assert response.status_code == 429
    assert int(response["Retry-After"]) >= 1
    # The page says it in the user's language (Vietnamese unless they chose English).
    assert "Too many requests" not in response.content.decode()
    # Another address is not affected.
    assert client.post(url, {"username": "z", "password": "sai"}, REMOTE_ADDR="10.9.8.7").status_code == 200
    # Showing the form is not counted.
    assert client.get(url).status_code == 200


def test_api_is_rate_limited_per_account(client, officer_a, settings):
    settings.TREEM_RATE_LIMITS = {**settings.TREEM_RATE_LIMITS, "api": "2/m"}
    client.force_login(officer_a)
    url = reverse("api:unit-list")
    assert [client.get(url).status_code for _ in range(3)] == [200, 200, 429]
    response = client.get(url)
    assert "detail" in response.json() and int(response["Retry-After"]) >= 1


def test_anonymous_api_callers_are_limited_per_address(client, db, settings):
    """The public part of the API (its schema) is limited per address; the rest answers 401 to
    anyone without a session or token before any work is done (DRF checks permissions first)."""
    settings.TREEM_RATE_LIMITS = {**settings.TREEM_RATE_LIMITS, "api_anonymous": "2/m"}
    url = reverse("schema")
    assert [client.get(url).status_code for _ in range(3)] == [200, 200, 429]
    assert client.get(url, REMOTE_ADDR="10.1.1.1").status_code == 200


def test_api_page_size_is_capped(client, officer_a):
    client.force_login(officer_a)
    response = client.get(reverse("api:unit-list"), {"page_size": 100000})
    assert response.status_code == 200
    # The cap is 500 rows a page whatever is asked; the officer's commune has fewer, so ask the
    # paginator itself too.
    from treem.core.api import Pagination

    assert Pagination.max_page_size == 500
    assert len(response.json()["results"]) <= 500

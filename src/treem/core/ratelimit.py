"""Rate limits: the login form, the public report form and the API.

A fixed-window counter per key in the database (:class:`~treem.core.models.RateCounter`): the
increment is one ``UPDATE … SET hits = hits + 1``, atomic on PostgreSQL and SQLite, shared by every
web node, and it needs no cache server. (django-ratelimit would need memcached or Redis for an
atomic increment; DRF's own throttles keep lists of timestamps in a non-atomic cache.)

Rates are written ``"count/period"`` with the period in seconds, minutes, hours or days, optionally
with a multiplier: ``"10/m"``, ``"5/10m"``, ``"1000/h"``. They come from ``settings.TREEM_RATE_LIMITS``
and are read on every call, so a test or an operator can change them without a restart of the code.
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass
from functools import wraps

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F
from django.shortcuts import render
from django.utils.translation import gettext as _
from rest_framework.throttling import BaseThrottle

from treem.core.models import RateCounter

_RATE = re.compile(r"^\s*(\d+)\s*/\s*(\d*)\s*([smhd])\s*$")
_SECONDS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


def parse_rate(rate: str) -> tuple[int, int]:
    """``"5/10m"`` → (5, 600): at most 5 requests in a window of 600 seconds."""
    match = _RATE.match(rate or "")
    if not match:
        raise ValueError(f"Not a rate: {rate!r} (expected e.g. '10/m', '5/10m', '1000/h')")
    count, multiplier, unit = match.groups()
    seconds = int(multiplier or 1) * _SECONDS[unit]
    if seconds <= 0:
        raise ValueError(f"Not a rate: {rate!r} (the period must be positive)")
    return int(count), seconds


@dataclass(frozen=True)
class Verdict:
    allowed: bool
    hits: int
    limit: int
    retry_after: int  # seconds until the window ends


def hit(scope: str, client: str, rate: str, *, now: float | None = None) -> Verdict:
    """Count one request of ``client`` in ``scope`` and say whether it is within ``rate``.

    Runs in its own transaction (savepoint), so the count stays even when the request's own work
    fails, and old windows of the key are removed when a new one starts.
    """
    limit, seconds = parse_rate(rate)
    now = time.time() if now is None else now
    window = int(now // seconds)
    key = f"{scope}:{client}"[:200]
    counters = RateCounter.objects.filter(key=key, window=window)
    with transaction.atomic():
        if not counters.update(hits=F("hits") + 1):
            try:
                with transaction.atomic():
                    RateCounter.objects.create(key=key, window=window, hits=1)
            except IntegrityError:  # another request created it first
                counters.update(hits=F("hits") + 1)
            else:
                RateCounter.objects.filter(key=key, window__lt=window).delete()
        hits = counters.values_list("hits", flat=True).get()
    retry_after = max(1, int((window + 1) * seconds - now))
    return Verdict(allowed=hits <= limit, hits=hits, limit=limit, retry_after=retry_after)


def client_address(request) -> str:
    """The client's address (core.middleware.TrustedProxyMiddleware has already read the proxy's
    header when the request came through a trusted proxy)."""
    return request.META.get("REMOTE_ADDR", "") or "unknown"


def rate_of(scope: str) -> str:
    return settings.TREEM_RATE_LIMITS[scope]


def too_many(request, verdict: Verdict):
    """The 429 page: what happened and when to try again, in the user's language."""
    response = render(
        request,
        "429.html",
        {
            "message": _(
                "Too many requests from your connection. Please wait %(seconds)s seconds and try again."
            )
            % {"seconds": verdict.retry_after}
        },
        status=429,
    )
    response["Retry-After"] = str(verdict.retry_after)
    return response


def rate_limited(scope: str, *, methods: tuple[str, ...] = ("POST",)):
    """Limit a view's ``methods`` per client address to ``settings.TREEM_RATE_LIMITS[scope]``."""

    def decorate(view):
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            if request.method in methods:
                verdict = hit(scope, client_address(request), rate_of(scope))
                if not verdict.allowed:
                    return too_many(request, verdict)
            return view(request, *args, **kwargs)

        return wrapper

    return decorate


class ApiRateThrottle(BaseThrottle):
    """DRF throttle: signed-in clients (people and machine clients) are counted per account,
    anonymous callers per address."""

    def allow_request(self, request, view) -> bool:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            scope, client = "api", f"user-{user.pk}"
        else:
            scope, client = "api_anonymous", client_address(request)
        self.verdict = hit(scope, client, rate_of(scope))
        return self.verdict.allowed

    def wait(self) -> float | None:
        return self.verdict.retry_after

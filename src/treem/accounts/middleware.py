"""Session rules applied to every request: the idle timeout and the two-factor gate.

Both act on users signed in through a session. API calls with a token carry no session user here
(DRF authenticates them later), so they pass untouched.
"""

from __future__ import annotations

import time
from urllib.parse import quote

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login
from django.http import HttpResponse, JsonResponse
from django.shortcuts import resolve_url
from django.urls import Resolver404, resolve
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from treem.accounts.two_factor import confirmed_device, two_factor_required

LAST_SEEN_KEY = "treem_last_seen"
# The last-seen time is written at most this often, so that reading pages does not write the
# session on every request; the timeout is therefore exact to within this many seconds.
LAST_SEEN_GRANULARITY = 60

# Pages an unverified user may still open: the code pages themselves, signing in and out, and
# the language switch and its script catalogue.
TWO_FACTOR_OPEN_URLS = frozenset(
    {
        "accounts:two_factor_setup",
        "accounts:two_factor_verify",
        "login",
        "logout",
        "set_language",
        "javascript-catalog",
        "healthz",
    }
)


def _is_htmx(request) -> bool:
    return request.headers.get("HX-Request") == "true"


def _come_back_to(request) -> str | None:
    """The page to return to after logging in or the code: only a page one can GET again."""
    return request.get_full_path() if request.method in ("GET", "HEAD") else None


def _redirect(request, url: str) -> HttpResponse:
    """A redirect that htmx follows as a whole page, not into the element it was swapping."""
    if _is_htmx(request):
        response = HttpResponse(status=204)
        response["HX-Redirect"] = url
        return response
    response = HttpResponse(status=302)
    response["Location"] = url
    return response


class IdleTimeoutMiddleware:
    """Signs a user out after ``TREEM_IDLE_TIMEOUT_MINUTES`` without a request (sliding)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.user.is_authenticated and hasattr(request, "session"):
            now = int(time.time())
            last_seen = request.session.get(LAST_SEEN_KEY)
            timeout = settings.TREEM_IDLE_TIMEOUT_MINUTES * 60
            if last_seen is not None and now - last_seen > timeout:
                logout(request)
                minutes = settings.TREEM_IDLE_TIMEOUT_MINUTES
                message = ngettext(
                    "You were signed out after %(minutes)d minute without activity. Please log in again.",
                    "You were signed out after %(minutes)d minutes without activity. Please log in again.",
                    minutes,
                )
                messages.info(request, message % {"minutes": minutes})
                if request.path_info.startswith("/api/"):
                    return self.get_response(request)  # now anonymous: DRF answers 401
                back = _come_back_to(request)
                login = redirect_to_login(back)["Location"] if back else resolve_url(settings.LOGIN_URL)
                return _redirect(request, login)
            if last_seen is None or now - last_seen >= LAST_SEEN_GRANULARITY:
                request.session[LAST_SEEN_KEY] = now
        return self.get_response(request)


class TwoFactorMiddleware:
    """Until the one-time code is confirmed, a user who needs it reaches only the code pages.

    Without a confirmed device they are sent to enrolment, with one to the code page; both come
    back to the page first asked for. API calls through the session get 403 instead.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = request.user
        if user.is_authenticated and not user.is_verified() and two_factor_required(user):
            try:
                url_name = resolve(request.path_info).view_name
            except Resolver404:
                url_name = None
            if url_name not in TWO_FACTOR_OPEN_URLS:
                if request.path_info.startswith("/api/"):
                    return JsonResponse(
                        {"detail": _("Two-factor verification is required: log in on the web page first.")},
                        status=403,
                    )
                target = (
                    "accounts:two_factor_verify" if confirmed_device(user) else "accounts:two_factor_setup"
                )
                back = _come_back_to(request)
                return _redirect(
                    request, resolve_url(target) + (f"?next={quote(back, safe='/')}" if back else "")
                )
        return self.get_response(request)

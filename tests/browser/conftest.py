"""Playwright against Debian's Chromium, serving the app with pytest-django's ``live_server``.

One browser per test session, one fresh context (cookies, language, viewport) per test. Playwright
never downloads a browser here: it drives ``/usr/bin/chromium`` (``TREEM_CHROMIUM`` overrides it).
Where Playwright or Chromium is missing the tests are skipped, unless ``TREEM_REQUIRE_BROWSER=1``
(set by CI), where a missing browser is a failure.
"""

import os
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tests.factories import PASSWORD

CHROMIUM = Path(os.environ.get("TREEM_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--no-sandbox",  # CI runs as root
    "--disable-gpu",
    # The machine's network is closed: without these Chromium keeps trying to reach Google.
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
TIMEOUT_MS = 10_000  # a page of this app answers in well under a second; fail fast, not after 30 s


def browser_unavailable(reason: str) -> None:
    """Skip, or fail where CI demands the browser tests run."""
    if os.environ.get("TREEM_REQUIRE_BROWSER") == "1":
        pytest.fail(f"{reason} (TREEM_REQUIRE_BROWSER=1, so this is a failure, not a skip)", pytrace=False)
    pytest.skip(reason)


@pytest.fixture(scope="session")
def browser() -> Iterator:
    try:
        from playwright.sync_api import Error, sync_playwright
    except ImportError:
        browser_unavailable("Playwright is not installed: uv sync --group dev")
    if not (CHROMIUM.is_file() and os.access(CHROMIUM, os.X_OK)):
        browser_unavailable(f"Chromium not found at {CHROMIUM}: apt-get install chromium")

    # Playwright's sync API runs an asyncio event loop in this thread for as long as it is
    # started, so Django sees a "running loop" and refuses the ORM calls of fixtures and tests
    # (SynchronousOnlyOperation). Nothing here is actually async; the flag is set only while the
    # browser lives and restored afterwards.
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    playwright = sync_playwright().start()
    try:
        try:
            chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        except Error as exc:
            browser_unavailable(f"Chromium at {CHROMIUM} did not start: {exc.message.splitlines()[0]}")
        yield chromium
        chromium.close()
    finally:
        playwright.stop()
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture
def new_page(browser, live_server) -> Iterator[Callable]:
    """Open a page in a new context; Vietnamese browser and desktop size unless told otherwise."""
    contexts = []

    def open_page(*, locale: str = "vi-VN", **options):
        context = browser.new_context(base_url=live_server.url, locale=locale, **options)
        context.set_default_timeout(TIMEOUT_MS)
        contexts.append(context)
        page = context.new_page()
        # Anything the Content-Security-Policy blocks is a fault of the page (an inline script).
        page.on(
            "console",
            lambda message: "Content Security Policy" in message.text and refused.append(message.text),
        )
        return page

    refused: list[str] = []
    yield open_page
    for context in contexts:
        context.close()
    assert not refused, refused


@pytest.fixture
def page(new_page):
    return new_page()


@pytest.fixture
def login() -> Callable:
    """Log in through the form, as a person would, and wait for the page after it."""

    def log_in(page, user, password: str = PASSWORD, *, two_factor: bool = True) -> None:
        """``two_factor``: the user enrolled an authenticator earlier, and types its code if asked."""
        if two_factor:
            _enrolled(user)
        page.goto("/login/")
        page.fill("#id_username", user.username)
        page.fill("#id_password", password)
        with page.expect_navigation():
            page.click("main form button[type=submit]")  # the navbar's language buttons submit too
        if two_factor:
            _pass_two_factor(page, user)

    return log_in


def _enrolled(user) -> None:
    """A confirmed authenticator for a user who needs one (as after an earlier enrolment)."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from treem.accounts.two_factor import two_factor_required

    if two_factor_required(user) and not TOTPDevice.objects.filter(user=user, confirmed=True).exists():
        TOTPDevice.objects.create(user=user, name="Điện thoại", confirmed=True)


def _pass_two_factor(page, user) -> None:
    """Type the one-time code as the user's authenticator app would, if the login asks for one."""
    import base64

    from django_otp.oath import TOTP
    from django_otp.plugins.otp_totp.models import TOTPDevice

    path = page.url.split("://", 1)[-1].split("/", 1)[-1]
    if path.startswith("accounts/two-factor/setup/"):
        secret = page.get_by_test_id("totp-secret").inner_text().strip()
        key = base64.b32decode(secret + "=" * (-len(secret) % 8))
    elif path.startswith("accounts/two-factor/verify/"):
        key = TOTPDevice.objects.filter(user=user, confirmed=True).order_by("pk").first().bin_key
    else:
        return
    page.fill("#id_token", f"{TOTP(key).token():06d}")
    with page.expect_navigation():
        page.click("main form button[type=submit]")

"""Two-factor enrolment in a real browser: an administrator's first login."""

import base64
import re

import pytest
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from tests.browser.test_platform import text_in
from treem.audit.models import AuditEvent

try:
    from playwright.sync_api import expect
except ImportError:  # the `browser` fixture skips these tests, or fails them in CI
    expect = None

pytestmark = pytest.mark.browser


def code_from_secret(secret: str) -> str:
    """What an authenticator app shows for the key typed in from the set-up page."""
    key = base64.b32decode(secret + "=" * (-len(secret) % 8))
    return f"{TOTP(key).token():06d}"


def test_administrator_enrols_an_authenticator_and_reaches_the_home_page(page, login, admin):
    login(page, admin, two_factor=False)  # this test types the code itself

    # Sent to enrolment, whatever page was asked for.
    expect(page).to_have_url(re.compile(r"/accounts/two-factor/setup/\?next=/$"))
    expect(page.locator("main h1")).to_have_text(text_in("vi", "Set up two-factor authentication"))
    expect(page.locator("main svg")).to_be_visible()  # the QR code, drawn in the page
    page.goto("/children/")
    expect(page).to_have_url(re.compile(r"/accounts/two-factor/setup/\?next=/children/$"))
    page.goto("/")

    secret = page.get_by_test_id("totp-secret").inner_text().strip()
    page.fill("#id_token", code_from_secret(secret))
    with page.expect_navigation():
        page.click("main form button[type=submit]")

    expect(page).to_have_url(re.compile(r"^http://[^/]+/$"))
    expect(page.get_by_test_id("current-user")).to_have_text(admin.full_name)
    expect(page.locator("main h1")).to_contain_text(admin.full_name)
    assert TOTPDevice.objects.get(user=admin).confirmed
    assert AuditEvent.objects.filter(action="accounts.two_factor.enrolled", actor=admin).exists()

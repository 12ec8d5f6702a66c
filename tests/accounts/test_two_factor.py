"""Two-factor authentication (TOTP): required for administrators and case roles, not for others.

Logins go through the real login form; codes are computed here with django-otp's own TOTP, as an
authenticator app would. ``client.force_login`` would count as verified (tests/conftest.py), so
it is used here only where that is the point.
"""

import base64
import re

import pytest
from django.contrib.auth import SESSION_KEY
from django.test import Client
from django.urls import reverse
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice
from knox.models import AuthToken

from tests.factories import PASSWORD, UserFactory
from treem.accounts import services
from treem.accounts.roles import ROLES, TWO_FACTOR_ROLES
from treem.accounts.two_factor import two_factor_required
from treem.audit.models import AuditEvent
from treem.core.scope import ScopeError

WRONG_CODE = "The code is wrong or has expired."


@pytest.fixture(autouse=True)
def _english(client, settings):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"


def log_in(client, user, next_url=None):
    url = reverse("login") + (f"?next={next_url}" if next_url else "")
    data = {"username": user.username, "password": PASSWORD}
    if next_url:
        data["next"] = next_url
    response = client.post(url, data)
    assert response.status_code == 302, "the password step failed"
    assert SESSION_KEY in client.session
    return response


def code(key: bytes) -> str:
    """The code an authenticator app shows now for ``key``."""
    return f"{TOTP(key).token():06d}"


def wrong(right: str) -> str:
    return f"{(int(right) + 1) % 1_000_000:06d}"


def device_for(user) -> TOTPDevice:
    return TOTPDevice.objects.create(user=user, name="phone", confirmed=True)


def is_sent_to(response, name: str) -> bool:
    return response.status_code == 302 and response["Location"].startswith(reverse(name))


# --- who needs it -----------------------------------------------------------------------------


def test_every_role_that_needs_two_factor_exists():
    assert {r.slug for r in ROLES} >= TWO_FACTOR_ROLES
    assert {"system_admin", "case_worker", "case_supervisor", "hotline_officer"} <= TWO_FACTOR_ROLES


# Roles that may open case content but log in without a code: none (issue 7: every role that can
# see case details needs two-factor authentication).
CASE_ROLES_WITHOUT_TWO_FACTOR: set[str] = set()


def test_every_role_that_opens_cases_needs_two_factor():
    """A role given case permissions later must be added to TWO_FACTOR_ROLES too (or listed above)."""
    case_roles = {
        role.slug
        for role in ROLES
        if role.permissions == ("*",) or {"cases.view_case", "cases.view_report"} & set(role.permissions)
    }
    assert case_roles - TWO_FACTOR_ROLES <= CASE_ROLES_WITHOUT_TWO_FACTOR


def test_who_needs_two_factor(admin, supervisor_a, officer_a, coordinator, viewer, geo, settings):
    case_worker = UserFactory(roles=["case_worker"], units=[geo.commune_a])
    hotline = UserFactory(roles=["hotline_officer"], units=[geo.province])
    superuser = UserFactory(is_superuser=True)
    for user in (admin, supervisor_a, case_worker, hotline, superuser, officer_a, coordinator):
        assert two_factor_required(user), user
    assert not two_factor_required(viewer)  # figures only, no case
    settings.TREEM_REQUIRE_2FA = False
    assert not two_factor_required(admin)


# --- enrolment --------------------------------------------------------------------------------


def test_an_administrator_enrols_before_reaching_any_page(client, admin):
    response = log_in(client, admin)
    assert response["Location"] == reverse("home")
    home = client.get(reverse("home"))
    assert is_sent_to(home, "accounts:two_factor_setup")
    assert home["Location"].endswith("?next=/")
    for page in (reverse("accounts:profile"), reverse("children:child_list"), reverse("accounts:user_list")):
        assert is_sent_to(client.get(page), "accounts:two_factor_setup"), page
    # The code page sends one without a device to enrolment.
    assert is_sent_to(client.get(reverse("accounts:two_factor_verify")), "accounts:two_factor_setup")

    setup = client.get(home["Location"])
    assert setup.status_code == 200
    text = setup.content.decode()
    secret = re.search(r'id="totp-secret"[^>]*>([A-Z2-7]+)<', text).group(1)
    assert setup.context["secret"] == secret
    # The QR code is drawn into the page: no image fetched from another server.
    svg = setup.context["qr_svg"]
    assert svg.startswith("<svg") and "<path" in svg
    assert not re.search(r"(src|href)=\"https?://", svg)
    key = base64.b32decode(secret + "=" * (-len(secret) % 8))

    # A wrong code is refused, with a message, and changes nothing.
    refused = client.post(reverse("accounts:two_factor_setup"), {"token": wrong(code(key)), "next": "/"})
    assert refused.status_code == 400
    assert WRONG_CODE in refused.content.decode()
    assert not TOTPDevice.objects.filter(user=admin, confirmed=True).exists()
    assert not AuditEvent.objects.filter(action="accounts.two_factor.enrolled").exists()
    assert is_sent_to(client.get(reverse("home")), "accounts:two_factor_setup")

    # The throttle waits after a wrong code; an app's code a few seconds later is accepted.
    TOTPDevice.objects.filter(user=admin).update(
        throttling_failure_timestamp=None, throttling_failure_count=0
    )
    done = client.post(reverse("accounts:two_factor_setup"), {"token": code(key), "next": "/"})
    assert done.status_code == 302 and done["Location"] == "/"
    assert client.get(reverse("home")).status_code == 200
    assert client.get(reverse("accounts:user_list")).status_code == 200
    device = TOTPDevice.objects.get(user=admin)
    assert device.confirmed and device.bin_key == key
    event = AuditEvent.objects.get(action="accounts.two_factor.enrolled")
    assert (event.actor, event.object_id) == (admin, str(admin.pk))


def test_the_secret_stays_the_same_until_confirmed(client, admin):
    log_in(client, admin)
    first = client.get(reverse("accounts:two_factor_setup")).context["secret"]
    assert client.get(reverse("accounts:two_factor_setup")).context["secret"] == first
    assert TOTPDevice.objects.filter(user=admin).count() == 1


def test_a_user_with_a_device_cannot_enrol_another(client, supervisor_a):
    device_for(supervisor_a)
    log_in(client, supervisor_a)
    assert is_sent_to(client.get(reverse("accounts:two_factor_setup")), "accounts:two_factor_verify")
    assert TOTPDevice.objects.filter(user=supervisor_a).count() == 1


# --- the code at each login -------------------------------------------------------------------


def test_a_case_role_enters_the_code_before_any_page(client, supervisor_a, settings):
    settings.OTP_TOTP_THROTTLE_FACTOR = 0  # the wrong code and the right one follow at once
    device = device_for(supervisor_a)
    child_list = reverse("children:child_list")
    log_in(client, supervisor_a, next_url=child_list)
    blocked = client.get(child_list)
    assert is_sent_to(blocked, "accounts:two_factor_verify")
    assert client.get(reverse("home"))["Location"].startswith(reverse("accounts:two_factor_verify"))

    verify = client.get(blocked["Location"])
    assert verify.status_code == 200 and verify.context["next"] == child_list
    refused = client.post(
        reverse("accounts:two_factor_verify"), {"token": wrong(code(device.bin_key)), "next": child_list}
    )
    assert refused.status_code == 400
    assert WRONG_CODE in refused.content.decode()
    assert is_sent_to(client.get(child_list), "accounts:two_factor_verify")

    passed = client.post(
        reverse("accounts:two_factor_verify"), {"token": code(device.bin_key), "next": child_list}
    )
    assert passed.status_code == 302 and passed["Location"] == child_list
    assert client.get(child_list).status_code == 200


@pytest.mark.parametrize("token", ["", "abc", "12345", "1234567", "12 34 5"])
def test_a_malformed_code_is_refused(client, supervisor_a, settings, token):
    settings.OTP_TOTP_THROTTLE_FACTOR = 0
    device_for(supervisor_a)
    log_in(client, supervisor_a)
    response = client.post(reverse("accounts:two_factor_verify"), {"token": token})
    assert response.status_code == 400
    assert is_sent_to(client.get(reverse("home")), "accounts:two_factor_verify")


def test_wrong_codes_slow_down_the_next_try(client, supervisor_a, settings):
    settings.OTP_TOTP_THROTTLE_FACTOR = 60  # one wrong code: wait a minute (django-otp's back-off)
    device = device_for(supervisor_a)
    log_in(client, supervisor_a)
    client.post(reverse("accounts:two_factor_verify"), {"token": wrong(code(device.bin_key))})
    throttled = client.post(reverse("accounts:two_factor_verify"), {"token": code(device.bin_key)})
    assert throttled.status_code == 400
    assert re.search(
        r"Too many wrong codes\. Wait (59|60) seconds and try again\.", throttled.content.decode()
    )
    assert is_sent_to(client.get(reverse("home")), "accounts:two_factor_verify")


def test_a_code_is_accepted_only_once(client, supervisor_a, settings):
    settings.OTP_TOTP_THROTTLE_FACTOR = 0
    device = device_for(supervisor_a)
    used = code(device.bin_key)
    log_in(client, supervisor_a)
    assert client.post(reverse("accounts:two_factor_verify"), {"token": used}).status_code == 302
    other = Client()
    other.cookies["django_language"] = "en"
    log_in(other, supervisor_a)
    replay = other.post(reverse("accounts:two_factor_verify"), {"token": used})
    assert replay.status_code == 400


def test_a_viewer_needs_no_code(client, viewer):
    log_in(client, viewer)
    assert client.get(reverse("home")).status_code == 200
    assert client.get(reverse("children:statistics")).status_code == 200
    assert client.get(reverse("accounts:two_factor_setup"))["Location"] == reverse("home")
    assert not TOTPDevice.objects.filter(user=viewer).exists()


def test_the_code_pages_do_not_redirect_elsewhere(client, supervisor_a, settings):
    settings.OTP_TOTP_THROTTLE_FACTOR = 0
    device = device_for(supervisor_a)
    log_in(client, supervisor_a)
    passed = client.post(
        reverse("accounts:two_factor_verify"),
        {"token": code(device.bin_key), "next": "https://lừa-đảo.example/"},
    )
    assert passed["Location"] == reverse("home")


def test_logging_out_is_allowed_before_the_code(client, supervisor_a):
    device_for(supervisor_a)
    log_in(client, supervisor_a)
    assert client.post(reverse("logout")).status_code == 302
    assert SESSION_KEY not in client.session


def test_enforcement_can_be_switched_off_in_debug_mode(client, admin, settings):
    settings.TREEM_REQUIRE_2FA = False
    log_in(client, admin)
    assert client.get(reverse("home")).status_code == 200


def test_production_refuses_to_switch_two_factor_off(tmp_path):
    from tests.test_settings import run_settings

    result = run_settings(
        TREEM_DEBUG="0", TREEM_SECRET_KEY="x" * 50, TREEM_DATA_DIR=str(tmp_path), TREEM_REQUIRE_2FA="0"
    )
    assert result.returncode != 0
    assert "TREEM_REQUIRE_2FA=0 is refused in production mode" in result.stderr


# --- the API ----------------------------------------------------------------------------------


def test_a_token_of_a_person_is_refused(client, supervisor_a):
    """Tokens are for machine clients, which never hold a case role: a token that somehow names a
    person who needs a one-time code must not become a way around it."""
    _instance, token = AuthToken.objects.create(user=supervisor_a)
    response = client.get(reverse("api:me"), HTTP_AUTHORIZATION=f"Token {token}")
    assert response.status_code == 401
    assert "API client" in response.json()["detail"]


def test_an_unverified_browser_session_gets_no_api_data(client, supervisor_a):
    device_for(supervisor_a)
    log_in(client, supervisor_a)
    response = client.get(reverse("api:child-list"))
    assert response.status_code == 403
    assert "Two-factor verification is required" in response.json()["detail"]


# --- reset by an administrator ----------------------------------------------------------------


def test_an_administrator_resets_a_lost_authenticator(client, admin, supervisor_a, settings):
    settings.OTP_TOTP_THROTTLE_FACTOR = 0
    old = device_for(supervisor_a)
    log_in(client, supervisor_a)
    client.post(reverse("accounts:two_factor_verify"), {"token": code(old.bin_key)})
    assert client.get(reverse("home")).status_code == 200

    manager = Client()
    manager.cookies["django_language"] = "en"
    manager.force_login(admin)
    page = manager.get(reverse("accounts:user_detail", args=[supervisor_a.pk])).content.decode()
    assert "Reset two-factor authentication" in page
    response = manager.post(reverse("accounts:two_factor_reset", args=[supervisor_a.pk]), follow=True)
    assert "was removed: they set up a new one at their next login." in response.content.decode()
    assert not TOTPDevice.objects.filter(user=supervisor_a).exists()
    event = AuditEvent.objects.get(action="accounts.two_factor.reset")
    assert (event.actor, event.object_id, event.unit) == (admin, str(supervisor_a.pk), supervisor_a.units[0])

    # The session verified with the old phone is not verified any more: enrol a new one.
    assert is_sent_to(client.get(reverse("home")), "accounts:two_factor_setup")


def test_only_an_administrator_resets_an_authenticator(client, coordinator, supervisor_a):
    device_for(supervisor_a)
    client.force_login(coordinator)
    assert client.post(reverse("accounts:two_factor_reset", args=[supervisor_a.pk])).status_code == 403
    with pytest.raises(ScopeError):
        services.two_factor_reset(acting_user=coordinator, user=supervisor_a)
    assert TOTPDevice.objects.filter(user=supervisor_a).exists()
    assert not AuditEvent.objects.filter(action="accounts.two_factor.reset").exists()


def test_resetting_a_user_without_an_authenticator_says_so(client, admin, officer_a):
    client.cookies["django_language"] = "en"
    client.force_login(admin)
    response = client.post(reverse("accounts:two_factor_reset", args=[officer_a.pk]), follow=True)
    assert "has no authenticator to reset." in response.content.decode()
    assert not AuditEvent.objects.filter(action="accounts.two_factor.reset").exists()

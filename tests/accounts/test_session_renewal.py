"""The session id is renewed at each step that raises what a session may do (issue 19).

The password step already renews it (Django's ``login``); these tests check the one-time code
and a change of roles or units, which must not leave an older session id usable.
"""

import pytest
from django.conf import settings
from django.contrib.sessions.backends.db import SessionStore
from django.test import Client
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

from tests.accounts.test_two_factor import code, device_for, is_sent_to, log_in
from treem.accounts.models import User
from treem.accounts.services import user_update
from treem.audit.models import AuditEvent


@pytest.fixture(autouse=True)
def _english(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"


def session_id(client) -> str:
    return client.cookies[settings.SESSION_COOKIE_NAME].value


def browser_with(key: str) -> Client:
    """Another browser presenting the session id ``key`` (an attacker who planted or saw it)."""
    other = Client()
    other.cookies[settings.SESSION_COOKIE_NAME] = key
    other.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return other


def is_anonymous(browser: Client) -> bool:
    response = browser.get(reverse("home"))
    return is_sent_to(response, "login")


def plant_session(client) -> str:
    """A real session of the site (as an attacker would get one) set into the victim's browser."""
    store = SessionStore()
    store["planted"] = True
    store.create()
    client.cookies[settings.SESSION_COOKIE_NAME] = store.session_key
    return store.session_key


def test_the_code_renews_the_session_id(client, supervisor_a, settings):
    settings.OTP_TOTP_THROTTLE_FACTOR = 0
    device = device_for(supervisor_a)
    planted = plant_session(client)

    log_in(client, supervisor_a)
    half_signed_in = session_id(client)
    assert half_signed_in != planted  # the password step renews it (Django's login)
    assert is_sent_to(browser_with(half_signed_in).get(reverse("home")), "accounts:two_factor_verify")

    passed = client.post(reverse("accounts:two_factor_verify"), {"token": code(device.bin_key)})
    assert passed.status_code == 302
    signed_in = session_id(client)
    assert signed_in not in (planted, half_signed_in)

    # Neither older id gives the full session: both are anonymous now.
    assert not SessionStore().exists(half_signed_in)
    assert not SessionStore().exists(planted)
    assert is_anonymous(browser_with(half_signed_in))
    assert is_anonymous(browser_with(planted))
    assert browser_with(half_signed_in).get(reverse("children:child_list")).status_code == 302
    # The new one is the verified session.
    assert client.get(reverse("children:child_list")).status_code == 200
    assert browser_with(signed_in).get(reverse("children:child_list")).status_code == 200


def test_enrolment_renews_the_session_id(client, admin):
    log_in(client, admin)
    half_signed_in = session_id(client)
    secret = client.get(reverse("accounts:two_factor_setup")).context["secret"]
    assert secret
    device = TOTPDevice.objects.get(user=admin, confirmed=False)

    done = client.post(reverse("accounts:two_factor_setup"), {"token": code(device.bin_key)})
    assert done.status_code == 302
    assert session_id(client) != half_signed_in
    assert is_anonymous(browser_with(half_signed_in))
    assert client.get(reverse("accounts:user_list")).status_code == 200


def test_a_wrong_code_keeps_the_half_signed_in_session(client, supervisor_a, settings):
    settings.OTP_TOTP_THROTTLE_FACTOR = 0
    device = device_for(supervisor_a)
    log_in(client, supervisor_a)
    half_signed_in = session_id(client)
    wrong = f"{(int(code(device.bin_key)) + 1) % 1_000_000:06d}"
    assert client.post(reverse("accounts:two_factor_verify"), {"token": wrong}).status_code == 400
    assert session_id(client) == half_signed_in
    assert is_sent_to(client.get(reverse("home")), "accounts:two_factor_verify")


# --- a change of roles or units ------------------------------------------------------------------


def edit_form(person, **changes) -> dict:
    data = {
        "full_name": person.full_name,
        "roles": list(person.role_names),
        "units": [u.pk for u in person.units],
        "is_active": "on",
        "email": person.email,
        "phone": person.phone,
    }
    data.update(changes)
    return data


def test_a_role_change_ends_the_users_sessions(client, coordinator, officer_a, officer_b, geo):
    phone, bystander = Client(), Client()
    phone.force_login(officer_a)
    bystander.force_login(officer_b)
    assert phone.get(reverse("children:child_list")).status_code == 200
    client.force_login(coordinator)

    response = client.post(
        reverse("accounts:user_edit", args=[officer_a.pk]),
        edit_form(officer_a, roles=["commune_officer", "case_supervisor"]),
    )
    assert response.status_code == 302, response.content.decode()

    assert is_anonymous(phone)  # signs in again, under the new roles
    assert client.get(reverse("accounts:user_list")).status_code == 200  # the administrator's stays
    assert bystander.get(reverse("home")).status_code == 200  # nobody else is touched
    event = AuditEvent.objects.filter(action="accounts.user.updated").latest("id")
    assert event.actor == coordinator
    assert event.changes["sessions_ended"] == [False, True]
    assert event.changes["roles"] == [["commune_officer"], ["case_supervisor", "commune_officer"]]
    assert "session_salt" not in event.changes


def test_a_unit_change_ends_the_users_sessions(coordinator, officer_a, geo):
    phone = Client()
    phone.force_login(officer_a)
    user_update(
        acting_user=coordinator,
        user=User.objects.get(pk=officer_a.pk),
        full_name=officer_a.full_name,
        roles=["commune_officer"],
        units=[geo.commune_a, geo.commune_b],
    )
    assert is_anonymous(phone)


def test_other_changes_keep_the_users_sessions(client, coordinator, officer_a):
    phone = Client()
    phone.force_login(officer_a)
    salt = User.objects.get(pk=officer_a.pk).session_salt
    client.force_login(coordinator)
    response = client.post(
        reverse("accounts:user_edit", args=[officer_a.pk]), edit_form(officer_a, phone="0905 111 222")
    )
    assert response.status_code == 302
    assert User.objects.get(pk=officer_a.pk).session_salt == salt
    assert phone.get(reverse("home")).status_code == 200
    event = AuditEvent.objects.filter(action="accounts.user.updated").latest("id")
    assert "sessions_ended" not in event.changes


def test_changing_ones_own_units_renews_ones_own_session(client, admin, geo):
    phone = Client()
    phone.force_login(admin)
    client.force_login(admin)
    before = session_id(client)

    response = client.post(
        reverse("accounts:user_edit", args=[admin.pk]),
        edit_form(admin, units=[geo.province.pk]),
    )
    assert response.status_code == 302, response.content.decode()

    assert session_id(client) != before
    assert is_anonymous(browser_with(before))
    assert is_anonymous(phone)  # one's other sessions end as well
    assert client.get(reverse("accounts:user_list")).status_code == 200  # still verified

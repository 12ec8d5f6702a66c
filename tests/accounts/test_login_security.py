"""Login security: Argon2, the password policy, lockouts and their unlock, idle timeout,
"log out everywhere" and the login history.

Logins go through the real login form (``client.post`` to /login/), so django-axes sees them as
it sees a browser; the test client's address is 127.0.0.1 unless REMOTE_ADDR says otherwise.
"""

import datetime as dt
import time

import pytest
from axes.models import AccessAttempt
from django.conf import settings as django_settings
from django.contrib.auth import SESSION_KEY
from django.contrib.auth.hashers import make_password
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone

import treem.settings as treem_settings
from tests.factories import PASSWORD
from treem.accounts import services
from treem.accounts.middleware import LAST_SEEN_KEY
from treem.accounts.models import User
from treem.audit.models import AuditEvent
from treem.core.scope import ScopeError

LOCKED = "Too many failed logins for this account or from this address"


@pytest.fixture(autouse=True)
def _english(client, settings):
    # Pages follow the language cookie; messages are asserted in their English source.
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"


def log_in(client, username, password=PASSWORD, address="127.0.0.1", agent="Trinh-duyet-thu/1.0"):
    return client.post(
        reverse("login"),
        {"username": username, "password": password},
        REMOTE_ADDR=address,
        HTTP_USER_AGENT=agent,
    )


def signed_in(client) -> bool:
    return SESSION_KEY in client.session


# --- Argon2 -----------------------------------------------------------------------------------


@pytest.fixture
def production_hashers(settings):
    """The project's own hashers (the test suite otherwise hashes with fast MD5)."""
    settings.PASSWORD_HASHERS = treem_settings.PASSWORD_HASHERS


def test_argon2_is_the_first_hasher():
    assert treem_settings.PASSWORD_HASHERS[0] == "django.contrib.auth.hashers.Argon2PasswordHasher"


def test_a_new_password_is_hashed_with_argon2(production_hashers, geo, coordinator):
    person = services.user_create(
        acting_user=coordinator,
        username="canbo_moi",
        full_name="Cán Bộ Mới",
        password="Bon-mua-hoa-sen-2026",
        roles=["commune_officer"],
        units=[geo.commune_a],
    )
    person.refresh_from_db()
    assert person.password.startswith("argon2$")
    assert person.check_password("Bon-mua-hoa-sen-2026")


def test_an_older_hash_is_upgraded_to_argon2_at_login(production_hashers, client, viewer):
    User.objects.filter(pk=viewer.pk).update(password=make_password(PASSWORD, hasher="pbkdf2_sha256"))
    assert log_in(client, viewer.username).status_code == 302
    viewer.refresh_from_db()
    assert viewer.password.startswith("argon2$")


# --- password policy --------------------------------------------------------------------------


def _new_user(side_unit, password: str) -> dict:
    return {
        "username": "canbo_moi",
        "full_name": "Cán Bộ Mới",
        "password": password,
        "roles": ["commune_officer"],
        "units": [side_unit.pk],
    }


@pytest.mark.parametrize(
    ("password", "message"),
    [
        ("Ngan-qua-26", "This password is too short. It must contain at least 12 characters."),
        ("202620262026", "This password is entirely numeric."),
        ("password1234", "This password is too common."),
        ("canbo_moi_xyz", "The password is too similar to the username."),
    ],
)
def test_a_weak_password_is_refused_with_a_clear_message_and_nothing_saved(
    client, geo, coordinator, password, message
):
    client.force_login(coordinator)
    users, events = User.objects.count(), AuditEvent.objects.count()
    response = client.post(reverse("accounts:user_add"), _new_user(geo.commune_a, password))
    assert response.status_code == 400
    assert message in response.content.decode()
    assert "password" in response.context["form"].errors  # shown under the password field
    assert (User.objects.count(), AuditEvent.objects.count()) == (users, events)


def test_the_password_policy_speaks_the_users_language(client, geo, coordinator):
    client.cookies[django_settings.LANGUAGE_COOKIE_NAME] = "vi"
    client.force_login(coordinator)
    response = client.post(reverse("accounts:user_add"), _new_user(geo.commune_a, "202620262026"))
    assert response.status_code == 400
    assert "Mật khẩu này hoàn toàn là số." in response.content.decode()
    assert not User.objects.filter(username="canbo_moi").exists()


def test_a_good_password_is_accepted(client, geo, coordinator):
    client.force_login(coordinator)
    response = client.post(reverse("accounts:user_add"), _new_user(geo.commune_a, "Bon-mua-hoa-sen-2026"))
    assert response.status_code == 302
    assert User.objects.filter(username="canbo_moi").exists()


# --- lockout ----------------------------------------------------------------------------------


def fail(client, username, times, address="127.0.0.1"):
    return [log_in(client, username, "not-the-password", address=address) for _ in range(times)]


def test_failed_logins_lock_the_account(client, viewer, officer_b, settings):
    limit = settings.AXES_FAILURE_LIMIT
    assert limit == 5
    responses = fail(client, viewer.username, limit)
    assert [r.status_code for r in responses[:-1]] == [200] * (limit - 1)  # the form again, with its error
    assert "Wrong user name or password" in responses[0].content.decode()
    assert responses[-1].status_code == 429
    assert LOCKED in responses[-1].content.decode()

    # Now even the right password is refused, with the same message, and nobody is signed in.
    response = log_in(client, viewer.username)
    assert response.status_code == 429
    assert LOCKED in response.content.decode()
    assert "ask an administrator to unlock it" in response.content.decode()
    assert not signed_in(client)

    # Only that account: another person at the same address still logs in.
    other = Client()
    assert log_in(other, officer_b.username).status_code == 302
    assert signed_in(other)


def test_failed_logins_from_one_address_lock_the_address(client, viewer, settings):
    settings.TREEM_LOGIN_FAILURES_PER_ADDRESS = 8
    # Guesses spread over many names, each below the account limit, add up for the address.
    for n in range(4):
        fail(client, f"khach{n}", 2, address="10.1.1.1")
    response = log_in(client, viewer.username, address="10.1.1.1")
    assert response.status_code == 429
    assert LOCKED in response.content.decode()
    assert not signed_in(client)
    # The account itself is not locked: from another address it logs in.
    assert log_in(client, viewer.username, address="10.1.1.2").status_code == 302


def test_an_address_below_its_limit_is_not_locked(client, viewer):
    for n in range(6):
        fail(client, f"khach{n}", 3, address="10.1.1.1")  # 18 failures: below the address limit of 20
    assert log_in(client, viewer.username, address="10.1.1.1").status_code == 302


def test_a_success_clears_the_accounts_count_but_not_the_addresss(client, viewer, settings):
    settings.TREEM_LOGIN_FAILURES_PER_ADDRESS = 10
    fail(client, viewer.username, 4)
    fail(client, "khach", 3)  # the address is at 7
    assert log_in(client, viewer.username).status_code == 302  # 4 < 5: still open
    client.post(reverse("logout"))
    # The account starts again from zero (4 more failures do not lock it)...
    assert [r.status_code for r in fail(client, viewer.username, 4)] == [200] * 4
    # ...but the address still counts the guesses at other names: 3 + 4 + 3 reaches 10.
    assert [r.status_code for r in fail(client, "khach2", 3)] == [200, 200, 429]


def test_a_lockout_ends_after_its_period(client, viewer, settings):
    fail(client, viewer.username, settings.AXES_FAILURE_LIMIT)
    assert log_in(client, viewer.username).status_code == 429
    AccessAttempt.objects.update(
        attempt_time=timezone.now() - settings.AXES_COOLOFF_TIME - dt.timedelta(minutes=1)
    )
    assert log_in(client, viewer.username).status_code == 302


def test_an_administrator_unlocks_an_account_and_it_is_audited(client, admin, viewer, settings):
    fail(client, viewer.username, settings.AXES_FAILURE_LIMIT)
    manager = Client()
    manager.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    manager.force_login(admin)

    page = manager.get(reverse("accounts:lockout_list"))
    assert page.status_code == 200
    row = page.context["accounts"][0]
    assert (row.key, row.failures, row.locked) == (viewer.username, 5, True)
    detail = manager.get(reverse("accounts:user_detail", args=[viewer.pk])).content.decode()
    assert 'data-testid="login-failures">5' in detail

    response = manager.post(reverse("accounts:lockout_unlock"), {"username": viewer.username}, follow=True)
    assert f"{viewer.username} is unlocked." in response.content.decode()
    event = AuditEvent.objects.filter(action="accounts.lockout.cleared").get()
    assert (event.actor, event.object_id, event.changes) == (
        admin,
        str(viewer.pk),
        {"failed_logins": [5, 0]},
    )
    assert not AccessAttempt.objects.filter(username=viewer.username).exists()

    assert log_in(client, viewer.username).status_code == 302
    assert signed_in(client)


def test_an_administrator_unlocks_an_address(client, admin, viewer, settings):
    settings.TREEM_LOGIN_FAILURES_PER_ADDRESS = 4
    for n in range(4):
        fail(client, f"khach{n}", 1, address="10.1.1.1")
    assert log_in(client, viewer.username, address="10.1.1.1").status_code == 429
    services.lockout_clear(acting_user=admin, ip_address="10.1.1.1")
    event = AuditEvent.objects.filter(action="accounts.lockout.cleared").get()
    # 4 guesses and the refused login while locked (each refusal counts, and restarts the period).
    assert (event.object_label, event.changes) == ("10.1.1.1", {"failed_logins": [5, 0]})
    assert log_in(client, viewer.username, address="10.1.1.1").status_code == 302


def test_only_an_administrator_may_unlock(client, coordinator, viewer, settings):
    fail(client, viewer.username, settings.AXES_FAILURE_LIMIT)
    client.force_login(coordinator)
    assert client.get(reverse("accounts:lockout_list")).status_code == 403
    assert client.post(reverse("accounts:lockout_unlock"), {"username": viewer.username}).status_code == 403
    with pytest.raises(ScopeError):
        services.lockout_clear(acting_user=coordinator, username=viewer.username)
    assert AccessAttempt.objects.filter(username=viewer.username).exists()
    assert not AuditEvent.objects.filter(action="accounts.lockout.cleared").exists()


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"username": "nobody"}, "Nothing to unlock: no failed logins are recorded for nobody."),
        ({"ip_address": "10.9.9.9"}, "Nothing to unlock"),
        ({"ip_address": "not-an-address"}, "This is not an IP address."),
        ({}, "Name either an account or an address to unlock."),
        ({"username": "canbo_a", "ip_address": "10.9.9.9"}, "Name either an account or an address"),
    ],
)
def test_a_bad_unlock_says_why_and_writes_nothing(admin, fields, message):
    events = AuditEvent.objects.count()
    with pytest.raises(ValidationError) as refused:
        services.lockout_clear(acting_user=admin, **fields)
    assert message in " ".join(refused.value.messages)
    assert AuditEvent.objects.count() == events


def test_the_shell_can_still_authenticate_without_a_request(viewer):
    """authenticate() without a request (scripts) is no attempt from an address: not refused."""
    from django.contrib.auth import authenticate

    assert authenticate(username=viewer.username, password=PASSWORD) == viewer


# --- idle timeout -----------------------------------------------------------------------------


def _idle_for(client, seconds: int) -> None:
    session = client.session
    session[LAST_SEEN_KEY] = int(time.time()) - seconds
    session.save()


def test_an_idle_session_is_logged_out(client, viewer, settings):
    assert settings.TREEM_IDLE_TIMEOUT_MINUTES == 30
    client.force_login(viewer)
    assert client.get(reverse("home")).status_code == 200
    _idle_for(client, 31 * 60)
    response = client.get(reverse("accounts:profile"))
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('login')}?next={reverse('accounts:profile')}"
    assert not signed_in(client)
    page = client.get(response["Location"])
    assert "You were signed out after 30 minutes without activity." in page.content.decode()


def test_an_idle_post_is_not_carried_out(client, viewer):
    """The form is not sent on: the person logs in again and starts over from the login page."""
    client.force_login(viewer)
    client.get(reverse("home"))
    _idle_for(client, 31 * 60)
    response = client.post(reverse("accounts:logout_everywhere"))
    assert response.status_code == 302 and response["Location"] == reverse("login")
    assert not AuditEvent.objects.filter(action="accounts.user.sessions_ended").exists()


def test_an_idle_htmx_request_reloads_the_whole_page(client, viewer):
    client.force_login(viewer)
    client.get(reverse("home"))
    _idle_for(client, 31 * 60)
    response = client.get(reverse("children:child_list"), HTTP_HX_REQUEST="true")
    assert response.status_code == 204
    assert response["HX-Redirect"] == f"{reverse('login')}?next={reverse('children:child_list')}"


def test_activity_keeps_the_session_alive(client, viewer):
    """Sliding: each request within the period starts it again."""
    client.force_login(viewer)
    client.get(reverse("home"))
    _idle_for(client, 29 * 60)
    assert client.get(reverse("home")).status_code == 200
    assert time.time() - client.session[LAST_SEEN_KEY] < 5  # the clock was restarted
    assert client.get(reverse("accounts:profile")).status_code == 200


def test_the_idle_timeout_is_a_setting(client, viewer, settings):
    settings.TREEM_IDLE_TIMEOUT_MINUTES = 5
    client.force_login(viewer)
    client.get(reverse("home"))
    _idle_for(client, 6 * 60)
    assert client.get(reverse("home")).status_code == 302


def test_an_idle_api_session_gets_401(client, viewer):
    client.force_login(viewer)
    client.get(reverse("home"))
    _idle_for(client, 31 * 60)
    assert client.get(reverse("api:me")).status_code == 401


# --- log out everywhere -----------------------------------------------------------------------


def test_log_out_everywhere_ends_the_other_sessions(client, viewer, officer_b):
    phone, other_person = Client(), Client()
    phone.force_login(viewer)
    other_person.force_login(officer_b)
    client.force_login(viewer)
    assert phone.get(reverse("home")).status_code == 200

    response = client.post(reverse("accounts:logout_everywhere"), follow=True)
    assert "You were logged out on every other device and browser." in response.content.decode()

    assert phone.get(reverse("home")).status_code == 302  # the other session is gone
    assert client.get(reverse("home")).status_code == 200  # this one stays
    assert other_person.get(reverse("home")).status_code == 200  # nobody else is touched
    event = AuditEvent.objects.get(action="accounts.user.sessions_ended")
    assert (event.actor, event.object_id) == (viewer, str(viewer.pk))
    assert event.changes == {}  # the salt itself is never written to the log


def test_log_out_everywhere_needs_a_post(client, viewer):
    client.force_login(viewer)
    salt = User.objects.get(pk=viewer.pk).session_salt
    assert client.get(reverse("accounts:logout_everywhere")).status_code == 405
    assert User.objects.get(pk=viewer.pk).session_salt == salt


def test_a_new_login_after_log_out_everywhere_works(client, viewer):
    services.user_sessions_end(user=viewer)
    assert log_in(client, viewer.username).status_code == 302
    assert client.get(reverse("home")).status_code == 200


# --- login history ----------------------------------------------------------------------------


def test_the_login_history_lists_successes_and_failures(client, viewer, officer_b):
    log_in(client, viewer.username, "not-the-password", address="10.2.2.2", agent="Kẻ-lạ/9.9")
    log_in(Client(), officer_b.username, address="10.3.3.3", agent="Người-khác/1.0")
    assert log_in(client, viewer.username, address="10.4.4.4", agent="Điện-thoại/2.0").status_code == 302

    page = client.get(reverse("accounts:profile"))
    history = page.context["login_history"]
    assert [(e.succeeded, e.ip_address, e.user_agent) for e in history] == [
        (True, "10.4.4.4", "Điện-thoại/2.0"),
        (False, "10.2.2.2", "Kẻ-lạ/9.9"),
    ]
    text = page.content.decode()
    assert "10.2.2.2" in text and "Kẻ-lạ/9.9" in text and "failed" in text
    assert "10.3.3.3" not in text  # another person's logins are not shown


def test_the_login_history_marks_refusals_while_locked(client, viewer, settings):
    fail(client, viewer.username, settings.AXES_FAILURE_LIMIT)
    log_in(client, viewer.username)
    client.force_login(viewer)
    history = client.get(reverse("accounts:profile")).context["login_history"]
    assert [e.locked_out for e in history if not e.succeeded][:2] == [True, True]
    assert sum(not e.succeeded for e in history) == settings.AXES_FAILURE_LIMIT + 1

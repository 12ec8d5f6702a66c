"""Machine clients of the API: one token each, with an expiry, revocable; never a case role."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone, translation
from knox.models import AuthToken

from treem.accounts import services
from treem.accounts.models import ApiClient, User
from treem.audit.models import AuditEvent
from treem.core.scope import ScopeError


@pytest.fixture(autouse=True)
def _english():
    """The messages are checked in English (the source language); the pages test Vietnamese."""
    with translation.override("en"):
        yield


@pytest.fixture
def stats_client(admin, geo):
    return services.api_client_create(
        acting_user=admin,
        name="Cổng thống kê",
        roles=["viewer"],
        units=[geo.commune_a],
        description="Báo cáo",
    )


def get(client, name, token, **kwargs):
    return client.get(reverse(name, **kwargs), HTTP_AUTHORIZATION=f"Token {token}")


def test_a_client_has_an_account_that_cannot_sign_in(stats_client):
    account = stats_client.account
    assert not account.has_usable_password()
    assert account.username.startswith("api-")
    assert list(account.groups.values_list("name", flat=True)) == ["viewer"]
    event = AuditEvent.objects.filter(action="accounts.api_client.created").get()
    assert event.object_id == str(stats_client.pk)


def test_token_works_until_revoked(client, admin, geo, stats_client):
    token = services.api_token_issue(acting_user=admin, client=stats_client, days=30)
    assert token.startswith("treem_")
    response = get(client, "api:unit-list", token)
    assert response.status_code == 200
    ids = {row["id"] for row in response.json()["results"]}
    assert geo.commune_a.pk in ids and geo.commune_b.pk not in ids
    stats_client.refresh_from_db()
    assert stats_client.last_used_at is not None
    # Only a digest is stored: the token itself is nowhere in the database.
    assert not AuthToken.objects.filter(digest=token).exists()
    assert token not in str(list(AuditEvent.objects.values_list("changes", flat=True)))

    assert services.api_token_revoke(acting_user=admin, client=stats_client) == 1
    assert get(client, "api:unit-list", token).status_code == 401
    assert AuditEvent.objects.filter(action="accounts.api_token.revoked").count() == 1


def test_one_token_per_client_the_new_one_replaces_the_old(client, admin, stats_client):
    first = services.api_token_issue(acting_user=admin, client=stats_client, days=30)
    second = services.api_token_issue(acting_user=admin, client=stats_client, days=30)
    assert AuthToken.objects.filter(user=stats_client.account).count() == 1
    assert get(client, "api:me", first).status_code == 401
    assert get(client, "api:me", second).status_code == 200
    issued = AuditEvent.objects.filter(action="accounts.api_token.issued").order_by("id")
    assert [e.changes["replaced"] for e in issued] == [0, 1]


def test_an_expired_token_is_refused(client, admin, stats_client):
    token = services.api_token_issue(acting_user=admin, client=stats_client, days=1)
    AuthToken.objects.filter(user=stats_client.account).update(
        expiry=timezone.now() - dt.timedelta(seconds=1)
    )
    assert get(client, "api:me", token).status_code == 401


@pytest.mark.parametrize("days", [0, -5, 366, 10_000])
def test_validity_outside_the_allowed_range_is_refused(admin, stats_client, days):
    with pytest.raises(ValidationError) as caught:
        services.api_token_issue(acting_user=admin, client=stats_client, days=days)
    assert "1 to 365 days" in str(caught.value)
    assert not AuthToken.objects.exists()
    assert not AuditEvent.objects.filter(action="accounts.api_token.issued").exists()


@pytest.mark.parametrize("role", ["case_worker", "commune_officer", "system_admin", "hotline_officer"])
def test_a_client_may_not_hold_a_role_that_needs_a_person(admin, geo, role):
    accounts_before = User.objects.count()
    with pytest.raises(ValidationError) as caught:
        services.api_client_create(acting_user=admin, name="Máy", roles=[role], units=[geo.commune_a])
    assert "cannot hold a role" in str(caught.value)
    assert User.objects.count() == accounts_before
    assert not ApiClient.objects.exists()


def test_same_name_twice_is_refused_and_nothing_written(admin, geo, stats_client):
    accounts_before = User.objects.count()
    with pytest.raises(ValidationError, match="already exists"):
        services.api_client_create(
            acting_user=admin, name="cổng thống kê", roles=["viewer"], units=[geo.commune_a]
        )
    assert User.objects.count() == accounts_before


def test_only_administrators_manage_clients(coordinator, geo, stats_client):
    with pytest.raises(ScopeError):
        services.api_client_create(acting_user=coordinator, name="X", roles=["viewer"], units=[geo.commune_a])
    with pytest.raises(ScopeError):
        services.api_token_issue(acting_user=coordinator, client=stats_client, days=30)


def test_pages_issue_show_once_and_revoke(client, admin, stats_client):
    client.force_login(admin)
    response = client.post(reverse("accounts:api_token_issue", args=[stats_client.pk]), {"days": "30"})
    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"
    token = response.context["token"]
    assert token and token in response.content.decode()
    detail = client.get(reverse("accounts:api_client_detail", args=[stats_client.pk])).content.decode()
    assert token not in detail  # shown once only
    refused = client.post(reverse("accounts:api_token_issue", args=[stats_client.pk]), {"days": "400"})
    assert refused.status_code == 400
    assert AuthToken.objects.filter(user=stats_client.account).count() == 1
    assert client.post(reverse("accounts:api_token_revoke", args=[stats_client.pk])).status_code == 302
    assert not AuthToken.objects.exists()


def test_create_page_refuses_a_case_role_in_vietnamese(client, admin, geo):
    client.force_login(admin)
    client.cookies.load({"django_language": "vi"})
    response = client.post(
        reverse("accounts:api_client_add"),
        {"name": "Máy", "roles": ["case_worker"], "units": [geo.commune_a.pk]},
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "case_worker" in page and "hợp lệ" in page  # the form offers no such role: refused, in Vietnamese
    assert not ApiClient.objects.exists()


def test_a_machine_role_is_offered_to_api_clients_not_to_people():
    from treem.accounts.forms import ApiClientForm, UserForm
    from treem.accounts.roles import ROLES

    machine = {r.slug for r in ROLES if r.machine}
    assert machine  # the hotline system's role
    assert machine <= {slug for slug, _label in ApiClientForm.base_fields["roles"].choices}
    assert not machine & {slug for slug, _label in UserForm.base_fields["roles"].choices}

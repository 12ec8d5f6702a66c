"""Writes on users and agencies. Each function is one audited transaction."""

from __future__ import annotations

import datetime as dt
import math
import secrets

from axes.utils import reset as axes_reset
from django.conf import settings
from django.contrib.auth.models import Group
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.validators import validate_ipv46_address
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django_otp.plugins.otp_totp.models import TOTPDevice

from treem.accounts.models import Agency, AgencySuccession, ApiClient, UnitAssignment, User
from treem.accounts.roles import ROLES_BY_SLUG, TWO_FACTOR_ROLES, _permissions_for
from treem.audit.services import audit_record, diff, snapshot
from treem.core.scope import ScopeError, scope_require, unit_in_scope
from treem.geo.models import Unit


def _check_roles_grantable(acting_user: User, role_slugs: list[str]) -> list[Group]:
    """A user may only grant roles whose every permission they hold themselves."""
    unknown = [s for s in role_slugs if s not in ROLES_BY_SLUG]
    if unknown:
        raise ValidationError({"roles": _("Unknown role: %(role)s") % {"role": ", ".join(unknown)}})
    for slug in role_slugs:
        role = ROLES_BY_SLUG[slug]
        if role.sees_all_units and not acting_user.sees_all_units:
            raise ValidationError({"roles": _("You may not grant the role %(role)s.") % {"role": role.label}})
        for perm in _permissions_for(role):
            if not acting_user.has_perm(f"{perm.content_type.app_label}.{perm.codename}"):
                raise ValidationError(
                    {"roles": _("You may not grant the role %(role)s.") % {"role": role.label}}
                )
    return list(Group.objects.filter(name__in=role_slugs))


def _check_units_grantable(acting_user: User, units: list[Unit]) -> None:
    for unit in units:
        if not unit_in_scope(acting_user, unit):
            raise ValidationError({"units": _("You may only assign units within your own scope.")})


def _check_agency_period(agency: Agency, field: str = "valid_to") -> None:
    # Checked here because the model's check constraint would only say "Constraint … is violated".
    if agency.valid_from and agency.valid_to and agency.valid_to < agency.valid_from:
        raise ValidationError({field: _("An agency cannot end before it begins.")})


def _user_snapshot(user: User) -> dict:
    data = snapshot(user)
    data["roles"] = sorted(user.groups.values_list("name", flat=True))
    data["units"] = sorted(user.unit_assignments.values_list("unit_id", flat=True))
    return data


@transaction.atomic
def user_create(
    *,
    acting_user: User,
    username: str,
    full_name: str,
    password: str,
    roles: list[str],
    units: list[Unit],
    email: str = "",
    phone: str = "",
    agency: Agency | None = None,
) -> User:
    """Create a user with roles and units, all within what the acting user may grant."""
    if not acting_user.has_perm("accounts.add_user"):
        raise ScopeError("accounts.add_user")
    groups = _check_roles_grantable(acting_user, roles)
    _check_units_grantable(acting_user, units)
    sees_all = any(ROLES_BY_SLUG[s].sees_all_units for s in roles)
    if not units and not sees_all:
        raise ValidationError({"units": _("Choose at least one unit: a user without a unit sees nothing.")})
    if User.objects.filter(username__iexact=username).exists():
        raise ValidationError({"username": _("This user name is already taken.")})
    user = User(
        username=username,
        full_name=full_name,
        email=email,
        phone=phone,
        agency=agency,
        sees_all_units=sees_all,
    )
    try:
        validate_password(password, user)
    except ValidationError as exc:
        raise ValidationError({"password": exc.error_list}) from exc
    user.set_password(password)
    user.full_clean(exclude=["password"])
    user.save()
    user.groups.set(groups)
    UnitAssignment.objects.bulk_create(UnitAssignment(user=user, unit=u) for u in units)
    audit_record(
        acting_user,
        "accounts.user.created",
        user,
        unit=units[0] if units else None,
        changes=diff(None, _user_snapshot(user)),
    )
    return user


@transaction.atomic
def user_update(
    *,
    acting_user: User,
    user: User,
    full_name: str,
    roles: list[str],
    units: list[Unit],
    email: str = "",
    phone: str = "",
    is_active: bool = True,
    agency: Agency | None = None,
) -> User:
    """Change a user's details, roles and units (audited field by field)."""
    if not acting_user.has_perm("accounts.change_user"):
        raise ScopeError("accounts.change_user")
    if not acting_user.sees_all_units and not any(unit_in_scope(acting_user, u) for u in user.units):
        raise ScopeError("accounts.change_user")
    if user.pk == acting_user.pk and not is_active:
        raise ValidationError({"is_active": _("You cannot deactivate your own account.")})
    before = _user_snapshot(user)
    old_roles = set(before["roles"])
    added_roles = [r for r in roles if r not in old_roles]
    _check_roles_grantable(acting_user, added_roles)
    groups = list(Group.objects.filter(name__in=roles))
    old_units = set(before["units"])
    _check_units_grantable(acting_user, [u for u in units if u.pk not in old_units])
    removed = [u for u in user.units if u.pk not in {x.pk for x in units}]
    _check_units_grantable(acting_user, removed)
    sees_all = any(ROLES_BY_SLUG[s].sees_all_units for s in roles if s in ROLES_BY_SLUG)
    if not units and not sees_all:
        raise ValidationError({"units": _("Choose at least one unit: a user without a unit sees nothing.")})
    user.full_name, user.email, user.phone, user.is_active, user.agency = (
        full_name,
        email,
        phone,
        is_active,
        agency,
    )
    user.sees_all_units = sees_all
    user.full_clean(exclude=["password"])
    user.save()
    user.groups.set(groups)
    UnitAssignment.objects.filter(user=user).exclude(unit__in=units).delete()
    UnitAssignment.objects.bulk_create(
        [UnitAssignment(user=user, unit=u) for u in units if u.pk not in old_units]
    )
    user._scope_paths = None
    changes = diff(before, _user_snapshot(user))
    if {"roles", "units"} & changes.keys():
        # A session begun under the old roles and units does not carry on under the new ones
        # (the session is renewed at every change of privilege): the user's sessions end, and the
        # view re-signs the acting user's own when they changed themselves.
        _sessions_end(user)
        changes["sessions_ended"] = [False, True]
    audit_record(
        acting_user,
        "accounts.user.updated",
        user,
        unit=units[0] if units else None,
        changes=changes,
    )
    return user


@transaction.atomic
def agency_create(
    *,
    acting_user: User,
    name: str,
    kind: str,
    unit: Unit,
    short_name: str = "",
    valid_from: dt.date | None = None,
    valid_to: dt.date | None = None,
    email: str = "",
    phone: str = "",
) -> Agency:
    """Register an agency in a unit the user works in."""
    scope_require(acting_user, unit, "accounts.add_agency")
    agency = Agency(
        name=(name or "").strip(),
        kind=kind,
        unit=unit,
        short_name=short_name,
        valid_from=valid_from,
        valid_to=valid_to,
        email=email,
        phone=phone,
    )
    _check_agency_period(agency)
    agency.full_clean()
    agency.save()
    audit_record(acting_user, "accounts.agency.created", agency, changes=diff(None, snapshot(agency)))
    return agency


@transaction.atomic
def agency_update(*, acting_user: User, agency: Agency, **fields) -> Agency:
    """Change an agency's details."""
    scope_require(acting_user, agency.unit, "accounts.change_agency")
    before = snapshot(agency)
    for key, value in fields.items():
        setattr(agency, key, value)
    scope_require(acting_user, agency.unit, "accounts.change_agency")
    _check_agency_period(agency)
    agency.full_clean()
    agency.save()
    audit_record(acting_user, "accounts.agency.updated", agency, changes=diff(before, snapshot(agency)))
    return agency


@transaction.atomic
def agency_succeed(
    *, acting_user: User, predecessor: Agency, successors: list[Agency], effective: dt.date, note: str = ""
) -> list[AgencySuccession]:
    """Close ``predecessor`` the day before ``effective`` and name who carries its work on."""
    scope_require(acting_user, predecessor.unit, "accounts.change_agency")
    if not successors:
        raise ValidationError({"successors": _("Choose at least one successor agency.")})
    if predecessor in successors:
        raise ValidationError({"successors": _("An agency cannot succeed itself.")})
    visible = set(Agency.objects.restrict(acting_user, "view").filter(pk__in=[s.pk for s in successors]))
    if len(visible) != len(set(successors)):
        raise ValidationError({"successors": _("Choose successor agencies among those you can see.")})
    before = snapshot(predecessor)
    predecessor.valid_to = effective - dt.timedelta(days=1)
    _check_agency_period(predecessor, "effective")
    predecessor.full_clean()
    predecessor.save(update_fields=["valid_to"])
    links = [
        AgencySuccession.objects.get_or_create(
            predecessor=predecessor, successor=s, defaults={"effective": effective, "note": note}
        )[0]
        for s in successors
    ]
    changes = diff(before, snapshot(predecessor))
    changes["successors"] = [None, [s.pk for s in successors]]
    audit_record(acting_user, "accounts.agency.succeeded", predecessor, changes=changes)
    return links


# --- login security ---------------------------------------------------------------------------


def _first_unit(user: User) -> Unit | None:
    """The unit an event about ``user`` is filed under, so those who manage the user see it."""
    assignment = user.unit_assignments.select_related("unit").order_by("pk").first()
    return assignment.unit if assignment else None


def _check_code(device: TOTPDevice, token: str) -> tuple[bool, ValidationError | None]:
    """Verify ``token`` on a locked ``device``; a wrong code counts towards django-otp's back-off."""
    allowed, info = device.verify_is_allowed()
    if not allowed:
        wait = math.ceil((info["locked_until"] - timezone.now()).total_seconds()) if info else 0
        wait = max(wait, 1)
        message = ngettext(
            "Too many wrong codes. Wait %(seconds)d second and try again.",
            "Too many wrong codes. Wait %(seconds)d seconds and try again.",
            wait,
        )
        return False, ValidationError({"token": message % {"seconds": wait}}, code="throttled")
    token = (token or "").replace(" ", "")
    if token.isdigit() and len(token) == device.digits:
        ok = device.verify_token(token)  # counts a wrong code itself
    else:
        device.throttle_increment(commit=True)
        ok = False
    if not ok:
        return False, ValidationError(
            {"token": _("The code is wrong or has expired. Enter the 6 digits your app shows now.")},
            code="wrong",
        )
    return True, None


def two_factor_enrol(*, user: User, token: str) -> TOTPDevice:
    """Confirm the device being enrolled with a code from the app (audited).

    The refusal is raised after the transaction, so that the failure count of a wrong code is kept.
    """
    with transaction.atomic():
        device = (
            TOTPDevice.objects.select_for_update().filter(user=user, confirmed=False).order_by("pk").first()
        )
        if device is None:
            raise ValidationError(
                {"token": _("Open the set-up page again: no authenticator is being set up.")}
            )
        ok, error = _check_code(device, token)
        if ok:
            device.confirmed = True
            device.save(update_fields=["confirmed"])
            TOTPDevice.objects.filter(user=user).exclude(pk=device.pk).delete()
            audit_record(user, "accounts.two_factor.enrolled", user, unit=_first_unit(user))
    if error:
        raise error
    return device


def two_factor_verify(*, user: User, token: str) -> TOTPDevice:
    """Check a code against the user's confirmed device; a refusal says why."""
    with transaction.atomic():
        device = (
            TOTPDevice.objects.select_for_update().filter(user=user, confirmed=True).order_by("pk").first()
        )
        if device is None:
            raise ValidationError({"token": _("You have no authenticator yet: set one up first.")})
        _ok, error = _check_code(device, token)
    if error:
        raise error
    return device


@transaction.atomic
def two_factor_reset(*, acting_user: User, user: User) -> int:
    """Remove a user's authenticator (a lost phone): they enrol a new one at their next login."""
    if not acting_user.has_perm("otp_totp.delete_totpdevice"):
        raise ScopeError("otp_totp.delete_totpdevice")
    if not User.objects.restrict(acting_user, "change").filter(pk=user.pk).exists():
        raise ScopeError("accounts.change_user")
    devices = TOTPDevice.objects.filter(user=user)
    had_confirmed = devices.filter(confirmed=True).exists()
    if not had_confirmed:
        raise ValidationError(_("%(name)s has no authenticator to reset.") % {"name": user})
    count, _deleted = devices.delete()
    audit_record(
        acting_user,
        "accounts.two_factor.reset",
        user,
        unit=_first_unit(user),
        changes={"devices": [count, 0]},
    )
    return count


def _sessions_end(user: User) -> None:
    """Change the salt of ``user``'s session hash: every session signed with the old one ends."""
    user.session_salt = secrets.token_hex(16)
    user.save(update_fields=["session_salt"])


@transaction.atomic
def user_sessions_end(*, user: User) -> None:
    """End every session of ``user`` ("log out everywhere") by changing their session salt."""
    _sessions_end(user)
    audit_record(user, "accounts.user.sessions_ended", user, unit=_first_unit(user))


@transaction.atomic
def lockout_clear(*, acting_user: User, username: str = "", ip_address: str = "") -> int:
    """Unlock an account or an address after failed logins (audited); returns failures forgotten."""
    from treem.accounts.lockout import failure_total

    if not acting_user.has_perm("axes.delete_accessattempt"):
        raise ScopeError("axes.delete_accessattempt")
    username, ip_address = (username or "").strip(), (ip_address or "").strip()
    if bool(username) == bool(ip_address):
        raise ValidationError(_("Name either an account or an address to unlock."))
    if ip_address:
        try:
            validate_ipv46_address(ip_address)
        except ValidationError as exc:
            raise ValidationError({"ip_address": _("This is not an IP address.")}) from exc
    failures = failure_total(username=username or None, ip_address=ip_address or None)
    if not failures:
        raise ValidationError(
            _("Nothing to unlock: no failed logins are recorded for %(who)s.")
            % {"who": username or ip_address}
        )
    if username:
        axes_reset(username=username)
    else:
        axes_reset(ip=ip_address)
    person = User.objects.filter(username=username).first() if username else None
    audit_record(
        acting_user,
        "accounts.lockout.cleared",
        person,
        object_label=username or ip_address,
        unit=_first_unit(person) if person else None,
        changes={"failed_logins": [failures, 0]},
    )
    return failures


# --- machine clients of the API -----------------------------------------------------------------


def _api_client_snapshot(client: ApiClient) -> dict:
    data = snapshot(client)
    data["roles"] = sorted(client.account.groups.values_list("name", flat=True))
    data["units"] = sorted(client.account.unit_assignments.values_list("unit_id", flat=True))
    return data


@transaction.atomic
def api_client_create(
    *, acting_user: User, name: str, roles: list[str], units: list[Unit], description: str = ""
) -> ApiClient:
    """A machine client with its own account (no password: it can never sign in to the pages).

    It may not hold a role that sees case details or administers the system: those need a person
    with a one-time code, and a token is not a person.
    """
    if not acting_user.has_perm("accounts.add_apiclient"):
        raise ScopeError("accounts.add_apiclient")
    name = (name or "").strip()
    if not name:
        raise ValidationError({"name": _("Give the client a name.")})
    if ApiClient.objects.filter(name__iexact=name).exists():
        raise ValidationError({"name": _("A client with this name already exists.")})
    if not roles:
        raise ValidationError({"roles": _("Choose at least one role.")})
    refused = [ROLES_BY_SLUG[s].label for s in roles if s in TWO_FACTOR_ROLES or s not in ROLES_BY_SLUG]
    if refused or any(ROLES_BY_SLUG[s].sees_all_units for s in roles if s in ROLES_BY_SLUG):
        raise ValidationError(
            {
                "roles": _(
                    "A machine client cannot hold a role that sees case details or administers the "
                    "system: %(roles)s."
                )
                % {"roles": ", ".join(str(label) for label in refused) or "—"}
            }
        )
    groups = _check_roles_grantable(acting_user, roles)
    _check_units_grantable(acting_user, units)
    if not units:
        raise ValidationError({"units": _("Choose at least one unit: a user without a unit sees nothing.")})
    username = f"api-{secrets.token_hex(6)}"
    account = User(username=username, full_name=name)
    account.set_unusable_password()
    account.save()
    account.groups.set(groups)
    UnitAssignment.objects.bulk_create(UnitAssignment(user=account, unit=u) for u in units)
    client = ApiClient.objects.create(
        name=name, description=description, account=account, created_by=acting_user
    )
    audit_record(
        acting_user,
        "accounts.api_client.created",
        client,
        unit=units[0],
        changes=diff(None, _api_client_snapshot(client)),
    )
    return client


def _revoke_tokens(client: ApiClient) -> int:
    from knox.models import AuthToken

    deleted, _detail = AuthToken.objects.filter(user=client.account).delete()
    return deleted


@transaction.atomic
def api_token_issue(*, acting_user: User, client: ApiClient, days: int) -> str:
    """A new token for ``client``, valid ``days`` days; the previous one stops working at once.

    Returns the token: it is shown once and only its digest is kept.
    """
    from knox.models import AuthToken

    if not acting_user.has_perm("accounts.change_apiclient"):
        raise ScopeError("accounts.change_apiclient")
    maximum = settings.TREEM_API_TOKEN_MAX_DAYS
    if not isinstance(days, int) or not 1 <= days <= maximum:
        raise ValidationError(
            {"days": _("A token is valid from 1 to %(maximum)s days.") % {"maximum": maximum}}
        )
    if not client.account.is_active:
        raise ValidationError(_("This client is disabled: enable it before issuing a token."))
    replaced = _revoke_tokens(client)
    instance, token = AuthToken.objects.create(user=client.account, expiry=dt.timedelta(days=days))
    client.token_issued_at = timezone.now()
    client.token_expires_at = instance.expiry
    client.token_revoked_at = None
    client.save(update_fields=["token_issued_at", "token_expires_at", "token_revoked_at"])
    audit_record(
        acting_user,
        "accounts.api_token.issued",
        client,
        changes={
            "expires_at": instance.expiry.isoformat(),
            "replaced": replaced,
            "prefix": instance.token_key,
        },
    )
    return token


@transaction.atomic
def api_token_revoke(*, acting_user: User, client: ApiClient) -> int:
    """Revoke the client's token now; returns how many tokens stopped working (0 or 1)."""
    if not acting_user.has_perm("accounts.change_apiclient"):
        raise ScopeError("accounts.change_apiclient")
    revoked = _revoke_tokens(client)
    client.token_revoked_at = timezone.now()
    client.save(update_fields=["token_revoked_at"])
    audit_record(acting_user, "accounts.api_token.revoked", client, changes={"revoked": revoked})
    return revoked

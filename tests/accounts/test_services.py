"""Writes on users and agencies: the happy path, and every refusal with its message and nothing written."""

import datetime as dt

import pytest
from django.contrib.auth.models import Permission
from django.core.exceptions import ValidationError
from django.utils import translation

from tests.conftest import REORG
from tests.factories import AgencyFactory, CommuneFactory, ProvinceFactory, UserFactory
from treem.accounts.models import Agency, AgencySuccession, UnitAssignment, User
from treem.accounts.roles import ROLES_BY_SLUG
from treem.accounts.services import agency_create, agency_succeed, agency_update, user_create, user_update
from treem.audit.models import AuditEvent
from treem.core.scope import ScopeError

PASSWORD = "Mat-khau-dai-2026!"


@pytest.fixture(autouse=True)
def _english(settings):
    settings.LANGUAGE_CODE = "en"
    with translation.override("en"):
        yield


@pytest.fixture
def other_province(db):
    province = ProvinceFactory(name="Tỉnh Khác", code="47", valid_from=REORG)
    province.commune = CommuneFactory(name="Xã Khác", code="30001", parent=province, valid_from=REORG)
    return province


def counts():
    """Everything a refused write must leave as it was."""
    return {
        "users": User.objects.count(),
        "assignments": UnitAssignment.objects.count(),
        "agencies": Agency.objects.count(),
        "successions": AgencySuccession.objects.count(),
        "events": AuditEvent.objects.count(),
    }


def refused(call, field: str | None, message: str):
    """Run ``call``; it must raise ValidationError with ``message`` (on ``field``) and write nothing."""
    before = counts()
    with pytest.raises(ValidationError) as info:
        call()
    error = info.value
    if field is None:
        assert message in " ".join(error.messages)
    else:
        assert message in " ".join(error.message_dict[field]), error.message_dict
    assert counts() == before
    return error


def new_user(acting_user, **overrides):
    fields = {
        "acting_user": acting_user,
        "username": "canbo_moi",
        "full_name": "Cán Bộ Mới",
        "password": PASSWORD,
        "roles": ["commune_officer"],
        "units": [],
    }
    fields.update(overrides)
    return user_create(**fields)


# --- user_create ------------------------------------------------------------------------------


def test_user_create(geo, coordinator):
    before = counts()
    user = new_user(coordinator, units=[geo.commune_a], email="moi@example.vn", agency=geo.agency_a)
    user.refresh_from_db()
    assert user.check_password(PASSWORD)
    assert user.role_names == ["commune_officer"]
    assert user.units == [geo.commune_a]
    assert not user.sees_all_units and not user.is_staff and not user.is_superuser
    assert user.agency == geo.agency_a
    assert counts() == {**before, "users": before["users"] + 1, "assignments": before["assignments"] + 1,
                        "events": before["events"] + 1}  # fmt: skip
    event = AuditEvent.objects.latest("id")
    assert (event.action, event.actor, event.unit) == ("accounts.user.created", coordinator, geo.commune_a)
    assert event.changes["username"] == [None, "canbo_moi"]


def test_admin_creates_an_administrator_without_unit(geo, admin):
    user = new_user(admin, username="quantri2", roles=["system_admin"])
    assert user.sees_all_units
    assert user.units == []


def test_user_create_duplicate_username(geo, coordinator, officer_a):
    refused(
        lambda: new_user(coordinator, username="CANBO_A", units=[geo.commune_a]),
        "username",
        "This user name is already taken.",
    )


def test_user_create_weak_password(geo, coordinator):
    error = refused(
        lambda: new_user(coordinator, password="12345678", units=[geo.commune_a]), None, "too short"
    )
    assert "entirely numeric" in " ".join(error.messages)


def test_user_create_password_like_the_user_name(geo, coordinator):
    refused(
        lambda: new_user(
            coordinator, username="nguyenvanbinh", password="nguyenvanbinh", units=[geo.commune_a]
        ),
        None,
        "too similar",
    )


def test_user_create_scoped_role_needs_a_unit(geo, coordinator):
    refused(
        lambda: new_user(coordinator, units=[]),
        "units",
        "Choose at least one unit: a user without a unit sees nothing.",
    )


def test_user_create_unit_outside_the_acting_users_scope(geo, coordinator, officer_a, other_province):
    refused(
        lambda: new_user(coordinator, units=[other_province.commune]),
        "units",
        "You may only assign units within your own scope.",
    )


def test_user_create_refuses_role_escalation(geo, coordinator):
    refused(
        lambda: new_user(coordinator, roles=["system_admin"], units=[geo.commune_a]),
        "roles",
        "You may not grant the role System administrator.",
    )


def test_user_create_refuses_a_role_with_permissions_the_granter_lacks(geo):
    """A user who may add users but not read the audit log cannot hand that right out."""
    clerk = UserFactory(username="van_thu", units=[geo.commune_a])
    # The clerk holds what a viewer holds, and may add users: a viewer may be granted, a case
    # supervisor (more rights than the clerk's) may not.
    for name in ("accounts.add_user", *ROLES_BY_SLUG["viewer"].permissions):
        app_label, codename = name.split(".")
        clerk.user_permissions.add(
            Permission.objects.get(content_type__app_label=app_label, codename=codename)
        )
    clerk = User.objects.get(pk=clerk.pk)
    refused(
        lambda: new_user(clerk, roles=["case_supervisor"], units=[geo.commune_a]),
        "roles",
        "You may not grant the role Case supervisor.",
    )
    assert new_user(clerk, roles=["viewer"], units=[geo.commune_a]).role_names == ["viewer"]


def test_user_create_unknown_role(geo, coordinator):
    refused(
        lambda: new_user(coordinator, roles=["wizard"], units=[geo.commune_a]),
        "roles",
        "Unknown role: wizard",
    )


def test_user_create_needs_the_permission(geo, officer_a):
    before = counts()
    with pytest.raises(ScopeError):
        new_user(officer_a, units=[geo.commune_a])
    assert counts() == before


# --- user_update ------------------------------------------------------------------------------


def test_user_update(geo, coordinator, officer_a):
    user_update(
        acting_user=coordinator,
        user=officer_a,
        full_name="Nguyễn Văn An (Bình)",
        roles=["commune_officer", "case_supervisor"],
        units=[geo.commune_a, geo.commune_b],
        phone="0905 000 000",
    )
    officer_a = User.objects.get(pk=officer_a.pk)
    assert officer_a.full_name == "Nguyễn Văn An (Bình)"
    assert sorted(officer_a.role_names) == ["case_supervisor", "commune_officer"]
    assert set(officer_a.units) == {geo.commune_a, geo.commune_b}
    event = AuditEvent.objects.get()
    assert event.action == "accounts.user.updated"
    assert event.changes["full_name"] == ["Nguyễn Văn An", "Nguyễn Văn An (Bình)"]
    assert event.changes["units"] == [[geo.commune_a.pk], sorted([geo.commune_a.pk, geo.commune_b.pk])]
    assert event.changes["roles"] == [["commune_officer"], ["case_supervisor", "commune_officer"]]
    assert "is_active" not in event.changes  # unchanged fields are not listed


def test_user_update_removes_units(geo, coordinator):
    user = UserFactory(username="hai_xa", roles=["commune_officer"], units=[geo.commune_a, geo.commune_b])
    user_update(
        acting_user=coordinator,
        user=user,
        full_name="Hai Xã",
        roles=["commune_officer"],
        units=[geo.commune_b],
    )
    assert User.objects.get(pk=user.pk).units == [geo.commune_b]


def _unchanged(user):
    fresh = User.objects.get(pk=user.pk)
    assert (fresh.full_name, fresh.role_names, fresh.units, fresh.is_active) == (
        user.full_name,
        user.role_names,
        user.units,
        user.is_active,
    )


def test_user_update_refuses_role_escalation(geo, coordinator, officer_a):
    refused(
        lambda: user_update(
            acting_user=coordinator,
            user=officer_a,
            full_name="X",
            roles=["system_admin"],
            units=[geo.commune_a],
        ),
        "roles",
        "You may not grant the role System administrator.",
    )
    _unchanged(officer_a)


def test_user_update_refuses_units_outside_scope(geo, coordinator, officer_a, other_province):
    refused(
        lambda: user_update(
            acting_user=coordinator,
            user=officer_a,
            full_name="X",
            roles=["commune_officer"],
            units=[geo.commune_a, other_province.commune],
        ),
        "units",
        "You may only assign units within your own scope.",
    )
    _unchanged(officer_a)


def test_user_update_cannot_remove_a_unit_outside_scope(geo, coordinator, other_province):
    """A coordinator may not take away another province's unit from a shared user."""
    shared = UserFactory(
        username="lien_tinh", roles=["viewer"], units=[geo.commune_a, other_province.commune]
    )
    refused(
        lambda: user_update(
            acting_user=coordinator, user=shared, full_name="X", roles=["viewer"], units=[geo.commune_a]
        ),
        "units",
        "You may only assign units within your own scope.",
    )
    _unchanged(shared)


def test_user_update_cannot_deactivate_oneself(geo, coordinator):
    refused(
        lambda: user_update(
            acting_user=coordinator,
            user=coordinator,
            full_name="X",
            roles=["provincial_coordinator"],
            units=[geo.province],
            is_active=False,
        ),
        "is_active",
        "You cannot deactivate your own account.",
    )
    assert User.objects.get(pk=coordinator.pk).is_active


def test_user_update_unknown_role(geo, coordinator, officer_a):
    refused(
        lambda: user_update(
            acting_user=coordinator, user=officer_a, full_name="X", roles=["wizard"], units=[geo.commune_a]
        ),
        "roles",
        "Unknown role: wizard",
    )


def test_user_update_needs_a_unit(geo, coordinator, officer_a):
    refused(
        lambda: user_update(
            acting_user=coordinator, user=officer_a, full_name="X", roles=["viewer"], units=[]
        ),
        "units",
        "Choose at least one unit",
    )
    _unchanged(officer_a)


def test_user_update_of_a_user_outside_scope(geo, coordinator, other_province):
    stranger = UserFactory(username="nguoi_la", roles=["viewer"], units=[other_province.commune])
    before = counts()
    with pytest.raises(ScopeError):
        user_update(
            acting_user=coordinator, user=stranger, full_name="X", roles=["viewer"], units=[geo.commune_a]
        )
    assert counts() == before
    _unchanged(stranger)


# --- agencies ---------------------------------------------------------------------------------


def test_agency_create(geo, coordinator):
    agency = agency_create(
        acting_user=coordinator,
        name="  Trung tâm Công tác xã hội  ",
        kind="service",
        unit=geo.province,
        valid_from=REORG,
    )
    assert agency.name == "Trung tâm Công tác xã hội"
    event = AuditEvent.objects.get()
    assert (event.action, event.unit, event.object_id) == (
        "accounts.agency.created",
        geo.province,
        str(agency.pk),
    )


def test_agency_create_end_before_start(geo, coordinator):
    refused(
        lambda: agency_create(
            acting_user=coordinator,
            name="Sở LĐTBXH",
            kind="department",
            unit=geo.province,
            valid_from=dt.date(2025, 3, 1),
            valid_to=dt.date(2025, 2, 28),
        ),
        "valid_to",
        "An agency cannot end before it begins.",
    )


def test_agency_create_blank_name_and_unknown_kind(geo, coordinator):
    error = refused(
        lambda: agency_create(acting_user=coordinator, name="   ", kind="secret", unit=geo.province),
        "name",
        "This field cannot be blank.",
    )
    assert "is not a valid choice" in " ".join(error.message_dict["kind"])


def test_agency_create_outside_scope(geo, officer_a, coordinator, other_province):
    before = counts()
    with pytest.raises(ScopeError):
        agency_create(acting_user=coordinator, name="Sở Y tế", kind="department", unit=other_province)
    with pytest.raises(ScopeError):  # officers do not register agencies
        agency_create(acting_user=officer_a, name="Hội Nông dân", kind="mass_org", unit=geo.commune_a)
    assert counts() == before


def test_agency_update(geo, coordinator):
    agency_update(acting_user=coordinator, agency=geo.agency_a, phone="0236 3822 000", short_name="UBND An")
    fresh = Agency.objects.get(pk=geo.agency_a.pk)
    assert (fresh.phone, fresh.short_name) == ("0236 3822 000", "UBND An")
    assert AuditEvent.objects.get().changes == {"phone": ["", "0236 3822 000"], "short_name": ["", "UBND An"]}


def test_agency_update_end_before_start(geo, coordinator):
    agency = AgencyFactory(name="Hội Chữ thập đỏ", kind="mass_org", unit=geo.commune_a, valid_from=REORG)
    refused(
        lambda: agency_update(acting_user=coordinator, agency=agency, valid_to=dt.date(2025, 6, 1)),
        "valid_to",
        "An agency cannot end before it begins.",
    )
    assert Agency.objects.get(pk=agency.pk).valid_to is None


def test_agency_update_cannot_move_it_out_of_scope(geo, coordinator, other_province):
    before = counts()
    with pytest.raises(ScopeError):
        agency_update(acting_user=coordinator, agency=geo.agency_a, unit=other_province.commune)
    assert counts() == before
    assert Agency.objects.get(pk=geo.agency_a.pk).unit == geo.commune_a


def test_agency_succeed(geo, coordinator):
    links = agency_succeed(
        acting_user=coordinator,
        predecessor=geo.agency_a,
        successors=[geo.department],
        effective=REORG,
        note="Sáp nhập",
    )
    assert [(s.predecessor, s.successor, s.effective) for s in links] == [
        (geo.agency_a, geo.department, REORG)
    ]
    assert Agency.objects.get(pk=geo.agency_a.pk).valid_to == dt.date(2025, 6, 30)
    assert list(geo.agency_a.successors.all()) == [geo.department]
    event = AuditEvent.objects.get()
    assert event.action == "accounts.agency.succeeded"
    assert event.changes == {"valid_to": [None, "2025-06-30"], "successors": [None, [geo.department.pk]]}


def test_agency_cannot_succeed_itself(geo, coordinator):
    refused(
        lambda: agency_succeed(
            acting_user=coordinator,
            predecessor=geo.agency_a,
            successors=[geo.agency_a, geo.department],
            effective=REORG,
        ),
        "successors",
        "An agency cannot succeed itself.",
    )
    assert Agency.objects.get(pk=geo.agency_a.pk).valid_to is None


def test_agency_succession_needs_a_successor(geo, coordinator):
    refused(
        lambda: agency_succeed(
            acting_user=coordinator, predecessor=geo.agency_a, successors=[], effective=REORG
        ),
        "successors",
        "Choose at least one successor agency.",
    )


def test_agency_succession_before_the_agency_began(geo, coordinator):
    young = AgencyFactory(name="Sở Nội vụ", kind="department", unit=geo.province, valid_from=REORG)
    refused(
        lambda: agency_succeed(
            acting_user=coordinator, predecessor=young, successors=[geo.department], effective=REORG
        ),
        "effective",
        "An agency cannot end before it begins.",
    )
    assert Agency.objects.get(pk=young.pk).valid_to is None


def test_agency_succession_outside_scope(geo, officer_a, coordinator, other_province):
    far = AgencyFactory(name="Sở Y tế Tỉnh Khác", kind="department", unit=other_province)
    before = counts()
    with pytest.raises(ScopeError):
        agency_succeed(acting_user=coordinator, predecessor=far, successors=[geo.department], effective=REORG)
    with pytest.raises(ScopeError):
        agency_succeed(
            acting_user=officer_a, predecessor=geo.agency_a, successors=[geo.department], effective=REORG
        )
    assert counts() == before

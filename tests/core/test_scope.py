"""The one place where scope is enforced: ``restrict``, ``unit_in_scope`` and ``scope_require``."""

import pytest
from django.contrib.auth.models import AnonymousUser, Permission
from django.core.exceptions import PermissionDenied

from tests.factories import UserFactory, VillageFactory
from treem.accounts.models import Agency, AgencySuccession, User
from treem.core.scope import (
    RestrictedQuerySet,
    ScopeError,
    permission_name,
    scope_q,
    scope_require,
    unit_in_scope,
    user_scope_paths,
)
from treem.geo.models import Unit, UnitSuccession

# --- restrict ---------------------------------------------------------------------------------


def test_restrict_keeps_the_users_units_and_everything_below(geo, officer_a, coordinator):
    hamlet = VillageFactory(name="Xóm Nhỏ", parent=geo.commune_a)
    assert set(Unit.objects.restrict(officer_a, "view")) == {geo.commune_a, geo.village_a, hamlet}
    assert set(Unit.objects.restrict(coordinator, "view")) == {
        geo.province,
        geo.commune_a,
        geo.commune_b,
        geo.village_a,
        geo.village_b,
        hamlet,
    }


def test_restrict_applies_to_records_owned_by_a_unit(geo, officer_a):
    assert list(Agency.objects.restrict(officer_a, "view")) == [geo.agency_a]
    # Successions are scoped by their new unit.
    assert {s.predecessor for s in UnitSuccession.objects.restrict(officer_a, "view")} == {
        geo.old_1,
        geo.old_2,
    }


def test_restrict_by_action_needs_that_permission(geo, officer_a, coordinator):
    assert Unit.objects.restrict(officer_a, "add").exists()
    assert not Unit.objects.restrict(officer_a, "delete").exists()  # officers do not retire villages
    assert Unit.objects.restrict(coordinator, "delete").exists()


@pytest.mark.parametrize("action", ["view", "add", "change", "delete"])
def test_restrict_fails_closed_for_a_user_without_unit(geo, officer_no_unit, action):
    assert officer_no_unit.has_perm("geo.view_unit")
    assert list(Unit.objects.restrict(officer_no_unit, action)) == []
    assert list(Agency.objects.restrict(officer_no_unit, action)) == []


def test_restrict_fails_closed_for_an_inactive_user(geo, officer_a):
    assert Unit.objects.restrict(officer_a, "view").exists()
    officer_a.is_active = False
    assert list(Unit.objects.restrict(officer_a, "view")) == []


@pytest.mark.parametrize("user", [None, AnonymousUser()], ids=["none", "anonymous"])
def test_restrict_fails_closed_for_nobody(geo, user):
    assert list(Unit.objects.restrict(user, "view")) == []


def test_restrict_needs_the_model_permission_even_with_a_unit(geo, no_role_a):
    assert user_scope_paths(no_role_a) == [geo.commune_a.path]
    assert list(Unit.objects.restrict(no_role_a, "view")) == []


def test_seeing_all_units_still_needs_the_permission(geo):
    everywhere_no_role = UserFactory(username="khap_noi", sees_all_units=True)
    assert list(Unit.objects.restrict(everywhere_no_role, "view")) == []
    everywhere_viewer = UserFactory(username="bo", sees_all_units=True, roles=["viewer"])
    assert Unit.objects.restrict(everywhere_viewer, "view").count() == Unit.objects.count()


def test_unknown_action_raises(geo, admin):
    with pytest.raises(ValueError, match="Unknown action 'export'"):
        Unit.objects.restrict(admin, "export")


def test_unknown_action_raises_even_for_nobody(geo):
    with pytest.raises(ValueError, match="Unknown action"):
        Unit.objects.restrict(None, "View")


def test_model_without_declared_scope_raises_type_error(geo, admin):
    # AgencySuccession declares no scope_path_lookup; restricting it must not show every row.
    with pytest.raises(TypeError, match="AgencySuccession declares no scope_path_lookup"):
        RestrictedQuerySet(model=AgencySuccession).restrict(admin, "view")


def test_empty_scope_lookup_means_reference_data_seen_by_permission_alone(
    geo, officer_a, no_role_a, monkeypatch
):
    monkeypatch.setattr(UnitSuccession, "scope_path_lookup", "")
    assert UnitSuccession.objects.restrict(officer_a, "view").count() == UnitSuccession.objects.count()
    assert list(UnitSuccession.objects.restrict(no_role_a, "view")) == []


def test_scope_through_a_to_many_relation_gives_each_row_once(geo, coordinator, officer_a):
    both = UserFactory(username="hai_xa", roles=["commune_officer"], units=[geo.commune_a, geo.commune_b])
    visible = User.objects.restrict(coordinator, "view")
    # Two matching assignments, one row: restrict() filters through a subquery.
    assert list(visible.filter(pk=both.pk)) == [both]
    assert visible.filter(pk=both.pk).count() == 1
    assert officer_a in visible


def test_scope_q_is_none_only_for_users_who_see_all(geo, admin, officer_a, officer_no_unit):
    assert scope_q(admin, "path") is None
    assert scope_q(officer_a, "path") is not None
    assert Unit.objects.filter(scope_q(officer_no_unit, "path")).count() == 0


# --- unit_in_scope ----------------------------------------------------------------------------


def test_unit_in_scope_includes_descendants_not_ancestors_or_siblings(geo, officer_a, coordinator):
    hamlet = VillageFactory(name="Xóm Sâu", parent=geo.village_a)
    assert unit_in_scope(officer_a, geo.commune_a)
    assert unit_in_scope(officer_a, geo.village_a)
    assert unit_in_scope(officer_a, hamlet)
    assert not unit_in_scope(officer_a, geo.province)
    assert not unit_in_scope(officer_a, geo.commune_b)
    assert not unit_in_scope(officer_a, geo.village_b)
    assert unit_in_scope(coordinator, hamlet)
    assert not unit_in_scope(coordinator, geo.old_2)


def test_unit_in_scope_compares_whole_path_segments(geo, officer_a):
    # Unit 1 must not cover unit 12: paths end with a slash so "/1/" is no prefix of "/12/".
    officer_a._scope_paths = ["/1/"]
    assert unit_in_scope(officer_a, Unit(path="/1/5/"))
    assert not unit_in_scope(officer_a, Unit(path="/12/"))
    assert not unit_in_scope(officer_a, Unit(path="/12/1/"))


def test_unit_in_scope_refuses_by_default(geo, admin, officer_a, officer_no_unit):
    assert not unit_in_scope(officer_a, None)
    assert not unit_in_scope(None, geo.commune_a)
    assert not unit_in_scope(AnonymousUser(), geo.commune_a)
    assert not unit_in_scope(officer_no_unit, geo.commune_a)
    assert unit_in_scope(admin, geo.old_2)
    admin.is_active = False
    assert not unit_in_scope(admin, geo.old_2)


# --- scope_require ----------------------------------------------------------------------------


def test_scope_require_passes_with_permission_and_unit_in_scope(geo, officer_a):
    scope_require(officer_a, geo.village_a, "geo.change_unit")  # no exception


@pytest.mark.parametrize(
    ("persona", "unit", "perm"),
    [
        ("officer_a", "commune_b", "geo.add_unit"),  # out of scope
        ("officer_a", "province", "geo.add_unit"),  # above the user's unit
        ("officer_a", "village_a", "geo.delete_unit"),  # no permission
        ("officer_a", None, "geo.add_unit"),  # no unit at all
        ("no_role_a", "commune_a", "geo.add_unit"),
        ("officer_no_unit", "commune_a", "geo.add_unit"),
    ],
)
def test_scope_require_refuses(request, geo, persona, unit, perm):
    user = request.getfixturevalue(persona)
    with pytest.raises(ScopeError) as info:
        scope_require(user, getattr(geo, unit) if unit else None, perm)
    assert isinstance(info.value, PermissionDenied)  # views turn it into 403/404


def test_scope_require_refuses_anonymous(geo):
    with pytest.raises(ScopeError):
        scope_require(AnonymousUser(), geo.commune_a, "geo.view_unit")


def test_scope_require_with_a_direct_permission(geo):
    """Permissions granted to the user directly (not through a role) count too."""
    user = UserFactory(username="truc_tiep", units=[geo.commune_b])
    with pytest.raises(ScopeError):
        scope_require(user, geo.commune_b, "geo.add_unit")
    user.user_permissions.add(Permission.objects.get(codename="add_unit", content_type__app_label="geo"))
    user = User.objects.get(pk=user.pk)  # permissions are cached on the instance
    scope_require(user, geo.commune_b, "geo.add_unit")
    with pytest.raises(ScopeError):
        scope_require(user, geo.commune_a, "geo.add_unit")


def test_permission_name():
    assert permission_name(Unit, "view") == "geo.view_unit"
    assert permission_name(AgencySuccession, "add") == "accounts.add_agencysuccession"

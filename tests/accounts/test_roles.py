"""Roles are Django groups whose permissions are exactly what ``treem.accounts.roles`` declares."""

import io

import pytest
from django.apps import apps
from django.contrib.auth.models import Group, Permission
from django.core.management import call_command

from treem.accounts import roles as roles_module
from treem.accounts.roles import ROLES, ROLES_BY_SLUG, Role, role_label, sync_roles, sync_roles_after_migrate


def declared(role: Role) -> set[str]:
    if role.permissions == ("*",):
        return {
            f"{p.content_type.app_label}.{p.codename}"
            for p in Permission.objects.select_related("content_type")
        } - roles_module.NAMED_ONLY
    return set(role.permissions)


def test_all_permissions_leave_out_those_given_only_by_name(db):
    """ "*" (the administrator) does not give exact case statistics beyond one's groups."""
    sync_roles()
    admin = held(Group.objects.get(name="system_admin"))
    assert "cases.view_exact_statistics" in roles_module.NAMED_ONLY
    assert "cases.view_case" in admin and not admin & roles_module.NAMED_ONLY


def held(group: Group) -> set[str]:
    return {
        f"{p.content_type.app_label}.{p.codename}" for p in group.permissions.select_related("content_type")
    }


def snapshot_groups() -> dict[str, set[int]]:
    return {g.name: set(g.permissions.values_list("pk", flat=True)) for g in Group.objects.all()}


def test_each_group_has_exactly_its_declared_permissions(db):
    sync_roles()
    assert set(Group.objects.values_list("name", flat=True)) == {r.slug for r in ROLES}
    for role in ROLES:
        assert held(Group.objects.get(name=role.slug)) == declared(role), role.slug


def test_sync_roles_is_idempotent(db):
    first = snapshot_groups()
    group_ids = set(Group.objects.values_list("pk", flat=True))
    sync_roles()
    sync_roles()
    assert snapshot_groups() == first
    assert set(Group.objects.values_list("pk", flat=True)) == group_ids


def test_sync_roles_removes_extra_and_restores_missing_permissions(db):
    officer = Group.objects.get(name="commune_officer")
    officer.permissions.add(Permission.objects.get(codename="delete_unit"))
    officer.permissions.remove(Permission.objects.get(codename="add_unit"))
    Group.objects.get(name="viewer").delete()
    sync_roles()
    assert held(Group.objects.get(name="commune_officer")) == declared(ROLES_BY_SLUG["commune_officer"])
    assert held(Group.objects.get(name="viewer")) == declared(ROLES_BY_SLUG["viewer"])


def test_unknown_permission_names_raise_and_change_nothing(db, monkeypatch):
    before = snapshot_groups()
    bad = (
        Role("first", "First", "", ("geo.view_unit",)),
        Role("broken", "Broken", "", ("geo.view_unit", "geo.fly_unit", "nowhere.view_thing")),
    )
    monkeypatch.setattr(roles_module, "ROLES", bad)
    with pytest.raises(
        LookupError, match=r"broken names unknown permissions: geo\.fly_unit, nowhere\.view_thing"
    ):
        sync_roles()
    assert snapshot_groups() == before  # the "first" group was rolled back with the rest


def test_roles_table_names_only_existing_permissions(db):
    for role in ROLES:
        roles_module._permissions_for(role)  # raises LookupError on a typo


def test_only_the_system_administrator_sees_all_units():
    assert [r.slug for r in ROLES if r.sees_all_units] == ["system_admin"]


def test_sync_roles_command(db):
    out = io.StringIO()
    call_command("sync_roles", stdout=out)
    lines = out.getvalue().splitlines()
    assert len(lines) == len(ROLES)
    viewer = ROLES_BY_SLUG["viewer"]
    assert f"viewer: {len(viewer.permissions)} permissions" in lines


def test_post_migrate_hook_runs_only_after_the_last_app(db):
    Group.objects.get(name="viewer").permissions.clear()
    sync_roles_after_migrate(apps.get_app_config("auth"))
    assert held(Group.objects.get(name="viewer")) == set()
    sync_roles_after_migrate(list(apps.get_app_configs())[-1])
    assert held(Group.objects.get(name="viewer")) == declared(ROLES_BY_SLUG["viewer"])


def test_role_label():
    assert role_label("commune_officer") == str(ROLES_BY_SLUG["commune_officer"].label)
    assert role_label("retired_role") == "retired_role"

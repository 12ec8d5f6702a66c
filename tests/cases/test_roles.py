"""The case roles hold the case permissions, and the coordinator can still grant them."""

import pytest

from treem.accounts.roles import ROLES_BY_SLUG
from treem.accounts.services import user_create


@pytest.mark.parametrize("role", ["case_worker", "case_supervisor", "hotline_officer", "commune_officer"])
def test_the_coordinator_grants_the_case_roles(geo, coordinator, role):
    user = user_create(
        acting_user=coordinator,
        username=f"moi_{role}",
        full_name="Cán Bộ Mới",
        password="Mat-khau-rat-dai-2026!",
        roles=[role],
        units=[geo.commune_a],
    )
    assert user.role_names == [role]


def test_who_holds_what():
    perms = {slug: set(role.permissions) for slug, role in ROLES_BY_SLUG.items()}
    assert (
        "cases.add_report" in perms["hotline_officer"] and "cases.view_case" not in perms["hotline_officer"]
    )
    assert {"cases.view_case", "cases.change_case"} <= perms["case_worker"]
    assert (
        "cases.approve_case" not in perms["case_worker"]
        and "cases.approve_case" not in perms["commune_officer"]
    )
    assert {"cases.approve_case", "cases.view_caseaccess"} <= perms["case_supervisor"]
    assert not any(p.startswith("cases.") for p in perms["viewer"])
    # One grants only what one holds: the coordinator holds every case permission of the roles.
    for slug in ("case_worker", "case_supervisor", "hotline_officer", "commune_officer"):
        assert perms[slug] <= perms["provincial_coordinator"], slug

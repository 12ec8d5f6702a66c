"""The staffing dashboard: communes against the norms, in the user's scope only."""

import datetime as dt

from tests.factories import VillageFactory
from treem.workforce import selectors, services
from treem.workforce.models import StaffingNorm


def rows_by_name(user):
    return {row.commune.name: row for row in selectors.staffing_dashboard(user=user)}


def test_commune_without_officer_and_village_without_collaborator_are_flagged(
    coordinator, geo, officer_staff_a, collaborator_a
):
    rows = rows_by_name(coordinator)
    assert set(rows) == {"Phường An", "Xã Bình"}  # the old (ended) communes are not listed
    a, b = rows["Phường An"], rows["Xã Bình"]
    assert not a.flagged
    assert (a.status("commune_officer").have, a.status("commune_officer").missing) == (1, 0)
    assert b.flagged
    assert (b.status("commune_officer").have, b.status("commune_officer").missing) == (0, 1)
    assert (b.status("village_collaborator").needed, b.status("village_collaborator").missing) == (1, 1)


def test_collaborators_are_counted_village_by_village(officer_a, geo, officer_staff_a, collaborator_a):
    VillageFactory(name="Thôn Ba", parent=geo.commune_a)
    # A second collaborator in the first village does not cover the new one.
    services.staff_create(
        acting_user=officer_a,
        unit=geo.village_a,
        full_name="Lê Thị Hai",
        position="village_collaborator",
        since=dt.date(2024, 1, 1),
    )
    row = rows_by_name(officer_a)["Phường An"]
    status = row.status("village_collaborator")
    assert (row.villages, status.have, status.needed, status.missing) == (2, 2, 2, 1)
    assert row.flagged


def test_staff_who_left_do_not_count(officer_a, geo, officer_staff_a, collaborator_a):
    services.staff_update(acting_user=officer_a, staff=officer_staff_a, until=dt.date(2025, 12, 31))
    row = rows_by_name(officer_a)["Phường An"]
    assert row.status("commune_officer").have == 0
    assert row.flagged


def test_norms_are_configuration(coordinator, geo, officer_staff_a, collaborator_a):
    norm = StaffingNorm.objects.get(code="commune_officer")
    services.norm_update(acting_user=coordinator, norm=norm, minimum=2)
    assert rows_by_name(coordinator)["Phường An"].status("commune_officer").missing == 1
    services.norm_update(acting_user=coordinator, norm=norm, active=False)
    assert rows_by_name(coordinator)["Phường An"].status("commune_officer") is None


def test_officer_sees_only_own_commune(officer_a, officer_b, officer_no_unit, geo):
    assert set(rows_by_name(officer_a)) == {"Phường An"}
    assert set(rows_by_name(officer_b)) == {"Xã Bình"}
    assert rows_by_name(officer_no_unit) == {}

"""Who sees what in funding: sponsorships by the child's commune, donors from above and below,
budget totals by unit, and nothing for users without a unit."""

import datetime as dt

import pytest
from django.urls import reverse

from tests.factories import ChildFactory
from treem.funding import selectors, services
from treem.funding.models import BudgetLine, Donor, Sponsorship


@pytest.fixture
def sponsorship_a(officer_a, donor_a, child_a):
    return services.sponsorship_create(
        acting_user=officer_a, sponsor=donor_a, child=child_a, starts_on=dt.date(2026, 1, 1)
    )


def test_sponsorships_are_scoped_by_the_childs_commune(
    sponsorship_a, officer_a, officer_b, coordinator, viewer, officer_no_unit
):
    assert list(Sponsorship.objects.restrict(officer_a)) == [sponsorship_a]
    assert list(Sponsorship.objects.restrict(coordinator)) == [sponsorship_a]
    for user in (officer_b, viewer, officer_no_unit):
        assert not Sponsorship.objects.restrict(user).exists()


def test_a_child_who_moves_takes_the_sponsorship_along(sponsorship_a, child_a, officer_a, officer_b, geo):
    child_a.commune = geo.commune_b
    child_a.save()
    assert not Sponsorship.objects.restrict(officer_a).exists()
    assert list(Sponsorship.objects.restrict(officer_b)) == [sponsorship_a]


def test_donor_of_the_province_is_seen_by_communes_below(coordinator, officer_a, officer_b, geo):
    provincial = services.donor_create(
        acting_user=coordinator, unit=geo.province, kind="organisation", name="Quỹ tỉnh"
    )
    commune = services.donor_create(
        acting_user=officer_a, unit=geo.commune_a, kind="individual", name="Bà Ba"
    )
    assert set(Donor.objects.restrict(officer_a)) == {provincial, commune}
    assert set(Donor.objects.restrict(officer_b)) == {provincial}
    assert set(Donor.objects.restrict(coordinator)) == {provincial, commune}
    # Seeing is not changing: a commune may not change the province's donor.
    assert set(Donor.objects.restrict(officer_a, "change")) == {commune}


def test_donor_page_lists_only_sponsorships_in_scope(client, coordinator, officer_b, geo):
    """A provincial donor sponsors a child of commune A: commune B's officer sees the donor, not
    the child."""
    provincial = services.donor_create(
        acting_user=coordinator, unit=geo.province, kind="business", name="Tập đoàn"
    )
    child = ChildFactory(commune=geo.commune_a, full_name="Nguyễn Bé Na", birth_year=2019)
    services.sponsorship_create(
        acting_user=coordinator, sponsor=provincial, child=child, starts_on=dt.date(2026, 1, 1)
    )
    client.force_login(officer_b)
    page = client.get(reverse("funding:donor_detail", args=[provincial.pk]))
    assert page.status_code == 200
    assert "Nguyễn Bé Na" not in page.content.decode()
    assert list(page.context["sponsorships"]) == []
    client.force_login(coordinator)
    assert (
        "Nguyễn Bé Na" in client.get(reverse("funding:donor_detail", args=[provincial.pk])).content.decode()
    )


def test_sponsorship_search_by_name_finds_nothing_outside_scope(client, sponsorship_a, officer_b):
    client.force_login(officer_b)
    page = client.get(reverse("funding:sponsorship_list"), {"q": "Mai"})
    assert list(page.context["object_list"]) == []
    assert "Lò Thị Mai" not in page.content.decode()


def test_budget_totals_by_unit_and_priority(coordinator, viewer, officer_a, reporter, geo, line):
    services.priority_area_add(acting_user=coordinator, unit=geo.commune_a, reason="Vùng khó khăn")
    services.budget_line_create(
        acting_user=coordinator,
        agency=geo.department,
        unit=geo.commune_b,
        programme=None,
        year=2026,
        source="state_provincial",
        title="Xã Bình",
        planned_vnd=3_000_000,
    )
    totals = selectors.budget_totals(user=viewer, year=2026)
    assert totals.total.planned == 15_000_000
    assert totals.total.allocated == 10_000_000
    assert totals.priority.allocated == 10_000_000 and totals.priority.planned == 12_000_000
    by_unit = {row.key.name: row for row in totals.by_unit}
    assert by_unit["Phường An"].priority and not by_unit["Xã Bình"].priority
    assert totals.by_unit[0].key == geo.commune_a  # priority areas first
    assert [u.name for u in totals.priority_units] == ["Phường An"]
    assert selectors.budget_totals(user=viewer, year=2025).total.lines == 0
    # The officer may not see totals; the reporter sees the province's.
    assert not selectors.may_see_totals(officer_a)
    assert selectors.budget_totals(user=reporter, year=2026).total.lines == 2


def test_totals_of_a_commune_user_hold_only_their_units(geo, line, coordinator):
    from tests.factories import UserFactory

    commune_viewer = UserFactory(username="xem_b", roles=["viewer"], units=[geo.commune_b])
    assert selectors.budget_totals(user=commune_viewer, year=2026).total.lines == 0
    assert BudgetLine.objects.restrict(commune_viewer).count() == 0

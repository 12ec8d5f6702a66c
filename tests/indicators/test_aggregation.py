"""Totals up the hierarchy: counts summed, ratios recomputed from summed parts, under the units
of the period or under today's units after the 2025 reorganisation."""

from decimal import Decimal

import pytest

from tests.conftest import REORG
from tests.indicators.conftest import enter
from treem.geo import reorganisation
from treem.geo.models import UnitMove
from treem.indicators import selectors, services
from treem.indicators.models import IndicatorValue, Target
from treem.indicators.reference import CATALOGUE


@pytest.fixture
def figures_2026(officer_a, officer_b, geo):
    enter(officer_a, geo.commune_a, "2026", PAC_IMMUNISED=(90, 100), PAC_DROWNING=2)
    enter(officer_b, geo.commune_b, "2026", PAC_IMMUNISED=(45, 60), PAC_DROWNING=3)


@pytest.fixture
def figures_2024(admin, geo):
    enter(admin, geo.old_1, "2024", PAC_IMMUNISED=(30, 40), PAC_DROWNING=4)
    enter(admin, geo.old_2, "2024", PAC_IMMUNISED=(20, 20), PAC_DROWNING=6)


def test_counts_are_summed_and_ratios_recomputed(coordinator, geo, ind, figures_2026):
    placed = selectors.placed_values(user=coordinator, indicator=ind.PAC_IMMUNISED, period="2026")
    total = placed.total(geo.province)
    assert (total.numerator, total.denominator, total.reported) == (135, 160, 2)
    # 135 / 160 = 84.375 %, not the average of 90 % and 75 % (82.5 %).
    assert total.value(ind.PAC_IMMUNISED) == Decimal("84.38")
    by_child = placed.by_child(geo.province)
    assert [(u.name, s.value(ind.PAC_IMMUNISED)) for u, s in by_child.items()] == [
        ("Phường An", Decimal("90.00")),
        ("Xã Bình", Decimal("75.00")),
    ]
    drowning = selectors.placed_values(user=coordinator, indicator=ind.PAC_DROWNING, period="2026")
    assert drowning.total(geo.province).value(ind.PAC_DROWNING) == 5


def test_a_commune_officer_totals_only_their_commune(officer_a, geo, ind, figures_2026):
    placed = selectors.placed_values(user=officer_a, indicator=ind.PAC_IMMUNISED, period="2026")
    assert placed.total(geo.province).value(ind.PAC_IMMUNISED) == 90


def test_old_units_under_the_period_and_under_today(admin, geo, ind, figures_2024):
    period = selectors.placed_values(user=admin, indicator=ind.PAC_IMMUNISED, period="2024", under="period")
    assert period.total(geo.old_province).value(ind.PAC_IMMUNISED) == Decimal("83.33")  # 50 / 60
    assert period.total(geo.old_district).numerator == 50
    assert period.total(geo.province).reported == 0
    at_province = period.at_level("province")
    assert at_province[geo.old_province].numerator == 50 and at_province[geo.old_province].denominator == 60

    today = selectors.placed_values(user=admin, indicator=ind.PAC_DROWNING, period="2024", under="today")
    # Xã Cũ Một went wholly into Phường An; Xã Cũ Hai was split and waits for a decision.
    assert today.total(geo.province).value(ind.PAC_DROWNING) == 4
    assert {u.name: s.numerator for u, s in today.by_child(geo.province).items()} == {"Phường An": 4}
    assert [v.unit for v in today.unplaced] == [geo.old_2]


def test_after_the_reorganisation_the_new_province_sees_old_figures(
    admin, coordinator, geo, ind, figures_2024
):
    reorganisation.reorganise(effective=REORG, acting_user=admin)
    moved = IndicatorValue.objects.filter(unit=geo.old_1)
    assert {v.scope_unit for v in moved} == {geo.commune_a}
    assert UnitMove.objects.filter(old_unit=geo.old_1, new_unit=geo.commune_a).count() == 2
    # Under the units of 2024 the figure stays with the old commune and province.
    period = selectors.placed_values(
        user=coordinator, indicator=ind.PAC_DROWNING, period="2024", under="period"
    )
    assert period.total(geo.old_province).numerator == 4
    assert period.total(geo.province).reported == 0
    today = selectors.placed_values(
        user=coordinator, indicator=ind.PAC_DROWNING, period="2024", under="today"
    )
    assert today.total(geo.province).numerator == 4
    table = {
        r.indicator.code: r
        for r in selectors.indicator_table(user=coordinator, unit=geo.province, year=2024, under="today")
    }
    assert table["PAC_DROWNING"].actual == 4 and table["PAC_IMMUNISED"].actual == 75


def test_indicator_table_against_targets(coordinator, approver, geo, ind, figures_2026):
    services.target_set(
        acting_user=coordinator,
        indicator=ind.PAC_IMMUNISED,
        unit=geo.province,
        year=2026,
        target=90,
        baseline=80,
        baseline_year=2025,
    )
    services.target_set(
        acting_user=coordinator, indicator=ind.PAC_DROWNING, unit=geo.province, year=2026, target=4
    )
    services.target_set(
        acting_user=coordinator, indicator=ind.PAC_PRIMARY, unit=geo.province, year=2026, target=97
    )
    # Drafts count nowhere: no target, no baseline, no light until a second person approves them.
    rows = {
        r.indicator.code: r for r in selectors.indicator_table(user=coordinator, unit=geo.province, year=2026)
    }
    assert rows["PAC_IMMUNISED"].actual == Decimal("84.38")
    assert all((r.target, r.baseline, r.light) == (None, None, "") for r in rows.values())
    services.target_approve_many(acting_user=approver, targets=Target.objects.filter(year=2026))
    rows = {
        r.indicator.code: r for r in selectors.indicator_table(user=coordinator, unit=geo.province, year=2026)
    }
    immunised = rows["PAC_IMMUNISED"]
    assert (immunised.target, immunised.baseline, immunised.actual) == (90, 80, Decimal("84.38"))
    assert (immunised.numerator, immunised.denominator, immunised.reported) == (135, 160, 2)
    assert immunised.light == "amber"  # within 10 % of 90
    assert rows["PAC_DROWNING"].light == "red"  # 5 against at most 4 (lower is better)
    assert rows["PAC_PRIMARY"].actual is None and rows["PAC_PRIMARY"].light == ""
    assert len(rows) == len(CATALOGUE) == 45  # one row per active indicator of the catalogue


def test_traffic_light():
    from treem.indicators.models import Indicator

    up, down = Indicator(higher_is_better=True), Indicator(higher_is_better=False)
    assert selectors.traffic_light(up, Decimal(99), Decimal(98)) == "green"
    assert selectors.traffic_light(up, Decimal(90), Decimal(98)) == "amber"
    assert selectors.traffic_light(up, Decimal(80), Decimal(98)) == "red"
    assert selectors.traffic_light(down, Decimal(4), Decimal(4)) == "green"
    assert selectors.traffic_light(down, Decimal("4.3"), Decimal(4)) == "amber"
    assert selectors.traffic_light(down, Decimal(5), Decimal(4)) == "red"
    assert selectors.traffic_light(up, None, Decimal(4)) == ""


def test_child_friendly_ranking(coordinator, officer_a, officer_b, geo):
    scores_a = {f"CFC_{n:02d}": 70 for n in range(1, 14)}  # 910
    scores_b = {f"CFC_{n:02d}": 70 for n in range(1, 13)} | {"CFC_13": 0}  # 840, one criterion at 0
    enter(officer_a, geo.commune_a, "2026", **scores_a)
    enter(officer_b, geo.commune_b, "2026", **scores_b)
    ranking = selectors.child_friendly_ranking(user=coordinator, unit=geo.province, year=2026)
    assert [(r.unit.name, r.total, r.threshold, r.passed) for r in ranking] == [
        ("Phường An", 910, 900, True),  # a ward of a city province: 900
        ("Xã Bình", 840, 850, False),
    ]
    assert ranking[1].reasons == ["criteria without points: 13", "total below 850"]
    services.category_set(acting_user=coordinator, unit=geo.commune_b, category="disadvantaged")
    ranking = selectors.child_friendly_ranking(user=coordinator, unit=geo.province, year=2026)
    assert ranking[1].threshold == 800 and ranking[1].reasons == ["criteria without points: 13"]


def test_export_rows(coordinator, geo, figures_2026):
    rows = selectors.export_rows(user=coordinator, period="2026")
    immunised = [r for r in rows if r["indicator"] == "PAC_IMMUNISED"]
    assert [(r["unit_code"], r["numerator"], r["denominator"], r["value"]) for r in immunised] == [
        ("20001", 90, 100, Decimal("90.00")),
        ("20002", 45, 60, Decimal("75.00")),
    ]

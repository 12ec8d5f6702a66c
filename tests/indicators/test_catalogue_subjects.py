"""The plan's subjects that the national programmes define are in the catalogue, each with its
legal basis and the right direction; loading the catalogue again changes nothing."""

from __future__ import annotations

import pytest
from django.db.models import Count

from treem.indicators.models import Indicator
from treem.indicators.reference import CATALOGUE, load_catalogue

pytestmark = pytest.mark.django_db

# code: (legal basis the source must name, higher is better)
SUBJECTS = {
    "PAC_STUNTING": ("02/QĐ-TTg", False),
    "PAC_UNDERWEIGHT": ("02/QĐ-TTg", False),
    "PAC_CHILD_LABOUR": ("782/QĐ-TTg", False),
    "PAC_DROWNING": ("1248/QĐ-TTg", False),
    "PAC_SWIMMING": ("1248/QĐ-TTg", True),
    "PAC_CONFLICT_LAW": ("Luật Tư pháp người chưa thành niên", False),
    "PAC_LEGAL_AID": ("Luật Trợ giúp pháp lý 2017", True),
    "PROV_FRIENDLY_ROOMS": ("Luật Tư pháp người chưa thành niên", True),
}


@pytest.mark.parametrize(("code", "basis", "higher"), [(c, *v) for c, v in SUBJECTS.items()])
def test_each_new_subject_has_its_source_and_direction(code, basis, higher):
    indicator = Indicator.objects.get(code=code)
    assert indicator.is_active and indicator.name and indicator.definition
    assert basis in indicator.source
    assert indicator.higher_is_better is higher
    assert indicator.responsible_agency


def test_malnutrition_is_two_percentages_of_children_under_five():
    for code in ("PAC_STUNTING", "PAC_UNDERWEIGHT"):
        indicator = Indicator.objects.get(code=code)
        assert (indicator.kind, indicator.multiplier) == ("percentage", 100)
        assert "dưới 5 tuổi" in indicator.name and "dưới 5 tuổi" in indicator.denominator_label


def test_child_friendly_rooms_are_counted_by_the_provincial_police():
    rooms = Indicator.objects.get(code="PROV_FRIENDLY_ROOMS")
    assert (rooms.kind, rooms.unit_of_measure, rooms.programme) == ("count", "phòng", "province")
    assert rooms.responsible_agency == "Công an tỉnh"


def test_drowning_says_where_its_baseline_comes_from():
    drowning = Indicator.objects.get(code="PAC_DROWNING")
    assert "năm gốc 2020" in drowning.definition  # the province's own 2020 count, kept with its target


def test_under_five_mortality_is_not_duplicated():
    """Circular 13 already has it: one indicator, lower is better."""
    (mortality,) = Indicator.objects.filter(name__icontains="tử vong trẻ em dưới 5 tuổi")
    assert mortality.code == "TT13_U5_MORT" and mortality.higher_is_better is False


def test_no_national_target_is_invented_for_the_new_subjects():
    for code in SUBJECTS:
        indicator = Indicator.objects.get(code=code)
        assert (indicator.national_target_2025, indicator.national_target_2030) == ("", "")


def test_names_and_codes_are_unique_and_loading_twice_changes_nothing():
    assert Indicator.objects.count() == len(CATALOGUE)
    assert not Indicator.objects.values("name").annotate(n=Count("pk")).filter(n__gt=1).exists()
    before = {i.code: (i.pk, i.sort_order, i.source, i.higher_is_better) for i in Indicator.objects.all()}
    assert load_catalogue() == (0, 0)
    assert load_catalogue() == (0, 0)
    after = {i.code: (i.pk, i.sort_order, i.source, i.higher_is_better) for i in Indicator.objects.all()}
    assert after == before

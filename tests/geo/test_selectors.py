"""Counting records under today's units or under the units of a past day, and rolling counts up.

Records here are villages (units of level village, grouped by their ``parent`` commune), moved by
the reorganisation of the small test geography (tests/conftest.py).
"""

import pytest
from django.utils import translation

from tests.conftest import BEFORE, REORG
from tests.factories import UserFactory, VillageFactory
from treem.accounts.models import UnitAssignment
from treem.geo.models import PlacementReview, Unit
from treem.geo.reorganisation import reorganise
from treem.geo.selectors import count_by_unit, count_rollup
from treem.geo.services import placement_decide


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


@pytest.fixture
def villages(geo):
    geo.whole = VillageFactory(name="Thôn Nguyên", parent=geo.old_1)  # Xã Cũ Một → Phường An (full)
    geo.split = VillageFactory(name="Thôn Chia", parent=geo.old_2)  # Xã Cũ Hai → An / Bình (partial)
    return geo


def village_counts(**kwargs):
    return count_by_unit(queryset=Unit.objects.filter(level="village"), field="parent", **kwargs)


def test_today_before_the_reorganisation_ran(villages):
    g = villages
    today = village_counts(under="today")
    # The village of the wholly merged commune already counts under its new commune.
    assert today.counts == {g.commune_a: 2, g.commune_b: 1}
    assert today.unplaced == {g.old_2: 1}
    assert today.total == 4


def test_period_before_the_reorganisation_ran(villages):
    g = villages
    period = village_counts(under="period", day=BEFORE)
    assert period.counts == {g.old_1: 1, g.old_2: 1}
    # Villages created on the new communes did not exist in that period's units.
    assert period.unplaced == {g.commune_a: 1, g.commune_b: 1}


def test_after_the_reorganisation_today_and_period(villages):
    g = villages
    reorganise(effective=REORG)
    g.whole.refresh_from_db()
    assert g.whole.parent == g.commune_a
    assert village_counts(under="today").counts == {g.commune_a: 2, g.commune_b: 1}
    assert village_counts(under="today").unplaced == {g.old_2: 1}
    # The moved village counts under its old commune for a day before the move (UnitMove history).
    before = village_counts(under="period", day=BEFORE)
    assert before.counts == {g.old_1: 1, g.old_2: 1}
    on_the_day = village_counts(under="period", day=REORG)
    assert on_the_day.counts == {g.commune_a: 2, g.commune_b: 1}
    assert on_the_day.unplaced == {g.old_2: 1}


def test_a_placed_record_counts_under_its_choice_today_and_its_old_unit_before(villages, admin):
    g = villages
    reorganise(effective=REORG)
    review = PlacementReview.objects.get(object_id=g.split.pk)
    placement_decide(acting_user=admin, review=review, new_unit=g.commune_b)
    assert village_counts(under="today").counts == {g.commune_a: 2, g.commune_b: 2}
    assert village_counts(under="today").unplaced == {}
    assert village_counts(under="period", day=BEFORE).counts == {g.old_1: 1, g.old_2: 1}


def test_rollup_to_province_and_district(villages):
    g = villages
    reorganise(effective=REORG)
    today = village_counts(under="today")
    assert count_rollup(counts=today.counts, level="province") == {g.province: 3}
    # Today's units have no districts: nothing to sum them under.
    assert count_rollup(counts=today.counts, level="district") == {None: 3}
    before = village_counts(under="period", day=BEFORE)
    assert count_rollup(counts=before.counts, level="province") == {g.old_province: 2}
    assert count_rollup(counts=before.counts, level="district") == {g.old_district: 2}
    assert count_rollup(counts=before.counts, level="commune") == {g.old_1: 1, g.old_2: 1}


def test_other_records_and_records_without_a_unit(villages):
    g = villages
    UserFactory(username="a", units=[g.old_1])
    UserFactory(username="b", units=[g.commune_b])
    counts = count_by_unit(queryset=UnitAssignment.objects.all(), field="unit", under="today")
    assert counts.counts == {g.commune_a: 1, g.commune_b: 1}
    top = count_by_unit(queryset=Unit.objects.filter(code="48"), field="parent", under="today")
    assert top.without_unit == 1 and top.counts == {}


def test_the_count_is_a_few_queries(villages, django_assert_max_num_queries):
    for n in range(30):
        VillageFactory(name=f"Thôn Thêm {n}", parent=villages.old_1)
    reorganise(effective=REORG)
    with django_assert_max_num_queries(4):
        assert village_counts(under="period", day=BEFORE).counts[villages.old_1] == 31


def test_bad_arguments(db):
    with pytest.raises(ValueError, match="needs a day"):
        village_counts(under="period")
    with pytest.raises(ValueError, match="Unknown under"):
        village_counts(under="yesterday")

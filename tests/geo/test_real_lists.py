"""The real national lists: the GSO files of ../shared/data/geo and the vietnamadminunits package.

The GSO lists are imported once for the class, inside a transaction that is rolled back when the
class is done (each test then runs in its own savepoint), so the whole file takes seconds.
"""

import time

import pytest
from django.db import transaction
from django.utils import translation

from tests.conftest import BEFORE, REORG, geo_data_dir
from tests.factories import VillageFactory
from treem.geo.importers import read_gso_file, read_package, units_import
from treem.geo.models import PlacementReview, Unit, UnitSuccession
from treem.geo.reorganisation import reorganise

pytestmark = pytest.mark.realgeo

DATA = geo_data_dir()
OLD_LIST = "dvhcvn-2025-03-01.json"
NEW_LIST = "dvhcvn-2025-07-01-merges.json"


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


def by_level(day):
    units = Unit.objects.valid_on(day)
    return {level: units.filter(level=level).count() for level in ("province", "district", "commune")}


def unit(level, code, day):
    return Unit.objects.valid_on(day).get(level=level, code=code)


@pytest.fixture(scope="class")
def gso_lists(django_db_setup, django_db_blocker):
    """Both GSO lists imported once; everything is rolled back after the class."""
    with django_db_blocker.unblock(), transaction.atomic():
        started = time.monotonic()
        old = units_import(snapshot=read_gso_file(DATA / OLD_LIST, effective=REORG))
        new = units_import(snapshot=read_gso_file(DATA / NEW_LIST, effective=REORG))
        seconds = time.monotonic() - started
        yield old, new, seconds
        transaction.set_rollback(True)


@pytest.mark.skipif(
    DATA is None, reason="the national lists of ../shared/data/geo are absent (or set TREEM_GEO_DATA)"
)
@pytest.mark.usefixtures("gso_lists")
class TestGsoLists:
    def test_the_import_is_fast_and_complete(self, db, gso_lists):
        old, new, seconds = gso_lists
        assert seconds < 60
        assert old.created == 63 + 696 + 10_047
        assert new.created == 34 + 3_321
        assert new.successions_created == UnitSuccession.objects.count() > 10_000

    def test_the_three_level_list(self, db):
        assert by_level(BEFORE) == {"province": 63, "district": 696, "commune": 10_047}

    def test_the_two_level_list(self, db):
        assert by_level(REORG) == {"province": 34, "district": 0, "commune": 3_321}

    def test_every_quang_nam_commune_went_into_da_nang(self, db):
        quang_nam = unit("province", "49", BEFORE)
        da_nang = unit("province", "48", REORG)
        communes = Unit.objects.descendants_of(quang_nam).filter(level="commune")
        assert communes.count() == 234
        successions = UnitSuccession.objects.filter(predecessor__in=communes).select_related("successor")
        assert {s.predecessor_id for s in successions} == set(communes.values_list("pk", flat=True))
        assert all(s.successor.path.startswith(da_nang.path) for s in successions)
        assert {p.code for p in Unit.objects.filter(successions__successor=da_nang)} == {"48", "49"}

    def test_da_nang_after(self, db):
        da_nang = unit("province", "48", REORG)
        communes = Unit.objects.descendants_of(da_nang).filter(level="commune")
        assert communes.count() == 94
        assert communes.get(code="20333").kind == "Đặc khu"  # Hoàng Sa, from the old district 498

    def test_a_reused_code_depends_on_the_day(self, db):
        assert unit("commune", "20335", BEFORE).name == "Phường Tân Thạnh"
        assert unit("commune", "20335", REORG).name == "Phường Bàn Thạch"
        assert unit("commune", "20335", BEFORE).ancestors()[0].code == "49"
        assert unit("commune", "20335", REORG).ancestors()[0].code == "48"

    def test_villages_of_quang_nam_are_moved_or_queued(self, db):
        quang_nam = unit("province", "49", BEFORE)
        split = (
            UnitSuccession.objects.filter(kind="partial", predecessor__path__startswith=quang_nam.path)
            .select_related("predecessor")
            .order_by("predecessor__code")
            .first()
            .predecessor
        )
        whole = unit("commune", "20335", BEFORE)  # Tân Thạnh went wholly into Bàn Thạch
        in_split = VillageFactory(name="Thôn Chia", parent=split)
        in_whole = VillageFactory(name="Khối phố Mỹ Thạch Bắc", parent=whole)
        reorganise(effective=REORG)
        in_whole.refresh_from_db()
        ban_thach = unit("commune", "20335", REORG)
        assert in_whole.parent == ban_thach and in_whole.path.startswith(ban_thach.path)
        review = PlacementReview.objects.get(object_id=in_split.pk)
        assert set(review.candidates.all()) == {s.successor for s in split.successions.all()}
        assert len(review.candidates.all()) > 1
        in_split.refresh_from_db()
        assert in_split.parent == split

    def test_importing_again_changes_nothing(self, db):
        again = [
            units_import(snapshot=read_gso_file(DATA / name, effective=REORG))
            for name in (OLD_LIST, NEW_LIST)
        ]
        assert not any(result.changed for result in again)


def test_the_package_lists(db):
    """The vietnamadminunits package with the project's file of the communes it lacks: 63/696/10,047
    and 34/3,321, like the GSO lists.

    The package's legacy table lacks 12 communes of the GSO list of 01/03/2025 (e.g. 07693 Xã Tân
    An of Thành phố Bắc Giang, 20674 Xã Quế Phước of Quảng Nam, 25102 Xã Đạ M'ri of Lâm Đồng);
    geo/data/communes-missing-from-package.yaml adds them. The table also has five rows with no
    commune: island districts without communes, which the map sends to their special zones.
    """
    assert Unit.objects.count() == 0  # the GSO class above was rolled back
    started = time.monotonic()
    result = units_import(snapshot=read_package(effective=REORG))
    assert time.monotonic() - started < 60
    assert by_level(BEFORE) == {"province": 63, "district": 696, "commune": 10_047}
    assert by_level(REORG) == {"province": 34, "district": 0, "commune": 3_321}
    assert result.created == 63 + 696 + 10_047 + 34 + 3_321
    old_communes = Unit.objects.filter(level="commune", valid_to=BEFORE)
    assert not old_communes.filter(successions__isnull=True).exists()
    assert unit("commune", "20335", BEFORE).name == "Phường Tân Thạnh"
    assert unit("commune", "20335", REORG).name == "Phường Bàn Thạch"
    da_nang = unit("province", "48", REORG)
    assert Unit.objects.descendants_of(da_nang).filter(level="commune").count() == 94
    assert not units_import(snapshot=read_package(effective=REORG)).changed

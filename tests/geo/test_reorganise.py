"""The reorganisation: full moves keep history, split units go to review, dry run, idempotency.

Uses the small geography of tests/conftest.py: old commune Xã Cũ Một went wholly into Phường An,
Xã Cũ Hai was split between Phường An and Xã Bình.
"""

import json
from io import StringIO

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.management import call_command
from django.utils import translation

from tests.conftest import BEFORE, REORG
from tests.factories import UserFactory, VillageFactory
from treem.accounts.models import UnitAssignment
from treem.audit.models import AuditEvent
from treem.geo.importers import read_gso_file, units_import
from treem.geo.models import PlacementReview, PlacementStatus, Unit, UnitMove
from treem.geo.reorganisation import plan_reorganisation, reorganise


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


@pytest.fixture
def villages(geo):
    geo.whole = VillageFactory(name="Thôn Nguyên", parent=geo.old_1)
    geo.split = VillageFactory(name="Thôn Chia", parent=geo.old_2)
    return geo


def state():
    return (UnitMove.objects.count(), PlacementReview.objects.count(), AuditEvent.objects.count())


def test_full_move_keeps_the_old_unit_in_history(villages):
    g = villages
    plan = reorganise(effective=REORG)
    g.whole.refresh_from_db()
    assert g.whole.parent == g.commune_a
    assert g.whole.path == f"{g.commune_a.path}{g.whole.pk}/"
    move = UnitMove.objects.get(object_id=g.whole.pk)
    assert (move.content_type, move.field_name) == (ContentType.objects.get_for_model(Unit), "parent")
    assert (move.old_unit, move.new_unit, move.effective) == (g.old_1, g.commune_a, REORG)
    event = AuditEvent.objects.get(action="geo.reorganisation.moved")
    assert event.changes == {
        "record_type": "geo.unit.parent",
        "from_unit": g.old_1.pk,
        "to_unit": g.commune_a.pk,
        "count": 1,
    }
    run = AuditEvent.objects.get(action="geo.reorganisation.run")
    assert run.changes["moved"] == plan.moved_count == 1
    # The old commune itself stays, ended, for history.
    g.old_1.refresh_from_db()
    assert g.old_1.valid_to == BEFORE


def test_split_unit_goes_to_the_review_queue(villages):
    g = villages
    plan = reorganise(effective=REORG)
    review = PlacementReview.objects.get(object_id=g.split.pk)
    assert review.status == PlacementStatus.PENDING
    assert (review.old_unit, review.field_name, review.effective) == (g.old_2, "parent", REORG)
    assert set(review.candidates.all()) == {g.commune_a, g.commune_b}
    assert review.scope_unit == g.province  # the new unit above both candidates decides
    assert review.record_label == "Thôn Chia"
    g.split.refresh_from_db()
    assert g.split.parent == g.old_2  # nothing moves until a person decides
    assert not UnitMove.objects.filter(object_id=g.split.pk).exists()
    assert (plan.review_count, plan.queued) == (1, 1)


def test_assignments_follow_too(villages):
    g = villages
    user = UserFactory(username="cu", units=[g.old_1])
    reorganise(effective=REORG)
    assert list(UnitAssignment.objects.filter(user=user).values_list("unit", flat=True)) == [g.commune_a.pk]


def test_dry_run_writes_nothing(villages):
    g = villages
    before = state()
    out = StringIO()
    call_command("reorganise", "--effective", "2025-07-01", "--dry-run", stdout=out)
    text = out.getvalue()
    assert "Xã Cũ Một (20001) — until 30/06/2025 → Phường An (20001): 1 administrative units" in text
    assert "(geo.unit.parent)" in text
    assert "Xã Cũ Hai (20005) — until 30/06/2025 → one of Phường An (20001), Xã Bình (20002)" in text
    assert f"- Thôn Chia (#{g.split.pk})" in text
    assert "Dry run, nothing written: 1 records would move, 1 records would be reviewed." in text
    assert state() == before
    g.whole.refresh_from_db()
    assert g.whole.parent == g.old_1


def test_second_run_changes_nothing(villages):
    reorganise(effective=REORG)
    before = state()
    paths = dict(Unit.objects.values_list("pk", "path"))
    plan = reorganise(effective=REORG)
    assert (plan.moved_count, plan.review_count, plan.queued) == (0, 1, 0)
    assert state() == before
    assert dict(Unit.objects.values_list("pk", "path")) == paths


def test_command_runs_and_reports(villages):
    out = StringIO()
    call_command("reorganise", stdout=out)  # default date: TREEM_REORGANISATION_DATE
    text = out.getvalue()
    assert "1 records moved, 1 records to review (1 newly queued)." in text
    assert "Records of split units, for the placement review queue:" in text
    out = StringIO()
    call_command("reorganise", "--effective", "2025-07-01", stdout=out)
    assert "0 records moved, 1 records to review (0 newly queued)." in out.getvalue()


def test_command_warns_when_no_successions_take_effect(villages):
    err = StringIO()
    call_command("reorganise", "--effective", "2030-01-01", "--dry-run", stdout=StringIO(), stderr=err)
    assert "No successions take effect on 01/01/2030" in err.getvalue()


def test_plan_lists_a_record_on_a_district_with_the_provinces_successor(villages):
    g = villages
    UserFactory(username="huyen", units=[g.old_district])
    plan = plan_reorganisation(effective=REORG)
    district_reviews = [(old, cands) for _reg, old, cands, _records in plan.reviews if old == g.old_district]
    assert district_reviews == [(g.old_district, [g.province])]


def test_after_importing_lists(db, tmp_path):
    """From files to villages: the split old commune's village waits, the whole one's moves."""
    from tests.geo.test_importers import merges, three_levels

    old, new = tmp_path / "old.json", tmp_path / "new.json"
    old.write_text(json.dumps(three_levels()), encoding="utf-8")
    new.write_text(json.dumps(merges()), encoding="utf-8")
    for path in (old, new):
        units_import(snapshot=read_gso_file(path, effective=REORG))
    tay = Unit.objects.get(level="commune", code="20341")  # split
    hai = Unit.objects.get(level="commune", code="20194", valid_to=BEFORE)  # whole, into the new 20194
    in_tay = VillageFactory(name="Thôn Tây", parent=tay)
    in_hai = VillageFactory(name="Thôn Hải", parent=hai)
    reorganise(effective=REORG)
    in_hai.refresh_from_db()
    new_hai = Unit.objects.get(level="commune", code="20194", valid_from=REORG)
    assert in_hai.parent == new_hai and in_hai.path.startswith(new_hai.path)
    review = PlacementReview.objects.get(object_id=in_tay.pk)
    assert sorted(c.code for c in review.candidates.all()) == ["20335", "20338"]
    assert review.scope_unit == Unit.objects.get(level="province", code="48", valid_from=REORG)

"""The 12 communes the vietnamadminunits package lacks, added from the project's GSO patch file.

Everything here reads only the installed package and the project's file (never ../shared), except
the last test, which checks the file against the GSO list where that list is present.
"""

import datetime as dt
import json
from collections import Counter

import pytest
import yaml
from django.utils import translation

from tests.conftest import geo_data_dir
from tests.geo.test_importers import make_package
from treem.geo.importers import MISSING_COMMUNES, UnitImportError, read_package, units_import
from treem.geo.models import Unit, UnitSuccession

REORG = dt.date(2025, 7, 1)
BEFORE = dt.date(2025, 6, 30)
CODES = {
    "07693", "07732", "07744", "16387", "16411", "18448",
    "20176", "20674", "25102", "25174", "25177", "25186",
}  # fmt: skip


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


def test_the_package_and_the_file_hold_the_official_counts():
    snap = read_package(effective=REORG)
    assert Counter(r.level for r in snap.old_units) == {"province": 63, "district": 696, "commune": 10_047}
    assert Counter(r.level for r in snap.new_units) == {"province": 34, "commune": 3_321}
    assert snap.warnings == []
    added = {r.code for r in snap.old_units if r.source}
    assert added == CODES
    # Every old commune, the 12 included, has somewhere to go on 01/07/2025.
    old_communes = {r.code for r in snap.old_units if r.level == "commune"}
    assert old_communes == {s.old_code for s in snap.successions if s.old_level == "commune"}
    without = read_package(effective=REORG, missing=None)
    assert len([r for r in without.old_units if r.level == "commune"]) == 10_035


def test_que_phuoc_of_quang_nam_goes_into_que_phuoc_of_da_nang():
    snap = read_package(effective=REORG, provinces={"48", "49"})
    que_phuoc = next(r for r in snap.old_units if r.code == "20674")
    assert (que_phuoc.name, que_phuoc.kind, que_phuoc.parent_code) == ("Xã Quế Phước", "Xã", "509")
    district = next(r for r in snap.old_units if r.level == "district" and r.code == "509")
    assert (district.name, district.parent_code) == ("Huyện Quế Sơn", "49")
    assert [(s.new_code, s.kind) for s in snap.successions if s.old_code == "20674"] == [("20669", "full")]
    assert next(r for r in snap.new_units if r.code == "20669").name == "Xã Quế Phước"
    # Only the patch's communes of the provinces asked for.
    assert {r.code for r in snap.old_units if r.source} == {"20674"}


def test_the_file_cites_its_source_and_gives_every_field():
    text = MISSING_COMMUNES.read_text(encoding="utf-8")
    assert "General Statistics Office" in text
    document = yaml.safe_load(text)
    assert document["valid_to"] == BEFORE
    assert {c["code"] for c in document["communes"]} == CODES
    for commune in document["communes"]:
        assert commune["name"].startswith(commune["kind"] + " ")
        assert commune["district"]["code"] and commune["district"]["name"]
        assert commune["province"]["code"] and commune["province"]["name"]
        assert commune["successors"] and all(s["kind"] in {"full", "partial"} for s in commune["successors"])


# --- Merging into an invented package ----------------------------------------------------------


def patch(tmp_path, communes, name="missing.yaml"):
    path = tmp_path / name
    path.write_text(yaml.safe_dump({"source": "GSO test", "communes": communes}, allow_unicode=True))
    return path


def entry(**changes):
    commune = {
        "code": "20344",
        "name": "Xã Tây Mới",
        "kind": "Xã",
        "district": {"code": "502", "name": "Thành phố Tam"},
        "province": {"code": "49", "name": "Tỉnh Núi"},
        "successors": [{"code": "20344", "name": "Xã Tây Sơn", "kind": "full"}],
    }
    commune.update(changes)
    return commune


def test_a_missing_commune_is_imported_with_its_succession(db, tmp_path):
    data = make_package(tmp_path)
    snap = read_package(effective=REORG, data_dir=data, missing=patch(tmp_path, [entry()]))
    units_import(snapshot=snap)
    added = Unit.objects.valid_on(BEFORE).get(level="commune", code="20344")
    assert (added.name, added.parent.code, added.source) == ("Xã Tây Mới", "502", "GSO test")
    assert added.valid_to == BEFORE
    succession = UnitSuccession.objects.get(predecessor=added)
    assert (succession.successor.code, succession.successor.valid_from, succession.kind) == (
        "20344",
        REORG,
        "full",
    )
    assert succession.source == "GSO test"
    again = read_package(effective=REORG, data_dir=data, missing=patch(tmp_path, [entry()]))
    assert not units_import(snapshot=again).changed


def test_a_commune_the_package_already_holds_is_left_as_the_package_has_it(tmp_path):
    data = make_package(tmp_path)
    snap = read_package(
        effective=REORG, data_dir=data, missing=patch(tmp_path, [entry(code="20335", name="Xã Khác")])
    )
    assert [r.name for r in snap.old_units if r.code == "20335"] == ["Phường Tân"]
    assert not [s for s in snap.successions if s.source]


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"district": {"code": "999"}}, "the district 999 of province 49 is not in the list"),
        ({"province": {"code": "48"}}, "the district 502 of province 48 is not in the list"),
        ({"successors": [{"code": "20999", "kind": "full"}]}, "the new commune 20999 is not in the list"),
        ({"successors": []}, "the commune has no successor"),
        ({"code": "2034"}, 'the commune code must be 5 digits, not "2034"'),
        ({"district": None}, "each commune needs a code, a name, a district"),
    ],
)
def test_a_bad_entry_is_refused_and_nothing_is_merged(db, tmp_path, changes, message):
    data = make_package(tmp_path)
    bad = [entry(code="20345", successors=[{"code": "20335", "kind": "full"}]), entry(**changes)]
    with pytest.raises(UnitImportError, match=message) as refused:
        read_package(effective=REORG, data_dir=data, missing=patch(tmp_path, bad))
    assert "missing.yaml communes[1]" in str(refused.value)
    assert not Unit.objects.exists()


def test_a_bad_succession_kind_is_refused(tmp_path):
    bad = [entry(successors=[{"code": "20344", "kind": "half"}])]
    with pytest.raises(UnitImportError, match='must be "full" or "partial", not "half"'):
        read_package(effective=REORG, data_dir=make_package(tmp_path), missing=patch(tmp_path, bad))


@pytest.mark.parametrize(
    ("content", "message"),
    [("communes: [unclosed", "cannot be read"), ("- just a list", 'expected a list of "communes"')],
)
def test_an_unreadable_file_is_refused(tmp_path, content, message):
    path = tmp_path / "missing.yaml"
    path.write_text(content)
    data = make_package(tmp_path)
    with pytest.raises(UnitImportError, match=message):
        read_package(effective=REORG, data_dir=data, missing=path)
    with pytest.raises(UnitImportError, match="absent cannot be read"):
        read_package(effective=REORG, data_dir=data, missing=tmp_path / "absent")


@pytest.mark.realgeo
@pytest.mark.skipif(
    geo_data_dir() is None, reason="the GSO list of ../shared/data/geo is absent (or set TREEM_GEO_DATA)"
)
def test_the_file_agrees_with_the_gso_lists():
    """Names, kinds and parents as in the GSO list of 01/03/2025; successors as in the 2025 map."""
    folder = geo_data_dir()
    gso = json.loads((folder / "dvhcvn-2025-03-01.json").read_text(encoding="utf-8"))
    listed = {
        commune["level3_id"]: (commune["name"], commune["type"], district["level2_id"], province["level1_id"])
        for province in gso["data"]
        for district in province["level2s"]
        for commune in district["level3s"]
    }
    merges = json.loads((folder / "dvhcvn-2025-07-01-merges.json").read_text(encoding="utf-8"))
    went = {
        (old["old_id"], commune["level2_id"], old["type"])
        for province in merges["data"]
        for commune in province["level2s"]
        for old in commune["merges"]
        if old["old_id"] in CODES
    }
    document = yaml.safe_load(MISSING_COMMUNES.read_text(encoding="utf-8"))
    for c in document["communes"]:
        assert listed[c["code"]] == (c["name"], c["kind"], c["district"]["code"], c["province"]["code"])
    assert went == {(c["code"], s["code"], s["kind"]) for c in document["communes"] for s in c["successors"]}
    snap = read_package(effective=REORG)
    assert {r.code for r in snap.old_units if r.level == "commune"} == set(listed)

"""Importers of administrative units: readers, bad input, idempotency, code reuse, commands.

The lists here are small invented ones written into tmp_path (same formats as the real files).
"""

import datetime as dt
import json
import sqlite3
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db.models import F
from django.utils import translation

from tests.factories import CommuneFactory, ProvinceFactory, UnitFactory
from treem.audit.models import AuditEvent
from treem.geo.importers import (
    SuccessionRow,
    UnitImportError,
    UnitRow,
    UnitSnapshot,
    kind_from_name,
    parse_gso,
    read_gso_file,
    read_package,
    units_import,
)
from treem.geo.models import Unit, UnitSuccession

REORG = dt.date(2025, 7, 1)
BEFORE = dt.date(2025, 6, 30)


@pytest.fixture(autouse=True)
def _english():
    # Messages are asserted in their English source; the site's default language is Vietnamese.
    with translation.override("en"):
        yield


def three_levels():
    return {
        "data": [
            {
                "level1_id": "48",
                "name": "Thành phố Biển",
                "type": "Thành phố Trung ương",
                "level2s": [
                    {
                        "level2_id": "490",
                        "name": "Quận Một",
                        "type": "Quận",
                        "level3s": [
                            {"level3_id": "20194", "name": "Phường Hải", "type": "Phường"},
                            {"level3_id": "20195", "name": "Phường Sơn", "type": "Phường"},
                        ],
                    },
                    {"level2_id": "498", "name": "Huyện Đảo", "type": "Huyện", "level3s": []},
                ],
            },
            {
                "level1_id": "49",
                "name": "Tỉnh Núi",
                "type": "Tỉnh",
                "level2s": [
                    {
                        "level2_id": "502",
                        "name": "Thành phố Tam",
                        "type": "Thành phố",
                        "level3s": [
                            {"level3_id": "20335", "name": "Phường Tân", "type": "Phường"},
                            {"level3_id": "20338", "name": "Xã Đông", "type": "Xã"},
                            {"level3_id": "20341", "name": "Xã Tây", "type": "Xã"},
                        ],
                    }
                ],
            },
        ]
    }


def merges():
    def m(old_id, name, kind="full"):
        return {"old_id": old_id, "name": name, "type": kind}

    return {
        "data": [
            {
                "level1_id": "48",
                "name": "Thành phố Biển",
                "merges": [m("48", "Thành phố Biển"), m("49", "Tỉnh Núi")],
                "level2s": [
                    {
                        "level2_id": "20194",
                        "name": "Phường Hải Sơn",
                        "merges": [m("20194", "Phường Hải"), m("20195", "Phường Sơn")],
                    },
                    {
                        "level2_id": "20335",
                        "name": "Phường Bàn",
                        "merges": [m("20335", "Phường Tân"), m("20341", "Xã Tây", "partial")],
                    },
                    {
                        "level2_id": "20338",
                        "name": "Xã Đông Tây",
                        "merges": [m("20338", "Xã Đông"), m("20341", "Xã Tây", "partial")],
                    },
                    {"level2_id": "20333", "name": "Đặc khu Đảo", "merges": [m("498", "Huyện Đảo")]},
                ],
            }
        ]
    }


def write(tmp_path, name, content):
    path = tmp_path / name
    if isinstance(content, bytes):
        path.write_bytes(content)
    elif isinstance(content, str):
        path.write_text(content, encoding="utf-8")
    else:
        path.write_text(json.dumps(content, ensure_ascii=False), encoding="utf-8")
    return path


def import_file(tmp_path, name, content):
    return units_import(snapshot=read_gso_file(write(tmp_path, name, content), effective=REORG))


def by_level(day):
    units = Unit.objects.valid_on(day)
    return {level: units.filter(level=level).count() for level in ("province", "district", "commune")}


def assert_paths_consistent():
    for unit in Unit.objects.select_related("parent"):
        assert unit.path == (unit.parent.path if unit.parent else "/") + f"{unit.pk}/"


# --- Readers -----------------------------------------------------------------------------------


def test_kind_from_name():
    assert kind_from_name("Thành phố Đà Nẵng") == "Thành phố"
    assert kind_from_name("Thị trấn Cái Rồng") == "Thị trấn"
    assert kind_from_name("Đặc khu Hoàng Sa") == "Đặc khu"
    assert kind_from_name("Phường Bàn Thạch") == "Phường"
    assert kind_from_name("Buôn Đôn") == ""


def test_three_level_reader_gives_the_old_list():
    snap = parse_gso(json.dumps(three_levels()), name="old.json", effective=REORG)
    assert [(r.level, r.code, r.parent_code) for r in snap.old_units][:3] == [
        ("province", "48", ""),
        ("district", "490", "48"),
        ("commune", "20194", "490"),
    ]
    assert snap.new_units == [] and snap.successions == []
    assert snap.old_valid_to == BEFORE
    assert snap.old_units[0].kind == "Thành phố Trung ương"


def test_three_level_import_writes_units_valid_until_the_day_before(db, tmp_path):
    result = import_file(tmp_path, "old.json", three_levels())
    assert (result.created, result.updated, result.unchanged) == (10, 0, 0)
    assert result.created_by_level == {"province": 2, "district": 3, "commune": 5}
    assert by_level(BEFORE) == {"province": 2, "district": 3, "commune": 5}
    assert by_level(REORG) == {"province": 0, "district": 0, "commune": 0}
    tan = Unit.objects.get(level="commune", code="20335")
    assert (tan.valid_from, tan.valid_to, tan.kind, tan.source) == (None, BEFORE, "Phường", "GSO old.json")
    assert tan.name_folded == "phuong tan"
    assert [u.code for u in tan.ancestors()] == ["49", "502"]
    assert_paths_consistent()


def test_merges_reader_gives_the_new_list_and_successions():
    snap = parse_gso(json.dumps(merges()), name="new.json", effective=REORG)
    assert [(r.level, r.code, r.kind) for r in snap.new_units] == [
        ("province", "48", "Thành phố"),
        ("commune", "20194", "Phường"),
        ("commune", "20335", "Phường"),
        ("commune", "20338", "Xã"),
        ("commune", "20333", "Đặc khu"),
    ]
    assert SuccessionRow("province", "49", "province", "48", "full", "new.json: data[0].merges[1]") in (
        snap.successions
    )
    # An old district with no communes goes wholly into a special zone.
    assert ("district", "498", "20333", "full") in {
        (s.old_level, s.old_code, s.new_code, s.kind) for s in snap.successions
    }


def test_merges_import_after_three_levels(db, tmp_path):
    import_file(tmp_path, "old.json", three_levels())
    result = import_file(tmp_path, "new.json", merges())
    assert (result.created, result.successions_created) == (5, 9)
    assert by_level(REORG) == {"province": 1, "district": 0, "commune": 4}
    assert by_level(BEFORE) == {"province": 2, "district": 3, "commune": 5}
    new_48 = Unit.objects.get(level="province", code="48", valid_from=REORG)
    assert set(
        UnitSuccession.objects.filter(successor=new_48).values_list("predecessor__code", flat=True)
    ) == {
        "48",
        "49",
    }
    tay = Unit.objects.get(level="commune", code="20341")
    assert sorted(s.successor.code for s in tay.successions.all()) == ["20335", "20338"]
    assert set(tay.successions.values_list("kind", flat=True)) == {"partial"}
    assert all(s.effective == REORG for s in UnitSuccession.objects.all())
    assert_paths_consistent()


def test_same_code_before_and_after_is_two_units(db, tmp_path):
    import_file(tmp_path, "old.json", three_levels())
    import_file(tmp_path, "new.json", merges())
    both = Unit.objects.filter(level="commune", code="20335").order_by(F("valid_to").asc(nulls_last=True))
    assert [(u.name, u.valid_from, u.valid_to) for u in both] == [
        ("Phường Tân", None, BEFORE),
        ("Phường Bàn", REORG, None),
    ]
    assert Unit.objects.valid_on(BEFORE).get(level="commune", code="20335").name == "Phường Tân"
    assert Unit.objects.valid_on(REORG).get(level="commune", code="20335").name == "Phường Bàn"
    old, new = both
    assert old.path.split("/")[1] != new.path.split("/")[1]  # under old 49, under new 48


def test_import_is_idempotent_and_audited_once(db, tmp_path):
    import_file(tmp_path, "old.json", three_levels())
    first = import_file(tmp_path, "new.json", merges())
    events = AuditEvent.objects.filter(action="geo.units.imported")
    assert events.count() == 2
    event = events.order_by("pk").last()
    assert event.changes["created"] == 5 and event.changes["successions_created"] == 9
    assert event.object_label.startswith("GSO new.json")
    before = (Unit.objects.count(), UnitSuccession.objects.count(), AuditEvent.objects.count())
    again_old = import_file(tmp_path, "old.json", three_levels())
    again_new = import_file(tmp_path, "new.json", merges())
    assert not again_old.changed and not again_new.changed
    assert (again_new.unchanged, again_new.successions_unchanged) == (
        first.created,
        first.successions_created,
    )
    assert (Unit.objects.count(), UnitSuccession.objects.count(), AuditEvent.objects.count()) == before


def test_changed_names_are_updated_not_duplicated(db, tmp_path):
    import_file(tmp_path, "old.json", three_levels())
    data = three_levels()
    data["data"][1]["level2s"][0]["level3s"][1]["name"] = "Xã Đông Mới"
    result = import_file(tmp_path, "old.json", data)
    assert (result.created, result.updated, result.unchanged) == (0, 1, 9)
    assert Unit.objects.get(code="20338").name_folded == "xa dong moi"


def test_merges_close_old_units_still_open(db, tmp_path):
    """Old units that came from elsewhere (open-ended) end the day before the new list."""
    old_48 = ProvinceFactory(code="48", name="Thành phố Biển")
    old_49 = ProvinceFactory(code="49", name="Tỉnh Núi")
    quan = UnitFactory(level="district", code="490", name="Quận Một", parent=old_48)
    dao = UnitFactory(level="district", code="498", name="Huyện Đảo", parent=old_48)
    tam = UnitFactory(level="district", code="502", name="Thành phố Tam", parent=old_49)
    other = UnitFactory(level="district", code="503", name="Huyện Khác", parent=old_49)  # named by no merge
    for code, parent in (("20194", quan), ("20195", quan), ("20335", tam), ("20338", tam), ("20341", tam)):
        CommuneFactory(code=code, parent=parent)
    village = UnitFactory(level="village", code="", name="Thôn Một", parent=Unit.objects.get(code="20341"))
    result = import_file(tmp_path, "new.json", merges())
    assert result.closed == 11
    assert set(Unit.objects.filter(valid_to=BEFORE).values_list("code", flat=True)) == {
        "48",
        "49",
        "490",
        "498",
        "502",
        "503",
        "20194",
        "20195",
        "20335",
        "20338",
        "20341",
    }
    other.refresh_from_db()
    village.refresh_from_db()
    dao.refresh_from_db()
    assert other.valid_to == BEFORE and dao.valid_to == BEFORE
    assert village.valid_to is None  # villages are carried over by the reorganisation, not ended


def test_unknown_parent_in_a_snapshot_is_refused(db):
    snap = UnitSnapshot(
        source="test",
        effective=REORG,
        new_units=[
            UnitRow("province", "48", "Thành phố Biển", place="row 1"),
            UnitRow("commune", "20194", "Phường Hải", parent_code="47", place="row 2"),
        ],
    )
    with pytest.raises(
        UnitImportError, match=r"row 2: the parent 47 of the commune 20194 is not in the list"
    ):
        units_import(snapshot=snap)
    assert Unit.objects.count() == 0


def test_progress_is_reported(db, tmp_path):
    calls = []
    units_import(
        snapshot=read_gso_file(write(tmp_path, "old.json", three_levels()), effective=REORG),
        progress=lambda stage, done, total: calls.append((stage, done, total)),
    )
    assert calls[0] == ("old units", 0, 10)
    assert ("old units", 10, 10) in calls


# --- Bad input ----------------------------------------------------------------------------------


def _dup_commune():
    data = three_levels()
    data["data"][1]["level2s"][0]["level3s"].append({"level3_id": "20194", "name": "Xã Trùng", "type": "Xã"})
    return data


def _short_code(level):
    data = three_levels()
    if level == "province":
        data["data"][0]["level1_id"] = "4"
    elif level == "district":
        data["data"][0]["level2s"][0]["level2_id"] = "49"
    else:
        data["data"][0]["level2s"][0]["level3s"][0]["level3_id"] = "2019"
    return data


def _missing(key):
    data = three_levels()
    del data["data"][1]["level2s"][0]["level3s"][2][key]
    return data


def _bad_merge_type():
    data = merges()
    data["data"][0]["level2s"][0]["merges"][0]["type"] = "most"
    return data


def _full_twice():
    data = merges()
    data["data"][0]["level2s"][1]["merges"][0] = {"old_id": "20194", "name": "Phường Hải", "type": "full"}
    return data


def _dup_new_commune():
    data = merges()
    data["data"][0]["level2s"][2]["level2_id"] = "20335"
    return data


BAD_FILES = [
    pytest.param(b"", "bad.json is empty", id="zero-bytes"),
    pytest.param("   \n", "bad.json is empty", id="blank"),
    pytest.param("{data: 1", "bad.json is not a JSON file (Expecting property name", id="not-json"),
    pytest.param(b"\xff\xfe\x00", "bad.json is not a JSON file", id="binary"),
    pytest.param([1, 2], 'expected an object whose "data" is a non-empty list', id="list"),
    pytest.param({"data": []}, 'expected an object whose "data" is a non-empty list', id="no-provinces"),
    pytest.param({"provinces": []}, 'expected an object whose "data"', id="wrong-key"),
    pytest.param(
        {"data": [{"level1_id": "01", "name": "Hà Nội", "level2s": [{"level2_id": "001"}]}]},
        "unknown format",
        id="unknown-format",
    ),
    pytest.param(
        {"data": [{"level1_id": "01", "name": "Hà Nội", "level2s": "none"}]},
        "unknown format",
        id="level2s-text",
    ),
    pytest.param(
        _missing("level3_id"), 'data[1].level2s[0].level3s[2]: "level3_id" is missing', id="no-code"
    ),
    pytest.param(_missing("name"), 'data[1].level2s[0].level3s[2]: "name" is missing', id="no-name"),
    pytest.param(
        _short_code("province"), 'data[0]: the province code must be 2 digits, not "4"', id="province-code"
    ),
    pytest.param(
        _short_code("district"),
        'data[0].level2s[0]: the district code must be 3 digits, not "49"',
        id="district-code",
    ),
    pytest.param(
        _short_code("commune"),
        'data[0].level2s[0].level3s[0]: the commune code must be 5 digits, not "2019"',
        id="commune-code",
    ),
    pytest.param(
        _dup_commune(),
        "bad.json: data[1].level2s[0].level3s[3]: the commune code 20194 appears twice "
        "(also at bad.json: data[0].level2s[0].level3s[0])",
        id="duplicate",
    ),
    pytest.param(
        _bad_merge_type(),
        'data[0].level2s[0].merges[0]: the kind of merge must be "full" or "partial", not "most"',
        id="merge-kind",
    ),
    pytest.param(
        _full_twice(), 'the old unit 20194 is marked "full" but goes into several new units', id="full-twice"
    ),
    pytest.param(_dup_new_commune(), "the commune code 20335 appears twice", id="duplicate-new"),
]


@pytest.mark.parametrize(("content", "message"), BAD_FILES)
def test_bad_files_are_refused_with_a_clear_message(db, tmp_path, content, message):
    import_file(tmp_path, "old.json", three_levels())
    count = Unit.objects.count()
    path = write(tmp_path, "bad.json", content)
    with pytest.raises(UnitImportError) as caught:
        units_import(snapshot=read_gso_file(path, effective=REORG))
    assert message in str(caught.value)
    assert Unit.objects.count() == count
    with pytest.raises(CommandError) as caught:
        call_command("import_units", str(path), no_progress=True, stdout=StringIO())
    assert message in str(caught.value)
    assert Unit.objects.count() == count


def test_merges_without_the_old_units_are_refused(db, tmp_path):
    with pytest.raises(UnitImportError) as caught:
        import_file(tmp_path, "new.json", merges())
    assert "8 old units named in the list are not in the database as units in force on 30/06/2025" in str(
        caught.value
    )
    assert "import the list in force before 01/07/2025 first" in str(caught.value)
    assert "20194, 20195, 20335" in str(caught.value)
    assert Unit.objects.count() == 0 and UnitSuccession.objects.count() == 0


def test_merges_naming_one_unknown_old_code_write_nothing(db, tmp_path):
    import_file(tmp_path, "old.json", three_levels())
    count = Unit.objects.count()
    data = merges()
    data["data"][0]["level2s"][0]["merges"].append({"old_id": "20999", "name": "Xã Lạ", "type": "full"})
    with pytest.raises(UnitImportError, match=r"1 old units .*: 20999 \(first at new.json: data\[0\]"):
        import_file(tmp_path, "new.json", data)
    assert Unit.objects.count() == count and UnitSuccession.objects.count() == 0
    assert not Unit.objects.filter(valid_from=REORG).exists()


def test_missing_file_is_refused(db, tmp_path):
    with pytest.raises(UnitImportError, match=r"nothere\.json cannot be read"):
        read_gso_file(tmp_path / "nothere.json")


# --- Commands -----------------------------------------------------------------------------------


def test_command_imports_files_in_order_and_prints_counts(db, tmp_path):
    old = write(tmp_path, "old.json", three_levels())
    new = write(tmp_path, "new.json", merges())
    out = StringIO()
    call_command("import_units", str(old), str(new), "--no-progress", "--effective", "2025-07-01", stdout=out)
    text = out.getvalue()
    assert "Units: 10 created (2 provinces, 3 districts, 5 communes)" in text
    assert "Units: 5 created (1 provinces, 0 districts, 4 communes)" in text
    assert "Successions: 9 created, 0 updated, 0 unchanged." in text
    out = StringIO()
    call_command("import_units", str(old), str(new), "--no-progress", stdout=out)
    assert "Successions: 0 created, 0 updated, 9 unchanged." in out.getvalue()


def test_command_writes_nothing_when_a_later_file_is_bad(db, tmp_path):
    old = write(tmp_path, "old.json", three_levels())
    bad = write(tmp_path, "bad.json", _dup_new_commune())
    with pytest.raises(CommandError, match="appears twice"):
        call_command("import_units", str(old), str(bad), no_progress=True, stdout=StringIO())
    assert Unit.objects.count() == 0


def test_command_refuses_a_bad_date(db, tmp_path):
    old = write(tmp_path, "old.json", three_levels())
    with pytest.raises(CommandError, match="2025-13-01 is not a date"):
        call_command("import_units", str(old), effective="2025-13-01", no_progress=True, stdout=StringIO())


def test_command_province_filter_on_files(db, tmp_path):
    old = write(tmp_path, "old.json", three_levels())
    call_command("import_units", str(old), province=["49"], no_progress=True, stdout=StringIO())
    assert set(Unit.objects.values_list("code", flat=True)) == {"49", "502", "20335", "20338", "20341"}


def test_command_effective_date_moves_the_boundary(db, tmp_path):
    old = write(tmp_path, "old.json", three_levels())
    new = write(tmp_path, "new.json", merges())
    call_command(
        "import_units", str(old), str(new), effective="2026-01-01", no_progress=True, stdout=StringIO()
    )
    assert Unit.objects.get(level="province", code="49").valid_to == dt.date(2025, 12, 31)
    assert Unit.objects.filter(valid_from=dt.date(2026, 1, 1)).count() == 5
    assert set(UnitSuccession.objects.values_list("effective", flat=True)) == {dt.date(2026, 1, 1)}


# --- The vietnamadminunits package --------------------------------------------------------------


def make_package(tmp_path, *, extra_legacy=()):
    """A tiny copy of the package's data folder: same tables and conversion map, invented content."""
    folder = tmp_path / "pkgdata"
    folder.mkdir()
    conn = sqlite3.connect(folder / "dataset.db")
    conn.execute(
        "CREATE TABLE admin_units_legacy (province, provinceCode, provinceKey, provinceLat, provinceLon,"
        " district, districtType, districtCode, districtKey, districtLat, districtLon,"
        " ward, wardType, wardCode, wardKey, wardLat, wardLon)"
    )
    conn.execute(
        "CREATE TABLE admin_units (province, provinceCode, provinceKey, provinceLat, provinceLon,"
        " ward, wardType, wardCode, wardKey, wardLat, wardLon)"
    )
    legacy = [
        ("Thành phố Biển", "48", "tpbien", 16.0, 108.0, "Quận Một", "Quận", "490", "quanmot", 16.1, 108.1,
         "Phường Hải", "Phường", "20194", "phuonghai", 16.2, 108.2),
        ("Thành phố Biển", "48", "tpbien", 16.0, 108.0, "Huyện Đảo", "Huyện", "498", "huyendao", 16.5, 112.0,
         None, None, None, None, None, None),
        ("Tỉnh Núi", "49", "tinhnui", 15.5, 108.0, "Thành phố Tam", "Thành phố", "502", "tptam", 15.6, 108.5,
         "Phường Tân", "Phường", "20335", "phuongtan", 15.57, 108.48),
        ("Tỉnh Núi", "49", "tinhnui", 15.5, 108.0, "Thành phố Tam", "Thành phố", "502", "tptam", 15.6, 108.5,
         "Xã Tây", "Xã", "20341", "xatay", 15.55, 108.45),
        ("Tỉnh Xa", "01", "tinhxa", 21.0, 105.0, "Quận Xa", "Quận", "001", "quanxa", 21.0, 105.0,
         "Phường Xa", "Phường", "00001", "phuongxa", 21.0, 105.0),
        *extra_legacy,
    ]  # fmt: skip
    conn.executemany(f"INSERT INTO admin_units_legacy VALUES ({','.join('?' * 17)})", legacy)
    city = ("Thành phố Biển", "48", "tpbien", 16.0, 108.0)
    current = [
        (*city, "Phường Hải", "Phường", "20194", "phuonghai", 16.2, 108.2),
        (*city, "Phường Bàn", "Phường", "20335", "phuongban", 15.6, 108.5),
        (*city, "Xã Tây Sơn", "Xã", "20344", "xataysong", 15.5, 108.4),
        (*city, "Đặc khu Đảo", "Đặc khu", "20333", "dackhudao", 16.5, 112.0),
        ("Tỉnh Xa", "01", "tinhxa", 21.0, 105.0, "Phường Xa", "Phường", "00001", "phuongxa", 21.0, 105.0),
    ]  # fmt: skip
    conn.executemany(f"INSERT INTO admin_units VALUES ({','.join('?' * 11)})", current)
    conn.commit()
    conn.close()
    converter = {
        "DICT_PROVINCE": {"tpbien": ["tpbien", "tinhnui"], "tinhxa": ["tinhxa"]},
        "DICT_PROVINCE_WARD_NO_DIVIDED": {
            "tpbien": {
                "phuonghai": ["tpbien_quanmot_phuonghai"],
                "phuongban": ["tinhnui_tptam_phuongtan"],
                "dackhudao": ["tpbien_huyendao_"],
            },
            "tinhxa": {"phuongxa": ["tinhxa_quanxa_phuongxa"]},
        },
        "DICT_PROVINCE_WARD_DIVIDED": {
            "tpbien": {
                "tinhnui_tptam_xatay": [
                    {"newWardKey": "phuongban", "isDefaultNewWard": True},
                    {"newWardKey": "xataysong", "isDefaultNewWard": False},
                ]
            }
        },
    }
    (folder / "converter_2025.json").write_text(json.dumps(converter), encoding="utf-8")
    return folder


def test_package_reader_joins_keys_to_codes(tmp_path):
    snap = read_package(effective=REORG, data_dir=make_package(tmp_path), missing=None)
    assert sorted((r.level, r.code) for r in snap.old_units) == [
        ("commune", "00001"),
        ("commune", "20194"),
        ("commune", "20335"),
        ("commune", "20341"),
        ("district", "001"),
        ("district", "490"),
        ("district", "498"),
        ("district", "502"),
        ("province", "01"),
        ("province", "48"),
        ("province", "49"),
    ]
    assert {(s.old_level, s.old_code, s.new_code, s.kind) for s in snap.successions} == {
        ("province", "48", "48", "full"),
        ("province", "49", "48", "full"),
        ("province", "01", "01", "full"),
        ("commune", "20194", "20194", "full"),
        ("commune", "20335", "20335", "full"),
        ("district", "498", "20333", "full"),
        ("commune", "00001", "00001", "full"),
        ("commune", "20341", "20335", "partial"),
        ("commune", "20341", "20344", "partial"),
    }
    tan = next(r for r in snap.old_units if r.code == "20335")
    assert (tan.latitude, tan.longitude, tan.parent_code) == (15.57, 108.48, "502")
    assert snap.warnings == []


def test_package_reader_filters_provinces(db, tmp_path):
    snap = read_package(
        effective=REORG, provinces={"48", "49"}, data_dir=make_package(tmp_path), missing=None
    )
    assert "01" not in {r.code for r in snap.old_units + snap.new_units if r.level == "province"}
    assert all(s.old_code != "00001" for s in snap.successions)
    result = units_import(snapshot=snap)
    assert result.created_by_level == {"province": 3, "district": 3, "commune": 7}
    assert Unit.objects.valid_on(REORG).get(level="commune", code="20335").name == "Phường Bàn"
    assert Unit.objects.valid_on(BEFORE).get(level="commune", code="20335").name == "Phường Tân"
    assert_paths_consistent()


def test_package_reader_skips_rows_without_a_usable_code(tmp_path):
    extra = [
        ("Tỉnh Núi", "49", "tinhnui", 15.5, 108.0, "Thành phố Tam", "Thành phố", "502", "tptam", 15.6, 108.5,
         "Xã Không Mã", "Xã", None, "xakhongma", None, None),
        ("Tỉnh Núi", "49", "tinhnui", 15.5, 108.0, "Thành phố Tam", "Thành phố", "502", "tptam", 15.6, 108.5,
         "Xã Trùng", "Xã", "20335", "xatrung", None, None),
    ]  # fmt: skip
    folder = make_package(tmp_path, extra_legacy=extra)
    converter = json.loads((folder / "converter_2025.json").read_text())
    converter["DICT_PROVINCE_WARD_NO_DIVIDED"]["tpbien"]["phuongban"] += [
        "tinhnui_tptam_xakhongma",
        "tinhnui_tptam_xatrung",
    ]
    (folder / "converter_2025.json").write_text(json.dumps(converter))
    snap = read_package(effective=REORG, data_dir=folder, missing=None)
    assert len(snap.warnings) == 2
    assert "Xã Không Mã has no code and was skipped" in snap.warnings[0] or (
        "Xã Không Mã has no code and was skipped" in snap.warnings[1]
    )
    assert any("the commune code 20335 appears twice; the first row was kept" in w for w in snap.warnings)
    assert next(r for r in snap.old_units if r.code == "20335").name == "Phường Tân"
    assert len([s for s in snap.successions if s.new_code == "20335" and s.kind == "full"]) == 1


def test_package_reader_refuses_an_unknown_key(tmp_path):
    folder = make_package(tmp_path)
    converter = json.loads((folder / "converter_2025.json").read_text())
    converter["DICT_PROVINCE_WARD_NO_DIVIDED"]["tpbien"]["phuonghai"].append("tpbien_quanmot_phuonglạ")
    (folder / "converter_2025.json").write_text(json.dumps(converter))
    with pytest.raises(UnitImportError, match="the key tpbien_quanmot_phuonglạ names no unit"):
        read_package(effective=REORG, data_dir=folder, missing=None)


def test_package_reader_refuses_a_missing_folder(tmp_path):
    with pytest.raises(UnitImportError, match="cannot be read"):
        read_package(effective=REORG, data_dir=tmp_path / "nothing")


def test_the_installed_package_for_the_demo_provinces(db):
    """The demo loads only Đà Nẵng (48) and the former Quảng Nam (49) from the real package."""
    out = StringIO()
    call_command("import_units", province=["48", "49"], no_progress=True, stdout=out)
    assert "vietnamadminunits 1.0.4" in out.getvalue()
    assert by_level(BEFORE)["province"] == 2
    assert by_level(REORG) == {"province": 1, "district": 0, "commune": 94}
    assert Unit.objects.valid_on(BEFORE).get(level="commune", code="20335").name == "Phường Tân Thạnh"
    assert Unit.objects.valid_on(REORG).get(level="commune", code="20335").name == "Phường Bàn Thạch"
    quang_nam = Unit.objects.get(level="province", code="49")
    old_communes = Unit.objects.descendants_of(quang_nam).filter(level="commune")
    assert old_communes.exists()
    assert not old_communes.filter(successions__isnull=True).exists()
    que_phuoc = old_communes.get(code="20674")  # from the project's file of missing communes
    assert que_phuoc.name == "Xã Quế Phước"
    assert que_phuoc.successions.get().successor.name == "Xã Quế Phước"
    new_48 = Unit.objects.get(level="province", code="48", valid_from=REORG)
    assert {s.predecessor.code for s in new_48.predecessions.all()} == {"48", "49"}
    assert_paths_consistent()
    again = StringIO()
    call_command("import_units", province=["48", "49"], no_progress=True, stdout=again)
    assert "Units: 0 created" in again.getvalue() and ", 0 updated" in again.getvalue()

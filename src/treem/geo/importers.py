"""Importing lists of administrative units: readers for each published format, and one writer.

Every reader turns its input into a ``UnitSnapshot``: plain rows, checked, with the "as of"
meaning of the lists it holds:

* ``old_units``: the list in force until the day before ``effective`` (before 01/07/2025: the
  three-level list province → district → commune). They are written with
  ``valid_to = effective - 1 day`` and ``valid_from = old_valid_from`` (unknown, None, for 2025);
* ``new_units``: the list in force from ``effective`` (after 01/07/2025: province → commune),
  written with ``valid_from = effective``;
* ``successions``: old unit → new unit, ``full`` (wholly) or ``partial`` (split).

A unit's identity is (level, code, valid_from): codes are reused across the reorganisation, so
the old commune 20335 and the new commune 20335 are two rows.

Readers: ``read_package`` (the ``vietnamadminunits`` PyPI package, old and new lists with the
conversion map, and the 12 communes it lacks, from ``data/communes-missing-from-package.yaml``),
``read_gso_file`` (the General Statistics Office three-level JSON, and the 2025 two-level JSON
with ``merges``). Writer: ``units_import``, one transaction, bulk, idempotent.
"""

from __future__ import annotations

import datetime as dt
import importlib.metadata
import importlib.resources
import importlib.util
import json
import re
import sqlite3
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from pathlib import Path

import yaml
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import CharField, OuterRef, Q, Subquery, Value
from django.db.models.functions import Cast, Coalesce, Concat
from django.utils.translation import gettext as _

from treem.audit.services import audit_record
from treem.core.db import refresh_planner_statistics
from treem.core.scope import ScopeError
from treem.core.text import fold
from treem.core.uploads import check_json
from treem.geo.models import SuccessionKind, Unit, UnitLevel, UnitSuccession
from treem.geo.services import unit_reparent

PACKAGE = "vietnamadminunits"
# The communes of the list in force before 01/07/2025 that the package lacks (GSO list, cited there).
MISSING_COMMUNES = Path(__file__).parent / "data" / "communes-missing-from-package.yaml"
BATCH = 1000
# How deep each tier sits; a parent must sit higher than its child.
LEVEL_RANK = {UnitLevel.PROVINCE: 0, UnitLevel.DISTRICT: 1, UnitLevel.COMMUNE: 2}
CODE_LENGTH = {UnitLevel.PROVINCE: 2, UnitLevel.DISTRICT: 3, UnitLevel.COMMUNE: 5}
LEVEL_OF_LENGTH = {length: level for level, length in CODE_LENGTH.items()}
# Longest first, so "Thành phố" is not read as something shorter and "Thị trấn" beats "Thị xã".
KIND_PREFIXES = ("Thành phố", "Thị trấn", "Thị xã", "Đặc khu", "Phường", "Huyện", "Quận", "Tỉnh", "Xã")
MAX_LISTED = 10

Progress = Callable[[str, int, int], None]

# The materialised path of a freshly inserted unit: its parent's path (or "/"), its own id, "/".
_PATH_SQL = Concat(
    Coalesce(Subquery(Unit.objects.filter(pk=OuterRef("parent_id")).values("path")[:1]), Value("/")),
    Cast("id", CharField()),
    Value("/"),
    output_field=CharField(),
)


class UnitImportError(ValidationError):
    """A list of units that cannot be imported; the message says where and why."""

    def __str__(self) -> str:
        return " ".join(self.messages)


def default_effective() -> dt.date:
    """The reorganisation date from the settings (01/07/2025 unless configured)."""
    value = settings.TREEM_REORGANISATION_DATE
    return value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value))


def kind_from_name(name: str) -> str:
    """The kind a unit's name starts with (``Phường Bàn Thạch`` → ``Phường``), or ``""``."""
    for prefix in KIND_PREFIXES:
        if name == prefix or name.startswith(prefix + " "):
            return prefix
    return ""


def _level_label(level: str) -> str:
    return str(UnitLevel(level).label).lower()


# --- The snapshot -------------------------------------------------------------------------------


@dataclass(frozen=True)
class UnitRow:
    """One unit of a list. ``parent_code`` names a unit of the same list (empty for provinces)."""

    level: str
    code: str
    name: str
    kind: str = ""
    parent_code: str = ""
    latitude: float | None = None
    longitude: float | None = None
    place: str = ""  # where the row was read, for error messages
    source: str = ""  # when not the snapshot's (a patch merged into a list)


@dataclass(frozen=True)
class SuccessionRow:
    """Old unit (of the old list) → new unit (of the new list), ``full`` or ``partial``."""

    old_level: str
    old_code: str
    new_level: str
    new_code: str
    kind: str
    place: str = ""
    source: str = ""


@dataclass
class UnitSnapshot:
    """Lists of units read from one source, with what they mean in time."""

    source: str
    effective: dt.date
    old_units: list[UnitRow] = field(default_factory=list)
    new_units: list[UnitRow] = field(default_factory=list)
    successions: list[SuccessionRow] = field(default_factory=list)
    old_valid_from: dt.date | None = None
    warnings: list[str] = field(default_factory=list)

    @property
    def old_valid_to(self) -> dt.date:
        return self.effective - dt.timedelta(days=1)

    def check(self) -> None:
        """Raise ``UnitImportError`` on bad codes, duplicates, unknown parents or odd successions."""
        for rows in (self.old_units, self.new_units):
            seen: dict[tuple[str, str], UnitRow] = {}
            for row in rows:
                _check_code(row.level, row.code, row.place)
                other = seen.get((row.level, row.code))
                if other is not None:
                    raise UnitImportError(
                        _("%(place)s: the %(level)s code %(code)s appears twice (also at %(other)s).")
                        % {
                            "place": row.place,
                            "level": _level_label(row.level),
                            "code": row.code,
                            "other": other.place,
                        }
                    )
                seen[(row.level, row.code)] = row
            for row in rows:
                if row.level == UnitLevel.PROVINCE and not row.parent_code:
                    continue
                if not any(
                    (level, row.parent_code) in seen
                    for level, rank in LEVEL_RANK.items()
                    if rank < LEVEL_RANK[row.level]
                ):
                    raise UnitImportError(
                        _("%(place)s: the parent %(parent)s of the %(level)s %(code)s is not in the list.")
                        % {
                            "place": row.place,
                            "parent": row.parent_code or "—",
                            "level": _level_label(row.level),
                            "code": row.code,
                        }
                    )
        pairs: dict[tuple, SuccessionRow] = {}
        targets: dict[tuple[str, str], set[str]] = defaultdict(set)
        full: dict[tuple[str, str], SuccessionRow] = {}
        for s in self.successions:
            _check_code(s.old_level, s.old_code, s.place)
            _check_code(s.new_level, s.new_code, s.place)
            if s.kind not in SuccessionKind.values:
                raise UnitImportError(
                    _('%(place)s: the kind of merge must be "full" or "partial", not "%(kind)s".')
                    % {"place": s.place, "kind": s.kind}
                )
            key = (s.old_level, s.old_code, s.new_level, s.new_code)
            if key in pairs:
                raise UnitImportError(
                    _(
                        "%(place)s: the old unit %(old)s is listed twice for the new unit %(new)s "
                        "(also at %(other)s)."
                    )
                    % {"place": s.place, "old": s.old_code, "new": s.new_code, "other": pairs[key].place}
                )
            pairs[key] = s
            targets[(s.old_level, s.old_code)].add(s.new_code)
            if s.kind == SuccessionKind.FULL:
                full[(s.old_level, s.old_code)] = s
        for old, s in full.items():
            if len(targets[old]) > 1:
                raise UnitImportError(
                    _(
                        '%(place)s: the old unit %(code)s is marked "full" but goes into several new '
                        "units (%(codes)s)."
                    )
                    % {"place": s.place, "code": s.old_code, "codes": ", ".join(sorted(targets[old]))}
                )

    def filtered(self, provinces: Iterable[str] | None) -> UnitSnapshot:
        """Only the units of these province codes (old or new), and the successions between them."""
        if not provinces:
            return self
        wanted = set(provinces)
        old = _rows_in_provinces(self.old_units, wanted)
        new = _rows_in_provinces(self.new_units, wanted)
        old_all = {(r.level, r.code) for r in self.old_units}
        old_kept = {(r.level, r.code) for r in old}
        new_all = {(r.level, r.code) for r in self.new_units}
        new_kept = {(r.level, r.code) for r in new}

        def keep(s: SuccessionRow) -> bool:
            # An end that this snapshot does not hold at all is looked up in the database later.
            old_ok = (s.old_level, s.old_code) in old_kept or (s.old_level, s.old_code) not in old_all
            new_ok = (s.new_level, s.new_code) in new_kept or (s.new_level, s.new_code) not in new_all
            return (
                old_ok
                and new_ok
                and ((s.old_level, s.old_code) in old_kept or (s.new_level, s.new_code) in new_kept)
            )

        return replace(
            self, old_units=old, new_units=new, successions=[s for s in self.successions if keep(s)]
        )


def _rows_in_provinces(rows: list[UnitRow], wanted: set[str]) -> list[UnitRow]:
    by_code = {(r.level, r.code): r for r in rows}
    parent_of = {}
    for r in rows:
        parent = next(
            (by_code[(lvl, r.parent_code)] for lvl in LEVEL_RANK if (lvl, r.parent_code) in by_code), None
        )
        parent_of[(r.level, r.code)] = parent

    def province(r: UnitRow) -> str:
        seen = 0
        while r.level != UnitLevel.PROVINCE and seen < 5:
            r = parent_of.get((r.level, r.code)) or r
            seen += 1
        return r.code if r.level == UnitLevel.PROVINCE else ""

    return [r for r in rows if province(r) in wanted]


def _check_code(level: str, code: str, place: str) -> None:
    length = CODE_LENGTH.get(level)
    if length is None:
        raise UnitImportError(_("%(place)s: unknown level %(level)s.") % {"place": place, "level": level})
    if not isinstance(code, str) or not re.fullmatch(rf"[0-9]{{{length}}}", code):
        raise UnitImportError(
            _('%(place)s: the %(level)s code must be %(length)d digits, not "%(code)s".')
            % {"place": place, "level": _level_label(level), "length": length, "code": code}
        )


# --- Reader: the vietnamadminunits package ------------------------------------------------------


def package_version() -> str:
    try:
        return importlib.metadata.version(PACKAGE)
    except importlib.metadata.PackageNotFoundError:  # pragma: no cover - it is a dependency
        return "?"


def _package_files():
    """The package's files, without running its ``__init__`` (it loads its address parser: seconds)."""
    spec = importlib.util.find_spec(PACKAGE)
    if spec is None:  # pragma: no cover - it is a dependency
        raise UnitImportError(_("The %(package)s package is not installed.") % {"package": PACKAGE})
    return importlib.resources.files(importlib.util.module_from_spec(spec))


def _package_tables(data) -> tuple[list, list, dict]:
    """The rows of the package's two tables and its conversion map (refused if unreadable)."""
    try:
        with importlib.resources.as_file(data / "dataset.db") as db_path:
            # Read-only: the package's installed file is never touched.
            conn = sqlite3.connect(f"{Path(db_path).resolve().as_uri()}?mode=ro", uri=True)
            try:
                conn.row_factory = sqlite3.Row
                legacy = conn.execute(
                    "SELECT province, provinceCode, provinceKey, provinceLat, provinceLon,"
                    " district, districtType, districtCode, districtKey, districtLat, districtLon,"
                    " ward, wardType, wardCode, wardKey, wardLat, wardLon"
                    " FROM admin_units_legacy ORDER BY provinceCode, districtCode, wardCode"
                ).fetchall()
                current = conn.execute(
                    "SELECT province, provinceCode, provinceKey, provinceLat, provinceLon,"
                    " ward, wardType, wardCode, wardKey, wardLat, wardLon"
                    " FROM admin_units ORDER BY provinceCode, wardCode"
                ).fetchall()
            finally:
                conn.close()
        converter = json.loads((data / "converter_2025.json").read_text(encoding="utf-8"))
        for key in ("DICT_PROVINCE", "DICT_PROVINCE_WARD_NO_DIVIDED", "DICT_PROVINCE_WARD_DIVIDED"):
            if not isinstance(converter.get(key), dict):
                raise ValueError(f"{key} missing")
    except (OSError, sqlite3.Error, ValueError, AttributeError) as exc:
        raise UnitImportError(
            _("The lists of the %(package)s package cannot be read: %(error)s")
            % {"package": PACKAGE, "error": exc}
        ) from exc
    return legacy, current, converter


def package_province_codes(data_dir: Path | None = None) -> tuple[frozenset[str], frozenset[str]]:
    """The two-digit province codes of the package's lists: (before 01/07/2025, from 01/07/2025).

    A few milliseconds: two small queries of the package's database, not the whole lists.
    """
    data = Path(data_dir) if data_dir is not None else _package_files() / "data"
    try:
        with importlib.resources.as_file(data / "dataset.db") as db_path:
            conn = sqlite3.connect(f"{Path(db_path).resolve().as_uri()}?mode=ro", uri=True)
            try:
                lists = tuple(
                    frozenset(
                        code
                        for (code,) in conn.execute(query)
                        if isinstance(code, str) and re.fullmatch(r"[0-9]{2}", code)
                    )
                    for query in (
                        "SELECT DISTINCT provinceCode FROM admin_units_legacy",
                        "SELECT DISTINCT provinceCode FROM admin_units",
                    )
                )
            finally:
                conn.close()
    except (OSError, sqlite3.Error) as exc:
        raise UnitImportError(
            _("The lists of the %(package)s package cannot be read: %(error)s")
            % {"package": PACKAGE, "error": exc}
        ) from exc
    if not all(lists):
        raise UnitImportError(
            _("The lists of the %(package)s package cannot be read: %(error)s")
            % {"package": PACKAGE, "error": "no province"}
        )
    return lists[0], lists[1]


def read_package(
    *,
    effective: dt.date | None = None,
    provinces: Iterable[str] | None = None,
    data_dir: Path | None = None,
    missing: Path | None = MISSING_COMMUNES,
) -> UnitSnapshot:
    """The package's old (63 provinces) and new (34 provinces) lists and its 2025 conversion map.

    ``missing`` (the project's file of the 12 communes the package lacks; None: none) is merged
    into the old list and the map (``merge_missing_communes``), so the old list holds the GSO's
    63 provinces, 696 districts and 10,047 communes.

    The legacy table has five rows with no commune (NULL ward code): the island districts with no
    communes (Bạch Long Vĩ, Cồn Cỏ, Hoàng Sa, Lý Sơn, Côn Đảo). They give the district only, and
    the map sends each of them wholly to its new special zone (đặc khu). Any other row with a
    NULL ward code, or a ward code seen before, is skipped and named in ``warnings``.
    ``data_dir`` replaces the package's ``data`` folder (files of the same layout; for tests).
    """
    effective = effective or default_effective()
    data = Path(data_dir) if data_dir is not None else _package_files() / "data"
    legacy, current, converter = _package_tables(data)
    version = package_version()
    where = f"{PACKAGE} {version}"
    snap = UnitSnapshot(source=where[:60], effective=effective)

    old_province: dict[str, str] = {}  # key → code
    old_district: dict[tuple[str, str], str] = {}
    old_commune: dict[tuple[str, str, str], str] = {}
    seen: set[tuple[str, str]] = set()
    skipped: set[tuple[str, str, str]] = set()  # old commune keys left out, with a warning
    for row in legacy:
        place = f"{where} admin_units_legacy {row['provinceCode']}/{row['districtCode']}/{row['wardCode']}"
        if ("province", row["provinceCode"]) not in seen:
            seen.add(("province", row["provinceCode"]))
            snap.old_units.append(
                UnitRow(
                    UnitLevel.PROVINCE,
                    row["provinceCode"],
                    row["province"],
                    kind_from_name(row["province"]),
                    latitude=row["provinceLat"],
                    longitude=row["provinceLon"],
                    place=place,
                )
            )
        old_province[row["provinceKey"]] = row["provinceCode"]
        if ("district", row["districtCode"]) not in seen:
            seen.add(("district", row["districtCode"]))
            snap.old_units.append(
                UnitRow(
                    UnitLevel.DISTRICT,
                    row["districtCode"],
                    row["district"],
                    row["districtType"] or kind_from_name(row["district"]),
                    row["provinceCode"],
                    row["districtLat"],
                    row["districtLon"],
                    place,
                )
            )
        old_district[(row["provinceKey"], row["districtKey"])] = row["districtCode"]
        ward_key = (row["provinceKey"], row["districtKey"], row["wardKey"])
        if row["wardCode"] is None:
            if row["ward"] or row["wardKey"]:
                skipped.add(ward_key)
                snap.warnings.append(
                    _("%(place)s: the commune %(name)s has no code and was skipped.")
                    % {"place": place, "name": row["ward"]}
                )
            continue
        if ("commune", row["wardCode"]) in seen:
            # Another commune under a code already taken: which one the code means is unknown.
            if old_commune.get(ward_key) != row["wardCode"]:
                skipped.add(ward_key)
            snap.warnings.append(
                _("%(place)s: the commune code %(code)s appears twice; the first row was kept.")
                % {"place": place, "code": row["wardCode"]}
            )
            continue
        seen.add(("commune", row["wardCode"]))
        snap.old_units.append(
            UnitRow(
                UnitLevel.COMMUNE,
                row["wardCode"],
                row["ward"],
                row["wardType"] or kind_from_name(row["ward"]),
                row["districtCode"],
                row["wardLat"],
                row["wardLon"],
                place,
            )
        )
        old_commune[ward_key] = row["wardCode"]

    new_province: dict[str, str] = {}
    new_commune: dict[tuple[str, str], str] = {}
    for row in current:
        place = f"{where} admin_units {row['provinceCode']}/{row['wardCode']}"
        if row["provinceKey"] not in new_province:
            new_province[row["provinceKey"]] = row["provinceCode"]
            snap.new_units.append(
                UnitRow(
                    UnitLevel.PROVINCE,
                    row["provinceCode"],
                    row["province"],
                    kind_from_name(row["province"]),
                    latitude=row["provinceLat"],
                    longitude=row["provinceLon"],
                    place=place,
                )
            )
        new_commune[(row["provinceKey"], row["wardKey"])] = row["wardCode"]
        snap.new_units.append(
            UnitRow(
                UnitLevel.COMMUNE,
                row["wardCode"],
                row["ward"],
                row["wardType"] or kind_from_name(row["ward"]),
                row["provinceCode"],
                row["wardLat"],
                row["wardLon"],
                place,
            )
        )

    def unknown(place: str, key: str) -> UnitImportError:
        return UnitImportError(
            _("%(place)s: the key %(key)s names no unit of the package's lists.")
            % {"place": place, "key": key}
        )

    def old_unit(place: str, key: str) -> tuple[str, str] | None:
        # "provincekey_districtkey_wardkey"; an empty ward key names a district with no communes.
        parts = key.split("_")
        if len(parts) != 3:
            raise unknown(place, key)
        if tuple(parts) in skipped:
            return None
        if parts[2] == "":
            code = old_district.get((parts[0], parts[1]))
            level = UnitLevel.DISTRICT
        else:
            code = old_commune.get((parts[0], parts[1], parts[2]))
            level = UnitLevel.COMMUNE
        if code is None:
            raise unknown(place, key)
        return level, code

    def new_unit(place: str, province_key: str, ward_key: str) -> str:
        code = new_commune.get((province_key, ward_key))
        if code is None:
            raise unknown(place, f"{province_key}/{ward_key}")
        return code

    file = f"{where} converter_2025.json"
    for new_key, old_keys in converter["DICT_PROVINCE"].items():
        place = f"{file} DICT_PROVINCE[{new_key}]"
        if new_key not in new_province:
            raise unknown(place, new_key)
        for old_key in old_keys:
            if old_key not in old_province:
                raise unknown(place, old_key)
            snap.successions.append(
                SuccessionRow(
                    UnitLevel.PROVINCE,
                    old_province[old_key],
                    UnitLevel.PROVINCE,
                    new_province[new_key],
                    SuccessionKind.FULL,
                    place,
                )
            )
    for new_pkey, wards in converter["DICT_PROVINCE_WARD_NO_DIVIDED"].items():
        for new_wkey, old_keys in wards.items():
            place = f"{file} DICT_PROVINCE_WARD_NO_DIVIDED[{new_pkey}][{new_wkey}]"
            new_code = new_unit(place, new_pkey, new_wkey)
            for old_key in old_keys:
                found = old_unit(place, old_key)
                if found is None:
                    continue
                level, old_code = found
                snap.successions.append(
                    SuccessionRow(level, old_code, UnitLevel.COMMUNE, new_code, SuccessionKind.FULL, place)
                )
    for new_pkey, olds in converter["DICT_PROVINCE_WARD_DIVIDED"].items():
        for old_key, targets in olds.items():
            place = f"{file} DICT_PROVINCE_WARD_DIVIDED[{new_pkey}][{old_key}]"
            found = old_unit(place, old_key)
            if found is None:
                continue
            level, old_code = found
            for target in targets:
                new_code = new_unit(place, new_pkey, target["newWardKey"])
                snap.successions.append(
                    SuccessionRow(level, old_code, UnitLevel.COMMUNE, new_code, SuccessionKind.PARTIAL, place)
                )
    if missing is not None:
        merge_missing_communes(snap, missing)
    snap = snap.filtered(provinces)
    snap.check()
    return snap


def merge_missing_communes(snap: UnitSnapshot, path: Path) -> None:
    """Add the communes of ``path`` to the snapshot's old list, and their successions.

    The file (``data/communes-missing-from-package.yaml``) lists communes with their district and
    province and the new communes they went into. A commune the lists already hold is left as the
    lists have it (a later package may add it). Refused with ``UnitImportError`` (nothing merged)
    when the file is unreadable or malformed, or names a district, province or new commune that
    the lists lack.
    """
    name = Path(path).name
    try:
        document = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        raise UnitImportError(_("%(file)s cannot be read: %(error)s") % {"file": name, "error": exc}) from exc
    communes = document.get("communes") if isinstance(document, dict) else None
    if not isinstance(communes, list):
        raise UnitImportError(_('%(file)s: expected a list of "communes".') % {"file": name})
    source = str(document.get("source") or name)[:60]
    old = {(r.level, r.code): r for r in snap.old_units}
    new = {(r.level, r.code): r for r in snap.new_units}
    rows: list[UnitRow] = []
    successions: list[SuccessionRow] = []
    for i, entry in enumerate(communes):
        place = f"{name} communes[{i}]"
        try:
            code, label = str(entry["code"]), str(entry["name"])
            kind = str(entry.get("kind") or kind_from_name(label))
            district, province = str(entry["district"]["code"]), str(entry["province"]["code"])
            targets = [(str(t["code"]), str(t["kind"])) for t in entry["successors"]]
        except (KeyError, TypeError) as exc:
            raise UnitImportError(
                _(
                    "%(place)s: each commune needs a code, a name, a district, a province and its "
                    "successors (%(error)s)."
                )
                % {"place": place, "error": exc}
            ) from exc
        _check_code(UnitLevel.COMMUNE, code, place)
        if (UnitLevel.COMMUNE, code) in old:
            continue
        parent = old.get((UnitLevel.DISTRICT, district))
        if parent is None or parent.parent_code != province:
            raise UnitImportError(
                _("%(place)s: the district %(district)s of province %(province)s is not in the list.")
                % {"place": place, "district": district, "province": province}
            )
        if not targets:
            raise UnitImportError(_("%(place)s: the commune has no successor.") % {"place": place})
        for target, succession_kind in targets:
            if (UnitLevel.COMMUNE, target) not in new:
                raise UnitImportError(
                    _("%(place)s: the new commune %(code)s is not in the list.")
                    % {"place": place, "code": target}
                )
            successions.append(
                SuccessionRow(
                    UnitLevel.COMMUNE, code, UnitLevel.COMMUNE, target, succession_kind, place, source
                )
            )
        row = UnitRow(UnitLevel.COMMUNE, code, label, kind, district, place=place, source=source)
        rows.append(row)
        old[(UnitLevel.COMMUNE, code)] = row
    snap.old_units += rows
    snap.successions += successions


# --- Readers: the General Statistics Office JSON lists ------------------------------------------


def read_gso_file(path: str | Path, *, effective: dt.date | None = None) -> UnitSnapshot:
    """Read a GSO list (three-level, or the 2025 two-level list with ``merges``); format from content."""
    path = Path(path)
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise UnitImportError(
            _("%(file)s cannot be read: %(error)s") % {"file": path.name, "error": exc.strerror or exc}
        ) from exc
    return parse_gso(raw, name=path.name, effective=effective)


def parse_gso(raw: bytes | str, *, name: str, effective: dt.date | None = None) -> UnitSnapshot:
    """Parse the content of a GSO list file named ``name`` (the name is only used in messages)."""
    effective = effective or default_effective()
    if not raw.strip():
        raise UnitImportError(_("%(file)s is empty.") % {"file": name})
    check_json(raw, name=name)  # nesting measured first: json recurses into every level
    try:
        document = json.loads(raw)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        detail = (
            f"{exc.msg}, line {exc.lineno} column {exc.colno}"
            if isinstance(exc, json.JSONDecodeError)
            else str(exc)
        )
        raise UnitImportError(
            _("%(file)s is not a JSON file (%(error)s).") % {"file": name, "error": detail}
        ) from exc
    data = document.get("data") if isinstance(document, dict) else None
    if not isinstance(data, list) or not data or not all(isinstance(p, dict) for p in data):
        raise UnitImportError(
            _('%(file)s: expected an object whose "data" is a non-empty list of provinces.') % {"file": name}
        )
    first = data[0]
    level2s = first.get("level2s")
    first_level2 = (
        level2s[0] if isinstance(level2s, list) and level2s and isinstance(level2s[0], dict) else {}
    )
    if "merges" in first or "merges" in first_level2:
        snap = _parse_merges(data, name=name, effective=effective)
    elif "level3s" in first_level2:
        snap = _parse_three_levels(data, name=name, effective=effective)
    else:
        raise UnitImportError(
            _(
                "%(file)s: unknown format; expected the three-level list (level2s with level3s) "
                "or the 2025 two-level list with merges."
            )
            % {"file": name}
        )
    snap.check()
    return snap


def _field(item, key: str, place: str) -> str:
    value = item.get(key) if isinstance(item, dict) else None
    if not isinstance(value, str) or not value.strip():
        raise UnitImportError(
            _('%(place)s: "%(key)s" is missing or is not text.') % {"place": place, "key": key}
        )
    return value.strip()


def _items(item, key: str, place: str) -> list:
    value = item.get(key) if isinstance(item, dict) else None
    if not isinstance(value, list):
        raise UnitImportError(
            _('%(place)s: "%(key)s" is missing or is not a list.') % {"place": place, "key": key}
        )
    return value


def _kind(item: dict, name: str) -> str:
    kind = item.get("type")
    # In the merges file "type" of a merge is full/partial, never the kind of unit.
    if isinstance(kind, str) and kind.strip() and kind not in SuccessionKind.values:
        return kind.strip()
    return kind_from_name(name)


def _parse_three_levels(data: list, *, name: str, effective: dt.date) -> UnitSnapshot:
    snap = UnitSnapshot(source=f"GSO {name}"[:60], effective=effective)
    for i, province in enumerate(data):
        place = f"{name}: data[{i}]"
        code = _field(province, "level1_id", place)
        label = _field(province, "name", place)
        snap.old_units.append(UnitRow(UnitLevel.PROVINCE, code, label, _kind(province, label), place=place))
        for j, district in enumerate(_items(province, "level2s", place)):
            dplace = f"{place}.level2s[{j}]"
            dcode = _field(district, "level2_id", dplace)
            dlabel = _field(district, "name", dplace)
            snap.old_units.append(
                UnitRow(UnitLevel.DISTRICT, dcode, dlabel, _kind(district, dlabel), code, place=dplace)
            )
            for k, commune in enumerate(_items(district, "level3s", dplace)):
                cplace = f"{dplace}.level3s[{k}]"
                ccode = _field(commune, "level3_id", cplace)
                clabel = _field(commune, "name", cplace)
                snap.old_units.append(
                    UnitRow(UnitLevel.COMMUNE, ccode, clabel, _kind(commune, clabel), dcode, place=cplace)
                )
    return snap


def _merge_rows(item: dict, place: str, *, new_level: str, new_code: str, province_level: bool) -> list:
    rows = []
    for m, merge in enumerate(_items(item, "merges", place)):
        mplace = f"{place}.merges[{m}]"
        old_code = _field(merge, "old_id", mplace)
        kind = _field(merge, "type", mplace)
        if province_level:
            old_level = UnitLevel.PROVINCE
        else:
            # A new commune may take in a whole old district that had no communes (island districts).
            old_level = (
                UnitLevel.DISTRICT if len(old_code) == CODE_LENGTH[UnitLevel.DISTRICT] else UnitLevel.COMMUNE
            )
        rows.append(SuccessionRow(old_level, old_code, new_level, new_code, kind, mplace))
    return rows


def _parse_merges(data: list, *, name: str, effective: dt.date) -> UnitSnapshot:
    snap = UnitSnapshot(source=f"GSO {name}"[:60], effective=effective)
    for i, province in enumerate(data):
        place = f"{name}: data[{i}]"
        code = _field(province, "level1_id", place)
        label = _field(province, "name", place)
        snap.new_units.append(UnitRow(UnitLevel.PROVINCE, code, label, _kind(province, label), place=place))
        snap.successions += _merge_rows(
            province, place, new_level=UnitLevel.PROVINCE, new_code=code, province_level=True
        )
        for j, commune in enumerate(_items(province, "level2s", place)):
            cplace = f"{place}.level2s[{j}]"
            ccode = _field(commune, "level2_id", cplace)
            clabel = _field(commune, "name", cplace)
            snap.new_units.append(
                UnitRow(UnitLevel.COMMUNE, ccode, clabel, _kind(commune, clabel), code, place=cplace)
            )
            snap.successions += _merge_rows(
                commune, cplace, new_level=UnitLevel.COMMUNE, new_code=ccode, province_level=False
            )
    return snap


# --- Writer -----------------------------------------------------------------------------------


@dataclass
class ImportResult:
    """What ``units_import`` did."""

    created: int = 0
    updated: int = 0
    unchanged: int = 0
    closed: int = 0
    successions_created: int = 0
    successions_updated: int = 0
    successions_unchanged: int = 0
    created_by_level: Counter = field(default_factory=Counter)
    warnings: list[str] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return bool(
            self.created
            or self.updated
            or self.closed
            or self.successions_created
            or self.successions_updated
        )

    def as_dict(self) -> dict[str, int]:
        return {
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "closed": self.closed,
            "successions_created": self.successions_created,
            "successions_updated": self.successions_updated,
            "successions_unchanged": self.successions_unchanged,
        }


class _Writer:
    """One import: an index of the units already there, and bulk writes level by level."""

    FIELDS = (
        "id",
        "code",
        "name",
        "kind",
        "level",
        "parent_id",
        "path",
        "valid_from",
        "valid_to",
        "latitude",
        "longitude",
        "source",
    )

    def __init__(self, snapshot: UnitSnapshot, progress: Progress | None):
        self.snap = snapshot
        self.progress = progress or (lambda stage, done, total: None)
        self.result = ImportResult(warnings=list(snapshot.warnings))
        self.index: dict[tuple[str, str, dt.date | None], Unit] = {}
        for unit in Unit.objects.exclude(level=UnitLevel.VILLAGE).only(*self.FIELDS):
            self.index[(unit.level, unit.code, unit.valid_from)] = unit

    def resolve_successions(self) -> list[tuple[SuccessionRow, tuple, tuple]]:
        """Where each succession's ends are (snapshot key or database unit); refuse unknown ends."""
        old_keys = {(r.level, r.code) for r in self.snap.old_units}
        new_keys = {(r.level, r.code) for r in self.snap.new_units}
        by_code: dict[tuple[str, str], list[Unit]] = defaultdict(list)
        for (lvl, code, _vf), unit in self.index.items():
            by_code[(lvl, code)].append(unit)
        day = self.snap.old_valid_to
        resolved, missing_old, missing_new = [], [], []
        for s in self.snap.successions:
            old = (s.old_level, s.old_code)
            new = (s.new_level, s.new_code)
            if old in old_keys:
                old_end = ("snap", old)
            else:
                found = [u for u in by_code.get(old, []) if u.is_valid_on(day)]
                old_end = ("db", found[0]) if len(found) == 1 else None
                if old_end is None:
                    missing_old.append(s)
            if new in new_keys:
                new_end = ("snap", new)
            else:
                unit = self.index.get((s.new_level, s.new_code, self.snap.effective))
                new_end = ("db", unit) if unit else None
                if new_end is None:
                    missing_new.append(s)
            resolved.append((s, old_end, new_end))
        if missing_old:
            codes = sorted({s.old_code for s in missing_old})
            raise UnitImportError(
                _(
                    "%(count)d old units named in the list are not in the database as units in force "
                    "on %(day)s (import the list in force before %(effective)s first): %(codes)s "
                    "(first at %(place)s)."
                )
                % {
                    "count": len(codes),
                    "day": self.snap.old_valid_to.strftime("%d/%m/%Y"),
                    "effective": self.snap.effective.strftime("%d/%m/%Y"),
                    "codes": _listing(codes),
                    "place": missing_old[0].place,
                }
            )
        if missing_new:
            codes = sorted({s.new_code for s in missing_new})
            raise UnitImportError(
                _("%(count)d new units named by successions are unknown: %(codes)s (first at %(place)s).")
                % {"count": len(codes), "codes": _listing(codes), "place": missing_new[0].place}
            )
        return resolved

    def write_list(self, rows: list[UnitRow], *, valid_from, valid_to, stage: str) -> dict[tuple, Unit]:
        """Create or update the units of one list, parents first; return them by (level, code)."""
        written: dict[tuple[str, str], Unit] = {}
        total, done = len(rows), 0
        self.progress(stage, 0, total)
        created = 0
        updated: set[int] = set()
        reparent: list[tuple[Unit, Unit | None]] = []
        for level in sorted({r.level for r in rows}, key=LEVEL_RANK.__getitem__):
            to_create, to_update = [], []
            for row in (r for r in rows if r.level == level):
                parent = None
                if row.parent_code:
                    parent = next(
                        written[(lvl, row.parent_code)]
                        for lvl, rank in LEVEL_RANK.items()
                        if rank < LEVEL_RANK[level] and (lvl, row.parent_code) in written
                    )
                unit = self.index.get((level, row.code, valid_from))
                if unit is None:
                    unit = Unit(
                        code=row.code,
                        name=row.name,
                        name_folded=fold(row.name),
                        kind=row.kind,
                        level=level,
                        parent=parent,
                        path="/",
                        valid_from=valid_from,
                        valid_to=valid_to,
                        latitude=row.latitude,
                        longitude=row.longitude,
                        source=row.source or self.snap.source,
                    )
                    to_create.append(unit)
                else:
                    if self._refresh(unit, row, valid_to):
                        to_update.append(unit)
                        updated.add(unit.pk)
                    if unit.parent_id != (parent.pk if parent else None):
                        reparent.append((unit, parent))
                written[(level, row.code)] = unit
            for start in range(0, len(to_create), BATCH):
                chunk = to_create[start : start + BATCH]
                Unit.objects.bulk_create(chunk)
                # Parents were written before their children, so their paths are final here.
                for unit in chunk:
                    unit.path = f"{unit.parent.path if unit.parent else '/'}{unit.pk}/"
                    self.index[(level, unit.code, valid_from)] = unit
                # One UPDATE per batch, the parent's path read in SQL (bulk_update's CASE is slow).
                Unit.objects.filter(pk__in=[u.pk for u in chunk]).update(path=_PATH_SQL)
                self.progress(stage, done + start + len(chunk), total)
            if to_update:
                Unit.objects.bulk_update(
                    to_update,
                    ["name", "name_folded", "kind", "latitude", "longitude", "valid_to", "source"],
                    batch_size=BATCH // 2,
                )
            created += len(to_create)
            self.result.created += len(to_create)
            self.result.created_by_level[level] += len(to_create)
            done += sum(1 for r in rows if r.level == level)
            self.progress(stage, done, total)
        for unit, parent in reparent:
            # Rare (a list that moves a unit to another parent): rewrite the subtree's paths.
            unit_reparent(unit, parent)
            Unit.objects.filter(pk=unit.pk).update(source=self.snap.source)
            updated.add(unit.pk)
        self.result.updated += len(updated)
        self.result.unchanged += total - created - len(updated)
        return written

    def _refresh(self, unit: Unit, row: UnitRow, valid_to: dt.date | None) -> bool:
        changed = False
        for attr in ("name", "kind"):
            value = getattr(row, attr)
            if value and getattr(unit, attr) != value:
                setattr(unit, attr, value)
                changed = True
        # A list without coordinates (GSO) does not erase the ones another source gave.
        for attr in ("latitude", "longitude"):
            value = getattr(row, attr)
            if value is not None and getattr(unit, attr) != value:
                setattr(unit, attr, value)
                changed = True
        if valid_to is not None and (unit.valid_to is None or unit.valid_to > valid_to):
            unit.valid_to = valid_to
            changed = True
        if changed:
            unit.name_folded = fold(unit.name)
            unit.source = row.source or self.snap.source
        return changed

    def close_predecessors(self, old_units: Iterable[Unit]) -> None:
        """End the old units named as merged, and what still hangs open below them (not villages)."""
        end = self.snap.old_valid_to
        still_open = Q(valid_to__isnull=True) | Q(valid_to__gt=end)
        ids = {u.pk for u in old_units}
        paths = [u.path for u in old_units if u.level != UnitLevel.COMMUNE]
        below = Q()
        for path in paths:
            below |= Q(path__startswith=path)
        ordered_ids = sorted(ids)
        candidates: set[int] = set()
        for start in range(0, len(ordered_ids), BATCH):
            candidates |= set(
                Unit.objects.filter(still_open, pk__in=ordered_ids[start : start + BATCH])
                .exclude(level=UnitLevel.VILLAGE)
                .values_list("pk", flat=True)
            )
        if paths:
            candidates |= set(
                Unit.objects.filter(below, still_open)
                .exclude(level=UnitLevel.VILLAGE)
                .filter(Q(valid_from__isnull=True) | Q(valid_from__lt=self.snap.effective))
                .values_list("pk", flat=True)
            )
        ordered = sorted(candidates)
        for start in range(0, len(ordered), BATCH):
            Unit.objects.filter(pk__in=ordered[start : start + BATCH]).update(valid_to=end)
        self.result.closed += len(ordered)

    def write_successions(self, resolved, old_written, new_written) -> None:
        effective = self.snap.effective
        existing = {
            (s.predecessor_id, s.successor_id): s
            for s in UnitSuccession.objects.filter(effective=effective).only(
                "id", "predecessor_id", "successor_id", "kind", "source"
            )
        }
        to_create, to_update = [], []
        predecessors: dict[int, Unit] = {}
        total = len(resolved)
        self.progress("successions", 0, total)
        for s, old_end, new_end in resolved:
            old = old_written[old_end[1]] if old_end[0] == "snap" else old_end[1]
            new = new_written[new_end[1]] if new_end[0] == "snap" else new_end[1]
            predecessors[old.pk] = old
            current = existing.get((old.pk, new.pk))
            if current is None:
                to_create.append(
                    UnitSuccession(
                        predecessor=old,
                        successor=new,
                        kind=s.kind,
                        effective=effective,
                        source=s.source or self.snap.source,
                    )
                )
            elif current.kind != s.kind:
                current.kind = s.kind
                current.source = s.source or self.snap.source
                to_update.append(current)
            else:
                self.result.successions_unchanged += 1
        for start in range(0, len(to_create), BATCH):
            UnitSuccession.objects.bulk_create(to_create[start : start + BATCH])
            self.progress("successions", start + len(to_create[start : start + BATCH]), total)
        if to_update:
            UnitSuccession.objects.bulk_update(to_update, ["kind", "source"], batch_size=BATCH)
        self.result.successions_created += len(to_create)
        self.result.successions_updated += len(to_update)
        self.progress("successions", total, total)
        self.close_predecessors(predecessors.values())


def _listing(codes: list[str]) -> str:
    shown = ", ".join(codes[:MAX_LISTED])
    return shown + ("…" if len(codes) > MAX_LISTED else "")


def units_import(
    *, snapshot: UnitSnapshot, acting_user=None, progress: Progress | None = None
) -> ImportResult:
    """Write a snapshot's units and successions: one transaction, bulk, idempotent, audited.

    ``progress(stage, done, total)`` is called as the work goes on. Nothing is written when the
    snapshot is refused (``UnitImportError``).
    """
    if acting_user is not None and not (
        acting_user.has_perm("geo.import_units") and acting_user.sees_all_units
    ):
        # The lists are national: only administrators not limited by place may load them.
        raise ScopeError("geo.import_units")
    snapshot.check()
    with transaction.atomic():
        writer = _Writer(snapshot, progress)
        resolved = writer.resolve_successions()
        old_written = writer.write_list(
            snapshot.old_units,
            valid_from=snapshot.old_valid_from,
            valid_to=snapshot.old_valid_to,
            stage="old units",
        )
        new_written = writer.write_list(
            snapshot.new_units, valid_from=snapshot.effective, valid_to=None, stage="new units"
        )
        writer.write_successions(resolved, old_written, new_written)
        result = writer.result
        # An import that changed nothing is not a change of state: no audit event.
        if result.changed:
            refresh_planner_statistics(Unit, UnitSuccession)
            audit_record(
                acting_user,
                "geo.units.imported",
                None,
                object_label=f"{snapshot.source} ({snapshot.effective.isoformat()})",
                changes=result.as_dict(),
            )
    return result

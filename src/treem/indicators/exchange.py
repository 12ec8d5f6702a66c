"""Indicator values exchanged with the ministry's systems as ADX (ISO/IHE aggregate data exchange,
the SDMX-based XML DHIS2 reads) and as DHIS2's JSON dataValueSets (docs/indicator-exchange.md).

Codes of the catalogue become the receiver's data element codes through the mapping table
``data/adx-mapping.yaml``: a numerator and a denominator are two data elements, so that the receiver
can sum each over units (a province's percentage is never an average of its communes'). A unit is
named by its official code, which names a unit only with its period (codes were reused in 2025).

Export reads what the user may see (``selectors.visible_values``) under one unit and period.
Import checks every value first (data element, period, unit and the user's right to write it,
number ≥ 0), then writes each commune's figures through ``services.values_save`` (the same rules:
percentages not over 100, a denominator with a ratio, approved figures locked; one audit event per
figure), all or nothing. XML is read by expat with DTDs and entities refused; JSON goes through
``core.uploads.check_json`` first. Breakdowns (age, sex…) are not exchanged yet: a value carrying
one is refused.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import re
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from pathlib import Path
from typing import Any
from xml.etree import ElementTree
from xml.parsers import expat

import yaml
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from treem.audit.services import audit_record
from treem.core.scope import scope_require
from treem.core.uploads import Limits, UnsafeUpload, check_json
from treem.geo.models import Unit, UnitLevel
from treem.indicators import selectors
from treem.indicators.models import DECIMALS, DIGITS, Indicator, IndicatorValue
from treem.indicators.periods import Period, parse_period, unit_exists_in
from treem.indicators.services import IMPORT_MAX_ROWS, Row, values_save

logger = logging.getLogger(__name__)

ADX_NS = "urn:ihe:qrph:adx:2015"
MAPPING_PATH = Path(__file__).parent / "data" / "adx-mapping.yaml"
PARTS = ("numerator", "denominator")
FORMATS = ("adx", "json")
MAX_NUMBER = Decimal(10) ** (DIGITS - DECIMALS) - 1
# A value per part: twice the rows the .xlsx import takes.
MAX_VALUES = 2 * IMPORT_MAX_ROWS
MAX_LISTED_ERRORS = 100
NUMBER_RE = re.compile(r"^-?\d+(\.\d+)?$")
ADX_PERIOD_RE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})/(P1Y|P12M|P6M|P3M)$")
# DHIS2 writes the default category option combination as "default" (codes) or by its id.
DEFAULT_COMBOS = {"", "default", "HllvX50cXC0"}
DHIS2_KNOWN_KEYS = {
    "dataElement",
    "period",
    "orgUnit",
    "value",
    "categoryOptionCombo",
    "attributeOptionCombo",
    "comment",
    "storedBy",
    "created",
    "lastUpdated",
    "followup",
    "followUp",
}


# --- the mapping table ------------------------------------------------------------------------


@dataclass(frozen=True)
class Mapping:
    """Catalogue codes to the receiver's data element codes (both directions)."""

    receiver: str
    data_set: str
    elements: dict[tuple[str, str], str]  # (indicator code, part) -> receiver's code

    @property
    def reverse(self) -> dict[str, tuple[str, str]]:
        return {code: key for key, code in self.elements.items()}

    def mapped(self, indicator_code: str) -> bool:
        return (indicator_code, "numerator") in self.elements


def load_mapping(path: Path | str) -> Mapping:
    """Read and check a mapping file: every part a numerator or a denominator, every code once."""
    document = yaml.safe_load(Path(path).read_text(encoding="utf-8")) or {}
    elements: dict[tuple[str, str], str] = {}
    for indicator_code, parts in (document.get("indicators") or {}).items():
        if not isinstance(parts, dict) or "numerator" not in parts or set(parts) - set(PARTS):
            raise ValueError(f"{path}: {indicator_code} needs numerator (and denominator) codes only")
        for part, code in parts.items():
            elements[(str(indicator_code), part)] = str(code)
    codes = list(elements.values())
    if len(codes) != len(set(codes)):
        raise ValueError(f"{path}: a receiver code is used twice")
    if not document.get("data_set"):
        raise ValueError(f"{path}: data_set is missing")
    return Mapping(str(document.get("receiver", "")), str(document["data_set"]), elements)


@lru_cache(maxsize=1)
def mapping() -> Mapping:
    return load_mapping(MAPPING_PATH)


# --- periods ----------------------------------------------------------------------------------


def adx_period(period: Period) -> str:
    """treem's period in ADX: its first day and its length (``2026-07-01/P3M``)."""
    length = "P3M" if "Q" in period.code else "P6M" if "S" in period.code else "P1Y"
    return f"{period.start.isoformat()}/{length}"


def period_from_adx(text: str) -> Period:
    """The period an ADX period names (a year, a half-year or a quarter), or ValidationError."""
    match = ADX_PERIOD_RE.match((text or "").strip())
    refused = ValidationError(
        _("“%(period)s” is not a period treem keeps: write 2026-01-01/P1Y, 2026-07-01/P6M or 2026-07-01/P3M.")
        % {"period": text},
        code="period",
    )
    if not match:
        raise refused
    year, month, day, length = int(match[1]), int(match[2]), int(match[3]), match[4]
    if day != 1:
        raise refused
    if length in ("P1Y", "P12M") and month == 1:
        code = str(year)
    elif length == "P6M" and month in (1, 7):
        code = f"{year}S{1 if month == 1 else 2}"
    elif length == "P3M" and month in (1, 4, 7, 10):
        code = f"{year}Q{(month + 2) // 3}"
    else:
        raise refused
    return parse_period(code)


# --- export -----------------------------------------------------------------------------------


@dataclass
class Export:
    """What one unit and period give: data values per commune, and the indicators left out."""

    unit: Unit
    period: Period
    groups: list[tuple[Unit, list[tuple[str, Decimal]]]] = field(default_factory=list)
    unmapped: list[str] = field(default_factory=list)

    @property
    def count(self) -> int:
        return sum(len(values) for _unit, values in self.groups)


def exchange_values(*, user, unit: Unit, period: Period, table: Mapping | None = None) -> Export:
    """The values the user may see under ``unit`` for ``period``, as receiver data elements."""
    table = table or mapping()
    values = (
        selectors.visible_values(user)
        .filter(period=period.code, unit__path__startswith=unit.path)
        .select_related("indicator", "unit")
        .order_by("unit__code", "unit_id", "indicator__code")
    )
    export = Export(unit=unit, period=period)
    unmapped: set[str] = set()
    by_unit: dict[int, tuple[Unit, list[tuple[str, Decimal]]]] = {}
    for value in values:
        code = value.indicator.code
        if not table.mapped(code):
            unmapped.add(code)
            continue
        parts = [("numerator", value.numerator)]
        if value.indicator.is_ratio:
            parts.append(("denominator", value.denominator))
        for part, number in parts:
            if number is not None:
                group = by_unit.setdefault(value.unit_id, (value.unit, []))
                group[1].append((table.elements[(code, part)], number))
    export.groups = list(by_unit.values())
    export.unmapped = sorted(unmapped)
    return export


def plain(number: Decimal) -> str:
    """A number as ADX (xs:decimal) and DHIS2 write it: no exponent, no trailing zeros."""
    text = format(Decimal(number).normalize(), "f")
    return text


def adx_document(
    export: Export, *, table: Mapping | None = None, exported: dt.datetime | None = None
) -> bytes:
    """The ADX document of an export: one ``group`` per commune, one ``dataValue`` per part."""
    table = table or mapping()
    exported = exported or timezone.now()
    ElementTree.register_namespace("", ADX_NS)
    root = ElementTree.Element(f"{{{ADX_NS}}}adx", {"exported": exported.isoformat(timespec="seconds")})
    period = adx_period(export.period)
    for unit, values in export.groups:
        group = ElementTree.SubElement(
            root, f"{{{ADX_NS}}}group", {"orgUnit": unit.code, "period": period, "dataSet": table.data_set}
        )
        for element, number in values:
            ElementTree.SubElement(
                group, f"{{{ADX_NS}}}dataValue", {"dataElement": element, "value": plain(number)}
            )
    ElementTree.indent(root)
    return ElementTree.tostring(root, encoding="utf-8", xml_declaration=True)


def datavaluesets_document(export: Export, *, table: Mapping | None = None) -> bytes:
    """The DHIS2 dataValueSets JSON of an export (codes as identifiers: DHIS2's idScheme=CODE)."""
    table = table or mapping()
    payload = {
        "dataSet": table.data_set,
        "dataValues": [
            {
                "dataElement": element,
                "period": export.period.code,
                "orgUnit": unit.code,
                "value": plain(number),
            }
            for unit, values in export.groups
            for element, number in values
        ],
    }
    return json.dumps(payload, ensure_ascii=False, indent=1).encode("utf-8")


def exchange_export(*, acting_user, unit: Unit, period: Period, fmt: str) -> tuple[bytes, str, Export]:
    """An export as a file (its bytes and name), audited."""
    if fmt not in FORMATS:
        raise ValueError(f"Unknown format {fmt!r}")
    export = exchange_values(user=acting_user, unit=unit, period=period)
    content = adx_document(export) if fmt == "adx" else datavaluesets_document(export)
    name = f"chi-tieu-{unit.code}-{period.code}.{'adx.xml' if fmt == 'adx' else 'json'}"
    audit_record(
        acting_user,
        "indicators.indicatorvalue.exported",
        None,
        object_label=name,
        unit=unit,
        changes={"format": fmt, "values": export.count, "unmapped": export.unmapped},
    )
    return content, name, export


# --- import: reading the files ----------------------------------------------------------------


@dataclass
class Entry:
    """One data value as read from a file, before any check."""

    where: str  # "line 12" or "value 3": for messages
    data_element: str
    period: str
    org_unit: str
    value: Any


class _Declaration(Exception):
    pass


def _refuse(reason: str) -> UnsafeUpload:
    logger.warning("exchange file refused before reading: %s", reason)
    return UnsafeUpload(reason)


def _too_many() -> ValidationError:
    return ValidationError(_("The file has more than %(max)s values.") % {"max": MAX_VALUES})


def _refused(errors: list[str]) -> ValidationError:
    """Every problem of a file, the first hundred listed (a page of a million lines helps nobody)."""
    if len(errors) > MAX_LISTED_ERRORS:
        more = len(errors) - MAX_LISTED_ERRORS
        errors = [
            *errors[:MAX_LISTED_ERRORS],
            _("… and %(count)s more problems of the same file.") % {"count": more},
        ]
    return ValidationError(errors)


def parse_adx(raw: bytes, *, table: Mapping | None = None) -> list[Entry]:
    """The data values of an ADX document; DTDs and entities refused, structure checked."""
    table = table or mapping()
    head = raw[:4096].lstrip()
    if b"<!DOCTYPE" in raw or b"<!ENTITY" in raw:
        raise _refuse("ADX declares a DTD or entities")
    depth_limit = Limits.current().depth
    parser = expat.ParserCreate(namespace_separator=" ")
    parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)

    def declaration(*_args):
        raise _Declaration

    parser.StartDoctypeDeclHandler = declaration
    parser.EntityDeclHandler = declaration
    parser.UnparsedEntityDeclHandler = declaration
    parser.ExternalEntityRefHandler = declaration
    entries: list[Entry] = []
    errors: list[str] = []
    stack: list[str] = []
    group: dict[str, str] = {}
    adx = f"{ADX_NS} "

    def where() -> str:
        return _("line %(line)s") % {"line": parser.CurrentLineNumber}

    def start(name: str, attributes: dict[str, str]) -> None:
        nonlocal group
        stack.append(name)
        if len(stack) > depth_limit:
            raise _refuse(f"ADX nests deeper than {depth_limit}")
        parent = stack[-2] if len(stack) > 1 else None
        if parent is None:
            if name != adx + "adx":
                raise ValidationError(
                    _('The file is not an ADX document: its root must be <adx xmlns="%(ns)s">.')
                    % {"ns": ADX_NS}
                )
        elif parent == adx + "adx" and name == adx + "group":
            missing = [a for a in ("orgUnit", "period", "dataSet") if not attributes.get(a)]
            if missing:
                errors.append(
                    _("%(where)s: a group needs the attributes %(names)s.")
                    % {"where": where(), "names": ", ".join(missing)}
                )
            elif attributes["dataSet"] != table.data_set:
                errors.append(
                    _("%(where)s: data set “%(found)s” is not the one treem exchanges (%(expected)s).")
                    % {"where": where(), "found": attributes["dataSet"], "expected": table.data_set}
                )
            group = attributes
        elif parent == adx + "group" and name == adx + "dataValue":
            extra = sorted(set(attributes) - {"dataElement", "value"})
            if not attributes.get("dataElement") or "value" not in attributes:
                errors.append(
                    _("%(where)s: a dataValue needs the attributes dataElement and value.")
                    % {"where": where()}
                )
            elif extra:
                errors.append(
                    _("%(where)s: breakdowns (%(names)s) are not exchanged yet; send the totals.")
                    % {"where": where(), "names": ", ".join(extra)}
                )
            elif group.get("orgUnit") and group.get("period"):
                if len(entries) >= MAX_VALUES:
                    raise _too_many()
                entries.append(
                    Entry(
                        where(),
                        attributes["dataElement"],
                        group["period"],
                        group["orgUnit"],
                        attributes["value"],
                    )
                )
        elif parent == adx + "dataValue" and name == adx + "annotation":
            pass  # a note for people: not kept
        elif adx + "annotation" not in stack[:-1]:
            errors.append(
                _("%(where)s: <%(name)s> is not expected here.")
                % {"where": where(), "name": name.split(" ")[-1]}
            )

    def end(_name: str) -> None:
        stack.pop()

    parser.StartElementHandler = start
    parser.EndElementHandler = end
    if not head.startswith((b"<", b"\xef\xbb\xbf<", b"\xff\xfe", b"\xfe\xff")):
        raise ValidationError(_("The file is not an ADX document (XML) nor DHIS2 dataValueSets (JSON)."))
    try:
        parser.Parse(raw, True)
    except _Declaration as exc:
        raise _refuse("ADX declares a DTD or entities") from exc
    except expat.ExpatError as exc:
        raise ValidationError(
            _("The file is not well-formed XML (line %(line)s): correct it or export it again.")
            % {"line": exc.lineno}
        ) from exc
    except RecursionError as exc:
        raise _refuse("ADX too deep for the parser") from exc
    if errors:
        raise _refused(errors)
    return entries


def parse_datavaluesets(raw: bytes) -> list[Entry]:
    """The data values of a DHIS2 dataValueSets JSON document (codes as identifiers)."""
    check_json(raw)
    try:
        document = json.loads(raw)
    except (ValueError, RecursionError) as exc:
        raise ValidationError(_("The file is not valid JSON: correct it or export it again.")) from exc
    if not isinstance(document, dict) or not isinstance(document.get("dataValues"), list):
        raise ValidationError(
            _("The file is not a DHIS2 dataValueSets document: it has no “dataValues” list.")
        )
    if len(document["dataValues"]) > MAX_VALUES:
        raise _too_many()
    default_period = document.get("period")
    default_unit = document.get("orgUnit")
    entries: list[Entry] = []
    errors: list[str] = []
    for number, item in enumerate(document["dataValues"], start=1):
        where = _("value %(number)s") % {"number": number}
        if not isinstance(item, dict):
            errors.append(_("%(where)s: not an object.") % {"where": where})
            continue
        combos = [str(item.get(key) or "") for key in ("categoryOptionCombo", "attributeOptionCombo")]
        extra = sorted(set(item) - DHIS2_KNOWN_KEYS)
        if extra or any(combo not in DEFAULT_COMBOS for combo in combos):
            errors.append(
                _("%(where)s: breakdowns (%(names)s) are not exchanged yet; send the totals.")
                % {
                    "where": where,
                    "names": ", ".join(extra or [c for c in combos if c not in DEFAULT_COMBOS]),
                }
            )
            continue
        element, period, unit = (
            item.get("dataElement"),
            item.get("period", default_period),
            item.get("orgUnit", default_unit),
        )
        if not all(isinstance(v, str) and v for v in (element, period, unit)) or "value" not in item:
            errors.append(
                _("%(where)s: dataElement, period, orgUnit and value are needed.") % {"where": where}
            )
            continue
        entries.append(Entry(where, element, period, unit, item["value"]))
    if errors:
        raise _refused(errors)
    return entries


def read_file(raw: bytes) -> tuple[str, list[Entry]]:
    """The format of a file (ADX or dataValueSets JSON, from its first character) and its values."""
    limit = settings.TREEM_MAX_IMPORT_BYTES
    if len(raw) > limit:
        raise ValidationError(_("The file is larger than %(limit)s MB.") % {"limit": limit // (1024 * 1024)})
    first = raw.lstrip(b"\xef\xbb\xbf \t\r\n")[:1]
    if first in (b"{", b"["):
        return "json", parse_datavaluesets(raw)
    return "adx", parse_adx(raw)


# --- import: checking and writing -------------------------------------------------------------


def _number(raw: Any) -> Decimal:
    """A value of the file: a plain number ≥ 0 with a full stop for decimals, or ValidationError."""
    if isinstance(raw, bool) or not isinstance(raw, (str, int, float)):
        raise ValidationError(_("“%(value)s” is not a number.") % {"value": raw})
    text = str(raw).strip()
    if not NUMBER_RE.match(text):
        raise ValidationError(_("“%(value)s” is not a number.") % {"value": text})
    try:
        number = Decimal(text)
    except InvalidOperation as exc:  # pragma: no cover - the pattern lets only numbers through
        raise ValidationError(_("“%(value)s” is not a number.") % {"value": text}) from exc
    if number < 0:
        raise ValidationError(_("%(value)s: figures cannot be negative.") % {"value": text})
    if number > MAX_NUMBER:
        raise ValidationError(_("%(value)s is too large.") % {"value": text})
    return number


@dataclass
class ImportResult:
    format: str = ""
    values: int = 0
    saved: int = 0
    warnings: list[str] = field(default_factory=list)


@transaction.atomic
def exchange_import(*, acting_user, raw: bytes, name: str = "", table: Mapping | None = None) -> ImportResult:
    """Import an ADX or dataValueSets file: every value checked, all written through values_save or none."""
    if not acting_user.has_perm("indicators.add_indicatorvalue"):
        raise ValidationError(_("You may not import indicator figures."))
    table = table or mapping()
    fmt, entries = read_file(raw)
    if not entries:
        raise ValidationError(_("The file holds no figures."))
    reverse = table.reverse
    indicators = {i.code: i for i in Indicator.objects.filter(is_active=True)}
    read_period = period_from_adx if fmt == "adx" else parse_period
    errors: list[str] = []
    periods: dict[str, Period] = {}
    units: dict[tuple[str, str], list[Unit]] = {}
    figures: dict[tuple[int, str], dict[str, dict[str, Decimal]]] = defaultdict(lambda: defaultdict(dict))
    found: dict[int, Unit] = {}
    for entry in entries:
        key = reverse.get(entry.data_element.strip())
        if key is None:
            errors.append(
                _("%(where)s: data element “%(code)s” is not in the mapping table.")
                % {"where": entry.where, "code": entry.data_element}
            )
            continue
        code, part = key
        if code not in indicators:
            errors.append(
                _("%(where)s: indicator %(code)s is not in the catalogue.")
                % {"where": entry.where, "code": code}
            )
            continue
        try:
            period = periods.get(entry.period) or read_period(entry.period)
            number = _number(entry.value)
        except ValidationError as exc:
            errors.append(_("%(where)s: %(error)s") % {"where": entry.where, "error": exc.messages[0]})
            continue
        periods[entry.period] = period
        unit_code = entry.org_unit.strip()
        if (unit_code, period.code) not in units:
            units[(unit_code, period.code)] = [
                u
                for u in Unit.objects.filter(code=unit_code, level=UnitLevel.COMMUNE)
                if unit_exists_in(u, period.start, period.end)
            ]
        candidates = units[(unit_code, period.code)]
        if len(candidates) != 1:
            errors.append(
                _("%(where)s: no commune with code “%(code)s” existed in %(period)s.")
                % {"where": entry.where, "code": unit_code, "period": period.code}
            )
            continue
        unit = candidates[0]
        parts = figures[(unit.pk, period.code)][code]
        if part in parts:
            errors.append(
                _("%(where)s: the same data element, unit and period appear twice.") % {"where": entry.where}
            )
            continue
        parts[part] = number
        found[unit.pk] = unit
    result = ImportResult(format=fmt, values=len(entries))
    for (unit_id, period_code), by_indicator in figures.items():
        unit = found[unit_id]
        try:
            scope_require(acting_user, unit, "indicators.add_indicatorvalue")
        except PermissionDenied:
            errors.append(
                _("Values for commune %(code)s: this commune is outside your units.") % {"code": unit.code}
            )
            continue
        comments = dict(
            IndicatorValue.objects.filter(unit=unit, period=period_code).values_list(
                "indicator__code", "comment"
            )
        )
        rows = [
            Row(indicators[code], parts.get("numerator"), parts.get("denominator"), comments.get(code, ""))
            for code, parts in sorted(by_indicator.items())
        ]
        try:
            saved = values_save(acting_user=acting_user, unit=unit, period=period_code, rows=rows)
        except PermissionDenied:
            errors.append(
                _("Values for commune %(code)s: you may not change its figures.") % {"code": unit.code}
            )
            continue
        except ValidationError as exc:
            messages = (
                [f"{key}: {m}" if key != "__all__" else m for key, ms in exc.message_dict.items() for m in ms]
                if hasattr(exc, "error_dict")
                else exc.messages
            )
            errors.extend(
                _("%(unit)s, %(period)s: %(error)s") % {"unit": unit.code, "period": period_code, "error": m}
                for m in messages
            )
            continue
        result.saved += saved.saved
        result.warnings.extend(saved.warnings)
    if errors:
        raise _refused(errors)
    audit_record(
        acting_user,
        "indicators.value.imported",
        None,
        object_label=name[:255],
        changes={"format": fmt, "values": result.values, "saved": result.saved},
    )
    return result

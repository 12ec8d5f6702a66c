"""Writes on targets, indicator values and approvals. Each function is one audited transaction;
bad input raises ValidationError with a message in the user's language and leaves nothing written.

Rules
    * a target or a value is for a unit that existed in its year / period (units have validity
      dates: the communes before 01/07/2025 are not those after);
    * values are entered for communes; a province's figure is the sum of its communes' (ratios
      recomputed from the summed numerators and denominators, selectors.rollup);
    * a percentage over 100, a negative number, a ratio without its denominator or with a
      denominator of 0 are refused; a value outside the indicator's expected range is saved with a
      warning; a missing value needs a comment (before the commune's figures can be approved);
    * approved figures are locked: a change needs the approval unlocked first, with a reason;
    * a target entered or changed is a draft until another person holding ``approve_target``
      approves it (four eyes); changing an approved target makes it a draft again.
"""

from __future__ import annotations

import datetime as dt
import zlib
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any
from zipfile import BadZipFile

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from treem.audit.services import audit_record, diff, snapshot
from treem.core.scope import ScopeError, scope_require
from treem.core.uploads import UnsafeUpload, check_upload
from treem.geo.models import Unit, UnitLevel
from treem.indicators import computed, formula
from treem.indicators.choices import (
    ApprovalStatus,
    CommuneCategory,
    IndicatorKind,
    PeriodType,
    TargetStatus,
    ValueSource,
)
from treem.indicators.models import (
    DECIMALS,
    DIGITS,
    Approval,
    CommuneClass,
    Indicator,
    IndicatorValue,
    Target,
)
from treem.indicators.periods import Period, parse_period, unit_exists_in

MAX_NUMBER = Decimal(10) ** (DIGITS - DECIMALS) - 1
IMPORT_MAX_ROWS = 50_000
# What openpyxl raises on XML it cannot read (ElementTree's ParseError and lxml's errors are
# SyntaxErrors); core.uploads refuses these files first, this is the second line.
UNREADABLE_XML = (SyntaxError, BadZipFile, zlib.error, EOFError, RecursionError)
IMPORT_HEADERS = {
    "indicator": {"indicator", "indicator_code", "code", "mã chỉ tiêu", "ma chi tieu", "chỉ tiêu"},
    "unit": {"unit", "unit_code", "orgunit", "mã đơn vị", "ma don vi", "đơn vị"},
    "period": {"period", "kỳ", "ky", "kỳ báo cáo"},
    "numerator": {"numerator", "value", "tử số", "tu so", "giá trị"},
    "denominator": {"denominator", "mẫu số", "mau so"},
    "comment": {"comment", "ghi chú", "ghi chu"},
}


def _fail(message: str, key: str | None = None) -> ValidationError:
    return ValidationError({key: [message]}) if key else ValidationError(message)


def _number(raw: Any, label: str) -> Decimal | None:
    """A number from a form or a cell: None for blank; '1.500' is refused as ambiguous."""
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return None
    if isinstance(raw, bool):
        raise ValidationError(_("%(field)s is not a number.") % {"field": label})
    if isinstance(raw, (int, Decimal)):
        value = Decimal(raw)
    elif isinstance(raw, float):
        value = Decimal(str(raw))
    else:
        text = str(raw).strip().replace(" ", "")
        if "." in text and "," not in text and len(text.split(".")[-1]) == 3:
            raise ValidationError(
                _("%(field)s: “%(text)s” is ambiguous; write it without a thousands separator.")
                % {"field": label, "text": text}
            )
        try:
            value = Decimal(text.replace(",", "."))
        except InvalidOperation as exc:
            raise ValidationError(
                _("%(field)s: “%(text)s” is not a number.") % {"field": label, "text": text}
            ) from exc
    if not value.is_finite() or abs(value) > MAX_NUMBER:
        raise ValidationError(_("%(field)s is too large.") % {"field": label})
    if value != value.quantize(Decimal(1).scaleb(-DECIMALS)):
        value = value.quantize(Decimal(1).scaleb(-DECIMALS))
    return value


# --- targets ----------------------------------------------------------------------------------


@transaction.atomic
def target_set(
    *,
    acting_user,
    indicator: Indicator,
    unit: Unit,
    year: int,
    target: Any,
    baseline: Any = None,
    baseline_year: int | None = None,
    note: str = "",
) -> Target:
    """Set (create or change) the target of ``indicator`` for ``unit`` in ``year``."""
    existing = Target.objects.select_for_update().filter(indicator=indicator, unit=unit, year=year).first()
    scope_require(acting_user, unit, "indicators.change_target" if existing else "indicators.add_target")
    errors: dict[str, list[str]] = defaultdict(list)
    if not 2000 <= int(year) <= 2100:
        errors["year"].append(_("Choose a year between 2000 and 2100."))
    elif not unit_exists_in(unit, dt.date(year, 1, 1), dt.date(year, 12, 31)):
        errors["unit"].append(
            _("%(unit)s did not exist in %(year)s: set the target for the units of that year.")
            % {"unit": unit.label, "year": year}
        )
    values: dict[str, Decimal | None] = {}
    for key, raw, label in (("target", target, _("Target")), ("baseline", baseline, _("Baseline"))):
        try:
            values[key] = _number(raw, label)
        except ValidationError as exc:
            errors[key].extend(exc.messages)
            continue
        if values[key] is not None and values[key] < 0:
            errors[key].append(_("%(field)s cannot be negative.") % {"field": label})
        elif values[key] is not None and indicator.kind == IndicatorKind.PERCENTAGE and values[key] > 100:
            errors[key].append(_("A percentage cannot be over 100."))
    if "target" not in errors and values.get("target") is None:
        errors["target"].append(_("Enter the target."))
    if errors:
        raise ValidationError(dict(errors))
    before = snapshot(existing) if existing else None
    record = existing or Target(
        indicator=indicator, unit=unit, year=year, scope_unit=unit, created_by=acting_user
    )
    cents = Decimal(1).scaleb(-DECIMALS)  # as stored, so the audit shows 10.00 → 12.00, not 10.00 → 12
    new = (
        values["target"].quantize(cents),
        values["baseline"].quantize(cents) if values["baseline"] is not None else None,
        baseline_year,
        (note or "").strip(),
    )
    if existing and (existing.target, existing.baseline, existing.baseline_year, existing.note) == new:
        return existing  # saved again as it is: nothing changes, its approval stands
    record.target, record.baseline, record.baseline_year, record.note = new
    # Entered or changed: a draft, until another person approves it (an approved one goes back).
    record.status = TargetStatus.DRAFT
    record.approved_by = None
    record.approved_at = None
    record.updated_by = acting_user
    record.full_clean()
    record.save()
    audit_record(
        acting_user,
        "indicators.target.changed" if existing else "indicators.target.created",
        record,
        changes=diff(before, snapshot(record)),
    )
    return record


def _approve_one(*, acting_user, target: Target, now: dt.datetime) -> str | None:
    """Approve a target (locked by the caller), or return why it cannot be (nothing written then)."""
    if target.status == TargetStatus.APPROVED:
        return _("The target %(target)s is already approved.") % {"target": _target_label(target)}
    if target.updated_by_id is not None and target.updated_by_id == acting_user.pk:
        return _("You entered or last changed the target %(target)s: another person must approve it.") % {
            "target": _target_label(target)
        }
    before = snapshot(target)
    target.status = TargetStatus.APPROVED
    target.approved_by = acting_user
    target.approved_at = now
    target.full_clean()
    target.save(update_fields=["status", "approved_by", "approved_at"])
    audit_record(acting_user, "indicators.target.approved", target, changes=diff(before, snapshot(target)))
    return None


def _target_label(target: Target) -> str:
    return f"{target.indicator.name} — {target.unit.name} {target.year}"


@transaction.atomic
def target_approve(*, acting_user, target: Target) -> Target:
    """Approve a draft target; the person who entered or last changed it may not (four eyes)."""
    return target_approve_many(acting_user=acting_user, targets=[target])[0]


@transaction.atomic
def target_approve_many(*, acting_user, targets: Iterable[Target]) -> list[Target]:
    """Approve several draft targets (a year's list): all or none, one audit event for each."""
    ids = sorted({t.pk for t in targets})
    if not ids:
        raise ValidationError(_("Choose the targets to approve."))
    locked = list(
        Target.objects.select_for_update(of=("self",))
        .filter(pk__in=ids)
        .select_related("indicator", "unit", "scope_unit")
        .order_by("pk")
    )
    if len(locked) != len(ids):
        raise ValidationError(_("A target to approve no longer exists."))
    for target in locked:
        scope_require(acting_user, target.scope_unit, "indicators.approve_target")
    now = timezone.now()
    errors = [
        message
        for target in locked
        if (message := _approve_one(acting_user=acting_user, target=target, now=now)) is not None
    ]
    if errors:
        raise ValidationError(errors)  # leaving the transaction undoes the approvals before
    return locked


# --- values -----------------------------------------------------------------------------------


@dataclass
class Row:
    """One line of figures to save: an indicator's numerator, denominator and comment."""

    indicator: Indicator
    numerator: Any = None
    denominator: Any = None
    comment: str = ""
    line: int = 0  # the row of an imported file


@dataclass
class SaveResult:
    saved: int = 0
    deleted: int = 0
    warnings: list[str] = field(default_factory=list)


def check_row(
    indicator: Indicator, numerator: Any, denominator: Any, comment: str
) -> tuple[tuple, list, list]:
    """Read and check one row: ((numerator, denominator, comment), errors, warnings)."""
    errors: list[str] = []
    warnings: list[str] = []
    comment = " ".join((comment or "").split())
    try:
        num = _number(numerator, indicator.numerator_label or _("Value"))
    except ValidationError as exc:
        return (None, None, comment), list(exc.messages), []
    try:
        den = (
            _number(denominator, indicator.denominator_label or _("Denominator"))
            if indicator.is_ratio
            else None
        )
    except ValidationError as exc:
        return (num, None, comment), list(exc.messages), []
    if (num is not None and num < 0) or (den is not None and den < 0):
        errors.append(_("Figures cannot be negative."))
    elif indicator.is_ratio and num is not None and den is None:
        errors.append(_("Enter the denominator (%(label)s) too.") % {"label": indicator.denominator_label})
    elif indicator.is_ratio and den is not None and num is None and not comment:
        errors.append(_("Enter the numerator (%(label)s) too.") % {"label": indicator.numerator_label})
    elif indicator.is_ratio and den == 0 and num:
        errors.append(_("Division by zero: the denominator is 0 but the numerator is not."))
    elif indicator.kind == IndicatorKind.PERCENTAGE and num is not None and den and num > den:
        errors.append(
            _("A percentage cannot be over 100: %(num)s out of %(den)s.")
            % {"num": _plain(num), "den": _plain(den)}
        )
    if errors:
        return (num, den, comment), errors, warnings
    value = indicator.value_of(num, den)
    if value is not None:
        if indicator.expected_min is not None and value < indicator.expected_min:
            warnings.append(
                _("%(code)s: %(value)s is below the expected %(low)s; check it.")
                % {"code": indicator.code, "value": _plain(value), "low": _plain(indicator.expected_min)}
            )
        if indicator.expected_max is not None and value > indicator.expected_max:
            warnings.append(
                _("%(code)s: %(value)s is above the expected %(high)s; check it.")
                % {"code": indicator.code, "value": _plain(value), "high": _plain(indicator.expected_max)}
            )
    return (num, den, comment), errors, warnings


def _plain(value: Decimal) -> str:
    return str(value.quantize(Decimal(1)) if value == value.to_integral_value() else value.normalize())


def locking_approval(unit: Unit, period: str) -> Approval | None:
    """The active approval that locks ``unit``'s figures of ``period`` (its own or above it)."""
    ids = [int(p) for p in unit.path.strip("/").split("/") if p]
    return (
        Approval.objects.filter(unit_id__in=ids, period=period, status=ApprovalStatus.APPROVED)
        .select_related("unit")
        .order_by("unit__path")
        .first()
    )


def _check_unit_period(unit: Unit, period: Period, key: str = "unit") -> None:
    if unit.level != UnitLevel.COMMUNE:
        raise _fail(_("Figures are entered for communes; a province's figures are their sum."), key)
    if not unit_exists_in(unit, period.start, period.end):
        raise _fail(
            _("%(unit)s did not exist in %(period)s: enter the figures for the units of that period.")
            % {"unit": unit.label, "period": period.code},
            key,
        )
    lock = locking_approval(unit, period.code)
    if lock is not None:
        raise _fail(
            _(
                "The figures of %(unit)s for %(period)s are approved and locked; "
                "ask for them to be unlocked first."
            )
            % {"unit": lock.unit.name, "period": period.code},
            key,
        )


def _save_rows(
    *, acting_user, unit: Unit, period: Period, rows: Iterable[Row], source: str, delete_blank: bool
) -> tuple[SaveResult, dict[str, list[str]]]:
    """Check and write rows of one unit and period (no transaction of its own)."""
    result = SaveResult()
    errors: dict[str, list[str]] = {}
    existing = {
        v.indicator_id: v
        for v in IndicatorValue.objects.select_for_update()
        .filter(unit=unit, period=period.code)
        .select_related("indicator")
    }
    writes = []
    for row in rows:
        (num, den, comment), row_errors, warnings = check_row(
            row.indicator, row.numerator, row.denominator, row.comment
        )
        if row_errors:
            errors[row.indicator.code] = row_errors
            continue
        result.warnings.extend(f"{unit.name}: {w}" for w in warnings)
        writes.append((row.indicator, num, den, comment))
    if errors:
        return result, errors
    for indicator, num, den, comment in writes:
        value = existing.get(indicator.pk)
        if num is None and den is None and not comment:
            if value is not None and delete_blank:
                audit_record(
                    acting_user, "indicators.value.deleted", value, changes=diff(snapshot(value), None)
                )
                value.delete()
                result.deleted += 1
            continue
        before = snapshot(value) if value else None
        if value is None:
            value = IndicatorValue(
                indicator=indicator,
                unit=unit,
                scope_unit=unit,
                period=period.code,
                year=period.year,
                created_by=acting_user,
            )
        elif (value.numerator, value.denominator, value.comment) == (num, den, comment):
            continue
        value.numerator, value.denominator, value.comment = num, den, comment
        value.source = source
        value.updated_by = acting_user
        value.full_clean()
        value.save()
        audit_record(
            acting_user,
            "indicators.value.changed" if before else "indicators.value.created",
            value,
            changes=diff(before, snapshot(value)),
        )
        result.saved += 1
    return result, errors


@transaction.atomic
def values_save(*, acting_user, unit: Unit, period: str, rows: Iterable[Row]) -> SaveResult:
    """Save the figures a commune entered for a period; all rows or none."""
    scope_require(acting_user, unit, "indicators.add_indicatorvalue")
    scope_require(acting_user, unit, "indicators.change_indicatorvalue")
    parsed = parse_period(period)
    _check_unit_period(unit, parsed, key="__all__")
    result, errors = _save_rows(
        acting_user=acting_user,
        unit=unit,
        period=parsed,
        rows=list(rows),
        source=ValueSource.ENTERED,
        delete_blank=True,
    )
    if errors:
        raise ValidationError(errors)
    return result


@dataclass
class ImportResult:
    rows: int = 0
    saved: int = 0
    warnings: list[str] = field(default_factory=list)


def _header_map(header: Iterable[Any]) -> dict[str, int]:
    found: dict[str, int] = {}
    for index, cell in enumerate(header):
        name = " ".join(str(cell or "").strip().lower().split())
        for key, aliases in IMPORT_HEADERS.items():
            if name in aliases and key not in found:
                found[key] = index
    return found


@transaction.atomic
def values_import(*, acting_user, path: Path | str) -> ImportResult:
    """Import figures from an .xlsx file (one row per indicator, unit and period): all or nothing.

    Unknown indicator or unit codes, a unit that did not exist in the period, locked figures and
    every rule of ``check_row`` are reported by row; nothing is written unless every row is right.
    """
    from openpyxl import load_workbook
    from openpyxl.utils.exceptions import InvalidFileException

    if not acting_user.has_perm("indicators.add_indicatorvalue"):
        raise ValidationError(_("You may not import indicator figures."))
    check_upload(path)  # sizes, parts and XML measured before openpyxl opens anything
    try:
        workbook = load_workbook(path, read_only=True, data_only=True)
    except (InvalidFileException, BadZipFile, OSError, KeyError, ValueError) as exc:
        raise ValidationError(_("The file is not an Excel workbook (.xlsx).")) from exc
    except UNREADABLE_XML as exc:
        raise UnsafeUpload(f"openpyxl: {exc!r}") from exc
    try:
        sheet = workbook.worksheets[0]
        lines = sheet.iter_rows(values_only=True)
        header = next(lines, None) or ()
        columns = _header_map(header)
        missing = [key for key in ("indicator", "unit", "period", "numerator") if key not in columns]
        if missing:
            raise ValidationError(
                _(
                    "The first row must name the columns: indicator, unit, period, numerator, "
                    "denominator, comment "
                    "(missing: %(missing)s)."
                )
                % {"missing": ", ".join(missing)}
            )
        raw_rows = []
        for number, line in enumerate(lines, start=2):
            if number > IMPORT_MAX_ROWS + 1:
                raise ValidationError(_("The file has more than %(max)s rows.") % {"max": IMPORT_MAX_ROWS})
            if line is None or all(c is None or str(c).strip() == "" for c in line):
                continue

            def cell(key, line=line):
                index = columns.get(key)
                return line[index] if index is not None and index < len(line) else None

            raw_rows.append(
                (
                    number,
                    cell("indicator"),
                    cell("unit"),
                    cell("period"),
                    cell("numerator"),
                    cell("denominator"),
                    cell("comment"),
                )
            )
    except UNREADABLE_XML as exc:
        raise UnsafeUpload(f"openpyxl: {exc!r}") from exc
    finally:
        workbook.close()
    if not raw_rows:
        raise ValidationError(_("The file holds no figures."))
    indicators = {i.code.upper(): i for i in Indicator.objects.filter(is_active=True)}
    errors: list[str] = []
    grouped: dict[tuple[int, str], list[Row]] = defaultdict(list)
    periods: dict[str, Period] = {}
    units: dict[int, Unit] = {}
    seen: set[tuple] = set()
    found_units: dict[tuple[str, str], list[Unit]] = {}  # a code names a unit only with its period
    for number, code, unit_code, period_code, num, den, comment in raw_rows:
        code_text = str(code or "").strip()
        indicator = indicators.get(code_text.upper())
        if indicator is None:
            errors.append(
                _("Row %(row)s: unknown indicator code “%(code)s”.") % {"row": number, "code": code_text}
            )
            continue
        try:
            period = periods.get(str(period_code)) or parse_period(str(period_code or "").split(".")[0])
        except ValidationError as exc:
            errors.append(_("Row %(row)s: %(error)s") % {"row": number, "error": exc.messages[0]})
            continue
        periods[str(period_code)] = period
        unit_text = str(unit_code or "").strip().split(".")[0]
        if (unit_text, period.code) not in found_units:
            found_units[(unit_text, period.code)] = [
                u
                for u in Unit.objects.filter(code=unit_text, level=UnitLevel.COMMUNE)
                if unit_exists_in(u, period.start, period.end)
            ]
        candidates = found_units[(unit_text, period.code)]
        if len(candidates) != 1:
            errors.append(
                _("Row %(row)s: no commune with code “%(code)s” existed in %(period)s.")
                % {"row": number, "code": unit_text, "period": period.code}
            )
            continue
        unit = candidates[0]
        key = (indicator.pk, unit.pk, period.code)
        if key in seen:
            errors.append(
                _("Row %(row)s: the same indicator, unit and period appear twice.") % {"row": number}
            )
            continue
        seen.add(key)
        units[unit.pk] = unit
        grouped[(unit.pk, period.code)].append(Row(indicator, num, den, str(comment or ""), line=number))
    result = ImportResult(rows=len(raw_rows))
    for (unit_id, period_code), rows in grouped.items():
        unit, period = units[unit_id], parse_period(period_code)
        try:
            scope_require(acting_user, unit, "indicators.add_indicatorvalue")
        except ScopeError:
            errors.append(_("Rows for %(unit)s: this commune is outside your units.") % {"unit": unit.label})
            continue
        try:
            _check_unit_period(unit, period)
        except ValidationError as exc:
            errors.append(exc.messages[0])
            continue
        saved, row_errors = _save_rows(
            acting_user=acting_user,
            unit=unit,
            period=period,
            rows=rows,
            source=ValueSource.IMPORTED,
            delete_blank=False,
        )
        by_code = {row.indicator.code: row.line for row in rows}
        for code, messages in row_errors.items():
            errors.extend(
                _("Row %(row)s: %(error)s") % {"row": by_code[code], "error": message} for message in messages
            )
        result.saved += saved.saved
        result.warnings.extend(saved.warnings)
    if errors:
        transaction.set_rollback(True)
        raise ValidationError(errors)
    audit_record(
        acting_user,
        "indicators.value.imported",
        None,
        object_label=Path(str(path)).name,
        changes={"rows": result.rows, "saved": result.saved},
    )
    return result


@transaction.atomic
def values_compute(*, acting_user, unit: Unit, period: str) -> SaveResult:
    """Compute the indicators with formulas from the records, for the communes under ``unit``."""
    scope_require(acting_user, unit, "indicators.add_indicatorvalue")
    parsed = parse_period(period)
    if not unit_exists_in(unit, parsed.start, parsed.end):
        raise ValidationError(
            _("%(unit)s did not exist in %(period)s: enter the figures for the units of that period.")
            % {"unit": unit.label, "period": parsed.code}
        )
    indicators = [i for i in Indicator.objects.filter(is_active=True) if i.is_computed]
    wanted = set()
    for indicator in indicators:
        wanted |= formula.names(indicator.numerator_formula)
        if indicator.denominator_formula:
            wanted |= formula.names(indicator.denominator_formula)
    elements = {
        name: computed.element_counts(name, parsed) for name in wanted if name in computed.DATA_ELEMENTS
    }
    communes = [
        c
        for c in Unit.objects.filter(path__startswith=unit.path, level=UnitLevel.COMMUNE).order_by("path")
        if c.is_valid_on(parsed.end)
    ]
    result = SaveResult()
    for commune in communes:
        lock = locking_approval(commune, parsed.code)
        if lock is not None:
            result.warnings.append(
                _("%(unit)s: the figures are locked, not recomputed.") % {"unit": commune.name}
            )
            continue
        known: dict[str, Decimal | None] = {
            name: Decimal(counts.get(commune, 0)) for name, counts in elements.items()
        }
        for value in IndicatorValue.objects.filter(unit=commune, period=parsed.code).select_related(
            "indicator"
        ):
            known.setdefault(value.indicator.code, value.value)
        rows = []
        for indicator in indicators:
            num = formula.evaluate(indicator.numerator_formula, known)
            den = (
                formula.evaluate(indicator.denominator_formula, known)
                if indicator.denominator_formula
                else None
            )
            comment = ""
            if num.value is None or (den is not None and den.value is None):
                comment = num.reason or den.reason
            elif indicator.is_ratio and den.value == 0:
                comment = _("Division by zero: the denominator is 0.")
            rows.append(
                Row(
                    indicator,
                    num.value if not comment else None,
                    den.value if den and not comment else None,
                    comment,
                )
            )
            known[indicator.code] = indicator.value_of(rows[-1].numerator, rows[-1].denominator)
        saved, errors = _save_rows(
            acting_user=acting_user,
            unit=commune,
            period=parsed,
            rows=rows,
            source=ValueSource.COMPUTED,
            delete_blank=False,
        )
        if errors:
            raise ValidationError(errors)
        result.saved += saved.saved
        result.warnings.extend(saved.warnings)
    return result


# --- approval ---------------------------------------------------------------------------------


def missing_without_comment(unit: Unit, period: Period) -> list[Indicator]:
    """Indicators entered by hand for the period's type that the commune left without value or comment."""
    period_type = (
        PeriodType.YEAR
        if period.code.isdigit()
        else PeriodType.HALF
        if "S" in period.code
        else PeriodType.QUARTER
    )
    done = set(
        IndicatorValue.objects.filter(unit=unit, period=period.code)
        .exclude(numerator__isnull=True, comment="")
        .values_list("indicator_id", flat=True)
    )
    return [
        i
        for i in Indicator.objects.filter(is_active=True, period_type=period_type, numerator_formula="")
        if i.pk not in done
    ]


@transaction.atomic
def approval_approve(*, acting_user, unit: Unit, period: str) -> Approval:
    """Approve (and lock) a unit's figures for a period: a commune's, then the province's."""
    scope_require(acting_user, unit, "indicators.approve_figures")
    parsed = parse_period(period)
    if not unit_exists_in(unit, parsed.start, parsed.end):
        raise ValidationError(
            _("%(unit)s did not exist in %(period)s.") % {"unit": unit.label, "period": parsed.code}
        )
    lock = locking_approval(unit, parsed.code)
    if lock is not None:
        raise ValidationError(
            _("The figures of %(unit)s for %(period)s are already approved.")
            % {"unit": lock.unit.name, "period": parsed.code}
        )
    if unit.level == UnitLevel.COMMUNE:
        missing = missing_without_comment(unit, parsed)
        if missing:
            raise ValidationError(
                _("Missing values need a comment before approval: %(codes)s.")
                % {"codes": ", ".join(i.code for i in missing)}
            )
    else:
        reporting = (
            IndicatorValue.objects.filter(unit__path__startswith=unit.path, period=parsed.code)
            .values_list("unit_id", flat=True)
            .distinct()
        )
        approved = Approval.objects.filter(
            unit_id__in=reporting, period=parsed.code, status=ApprovalStatus.APPROVED
        ).values_list("unit_id", flat=True)
        waiting = Unit.objects.filter(pk__in=reporting).exclude(pk__in=approved).order_by("name")
        if waiting.exists():
            raise ValidationError(
                _("These communes have not approved their figures yet: %(units)s.")
                % {"units": ", ".join(u.name for u in waiting[:20])}
            )
    approval = Approval(unit=unit, period=parsed.code, approved_by=acting_user, approved_at=timezone.now())
    approval.full_clean()
    approval.save()
    audit_record(acting_user, "indicators.approval.approved", approval)
    return approval


@transaction.atomic
def approval_unlock(*, acting_user, approval: Approval, reason: str) -> Approval:
    """Unlock approved figures so they can be corrected; the reason is kept and audited."""
    approval = Approval.objects.select_for_update().select_related("unit").get(pk=approval.pk)
    scope_require(acting_user, approval.unit, "indicators.approve_figures")
    reason = " ".join((reason or "").split())
    if not reason:
        raise ValidationError({"reason": [_("Say why the figures must be unlocked.")]})
    if approval.status != ApprovalStatus.APPROVED:
        raise ValidationError(_("These figures are not locked."))
    ids = [int(p) for p in approval.unit.path.strip("/").split("/")[:-1] if p]
    above = Approval.objects.filter(
        unit_id__in=ids, period=approval.period, status=ApprovalStatus.APPROVED
    ).first()
    if above is not None:
        raise ValidationError(
            _("%(unit)s has approved these figures too: unlock them there first.") % {"unit": above.unit.name}
        )
    approval.status = ApprovalStatus.UNLOCKED
    approval.unlocked_by = acting_user
    approval.unlocked_at = timezone.now()
    approval.unlock_reason = reason
    approval.full_clean()
    approval.save()
    audit_record(acting_user, "indicators.approval.unlocked", approval, reason=reason)
    return approval


@transaction.atomic
def category_set(*, acting_user, unit: Unit, category: str) -> CommuneClass:
    """Set which child-friendly threshold a commune is judged against."""
    scope_require(acting_user, unit, "indicators.change_communeclass")
    if unit.level != UnitLevel.COMMUNE:
        raise ValidationError({"unit": [_("Choose a commune.")]})
    if category not in CommuneCategory.values:
        raise ValidationError({"category": [_("Choose a category.")]})
    record, _created = CommuneClass.objects.get_or_create(unit=unit, defaults={"category": category})
    before = snapshot(record)
    record.category = category
    record.save()
    audit_record(acting_user, "indicators.category.set", record, changes=diff(before, snapshot(record)))
    return record

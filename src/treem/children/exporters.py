"""Exporting the children a user may see, as ``.csv`` (streamed) or ``.xlsx``.

The columns are the import template's (docs/import-template.md) plus the record number and the
commune's name, so an exported file can be edited in Excel and imported back. With
``identifying=False`` the columns that identify a child are left out: name, personal ID number,
date of birth (the year stays), village, head of household, notes, record number and source key.

Every export writes one audit event (``children.child.exported``) with the row count, the
filters and whether identifying fields were included.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from treem.audit.services import audit_record
from treem.children.filtersets import ChildFilterSet
from treem.children.importers import (
    BIRTH_REGISTERED_WORDS,
    COLUMNS,
    COMMUNE_NAME_COLUMN,
    DISABILITY_LEVEL_WORDS,
    RECORD_COLUMN,
    SCHOOLING_WORDS,
    SEX_WORDS,
    TEMPLATE_SHEET,
    YES_NO_WORDS,
    Column,
    export_word,
)
from treem.children.models import Child
from treem.core.scope import ScopeError, unit_in_scope, user_scope_paths
from treem.geo.models import Unit

FORMATS = ("csv", "xlsx")
XLSX_MAX_ROWS = 1_048_575  # Excel's sheet limit, less the header row
CHUNK = 2000
# Text starting with these is run as a formula by spreadsheet programs (CSV injection).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _export_columns() -> tuple[Column, ...]:
    columns: list[Column] = [RECORD_COLUMN]
    for column in COLUMNS:
        columns.append(column)
        if column.key == "commune":
            columns.append(COMMUNE_NAME_COLUMN)
    return tuple(columns)


EXPORT_COLUMNS = _export_columns()


def export_columns(*, identifying: bool) -> list[Column]:
    """The columns of an export, without the identifying ones unless asked for."""
    return [c for c in EXPORT_COLUMNS if identifying or not c.identifying]


def _value(child: Child, key: str):
    """A child's value for a template column, written as the importer reads it."""
    if key == "record":
        return child.pk
    if key == "birth_date":
        return child.birth_date.strftime("%d/%m/%Y") if child.birth_date else ""
    if key == "birth_year":
        return child.birth_year
    if key == "sex":
        return export_word(SEX_WORDS, child.sex)
    if key == "ethnicity":
        return child.ethnicity.name if child.ethnicity_id else ""
    if key == "commune":
        return child.commune.code
    if key == "commune_name":
        return child.commune.name
    if key == "village":
        return child.village.name if child.village_id else ""
    if key == "household":
        return child.household.head_name if child.household_id else ""
    if key == "birth_registered":
        return export_word(BIRTH_REGISTERED_WORDS, child.birth_registered)
    if key == "health_insurance":
        return export_word(YES_NO_WORDS, child.health_insurance)
    if key == "schooling_status":
        return export_word(SCHOOLING_WORDS, child.schooling_status)
    if key == "disability_level":
        return export_word(DISABILITY_LEVEL_WORDS, child.disability_level)
    return getattr(child, key)


def _safe_text(value) -> str:
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


@dataclass
class ChildExport:
    """An export that was allowed and audited: what to write and how."""

    queryset: QuerySet
    count: int
    columns: list[Column]
    fmt: str
    identifying: bool
    filename: str

    def rows(self) -> Iterator[list]:
        keys = [c.key for c in self.columns]
        for child in self.queryset.iterator(chunk_size=CHUNK):
            yield [_value(child, key) for key in keys]


def _filters_used(filterset: ChildFilterSet) -> dict[str, str]:
    data = filterset.form.cleaned_data
    return {name: str(getattr(value, "pk", value)) for name, value in data.items() if value not in (None, "")}


def _audit_unit(user, filterset: ChildFilterSet) -> Unit | None:
    """The unit the export is about, so that the event is seen by those responsible for it."""
    unit_id = filterset.form.cleaned_data.get("unit")
    if unit_id:
        unit = Unit.objects.filter(pk=unit_id).first()
        if unit is not None and unit_in_scope(user, unit):
            return unit
    paths = user_scope_paths(user)
    if len(paths) == 1:
        return Unit.objects.filter(path=paths[0]).first()
    return None


@transaction.atomic
def children_export(*, acting_user, filters, fmt: str, identifying: bool) -> ChildExport:
    """Allow, count and audit an export of the children ``acting_user`` may see, filtered."""
    if not (acting_user and acting_user.is_authenticated and acting_user.has_perm("children.view_child")):
        raise ScopeError("children.view_child")
    if fmt not in FORMATS:
        raise ValidationError({"format": [_("Choose CSV or Excel (.xlsx).")]})
    filterset = ChildFilterSet(filters, queryset=Child.objects.restrict(acting_user, "view"))
    if not filterset.is_valid():
        raise ValidationError(filterset.errors)
    queryset = filterset.qs.select_related("commune", "village", "ethnicity", "household")
    count = queryset.count()
    if fmt == "xlsx" and count > XLSX_MAX_ROWS:
        raise ValidationError(
            {
                "format": [
                    _("%(count)s rows do not fit in an Excel sheet; choose CSV or filter the list.")
                    % {"count": count}
                ]
            }
        )
    filename = f"tre-em-{timezone.localdate():%Y%m%d}{'' if identifying else '-an-danh'}.{fmt}"
    audit_record(
        acting_user,
        "children.child.exported",
        None,
        object_label=filename,
        unit=_audit_unit(acting_user, filterset),
        changes={
            "rows": count,
            "filters": _filters_used(filterset),
            "format": fmt,
            "identifying": identifying,
        },
    )
    return ChildExport(
        queryset=queryset,
        count=count,
        columns=export_columns(identifying=identifying),
        fmt=fmt,
        identifying=identifying,
        filename=filename,
    )


class _Echo:
    def write(self, value: str) -> str:
        return value


def csv_chunks(export: ChildExport) -> Iterator[str]:
    """The export as CSV text, a chunk at a time (UTF-8 with a BOM, for Excel)."""
    writer = csv.writer(_Echo())
    yield "\ufeff" + writer.writerow([c.header for c in export.columns])
    lines: list[str] = []
    for values in export.rows():
        lines.append(writer.writerow([_safe_text(v) for v in values]))
        if len(lines) >= CHUNK:
            yield "".join(lines)
            lines = []
    if lines:
        yield "".join(lines)


def write_xlsx(export: ChildExport, destination: Path | BinaryIO) -> None:
    """Write the export as an .xlsx workbook (constant memory, every text cell kept as text)."""
    import xlsxwriter

    book = xlsxwriter.Workbook(
        str(destination) if isinstance(destination, Path) else destination,
        {"constant_memory": True, "strings_to_formulas": False, "strings_to_numbers": False},
    )
    try:
        header = book.add_format({"bold": True, "text_wrap": True, "valign": "top", "bg_color": "#DDEBF7"})
        sheet = book.add_worksheet(TEMPLATE_SHEET)
        for index, column in enumerate(export.columns):
            sheet.set_column(index, index, column.width)
            sheet.write_string(0, index, column.header, header)
        sheet.freeze_panes(1, 0)
        for line, values in enumerate(export.rows(), start=1):
            for index, value in enumerate(values):
                if isinstance(value, int) and not isinstance(value, bool):
                    sheet.write_number(line, index, value)
                elif value not in (None, ""):
                    sheet.write_string(line, index, str(value))
    finally:
        book.close()

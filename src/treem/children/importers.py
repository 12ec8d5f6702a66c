"""Importing children from the documented spreadsheet template (``.xlsx`` or ``.csv``).

The template (docs/import-template.md) has one sheet with Vietnamese headers: the headers and the
cell vocabulary ("Nam", "Nữ", "Đã đăng ký"…) are a file format fixed in Vietnamese, like the
forms commune officers already fill in, so they are constants here and not translated; every
message about the file is translated.

``children_import`` works in two passes over the file so that memory stays bounded whatever
its size (up to ``MAX_ROWS`` rows):

1. **check**: the rows are streamed (openpyxl ``read_only``, or ``csv``), each is parsed and
   checked with the registry's own rules (``services.check_child_fields``, ``identity``, the
   model's field checks) and compared, a batch at a time, with the records already in the
   database. A checked row is spilled, in a compact form, to a temporary file; problems go to a
   temporary error list. Only small indexes stay in memory (ID numbers and source keys seen,
   for duplicates within the file).
2. **write** (only when no row was refused and not a dry run): the spilled rows are read back
   and written in batches with ``bulk_create`` / ``bulk_update`` in one transaction with one
   audit event for the whole file. Any row refused → nothing is written, and the error report
   (row, column, value, reason) can be written as ``.xlsx``.

Existing children are matched, in this order, by treem's record number (column "Mã hồ sơ" of
exported files), by personal identification number (active records), by (source, source key),
then — a row left unmatched, typically one without ID number or source key — by who the child is
(``_Someone``): the same commune, the same name folded (``core.text.fold``), the same date of
birth (the year where either side has no date), a household head or caregiver that agrees where
both sides name one, and no ID number, source key or record number that says otherwise. A row
that could be several recorded children is refused, naming those the user may see; two rows of
one file that could be the same child are refused too. A matched child is updated where the
file's columns differ, the others are created. A second import of the same file therefore
changes nothing, with or without ID numbers.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import functools
import hashlib
import json
import logging
import re
import tempfile
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NamedTuple

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from treem.audit.services import audit_record
from treem.children import services
from treem.children.choices import DisabilityLevel, SchoolingStatus, Sex
from treem.children.models import Caregiver, Child, Ethnicity, Household
from treem.core.db import refresh_planner_statistics
from treem.core.scope import unit_in_scope, user_scope_paths
from treem.core.text import fold
from treem.core.uploads import UnsafeUpload, check_archive
from treem.geo.models import Unit, UnitLevel

logger = logging.getLogger(__name__)

MAX_ROWS = 1_000_000
BATCH = 2000
ERRORS_KEPT = 200  # shown on the result page; all of them go to the report
REPORT_MAX_LINES = 100_000
HEADER_SEARCH_ROWS = 10
TEMPLATE_SHEET = "Trẻ em"
INSTRUCTIONS_SHEET = "Hướng dẫn"
IMPORT_SOURCE_PREFIX = "import:"

Progress = Callable[[str, int, int | None], None]


class ChildImportError(ValidationError):
    """A file that cannot be read as the template at all; the message says why."""

    def __str__(self) -> str:
        return " ".join(self.messages)


# --- the template -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Column:
    """One column of the template: its key, its Vietnamese header and what goes in it."""

    key: str
    header: str
    help: Any = ""
    example: str = ""
    required: bool = False
    identifying: bool = False
    aliases: tuple[str, ...] = ()
    width: int = 16
    text: bool = False  # kept as text in the .xlsx template (leading zeros)


COLUMNS: tuple[Column, ...] = (
    Column(
        "full_name",
        "Họ và tên",
        gettext_lazy("Full name, with diacritics."),
        "Nguyễn Thị Ánh",
        required=True,
        identifying=True,
        aliases=("ho ten", "ho va ten tre", "ten"),
        width=28,
    ),
    Column(
        "sex",
        "Giới tính",
        gettext_lazy("Nam, Nữ or Không rõ."),
        "Nữ",
        required=True,
        aliases=("gioi",),
        width=10,
    ),
    Column(
        "birth_date",
        "Ngày sinh",
        gettext_lazy("Day/month/year (dd/mm/yyyy). Leave empty when only the year is known."),
        "02/03/2015",
        identifying=True,
        aliases=("ngay thang nam sinh",),
        width=12,
        text=True,
    ),
    Column(
        "birth_year",
        "Năm sinh",
        gettext_lazy("Four digits; needed when the date of birth is empty."),
        "2015",
        width=10,
    ),
    Column(
        "personal_id",
        "Số định danh cá nhân",
        gettext_lazy("12 digits, optional. Spaces and dots are ignored."),
        "048315000123",
        identifying=True,
        aliases=("so dinh danh", "ma dinh danh", "so ddcn", "so cccd", "cccd"),
        width=16,
        text=True,
    ),
    Column(
        "ethnicity",
        "Dân tộc",
        gettext_lazy("Name or two-digit code of the ethnic group (01 Kinh … 54 Rơ-măm)."),
        "Kinh",
        width=12,
    ),
    Column(
        "nationality",
        "Quốc tịch",
        gettext_lazy("Two-letter country code; empty means Việt Nam (VN)."),
        "VN",
        width=10,
    ),
    Column(
        "commune",
        "Mã xã",
        gettext_lazy("Five-digit code of the commune (xã, phường, đặc khu) in force today."),
        "20001",
        required=True,
        aliases=("ma xa/phuong", "ma xa, phuong", "ma xa phuong", "ma phuong/xa", "ma don vi"),
        width=10,
        text=True,
    ),
    Column(
        "village",
        "Thôn/tổ dân phố",
        gettext_lazy("Name of a village (thôn, tổ dân phố) of the commune, as listed in treem."),
        "Thôn Một",
        identifying=True,
        aliases=("thon", "to dan pho", "thon, to dan pho", "thon/to", "thon/ap", "thon/xom"),
        width=18,
    ),
    Column(
        "household",
        "Hộ gia đình (chủ hộ)",
        gettext_lazy(
            "Name of the head of household. Children with the same head in the same village share "
            "one household; a new household is created where none matches."
        ),
        "Nguyễn Văn Bình",
        identifying=True,
        aliases=("chu ho", "ho ten chu ho", "ten chu ho"),
        width=24,
    ),
    Column(
        "birth_registered",
        "Tình trạng đăng ký khai sinh",
        gettext_lazy("Đã đăng ký or Chưa đăng ký; empty if unknown."),
        "Đã đăng ký",
        aliases=("dang ky khai sinh", "khai sinh", "da dang ky khai sinh"),
        width=14,
    ),
    Column(
        "birth_registration_place",
        "Nơi đăng ký khai sinh",
        gettext_lazy("Where the birth was registered (optional)."),
        "UBND Phường An",
        width=20,
    ),
    Column("school", "Trường", gettext_lazy("School (optional)."), "Trường Tiểu học An", width=22),
    Column("grade", "Lớp", gettext_lazy("Grade or class (optional)."), "4A", width=8),
    Column(
        "schooling_status",
        "Tình trạng đi học",
        gettext_lazy(
            "Chưa đến tuổi đi học, Mầm non, Đang đi học, Bỏ học, Chưa từng đi học or Không rõ; "
            "empty if unknown."
        ),
        "Đang đi học",
        aliases=("di hoc",),
        width=14,
    ),
    Column(
        "health_insurance",
        "Thẻ BHYT",
        gettext_lazy("Có or Không; empty if unknown."),
        "Có",
        aliases=("bhyt", "the bao hiem y te", "bao hiem y te"),
        width=10,
    ),
    Column(
        "disability_type",
        "Dạng khuyết tật",
        gettext_lazy("Type of disability, empty if none."),
        "",
        aliases=("dang tat",),
        width=16,
    ),
    Column(
        "disability_level",
        "Mức độ khuyết tật",
        gettext_lazy("Đặc biệt nặng, Nặng or Nhẹ; empty when the child has no disability."),
        "",
        aliases=("muc do",),
        width=14,
    ),
    Column("notes", "Ghi chú", gettext_lazy("Notes (optional)."), "", identifying=True, width=24),
    Column(
        "source",
        "Nguồn",
        gettext_lazy(
            "Where the rows come from (a survey, a school list…); empty means this commune's file imports."
        ),
        "",
        aliases=("nguon du lieu",),
        width=14,
    ),
    Column(
        "source_key",
        "Mã nguồn",
        gettext_lazy(
            "The row's own key in its source, unique within the source: importing the file again "
            "updates the same child instead of adding one."
        ),
        "TE-0001",
        identifying=True,
        aliases=("ma ban ghi", "ma trong nguon"),
        width=12,
        text=True,
    ),
)
# Columns of exported files: the record number lets an exported, edited file be imported back.
RECORD_COLUMN = Column(
    "record",
    "Mã hồ sơ",
    gettext_lazy("treem's number of the record (in exported files): the row updates that child."),
    identifying=True,
    aliases=("ma ho so treem",),
    width=10,
)
COMMUNE_NAME_COLUMN = Column(
    "commune_name",
    "Tên xã",
    gettext_lazy("Name of the commune (in exported files; not read on import)."),
    aliases=("ten xa/phuong", "ten xa, phuong", "ten don vi"),
    width=18,
)
IGNORED_COLUMNS = ("stt", "tt", "so thu tu", "so tt")
COLUMN_BY_KEY = {c.key: c for c in (*COLUMNS, RECORD_COLUMN, COMMUNE_NAME_COLUMN)}

# Vocabulary of the cells: the first word of each list is the one written by the export.
SEX_WORDS = {
    Sex.MALE: ("Nam", "male", "trai"),
    Sex.FEMALE: ("Nữ", "female", "gái"),
    Sex.UNKNOWN: ("Không rõ", "unknown", "khong xac dinh"),
}
BIRTH_REGISTERED_WORDS = {
    True: ("Đã đăng ký", "Đã ĐKKS", "Có", "x", "yes", "1"),
    False: ("Chưa đăng ký", "Chưa ĐKKS", "Không", "Chưa", "no", "0"),
}
YES_NO_WORDS = {True: ("Có", "x", "yes", "1"), False: ("Không", "no", "0")}
SCHOOLING_WORDS = {
    SchoolingStatus.NOT_YET: ("Chưa đến tuổi đi học", "not_yet"),
    SchoolingStatus.PRESCHOOL: ("Mầm non", "preschool"),
    SchoolingStatus.IN_SCHOOL: ("Đang đi học", "Đi học", "in_school"),
    SchoolingStatus.DROPPED_OUT: ("Bỏ học", "Đã bỏ học", "dropped_out"),
    SchoolingStatus.NEVER: ("Chưa từng đi học", "Không đi học", "never"),
    SchoolingStatus.UNKNOWN: ("Không rõ", "unknown"),
}
DISABILITY_LEVEL_WORDS = {
    DisabilityLevel.EXTREMELY_SEVERE: ("Đặc biệt nặng", "extremely_severe"),
    DisabilityLevel.SEVERE: ("Nặng", "severe"),
    DisabilityLevel.MILD: ("Nhẹ", "mild"),
    DisabilityLevel.NONE: ("Không", "Không khuyết tật"),
}
ETHNICITY_ALIASES = {"mong": "08", "h'mong": "08", "khmer": "05", "kho me": "05", "ede": "12", "bana": "13"}
VILLAGE_KIND_WORDS = (
    "thon",
    "to dan pho",
    "khu pho",
    "to",
    "ap",
    "ban",
    "xom",
    "buon",
    "lang",
    "khom",
    "soc",
)


def _word_map(words: dict) -> dict[str, Any]:
    return {fold(w): value for value, ws in words.items() for w in ws}


_SEX = _word_map(SEX_WORDS)
_BIRTH_REGISTERED = _word_map(BIRTH_REGISTERED_WORDS)
_YES_NO = _word_map(YES_NO_WORDS)
_SCHOOLING = _word_map(SCHOOLING_WORDS)
_DISABILITY_LEVEL = _word_map(DISABILITY_LEVEL_WORDS)


def export_word(words: dict, value) -> str:
    """The template's word for a stored value ("" for None or an unknown value)."""
    return words[value][0] if value in words else ""


def _header_key(text: str) -> str:
    return " ".join(fold(text).replace("*", " ").split())


def _without_brackets(text: str) -> str:
    return " ".join(re.sub(r"\([^)]*\)", " ", text).split())


_HEADER_KEYS: dict[str, str] = {}
for _column in COLUMN_BY_KEY.values():
    for _name in (_column.header, *_column.aliases):
        _HEADER_KEYS.setdefault(_header_key(_name), _column.key)
        _HEADER_KEYS.setdefault(_without_brackets(_header_key(_name)), _column.key)
for _name in IGNORED_COLUMNS:
    _HEADER_KEYS[_name] = ""


def column_for_header(text: str) -> str | None:
    """The column key a header names ("" for a column read and ignored, None when unknown)."""
    key = _header_key(text)
    found = _HEADER_KEYS.get(key)
    if found is None:
        found = _HEADER_KEYS.get(_without_brackets(key))
    return found


# --- results ----------------------------------------------------------------------------------


class RowError(NamedTuple):
    row: int
    column: str
    value: str
    reason: str


@dataclass
class ImportResult:
    file_name: str
    checksum: str
    dry_run: bool
    sheet: str = ""
    notices: list[str] = field(default_factory=list)
    rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    skipped_inactive: int = 0
    households_created: int = 0
    error_count: int = 0
    errors: list[RowError] = field(default_factory=list)  # the first ERRORS_KEPT
    stopped_at_row: int | None = None  # checking stopped there: TREEM_IMPORT_MAX_ERRORS problems
    written: bool = False
    report_path: Path | None = None

    @property
    def ok(self) -> bool:
        return self.error_count == 0

    def as_dict(self) -> dict[str, Any]:
        return {
            "file": self.file_name,
            "sha256": self.checksum,
            "sheet": self.sheet,
            "rows": self.rows,
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "skipped_inactive": self.skipped_inactive,
            "households_created": self.households_created,
        }


# --- reading the file -------------------------------------------------------------------------


class _Formula:
    """A formula cell whose value Excel did not save."""

    __slots__ = ("cell", "text")

    def __init__(self, cell: str, text: str):
        self.cell, self.text = cell, text


# In free text ("#N/A" as "not applicable") an Excel error marker may be what the officer meant.
FREE_TEXT_KEYS = frozenset({"notes"})
EXCEL_ERRORS = {"#NULL!", "#DIV/0!", "#VALUE!", "#REF!", "#NAME?", "#NUM!", "#N/A", "#GETTING_DATA"}


def _cell_ref(row: int, index: int) -> str:
    from openpyxl.utils import get_column_letter

    return f"{get_column_letter(index + 1)}{row}"


@dataclass
class _Source:
    """Rows of the file: ``(row number, values)``, with the sheet read and notices."""

    rows: Iterator[tuple[int, list]]
    sheet: str = ""
    notices: list[str] = field(default_factory=list)
    total: int | None = None


def _file_kind(path: Path, name: str) -> str:
    size = path.stat().st_size
    if size == 0:
        raise ChildImportError(_("The file is empty (0 bytes)."), code="empty")
    with path.open("rb") as fh:
        head = fh.read(8)
    lower = name.lower()
    if head.startswith(b"PK\x03\x04"):
        return "xlsx"
    if head.startswith(b"\xd0\xcf\x11\xe0"):
        raise ChildImportError(
            _(
                "This is an old Excel file (.xls) or a password-protected workbook: open it in Excel, "
                "remove any password and save it as .xlsx, or use the template."
            ),
            code="xls",
        )
    if lower.endswith((".xlsx", ".xlsm", ".xls", ".ods")):
        raise ChildImportError(
            _("The file %(name)s is not an Excel workbook (.xlsx): it cannot be read.") % {"name": name},
            code="not_spreadsheet",
        )
    return "csv"


def _scan_sheet_xml(path: Path, member: str) -> tuple[list[str], bool, int]:
    """Merged ranges, whether any formula is present and how many rows, from the sheet's raw XML.

    The rows are counted from the ``<row>`` elements, never taken from ``<dimension>``: a program
    (or an attacker) may write any size there, and the progress bar would believe it.
    """
    merged: list[str] = []
    has_formula = False
    rows = 0
    merge_re = re.compile(rb'<(?:\w+:)?mergeCell\s[^>]*?ref="([A-Z]+[0-9]+(?::[A-Z]+[0-9]+)?)"')
    formula_re = re.compile(rb"<(?:\w+:)?f[\s>/]")
    row_re = re.compile(rb"<(?:\w+:)?row[\s>/]")
    tail = b""
    with zipfile.ZipFile(path) as archive, archive.open(member) as raw:
        while chunk := raw.read(1 << 20):
            data = tail + chunk
            has_formula = has_formula or formula_re.search(data) is not None
            # A match cut by the chunk boundary is found whole in the next round (tail kept).
            cut = max(0, len(data) - 512)
            merged.extend(m.group(1).decode() for m in merge_re.finditer(data) if m.end() <= cut)
            rows += sum(1 for m in row_re.finditer(data) if m.start() < cut)
            tail = data[cut:]
        merged.extend(m.group(1).decode() for m in merge_re.finditer(tail))
        rows += len(row_re.findall(tail))
    return merged, has_formula, rows


def _read_xlsx(path: Path, *, measured: bool = False) -> _Source:
    import openpyxl

    if not measured:
        try:
            check_archive(path)  # sizes, parts, XML: before openpyxl opens anything
        except UnsafeUpload as exc:
            raise ChildImportError(exc.messages, code=exc.code) from exc
    try:
        book = openpyxl.load_workbook(path, read_only=True, data_only=True, keep_links=False)
    except Exception as exc:  # openpyxl raises many kinds on a damaged or foreign zip
        logger.info("unreadable workbook %s: %r", path, exc)
        raise ChildImportError(
            _("The file cannot be read as an Excel workbook (.xlsx); it may be damaged or of another kind."),
            code="not_spreadsheet",
        ) from exc
    sheets = book.worksheets
    if not sheets:
        raise ChildImportError(_("The workbook has no sheet."), code="no_sheet")
    sheet = next((s for s in sheets if fold(s.title) == fold(TEMPLATE_SHEET)), sheets[0])
    notices = []
    others = [s.title for s in sheets if s is not sheet and fold(s.title) != fold(INSTRUCTIONS_SHEET)]
    if others:
        notices.append(
            _("The workbook has %(count)s sheets; only the sheet “%(sheet)s” was read.")
            % {"count": len(sheets), "sheet": sheet.title}
        )
    member = getattr(sheet, "_worksheet_path", "").lstrip("/")
    merged, has_formula, total = _scan_sheet_xml(path, member) if member else ([], True, None)
    if merged:
        shown = ", ".join(merged[:10]) + (" …" if len(merged) > 10 else "")
        raise ChildImportError(
            _(
                "The sheet “%(sheet)s” has merged cells (%(cells)s): unmerge them and fill in every "
                "cell, one child per row."
            )
            % {"sheet": sheet.title, "cells": shown},
            code="merged_cells",
        )
    sheet.reset_dimensions()  # a wrong <dimension> written by some programs must not cut rows short

    def rows() -> Iterator[tuple[int, list]]:
        formulas = formula_book = None
        if has_formula:
            # A second reader in step with the first, to tell an empty cell from a formula whose
            # result was never saved (both read as None with data_only).
            formula_book = openpyxl.load_workbook(path, read_only=True, data_only=False, keep_links=False)
            formula_sheet = formula_book[sheet.title]
            formula_sheet.reset_dimensions()
            formulas = formula_sheet.iter_rows(min_row=1, min_col=1, values_only=True)
        try:
            # From A1 whatever <dimension> says, so that row numbers are Excel's.
            for number, values in enumerate(sheet.iter_rows(min_row=1, min_col=1, values_only=True), start=1):
                values = list(values)
                if formulas is not None:
                    written = next(formulas, ())
                    for index, value in enumerate(values):
                        if value is None and index < len(written):
                            text = getattr(written[index], "text", written[index])
                            if isinstance(text, str) and text.startswith("="):
                                values[index] = _Formula(_cell_ref(number, index), text)
                yield number, values
        except ChildImportError:
            raise
        except Exception as exc:
            logger.info("damaged workbook %s: %r", path, exc)
            raise ChildImportError(
                _("The workbook is damaged and cannot be read to the end."), code="damaged"
            ) from exc
        finally:
            book.close()
            if formula_book is not None:
                formula_book.close()

    return _Source(rows=rows(), sheet=sheet.title, notices=notices, total=total)


def _read_csv(path: Path) -> _Source:
    with path.open("rb") as fh:
        head = fh.read(1 << 16)
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise ChildImportError(
            _(
                "The file is saved as “Unicode text” (UTF-16). In Excel, save it as “CSV UTF-8 (Comma "
                "delimited)”, or upload the .xlsx file."
            ),
            code="encoding",
        )
    if b"\x00" in head:
        raise ChildImportError(
            _("The file is neither an Excel workbook (.xlsx) nor a text (CSV) file."), code="not_spreadsheet"
        )
    decoder = codecs.getincrementaldecoder("utf-8")()
    try:
        decoder.decode(head, final=False)  # a character cut at the end of the chunk is fine
    except UnicodeDecodeError as exc:
        raise _encoding_error() from exc
    first_line = head.decode("utf-8", errors="replace").lstrip("\ufeff").splitlines()[0:1]
    first = first_line[0] if first_line else ""
    skip_first = False
    if first.lower().startswith("sep=") and len(first) >= 5:
        delimiter, skip_first = first[4], True
    else:
        delimiter = max((",", ";", "\t"), key=first.count)
    lines = head.count(b"\n")
    size = path.stat().st_size
    # For the progress bar only: exact for a small file, estimated from the first lines otherwise.
    total = lines if len(head) < (1 << 16) else (int(size * lines / len(head)) if lines else None)

    def rows() -> Iterator[tuple[int, list]]:
        number = 0
        with path.open(encoding="utf-8-sig", newline="", errors="strict") as text:
            reader = csv.reader(text, delimiter=delimiter)
            try:
                if skip_first:
                    next(reader, None)
                for values in reader:
                    number += 1
                    yield number, values
            except UnicodeDecodeError as exc:
                raise _encoding_error(_first_bad_line(path)) from exc
            except csv.Error as exc:
                raise ChildImportError(
                    _("Row %(row)s of the CSV file cannot be read (a broken quote or a binary character).")
                    % {"row": number + 1},
                    code="csv",
                ) from exc

    return _Source(rows=rows(), total=total)


def _first_bad_line(path: Path) -> int | None:
    """The line of the first byte that is not UTF-8 (the text reader reads ahead, so it can't say)."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    lines = 1
    with path.open("rb") as fh:
        while chunk := fh.read(1 << 20):
            pending = len(decoder.getstate()[0])  # bytes of a character cut by the previous chunk
            try:
                decoder.decode(chunk)
            except UnicodeDecodeError as exc:
                return lines + chunk[: max(0, exc.start - pending)].count(b"\n")
            lines += chunk.count(b"\n")
    return None


def _encoding_error(line: int | None = None) -> ChildImportError:
    message = _(
        "The file is not in UTF-8: it looks like it was saved with a Windows code page "
        "(Windows-1258 or Windows-1252), which would garble Vietnamese letters. In Excel, save it as "
        "“CSV UTF-8 (Comma delimited)”, or upload the .xlsx file."
    )
    if line is not None:
        message += " " + _("(First unreadable line: %(line)s.)") % {"line": line}
    return ChildImportError(message, code="encoding")


def open_source(path: Path, name: str, *, measured: bool = False) -> _Source:
    """Open an uploaded file as rows, refusing what is not the template's kind of file.

    A workbook is measured first (``core.uploads``) unless ``measured`` says it was already.
    """
    kind = _file_kind(path, name)
    return _read_xlsx(path, measured=measured) if kind == "xlsx" else _read_csv(path)


# --- parsing one row --------------------------------------------------------------------------


def _text(value) -> str:
    """A cell as the text a person sees in it."""
    if value.__class__ is str:
        text = value.strip()
        # The export protects text from being read as a formula with a leading apostrophe.
        if text[:1] == "'" and text[1:2] in ("=", "+", "-", "@") and len(text) > 1:
            return text[1:]
        return text
    if value is None:
        return ""
    if isinstance(value, _Formula):
        return value.text
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime):
        return value.strftime("%d/%m/%Y")
    if isinstance(value, dt.date):
        return value.strftime("%d/%m/%Y")
    text = str(value).strip()
    # The export protects text from being read as a formula with a leading apostrophe.
    if len(text) > 1 and text[0] == "'" and text[1] in "=+-@":
        text = text[1:]
    return text


def _digits(value, width: int) -> str:
    """A code typed in a number cell loses its leading zeros; give them back."""
    if isinstance(value, bool):
        return _text(value)
    if isinstance(value, int) or (isinstance(value, float) and value.is_integer()):
        return str(int(value)).zfill(width)
    return _text(value)


DATE_RE = re.compile(r"^(\d{1,2})\s*[/.\-]\s*(\d{1,2})\s*[/.\-]\s*(\d{4})$")
ISO_RE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})(?:[ T]00:00(?::00)?)?$")


class _CellError(Exception):
    pass


# Messages built only when a cell is wrong (most rows need none of them).
MSG_NUL = gettext_lazy("The cell holds a NUL character; retype it.")
MSG_EXCEL_ERROR = gettext_lazy("The cell shows an Excel error; type the value.")
MSG_FORMULA = gettext_lazy(
    "Cell %(cell)s holds a formula whose result was not saved: open the file in Excel and save it "
    "again, or type the value."
)
MSG_COMMUNE_EMPTY = gettext_lazy("Enter the commune code.")
MSG_SEX = gettext_lazy("Write Nam, Nữ or Không rõ.")
MSG_BIRTH_REGISTERED = gettext_lazy("Write Đã đăng ký or Chưa đăng ký, or leave it empty.")
MSG_YES_NO = gettext_lazy("Write Có or Không, or leave it empty.")
MSG_SCHOOLING = gettext_lazy("Write one of the schooling words of the template.")
MSG_DISABILITY_LEVEL = gettext_lazy("Write Đặc biệt nặng, Nặng or Nhẹ, or leave it empty.")


def _parse_date(value) -> dt.date | None:
    if value is None or value == "":
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    text = _text(value)
    if not text:
        return None
    match = DATE_RE.match(text)
    if match:
        day, month, year = (int(g) for g in match.groups())
    elif match := ISO_RE.match(text):
        year, month, day = (int(g) for g in match.groups())
    else:
        raise _CellError(_("Write the date of birth as day/month/year (dd/mm/yyyy)."))
    try:
        return dt.date(year, month, day)
    except ValueError as exc:
        raise _CellError(_("%(value)s is not a real date.") % {"value": text}) from exc


def _parse_year(value) -> int | None:
    text = _text(value)
    if not text:
        return None
    if not re.fullmatch(r"\d{4}", text):
        raise _CellError(_("Write the year of birth with four digits."))
    return int(text)


_fold = functools.lru_cache(maxsize=65536)(fold)  # the same words and names come back row after row
_MISSING = object()


def _parse_word(value, words: dict[str, Any], message, *, blank=None):
    text = _text(value)
    if not text:
        return blank
    found = words.get(_fold(text), _MISSING)
    if found is _MISSING:
        raise _CellError(str(message))
    return found


def _parse_birth_registered(value) -> bool | None:
    return _parse_word(value, _BIRTH_REGISTERED, MSG_BIRTH_REGISTERED)


def _parse_health_insurance(value) -> bool | None:
    return _parse_word(value, _YES_NO, MSG_YES_NO)


def _parse_schooling(value) -> str:
    return _parse_word(value, _SCHOOLING, MSG_SCHOOLING, blank=SchoolingStatus.UNKNOWN)


def _parse_disability_level(value) -> str:
    return _parse_word(value, _DISABILITY_LEVEL, MSG_DISABILITY_LEVEL, blank="")


def _parse_personal_id(value) -> str:
    return _digits(value, 12)


class Parsed(NamedTuple):
    """A checked row, compact: what is spilled to disk between the two passes."""

    row: int
    record: int | None
    full_name: str
    sex: str
    birth_date: int | None  # ordinal
    birth_year: int
    personal_id: str
    ethnicity_id: int | None
    nationality: str
    commune_id: int
    village_id: int | None
    household: str  # head of household as written ("" for none)
    birth_registered: bool | None
    birth_registration_place: str
    school: str
    grade: str
    schooling_status: str
    health_insurance: bool | None
    disability_type: str
    disability_level: str
    notes: str
    source: str
    source_key: str

    def household_key(self) -> tuple[int, int, str] | None:
        head = _fold(self.household)
        return (self.commune_id, self.village_id or 0, head) if head else None


# The template column that each model field's errors are reported under.
FIELD_COLUMN = {
    "full_name": "full_name",
    "name_folded": "full_name",
    "sex": "sex",
    "birth_date": "birth_date",
    "birth_year": "birth_year",
    "personal_id": "personal_id",
    "ethnicity": "ethnicity",
    "nationality": "nationality",
    "commune": "commune",
    "village": "village",
    "household": "household",
    "birth_registered": "birth_registered",
    "birth_registration_place": "birth_registration_place",
    "school": "school",
    "grade": "grade",
    "schooling_status": "schooling_status",
    "health_insurance": "health_insurance",
    "disability_type": "disability_type",
    "disability_level": "disability_level",
    "notes": "notes",
    "source": "source",
    "source_key": "source_key",
}
# Length limits of the text read from the file, from the models themselves.
TEXT_LIMITS = tuple(
    (key, model._meta.get_field(name).max_length)
    for key, model, name in (
        ("full_name", Child, "full_name"),
        ("name_folded", Child, "name_folded"),
        ("household", Household, "head_name"),
        ("birth_registration_place", Child, "birth_registration_place"),
        ("school", Child, "school"),
        ("grade", Child, "grade"),
        ("disability_type", Child, "disability_type"),
        ("source", Child, "source"),
        ("source_key", Child, "source_key"),
    )
)
# Compared and written for matched children; each is read from the file only when its column is.
COMPARED = (
    ("full_name", "full_name"),
    ("sex", "sex"),
    ("personal_id", "personal_id"),
    ("ethnicity", "ethnicity_id"),
    ("nationality", "nationality"),
    ("commune", "commune_id"),
    ("village", "village_id"),
    ("birth_registered", "birth_registered"),
    ("birth_registration_place", "birth_registration_place"),
    ("school", "school"),
    ("grade", "grade"),
    ("schooling_status", "schooling_status"),
    ("health_insurance", "health_insurance"),
    ("disability_type", "disability_type"),
    ("disability_level", "disability_level"),
    ("notes", "notes"),
)
MATCH_FIELDS = (
    "pk",
    "commune_id",
    "commune__path",
    "is_active",
    "full_name",
    "sex",
    "birth_date",
    "birth_year",
    "personal_id",
    "ethnicity_id",
    "nationality",
    "village_id",
    "household_id",
    "birth_registered",
    "birth_registration_place",
    "school",
    "grade",
    "schooling_status",
    "health_insurance",
    "disability_type",
    "disability_level",
    "notes",
    "source",
    "source_key",
)


class _NewHousehold:
    """A household the file creates; ``pk`` is set once it is written."""

    __slots__ = ("commune_id", "head_name", "pk", "village_id")

    def __init__(self, commune_id: int, village_id: int | None, head_name: str):
        self.commune_id, self.village_id, self.head_name = commune_id, village_id, head_name
        self.pk: int | None = None


class _Someone(NamedTuple):
    """What tells a child from another of the same name and birth (a record or a row of the file)."""

    row: int  # the file's row, or 0 for a record
    record: int | None  # the record's pk, or the row's record number
    birth_date: int | None  # ordinal
    heads: tuple[str, ...]  # household head and caregivers, folded
    personal_id: str
    source: str
    source_key: str


def _could_be_same(a: _Someone, b: _Someone) -> bool:
    """Whether two of the same commune, folded name and year of birth may be one child."""
    if a.record and b.record and a.record != b.record:
        return False
    if a.personal_id and b.personal_id and a.personal_id != b.personal_id:
        return False
    if a.source_key and b.source_key and a.source == b.source and a.source_key != b.source_key:
        return False
    if a.birth_date and b.birth_date and a.birth_date != b.birth_date:
        return False
    return not (a.heads and b.heads and not set(a.heads) & set(b.heads))


def _someone(r: Parsed) -> _Someone:
    head = _fold(r.household)
    return _Someone(
        r.row, r.record, r.birth_date, (head,) if head else (), r.personal_id, r.source, r.source_key
    )


def _person_key(r: Parsed) -> tuple[int, str, int]:
    return (r.commune_id, _fold(r.full_name), r.birth_year)


class _Decision(NamedTuple):
    action: str  # create / update / unchanged / inactive / error
    pk: int | None
    changes: dict[str, Any]
    commune_id: int | None = None  # of the matched record (it may move to the row's commune)


# --- the importer -----------------------------------------------------------------------------


class _Importer:
    def __init__(self, *, user, today: dt.date, progress: Progress | None, work: Path):
        self.user = user
        self.today = today
        self.progress = progress
        self.work = work
        self.may_add = user.has_perm("children.add_child")
        self.may_change = user.has_perm("children.change_child")
        self.columns: dict[int, str] = {}
        self.column_items: list[tuple[int, str]] = []
        self.parsers: list[tuple[str, Callable[[Any], Any], Any]] = []
        self._row_commune: Unit | None = None
        self.present: set[str] = set()
        self.communes: dict[str, Unit | None] = {}
        self.commune_by_id: dict[int, Unit] = {}
        self.villages: dict[int, dict[str, list[Unit]]] = {}
        self.households: dict[int, dict[str, list[tuple[int, int | None]]]] = {}
        # Households the file creates are kept in the commune indexes only (memory), and counted.
        self.households_to_create = 0
        self.households_written = 0
        self.ethnicities = self._load_ethnicities()
        # Duplicates within the file: compact indexes (value → first row).
        self.seen_ids: dict[int, int] = {}  # the 12 digits as a number: half the memory of text
        self.seen_keys: dict[str, int] = {}
        self.seen_records: dict[int, int] = {}
        self.seen_people: dict[tuple[int, str, int], list[tuple[_Someone, bool]]] = {}
        self.matched: dict[int, int] = {}
        self.error_count = 0
        # Past this many problems the check stops: the report lists them and says so.
        self.max_errors = max(1, settings.TREEM_IMPORT_MAX_ERRORS)
        self.errors: list[RowError] = []
        self.errors_path = work / "errors.csv"
        self.errors_file = self.errors_path.open("w", encoding="utf-8", newline="")
        self.errors_writer = csv.writer(self.errors_file)
        self.batch_errors: list[RowError] = []

    # reference data

    @staticmethod
    def _load_ethnicities() -> dict[str, int]:
        index: dict[str, int] = {}
        by_code = {}
        for pk, code, name in Ethnicity.objects.values_list("pk", "code", "name"):
            by_code[code] = pk
            index[code] = pk
            if code.isdigit():
                index[str(int(code))] = pk
            index[fold(name)] = pk
            index[fold(name).replace("-", "").replace(" ", "")] = pk
        for alias, code in ETHNICITY_ALIASES.items():
            if code in by_code:
                index.setdefault(alias, by_code[code])
        return index

    def _commune(self, code: str) -> Unit:
        if code not in self.communes:
            units = list(
                Unit.objects.filter(level=UnitLevel.COMMUNE, code=code)
                .valid_on(self.today)
                .order_by("pk")[:2]
            )
            self.communes[code] = units[0] if len(units) == 1 else None
            if len(units) == 1:
                self.commune_by_id[units[0].pk] = units[0]
        unit = self.communes[code]
        if unit is None:
            raise _CellError(_("No commune in force today has the code %(code)s.") % {"code": code})
        if not unit_in_scope(self.user, unit):
            raise _CellError(
                _("The commune %(code)s is outside your units: you may import children of your units only.")
                % {"code": code}
            )
        return unit

    def _village(self, commune: Unit, name: str) -> Unit:
        if commune.pk not in self.villages:
            index: dict[str, list[Unit]] = {}
            for village in Unit.objects.filter(level=UnitLevel.VILLAGE, parent=commune).valid_on(self.today):
                folded = fold(village.name)
                index.setdefault(folded, []).append(village)
                bare = _strip_village_kind(folded)
                if bare != folded:
                    index.setdefault(bare, []).append(village)
            self.villages[commune.pk] = index
        index = self.villages[commune.pk]
        folded = _fold(name)
        found = index.get(folded) or index.get(_strip_village_kind(folded)) or []
        if len({v.pk for v in found}) == 1:
            return found[0]
        if not found:
            raise _CellError(
                _("%(commune)s has no village named %(name)s; villages are added on the commune's page.")
                % {"commune": commune.name, "name": name}
            )
        raise _CellError(
            _("%(commune)s has several villages named like %(name)s: write the full name.")
            % {"commune": commune.name, "name": name}
        )

    def _existing_households(self, commune_id: int) -> dict[str, list[tuple[int, int | None]]]:
        """The commune's households by head of household (folded): [(pk, village_id)]."""
        if commune_id not in self.households:
            index: dict[str, list[tuple[int, int | None]]] = {}
            rows = Household.objects.filter(commune_id=commune_id).values_list(
                "pk", "village_id", "head_name"
            )
            for pk, village_id, head in rows:
                index.setdefault(fold(head), []).append((pk, village_id))
            self.households[commune_id] = index
        return self.households[commune_id]

    # headers

    def read_header(self, values: list) -> None:
        columns: dict[int, str] = {}
        unknown, repeated = [], []
        for index, value in enumerate(values):
            text = _text(value)
            if not text:
                continue
            key = column_for_header(text)
            if key is None:
                unknown.append(text)
            elif key in columns.values() and key:
                repeated.append(text)
            elif key:
                columns[index] = key
        keys = set(columns.values())
        missing = [COLUMN_BY_KEY[c.key].header for c in COLUMNS if c.required and c.key not in keys]
        if "birth_date" not in keys and "birth_year" not in keys:
            missing.append(_("%(date)s or %(year)s") % {"date": "Ngày sinh", "year": "Năm sinh"})
        problems = []
        if missing:
            problems.append(_("Missing columns: %(columns)s.") % {"columns": ", ".join(missing)})
        if unknown:
            problems.append(_("Unknown columns: %(columns)s.") % {"columns": ", ".join(unknown)})
        if repeated:
            problems.append(_("Columns given twice: %(columns)s.") % {"columns": ", ".join(repeated)})
        if problems:
            problems.append(
                _("The template's columns are: %(columns)s.")
                % {"columns": ", ".join(c.header for c in COLUMNS)}
            )
            raise ChildImportError(" ".join(problems), code="headers")
        self.columns = columns
        self.present = keys
        self.column_items = sorted(columns.items())
        self.parsers = [
            ("record", _parse_record, None),
            ("full_name", _text, ""),
            ("sex", _parse_sex, None),
            ("birth_date", _parse_date, None),
            ("birth_year", _parse_year, None),
            ("personal_id", _parse_personal_id, ""),
            ("ethnicity", self._parse_ethnicity, None),
            ("nationality", _parse_nationality, "VN"),
            ("commune", self._parse_commune, None),
            ("village", self._parse_village, None),  # after the commune
            ("household", _text, ""),
            ("birth_registered", _parse_birth_registered, None),
            ("birth_registration_place", _text, ""),
            ("school", _text, ""),
            ("grade", _text, ""),
            ("schooling_status", _parse_schooling, SchoolingStatus.UNKNOWN),
            ("health_insurance", _parse_health_insurance, None),
            ("disability_type", _text, ""),
            ("disability_level", _parse_disability_level, ""),
            ("notes", _text, ""),
            ("source", _text, ""),
            ("source_key", _text, ""),
        ]

    # rows

    def error(self, row: int, key: str, value, reason: str) -> None:
        header = COLUMN_BY_KEY[key].header if key in COLUMN_BY_KEY else ""
        self.batch_errors.append(RowError(row, header, _text(value)[:200], reason))

    def flush_errors(self) -> None:
        self.batch_errors.sort(key=lambda e: e.row)
        for item in self.batch_errors:
            if self.error_count >= self.max_errors:
                break
            self.error_count += 1
            if len(self.errors) < ERRORS_KEPT:
                self.errors.append(item)
            self.errors_writer.writerow(item)
        self.batch_errors = []

    def parse(self, number: int, values: list) -> Parsed | None:
        """A row as checked values, or None when it has errors (they are recorded)."""
        count = len(values)
        cells: dict[str, Any] = {}
        failed = False
        for index, key in self.column_items:
            value = values[index] if index < count else None
            if value.__class__ is str:
                if "\x00" in value:
                    self.error(number, key, value.replace("\x00", ""), str(MSG_NUL))
                    failed = True
                elif value[:1] == "#" and key not in FREE_TEXT_KEYS and value.strip() in EXCEL_ERRORS:
                    self.error(number, key, value, str(MSG_EXCEL_ERROR))
                    failed = True
            elif isinstance(value, _Formula):
                self.error(number, key, value, str(MSG_FORMULA) % {"cell": value.cell})
                failed = True
            cells[key] = value
        if failed:
            return None

        out: dict[str, Any] = {}
        self._row_commune = None
        for key, parse, default in self.parsers:
            if key not in cells:
                out[key] = default
                continue
            try:
                out[key] = parse(cells[key])
            except _CellError as exc:
                self.error(number, key, cells[key], str(exc))
                out[key] = default
                failed = True
        birth_date, birth_year = out["birth_date"], out["birth_year"]
        if birth_date and birth_year and birth_date.year != birth_year:
            self.error(
                number,
                "birth_year",
                cells.get("birth_year"),
                _("The year of birth does not match the date of birth (%(date)s).")
                % {"date": birth_date.strftime("%d/%m/%Y")},
            )
            failed = True
        commune = out["commune"]
        if failed or commune is None:
            return None

        # The registry's own rules, exactly as for a child registered on a page.
        fields = {
            "full_name": out["full_name"],
            "birth_date": birth_date,
            "birth_year": birth_year,
            "personal_id": out["personal_id"],
            "village": out["village"],
            "household": None,
        }
        try:
            checked = services.check_child_fields(commune=commune, fields=fields, today=self.today)
        except ValidationError as exc:
            for name, messages in exc.message_dict.items():
                key = FIELD_COLUMN.get(name, "full_name")
                if name == "birth_year" and birth_date:
                    if "birth_date" in exc.message_dict:
                        continue  # "date in the future" already says it
                    key = "birth_date"
                for message in messages:
                    self.error(number, key, cells.get(key), message)
            return None
        out["full_name"] = checked["full_name"]
        out["personal_id"] = checked["personal_id"]
        out["household"] = " ".join(out["household"].split())
        if not out["source"]:
            out["source"] = f"{IMPORT_SOURCE_PREFIX}{commune.code}"
        # The model's own length limits, with Django's own message.
        out["name_folded"] = _fold(out["full_name"])
        for key, limit in TEXT_LIMITS:
            if len(out[key]) > limit:
                if key == "name_folded" and len(out["full_name"]) > limit:
                    continue  # said once, for the name
                try:
                    MaxLengthValidator(limit)(out[key])
                except ValidationError as exc:
                    column = "full_name" if key == "name_folded" else key
                    self.error(number, column, cells.get(column), exc.messages[0])
                    failed = True
        if failed:
            return None
        return Parsed(
            row=number,
            record=out["record"],
            full_name=out["full_name"],
            sex=out["sex"],
            birth_date=birth_date.toordinal() if birth_date else None,
            birth_year=checked["birth_year"],
            personal_id=out["personal_id"],
            ethnicity_id=out["ethnicity"],
            nationality=out["nationality"],
            commune_id=commune.pk,
            village_id=out["village"].pk if out["village"] else None,
            household=out["household"],
            birth_registered=out["birth_registered"],
            birth_registration_place=out["birth_registration_place"],
            school=out["school"],
            grade=out["grade"],
            schooling_status=out["schooling_status"],
            health_insurance=out["health_insurance"],
            disability_type=out["disability_type"],
            disability_level=out["disability_level"],
            notes=out["notes"],
            source=out["source"],
            source_key=out["source_key"],
        )

    def _parse_commune(self, value) -> Unit:
        code = _digits(value, 5)
        if not code:
            raise _CellError(str(MSG_COMMUNE_EMPTY))
        self._row_commune = self._commune(code)
        return self._row_commune

    def _parse_village(self, value) -> Unit | None:
        text = _text(value)
        if not text or self._row_commune is None:
            return None
        return self._village(self._row_commune, text)

    def _parse_ethnicity(self, value) -> int | None:
        text = _text(value)
        if not text:
            return None
        folded = _fold(text)
        pk = self.ethnicities.get(folded) or self.ethnicities.get(folded.replace("-", "").replace(" ", ""))
        if pk is None:
            raise _CellError(_("Unknown ethnic group: write its name or its two-digit code."))
        return pk

    # matching with the database

    def decide(self, rows: list[Parsed], *, first_pass: bool) -> list[_Decision]:
        """For each row: create, update (with the changes), unchanged, inactive, or error."""
        records = {r.record for r in rows if r.record}
        ids = {r.personal_id for r in rows if r.personal_id}
        keys: dict[str, set[str]] = {}
        for r in rows:
            if r.source_key:
                keys.setdefault(r.source, set()).add(r.source_key)
        children = Child.objects.order_by()
        by_record = (
            {c["pk"]: c for c in children.filter(pk__in=records).values(*MATCH_FIELDS)} if records else {}
        )
        # The conditions of the partial unique indexes are repeated so that the databases use them
        # (neither SQLite nor PostgreSQL infers "not empty" from a long IN list).
        by_id = (
            {
                c["personal_id"]: c
                for c in children.filter(personal_id__in=ids, is_active=True)
                .exclude(personal_id="")
                .values(*MATCH_FIELDS)
            }
            if ids
            else {}
        )
        by_key: dict[tuple[str, str], dict] = {}
        if keys:
            # One query per batch whatever the number of sources (each commune's file has its own):
            # the keys lead the unique index on (source_key, source).
            all_keys = set().union(*keys.values())
            found = children.filter(source_key__in=all_keys).exclude(source_key="")
            for c in found.values(*MATCH_FIELDS):
                if c["source_key"] in keys.get(c["source"], ()):
                    by_key[(c["source"], c["source_key"])] = c
        unmatched = [
            r
            for r in rows
            if not r.record
            and not (r.personal_id and r.personal_id in by_id)
            and not (r.source_key and (r.source, r.source_key) in by_key)
        ]
        by_person = self.recorded_people(unmatched)
        return [self._decide_row(r, by_record, by_id, by_key, by_person, first_pass=first_pass) for r in rows]

    def recorded_people(self, rows: list[Parsed]) -> dict[tuple[int, str, int], list[tuple[dict, _Someone]]]:
        """Recorded children (not merged away) of the rows' communes, folded names and years of birth."""
        if not rows:
            return {}
        wanted = {_person_key(r) for r in rows}
        found = (
            Child.objects.order_by()
            .filter(
                commune_id__in={k[0] for k in wanted},
                name_folded__in={k[1] for k in wanted},
                birth_year__in={k[2] for k in wanted},
                merged_into__isnull=True,
            )
            .values(*MATCH_FIELDS, "name_folded", "household__head_name")
        )
        found = [c for c in found if (c["commune_id"], c["name_folded"], c["birth_year"]) in wanted]
        heads: dict[int, set[str]] = {}
        for c in found:
            if c["household__head_name"]:
                heads.setdefault(c["pk"], set()).add(_fold(c["household__head_name"]))
        if found:
            caregivers = Caregiver.objects.filter(child_id__in=[c["pk"] for c in found])
            for child_id, name in caregivers.values_list("child_id", "full_name"):
                heads.setdefault(child_id, set()).add(_fold(name))
        people: dict[tuple[int, str, int], list[tuple[dict, _Someone]]] = {}
        for c in found:
            birth = c["birth_date"].toordinal() if c["birth_date"] else None
            someone = _Someone(
                0,
                c["pk"],
                birth,
                tuple(sorted(heads.get(c["pk"], ()))),
                c["personal_id"],
                c["source"],
                c["source_key"],
            )
            people.setdefault((c["commune_id"], c["name_folded"], c["birth_year"]), []).append((c, someone))
        return people

    def first_of_its_person(self, r: Parsed, *, creates: bool) -> bool:
        """False (the row refused) when an earlier row could be the same child and one of the two
        adds a child: imported again, the file would find two records for one row."""
        row = _someone(r)
        earlier = self.seen_people.setdefault(_person_key(r), [])
        first = next(
            (other.row for other, added in earlier if (creates or added) and _could_be_same(row, other)),
            None,
        )
        earlier.append((row, creates))
        if first is None:
            return True
        self.error(
            r.row,
            "full_name",
            r.full_name,
            _(
                "This row and row %(row)s may be the same child (same name, birth and household): give "
                "each its personal identification number or source key (Mã nguồn), or correct one of them."
            )
            % {"row": first},
        )
        return False

    def _ambiguous(self, r: Parsed, candidates: list[dict]) -> None:
        """Refuse a row that could be several recorded children, naming those the user may see."""
        visible = (
            Child.objects.restrict(self.user, "view")
            .filter(pk__in=[c["pk"] for c in candidates])
            .select_related("village")
            .order_by("pk")
        )
        named = []
        for child in visible:
            born = (
                child.birth_date.strftime("%d/%m/%Y")
                if child.birth_date
                else _("in %(year)s") % {"year": child.birth_year}
            )
            named.append(
                _("%(name)s, born %(born)s, %(village)s (record number %(number)s)")
                % {
                    "name": child.full_name,
                    "born": born,
                    "village": child.village.name if child.village else _("no village recorded"),
                    "number": child.pk,
                }
            )
        hidden = len(candidates) - len(named)
        if hidden:
            named.append(
                ngettext(
                    "%(count)d other child you may not see",
                    "%(count)d other children you may not see",
                    hidden,
                )
                % {"count": hidden}
            )
        self.error(
            r.row,
            "full_name",
            r.full_name,
            _(
                "This row could be any of %(count)d children already recorded with this name, birth and "
                "household: %(children)s. Write the record number (Mã hồ sơ) or the personal "
                "identification number of the right child."
            )
            % {"count": len(candidates), "children": "; ".join(named)},
        )

    def _in_scope(self, path: str) -> bool:
        if getattr(self.user, "sees_all_units", False):
            return True
        return any(path.startswith(p) for p in user_scope_paths(self.user))

    def _decide_row(self, r: Parsed, by_record, by_id, by_key, by_person, *, first_pass: bool) -> _Decision:
        error = _Decision("error", None, {})
        match = None
        if r.record:
            match = by_record.get(r.record)
            if match is None or not self._in_scope(match["commune__path"]):
                self.error(
                    r.row,
                    "record",
                    r.record,
                    _("No child with the record number %(number)s among the children of your units.")
                    % {"number": r.record},
                )
                return error
        if match is None and r.personal_id and r.personal_id in by_id:
            match = by_id[r.personal_id]
            if not self._in_scope(match["commune__path"]):
                return self._personal_id_taken(r, None) or error
        key = (r.source, r.source_key)
        if match is None and r.source_key and key in by_key:
            match = by_key[key]
            if not self._in_scope(match["commune__path"]):
                self.error(
                    r.row,
                    "source_key",
                    r.source_key,
                    _("This source key is already used for a child outside your units; ask the province."),
                )
                return error
        if match is None and not r.record:
            row = _someone(r)
            same = [c for c, someone in by_person.get(_person_key(r), ()) if _could_be_same(row, someone)]
            if len(same) > 1:
                self._ambiguous(r, same)
                return error
            if same:
                match = same[0]
        if match is not None:
            pk = match["pk"]
            other = by_id.get(r.personal_id) if r.personal_id else None
            if other is not None and other["pk"] != pk:
                self._personal_id_taken(r, pk)
                return error
            other = by_key.get(key) if r.source_key else None
            if other is not None and other["pk"] != pk:
                self.error(
                    r.row,
                    "source_key",
                    r.source_key,
                    _(
                        "This source key (%(source)s) is already used for another child than the one this "
                        "row's record number or personal identification number points to."
                    )
                    % {"source": r.source},
                )
                return error
            if first_pass:
                if pk in self.matched:
                    self.error(
                        r.row,
                        "full_name",
                        r.full_name,
                        _("This row and row %(row)s are the same child.") % {"row": self.matched[pk]},
                    )
                    return error
                self.matched[pk] = r.row
            if not match["is_active"]:
                return _Decision("inactive", pk, {}, match["commune_id"])
            changes = self._changes(r, match)
            if changes and not self.may_change:
                self.error(
                    r.row, "full_name", r.full_name, _("You may not change existing children's records.")
                )
                return error
            return _Decision("update" if changes else "unchanged", pk, changes, match["commune_id"])
        if not self.may_add:
            self.error(r.row, "full_name", r.full_name, _("You may not add children."))
            return error
        return _Decision("create", None, {})

    def _personal_id_taken(self, r: Parsed, exclude_pk: int | None) -> None:
        try:
            services._check_personal_id_free(
                acting_user=self.user, personal_id=r.personal_id, exclude_pk=exclude_pk
            )
        except ValidationError as exc:
            for message in exc.message_dict.get("personal_id", exc.messages):
                self.error(r.row, "personal_id", r.personal_id, message)
        return None

    def household_pk(self, r: Parsed) -> int | _NewHousehold | str | None:
        """The row's household: a pk, a household still to create, None, "new" or "ambiguous".

        Households are matched by head of household (case and diacritics ignored) in the commune:
        one of the row's village, else one whose village was never recorded; a row without a
        village takes one without a village, else the only one. The same head in another village
        is another household. Households this file creates are matched the same way.
        """
        key = r.household_key()
        if key is None:
            return None
        candidates = self._existing_households(r.commune_id).get(key[2], [])
        if candidates:
            unplaced = [c for c in candidates if c[1] is None]
            if r.village_id:
                candidates = [c for c in candidates if c[1] == r.village_id] or unplaced
            else:
                candidates = unplaced or candidates
        if len(candidates) > 1:
            return "ambiguous"
        if not candidates:
            return "new"
        found = candidates[0][0]
        if isinstance(found, _NewHousehold):
            return found.pk if found.pk is not None else found
        return found

    def add_household(self, r: Parsed) -> _NewHousehold:
        """Register the row's household as one to create (matched by later rows)."""
        new = _NewHousehold(r.commune_id, r.village_id, r.household)
        self._existing_households(r.commune_id).setdefault(_fold(r.household), []).append((new, r.village_id))
        self.households_to_create += 1
        return new

    def _changes(self, r: Parsed, match: dict) -> dict[str, Any]:
        changes: dict[str, Any] = {}
        for key, attname in COMPARED:
            if key in self.present:
                new = getattr(r, attname)
                if match[attname] != new:
                    changes[attname] = new
        birth_date = dt.date.fromordinal(r.birth_date) if r.birth_date else None
        if "birth_date" not in self.present:
            # Only the year is in the file: keep a known date of that year.
            existing = match["birth_date"]
            birth_date = existing if existing and existing.year == r.birth_year else None
        if match["birth_date"] != birth_date:
            changes["birth_date"] = birth_date
        if match["birth_year"] != r.birth_year:
            changes["birth_year"] = r.birth_year
        if "household" in self.present:
            household = self.household_pk(r)
            if household != match["household_id"]:
                changes["household_id"] = household
        if r.source_key and not match["source_key"]:
            changes["source"], changes["source_key"] = r.source, r.source_key
        return changes

    def check_duplicates(self, r: Parsed) -> bool:
        """Duplicates within the file (the first pass only); False when the row is refused."""
        ok = True
        if r.record:
            first = self.seen_records.setdefault(r.record, r.row)
            if first != r.row:
                self.error(
                    r.row, "record", r.record, _("The same record number is on row %(row)s.") % {"row": first}
                )
                ok = False
        if r.personal_id:
            first = self.seen_ids.setdefault(int(r.personal_id), r.row)
            if first != r.row:
                self.error(
                    r.row,
                    "personal_id",
                    r.personal_id,
                    _("The same personal identification number is on row %(row)s.") % {"row": first},
                )
                ok = False
        if r.source_key:
            first = self.seen_keys.setdefault(f"{r.source}\x1f{r.source_key}", r.row)
            if first != r.row:
                self.error(
                    r.row,
                    "source_key",
                    r.source_key,
                    _("The same source key is on row %(row)s.") % {"row": first},
                )
                ok = False
        if r.household and self.household_pk(r) == "ambiguous":
            self.error(
                r.row,
                "household",
                r.household,
                _(
                    "Several households of this village have this head; leave the cell empty and choose "
                    "the household on the child's page."
                ),
            )
            ok = False
        return ok


def _raise(message: str):
    raise _CellError(message)


def _parse_sex(value) -> str:
    if not _text(value):
        raise _CellError(_("Write Nam or Nữ."))
    return _parse_word(value, _SEX, MSG_SEX)


def _parse_record(value) -> int | None:
    text = _text(value)
    if not text:
        return None
    if not text.isdigit() or len(text) > 12:
        raise _CellError(
            _("The record number is a whole number given by treem; leave it empty for a new child.")
        )
    return int(text)


def _parse_nationality(value) -> str:
    text = _text(value)
    if not text or _fold(text) in ("viet nam", "vietnam", "vn"):
        return "VN"
    if re.fullmatch(r"[A-Za-z]{2}", text):
        return text.upper()
    raise _CellError(_("Write the two-letter country code (VN for Việt Nam)."))


def _strip_village_kind(folded: str) -> str:
    for word in sorted(VILLAGE_KIND_WORDS, key=len, reverse=True):
        if folded.startswith(word + " "):
            return folded[len(word) + 1 :]
    return folded


def file_checksum(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        while chunk := fh.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


def _common_unit(commune_ids: set[int], communes: dict[int, Unit]) -> Unit | None:
    """The lowest unit holding every commune written to (for the audit event's scope)."""
    paths = [communes[c].path for c in commune_ids if c in communes]
    if not paths:
        return None
    parts = [p.strip("/").split("/") for p in paths]
    common = []
    for level in zip(*parts, strict=False):
        if len(set(level)) != 1:
            break
        common.append(level[0])
    return Unit.objects.filter(pk=int(common[-1])).first() if common else None


# --- the whole import -------------------------------------------------------------------------


def children_import(
    *,
    acting_user,
    path: Path | str,
    file_name: str | None = None,
    dry_run: bool = False,
    progress: Progress | None = None,
    report_path: Path | str | None = None,
    today: dt.date | None = None,
) -> ImportResult:
    """Check a children file and, if every row is valid and this is no dry run, write it.

    Raises ``ChildImportError`` for a file that is not the template at all. Row problems are in
    the result (``errors``, ``error_count``) and, with ``report_path``, in an ``.xlsx`` report.
    Nothing is written unless every row is valid.
    """
    path = Path(path)
    file_name = file_name or path.name
    today = today or timezone.localdate()
    if not (acting_user and acting_user.is_authenticated and acting_user.is_active):
        raise ChildImportError(_("Name the user who imports the file."), code="user")
    if not (acting_user.has_perm("children.add_child") or acting_user.has_perm("children.change_child")):
        raise ChildImportError(_("You may not import children."), code="permission")
    source = open_source(path, file_name)
    result = ImportResult(
        file_name=file_name, checksum=file_checksum(path), dry_run=dry_run, sheet=source.sheet
    )
    result.notices.extend(source.notices)
    with tempfile.TemporaryDirectory(prefix="treem-import-") as work_dir:
        work = Path(work_dir)
        importer = _Importer(user=acting_user, today=today, progress=progress, work=work)
        try:
            valid = _check_pass(importer, source, result, work / "rows.jsonl")
        finally:
            importer.errors_file.close()
        result.error_count = importer.error_count
        result.errors = importer.errors
        if result.stopped_at_row is not None:
            result.notices.append(stopped_message(result))
        if result.error_count:
            if report_path is not None:
                write_error_report(importer.errors_path, Path(report_path), result)
                result.report_path = Path(report_path)
            return result
        if dry_run:
            return result
        _write_pass(importer, work / "rows.jsonl", valid, result)
    return result


def stopped_message(result: ImportResult) -> str:
    return _(
        "Checking stopped at row %(row)s after the first %(count)s problems: the rows after it were "
        "not checked."
    ) % {"row": result.stopped_at_row, "count": result.error_count}


def _check_pass(importer: _Importer, source: _Source, result: ImportResult, spill: Path) -> int:
    """First pass: parse, check, compare; spill checked rows. Returns how many rows are valid."""
    header_found = False
    batch: list[Parsed] = []
    valid = 0
    total = source.total

    with spill.open("w", encoding="utf-8") as out:

        def flush() -> None:
            nonlocal valid
            decisions = importer.decide(batch, first_pass=True) if batch else []
            for r, decision in zip(batch, decisions, strict=True):
                if decision.action == "error":
                    continue
                if not importer.first_of_its_person(r, creates=decision.action == "create"):
                    continue
                if decision.action == "create":
                    result.created += 1
                elif decision.action == "update":
                    result.updated += 1
                elif decision.action == "unchanged":
                    result.unchanged += 1
                else:
                    result.skipped_inactive += 1
                if (
                    decision.action in ("create", "update")
                    and r.household
                    and importer.household_pk(r) == "new"
                ):
                    importer.add_household(r)
                valid += 1
                out.write(json.dumps([decision.action, r], ensure_ascii=False, separators=(",", ":")))
                out.write("\n")
            batch.clear()
            importer.flush_errors()

        blank_rows_before_header = 0
        pending = 0  # rows read since the last flush: bounds the batch and the errors held
        for number, values in source.rows:
            if not any(_text(v) for v in values):
                continue  # empty rows are skipped silently
            if not header_found:
                if any(column_for_header(_text(v)) == "full_name" for v in values if _text(v)):
                    importer.read_header(values)
                    header_found = True
                    continue
                blank_rows_before_header += 1
                if blank_rows_before_header >= HEADER_SEARCH_ROWS:
                    break
                continue
            result.rows += 1
            if result.rows > MAX_ROWS:
                raise ChildImportError(
                    _("The file has more than %(max)s rows: split it into several files.")
                    % {"max": MAX_ROWS},
                    code="too_many_rows",
                )
            parsed = importer.parse(number, values)
            if parsed is not None and importer.check_duplicates(parsed):
                batch.append(parsed)
            if importer.error_count + len(importer.batch_errors) >= importer.max_errors:
                flush()
                if importer.error_count >= importer.max_errors:
                    result.stopped_at_row = number
                    break
            pending += 1
            if pending >= BATCH:
                flush()
                pending = 0
            if importer.progress and result.rows % BATCH == 0:
                if total is not None and total < result.rows:
                    total = None  # an estimate (CSV) fell short: unknown rather than past 100 %
                importer.progress("check", result.rows, total)
        if not header_found:
            raise ChildImportError(
                _(
                    "No header row with the template's columns was found (a row with “%(name)s”, "
                    "“%(sex)s”, “%(commune)s”…). Use the template."
                )
                % {"name": "Họ và tên", "sex": "Giới tính", "commune": "Mã xã"},
                code="headers",
            )
        if result.rows == 0:
            raise ChildImportError(_("The file has the headers but no child's row."), code="no_rows")
        flush()
        result.households_created = importer.households_to_create
        if importer.progress:
            importer.progress("check", result.rows, result.rows)
    return valid


def _read_spill(spill: Path) -> Iterator[list[tuple[str, Parsed]]]:
    """The checked rows in batches, each with the first pass's decision."""
    batch: list[tuple[str, Parsed]] = []
    with spill.open(encoding="utf-8") as fh:
        for line in fh:
            action, values = json.loads(line)
            batch.append((action, Parsed(*values)))
            if len(batch) >= BATCH:
                yield batch
                batch = []
    if batch:
        yield batch


def _write_pass(importer: _Importer, spill: Path, valid: int, result: ImportResult) -> None:
    """Second pass: write the checked rows in bulk, one transaction, one audit event."""
    try:
        with transaction.atomic():
            _write_batches(importer, spill, valid, result)
            if result.created + result.updated >= ANALYZE_AFTER_ROWS:
                refresh_planner_statistics(Child, Household)
    except IntegrityError as exc:
        # A new child's ID number or source key was taken meanwhile: the unique indexes say so.
        logger.info("children import refused while writing: %s", exc)
        raise _records_changed() from exc


# After a bulk write the database's planner must learn the new row counts at once: until its
# statistics are refreshed it may take a table of a million children for a small one and choose
# plans that read it row by row (seen: a province's statistics page taking 27 s instead of 0.3 s).
ANALYZE_AFTER_ROWS = 10_000


def _records_changed() -> ChildImportError:
    return ChildImportError(
        _("Records changed while the file was being checked: nothing was imported. Import it again."),
        code="changed",
    )


def _write_batches(importer: _Importer, spill: Path, valid: int, result: ImportResult) -> None:
    user = importer.user
    now = timezone.now()
    done = 0
    written_communes: set[int] = set()
    counts = {"create": 0, "update": 0, "household": 0}
    for pairs in _read_spill(spill):
        batch = [r for _action, r in pairs]
        # Rows matched to a record are looked up again, inside the transaction, for their
        # current values; new rows are not: the unique indexes refuse one taken meanwhile.
        again = [r for action, r in pairs if action != "create"]
        importer.batch_errors = []
        # No unique index guards who a child is: a record that another user wrote meanwhile and
        # that a new row could be makes the file stale.
        created = [r for action, r in pairs if action == "create"]
        people = importer.recorded_people(created)
        for r in created:
            row = _someone(r)
            if any(_could_be_same(row, someone) for _c, someone in people.get(_person_key(r), ())):
                raise _records_changed()
        fresh = iter(importer.decide(again, first_pass=False) if again else [])
        decisions = [
            _Decision("create", None, {}) if action == "create" else next(fresh) for action, _r in pairs
        ]
        if importer.batch_errors or any(d.action == "error" for d in decisions):
            raise _records_changed()
        _create_households(importer, batch, decisions, user)
        new_children = []
        updates: dict[int, dict[str, Any]] = {}
        for r, decision in zip(batch, decisions, strict=True):
            if decision.action == "create":
                new_children.append(r)
                written_communes.add(r.commune_id)
            elif decision.action == "update":
                changes = dict(decision.changes)
                if "household_id" in changes and not isinstance(changes["household_id"], int | None):
                    changes["household_id"] = importer.household_pk(r)  # created just above
                updates[decision.pk] = changes
                written_communes.update((r.commune_id, decision.commune_id))
        new_rows = [_new_child_row(importer, r) for r in new_children]
        _insert_children(new_rows, user, now)
        counts["create"] += len(new_rows)
        if updates:
            _apply_updates(updates, user, now)
            counts["update"] += len(updates)
        done += len(batch)
        if importer.progress:
            importer.progress("write", done, valid)
    counts["household"] = importer.households_written
    result.created, result.updated = counts["create"], counts["update"]
    result.households_created = counts["household"]
    if result.created or result.updated or result.households_created:
        for commune_id in written_communes:
            if commune_id not in importer.commune_by_id:
                importer.commune_by_id[commune_id] = Unit.objects.get(pk=commune_id)
        audit_record(
            user,
            "children.child.imported",
            None,
            object_label=result.file_name,
            unit=_common_unit(written_communes, importer.commune_by_id),
            changes=result.as_dict(),
        )
        result.written = True


def _create_households(importer: _Importer, batch: list[Parsed], decisions: list[_Decision], user) -> None:
    """Write the households the batch's rows need that do not exist yet."""
    wanted: dict[int, _NewHousehold] = {}
    for r, decision in zip(batch, decisions, strict=True):
        if decision.action not in ("create", "update") or not r.household:
            continue
        household = importer.household_pk(r)
        if household == "new":  # not seen by the first pass (the records changed meanwhile)
            household = importer.add_household(r)
        if isinstance(household, _NewHousehold) and household.pk is None:
            wanted[id(household)] = household
    if not wanted:
        return
    rows = [
        Household(
            commune_id=new.commune_id,
            village_id=new.village_id,
            head_name=new.head_name,
            created_by=user,
            updated_by=user,
        )
        for new in wanted.values()
    ]
    Household.objects.bulk_create(rows, batch_size=BATCH)
    for new, household in zip(wanted.values(), rows, strict=True):
        if household.pk is None:  # a database that returns no ids from a bulk insert
            household.pk = (
                Household.objects.filter(commune_id=new.commune_id, head_name=new.head_name)
                .order_by("-pk")
                .values_list("pk", flat=True)
                .first()
            )
        new.pk = household.pk
    importer.households_written += len(rows)


# The columns a new child's row fills from the file; every other column takes its model default.
NEW_CHILD_FIELDS = (
    "commune_id",
    "village_id",
    "full_name",
    "name_folded",
    "sex",
    "birth_date",
    "birth_year",
    "personal_id",
    "ethnicity_id",
    "nationality",
    "birth_registered",
    "birth_registration_place",
    "household_id",
    "school",
    "grade",
    "schooling_status",
    "health_insurance",
    "disability_type",
    "disability_level",
    "notes",
    "source",
    "source_key",
)


def _new_child_row(importer: _Importer, r: Parsed) -> tuple:
    """A new child's values, in the order of ``NEW_CHILD_FIELDS``."""
    household = importer.household_pk(r) if "household" in importer.present else None
    return (
        r.commune_id,
        r.village_id,
        r.full_name,
        _fold(r.full_name),  # as Child.save() would
        r.sex,
        dt.date.fromordinal(r.birth_date) if r.birth_date else None,
        r.birth_year,
        r.personal_id,
        r.ethnicity_id,
        r.nationality,
        r.birth_registered,
        r.birth_registration_place,
        household if isinstance(household, int) else None,
        r.school,
        r.grade,
        r.schooling_status,
        r.health_insurance,
        r.disability_type,
        r.disability_level,
        r.notes,
        r.source,
        r.source_key,
    )


def _insert_children(rows: list[tuple], user, now) -> None:
    """Insert new children: PostgreSQL's COPY where available, else ``bulk_create``.

    Both write the same columns: the file's values, the import's user and time, and every other
    column's model default (so a new field with a default needs no change here).
    """
    if not rows:
        return
    fixed = {"created_by_id": user.pk, "updated_by_id": user.pk, "created_at": now, "updated_at": now}
    connection = transaction.get_connection()
    if connection.vendor != "postgresql":
        objects = [Child(**dict(zip(NEW_CHILD_FIELDS, values, strict=True)), **fixed) for values in rows]
        Child.objects.bulk_create(objects, batch_size=BATCH)
        return
    fields = [f for f in Child._meta.concrete_fields if not f.primary_key]
    prototype = Child()
    defaults = {f.attname: f.get_db_prep_save(getattr(prototype, f.attname), connection) for f in fields}
    defaults.update(fixed)
    rest = [f.attname for f in fields if f.attname not in NEW_CHILD_FIELDS]
    columns = [Child._meta.get_field(name).column for name in NEW_CHILD_FIELDS] + [
        Child._meta.get_field(name).column for name in rest
    ]
    tail = tuple(defaults[name] for name in rest)
    statement = "COPY {} ({}) FROM STDIN".format(
        connection.ops.quote_name(Child._meta.db_table),
        ", ".join(connection.ops.quote_name(c) for c in columns),
    )
    with connection.cursor() as cursor, cursor.copy(statement) as copy:
        for values in rows:
            copy.write_row(values + tail)


def _apply_updates(updates: dict[int, dict[str, Any]], user, now) -> None:
    children = Child.objects.in_bulk(list(updates))
    names: set[str] = {"updated_by", "updated_at"}
    for pk, changes in updates.items():
        child = children[pk]
        for attname, value in changes.items():
            setattr(child, attname, value)
            names.add(attname)
        child.name_folded = fold(child.full_name)
        if child.birth_date:
            child.birth_year = child.birth_date.year
        child.updated_by, child.updated_at = user, now
    if "full_name" in names:
        names.add("name_folded")
    if "birth_date" in names:
        names.add("birth_year")
    Child.objects.bulk_update(list(children.values()), sorted(names), batch_size=500)


# --- the error report -------------------------------------------------------------------------


def write_error_report(errors_csv: Path, destination: Path, result: ImportResult) -> None:
    """The full list of refused rows as .xlsx (row, column, value, reason), in the user's language."""
    import xlsxwriter

    destination.parent.mkdir(parents=True, exist_ok=True)
    book = xlsxwriter.Workbook(str(destination), {"constant_memory": True, "strings_to_formulas": False})
    try:
        bold = book.add_format({"bold": True, "bg_color": "#F2F2F2", "border": 1})
        sheet = book.add_worksheet(_("Errors")[:31])
        sheet.write_string(0, 0, _("File: %(name)s") % {"name": result.file_name})
        sheet.write_string(
            1,
            0,
            _("%(errors)s problems in %(rows)s rows read; nothing was imported.")
            % {"errors": result.error_count, "rows": result.rows},
        )
        if result.stopped_at_row is not None:
            sheet.write_string(2, 0, stopped_message(result))
        headers = [_("Row"), _("Column"), _("Value"), _("Reason")]
        for col, text in enumerate(headers):
            sheet.write_string(3, col, text, bold)
        sheet.set_column(0, 0, 8)
        sheet.set_column(1, 1, 24)
        sheet.set_column(2, 2, 28)
        sheet.set_column(3, 3, 90)
        line = 4
        with errors_csv.open(encoding="utf-8", newline="") as fh:
            for row, column, value, reason in csv.reader(fh):
                if line - 4 >= REPORT_MAX_LINES:
                    sheet.write_string(
                        line,
                        0,
                        _("… and %(count)s more problems not listed.")
                        % {"count": result.error_count - REPORT_MAX_LINES},
                    )
                    break
                sheet.write_number(line, 0, int(row))
                sheet.write_string(line, 1, column)
                sheet.write_string(line, 2, value)
                sheet.write_string(line, 3, reason)
                line += 1
    finally:
        book.close()


# --- the template -----------------------------------------------------------------------------


def template_xlsx() -> bytes:
    """The import template as an .xlsx workbook: the children's sheet and a sheet of instructions."""
    import io

    import xlsxwriter

    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True, "strings_to_formulas": False})
    header = book.add_format(
        {"bold": True, "text_wrap": True, "valign": "top", "bg_color": "#DDEBF7", "border": 1}
    )
    required = book.add_format(
        {"bold": True, "text_wrap": True, "valign": "top", "bg_color": "#FCE4D6", "border": 1}
    )
    text = book.add_format({"num_format": "@"})
    sheet = book.add_worksheet(TEMPLATE_SHEET)
    sheet.freeze_panes(1, 0)
    sheet.set_row(0, 32)
    lists = {
        "sex": [w[0] for w in SEX_WORDS.values()],
        "birth_registered": [w[0] for w in BIRTH_REGISTERED_WORDS.values()],
        "health_insurance": [w[0] for w in YES_NO_WORDS.values()],
        "schooling_status": [w[0] for w in SCHOOLING_WORDS.values()],
        "disability_level": [w[0] for w in DISABILITY_LEVEL_WORDS.values()],
    }
    for index, column in enumerate(COLUMNS):
        sheet.write_string(0, index, column.header, required if column.required else header)
        sheet.set_column(index, index, column.width, text if column.text else None)
        sheet.write_comment(0, index, str(column.help), {"x_scale": 2, "y_scale": 1.5})
        if column.key in lists:
            sheet.data_validation(
                1,
                index,
                MAX_ROWS,
                index,
                {
                    "validate": "list",
                    "source": lists[column.key],
                    "ignore_blank": True,
                    "error_type": "warning",
                },
            )
    guide = book.add_worksheet(INSTRUCTIONS_SHEET)
    guide.set_column(0, 0, 28)
    guide.set_column(1, 1, 12)
    guide.set_column(2, 2, 90)
    guide.set_column(3, 3, 22)
    guide.write_string(0, 0, _("One child per row on the sheet “%(sheet)s”.") % {"sheet": TEMPLATE_SHEET})
    guide.write_string(
        1,
        0,
        _(
            "Nothing is imported while any row has a problem: the report lists each one (row, column, "
            "value, reason). Importing the same file again changes nothing."
        ),
    )
    for col, title in enumerate([_("Column"), _("Required"), _("What to write"), _("Example")]):
        guide.write_string(3, col, title, header)
    for row, column in enumerate(COLUMNS, start=4):
        guide.write_string(row, 0, column.header)
        guide.write_string(row, 1, _("yes") if column.required else "")
        guide.write_string(row, 2, str(column.help))
        guide.write_string(row, 3, column.example)
    book.close()
    return buffer.getvalue()


def template_csv() -> bytes:
    """The import template as CSV (UTF-8 with a BOM, so that Excel shows Vietnamese letters)."""
    import io

    buffer = io.StringIO()
    csv.writer(buffer).writerow([c.header for c in COLUMNS])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")

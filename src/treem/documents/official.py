"""Official Vietnamese administrative documents (văn bản hành chính) as ``.docx``.

Describe the document with :class:`OfficialDocument` (plain data), get the bytes of a Word file
laid out as Decree 30/2020/NĐ-CP, Annex I prescribes, with :func:`build_docx`:

* A4 portrait, margins top and bottom 20–25 mm, left 30–35 mm, right 15–20 mm (checked);
* Times New Roman (Unicode), body 13 or 14 pt, black; paragraphs justified, first line indented
  1.27 cm, at least 6 pt between paragraphs, single to 1.5 line spacing;
* the heading table: the issuing agency top left (the parent agency upper case regular, the
  agency upper case bold, a short rule under it), the national name ("CỘNG HÒA XÃ HỘI CHỦ NGHĨA
  VIỆT NAM", bold) and motto ("Độc lập - Tự do - Hạnh phúc", bold, underlined over its own length)
  top right; below them the number and symbol ("Số: 12/KH-UBND") and the place and date in
  italics ("Đà Nẵng, ngày 05 tháng 02 năm 2026": day below 10 and months 1–2 with a leading zero);
* the kind of document upper case bold centred ("KẾ HOẠCH") and the summary (trích yếu) bold
  centred with a short rule under it; a letter (công văn: no ``kind``) puts "V/v …" under its number;
* body blocks (:class:`Paragraph`, :class:`Heading`, :class:`Field`, :class:`Table`,
  :class:`PageBreak`, or a plain ``str``);
* the recipients ("Nơi nhận:" bold italic 12 pt, "- …;" lines in 11 pt, the last ending in ".")
  beside the signature block(s) (authority and position upper case bold, then the signer's name);
* page numbers centred in the header from the second page.

Example — a consolidated report of a plan (any app may build one the same way)::

    import datetime

    from treem.documents.official import (
        Field, Heading, OfficialDocument, Paragraph, Signature, Table, build_docx,
    )

    document = OfficialDocument(
        parent_agency="ỦY BAN NHÂN DÂN THÀNH PHỐ ĐÀ NẴNG",
        agency="SỞ Y TẾ",
        number="125",
        symbol="BC-SYT",
        place="Đà Nẵng",
        issued_on=datetime.date(2026, 11, 28),
        kind="BÁO CÁO",
        title="Kết quả thực hiện Kế hoạch hành động vì trẻ em năm 2026",
        body=(
            Heading("I. KẾT QUẢ THỰC HIỆN"),
            Paragraph("Năm 2026, các cơ quan, đơn vị đã triển khai 42 nhiệm vụ …"),
            Table(
                columns=("STT", "Chỉ tiêu", "Kế hoạch", "Thực hiện"),
                rows=(("1", "Trẻ dưới 5 tuổi được đăng ký khai sinh", "98,5%", "99,1%"),),
                widths=(12, 93, 30, 30),                 # mm; omitted: equal shares
                align=("center", "left", "right", "right"),
            ),
            Heading("II. NHIỆM VỤ NĂM 2027"),
            Field("Người theo dõi", ""),                 # empty: a dotted line to fill by hand
        ),
        recipients=("UBND thành phố (để b/c)", "Các sở, ban, ngành", "Lưu: VT, BVTE"),
        signatures=(Signature(authority="KT. GIÁM ĐỐC", position="PHÓ GIÁM ĐỐC", name="Nguyễn Văn A"),),
    )
    data: bytes = build_docx(document)          # treem.documents.http.docx_response sends it

Everything here is pure Python (no Django): the same description can be built in a background
job. Text is written as given: official wording is the caller's (Vietnamese, whatever the user's
interface language).
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Sequence
from dataclasses import dataclass
from typing import ClassVar, Literal

from docx import Document
from docx.document import Document as DocxDocument
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_CELL_VERTICAL_ALIGNMENT, WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_TAB_ALIGNMENT, WD_TAB_LEADER
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Mm, Pt
from docx.table import Table as DocxTable
from docx.text.paragraph import Paragraph as DocxParagraph

FONT = "Times New Roman"
NATIONAL_NAME = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"
MOTTO = "Độc lập - Tự do - Hạnh phúc"
CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
A4 = (210, 297)  # mm
FIRST_LINE_INDENT = Cm(1.27)
RIGHT_HEADING_WIDTH = 100  # mm: the national name in 12 pt bold fits on one line

Align = Literal["left", "center", "right", "justify"]
_ALIGN = {
    "left": WD_ALIGN_PARAGRAPH.LEFT,
    "center": WD_ALIGN_PARAGRAPH.CENTER,
    "right": WD_ALIGN_PARAGRAPH.RIGHT,
    "justify": WD_ALIGN_PARAGRAPH.JUSTIFY,
}


# --- the description --------------------------------------------------------------------------


@dataclass(frozen=True)
class Margins:
    """Page margins in millimetres, within Decree 30's ranges."""

    top: float = 20
    bottom: float = 20
    left: float = 30
    right: float = 15

    LIMITS: ClassVar[dict[str, tuple[float, float]]] = {
        "top": (20, 25),
        "bottom": (20, 25),
        "left": (30, 35),
        "right": (15, 20),
    }

    def __post_init__(self) -> None:
        for name, (low, high) in self.LIMITS.items():
            value = getattr(self, name)
            if not low <= value <= high:
                raise ValueError(f"The {name} margin of {value} mm is outside Decree 30's {low}–{high} mm.")


@dataclass(frozen=True)
class Text:
    """A run of text with its own emphasis, inside a :class:`Paragraph`."""

    text: str
    bold: bool = False
    italic: bool = False
    underline: bool = False


@dataclass(frozen=True)
class Paragraph:
    """A paragraph of the body: justified with its first line indented unless told otherwise."""

    content: str | Sequence[Text]
    align: Align = "justify"
    indent: bool = True
    bold: bool = False
    italic: bool = False
    size: float | None = None  # pt; the document's size otherwise


@dataclass(frozen=True)
class Heading:
    """A section heading of the body: level 1 "I. …" and 2 "1. …" bold, level 3 "a) …" bold italic."""

    text: str
    level: int = 1


@dataclass(frozen=True)
class Field:
    """A line "Label: value"; an empty value leaves dotted lines to fill in by hand (a printed form)."""

    label: str
    value: str = ""
    blank_lines: int = 1


@dataclass(frozen=True)
class Table:
    """A ruled table with a bold header row repeated on every page."""

    columns: Sequence[str]
    rows: Sequence[Sequence[str]]
    widths: Sequence[float] | None = None  # mm, one per column; equal shares of the text width otherwise
    align: Sequence[Align] | None = None  # per column; left otherwise
    total: bool = False  # the last row is a total line (bold)
    size: float | None = None  # pt; one less than the body otherwise

    def __post_init__(self) -> None:
        n = len(self.columns)
        if n == 0:
            raise ValueError("A table needs at least one column.")
        for number, row in enumerate(self.rows, start=1):
            if len(row) != n:
                raise ValueError(f"Row {number} of the table has {len(row)} cells for {n} columns.")
        for name in ("widths", "align"):
            value = getattr(self, name)
            if value is not None and len(value) != n:
                raise ValueError(f"The table's {name} name {len(value)} columns, not {n}.")


@dataclass(frozen=True)
class PageBreak:
    """Start a new page (an annex, a long table)."""


Block = Paragraph | Heading | Field | Table | PageBreak | str


@dataclass(frozen=True)
class Signature:
    """A signature block: authority ("TM. ỦY BAN NHÂN DÂN", "KT. CHỦ TỊCH"), position, signer."""

    position: str
    name: str = ""
    authority: str = ""
    hint: str = ""  # e.g. "(Ký, ghi rõ họ tên)" on forms


@dataclass(frozen=True)
class OfficialDocument:
    """An administrative document as Decree 30/2020/NĐ-CP lays it out (see the module docstring).

    ``agency`` and ``parent_agency`` may hold several lines ("ỦY BAN NHÂN DÂN\\nPHƯỜNG AN"); they
    are written upper case. ``number`` empty with a ``symbol`` leaves room for the clerk to number
    the signed document ("Số:      /QĐ-UBND"); no ``symbol`` and no ``number``: no number line.
    ``issued_on`` None leaves the date to fill in by hand. ``kind`` empty makes a letter (công
    văn): its ``title`` goes under the number as "V/v …".
    """

    agency: str
    parent_agency: str = ""
    number: str = ""
    symbol: str = ""
    place: str = ""
    issued_on: dt.date | None = None
    kind: str = ""
    title: str = ""
    body: Sequence[Block] = ()
    recipients: Sequence[str] = ()
    signatures: Sequence[Signature] = ()
    form_label: str = ""  # "Mẫu số 01", top right
    draft: bool = False  # "DỰ THẢO", top left
    font_size: float = 14
    line_spacing: float = 1.15
    margins: Margins = Margins()
    author: str = ""  # the file's author property; the agency otherwise

    def __post_init__(self) -> None:
        if not self.agency.strip():
            raise ValueError("An official document names its issuing agency.")
        if not 13 <= self.font_size <= 14:
            raise ValueError("Decree 30 sets the body in 13 or 14 pt.")
        if not 1 <= self.line_spacing <= 1.5:
            raise ValueError("Decree 30 sets the line spacing between single and 1.5 lines.")
        for name in ("body", "recipients", "signatures"):
            object.__setattr__(self, name, tuple(getattr(self, name)))

    @property
    def text_width_mm(self) -> float:
        return A4[0] - self.margins.left - self.margins.right


def date_line(place: str, day: dt.date | None) -> str:
    """The place and date: "Đà Nẵng, ngày 05 tháng 02 năm 2026" (days below 10, months 1–2 take a 0)."""
    prefix = f"{place}, ngày" if place else "Ngày"
    if day is None:
        return f"{prefix} ..... tháng ..... năm ........"
    month = f"{day.month:02d}" if day.month < 3 else str(day.month)
    return f"{prefix} {day.day:02d} tháng {month} năm {day.year}"


def number_line(number: str, symbol: str) -> str:
    """The number line "Số: 12/KH-UBND"; without a number, room for the clerk's ("Số:      /QĐ-UBND")."""
    if not symbol:
        return f"Số: {number}"
    return f"Số: {number}/{symbol}" if number else f"Số:{' ' * 6}/{symbol}"


# --- building ---------------------------------------------------------------------------------


def build_docx(document: OfficialDocument) -> bytes:
    """The ``.docx`` file of ``document``."""
    out = io.BytesIO()
    render(document).save(out)
    return out.getvalue()


def render(document: OfficialDocument) -> DocxDocument:
    """The python-docx Document of ``document``, for callers who add something of their own."""
    return _Builder(document).build()


class _Builder:
    def __init__(self, spec: OfficialDocument):
        self.spec = spec
        self.size = spec.font_size
        self.doc = Document()

    def build(self) -> DocxDocument:
        self._page()
        self._styles()
        self._properties()
        self._top_line()
        self._heading()
        self._title()
        for block in self.spec.body:
            self._block(block)
        self._closing()
        return self.doc

    # page, styles, properties

    def _page(self) -> None:
        section = self.doc.sections[0]
        margins = self.spec.margins
        section.orientation = WD_ORIENT.PORTRAIT
        section.page_width, section.page_height = Mm(A4[0]), Mm(A4[1])
        section.top_margin, section.bottom_margin = Mm(margins.top), Mm(margins.bottom)
        section.left_margin, section.right_margin = Mm(margins.left), Mm(margins.right)
        section.header_distance = section.footer_distance = Mm(10)
        # Page numbers from the second page, centred in the header.
        section.different_first_page_header_footer = True
        paragraph = section.header.paragraphs[0]
        paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
        field = OxmlElement("w:fldSimple")
        field.set(qn("w:instr"), "PAGE")
        run = OxmlElement("w:r")
        text = OxmlElement("w:t")
        text.text = "2"
        run.append(text)
        field.append(run)
        paragraph._p.append(field)
        _run_fonts(run, size=13)

    def _styles(self) -> None:
        for name in ("Normal", "Table Grid", "Header", "Footer"):
            try:
                style = self.doc.styles[name]
            except KeyError:
                continue
            style.font.name = FONT
            style.font.size = Pt(self.size)
            r_fonts = style.element.get_or_add_rPr().get_or_add_rFonts()
            for attribute in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
                r_fonts.set(qn(attribute), FONT)
            r_pr = style.element.get_or_add_rPr()
            lang = r_pr.find(qn("w:lang"))
            if lang is None:
                lang = OxmlElement("w:lang")
                r_pr.append(lang)
            lang.set(qn("w:val"), "vi-VN")
        normal = self.doc.styles["Normal"].paragraph_format
        normal.space_before = normal.space_after = Pt(0)
        normal.line_spacing = 1.0

    def _properties(self) -> None:
        spec, core = self.spec, self.doc.core_properties
        core.author = core.last_modified_by = spec.author or " ".join(spec.agency.split())
        core.title = " ".join(f"{spec.kind} {spec.title}".split())
        core.subject = core.keywords = core.comments = core.category = ""
        core.revision = 1
        now = dt.datetime.now(dt.UTC).replace(microsecond=0)
        core.created = core.modified = now

    # heading

    def _top_line(self) -> None:
        """The draft mark ("DỰ THẢO") top left and the form's label ("Mẫu số 01") top right."""
        spec = self.spec
        if not (spec.draft or spec.form_label):
            return
        paragraph = self.doc.add_paragraph()
        paragraph.paragraph_format.tab_stops.add_tab_stop(Mm(spec.text_width_mm), WD_TAB_ALIGNMENT.RIGHT)
        if spec.draft:
            _add_run(paragraph, "DỰ THẢO", size=12, bold=True)
        if spec.form_label:
            _add_run(paragraph, f"\t{spec.form_label}", size=12, bold=True)

    def _heading(self) -> None:
        spec = self.spec
        right_width = RIGHT_HEADING_WIDTH
        left_width = spec.text_width_mm - right_width
        table = self._layout_table(rows=2, widths=(left_width, right_width))
        left, right = table.cell(0, 0), table.cell(0, 1)

        first = True
        for line in _lines(spec.parent_agency):
            _cell_paragraph(left, line.upper(), first=first, size=13)
            first = False
        agency_lines = _lines(spec.agency)
        for line in agency_lines:
            _cell_paragraph(left, line.upper(), first=first, size=13, bold=True)
            first = False
        longest = max(len(line) for line in agency_lines)
        _rule(left, left_width, _text_mm(longest, 13, caps=True) * 0.45)

        _cell_paragraph(right, NATIONAL_NAME, first=True, size=12, bold=True)
        _cell_paragraph(right, MOTTO, size=13, bold=True, underline=True)

        number_cell, date_cell = table.cell(1, 0), table.cell(1, 1)
        first = True
        if spec.number or spec.symbol:
            _cell_paragraph(number_cell, number_line(spec.number, spec.symbol), first=True, size=13)
            number_cell.paragraphs[0].paragraph_format.space_before = Pt(6)
            first = False
        if not spec.kind and spec.title:
            for line in _lines(f"V/v {spec.title}"):
                _cell_paragraph(number_cell, line, first=first, size=12)
                first = False
        if spec.place or spec.issued_on or spec.kind:
            _cell_paragraph(
                date_cell, date_line(spec.place, spec.issued_on), first=True, size=13, italic=True
            )
            date_cell.paragraphs[0].paragraph_format.space_before = Pt(6)

    def _title(self) -> None:
        spec = self.spec
        if not spec.kind:
            return
        kind = self.doc.add_paragraph()
        kind.alignment = WD_ALIGN_PARAGRAPH.CENTER
        kind.paragraph_format.space_before = Pt(18)
        kind.paragraph_format.keep_with_next = True
        _add_run(kind, spec.kind.upper(), size=self.size, bold=True)
        longest = len(spec.kind)
        for line in _lines(spec.title):
            paragraph = self.doc.add_paragraph()
            paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
            paragraph.paragraph_format.keep_with_next = True
            _add_run(paragraph, line, size=self.size, bold=True)
            longest = max(longest, len(line))
        width = min(_text_mm(longest, self.size), self.spec.text_width_mm)
        rule = self.doc.add_paragraph()
        _rule_paragraph(rule, self.spec.text_width_mm, max(width * 0.4, 25))
        rule.paragraph_format.space_after = Pt(12)

    # body

    def _block(self, block: Block) -> None:
        if isinstance(block, str):
            block = Paragraph(block)
        if isinstance(block, Paragraph):
            self._paragraph(block)
        elif isinstance(block, Heading):
            self._heading_block(block)
        elif isinstance(block, Field):
            self._field(block)
        elif isinstance(block, Table):
            self._table(block)
        elif isinstance(block, PageBreak):
            self.doc.add_page_break()
        else:
            raise TypeError(f"Not a block of an official document: {block!r}")

    def _body_paragraph(self, *, align: Align = "justify", indent: bool = True) -> DocxParagraph:
        paragraph = self.doc.add_paragraph()
        paragraph.alignment = _ALIGN[align]
        fmt = paragraph.paragraph_format
        fmt.space_after = Pt(6)
        fmt.line_spacing = self.spec.line_spacing
        if indent:
            fmt.first_line_indent = FIRST_LINE_INDENT
        return paragraph

    def _paragraph(self, block: Paragraph) -> None:
        size = block.size or self.size
        if isinstance(block.content, str):
            for line in block.content.splitlines() or [""]:
                paragraph = self._body_paragraph(align=block.align, indent=block.indent)
                _add_run(paragraph, line, size=size, bold=block.bold, italic=block.italic)
            return
        paragraph = self._body_paragraph(align=block.align, indent=block.indent)
        for part in block.content:
            _add_run(
                paragraph,
                part.text,
                size=size,
                bold=block.bold or part.bold,
                italic=block.italic or part.italic,
                underline=part.underline,
            )

    def _heading_block(self, block: Heading) -> None:
        paragraph = self._body_paragraph()
        paragraph.paragraph_format.space_before = Pt(6)
        paragraph.paragraph_format.keep_with_next = True
        _add_run(paragraph, block.text, size=self.size, bold=True, italic=block.level >= 3)

    def _dotted(self, paragraph: DocxParagraph) -> None:
        paragraph.paragraph_format.tab_stops.add_tab_stop(
            Mm(self.spec.text_width_mm) - Pt(1), WD_TAB_ALIGNMENT.RIGHT, WD_TAB_LEADER.DOTS
        )

    def _field(self, block: Field) -> None:
        lines = block.value.splitlines() if block.value.strip() else []
        paragraph = self._body_paragraph()
        _add_run(paragraph, f"{block.label}:", size=self.size)
        if lines:
            _add_run(paragraph, f" {lines[0]}", size=self.size)
            for line in lines[1:]:
                paragraph = self._body_paragraph()
                _add_run(paragraph, line, size=self.size)
            return
        # Nothing recorded: dotted lines to the right margin, to fill in by hand.
        self._dotted(paragraph)
        _add_run(paragraph, "\t", size=self.size)
        for _ in range(max(block.blank_lines, 1) - 1):
            paragraph = self._body_paragraph(indent=False)
            self._dotted(paragraph)
            _add_run(paragraph, "\t", size=self.size)

    def _table(self, block: Table) -> None:
        n = len(block.columns)
        total_width = self.spec.text_width_mm
        widths = tuple(block.widths) if block.widths else (total_width / n,) * n
        aligns = tuple(block.align) if block.align else ("left",) * n
        size = block.size or self.size - 1
        table = self.doc.add_table(rows=1 + len(block.rows), cols=n)
        table.style = self.doc.styles["Table Grid"]
        table.alignment = WD_TABLE_ALIGNMENT.CENTER
        table.autofit = False
        _column_widths(table, widths)
        header = table.rows[0]
        _repeat_header(header)
        for i, title in enumerate(block.columns):
            cell = header.cells[i]
            cell.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.CENTER
            _cell_text(cell, str(title), size=size, bold=True, align="center")
        last = len(block.rows)
        for r, row in enumerate(block.rows, start=1):
            for i, value in enumerate(row):
                _cell_text(
                    table.rows[r].cells[i],
                    "" if value is None else str(value),
                    size=size,
                    bold=block.total and r == last,
                    align=aligns[i],
                )
        # Some space after the table before the next paragraph.
        self.doc.add_paragraph().paragraph_format.space_after = Pt(3)

    # recipients and signatures

    def _closing(self) -> None:
        spec = self.spec
        if not (spec.recipients or spec.signatures):
            return
        total = spec.text_width_mm
        signatures = list(spec.signatures)
        if spec.recipients:
            sign_width = (total * 0.55) / max(len(signatures), 1)
            widths = (total - sign_width * len(signatures), *(sign_width,) * len(signatures))
        elif len(signatures) == 1:
            widths = (total * 0.45, total * 0.55)  # one signer signs on the right
        else:
            widths = (total / len(signatures),) * len(signatures)
        self.doc.add_paragraph().paragraph_format.space_before = Pt(6)
        table = self._layout_table(rows=1, widths=widths)
        cells = list(table.rows[0].cells)
        if spec.recipients:
            self._recipients(cells.pop(0))
        elif len(cells) > len(signatures):
            cells.pop(0)
        for cell, signature in zip(cells, signatures, strict=True):
            self._signature(cell, signature)

    def _recipients(self, cell) -> None:
        _cell_paragraph(cell, "Nơi nhận:", first=True, size=12, bold=True, italic=True, align="left")
        items = [item.strip().rstrip(";.").strip() for item in self.spec.recipients if item.strip()]
        for i, item in enumerate(items):
            end = "." if i == len(items) - 1 else ";"
            _cell_paragraph(cell, f"- {item}{end}", size=11, align="left")

    def _signature(self, cell, signature: Signature) -> None:
        first = True
        for line in (*_lines(signature.authority), *_lines(signature.position)):
            _cell_paragraph(cell, line.upper(), first=first, size=self.size, bold=True)
            first = False
        if signature.hint:
            _cell_paragraph(cell, signature.hint, first=first, size=12, italic=True)
        # Room for the signature and the seal.
        for _ in range(4):
            _cell_paragraph(cell, "", size=self.size)
        if signature.name:
            _cell_paragraph(cell, signature.name, size=self.size, bold=True)

    # helpers

    def _layout_table(self, *, rows: int, widths: Sequence[float]) -> DocxTable:
        """A table without borders that places blocks side by side (heading, signatures)."""
        table = self.doc.add_table(rows=rows, cols=len(widths))
        table.alignment = WD_TABLE_ALIGNMENT.CENTER
        table.autofit = False
        _column_widths(table, widths)
        return table


# --- low-level helpers ------------------------------------------------------------------------


def _lines(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip()]


def _text_mm(chars: int, size: float, *, caps: bool = False) -> float:
    """A rough width of ``chars`` characters of Times New Roman (for the length of rules)."""
    em = 0.68 if caps else 0.48
    return chars * em * size * 25.4 / 72


def _run_fonts(run_element, *, size: float) -> None:
    r_pr = run_element.find(qn("w:rPr"))
    if r_pr is None:
        r_pr = OxmlElement("w:rPr")
        run_element.insert(0, r_pr)
    fonts = OxmlElement("w:rFonts")
    for attribute in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
        fonts.set(qn(attribute), FONT)
    r_pr.append(fonts)
    sz = OxmlElement("w:sz")
    sz.set(qn("w:val"), str(int(size * 2)))
    r_pr.append(sz)


def _add_run(
    paragraph: DocxParagraph,
    text: str,
    *,
    size: float,
    bold: bool = False,
    italic: bool = False,
    underline: bool = False,
):
    run = paragraph.add_run(text)
    font = run.font
    font.name = FONT
    font.size = Pt(size)
    font.bold = bold or None
    font.italic = italic or None
    font.underline = underline or None
    run._r.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), FONT)
    return run


def _cell_paragraph(
    cell,
    text: str,
    *,
    first: bool = False,
    size: float,
    bold: bool = False,
    italic: bool = False,
    underline: bool = False,
    align: Align = "center",
) -> DocxParagraph:
    paragraph = cell.paragraphs[0] if first else cell.add_paragraph()
    paragraph.alignment = _ALIGN[align]
    if text:
        _add_run(paragraph, text, size=size, bold=bold, italic=italic, underline=underline)
    else:
        _mark_size(paragraph, size)
    return paragraph


def _cell_text(cell, text: str, *, size: float, bold: bool = False, align: Align = "left") -> None:
    for i, line in enumerate(text.splitlines() or [""]):
        paragraph = _cell_paragraph(cell, line, first=i == 0, size=size, bold=bold, align=align)
        paragraph.paragraph_format.space_before = paragraph.paragraph_format.space_after = Pt(2)


def _mark_size(paragraph: DocxParagraph, size: float) -> None:
    """The size of an empty paragraph's mark (its line height)."""
    p_pr = paragraph._p.get_or_add_pPr()
    r_pr = p_pr.find(qn("w:rPr"))
    if r_pr is None:
        r_pr = OxmlElement("w:rPr")
        p_pr.append(r_pr)
    sz = OxmlElement("w:sz")
    sz.set(qn("w:val"), str(max(int(size * 2), 2)))
    r_pr.append(sz)


def _rule_paragraph(paragraph: DocxParagraph, container_mm: float, length_mm: float) -> None:
    """Make ``paragraph`` a centred horizontal rule ``length_mm`` long (a bottom border between
    indents): Decree 30's lines under the agency's name and under the summary."""
    length_mm = max(min(length_mm, container_mm - 4), 10)
    side = (container_mm - length_mm) / 2
    fmt = paragraph.paragraph_format
    fmt.left_indent = fmt.right_indent = Mm(side)
    fmt.space_before, fmt.space_after = Pt(3), Pt(0)  # clear of the descenders above
    _mark_size(paragraph, 1)
    p_pr = paragraph._p.get_or_add_pPr()
    borders = OxmlElement("w:pBdr")
    bottom = OxmlElement("w:bottom")
    bottom.set(qn("w:val"), "single")
    bottom.set(qn("w:sz"), "6")
    bottom.set(qn("w:space"), "1")
    bottom.set(qn("w:color"), "000000")
    borders.append(bottom)
    # pBdr must come before spacing/ind/jc/rPr in pPr (the schema's order).
    anchor = None
    for tag in ("w:shd", "w:tabs", "w:suppressAutoHyphens", "w:spacing", "w:ind", "w:jc", "w:rPr"):
        anchor = p_pr.find(qn(tag))
        if anchor is not None:
            break
    if anchor is not None:
        anchor.addprevious(borders)
    else:
        p_pr.append(borders)


def _rule(cell, cell_mm: float, length_mm: float) -> None:
    # The cell's own left and right padding (1.9 mm each) narrow the paragraph's width.
    _rule_paragraph(cell.add_paragraph(), cell_mm - 3.8, length_mm)


def _column_widths(table: DocxTable, widths: Sequence[float]) -> None:
    for i, width in enumerate(widths):
        table.columns[i].width = Mm(width)
        for cell in table.columns[i].cells:
            cell.width = Mm(width)


def _repeat_header(row) -> None:
    tr_pr = row._tr.get_or_add_trPr()
    header = OxmlElement("w:tblHeader")
    header.set(qn("w:val"), "true")
    tr_pr.append(header)


# --- reading back -----------------------------------------------------------------------------


def plain_text(data: bytes) -> str:
    """The text of a ``.docx`` in reading order, paragraphs and table cells one per line (for
    tests and previews)."""
    document = Document(io.BytesIO(data))
    lines: list[str] = []
    for element in document.element.body.iterchildren():
        if element.tag == qn("w:p"):
            lines.append(DocxParagraph(element, document).text)
        elif element.tag == qn("w:tbl"):
            for row in DocxTable(element, document).rows:
                seen = set()
                for cell in row.cells:
                    if id(cell._tc) in seen:
                        continue
                    seen.add(id(cell._tc))
                    lines.extend(p.text for p in cell.paragraphs)
    return "\n".join(lines)


__all__ = [
    "CONTENT_TYPE",
    "MOTTO",
    "NATIONAL_NAME",
    "Field",
    "Heading",
    "Margins",
    "OfficialDocument",
    "PageBreak",
    "Paragraph",
    "Signature",
    "Table",
    "Text",
    "build_docx",
    "date_line",
    "number_line",
    "plain_text",
    "render",
]

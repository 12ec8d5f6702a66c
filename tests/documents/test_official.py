"""The official document builder: read back with python-docx, checked against Decree 30's layout."""

from __future__ import annotations

import datetime as dt
import io
import textwrap

import pytest
from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_TAB_LEADER
from docx.oxml.ns import qn
from docx.shared import Mm, Pt

from treem.documents import official
from treem.documents.official import (
    MOTTO,
    NATIONAL_NAME,
    Field,
    Heading,
    Margins,
    OfficialDocument,
    PageBreak,
    Paragraph,
    Signature,
    Table,
    Text,
    build_docx,
    date_line,
    number_line,
    plain_text,
)


def plan_document(**overrides) -> OfficialDocument:
    data = {
        "parent_agency": "Ủy ban nhân dân thành phố Đà Nẵng",
        "agency": "Sở Y tế",
        "number": "125",
        "symbol": "KH-SYT",
        "place": "Đà Nẵng",
        "issued_on": dt.date(2026, 11, 28),
        "kind": "Kế hoạch",
        "title": "Thực hiện Chương trình hành động vì trẻ em năm 2027",
        "body": (
            Heading("I. MỤC ĐÍCH, YÊU CẦU"),
            "Bảo đảm mọi trẻ em được bảo vệ, chăm sóc.",
            Paragraph((Text("Nhấn mạnh: ", bold=True), Text("không bỏ sót trẻ em nào", italic=True))),
            Table(
                columns=("STT", "Chỉ tiêu", "Năm 2027"),
                rows=(("1", "Trẻ dưới 5 tuổi được đăng ký khai sinh", "99,1%"), ("", "Tổng", "1")),
                widths=(15, 110, 40),
                align=("center", "left", "right"),
                total=True,
            ),
            Field("Người theo dõi"),
            Field("Đầu mối", "Phòng Bảo trợ xã hội\nđiện thoại 0236 3822"),
        ),
        "recipients": ("UBND thành phố (để b/c);", "Các sở, ngành", "Lưu: VT, BTXH."),
        "signatures": (Signature(authority="KT. Giám đốc", position="Phó Giám đốc", name="Nguyễn Văn A"),),
    }
    data.update(overrides)
    return OfficialDocument(**data)


def read(document: OfficialDocument):
    return Document(io.BytesIO(build_docx(document)))


def runs(paragraphs):
    return [run for p in paragraphs for run in p.runs if run.text.strip()]


def test_national_heading_and_agency_top_of_the_first_page():
    doc = read(plan_document())
    heading = doc.tables[0]
    agency, national = heading.cell(0, 0), heading.cell(0, 1)
    assert [p.text for p in national.paragraphs] == [NATIONAL_NAME, MOTTO]
    name_run, motto_run = national.paragraphs[0].runs[0], national.paragraphs[1].runs[0]
    assert name_run.bold and name_run.font.size == Pt(12)
    assert motto_run.bold and motto_run.underline  # the line under the motto, as long as it
    assert motto_run.font.size == Pt(13)
    # Parent agency upper case regular, the agency upper case bold, a short rule under it.
    texts = [p.text for p in agency.paragraphs]
    assert texts[:2] == ["ỦY BAN NHÂN DÂN THÀNH PHỐ ĐÀ NẴNG", "SỞ Y TẾ"]
    assert not agency.paragraphs[0].runs[0].bold
    assert agency.paragraphs[1].runs[0].bold
    rule = agency.paragraphs[2]
    assert rule.text == ""
    assert rule._p.pPr.find(qn("w:pBdr")).find(qn("w:bottom")) is not None
    assert rule.paragraph_format.left_indent > Mm(5)  # shorter than the column: centred
    # Number and symbol under the agency; place and date in italics under the motto.
    assert heading.cell(1, 0).text == "Số: 125/KH-SYT"
    date = heading.cell(1, 1).paragraphs[0]
    assert date.text == "Đà Nẵng, ngày 28 tháng 11 năm 2026"
    assert date.runs[0].italic
    assert date.alignment == WD_ALIGN_PARAGRAPH.CENTER


def test_kind_and_title_centred_bold_then_the_body():
    doc = read(plan_document())
    paragraphs = [p for p in doc.paragraphs if p.text.strip()]
    kind, title = paragraphs[0], paragraphs[1]
    assert kind.text == "KẾ HOẠCH" and title.text == "Thực hiện Chương trình hành động vì trẻ em năm 2027"
    for p in (kind, title):
        assert p.alignment == WD_ALIGN_PARAGRAPH.CENTER
        assert all(r.bold for r in p.runs)
    body = paragraphs[2:]
    assert body[0].text == "I. MỤC ĐÍCH, YÊU CẦU" and body[0].runs[0].bold
    assert body[1].text == "Bảo đảm mọi trẻ em được bảo vệ, chăm sóc."
    assert body[1].alignment == WD_ALIGN_PARAGRAPH.JUSTIFY
    assert body[1].paragraph_format.first_line_indent is not None
    assert body[1].paragraph_format.space_after >= Pt(6)
    emphasised = body[2].runs
    assert emphasised[0].bold and not emphasised[1].bold and emphasised[1].italic


def test_table_contents_header_and_total():
    doc = read(plan_document())
    table = doc.tables[1]
    cells = [[c.text for c in row.cells] for row in table.rows]
    assert cells == [
        ["STT", "Chỉ tiêu", "Năm 2027"],
        ["1", "Trẻ dưới 5 tuổi được đăng ký khai sinh", "99,1%"],
        ["", "Tổng", "1"],
    ]
    assert table.rows[0]._tr.trPr.find(qn("w:tblHeader")) is not None  # repeated on each page
    assert all(c.paragraphs[0].runs[0].bold for c in table.rows[0].cells)
    assert table.rows[2].cells[1].paragraphs[0].runs[0].bold  # the total line
    assert not table.rows[1].cells[1].paragraphs[0].runs[0].bold
    assert table.rows[1].cells[2].paragraphs[0].alignment == WD_ALIGN_PARAGRAPH.RIGHT
    assert [round(c.width.mm) for c in table.columns] == [15, 110, 40]
    assert table.style.name == "Table Grid"


def test_fields_fill_in_or_leave_dotted_lines():
    doc = read(plan_document())
    texts = [p.text for p in doc.paragraphs]
    blank = next(p for p in doc.paragraphs if p.text.startswith("Người theo dõi:"))
    assert blank.text == "Người theo dõi:\t"
    assert blank.paragraph_format.tab_stops[0].leader == WD_TAB_LEADER.DOTS
    assert "Đầu mối: Phòng Bảo trợ xã hội" in texts
    assert "điện thoại 0236 3822" in texts  # a value's second line is its own paragraph


def test_recipients_and_signature():
    doc = read(plan_document())
    closing = doc.tables[-1]
    recipients, signature = closing.cell(0, 0), closing.cell(0, 1)
    lines = [p.text for p in recipients.paragraphs]
    assert lines == ["Nơi nhận:", "- UBND thành phố (để b/c);", "- Các sở, ngành;", "- Lưu: VT, BTXH."]
    label = recipients.paragraphs[0].runs[0]
    assert label.bold and label.italic and label.font.size == Pt(12)
    assert recipients.paragraphs[1].runs[0].font.size == Pt(11)
    signed = [p.text for p in signature.paragraphs if p.text]
    assert signed == ["KT. GIÁM ĐỐC", "PHÓ GIÁM ĐỐC", "Nguyễn Văn A"]
    assert all(p.runs[0].bold for p in signature.paragraphs if p.text)


def test_a4_with_decree_30_margins_and_times_new_roman():
    doc = read(plan_document())
    section = doc.sections[0]
    assert (round(section.page_width.mm), round(section.page_height.mm)) == (210, 297)
    assert [round(m.mm) for m in (section.top_margin, section.bottom_margin)] == [20, 20]
    assert [round(m.mm) for m in (section.left_margin, section.right_margin)] == [30, 15]
    normal = doc.styles["Normal"]
    assert normal.font.name == "Times New Roman" and normal.font.size == Pt(14)
    assert normal.element.rPr.rFonts.get(qn("w:eastAsia")) == "Times New Roman"
    every_run = runs(doc.paragraphs) + [
        r for t in doc.tables for row in t.rows for c in row.cells for r in runs(c.paragraphs)
    ]
    assert every_run
    assert {r.font.name for r in every_run} == {"Times New Roman"}
    assert {r.font.size.pt for r in every_run} <= {11, 12, 13, 14}
    body = next(p for p in doc.paragraphs if p.text.startswith("Bảo đảm"))
    assert body.runs[0].font.size == Pt(14)


def test_other_margins_within_the_ranges_and_13_pt():
    doc = read(plan_document(margins=Margins(top=25, bottom=25, left=35, right=20), font_size=13))
    section = doc.sections[0]
    assert [round(m.mm) for m in (section.top_margin, section.left_margin, section.right_margin)] == [
        25,
        35,
        20,
    ]
    assert doc.styles["Normal"].font.size == Pt(13)
    # The heading spans the text width (210 - 35 - 20 mm).
    assert round(sum(c.width.mm for c in doc.tables[0].columns)) == 155


@pytest.mark.parametrize(
    ("margins", "message"),
    [
        ({"left": 25}, "left margin of 25 mm"),
        ({"top": 30}, "top margin of 30 mm"),
        ({"right": 10}, "right margin of 10 mm"),
        ({"bottom": 19}, "bottom margin of 19 mm"),
    ],
)
def test_margins_outside_decree_30_are_refused(margins, message):
    with pytest.raises(ValueError, match=message):
        Margins(**margins)


def test_bad_descriptions_are_refused():
    with pytest.raises(ValueError, match="13 or 14 pt"):
        plan_document(font_size=12)
    with pytest.raises(ValueError, match="issuing agency"):
        plan_document(agency=" ")
    with pytest.raises(ValueError, match="Row 2 of the table has 1 cells for 2 columns"):
        Table(columns=("A", "B"), rows=(("1", "2"), ("3",)))
    with pytest.raises(ValueError, match="widths"):
        Table(columns=("A", "B"), rows=(), widths=(10,))
    with pytest.raises(TypeError):
        build_docx(plan_document(body=(42,)))


def test_page_numbers_from_the_second_page():
    doc = read(plan_document(body=("Trang một.", PageBreak(), "Trang hai.")))
    section = doc.sections[0]
    assert section.different_first_page_header_footer
    field = section.header.paragraphs[0]._p.find(qn("w:fldSimple"))
    assert field.get(qn("w:instr")) == "PAGE"
    assert section.first_page_header.paragraphs[0].text == ""
    assert "Trang hai." in plain_text(
        build_docx(plan_document(body=("Trang một.", PageBreak(), "Trang hai.")))
    )


def test_a_letter_puts_its_summary_under_the_number():
    doc = read(plan_document(kind="", symbol="SYT-BTXH", title="Góp ý dự thảo kế hoạch năm 2027"))
    number = [p.text for p in doc.tables[0].cell(1, 0).paragraphs]
    assert number == ["Số: 125/SYT-BTXH", "V/v Góp ý dự thảo kế hoạch năm 2027"]
    assert "KẾ HOẠCH" not in plain_text(build_docx(plan_document(kind="", title="Góp ý")))


def test_draft_form_label_and_a_number_left_for_the_clerk():
    document = plan_document(number="", symbol="QĐ-UBND", draft=True, form_label="Mẫu số 05", issued_on=None)
    doc = read(document)
    top = doc.paragraphs[0]
    assert top.text == "DỰ THẢO\tMẫu số 05"
    assert doc.tables[0].cell(1, 0).text == "Số:      /QĐ-UBND"
    assert doc.tables[0].cell(1, 1).text == "Đà Nẵng, ngày ..... tháng ..... năm ........"


def test_one_signer_signs_on_the_right():
    doc = read(plan_document(recipients=(), signatures=(Signature("Người lập", name="Lê Văn B"),)))
    closing = doc.tables[-1]
    assert closing.cell(0, 0).text == ""
    assert "NGƯỜI LẬP" in closing.cell(0, 1).text and "Lê Văn B" in closing.cell(0, 1).text


def test_file_properties_name_the_agency_not_the_library():
    doc = read(plan_document())
    assert doc.core_properties.author == "Sở Y tế"
    assert doc.core_properties.title == "Kế hoạch Thực hiện Chương trình hành động vì trẻ em năm 2027"


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        (dt.date(2026, 2, 5), "Đà Nẵng, ngày 05 tháng 02 năm 2026"),
        (dt.date(2026, 1, 31), "Đà Nẵng, ngày 31 tháng 01 năm 2026"),
        (dt.date(2026, 3, 1), "Đà Nẵng, ngày 01 tháng 3 năm 2026"),
        (dt.date(2026, 11, 28), "Đà Nẵng, ngày 28 tháng 11 năm 2026"),
        (None, "Đà Nẵng, ngày ..... tháng ..... năm ........"),
    ],
)
def test_date_line(day, expected):
    assert date_line("Đà Nẵng", day) == expected


def test_number_line():
    assert number_line("12", "KH-UBND") == "Số: 12/KH-UBND"
    assert number_line("", "QĐ-UBND") == "Số:      /QĐ-UBND"
    assert number_line("7", "") == "Số: 7"


def test_plain_text_reads_in_order():
    text = plain_text(build_docx(plan_document()))
    order = [NATIONAL_NAME, "Số: 125/KH-SYT", "KẾ HOẠCH", "I. MỤC ĐÍCH", "99,1%", "Nơi nhận:", "Nguyễn Văn A"]
    positions = [text.index(s) for s in order]
    assert positions == sorted(positions)


def test_the_module_docstring_example_builds():
    """The example other apps copy (a consolidated report) stays true."""
    doc = official.__doc__
    code = textwrap.dedent(doc.split("::", 1)[1].split("\nEverything here", 1)[0])
    namespace: dict = {}
    exec(code, namespace)  # our own docstring
    text = plain_text(namespace["data"])
    assert "BÁO CÁO" in text and "Kết quả thực hiện Kế hoạch hành động vì trẻ em năm 2026" in text
    assert "Số: 125/BC-SYT" in text and "99,1%" in text and "- Lưu: VT, BVTE." in text

"""The consolidated report as an official document (Decree 30/2020 layout, ``documents.official``).

The wording is Vietnamese whatever the user's interface language: it is an administrative document
sent to the province and the ministry. The body follows the usual outline of a báo cáo kết quả:
I. results (overview and the task table; the indicators against targets; every solution area of
the plan, II.1–II.8, with the agencies' accepted reports and the figures treem holds for it
(``figures.py``); the results by lead agency), II. the coordinator's general assessment,
III. difficulties, IV. proposals (the coordinator's, then the agencies'), V. directions for the
next period.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from treem.core.text import fold
from treem.documents.official import (
    Heading,
    OfficialDocument,
    Paragraph,
    Signature,
    Table,
    build_docx,
)
from treem.plans.models import PeriodKind, Recurrence, TaskStatus
from treem.reporting.figures import FigureTable, figure_tables, vn_number
from treem.reporting.selectors import ReportData, reported_task_id

COMMITTEE = "committee"
DEPARTMENT = "department"

ROMAN_QUARTERS = {1: "I", 2: "II", 3: "III", 4: "IV"}
STATUS_VI = {
    TaskStatus.NOT_STARTED: "Chưa triển khai",
    TaskStatus.IN_PROGRESS: "Đang thực hiện",
    TaskStatus.DONE: "Hoàn thành",
    TaskStatus.LATE: "Chậm tiến độ",
    TaskStatus.CANCELLED: "Dừng thực hiện",
}
RECURRENCE_VI = {
    Recurrence.NONE: "Theo thời hạn",
    Recurrence.ANNUAL: "Hằng năm",
    Recurrence.SEMIANNUAL: "6 tháng/lần",
    Recurrence.QUARTERLY: "Hằng quý",
}
LIGHT_VI = {"green": "Đạt", "amber": "Gần đạt", "red": "Chưa đạt", "": ""}
TASK_COLUMNS = (
    "STT",
    "Mã",
    "Nội dung nhiệm vụ",
    "Cơ quan chủ trì",
    "Cơ quan phối hợp",
    "Thời hạn",
    "Tình trạng",
)
INDICATOR_COLUMNS = (
    "STT",
    "Chỉ tiêu",
    "Đơn vị tính",
    "Kế hoạch",
    "Thực hiện",
    "So với kế hoạch",
    "Đánh giá",
)
AGENCY_COLUMNS = (
    "STT",
    "Cơ quan chủ trì",
    "Số nhiệm vụ",
    "Hoàn thành",
    "Đang thực hiện",
    "Chậm tiến độ",
    "Chưa triển khai",
    "Báo cáo phải gửi",
    "Đã gửi",
    "Được chấp nhận",
)


@dataclass(frozen=True)
class Issuer:
    """Who issues the report: the People's Committee of the plan's unit, or the lead department."""

    kind: str = COMMITTEE
    agency_name: str = ""  # the department's name when ``kind`` is DEPARTMENT
    number: str = ""  # empty: the clerk numbers the signed report
    signer: str = ""  # the signer's name; empty: signed by hand


def unit_label(unit) -> str:
    """ "Thành phố Đà Nẵng": the unit's name with its kind in front when the name lacks it."""
    name, kind = unit.name.strip(), (unit.kind or "").strip()
    if kind and not fold(name).startswith(fold(kind)):
        return f"{kind} {name}"
    return name


def place_name(unit) -> str:
    """The place of the date line: the unit's name without its kind ("Đà Nẵng")."""
    name, kind = unit.name.strip(), (unit.kind or "").strip()
    if kind and fold(name).startswith(fold(kind) + " "):
        return name[len(kind) :].strip()
    return name


def period_phrase(period) -> str:
    """ "năm 2026", "quý I năm 2026", "6 tháng đầu năm 2026", "sơ kết năm 2026"."""
    year = period.year
    if period.kind == PeriodKind.QUARTER:
        return f"quý {ROMAN_QUARTERS.get(period.number, period.number)} năm {year}"
    if period.kind == PeriodKind.HALF_YEAR:
        return f"6 tháng {'đầu' if period.number == 1 else 'cuối'} năm {year}"
    if period.kind == PeriodKind.PRELIMINARY:
        return f"(sơ kết) năm {year}"
    if period.kind == PeriodKind.FINAL:
        return f"(tổng kết) năm {year}"
    return f"năm {year}"


def plan_reference(plan) -> str:
    """ "Kế hoạch số 7947/KH-UBND ngày 17/10/2024"."""
    text = f"Kế hoạch số {plan.number}" if plan.number else "Kế hoạch"
    if plan.issued_on:
        text += f" ngày {plan.issued_on:%d/%m/%Y}"
    return text


def symbol_of(issuer: Issuer) -> str:
    if issuer.kind == DEPARTMENT and issuer.agency_name:
        initials = "".join(word[0] for word in fold(issuer.agency_name).split() if word[0].isalnum())
        return f"BC-{initials.upper()}"
    return "BC-UBND"


def timing(task) -> str:
    """The deadline (dd/mm/yyyy) or, without one, the recurrence, in Vietnamese."""
    if task.deadline:
        return task.deadline.strftime("%d/%m/%Y")
    return RECURRENCE_VI.get(task.recurrence, "")


def task_rows(data: ReportData) -> list[tuple[str, ...]]:
    return [
        (
            str(number),
            row.code,
            row.content,
            row.lead_agency,
            ", ".join(row.cooperating_agencies),
            timing(row.task),
            STATUS_VI.get(row.status, row.status_label),
        )
        for number, row in enumerate(data.tasks, start=1)
    ]


def indicator_value(row, value) -> str:
    if value is None:
        return ""
    text = vn_number(value)
    return f"{text}%" if row.indicator.kind == "percentage" else text


def against_target(row) -> str:
    """How the figure stands against the target, the right way round.

    Higher is better: the share of the target reached ("96,6%"). Lower is better (cases, deaths,
    the share of abused children): a share of the target says nothing ("0%" would read as a
    failure), so the text says whether the figure stayed within the target and by how much.
    """
    actual, target = row.actual, row.target
    if actual is None or target is None:
        return ""
    if row.indicator.higher_is_better:
        return vn_number(actual * 100 / target, places=1) + "%" if target else ""
    if actual <= target:
        if not target:
            return "Đạt (không để xảy ra)"
        return f"Trong mức kế hoạch (thấp hơn {vn_number((target - actual) * 100 / target, places=1)}%)"
    if not target:
        return "Vượt mức kế hoạch"
    return f"Vượt mức kế hoạch {vn_number((actual - target) * 100 / target, places=1)}%"


def indicator_name(row) -> str:
    """The indicator's name, never its internal code; the direction when lower is better."""
    name = row.indicator.name.strip()
    return name if row.indicator.higher_is_better else f"{name} (càng thấp càng tốt)"


def indicator_rows(data: ReportData) -> list[tuple[str, ...]]:
    return [
        (
            str(number),
            indicator_name(row),
            row.indicator.unit_of_measure,
            indicator_value(row, row.target),
            indicator_value(row, row.actual),
            against_target(row),
            LIGHT_VI[row.light],
        )
        for number, row in enumerate(data.indicators, start=1)
    ]


def agency_rows(data: ReportData) -> list[tuple]:
    """Per lead agency: its tasks by status (as Bảng 1 reads them) and its reports of the period."""
    by_agency: dict[int, dict] = {}
    for row in data.tasks:
        agency_id = row.task.lead_agency_id
        line = by_agency.setdefault(agency_id, {"name": row.lead_agency, "statuses": {}, "rate": None})
        line["statuses"][row.status] = line["statuses"].get(row.status, 0) + 1
    for rate in data.rates:
        line = by_agency.setdefault(rate.agency.pk, {"name": rate.agency.name, "statuses": {}, "rate": None})
        line["rate"] = rate
    out = []
    for number, line in enumerate(sorted(by_agency.values(), key=lambda x: x["name"]), start=1):
        st, rate = line["statuses"], line["rate"]
        out.append(
            (
                str(number),
                line["name"],
                sum(st.values()),
                st.get(TaskStatus.DONE, 0),
                st.get(TaskStatus.IN_PROGRESS, 0),
                st.get(TaskStatus.LATE, 0),
                st.get(TaskStatus.NOT_STARTED, 0),
                rate.expected if rate else 0,
                rate.submitted if rate else 0,
                rate.accepted if rate else 0,
            )
        )
    return out


def cell_text(value) -> str:
    """A cell as the document prints it: counts and amounts with Vietnamese separators."""
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, int | Decimal):
        return vn_number(value)
    return str(value)


def figure_table(table: FigureTable, number: int) -> list:
    rows = [tuple(cell_text(c) for c in row) for row in table.rows]
    blocks = [
        Paragraph(f"Bảng {number}. {table.title}", align="center", indent=False, bold=True),
        Table(
            columns=table.columns,
            rows=rows or [("", "Không có số liệu trong kỳ", *[""] * (len(table.columns) - 2))],
            align=("center", "left", *["right"] * (len(table.columns) - 2)),
            size=11,
        ),
    ]
    if table.note:
        blocks.append(Paragraph(table.note, italic=True))
    return blocks


def _report_text(report) -> str:
    parts = [p.strip() for p in (report.activities, report.results, report.figures) if p and p.strip()]
    return " ".join(parts) or "Không nêu kết quả cụ thể."


def _overview(data: ReportData) -> list:
    counts = data.status_counts
    total = len(data.tasks)
    expected = sum(r.expected for r in data.rates)
    submitted = sum(r.submitted for r in data.rates)
    on_time = sum(r.on_time for r in data.rates)
    blocks = [
        Paragraph(
            f"Kế hoạch có {total} nhiệm vụ: {counts[TaskStatus.DONE]} nhiệm vụ hoàn thành, "
            f"{counts[TaskStatus.IN_PROGRESS]} nhiệm vụ đang thực hiện, {counts[TaskStatus.LATE]} nhiệm vụ "
            f"chậm tiến độ, {counts[TaskStatus.NOT_STARTED]} nhiệm vụ chưa triển khai, "
            f"{counts[TaskStatus.CANCELLED]} nhiệm vụ dừng thực hiện (chi tiết tại Bảng 1)."
        ),
        Paragraph(
            f"Trong kỳ báo cáo, các cơ quan chủ trì đã gửi {submitted}/{expected} báo cáo theo yêu cầu "
            f"({on_time} báo cáo đúng hạn); {data.reports_accepted} báo cáo đã được chấp nhận và được tổng "
            f"hợp trong báo cáo này"
            + (
                f"; {data.reports_pending} báo cáo đang xem xét hoặc trả lại để bổ sung chưa được tổng hợp."
                if data.reports_pending
                else "."
            )
        ),
    ]
    late = [r for r in data.rates if r.missing]
    if late:
        names = "; ".join(f"{r.agency.name} ({len(r.missing)} báo cáo)" for r in late)
        blocks.append(Paragraph(f"Các cơ quan chưa gửi đủ báo cáo: {names}."))
    return blocks


def _rows_by_section(data: ReportData) -> tuple[dict, set[int]]:
    """Tasks under each section: under the solution areas they serve where the plan records them
    (``data.areas``), else under their own section. Also the sections that only assign tasks
    (IV.1–IV.14 once tasks carry their areas): the results by agency stand for them."""
    rows_by_section: dict[int | None, list] = {}
    assigning: set[int] = set()
    for row in data.tasks:
        areas = data.areas.get(row.task.pk)
        if areas:
            assigning.add(row.task.section_id)
            for area in areas:
                rows_by_section.setdefault(area, []).append(row)
        else:
            rows_by_section.setdefault(row.task.section_id, []).append(row)
    return rows_by_section, assigning - set(rows_by_section)


def _sections(data: ReportData, tables: list[FigureTable], first_number: int) -> list:
    """Every solution area of the plan in order (II.1–II.8 for the 7947 plan): the tasks with
    accepted reports and what each agency reported, one line for the area's tasks without an
    accepted report (Bảng 1 has them all), then the tables of figures treem holds for the area.
    A task serving several areas is told in full under the first and referred to under the others."""
    by_task: dict[int, list] = {}
    for section in data.sections:
        for report in section.reports:
            by_task.setdefault(reported_task_id(report), []).append(report)
    rows_by_section, only_assigning = _rows_by_section(data)
    plan_sections = data.all_sections or [s.section for s in data.sections]
    sections = [(s.pk, s.code, f"{s.code}. {s.title}") for s in plan_sections if s.pk not in only_assigning]
    known = {pk for pk, _code, _title in sections}
    loose = [r for sid, rows in rows_by_section.items() if sid not in known for r in rows]
    if loose:
        sections.append((None, "", "Các nhiệm vụ khác"))
    codes = {code for _pk, code, _title in sections if code}
    tables_of: dict[str, list[FigureTable]] = {}
    for table in tables:
        tables_of.setdefault(table.area if table.area in codes else "", []).append(table)
    if tables_of.get(""):
        sections.append((None, "*", "Các số liệu khác"))
    told: dict[int, str] = {}  # task → the area it was told under
    number = first_number
    blocks: list = []
    for pk, code, title in sections:
        if pk is None:
            rows = loose if code == "" else []
            figures = tables_of.pop("", []) if code == "*" else []
        else:
            rows, figures = rows_by_section.get(pk, []), tables_of.pop(code, [])
        blocks.append(Heading(title, level=3))
        if not rows and not figures:
            blocks.append(Paragraph("Trong kỳ chưa có nhiệm vụ hoặc số liệu về nội dung này.", italic=True))
        waiting = []
        for row in rows:
            reports = by_task.get(row.task.pk)
            status = STATUS_VI.get(row.status, "")
            if not reports:
                waiting.append(f"{row.code} ({status.lower()})")
                continue
            if row.task.pk in told:
                blocks.append(
                    Paragraph(f"- {row.code}. {row.content} ({status}): xem mục {told[row.task.pk]}.")
                )
                continue
            told[row.task.pk] = code or title
            blocks.append(Paragraph(f"- {row.code}. {row.content} ({status})."))
            blocks.extend(Paragraph(f"+ {r.agency.name}: {_report_text(r)}") for r in reports)
        if waiting:
            blocks.append(
                Paragraph(
                    f"Nhiệm vụ chưa có báo cáo được chấp nhận trong kỳ: {'; '.join(waiting)}.", italic=True
                )
            )
        for table in figures:
            blocks.extend(figure_table(table, number))
            number += 1
    if not blocks:
        blocks.append(Paragraph("Kế hoạch chưa có nhiệm vụ."))
    return blocks


def _texts(data: ReportData, name: str) -> list:
    """The coordinator's text ``name``, a paragraph per line."""
    text = getattr(data.texts, name, "") if data.texts is not None else ""
    return [Paragraph(line.strip()) for line in text.splitlines() if line.strip()]


def _indicator_summary(data: ReportData) -> Paragraph:
    with_target = [r for r in data.indicators if r.target is not None]
    met = sum(1 for r in with_target if r.light == "green")
    reported = sum(1 for r in data.indicators if r.actual is not None)
    if not data.indicators:
        return Paragraph("Chưa có chỉ tiêu được giao hoặc số liệu được nhập cho năm báo cáo.")
    return Paragraph(
        f"Có {len(with_target)} chỉ tiêu được giao cho năm {data.period.year}, {reported} chỉ tiêu có số "
        f"liệu thực hiện; {met} chỉ tiêu đạt hoặc vượt kế hoạch (chi tiết tại Bảng 2; tỷ lệ được tính từ "
        f"tổng tử số và mẫu số của các xã, phường)."
    )


def _concerns(data: ReportData, attribute: str, none_text: str) -> list:
    own = _texts(data, attribute)
    found = [c for c in data.concerns if getattr(c, attribute).strip()]
    if not found:
        return own or [Paragraph(none_text)]
    lines = [Paragraph(f"- {c.agency.name} ({c.task.code}): {getattr(c, attribute).strip()}") for c in found]
    if own:
        return [*own, Paragraph("Các cơ quan báo cáo:", italic=True), *lines]
    return lines


def _about(title: str) -> str:
    """ " về thực hiện Chỉ thị …" from the plan's title "Kế hoạch thực hiện Chỉ thị …"."""
    title = title.strip()
    if fold(title).startswith("ke hoach "):
        title = title[len("Kế hoạch ") :]
    return f" về {title[0].lower()}{title[1:]}" if title else ""


def build_document(data: ReportData, issuer: Issuer, *, issued_on: dt.date) -> OfficialDocument:
    """The consolidated report of ``data`` as an official document description."""
    plan, unit = data.plan, data.unit
    province = unit_label(unit).upper()
    if issuer.kind == DEPARTMENT and issuer.agency_name:
        parent_agency, agency = f"ỦY BAN NHÂN DÂN\n{province}", issuer.agency_name.upper()
        speaker = issuer.agency_name
        signature = Signature(authority="KT. GIÁM ĐỐC", position="PHÓ GIÁM ĐỐC", name=issuer.signer)
        recipients = (
            f"UBND {unit_label(unit)} (để báo cáo)",
            "Bộ Y tế (Cục Bà mẹ và Trẻ em)",
            "Các sở, ban, ngành liên quan",
            "Lưu: VT",
        )
    else:
        parent_agency, agency = "", f"ỦY BAN NHÂN DÂN\n{province}"
        speaker = f"UBND {unit_label(unit)}"
        signature = Signature(
            authority="TM. ỦY BAN NHÂN DÂN", position="KT. CHỦ TỊCH\nPHÓ CHỦ TỊCH", name=issuer.signer
        )
        recipients = (
            "Bộ Y tế (Cục Bà mẹ và Trẻ em) (để báo cáo)",
            f"Thường trực HĐND {unit_label(unit)}",
            "Chủ tịch, các PCT UBND",
            "Các sở, ban, ngành, địa phương",
            "Lưu: VT",
        )
    phrase = period_phrase(data.period)
    reference = plan_reference(plan)
    tables = figure_tables(data)
    body = [
        Paragraph(
            f"Thực hiện {reference}{_about(plan.title)}, "
            f"{speaker} báo cáo kết quả thực hiện {phrase} (số liệu từ ngày {data.start:%d/%m/%Y} đến "
            f"ngày {data.end:%d/%m/%Y}) như sau:"
        ),
        Heading("I. KẾT QUẢ THỰC HIỆN"),
        Heading("1. Tình hình triển khai chung", level=2),
        *_overview(data),
        Paragraph(
            "Bảng 1. Tình hình thực hiện các nhiệm vụ của Kế hoạch", align="center", indent=False, bold=True
        ),
        Table(
            columns=TASK_COLUMNS,
            rows=task_rows(data) or [("", "", "Không có nhiệm vụ", "", "", "", "")],
            widths=(11, 16, 50, 24, 24, 20, 20),
            align=("center", "left", "left", "left", "left", "center", "left"),
            size=11,
        ),
        Heading("2. Kết quả thực hiện các chỉ tiêu", level=2),
        _indicator_summary(data),
        Paragraph(
            f"Bảng 2. Kết quả thực hiện các chỉ tiêu năm {data.period.year} so với kế hoạch",
            align="center",
            indent=False,
            bold=True,
        ),
        Table(
            columns=INDICATOR_COLUMNS,
            rows=indicator_rows(data) or [("", "Chưa có chỉ tiêu", "", "", "", "", "")],
            widths=(11, 60, 17, 17, 17, 30, 17),
            align=("center", "left", "center", "right", "right", "left", "center"),
            size=11,
        ),
        Heading("3. Kết quả thực hiện theo nhóm nhiệm vụ, giải pháp", level=2),
        *_sections(data, tables, first_number=3),
        Heading("4. Kết quả thực hiện của các cơ quan chủ trì", level=2),
        Paragraph(
            f"Bảng {3 + len(tables)}. Kết quả thực hiện nhiệm vụ và báo cáo theo cơ quan chủ trì",
            align="center",
            indent=False,
            bold=True,
        ),
        Table(
            columns=AGENCY_COLUMNS,
            rows=[tuple(cell_text(c) for c in row) for row in agency_rows(data)]
            or [("", "Không có nhiệm vụ", *[""] * 8)],
            align=("center", "left", *["right"] * 8),
            size=10,
        ),
        Heading("II. ĐÁNH GIÁ CHUNG"),
        *(_texts(data, "assessment") or [Paragraph("(Chưa có đánh giá chung.)", italic=True)]),
        Heading("III. KHÓ KHĂN, VƯỚNG MẮC"),
        *_concerns(data, "difficulties", "Các cơ quan không báo cáo khó khăn, vướng mắc trong kỳ."),
        Heading("IV. ĐỀ XUẤT, KIẾN NGHỊ"),
        *_concerns(data, "proposals", "Các cơ quan không có đề xuất, kiến nghị trong kỳ."),
        Heading("V. PHƯƠNG HƯỚNG, NHIỆM VỤ KỲ TỚI"),
        *(
            _texts(data, "next_steps")
            or [Paragraph("(Chưa nêu phương hướng, nhiệm vụ kỳ tới.)", italic=True)]
        ),
        Paragraph(f"Trên đây là báo cáo kết quả thực hiện {reference} {phrase} của {speaker}./."),
    ]
    return OfficialDocument(
        parent_agency=parent_agency,
        agency=agency,
        number=issuer.number,
        symbol=symbol_of(issuer),
        place=place_name(unit),
        issued_on=issued_on,
        kind="BÁO CÁO",
        title=f"Kết quả thực hiện {reference} {phrase}",
        body=body,
        recipients=recipients,
        signatures=(signature,),
        author=speaker,
    )


def report_docx(data: ReportData, issuer: Issuer, *, issued_on: dt.date) -> bytes:
    return build_docx(build_document(data, issuer, issued_on=issued_on))

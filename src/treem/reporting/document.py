"""The consolidated report as an official document (Decree 30/2020 layout, ``documents.official``).

The wording is Vietnamese whatever the user's interface language: it is an administrative document
sent to the province and the ministry. The body follows the usual outline of a báo cáo kết quả:
I. results (overview, per section of the plan with the agencies' accepted reports, the task table,
the indicator table against targets), II. difficulties, III. proposals.
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
from treem.reporting.selectors import ReportData

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
    "Mã",
    "Chỉ tiêu",
    "Đơn vị tính",
    "Kế hoạch",
    "Thực hiện",
    "Tỷ lệ so với KH",
    "Đánh giá",
)


@dataclass(frozen=True)
class Issuer:
    """Who issues the report: the People's Committee of the plan's unit, or the lead department."""

    kind: str = COMMITTEE
    agency_name: str = ""  # the department's name when ``kind`` is DEPARTMENT
    number: str = ""  # empty: the clerk numbers the signed report
    signer: str = ""  # the signer's name; empty: signed by hand


def vn_number(value: Decimal | int | None, *, places: int = 2) -> str:
    """A number written the Vietnamese way: 1.234,5 (dot for thousands, comma for decimals)."""
    if value is None:
        return ""
    value = Decimal(value).quantize(Decimal(1).scaleb(-places))
    sign = "-" if value < 0 else ""
    whole, _dot, fraction = f"{abs(value):f}".partition(".")
    fraction = fraction.rstrip("0")
    groups = []
    while len(whole) > 3:
        groups.insert(0, whole[-3:])
        whole = whole[:-3]
    groups.insert(0, whole)
    return sign + ".".join(groups) + ("," + fraction if fraction else "")


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


def indicator_rows(data: ReportData) -> list[tuple[str, ...]]:
    out = []
    for number, row in enumerate(data.indicators, start=1):
        share = ""
        if row.actual is not None and row.target:
            share = vn_number(row.actual * 100 / row.target, places=1) + "%"
        out.append(
            (
                str(number),
                row.indicator.code,
                row.indicator.name,
                row.indicator.unit_of_measure,
                indicator_value(row, row.target),
                indicator_value(row, row.actual),
                share,
                LIGHT_VI[row.light],
            )
        )
    return out


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


def _sections(data: ReportData) -> list:
    """Per section of the plan: the tasks with accepted reports and what each agency reported,
    then, in one line, the section's tasks without an accepted report (the table has them all)."""
    by_task: dict[int, list] = {}
    for section in data.sections:
        for report in section.reports:
            by_task.setdefault(report.task_id, []).append(report)
    rows_by_section: dict[int | None, list] = {}
    for row in data.tasks:
        rows_by_section.setdefault(row.task.section_id, []).append(row)
    sections = [(s.section.pk, f"{s.section.code}. {s.section.title}") for s in data.sections]
    known = {pk for pk, _title in sections}
    loose = [r for sid, rows in rows_by_section.items() if sid not in known for r in rows]
    if loose:
        sections.append((None, "Các nhiệm vụ khác"))
        rows_by_section[None] = loose
    blocks: list = []
    for pk, title in sections:
        rows = rows_by_section.get(pk, [])
        if not rows:
            continue
        blocks.append(Heading(title, level=3))
        waiting = []
        for row in rows:
            reports = by_task.get(row.task.pk)
            if not reports:
                waiting.append(f"{row.code} ({STATUS_VI.get(row.status, '').lower()})")
                continue
            blocks.append(Paragraph(f"- {row.code}. {row.content} ({STATUS_VI.get(row.status, '')})."))
            blocks.extend(Paragraph(f"+ {r.agency.name}: {_report_text(r)}") for r in reports)
        if waiting:
            blocks.append(
                Paragraph(
                    f"Nhiệm vụ chưa có báo cáo được chấp nhận trong kỳ: {'; '.join(waiting)}.", italic=True
                )
            )
    if not blocks:
        blocks.append(Paragraph("Kế hoạch chưa có nhiệm vụ."))
    return blocks


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
    found = [c for c in data.concerns if getattr(c, attribute).strip()]
    if not found:
        return [Paragraph(none_text)]
    return [Paragraph(f"- {c.agency.name} ({c.task.code}): {getattr(c, attribute).strip()}") for c in found]


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
    body = [
        Paragraph(
            f"Thực hiện {reference}{_about(plan.title)}, "
            f"{speaker} báo cáo kết quả thực hiện {phrase} (từ ngày {data.period.starts_on:%d/%m/%Y} đến "
            f"ngày {data.period.ends_on:%d/%m/%Y}) như sau:"
        ),
        Heading("I. KẾT QUẢ THỰC HIỆN"),
        Heading("1. Tình hình triển khai chung", level=2),
        *_overview(data),
        Heading("2. Kết quả thực hiện các nhiệm vụ, giải pháp", level=2),
        *_sections(data),
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
        Heading("3. Kết quả thực hiện các chỉ tiêu", level=2),
        _indicator_summary(data),
        Paragraph(
            f"Bảng 2. Kết quả thực hiện các chỉ tiêu năm {data.period.year} so với kế hoạch",
            align="center",
            indent=False,
            bold=True,
        ),
        Table(
            columns=INDICATOR_COLUMNS,
            rows=indicator_rows(data) or [("", "", "Chưa có chỉ tiêu", "", "", "", "", "")],
            widths=(11, 20, 49, 17, 17, 17, 17, 17),
            align=("center", "left", "left", "center", "right", "right", "right", "center"),
            size=11,
        ),
        Heading("II. KHÓ KHĂN, VƯỚNG MẮC"),
        *_concerns(data, "difficulties", "Các cơ quan không báo cáo khó khăn, vướng mắc trong kỳ."),
        Heading("III. ĐỀ XUẤT, KIẾN NGHỊ"),
        *_concerns(data, "proposals", "Các cơ quan không có đề xuất, kiến nghị trong kỳ."),
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

"""The figures of the consolidated report as ``.xlsx``: a sheet of tasks, a sheet of indicators, a
sheet per table of figures (``figures.figure_tables``, the same as the .docx), the results by lead
agency, and the difficulties and proposals. Numbers are written as numbers (not text) so the
province and the ministry can add them up; a ratio keeps its numerator and denominator; a count
hidden for publication stays hidden ("<5", "x")."""

from __future__ import annotations

import io

import xlsxwriter

from treem.children.statistics import Shown
from treem.reporting.document import (
    AGENCY_COLUMNS,
    LIGHT_VI,
    STATUS_VI,
    against_target,
    agency_rows,
    indicator_name,
    period_phrase,
    plan_reference,
    timing,
)
from treem.reporting.figures import figure_tables
from treem.reporting.selectors import ReportData, reported_task_id

CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
TASK_HEADER = (
    "STT",
    "Mã",
    "Mục",
    "Nội dung nhiệm vụ",
    "Cơ quan chủ trì",
    "Cơ quan phối hợp",
    "Thời hạn",
    "Sản phẩm",
    "Tình trạng",
    "Kết quả báo cáo trong kỳ",
)
INDICATOR_HEADER = (
    "STT",
    "Chỉ tiêu",
    "Đơn vị tính",
    "Kế hoạch",
    "Năm gốc",
    "Giá trị năm gốc",
    "Tử số",
    "Mẫu số",
    "Thực hiện",
    "Số đơn vị báo cáo",
    "So với kế hoạch",
    "Đánh giá",
)
CONCERN_HEADER = ("STT", "Cơ quan", "Nhiệm vụ", "Khó khăn, vướng mắc", "Đề xuất, kiến nghị")


TEXTS = (
    ("Đánh giá chung", "assessment"),
    ("Khó khăn, vướng mắc", "difficulties"),
    ("Đề xuất, kiến nghị", "proposals"),
    ("Phương hướng, nhiệm vụ kỳ tới", "next_steps"),
)


def cell_value(cell):
    """A number stays a number; a hidden count its mark; text as is."""
    if isinstance(cell, Shown):
        return cell.hidden or cell.value
    return cell


def report_xlsx(data: ReportData) -> bytes:
    out = io.BytesIO()
    book = xlsxwriter.Workbook(out, {"in_memory": True})
    bold = book.add_format({"bold": True, "text_wrap": True, "valign": "top", "border": 1})
    wrap = book.add_format({"text_wrap": True, "valign": "top"})
    title = book.add_format({"bold": True, "font_size": 13})
    heading = f"{plan_reference(data.plan)} — {period_phrase(data.period)}"

    results: dict[int, list[str]] = {}
    for section in data.sections:
        for report in section.reports:
            text = " ".join(
                p.strip() for p in (report.activities, report.results, report.figures) if p.strip()
            )
            results.setdefault(reported_task_id(report), []).append(f"{report.agency.name}: {text}")

    tasks = book.add_worksheet("Nhiệm vụ")
    tasks.write(0, 0, heading, title)
    tasks.write_row(2, 0, TASK_HEADER, bold)
    for number, row in enumerate(data.tasks, start=1):
        section = row.task.section.code if row.task.section_id else ""
        tasks.write_row(
            2 + number,
            0,
            (
                number,
                row.code,
                section,
                row.content,
                row.lead_agency,
                ", ".join(row.cooperating_agencies),
                timing(row.task),
                row.expected_output,
                STATUS_VI.get(row.status, row.status_label),
                "\n".join(results.get(row.task.pk, [])),
            ),
            wrap,
        )
    for column, width in enumerate((5, 10, 8, 60, 25, 30, 14, 30, 16, 60)):
        tasks.set_column(column, column, width)
    tasks.freeze_panes(3, 0)

    indicators = book.add_worksheet("Chỉ tiêu")
    indicators.write(0, 0, f"{heading} — {data.unit.name}", title)
    indicators.write_row(2, 0, INDICATOR_HEADER, bold)
    for number, row in enumerate(data.indicators, start=1):
        indicators.write_row(
            2 + number,
            0,
            (
                number,
                indicator_name(row),
                row.indicator.unit_of_measure,
                row.target,
                row.baseline_year,
                row.baseline,
                row.numerator,
                row.denominator,
                row.actual,
                row.reported,
                against_target(row),
                LIGHT_VI[row.light],
            ),
            wrap,
        )
    for column, width in enumerate((5, 60, 14, 12, 10, 14, 12, 12, 12, 12, 30, 12)):
        indicators.set_column(column, column, width)
    indicators.freeze_panes(3, 0)

    for number, table in enumerate(figure_tables(data), start=3):
        sheet = book.add_worksheet(f"Bảng {number}")
        sheet.write(0, 0, f"Bảng {number}. {table.title}", title)
        sheet.write_row(2, 0, table.columns, bold)
        for index, row in enumerate(table.rows, start=3):
            sheet.write_row(index, 0, [cell_value(c) for c in row], wrap)
        if table.note:
            sheet.write(4 + len(table.rows), 0, table.note)
        sheet.set_column(0, 0, 5)
        sheet.set_column(1, 1, 50)
        sheet.set_column(2, len(table.columns), 16)

    agencies = book.add_worksheet("Theo cơ quan")
    agencies.write(0, 0, f"{heading} — kết quả theo cơ quan chủ trì", title)
    agencies.write_row(2, 0, AGENCY_COLUMNS, bold)
    for index, row in enumerate(agency_rows(data), start=3):
        agencies.write_row(index, 0, [int(row[0]), *row[1:]], wrap)
    agencies.set_column(1, 1, 40)

    texts = book.add_worksheet("Đánh giá của điều phối")
    texts.write_row(0, 0, ("Nội dung", "Văn bản"), bold)
    for index, (label, name) in enumerate(TEXTS, start=1):
        texts.write(index, 0, label, wrap)
        texts.write(index, 1, getattr(data.texts, name, "") if data.texts is not None else "", wrap)
    texts.set_column(0, 0, 30)
    texts.set_column(1, 1, 100)

    concerns = book.add_worksheet("Khó khăn - Kiến nghị")
    concerns.write_row(0, 0, CONCERN_HEADER, bold)
    for number, concern in enumerate(data.concerns, start=1):
        concerns.write_row(
            number,
            0,
            (number, concern.agency.name, concern.task.code, concern.difficulties, concern.proposals),
            wrap,
        )
    for column, width in enumerate((5, 30, 12, 60, 60)):
        concerns.set_column(column, column, width)

    book.close()
    return out.getvalue()

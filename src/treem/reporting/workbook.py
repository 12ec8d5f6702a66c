"""The figures of the consolidated report as ``.xlsx``: a sheet of tasks, a sheet of indicators,
and the agencies' difficulties and proposals. Numbers are written as numbers (not text) so the
province and the ministry can add them up; a ratio keeps its numerator and denominator."""

from __future__ import annotations

import io

import xlsxwriter

from treem.reporting.document import LIGHT_VI, STATUS_VI, period_phrase, plan_reference, timing
from treem.reporting.selectors import ReportData

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
    "Mã",
    "Chỉ tiêu",
    "Đơn vị tính",
    "Kế hoạch",
    "Năm gốc",
    "Giá trị năm gốc",
    "Tử số",
    "Mẫu số",
    "Thực hiện",
    "Số đơn vị báo cáo",
    "Đánh giá",
)
CONCERN_HEADER = ("STT", "Cơ quan", "Nhiệm vụ", "Khó khăn, vướng mắc", "Đề xuất, kiến nghị")


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
            results.setdefault(report.task_id, []).append(f"{report.agency.name}: {text}")

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
                row.indicator.code,
                row.indicator.name,
                row.indicator.unit_of_measure,
                row.target,
                row.baseline_year,
                row.baseline,
                row.numerator,
                row.denominator,
                row.actual,
                row.reported,
                LIGHT_VI[row.light],
            ),
            wrap,
        )
    for column, width in enumerate((5, 14, 60, 14, 12, 10, 14, 12, 12, 12, 12, 12)):
        indicators.set_column(column, column, width)
    indicators.freeze_panes(3, 0)

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

"""The figures treem knows of a period, laid out as the consolidated report's tables.

One list of tables (``figure_tables``) is printed by the .docx (``document.py``) and written by the
.xlsx (``workbook.py``), so both show the same numbers. Cells are ints (counts and whole dong),
``Shown`` (a published count, possibly hidden as "<5" or "x"), or text. The wording is Vietnamese:
the report is an administrative document whatever the user's interface language.

Each table belongs to one of the plan's solution areas (``AREAS``: the plan's section codes,
data of the plan file II.1–II.8); a table whose area the plan lacks is printed after them.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.utils import translation

from treem.children.statistics import Shown
from treem.funding.choices import Purpose
from treem.reporting.selectors import ReportData
from treem.workforce.models import ParticipantKind

# Which solution area of the plan (Kế hoạch 7947, section II) each group of figures reports on.
AREAS = {
    "campaigns": "II.2",
    "children": "II.3",
    "cases": "II.4",
    "child_friendly": "II.4",
    "training": "II.5",
    "workforce": "II.5",
    "budget_programme": "II.5",
    "budget_agency": "II.5",
    "donations": "II.6",
    "complaints": "II.8",
    "inspections": "II.8",
}

Cell = int | Shown | str


@dataclass
class FigureTable:
    key: str
    title: str
    columns: tuple[str, ...]
    rows: list[tuple[Cell, ...]]
    note: str = ""

    @property
    def area(self) -> str:
        return AREAS.get(self.key, "")


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


def dmy(day) -> str:
    return day.strftime("%d/%m/%Y")


def percent(part: int, whole: int) -> str:
    """ "87,5%": one decimal, Vietnamese comma; empty when there is nothing to divide by."""
    return vn_number(Decimal(part) * 100 / whole, places=1) + "%" if whole else ""


def _children(data: ReportData) -> FigureTable:
    facts = data.facts
    rows: list[tuple[Cell, ...]] = [
        (str(n), row.label, row.before, row.after, row.change)
        for n, row in enumerate(facts.children, start=1)
    ]
    total = facts.children_total
    rows.append(
        ("", "Tổng số trẻ em dưới 18 tuổi trong cơ sở dữ liệu", total.before, total.after, total.change)
    )
    return FigureTable(
        key="children",
        title="Trẻ em có hoàn cảnh đặc biệt theo nhóm (Luật Trẻ em, Điều 10)",
        columns=(
            "STT",
            "Nhóm",
            f"Ngày {dmy(facts.start - dt.timedelta(days=1))}",
            f"Ngày {dmy(facts.end)}",
            "Tăng (+), giảm (-)",
        ),
        rows=rows,
        note="Một trẻ thuộc nhiều nhóm được tính ở mỗi nhóm; số dưới 5 được ẩn (<5, x) để không lộ trẻ.",
    )


def _cases(data: ReportData) -> FigureTable:
    cases = data.facts.cases
    rows: list[tuple[Cell, ...]] = [
        ("1", "Số trẻ em bị xâm hại (chỉ tiêu 0101, TT 13/2021)", cases.abused_children)
    ]
    rows += [("", f"- {label}", shown) for label, shown in cases.by_harm]
    rows += [
        ("2", "Số vụ việc bảo vệ trẻ em tiếp nhận, mở hồ sơ", cases.opened),
        ("3", "Số vụ việc có thời hạn luật định đến hạn trong kỳ", cases.with_deadline),
        ("", "- Trong đó: xử lý đúng thời hạn luật định", cases.deadlines_kept),
        ("4", "Số vụ việc quá thời hạn luật định", cases.missed),
        ("5", "Số vụ việc đã đóng hồ sơ", cases.closed),
    ]
    return FigureTable(
        key="cases",
        title="Tình hình xâm hại trẻ em và xử lý vụ việc (Nghị định 56/2017/NĐ-CP)",
        columns=("STT", "Nội dung", "Số lượng"),
        rows=rows,
        note="Một trẻ bị nhiều hình thức xâm hại được tính ở mỗi hình thức; số dưới 5 được ẩn (<5, x).",
    )


def _child_friendly(data: ReportData) -> FigureTable:
    cf = data.facts.child_friendly
    return FigureTable(
        key="child_friendly",
        title=f"Xã, phường phù hợp với trẻ em năm {data.period.year} (Quyết định 06/2019/QĐ-TTg)",
        columns=("STT", "Nội dung", "Số lượng"),
        rows=[
            ("1", "Số xã, phường", cf.communes),
            ("2", "Số xã, phường đã chấm điểm", cf.scored),
            ("3", "Số xã, phường đạt chuẩn", cf.passed),
            ("", "Tỷ lệ xã, phường đạt chuẩn", percent(cf.passed, cf.communes)),
        ],
    )


def _campaigns(data: ReportData) -> FigureTable:
    facts = data.facts
    rows: list[tuple[Cell, ...]] = [
        (str(n), s.agency.name, s.campaigns, s.reach_people, s.reach_children, s.budget_used)
        for n, s in enumerate(facts.campaigns, start=1)
    ]
    if facts.campaigns_total is not None:
        t = facts.campaigns_total
        rows.append(("", "Tổng cộng", t.campaigns, t.reach_people, t.reach_children, t.budget_used))
    return FigureTable(
        key="campaigns",
        title=f"Hoạt động truyền thông năm {data.period.year}",
        columns=("STT", "Cơ quan", "Số hoạt động", "Lượt người", "Lượt trẻ em", "Kinh phí (đồng)"),
        rows=rows,
    )


def _training(data: ReportData) -> FigureTable:
    training = data.facts.training
    labels = dict(ParticipantKind.choices)
    rows: list[tuple[Cell, ...]] = [
        ("1", "Số lớp tập huấn", training.courses),
        ("2", "Số người đăng ký", training.participants),
        ("3", "Số người tham dự", training.attended),
    ]
    rows += [("", f"- {labels.get(kind, kind)}", n) for kind, n in training.by_kind.items()]
    return FigureTable(
        key="training",
        title="Tập huấn, bồi dưỡng",
        columns=("STT", "Nội dung", "Số lượng"),
        rows=rows,
    )


def _workforce(data: ReportData) -> FigureTable:
    facts = data.facts
    rows: list[tuple[Cell, ...]] = [
        (str(n), name, have, needed, missing)
        for n, (name, have, needed, missing) in enumerate(facts.staffing, 1)
    ]
    return FigureTable(
        key="workforce",
        title=f"Đội ngũ làm công tác trẻ em so với định mức (ngày {dmy(facts.end)})",
        columns=("STT", "Định mức", "Hiện có", "Theo định mức", "Còn thiếu"),
        rows=rows,
        note=f"Số xã, phường chưa đủ định mức: {facts.communes_short}.",
    )


def _budget(data: ReportData, key: str, attribute: str, heading: str) -> FigureTable:
    totals = data.facts.budget
    rows: list[tuple[Cell, ...]] = [
        (str(n), r.label, r.planned, r.allocated, r.spent, percent(r.spent, r.planned or r.allocated))
        for n, r in enumerate(getattr(totals, attribute), start=1)
    ]
    if totals.total is not None and totals.total.lines:
        t = totals.total
        rows.append(
            ("", "Tổng cộng", t.planned, t.allocated, t.spent, percent(t.spent, t.planned or t.allocated))
        )
    return FigureTable(
        key=key,
        title=f"Kinh phí năm {data.period.year} theo {heading}",
        columns=(
            "STT",
            heading.capitalize(),
            "Dự toán (đồng)",
            "Được giao (đồng)",
            "Đã chi (đồng)",
            "Tỷ lệ chi",
        ),
        rows=rows,
    )


def _donations(data: ReportData) -> FigureTable:
    figures = data.facts.transparency
    labels = dict(Purpose.choices)
    rows: list[tuple[Cell, ...]] = [
        (str(n), str(labels.get(r["purpose"], r["purpose"])), r["received"], r["used"], r["balance"])
        for n, r in enumerate(figures["purposes"], start=1)
    ]
    t = figures["totals"]
    if rows:
        rows.append(("", "Tổng cộng", t["received"], t["used"], t["balance"]))
    return FigureTable(
        key="donations",
        title=f"Huy động, tiếp nhận và sử dụng nguồn lực xã hội năm {data.period.year} (công khai)",
        columns=("STT", "Mục đích", "Tiếp nhận (đồng)", "Đã sử dụng (đồng)", "Số dư cuối kỳ (đồng)"),
        rows=rows,
        note=f"Số nhà tài trợ, người đỡ đầu: {len(figures['donors'])}; tiền đỡ đầu chi trực tiếp cho trẻ.",
    )


def _complaints(data: ReportData) -> FigureTable:
    rows: list[tuple[Cell, ...]] = [
        (str(n), k.label, k.received, k.closed, k.closed_in_time, k.open_overdue)
        for n, k in enumerate(data.facts.complaints, start=1)
    ]
    return FigureTable(
        key="complaints",
        title="Khiếu nại, tố cáo và ý kiến, kiến nghị của trẻ em",
        columns=("STT", "Loại", "Tiếp nhận", "Đã giải quyết", "Trong đó đúng hạn", "Quá hạn chưa giải quyết"),
        rows=rows,
    )


def _inspections(data: ReportData) -> FigureTable:
    i = data.facts.inspections
    return FigureTable(
        key="inspections",
        title="Kiểm tra, thanh tra, giám sát và thực hiện kiến nghị",
        columns=("STT", "Nội dung", "Số lượng"),
        rows=[
            ("1", "Số cuộc kiểm tra, thanh tra, giám sát", i.inspections),
            ("", "- Trong đó: đã kết thúc", i.done),
            ("2", "Số kiến nghị", i.recommendations),
            ("", "- Đã thực hiện xong", i.closed),
            ("", "- Trong đó: đúng hạn", i.closed_in_time),
            ("", "- Quá hạn chưa thực hiện", i.open_overdue),
        ],
    )


def figure_tables(data: ReportData) -> list[FigureTable]:
    """Every table of figures of the report, in the order of the plan's solution areas."""
    if data.facts is None:
        return []
    with translation.override("vi"):  # the labels of choices, as the document prints them
        return _tables(data)


def _tables(data: ReportData) -> list[FigureTable]:
    return [
        _campaigns(data),
        _children(data),
        _cases(data),
        _child_friendly(data),
        _training(data),
        _workforce(data),
        _budget(data, "budget_programme", "by_programme", "chương trình"),
        _budget(data, "budget_agency", "by_agency", "cơ quan"),
        _donations(data),
        _complaints(data),
        _inspections(data),
    ]

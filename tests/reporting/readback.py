"""Reading the consolidated report back, and its figures recomputed from the pages' selectors.

Shared by the reporting tests and the browser test of the plan's whole cycle: ``numbered_tables``
reads a .docx's "Bảng N." tables; ``expected_tables`` computes each of them from the apps' own
selectors (children.statistics, cases.statistics in publication mode, complaints, campaigns,
workforce, funding, plans), never from reporting's.
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

from django.utils import translation
from docx.table import Table as DocxTable
from docx.text.paragraph import Paragraph as DocxParagraph

from treem.campaigns.selectors import yearly_summary
from treem.cases.statistics import abuse_statistics, cases_deadlines_kept, statistics_cases
from treem.children.statistics import Shown, child_statistics, statistics_children, suppress
from treem.complaints.selectors import complaint_summary
from treem.funding.choices import Purpose
from treem.funding.selectors import budget_totals, transparency_figures
from treem.indicators.selectors import child_friendly_ranking, child_friendly_summary
from treem.plans import selectors as plan_selectors
from treem.plans.models import (
    Recommendation,
)
from treem.reporting.figures import vn_number
from treem.workforce.models import ParticipantKind
from treem.workforce.selectors import staffing_dashboard, training_summary


def numbered_tables(doc) -> dict[str, list[list[str]]]:
    """ "Bảng N. title" → the rows of the table that follows it (header first)."""
    out, title = {}, None
    for element in doc.element.body.iterchildren():
        if element.tag.endswith("}p"):
            text = DocxParagraph(element, doc).text.strip()
            if re.match(r"^Bảng \d+\. ", text):
                title = text.split(". ", 1)[1]
        elif element.tag.endswith("}tbl") and title is not None:
            table = DocxTable(element, doc)
            out[title] = [[cell.text for cell in row.cells] for row in table.rows]
            title = None
    return out


def text_of(value) -> str:
    if isinstance(value, int | Decimal):
        return vn_number(value)
    return str(value)


def pct(part, whole) -> str:
    return vn_number(Decimal(part) * 100 / whole, places=1) + "%" if whole else ""


def expected_tables(user, unit, period) -> dict[str, list[list[str]]]:
    """Every table of figures as the pages' selectors compute it (body rows, as text), with the
    labels in Vietnamese as the document prints them."""
    with translation.override("vi"):
        return _expected_tables(user, unit, period)


def _expected_tables(user, unit, period) -> dict[str, list[list[str]]]:
    start, end = period.starts_on, period.ends_on  # the fixture's period is not calendar-aligned
    year = period.year
    out: dict[str, list[list[str]]] = {}

    # Children by special-circumstance group, published as the statistics page does.
    grids = []
    for day in (start - dt.timedelta(days=1), end):
        table = child_statistics(queryset=statistics_children(user), group_by=["group"], day=day, unit=unit)
        grids.append(table.grid(suppress([table])))
    before = {r["label"]: r["total"] for r in grids[0]["rows"]}
    after = {r["label"]: r["total"] for r in grids[1]["rows"]}
    rows = []
    for n, label in enumerate(list(before) + [k for k in after if k not in before], start=1):
        b, a = before.get(label, Shown(0)), after.get(label, Shown(0))
        change = "x" if b.hidden or a.hidden else text_of(a.value - b.value)
        rows.append([str(n), label, b.text, a.text, change])
    tb, ta = grids[0]["footer"]["total"], grids[1]["footer"]["total"]
    rows.append(
        [
            "",
            "Tổng số trẻ em dưới 18 tuổi trong cơ sở dữ liệu",
            tb.text,
            ta.text,
            text_of(ta.value - tb.value),
        ]
    )
    out["Trẻ em có hoàn cảnh đặc biệt theo nhóm (Luật Trẻ em, Điều 10)"] = rows

    # Abuse and cases, in the statistics page's publication mode.
    result = abuse_statistics(user=user, start=start, end=end, unit=unit)
    hidden = result.hidden(publication=True)
    harm = result.children_tables[1].grid(hidden)
    totals = dict(
        zip(result.cases_table.columns, result.cases_table.grid(hidden)["footer"]["cells"], strict=True)
    )
    due, kept = cases_deadlines_kept(
        cases=statistics_cases(user).filter(commune__path__startswith=unit.path), start=start, end=end
    )
    small = lambda n: "<5" if 0 < n < 5 else str(n)  # noqa: E731
    out["Tình hình xâm hại trẻ em và xử lý vụ việc (Nghị định 56/2017/NĐ-CP)"] = [
        ["1", "Số trẻ em bị xâm hại (chỉ tiêu 0101, TT 13/2021)", harm["footer"]["total"].text],
        *[["", f"- {r['label']}", r["total"].text] for r in harm["rows"]],
        ["2", "Số vụ việc bảo vệ trẻ em tiếp nhận, mở hồ sơ", totals["opened"].text],
        ["3", "Số vụ việc có thời hạn luật định đến hạn trong kỳ", small(due)],
        ["", "- Trong đó: xử lý đúng thời hạn luật định", small(kept) if due == 0 or due >= 5 else "x"],
        ["4", "Số vụ việc quá thời hạn luật định", totals["missed"].text],
        ["5", "Số vụ việc đã đóng hồ sơ", totals["closed"].text],
    ]

    cf = child_friendly_summary(child_friendly_ranking(user=user, unit=unit, year=year))
    out[f"Xã, phường phù hợp với trẻ em năm {year} (Quyết định 06/2019/QĐ-TTg)"] = [
        ["1", "Số xã, phường", str(cf.communes)],
        ["2", "Số xã, phường đã chấm điểm", str(cf.scored)],
        ["3", "Số xã, phường đạt chuẩn", str(cf.passed)],
        ["", "Tỷ lệ xã, phường đạt chuẩn", pct(cf.passed, cf.communes)],
    ]

    summaries, total = yearly_summary(user=user, year=year)
    rows = [
        [
            str(n),
            s.agency.name,
            *(text_of(v) for v in (s.campaigns, s.reach_people, s.reach_children, s.budget_used)),
        ]
        for n, s in enumerate(summaries, start=1)
    ]
    if total:
        rows.append(
            [
                "",
                "Tổng cộng",
                *(
                    text_of(v)
                    for v in (total.campaigns, total.reach_people, total.reach_children, total.budget_used)
                ),
            ]
        )
    out[f"Hoạt động truyền thông năm {year}"] = rows

    training = training_summary(user=user, start=start, end=end)
    kinds = dict(ParticipantKind.choices)
    out["Tập huấn, bồi dưỡng"] = [
        ["1", "Số lớp tập huấn", str(training.courses)],
        ["2", "Số người đăng ký", str(training.participants)],
        ["3", "Số người tham dự", str(training.attended)],
        *[["", f"- {kinds[k]}", str(n)] for k, n in training.by_kind.items()],
    ]

    norms: dict[str, list[int]] = {}
    staffing = staffing_dashboard(user=user, day=end)
    for commune in staffing:
        for status in commune.statuses:
            line = norms.setdefault(str(status.norm), [0, 0, 0])
            for i, v in enumerate((status.have, status.needed, status.missing)):
                line[i] += v
    out[f"Đội ngũ làm công tác trẻ em so với định mức (ngày {end:%d/%m/%Y})"] = [
        [str(n), name, *(text_of(v) for v in values)]
        for n, (name, values) in enumerate(norms.items(), start=1)
    ]

    budget = budget_totals(user=user, year=year)
    for attribute, heading in (("by_programme", "chương trình"), ("by_agency", "cơ quan")):
        rows = [
            [
                str(n),
                r.label,
                text_of(r.planned),
                text_of(r.allocated),
                text_of(r.spent),
                pct(r.spent, r.planned or r.allocated),
            ]
            for n, r in enumerate(getattr(budget, attribute), start=1)
        ]
        t = budget.total
        rows.append(
            [
                "",
                "Tổng cộng",
                text_of(t.planned),
                text_of(t.allocated),
                text_of(t.spent),
                pct(t.spent, t.planned or t.allocated),
            ]
        )
        out[f"Kinh phí năm {year} theo {heading}"] = rows

    figures = transparency_figures(unit=unit, year=year)
    purposes = dict(Purpose.choices)
    rows = [
        [
            str(n),
            str(purposes[r["purpose"]]),
            text_of(r["received"]),
            text_of(r["used"]),
            text_of(r["balance"]),
        ]
        for n, r in enumerate(figures["purposes"], start=1)
    ]
    t = figures["totals"]
    rows.append(["", "Tổng cộng", text_of(t["received"]), text_of(t["used"]), text_of(t["balance"])])
    out[f"Huy động, tiếp nhận và sử dụng nguồn lực xã hội năm {year} (công khai)"] = rows

    out["Khiếu nại, tố cáo và ý kiến, kiến nghị của trẻ em"] = [
        [str(n), k.label, *(str(v) for v in (k.received, k.closed, k.closed_in_time, k.open_overdue))]
        for n, k in enumerate(complaint_summary(user=user, start=start, end=end), start=1)
    ]

    inspections = plan_selectors.visible_inspections(user).filter(starts_on__gte=start, starts_on__lte=end)
    recs = Recommendation.objects.restrict(user).filter(inspection__in=inspections)
    closed = [r for r in recs if r.closed_on and r.closed_on <= end]
    out["Kiểm tra, thanh tra, giám sát và thực hiện kiến nghị"] = [
        ["1", "Số cuộc kiểm tra, thanh tra, giám sát", str(inspections.count())],
        ["", "- Trong đó: đã kết thúc", str(inspections.filter(status="done").count())],
        ["2", "Số kiến nghị", str(recs.count())],
        ["", "- Đã thực hiện xong", str(len(closed))],
        ["", "- Trong đó: đúng hạn", str(sum(1 for r in closed if r.closed_on <= r.deadline))],
        ["", "- Quá hạn chưa thực hiện", str(sum(1 for r in recs if r.deadline < end and r not in closed))],
    ]
    return out

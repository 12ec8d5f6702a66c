"""Every number of the consolidated report, recomputed from the selectors of the pages that show it.

The .docx is read back with python-docx and the .xlsx with openpyxl; the expected figures are
computed here from the apps' own selectors (children.statistics, cases.statistics in publication
mode, complaints, campaigns, workforce, funding, indicators, plans), never from reporting's.
Also: no internal code in either file, the plan's solution areas all present, a task with an
accepted report never "not started", the coordinator's texts printed, the Decree 09 cut-off.
"""

from __future__ import annotations

import datetime as dt
import io
import re

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from docx import Document
from openpyxl import load_workbook

from tests.reporting.readback import expected_tables, numbered_tables, text_of
from tests.reporting.records import YEAR, build_activity
from treem.audit.models import AuditEvent
from treem.core.scope import ScopeError
from treem.indicators.selectors import indicator_table
from treem.plans import selectors as plan_selectors
from treem.plans.models import (
    PeriodKind,
    Plan,
    Recommendation,
    ReportingPeriod,
    Section,
    TaskStatus,
)
from treem.reporting import selectors, services
from treem.reporting.document import Issuer
from treem.reporting.figures import vn_number
from treem.reporting.models import ReportTexts

INTERNAL_CODE = re.compile(r"[A-Z]{2,}_[A-Z_]+")


@pytest.fixture
def activity(geo, coordinator, officer_a, officer_b):
    return build_activity(geo=geo, coordinator=coordinator, officer_a=officer_a, officer_b=officer_b)


def generate(user, period):
    return services.report_generate(acting_user=user, period=period, issuer=Issuer())


# --- every number ---------------------------------------------------------------------------------


def test_every_figure_of_the_docx_and_xlsx_equals_its_pages_selector(
    coordinator, plan, figures, activity, geo
):
    report = generate(coordinator, plan.year)
    doc = Document(io.BytesIO(report.docx))
    found = numbered_tables(doc)
    expected = expected_tables(coordinator, geo.province, plan.year)
    for title, rows in expected.items():
        assert title in found, title
        assert found[title][1:] == rows, title

    # Hand-checked anchors, so the recomputation cannot agree with a wrong reading of the data.
    children = {r[1]: r for r in found["Trẻ em có hoàn cảnh đặc biệt theo nhóm (Luật Trẻ em, Điều 10)"][1:]}
    # 5 then 7 with a disability (+2); 2 harmed by violence, hidden ("<5"), and with them the
    # smallest other count of the line (the 6 in no group, "x"); the 15 children stand.
    assert children["d) Trẻ em khuyết tật"][2:] == ["5", "7", "2"]
    violence = "i) Trẻ em bị tổn hại nghiêm trọng về thể chất và tinh thần do bị bạo lực"
    assert children[violence][2:] == ["0", "<5", "x"]
    assert children["Không thuộc nhóm nào"][2:] == ["10", "x", "x"]
    assert children["Tổng số trẻ em dưới 18 tuổi trong cơ sở dữ liệu"][2:] == ["15", "15", "0"]
    cases = {
        r[1]: r[2] for r in found["Tình hình xâm hại trẻ em và xử lý vụ việc (Nghị định 56/2017/NĐ-CP)"][1:]
    }
    assert cases["Số trẻ em bị xâm hại (chỉ tiêu 0101, TT 13/2021)"] == "6"
    assert cases["- Bạo lực trẻ em"] == "6"
    assert cases["Số vụ việc bảo vệ trẻ em tiếp nhận, mở hồ sơ"] == "6"
    assert cases["Số vụ việc có thời hạn luật định đến hạn trong kỳ"] == "6"
    assert cases["- Trong đó: xử lý đúng thời hạn luật định"] == "5"
    assert cases["Số vụ việc quá thời hạn luật định"] == "<5"  # one missed: published hidden
    assert found[f"Hoạt động truyền thông năm {YEAR}"][-1][2:] == ["2", "1.500", "1.050", "19.500.000"]
    assert found["Tập huấn, bồi dưỡng"][1:4] == [
        ["1", "Số lớp tập huấn", "1"],
        ["2", "Số người đăng ký", "4"],
        ["3", "Số người tham dự", "3"],
    ]
    complaints = found["Khiếu nại, tố cáo và ý kiến, kiến nghị của trẻ em"][1:]
    # two complaints (one closed in time, one open past its deadline), no denunciation, a petition
    assert [r[2:] for r in complaints] == [["2", "1", "1", "1"], ["0", "0", "0", "0"], ["1", "0", "0", "1"]]
    assert found["Kiểm tra, thanh tra, giám sát và thực hiện kiến nghị"][3:] == [
        ["2", "Số kiến nghị", "3"],
        ["", "- Đã thực hiện xong", "2"],
        ["", "- Trong đó: đúng hạn", "1"],
        ["", "- Quá hạn chưa thực hiện", "1"],
    ]
    assert found[f"Kinh phí năm {YEAR} theo cơ quan"][1][2:] == [
        "12.000.000",
        "10.000.000",
        "7.500.000",
        "62,5%",
    ]
    assert found[f"Huy động, tiếp nhận và sử dụng nguồn lực xã hội năm {YEAR} (công khai)"][-1][2:] == [
        "20.000.000",
        "8.000.000",
        "12.000.000",
    ]

    # The indicators against targets, from indicators.selectors.indicator_table.
    rows = [
        r
        for r in indicator_table(
            user=coordinator, unit=geo.province, year=YEAR, under="today", programmes=selectors.PROGRAMMES
        )
        if r.target is not None or r.actual is not None
    ]
    table = found[f"Kết quả thực hiện các chỉ tiêu năm {YEAR} so với kế hoạch"][1:]
    assert [r[4] for r in table] == [
        vn_number(r.actual) + ("%" if r.indicator.kind == "percentage" else "") for r in rows
    ]

    # By lead agency, from plans.selectors.task_table and reporting_rates.
    tasks = plan_selectors.task_table(plan=plan.plan, user=coordinator, day=plan.year.ends_on)
    rates = {r.agency.name: r for r in plan_selectors.reporting_rates(period=plan.year, user=coordinator)}
    agencies = found["Kết quả thực hiện nhiệm vụ và báo cáo theo cơ quan chủ trì"][1:]
    for row in agencies:
        mine = [t for t in tasks if t.lead_agency == row[1]]
        rate = rates.get(row[1])
        assert row[2] == str(len(mine))
        assert (
            row[7:] == [str(rate.expected), str(rate.submitted), str(rate.accepted)]
            if rate
            else ["0", "0", "0"]
        )
    assert sum(int(r[2]) for r in agencies) == len(tasks)

    # The same numbers in the .xlsx, as numbers (hidden counts keep their mark).
    book = load_workbook(io.BytesIO(report.xlsx))
    sheets = {}
    for sheet in book.worksheets:
        if sheet.title.startswith("Bảng "):
            sheets[sheet.cell(1, 1).value.split(". ", 1)[1]] = sheet
    for title, rows in expected.items():
        sheet = sheets[title]
        read = [
            ["" if v is None else text_of(v) if isinstance(v, int) else str(v) for v in row]
            for row in sheet.iter_rows(
                min_row=4, max_row=3 + len(rows), max_col=len(rows[0]), values_only=True
            )
        ]
        assert read == rows, title
    campaigns = list(sheets[f"Hoạt động truyền thông năm {YEAR}"].iter_rows(min_row=4, values_only=True))
    assert campaigns[-1] == (None, "Tổng cộng", 2, 1500, 1050, 19_500_000)


def test_no_internal_code_in_the_docx_or_the_xlsx(coordinator, plan, figures, activity):
    report = generate(coordinator, plan.year)
    doc = Document(io.BytesIO(report.docx))
    parts = [p.text for p in doc.paragraphs]
    parts += [cell.text for table in doc.tables for row in table.rows for cell in row.cells]
    text = "\n".join(parts)
    assert not INTERNAL_CODE.findall(text)
    book = load_workbook(io.BytesIO(report.xlsx))
    cells = [
        str(v) for sheet in book.worksheets for row in sheet.iter_rows(values_only=True) for v in row if v
    ]
    assert not [c for c in cells if INTERNAL_CODE.search(c)]
    assert "RP_TY_LE" not in text and "Tỷ lệ so với KH" not in text


def test_every_solution_area_of_the_plan_is_a_section(coordinator, plan):
    for position, code in enumerate(("II.3", "II.4", "II.5", "II.6", "II.7", "II.8"), start=3):
        Section.objects.create(plan=plan.plan, code=code, position=position, title=f"Nhóm giải pháp {code}")
    text = "\n".join(p.text for p in Document(io.BytesIO(generate(coordinator, plan.year).docx)).paragraphs)
    for code in ("II.1", "II.2", "II.3", "II.4", "II.5", "II.6", "II.7", "II.8"):
        assert f"{code}. " in text
    assert "II.7. Nhóm giải pháp II.7\nTrong kỳ chưa có nhiệm vụ hoặc số liệu về nội dung này." in text


def test_a_task_with_an_accepted_report_never_reads_not_started(coordinator, plan):
    plan.task_1.status = TaskStatus.NOT_STARTED  # stored status not yet updated by its agency
    plan.task_1.save()
    report = generate(coordinator, plan.year)
    doc = Document(io.BytesIO(report.docx))
    tasks = {r[1]: r[6] for r in numbered_tables(doc)["Tình hình thực hiện các nhiệm vụ của Kế hoạch"][1:]}
    assert tasks["II.1.a"] == "Đang thực hiện"
    text = "\n".join(p.text for p in doc.paragraphs)
    assert "0 nhiệm vụ chưa triển khai" in text
    assert "- II.1.a. Ban hành kế hoạch năm của các sở, ngành (Đang thực hiện)." in text
    sheet = load_workbook(io.BytesIO(report.xlsx))["Nhiệm vụ"]
    assert {r[1]: r[8] for r in sheet.iter_rows(min_row=4, values_only=True)}["II.1.a"] == "Đang thực hiện"


# --- the coordinator's texts ----------------------------------------------------------------------


def test_the_coordinators_texts_are_saved_audited_and_printed(client, coordinator, plan):
    client.force_login(coordinator)
    data = {
        "plan": plan.plan.pk,
        "year": YEAR,
        "period": "year",
        "assessment": "Công tác trẻ em chuyển biến tích cực.\nCác sở, ngành phối hợp chặt chẽ.",
        "difficulties": "Kinh phí còn hạn chế.",
        "proposals": "Đề nghị Bộ Y tế hướng dẫn thống nhất biểu mẫu.",
        "next_steps": "Tiếp tục kiện toàn đội ngũ cộng tác viên thôn.",
    }
    response = client.post(reverse("reporting:report_texts"), data)
    assert response.status_code == 302
    page = client.get(response.url)
    assert "Kinh phí còn hạn chế." in page.content.decode()
    texts = ReportTexts.objects.get()
    assert texts.period_key == "2026-year" and texts.created_by == coordinator
    event = AuditEvent.objects.get(action="reporting.texts.created")
    assert event.changes["difficulties"] == ["", "Kinh phí còn hạn chế."]

    text = "\n".join(p.text for p in Document(io.BytesIO(generate(coordinator, plan.year).docx)).paragraphs)
    order = [
        text.index("II. ĐÁNH GIÁ CHUNG"),
        text.index("Công tác trẻ em chuyển biến tích cực."),
        text.index("Các sở, ngành phối hợp chặt chẽ."),
        text.index("III. KHÓ KHĂN, VƯỚNG MẮC"),
        text.index("Kinh phí còn hạn chế."),
        text.index("Sở Y tế (II.1.a): Thiếu cán bộ chuyên trách ở cấp xã."),
        text.index("IV. ĐỀ XUẤT, KIẾN NGHỊ"),
        text.index("Đề nghị Bộ Y tế hướng dẫn thống nhất biểu mẫu."),
        text.index("V. PHƯƠNG HƯỚNG, NHIỆM VỤ KỲ TỚI"),
        text.index("Tiếp tục kiện toàn đội ngũ cộng tác viên thôn."),
    ]
    assert order == sorted(order)

    # Saving the same again changes nothing and writes no event; a change is audited with its diff.
    services.report_texts_save(
        acting_user=coordinator, period=plan.year, difficulties="Kinh phí còn hạn chế."
    )
    assert AuditEvent.objects.filter(action__startswith="reporting.texts").count() == 1
    services.report_texts_save(acting_user=coordinator, period=plan.year, difficulties="Thiếu người.")
    changed = AuditEvent.objects.get(action="reporting.texts.changed")
    assert changed.changes["difficulties"] == ["Kinh phí còn hạn chế.", "Thiếu người."]


def test_too_long_a_text_is_refused_and_nothing_is_written(client, coordinator, plan):
    client.force_login(coordinator)
    data = {
        "plan": plan.plan.pk,
        "year": YEAR,
        "period": "year",
        "assessment": "Tốt.",
        "proposals": "x" * 20_001,
    }
    response = client.post(reverse("reporting:report_texts"), data)
    assert response.status_code == 400
    assert "At most 20000 characters (this text has 20001)" in response.content.decode()
    with pytest.raises(ValidationError):
        services.report_texts_save(acting_user=coordinator, period=plan.year, assessment="Tốt.", bogus="x")
    assert not ReportTexts.objects.exists()
    assert not AuditEvent.objects.filter(action__startswith="reporting.").exists()


def test_a_period_the_plan_does_not_have_is_refused_on_the_texts_page(client, coordinator, plan):
    client.force_login(coordinator)
    response = client.post(
        reverse("reporting:report_texts"),
        {"plan": plan.plan.pk, "year": YEAR, "period": "Q2", "assessment": "A"},
    )
    assert response.status_code == 400
    assert "no such period in 2026" in response.content.decode()
    assert not ReportTexts.objects.exists()


def test_only_the_plans_coordinator_writes_or_reads_the_texts(
    client, coordinator, officer_a, elsewhere, plan
):
    services.report_texts_save(acting_user=coordinator, period=plan.year, assessment="Riêng của tỉnh.")
    client.force_login(officer_a)
    assert client.get(reverse("reporting:report_texts")).status_code == 403
    with pytest.raises(ScopeError):
        services.report_texts_save(acting_user=officer_a, period=plan.year, assessment="Không được.")
    with pytest.raises(ScopeError):
        services.report_texts_save(acting_user=elsewhere.coordinator, period=plan.year, assessment="Không.")
    assert selectors.report_texts(user=elsewhere.coordinator, period=plan.year) is None
    assert selectors.report_texts(user=officer_a, period=plan.year) is None
    client.force_login(elsewhere.coordinator)
    page = client.get(
        reverse("reporting:report_texts"), {"plan": plan.plan.pk, "year": YEAR, "period": "year"}
    )
    assert "Riêng của tỉnh." not in page.content.decode()
    assert ReportTexts.objects.get().assessment == "Riêng của tỉnh."


# --- Decree 09: the annual report from 15/12 --------------------------------------------------------


def test_a_calendar_year_is_reported_from_15_december(coordinator, geo):
    """A plan whose year runs on calendar dates: its figures stop on 14/12, its report is made from
    15/12 (a past year, so that the statistics' days are not in the future)."""
    LAST = YEAR - 1
    plan = Plan.objects.create(key="KH-LICH", title="Kế hoạch năm", unit=geo.province)
    period = ReportingPeriod.objects.create(
        plan=plan,
        kind=PeriodKind.YEAR,
        year=LAST,
        number=1,
        starts_on=dt.date(LAST, 1, 1),
        ends_on=dt.date(LAST, 12, 31),
        opens_on=dt.date(LAST, 12, 1),
        due_on=dt.date(LAST, 12, 20),
    )
    assert selectors.figures_window(period) == (dt.date(LAST - 1, 12, 15), dt.date(LAST, 12, 14))
    with pytest.raises(ValidationError, match=r"its figures run to 14/12/2025.*from 15/12/2025"):
        selectors.period_find(user=coordinator, year=LAST, plan=plan, today=dt.date(LAST, 12, 14))
    assert (
        selectors.period_find(user=coordinator, year=LAST, plan=plan, today=dt.date(LAST, 12, 15)) == period
    )
    report = services.report_generate(
        acting_user=coordinator, period=period, issuer=Issuer(), today=dt.date(LAST, 12, 15)
    )
    text = "\n".join(p.text for p in Document(io.BytesIO(report.docx)).paragraphs)
    assert "(số liệu từ ngày 15/12/2024 đến ngày 14/12/2025)" in text


def test_decree_09_windows_of_calendar_halves_and_quarters():
    def window(kind, number, starts, ends):
        return selectors.figures_window(
            ReportingPeriod(kind=kind, number=number, year=YEAR, starts_on=starts, ends_on=ends)
        )

    assert window(PeriodKind.HALF_YEAR, 1, dt.date(YEAR, 1, 1), dt.date(YEAR, 6, 30)) == (
        dt.date(YEAR - 1, 12, 15),
        dt.date(YEAR, 6, 14),
    )
    assert window(PeriodKind.QUARTER, 3, dt.date(YEAR, 7, 1), dt.date(YEAR, 9, 30)) == (
        dt.date(YEAR, 6, 15),
        dt.date(YEAR, 9, 14),
    )
    # Dates set otherwise (by a province, or already on Decree 09's days) are kept as they are.
    assert window(PeriodKind.YEAR, 1, dt.date(YEAR - 1, 12, 15), dt.date(YEAR, 12, 14)) == (
        dt.date(YEAR - 1, 12, 15),
        dt.date(YEAR, 12, 14),
    )
    assert window(PeriodKind.FINAL, 1, dt.date(YEAR, 1, 1), dt.date(YEAR, 12, 31)) == (
        dt.date(YEAR, 1, 1),
        dt.date(YEAR, 12, 31),
    )


def test_the_report_reads_without_a_query_per_row(coordinator, plan, figures, activity, geo):
    """Twice as many communes, children, campaigns, participants and recommendations add no query:
    every figure is read in grouped queries (issue 15: the annual report at 1,000,000 children).
    Measured after a first batch, so that lists going from empty to non-empty do not count."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from tests.conftest import REORG
    from tests.factories import AgencyFactory, ChildFactory, CommuneFactory
    from treem.campaigns.models import Campaign
    from treem.children.models import Child, CircumstanceGroup, CircumstanceMembership
    from treem.workforce.models import Participant

    disability = CircumstanceGroup.objects.get(code="d")

    def add_batch(batch: int) -> None:
        for n in range(3):
            commune = CommuneFactory(
                name=f"Xã Mới {batch}{n}", code=f"201{batch}{n}", parent=geo.province, valid_from=REORG
            )
            agency = AgencyFactory(name=f"UBND Xã Mới {batch}{n}", kind="commune_pc", unit=commune)
            for k in range(3):
                child = ChildFactory(full_name=f"Trẻ Mới {batch}{n}{k}", commune=commune, birth_year=2016)
                CircumstanceMembership.objects.create(
                    child=child, group=disability, entered_on=dt.date(YEAR, 2, 1)
                )
            Campaign.objects.create(
                title=f"Truyền thông {batch}{n}",
                unit=commune,
                agency=agency,
                starts_on=dt.date(YEAR, 6, 1),
                ends_on=dt.date(YEAR, 6, 2),
                channels=["direct"],
                reach_people=10,
                reach_children=5,
            )
        Child.objects.update(created_at=activity.cases[0].opened_at - dt.timedelta(days=400))
        Participant.objects.bulk_create(
            [
                Participant(
                    course=activity.course, full_name=f"Học viên {batch}{n}", kind="staff", attended=True
                )
                for n in range(10)
            ]
        )
        Recommendation.objects.bulk_create(
            [
                Recommendation(
                    inspection=activity.inspection,
                    text=f"Kiến nghị {batch}{n}",
                    owner=plan.task_1.lead_agency,
                    deadline=dt.date(YEAR, 6, 1),
                )
                for n in range(20)
            ]
        )

    add_batch(1)
    with CaptureQueriesContext(connection) as first:
        selectors.report_data(user=coordinator, period=plan.year)
    add_batch(2)
    with CaptureQueriesContext(connection) as second:
        data = selectors.report_data(user=coordinator, period=plan.year)
    assert data.facts.child_friendly.communes == 8 and data.facts.campaigns_total.campaigns == 8
    assert len(second) == len(first)


def _tasks_carry_areas() -> bool:
    from django.core.exceptions import FieldDoesNotExist

    from treem.plans.models import Task

    try:
        Task._meta.get_field("areas")
    except FieldDoesNotExist:
        return False
    return True


@pytest.mark.skipif(
    not _tasks_carry_areas(), reason="the plan's tasks do not record their solution areas yet"
)
def test_tasks_are_told_under_the_solution_areas_they_serve(coordinator, plan, geo):
    """A task assigned under IV.1 (who leads) that serves II.1 and II.2 is told under II.1 with its
    agency's report and referred to under II.2; the assignment section is not an area of results."""
    assignment = Section.objects.create(plan=plan.plan, code="IV.1", position=10, title="Sở Y tế")
    plan.task_1.section = assignment
    plan.task_1.save()
    plan.task_1.areas.set([plan.section_1, plan.section_2])
    text = "\n".join(p.text for p in Document(io.BytesIO(generate(coordinator, plan.year).docx)).paragraphs)
    part = text[
        text.index("3. Kết quả thực hiện theo nhóm nhiệm vụ") : text.index("4. Kết quả thực hiện của")
    ]
    assert "IV.1. Sở Y tế" not in part
    first = part.index("- II.1.a. Ban hành kế hoạch năm của các sở, ngành (Hoàn thành).")
    assert part.index("II.1. Lãnh đạo, chỉ đạo") < first < part.index("II.2. Truyền thông, giáo dục")
    assert "- II.1.a. Ban hành kế hoạch năm của các sở, ngành (Hoàn thành): xem mục II.1." in part
    assert part.count("Đã ban hành 15 kế hoạch của các sở, ngành và địa phương.") == 1

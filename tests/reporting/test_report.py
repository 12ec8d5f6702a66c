"""The consolidated report: its .docx read back with python-docx, its .xlsx with openpyxl, the
background job and its downloads, bad input and scope."""

from __future__ import annotations

import datetime as dt
import io
import os
import stat
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.urls import reverse
from docx import Document
from openpyxl import load_workbook

from treem.audit.models import AuditEvent
from treem.core.scope import ScopeError
from treem.jobs import files
from treem.jobs.models import Job, JobStatus
from treem.jobs.worker import Worker
from treem.plans.models import Task
from treem.reporting import document, selectors, services
from treem.reporting.document import INDICATOR_COLUMNS, TASK_COLUMNS, Issuer

YEAR = 2026


def docx_text(doc) -> str:
    parts = [p.text for p in doc.paragraphs]
    for table in doc.tables:
        for row in table.rows:
            parts.extend(cell.text for cell in row.cells)
    return "\n".join(parts)


def table_with(doc, columns) -> list[list[str]]:
    for table in doc.tables:
        rows = [[cell.text for cell in row.cells] for row in table.rows]
        if tuple(rows[0]) == tuple(columns):
            return rows
    raise AssertionError(f"no table headed {columns}")


def generate(user, plan, **issuer):
    return services.report_generate(acting_user=user, period=plan.year, issuer=Issuer(**issuer))


# --- the document --------------------------------------------------------------------------------


def test_docx_has_the_official_layout_tasks_indicators_and_concerns(coordinator, plan, figures):
    report = generate(coordinator, plan, number="25", signer="Nguyễn Văn Ký")
    doc = Document(io.BytesIO(report.docx))
    text = docx_text(doc)

    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in text
    assert "Độc lập - Tự do - Hạnh phúc" in text
    assert "ỦY BAN NHÂN DÂN" in text and "THÀNH PHỐ THỬ" in text
    assert "Số: 25/BC-UBND" in text
    assert "Thử, ngày" in text
    assert "BÁO CÁO" in text
    assert "Kết quả thực hiện Kế hoạch số 12/KH-UBND ngày 20/12/2025 năm 2026" in text
    assert "Nơi nhận:" in text and "Nguyễn Văn Ký" in text
    # Results per section, with the accepted report; the submitted one is left out.
    assert "II.1. Lãnh đạo, chỉ đạo" in text and "II.2. Truyền thông, giáo dục" in text
    assert "Đã ban hành 15 kế hoạch của các sở, ngành và địa phương." in text
    assert "Báo cáo chưa duyệt" not in text and "Khó khăn chưa duyệt" not in text
    assert "1 báo cáo đang xem xét hoặc trả lại" in text
    assert (
        "Nhiệm vụ chưa có báo cáo được chấp nhận trong kỳ: II.2.a (đang thực hiện); II.2.b (chậm tiến độ)."
        in text
    )
    assert "Thực hiện Kế hoạch số 12/KH-UBND ngày 20/12/2025 về thực hiện công tác trẻ em, UBND" in text
    # Difficulties and proposals gathered from the agencies' reports.
    assert "Sở Y tế (II.1.a): Thiếu cán bộ chuyên trách ở cấp xã." in text
    assert "Sở Y tế (II.1.a): Đề nghị bố trí thêm biên chế cho công tác trẻ em." in text

    tasks = table_with(doc, TASK_COLUMNS)[1:]
    in_db = list(Task.objects.filter(plan=plan.plan).order_by("position", "code"))
    assert [row[1] for row in tasks] == [t.code for t in in_db] == ["II.1.a", "II.2.a", "II.2.b"]
    assert [row[2] for row in tasks] == [t.content for t in in_db]
    assert [row[3] for row in tasks] == ["Sở Y tế", "Sở Y tế", "UBND Phường An"]
    assert tasks[0][4] == "UBND Phường An"
    assert [row[6] for row in tasks] == ["Hoàn thành", "Đang thực hiện", "Chậm tiến độ"]
    assert tasks[2][5] == "30/09/2026"

    indicators = {row[1]: row for row in table_with(doc, INDICATOR_COLUMNS)[1:]}
    ratio, count = "Tỷ lệ trẻ em được đăng ký khai sinh đúng hạn", "Số vụ xâm hại trẻ em (càng thấp càng tốt)"
    assert set(indicators) == {ratio, count}  # names, not codes; rows with no target and no figure left out
    # 85 / 110 = 77,27 %; 77,27 / 80 = 96,6 %
    assert indicators[ratio][3:] == ["80%", "77,27%", "96,6%", "Gần đạt"]
    # lower is better: 7 against at most 10 is within the target, 30 % under it (never "70%" or "0%")
    assert indicators[count][3:] == ["10", "7", "Trong mức kế hoạch (thấp hơn 30%)", "Đạt"]


def test_report_by_the_lead_department(coordinator, plan, geo):
    report = generate(coordinator, plan, kind=document.DEPARTMENT, agency_name="Sở Y tế")
    text = docx_text(Document(io.BytesIO(report.docx)))
    assert "SỞ Y TẾ" in text and "Số:" in text and "/BC-SYT" in text
    assert "UBND Thành phố Thử (để báo cáo)" in text


def test_xlsx_holds_tasks_and_indicator_figures(coordinator, plan, figures):
    report = generate(coordinator, plan)
    book = load_workbook(io.BytesIO(report.xlsx))
    assert book.sheetnames[:2] == ["Nhiệm vụ", "Chỉ tiêu"]
    assert book.sheetnames[-3:] == ["Theo cơ quan", "Đánh giá của điều phối", "Khó khăn - Kiến nghị"]
    tasks = list(book["Nhiệm vụ"].iter_rows(min_row=4, values_only=True))
    assert [(r[1], r[2], r[8]) for r in tasks] == [
        ("II.1.a", "II.1", "Hoàn thành"),
        ("II.2.a", "II.2", "Đang thực hiện"),
        ("II.2.b", "II.2", "Chậm tiến độ"),
    ]
    assert "100% sở, ngành có kế hoạch năm." in tasks[0][9]
    rows = {r[1]: r for r in book["Chỉ tiêu"].iter_rows(min_row=4, values_only=True)}
    ratio, count = (
        rows["Tỷ lệ trẻ em được đăng ký khai sinh đúng hạn"],
        rows["Số vụ xâm hại trẻ em (càng thấp càng tốt)"],
    )
    target, numerator, denominator, actual, reported = (ratio[i] for i in (3, 6, 7, 8, 9))
    assert (target, numerator, denominator, reported) == (80, 85, 110, 2)
    assert Decimal(str(actual)) == Decimal("77.27")
    assert (count[3], count[8], count[7], count[10]) == (10, 7, None, "Trong mức kế hoạch (thấp hơn 30%)")
    concerns = list(book["Khó khăn - Kiến nghị"].iter_rows(min_row=2, values_only=True))
    assert [c[1:] for c in concerns] == [
        (
            "Sở Y tế",
            "II.1.a",
            "Thiếu cán bộ chuyên trách ở cấp xã.",
            "Đề nghị bố trí thêm biên chế cho công tác trẻ em.",
        )
    ]


def test_generating_is_audited(coordinator, plan):
    generate(coordinator, plan)
    event = AuditEvent.objects.get(action="reporting.report.generated")
    assert event.actor == coordinator
    assert event.changes["period"] == plan.year.label and event.changes["tasks"] == 3


def test_numbers_and_phrases():
    assert document.vn_number(Decimal("1234567.50")) == "1.234.567,5"
    assert document.vn_number(Decimal("77.27")) == "77,27"
    assert document.vn_number(7) == "7"
    assert document.vn_number(None) == ""
    period = type("P", (), {"year": 2026, "kind": "quarter", "number": 3})
    assert document.period_phrase(period) == "quý III năm 2026"
    period.kind, period.number = "half_year", 1
    assert document.period_phrase(period) == "6 tháng đầu năm 2026"


# --- the page and the job ------------------------------------------------------------------------


def post_form(client, plan, **overrides):
    data = {
        "plan": plan.plan.pk,
        "year": YEAR,
        "period": "year",
        "issuer": "committee",
        "number": "",
        "signer": "",
    }
    data.update(overrides)
    return client.post(reverse("reporting:report_form"), data)


def test_generate_runs_as_a_job_and_the_owner_downloads_both_files(client, coordinator, plan, figures):
    client.force_login(coordinator)
    assert client.get(reverse("reporting:report_form")).status_code == 200
    response = post_form(client, plan)
    job = Job.objects.get(kind=services.KIND)
    assert response.status_code == 302 and response["Location"] == job.get_absolute_url()
    assert job.status == JobStatus.DONE and job.unit == plan.plan.unit
    page = client.get(job.get_absolute_url())
    docx_url = reverse("reporting:report_download", args=[job.pk, "docx"])
    xlsx_url = reverse("reporting:report_download", args=[job.pk, "xlsx"])
    assert docx_url in page.content.decode() and xlsx_url in page.content.decode()

    # Files are private job outputs: under the upload folder no URL serves, owner-only mode.
    for output in job.result["outputs"]:
        path = files.path_of(output["path"])
        assert path.is_file() and stat.S_IMODE(os.stat(path).st_mode) == 0o600

    before = AuditEvent.objects.filter(action="reporting.report.downloaded").count()
    response = client.get(docx_url)
    assert response.status_code == 200 and response["Cache-Control"] == "no-store, private"
    doc = Document(io.BytesIO(b"".join(response.streaming_content)))
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in docx_text(doc)
    response = client.get(xlsx_url)
    assert response.status_code == 200
    assert load_workbook(io.BytesIO(b"".join(response.streaming_content))).sheetnames[0] == "Nhiệm vụ"
    events = AuditEvent.objects.filter(action="reporting.report.downloaded").order_by("id")
    assert events.count() == before + 2
    assert [e.changes["output"] for e in events] == ["docx", "xlsx"]
    assert client.get(reverse("reporting:report_download", args=[job.pk, "pdf"])).status_code == 404


def test_the_page_returns_at_once_and_shows_progress_until_a_worker_runs_it(
    client, settings, coordinator, plan
):
    settings.TREEM_JOBS_INLINE = False
    client.force_login(coordinator)
    response = post_form(client, plan)
    job = Job.objects.get(kind=services.KIND)
    assert response.status_code == 302 and job.status == JobStatus.QUEUED
    page = client.get(job.get_absolute_url()).content.decode()
    assert 'data-testid="job-progress"' in page and "hx-trigger" in page
    assert not AuditEvent.objects.filter(action="reporting.report.generated").exists()
    Worker(heartbeat=False).run(burst=True)
    job.refresh_from_db()
    assert job.status == JobStatus.DONE, job.error
    assert job.progress_stage == "store"
    assert 'data-testid="report-download-docx"' in client.get(job.get_absolute_url()).content.decode()


def test_only_the_owner_downloads(client, coordinator, admin, plan):
    client.force_login(coordinator)
    post_form(client, plan)
    job = Job.objects.get(kind=services.KIND)
    client.force_login(admin)  # may follow others' jobs, never download their files
    assert client.get(reverse("reporting:report_download", args=[job.pk, "docx"])).status_code == 404


# --- bad input -----------------------------------------------------------------------------------


def nothing_written():
    return (
        not Job.objects.exists() and not AuditEvent.objects.filter(action__startswith="reporting.").exists()
    )


def test_a_year_without_a_plan_is_refused_with_a_message(client, coordinator, plan):
    client.force_login(coordinator)
    response = post_form(client, plan, year=2031)
    assert response.status_code == 400
    assert "has reporting periods in 2031" in response.content.decode()
    assert nothing_written()


def test_a_period_not_closed_is_refused_with_a_message(client, coordinator, plan):
    client.force_login(coordinator)
    response = post_form(client, plan, period="Q4")
    assert response.status_code == 400
    text = response.content.decode()
    # A calendar quarter's figures stop on the 14th of its last month (Decree 09/2019, Art. 12).
    assert "Quarter 4/2026 is not closed yet: its figures run to 14/12/2026" in text
    assert "from 15/12/2026" in text
    assert nothing_written()


def test_a_period_the_plan_does_not_have_is_refused(coordinator, plan):
    with pytest.raises(ValidationError, match="no such period in 2026"):
        selectors.period_find(user=coordinator, year=YEAR, period="Q2", plan=plan.plan)
    with pytest.raises(ValidationError, match="is not a period"):
        selectors.parse_period_choice("Q5")


def test_department_issuer_needs_an_agency(client, coordinator, plan):
    client.force_login(coordinator)
    response = post_form(client, plan, issuer="department")
    assert response.status_code == 400
    assert "names no agency" in response.content.decode()
    assert nothing_written()


def test_command_writes_the_report_and_the_figures(coordinator, plan, figures, tmp_path):
    out, xlsx = tmp_path / "bao-cao.docx", tmp_path / "so-lieu.xlsx"
    call_command(
        "report", year=YEAR, unit="48", user="dieuphoi", out=str(out), xlsx=str(xlsx), stdout=io.StringIO()
    )
    doc = Document(str(out))
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in docx_text(doc)
    assert len(table_with(doc, TASK_COLUMNS)) == 4
    assert load_workbook(xlsx).sheetnames[:2] == ["Nhiệm vụ", "Chỉ tiêu"]


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"year": 2031}, "has reporting periods in 2031"),
        ({"year": YEAR, "period": "Q4"}, "is not closed yet"),
        ({"year": YEAR, "unit": "47"}, "No unit 47 among your units"),
        ({"year": YEAR, "user": "canbo_a"}, "may not make consolidated reports"),
    ],
)
def test_command_refuses_bad_input_and_writes_nothing(
    coordinator, officer_a, plan, tmp_path, options, message
):
    out = tmp_path / "bao-cao.docx"
    arguments = {"user": "dieuphoi", "out": str(out), **options}
    with pytest.raises(CommandError, match=message):
        call_command("report", **arguments)
    assert not out.exists()
    assert not AuditEvent.objects.filter(action__startswith="reporting.").exists()


# --- scope ---------------------------------------------------------------------------------------


def test_a_commune_officer_cannot_generate_the_provinces_report(client, officer_a, plan):
    client.force_login(officer_a)
    assert client.get(reverse("reporting:report_form")).status_code == 403
    assert post_form(client, plan).status_code == 403
    with pytest.raises(ScopeError):
        services.report_request(acting_user=officer_a, plan=plan.plan, year=YEAR)
    assert nothing_written()


def test_another_provinces_coordinator_sees_nothing_of_this_one(
    client, coordinator, elsewhere, plan, figures
):
    client.force_login(coordinator)
    post_form(client, plan)
    job = Job.objects.get(kind=services.KIND)

    client.force_login(elsewhere.coordinator)
    page = client.get(reverse("reporting:report_form"))
    assert page.status_code == 200
    assert plan.plan.title not in page.content.decode() and job.subject not in page.content.decode()
    response = post_form(client, plan)
    assert response.status_code == 400  # not among the plans they may choose
    assert Job.objects.count() == 1
    assert client.get(reverse("reporting:report_download", args=[job.pk, "docx"])).status_code == 404
    assert client.get(job.get_absolute_url()).status_code == 404
    with pytest.raises(ScopeError):
        services.report_request(acting_user=elsewhere.coordinator, plan=plan.plan, year=YEAR)
    with pytest.raises(ValidationError):  # the province's plans are not theirs to find
        selectors.period_find(user=elsewhere.coordinator, year=YEAR, unit=plan.plan.unit)
    with pytest.raises(ScopeError):
        services.report_generate(acting_user=elsewhere.coordinator, period=plan.year, issuer=Issuer())


def test_the_other_provinces_figures_do_not_count(coordinator, plan, figures, elsewhere):
    rows = {
        r.indicator.code: r
        for r in selectors.indicator_rows(user=coordinator, unit=plan.plan.unit, year=YEAR)
    }
    assert (rows["RP_TY_LE"].numerator, rows["RP_TY_LE"].denominator) == (85, 110)
    assert rows["RP_TY_LE"].actual == Decimal("77.27")


def test_closed_means_the_last_day_has_passed(coordinator, plan):
    last = plan.year.ends_on
    with pytest.raises(ValidationError, match="not closed"):
        selectors.period_find(user=coordinator, year=YEAR, plan=plan.plan, today=last)
    assert selectors.period_find(
        user=coordinator, year=YEAR, plan=plan.plan, today=last + dt.timedelta(days=1)
    )


def test_a_job_whose_period_reopened_fails_with_the_message_and_leaves_nothing(
    client, settings, coordinator, plan
):
    settings.TREEM_JOBS_INLINE = False
    client.force_login(coordinator)
    post_form(client, plan)
    job = Job.objects.get(kind=services.KIND)
    plan.year.ends_on = dt.date(YEAR, 12, 31)  # changed after the request was queued
    plan.year.save()
    Worker(heartbeat=False).run(burst=True)
    job.refresh_from_db()
    assert job.status == JobStatus.FAILED
    assert "Year 2026 is not closed yet: its figures run to 14/12/2026" in job.error
    assert not AuditEvent.objects.filter(action__startswith="reporting.").exists()
    reports = files.root() / "reports"
    assert not reports.exists() or not any(reports.iterdir())
    assert 'data-testid="job-error"' in client.get(job.get_absolute_url()).content.decode()

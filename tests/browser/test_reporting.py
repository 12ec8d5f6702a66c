"""Issue 5's "done when": the annual consolidated .docx is generated and opens.

The coordinator chooses the year and clicks Generate; the page comes back at once with the job
queued (no worker yet), a worker runs it, the job page (polling with htmx) offers the files, and
the downloaded .docx is read back with python-docx: the national heading, the task table and the
indicator table against targets.
"""

import io
from pathlib import Path

import pytest
from docx import Document
from openpyxl import load_workbook

from tests.browser.test_platform import go_to
from tests.reporting.records import build_indicators, build_plan
from treem.audit.models import AuditEvent
from treem.documents.official import NATIONAL_NAME
from treem.jobs.models import Job
from treem.jobs.worker import Worker
from treem.reporting.document import INDICATOR_COLUMNS, TASK_COLUMNS

pytestmark = pytest.mark.browser


@pytest.fixture
def plan(geo, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "uploads"
    settings.TREEM_JOBS_INLINE = False  # a real queue: the page must not wait for the report
    built = build_plan(unit=geo.province, lead=geo.department, cooperating=geo.agency_a)
    build_indicators(province=geo.province, commune_a=geo.commune_a, commune_b=geo.commune_b)
    return built


def rows_of(doc, columns):
    for table in doc.tables:
        rows = [[cell.text for cell in row.cells] for row in table.rows]
        if tuple(rows[0]) == columns:
            return rows[1:]
    raise AssertionError(f"no table headed {columns}")


def test_the_annual_consolidated_docx_is_generated_and_opens(new_page, login, coordinator, plan):
    page = new_page()
    login(page, coordinator)
    go_to(page, "nav-reports")
    page.fill("#id_year", "2026")
    page.select_option("#id_period", "year")
    with page.expect_navigation():
        page.get_by_test_id("report-generate").click()

    job = Job.objects.get(kind="reporting.consolidated")
    assert page.locator("#job-body").get_attribute("data-status") == "queued"
    assert page.get_by_test_id("job-progress").is_visible()

    assert Worker(heartbeat=False).run(burst=True) == 1
    job.refresh_from_db()
    assert job.status == "done", job.error
    docx_link = page.get_by_test_id("report-download-docx")
    docx_link.wait_for()  # the page's htmx refresh shows the outcome

    with page.expect_download() as info:
        docx_link.click()
    download = info.value
    assert download.suggested_filename == "bao-cao-2026-year.docx"
    doc = Document(io.BytesIO(Path(download.path()).read_bytes()))
    text = "\n".join(
        [p.text for p in doc.paragraphs] + [c.text for t in doc.tables for r in t.rows for c in r.cells]
    )
    assert NATIONAL_NAME in text and "BÁO CÁO" in text
    assert "Kết quả thực hiện Kế hoạch số 12/KH-UBND ngày 20/12/2025 năm 2026" in text
    assert [r[1] for r in rows_of(doc, TASK_COLUMNS)] == ["II.1.a", "II.2.a", "II.2.b"]
    # Bảng 2 names the indicators (never their internal codes).
    indicators = {r[1]: r for r in rows_of(doc, INDICATOR_COLUMNS)}
    assert indicators["Tỷ lệ trẻ em được đăng ký khai sinh đúng hạn"][3:5] == ["80%", "77,27%"]
    lower = indicators["Số vụ xâm hại trẻ em (càng thấp càng tốt)"]  # lower is better, and says so
    assert lower[3:5] == ["10", "7"] and lower[6] == "Đạt"
    assert "RP_TY_LE" not in text and "RP_SO_VU" not in text

    with page.expect_download() as info:
        page.get_by_test_id("report-download-xlsx").click()
    book = load_workbook(io.BytesIO(Path(info.value.path()).read_bytes()))
    assert book.sheetnames[:2] == ["Nhiệm vụ", "Chỉ tiêu"]
    assert AuditEvent.objects.filter(action="reporting.report.downloaded").count() == 2


def test_a_period_not_closed_shows_the_message_and_queues_nothing(new_page, login, coordinator, plan):
    page = new_page()
    login(page, coordinator)
    page.goto("/reports/")
    page.fill("#id_year", "2026")
    page.select_option("#id_period", "Q4")
    with page.expect_navigation():
        page.get_by_test_id("report-generate").click()
    # Decree 09: the figures of a quarter run to the 14th of its last month; the report follows.
    assert "15/12/2026" in page.get_by_test_id("report-errors").inner_text()
    assert not Job.objects.exists()

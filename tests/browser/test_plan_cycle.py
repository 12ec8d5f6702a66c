"""The plan's reporting cycle from end to end, in the browser, on the demo (issue 12's "done when").

After ``treem demo`` (a small scale of it), in the first week of December:

- the agency reporter (``baocao``, Education) finds on the home page the quarter's report their
  department owes, sees their tasks, and submits one report covering the quarter's tasks;
- the commune chairman (``chutich``, Bàn Thạch) reports on the commune's share of the IV.14 tasks;
- the coordinator (``dieuphoi``) sees the reporting rates by agency and by commune, returns the
  department's report and accepts the commune's;
- on 15 December the coordinator writes the general assessment and builds the annual report; the
  .docx read back has the solution areas II.1–II.8, no task with an accepted report "not started",
  no internal code, and every figure equal to the one its page's selector computes.

The date is the test's own: ``timezone.now`` (and the demo's clock) answer a moment the test sets,
so the cycle runs the same on any day of the year.
"""

from __future__ import annotations

import datetime as dt
import io
import re
from pathlib import Path

import pytest
from django.utils import timezone, translation
from django.utils.translation import gettext
from docx import Document

from tests.browser.test_platform import go_to
from tests.reporting.readback import expected_tables, numbered_tables
from treem.accounts.models import Agency, User
from treem.jobs.models import Job
from treem.jobs.worker import Worker
from treem.plans.models import AgencyReport, PeriodKind, ProgressReport, ReportingPeriod, ReportStatus
from treem.plans.services import agency_report_tasks
from treem.reporting.document import AGENCY_COLUMNS, STATUS_VI, TASK_COLUMNS

try:
    from playwright.sync_api import expect
except ImportError:  # the `browser` fixture skips these tests, or fails them in CI
    expect = None

pytestmark = pytest.mark.browser

INTERNAL_CODE = re.compile(r"\b[A-Z]{2,}_[A-Z0-9_]+\b")
AREAS = ("II.1", "II.2", "II.3", "II.4", "II.5", "II.6", "II.7", "II.8")


class Clock:
    """What ``timezone.now()`` answers in this test (the live server runs in this process)."""

    def __init__(self) -> None:
        self.moment = timezone.now()

    def set(self, day: dt.date, hour: int) -> None:
        self.moment = timezone.make_aware(dt.datetime.combine(day, dt.time(hour)))

    def __call__(self) -> dt.datetime:
        return self.moment


@pytest.fixture
def clock(monkeypatch):
    from treem.core.demo import clock as demo_clock

    fixed = Clock()
    monkeypatch.setattr(timezone, "now", fixed)
    monkeypatch.setattr(demo_clock, "_real_now", fixed)  # the demo's "present"
    return fixed


@pytest.fixture
def year() -> int:
    """This year, within the years of the bundled plan's reporting periods (2025–2030)."""
    return min(max(dt.date.today().year, 2025), 2030)


@pytest.fixture
def demo(transactional_db, clock, year, settings, tmp_path):
    """The demo, loaded as on 7 December: the year's reports are open and due on the 20th."""
    from treem.core.demo.seed import seed_demo

    settings.MEDIA_ROOT = tmp_path / "uploads"
    settings.TREEM_JOBS_INLINE = False  # the report is made in the background, as in production
    clock.set(dt.date(year, 12, 7), 9)
    seed_demo(verbosity=0, scale=0.05)


def as_demo(new_page, login, username: str):
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from treem.core.demo.seed import DEMO_PASSWORD

    user = User.objects.get(username=username)
    # The authenticator's codes follow the real time, which moves by seconds between two logins of
    # the same person here while the test's clock moves by days: the code already used would be
    # refused as a replay. A later code, as days later, is what the person would type.
    TOTPDevice.objects.filter(user=user).update(last_t=-1)
    page = new_page()
    login(page, user, DEMO_PASSWORD)
    return page


def open_from_worklist(page, kind: str, title: str) -> None:
    """Follow the home page's "To do" item of ``kind`` whose title starts with ``title``."""
    page.goto("/")
    item = page.get_by_test_id("worklist").locator("li", has_text=kind).filter(has_text=title)
    expect(item.first).to_be_visible()
    with page.expect_navigation():
        item.first.locator("a").click()


def fill_and_submit(page, summary: str) -> list[str]:
    """Fill every task's row of the agency report on the page and submit it; returns the tasks."""
    form = page.get_by_test_id("agency-report-form")
    form.locator("#id_summary").fill(summary)
    codes = []
    for fieldset in form.locator("fieldset").all():
        codes.append(fieldset.get_attribute("data-testid").removeprefix("row-"))
        fieldset.locator("select").select_option("in_progress")
        fieldset.locator("textarea[name$='-activities']").fill("Tổ chức 04 buổi sinh hoạt chuyên đề.")
        fieldset.locator("textarea[name$='-results']").fill("Khoảng 600 lượt học sinh, phụ huynh tham gia.")
    with page.expect_navigation():
        page.get_by_test_id("submit-agency-report").click()
    return codes


def decide(page, decision: str, comment: str = "") -> None:
    page.select_option("#id_decision", decision)
    if comment:
        page.fill("#id_comment", comment)
    with page.expect_navigation():
        page.locator("form[action*='decide'] button[type=submit]").click()


def rates_total(table) -> tuple[int, int]:
    """(expected, submitted) of a rates table's total line."""
    cells = table.locator("tfoot td").all_inner_texts()
    return int(cells[1]), int(cells[2])


def test_the_plans_cycle_from_the_agencies_reports_to_the_annual_report(new_page, login, demo, clock, year):
    with translation.override("vi"):
        quarter = ReportingPeriod.objects.get(kind=PeriodKind.QUARTER, year=year, number=4)
        annual = ReportingPeriod.objects.get(kind=PeriodKind.YEAR, year=year)
        quarter_label, annual_label = str(quarter.label), str(annual.label)
        to_write, to_decide = (
            gettext("Periodic report to write"),
            gettext("Periodic reports to accept or return"),
        )
        to_correct = gettext("Periodic report to correct")
    reporter = User.objects.get(username="baocao")
    chairman = User.objects.get(username="chutich")

    # The agency reporter: the quarter's report waits on the home page; their tasks are listed.
    page = as_demo(new_page, login, "baocao")
    go_to(page, "nav-tasks")
    tasks = agency_report_tasks(period=quarter, agency=reporter.agency)
    assert tasks.count() >= 2  # the department's quarterly tasks, in one report
    for task in reporter.agency.led_tasks.filter(parent__isnull=True):
        expect(page.locator("main")).to_contain_text(task.code)
    open_from_worklist(page, to_write, quarter_label)
    with page.expect_navigation():
        page.get_by_test_id(f"my-report-{reporter.agency_id}").click()
    reported = fill_and_submit(page, "Sở đã triển khai đầy đủ các nhiệm vụ của quý.")
    assert sorted(reported) == sorted(tasks.values_list("code", flat=True))
    department_report = AgencyReport.objects.get(period=quarter, agency=reporter.agency)
    assert department_report.status == ReportStatus.SUBMITTED
    assert department_report.rows.count() == len(reported)  # one report, a row per task

    # The commune chairman: the commune's share of the IV.14 tasks, in the year's report.
    page = as_demo(new_page, login, "chutich")
    open_from_worklist(page, to_write, annual_label)
    commune_pc = Agency.objects.get(
        kind="commune_pc", unit=chairman.unit_assignments.get().unit, valid_to__isnull=True
    )
    with page.expect_navigation():
        page.get_by_test_id(f"my-report-{commune_pc.pk}").click()
    reported = fill_and_submit(page, "Xã đã lồng ghép mục tiêu trẻ em vào kế hoạch năm.")
    assert reported and all(code.startswith("IV.14.") for code in reported)
    commune_report = AgencyReport.objects.get(period=annual, agency=commune_pc)
    assert commune_report.status == ReportStatus.SUBMITTED

    # The coordinator: the reports to decide wait on the home page; rates by agency and commune.
    page = as_demo(new_page, login, "dieuphoi")
    open_from_worklist(page, to_decide, quarter_label)
    page.goto(annual.get_absolute_url())
    agency_rates = page.get_by_test_id("rates").first
    expect(agency_rates).to_contain_text(str(reporter.agency))
    commune_rates = page.get_by_test_id("commune-rates")
    expect(commune_rates).to_contain_text(commune_pc.unit.name)
    bàn_thạch = commune_rates.locator("tbody tr", has_text=commune_pc.unit.name)
    assert bàn_thạch.locator("td").nth(2).inner_text() == str(len(reported))  # submitted, by name
    # The department's report is returned with comments, the commune's accepted.
    page.goto(department_report.get_absolute_url())
    decide(page, "return", "Đề nghị bổ sung số lượt học sinh được học kỹ năng an toàn.")
    page.goto(commune_report.get_absolute_url())
    decide(page, "accept")
    department_report.refresh_from_db()
    commune_report.refresh_from_db()
    assert (department_report.status, commune_report.status) == (ReportStatus.RETURNED, ReportStatus.ACCEPTED)
    assert {r.status for r in commune_report.rows.all()} == {ReportStatus.ACCEPTED}
    page.goto(annual.get_absolute_url())
    shown = rates_total(page.get_by_test_id("rates").first), rates_total(page.get_by_test_id("commune-rates"))

    # The reporter finds the returned report on the home page, to correct.
    page = as_demo(new_page, login, "baocao")
    open_from_worklist(page, to_correct, quarter_label)
    expect(page.get_by_test_id("agency-report-form")).to_be_visible()

    # 15 December: the year's figures are closed; the coordinator writes and builds the report.
    clock.set(dt.date(year, 12, 15), 9)
    page = as_demo(new_page, login, "dieuphoi")
    go_to(page, "nav-reports")
    with page.expect_navigation():
        page.get_by_test_id("report-texts-link").click()
    page.fill("#id_year_choose", str(year))
    page.select_option("#id_period_choose", "year")
    with page.expect_navigation():
        page.locator("[data-testid=texts-choose] button").click()
    assessment = "Năm qua các cơ quan, địa phương đã triển khai đồng bộ Kế hoạch; báo cáo đúng hạn tăng."
    page.fill("#id_assessment", assessment)
    page.fill("#id_difficulties", "Kinh phí cho công tác trẻ em ở cấp xã còn hạn chế.")
    with page.expect_navigation():
        page.get_by_test_id("texts-save").click()
    go_to(page, "nav-reports")
    page.fill("#id_year", str(year))
    page.select_option("#id_period", "year")
    with page.expect_navigation():
        page.get_by_test_id("report-generate").click()
    job = Job.objects.get(kind="reporting.consolidated")
    assert Worker(heartbeat=False).run(burst=True) >= 1
    job.refresh_from_db()
    assert job.status == "done", job.error
    link = page.get_by_test_id("report-download-docx")
    link.wait_for()
    with page.expect_download() as info:
        link.click()
    doc = Document(io.BytesIO(Path(info.value.path()).read_bytes()))
    paragraphs = [p.text for p in doc.paragraphs]
    cells = [c.text for t in doc.tables for r in t.rows for c in r.cells]
    text = "\n".join(paragraphs + cells)

    # The plan's solution areas, each a section; the coordinator's text as written.
    for code in AREAS:
        assert any(p.startswith(f"{code}. ") for p in paragraphs), code
    assert assessment in text
    # No internal code anywhere.
    assert not INTERNAL_CODE.findall(text), INTERNAL_CODE.findall(text)[:5]
    # No task with an accepted report reads "not started".
    tables = numbered_tables(doc)
    task_table = next(rows for rows in tables.values() if tuple(rows[0]) == TASK_COLUMNS)
    status_of = {row[1]: row[6] for row in task_table[1:]}
    accepted = set(
        ProgressReport.objects.filter(
            status=ReportStatus.ACCEPTED, period__plan=annual.plan, period__ends_on__lte=annual.ends_on
        ).values_list("task__parent__code", "task__code")
    )
    accepted_codes = {parent or code for parent, code in accepted}
    assert accepted_codes & set(status_of), "the demo has accepted reports on the plan's tasks"
    for code in accepted_codes & set(status_of):
        assert status_of[code] != STATUS_VI["not_started"], code
    # Every figure equals the one its page's selector computes.
    coordinator = User.objects.get(username="dieuphoi")
    expected = expected_tables(coordinator, annual.plan.unit, annual)
    for title, rows in expected.items():
        assert title in tables, title
        # A table with no line prints the document's "no figures in the period" line.
        empty = [["", "Không có số liệu trong kỳ", *[""] * (len(tables[title][0]) - 2)]]
        assert tables[title][1:] == (rows or empty), title
    # The reports counted by agency are those the period page showed.
    by_agency = next(rows for rows in tables.values() if tuple(rows[0]) == AGENCY_COLUMNS)[1:]
    expected_reports = sum(int(r[7]) for r in by_agency)
    sent = sum(int(r[8]) for r in by_agency)
    assert (expected_reports, sent) == (shown[0][0] + shown[1][0], shown[0][1] + shown[1][1])

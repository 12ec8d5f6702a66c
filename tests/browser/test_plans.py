"""Plans in a real browser (Vietnamese interface): the provincial coordinator loads the province's
plan, an agency reporter submits a quarterly report that the coordinator returns and then accepts.

The coordinator and the reporter each use their own browser context, logged in through the login
page; they move through the pages by links and buttons.
"""

import datetime as dt

import pytest

from tests.factories import UserFactory
from treem.plans.models import PeriodKind, ProgressReport, ReportingPeriod, ReportStatus, Task

try:
    from playwright.sync_api import expect
except ImportError:  # the `browser` fixture skips these tests, or fails them in CI
    expect = None

pytestmark = pytest.mark.browser


def submit(page, testid: str) -> None:
    with page.expect_navigation():
        page.get_by_test_id(testid).click()


def test_coordinator_loads_the_plan_reporter_reports_coordinator_returns_then_accepts(
    new_page, login, coordinator, geo
):
    reporter = UserFactory(
        username="baocao_yte", roles=["agency_reporter"], units=[geo.province], agency=geo.department
    )

    # The coordinator loads the province's plan from the Plans page.
    boss = new_page()
    login(boss, coordinator)
    boss.goto("/plans/")
    with boss.expect_navigation():
        boss.get_by_test_id("plan-load").click()
    expect(boss.locator("#id_bundled")).to_be_checked()
    submit(boss, "plan-load-submit")
    table = boss.get_by_test_id("task-table")
    expect(table).to_contain_text("IV.14.c")
    expect(table).to_contain_text("Sở Tư pháp")
    # The plan's 31 tasks, and each commune's share of the three IV.14 tasks (two communes here).
    assert Task.objects.filter(parent__isnull=True).count() == 31
    assert Task.objects.filter(parent__isnull=False).count() == 3 * 2

    # The quarter open today (the file opens each quarter's reports in its last month).
    today = dt.date.today()
    period = (
        ReportingPeriod.objects.filter(kind=PeriodKind.QUARTER, opens_on__lte=today)
        .order_by("-opens_on")
        .first()
    )
    task = Task.objects.get(code="IV.1.d")  # quarterly; passed from the labour department to health
    assert task.lead_agency == geo.department

    # The health department's reporter writes and submits its report on the task.
    clerk = new_page()
    login(clerk, reporter)
    clerk.goto("/plans/tasks/")
    with clerk.expect_navigation():
        clerk.get_by_role("link", name="IV.1.d", exact=True).click()
    expect(clerk.get_by_test_id("lead-agency")).to_have_text("Sở Y tế")
    # The task page's button opens the department's one report of the quarter (the plan-cycle test
    # walks it); this test follows the report on this task alone, as a cooperating agency writes it.
    expect(clerk.get_by_test_id(f"report-quarter-{period.year}-{period.number}")).to_be_visible()
    clerk.goto(f"/plans/tasks/{task.pk}/report/{period.pk}/")
    clerk.fill("#id_activities", "Kiểm tra liên ngành tại 6 xã; tổng hợp báo cáo quý")
    clerk.fill("#id_results", "6/6 xã có kế hoạch bảo vệ trẻ em")
    clerk.fill("#id_difficulties", "Thiếu cán bộ chuyên trách ở xã")
    submit(clerk, "report-submit")
    report = ProgressReport.objects.get()
    assert (report.status, report.agency, report.period) == (ReportStatus.SUBMITTED, geo.department, period)

    # The coordinator returns it with a comment.
    boss.goto(report.get_absolute_url())
    boss.select_option("#id_decision", "return")
    boss.fill("#id_comment", "Bổ sung số trẻ em được hỗ trợ")
    submit(boss, "decide-submit")
    report.refresh_from_db()
    assert report.status == ReportStatus.RETURNED

    # The reporter sees the comment, completes the report and submits it again.
    clerk.goto(report.get_absolute_url())
    expect(clerk.get_by_test_id("review-comment")).to_contain_text("Bổ sung số trẻ em được hỗ trợ")
    submit(clerk, "report-edit")
    expect(clerk.get_by_test_id("review-comment")).to_contain_text("Bổ sung số trẻ em được hỗ trợ")
    clerk.fill("#id_figures", "42 trẻ em được hỗ trợ")
    submit(clerk, "report-submit")
    report.refresh_from_db()
    assert report.status == ReportStatus.SUBMITTED and report.figures == "42 trẻ em được hỗ trợ"

    # The coordinator accepts it.
    boss.goto(report.get_absolute_url())
    boss.select_option("#id_decision", "accept")
    submit(boss, "decide-submit")
    report.refresh_from_db()
    assert report.status == ReportStatus.ACCEPTED and report.decided_by == coordinator
    expect(boss.locator("main h1")).to_contain_text(report.get_status_display())

"""Work reaches the person who must act (issue 13), in a real browser: a hotline report for a
commune appears in that commune officer's worklist and bell (not in another commune's); the case's
assignment, plan submission, return, approval and closure request each reach the right person's
bell and nobody else's; opening the record marks the notification read."""

import datetime as dt

import pytest
from django.utils import timezone

from tests.browser.test_cases import action, as_user, submit
from tests.factories import ChildFactory, UserFactory
from treem.cases import services
from treem.cases.models import Case, CaseStep, Report
from treem.notifications.models import Notification

try:
    from playwright.sync_api import expect
except ImportError:  # the `browser` fixture skips these tests, or fails them in CI
    expect = None

pytestmark = pytest.mark.browser

REVIEW = {
    "harm_severity": "low",
    "abuser_access": "low",
    "care_environment": "low",
    "child_capacity": "medium",
}


def unread(page) -> int:
    page.goto("/")
    bell = page.get_by_test_id("unread-count")
    return int(bell.inner_text().split()[0]) if bell.count() else 0


def inbox(user) -> list[str]:
    return list(Notification.objects.filter(recipient=user).order_by("pk").values_list("category", flat=True))


def test_each_hand_over_reaches_the_right_person(new_page, login, geo, officer_a, officer_b, supervisor_a):
    hotline = UserFactory(username="tongdai_w", roles=["hotline_officer"], units=[geo.province])
    ChildFactory(commune=geo.commune_a, full_name="Lò Thị Mai", birth_year=2016)
    bystanders = [officer_b, hotline]

    # The hotline records a call for commune A.
    page = as_user(new_page, login, hotline)
    page.goto("/cases/reports/add/")
    page.select_option("#id_channel", "hotline_111")
    page.select_option("#id_unit", str(geo.commune_a.pk))
    page.fill("#id_summary", "Trẻ bị bỏ đói")
    page.fill("#id_child_name", "Lò Thị Mai")
    page.fill("#id_received_at", (timezone.localtime() - dt.timedelta(hours=1)).strftime("%d/%m/%Y %H:%M"))
    submit(page, "[data-testid=report-save]")
    report = Report.objects.get()

    # Commune A's officer: the report is in the worklist and the bell; commune B's: nothing.
    officer = as_user(new_page, login, officer_a)
    worklist = officer.get_by_test_id("worklist")
    expect(worklist).to_contain_text(report.tracking_code)
    assert unread(officer) == 1 and inbox(officer_a) == ["cases.report.received"]
    other = as_user(new_page, login, officer_b)
    expect(other.get_by_test_id("worklist")).not_to_contain_text(report.tracking_code)
    assert unread(other) == 0
    # Opening the report from the bell marks it read.
    officer.goto(report.get_absolute_url())
    assert unread(officer) == 0

    # The officer opens the case with the chairman as supervisor: the chairman is told.
    officer.goto(f"/cases/reports/{report.pk}/?q=Lò Thị Mai")
    submit(officer, "#find-child form[method=post] button")
    officer.select_option("#id_open-supervisor", str(supervisor_a.pk))
    submit(officer, "[data-testid=case-open]")
    case = Case.objects.get()
    boss = as_user(new_page, login, supervisor_a)
    assert unread(boss) == 1 and inbox(supervisor_a) == ["cases.case.assigned"]

    # Plan submitted → the supervisor; returned → the officer; approved → the officer.
    officer.goto(f"/cases/{case.pk}/")
    action(officer, "verify")
    action(officer, "assess", {"#id_assess-findings": "Trẻ gầy"})
    action(officer, "assess", {"#id_assess-findings": "Nguy cơ", "#id_assess-meeting_minutes": "Họp"}, {
        "#id_assess-kind": "specific"
    })  # fmt: skip
    review_on = (timezone.localdate() + dt.timedelta(days=30)).strftime("%d/%m/%Y")
    action(
        officer,
        "plan",
        {"#id_plan-goals": "An toàn", "#id_plan-actions": "Tư vấn", "#id_plan-review_on": review_on},
    )
    action(officer, "submit")
    assert inbox(supervisor_a)[-1] == "cases.plan.submitted" and unread(boss) == 2
    boss.goto(f"/cases/{case.pk}/")
    assert unread(boss) == 0  # the case page marks both read
    boss.goto(f"/cases/{case.pk}/")
    boss.check("input[name=decide-decision][value=reject]")
    action(boss, "decide", {"#id_decide-comments": "Bổ sung chuyển gửi"})
    assert inbox(officer_a)[-1] == "cases.plan.rejected" and unread(officer) == 1
    officer.goto(f"/cases/{case.pk}/")
    action(officer, "plan", {"#id_plan-actions": "Tư vấn; chuyển gửi"})
    action(officer, "submit")
    boss.goto(f"/cases/{case.pk}/")
    boss.check("input[name=decide-decision][value=approve]")
    action(boss, "decide")
    assert inbox(officer_a)[-1] == "cases.plan.approved"

    # Closure requested → the supervisor (the review recorded first, as the law has it).
    case.refresh_from_db()
    if case.step.code != "plan_in_progress":
        services.case_step_advance(
            acting_user=officer_a, case=case, target=CaseStep.objects.get(code="plan_in_progress")
        )
    services.assessment_record(
        acting_user=officer_a, case=case, kind="review", findings="Trẻ ổn định", ratings=REVIEW
    )
    services.case_close_request(acting_user=officer_a, case=case, note="Trẻ đã an toàn")
    assert inbox(supervisor_a)[-1] == "cases.case.closure_requested"

    # Nobody else heard of any of it; the notifications name the case by its number only.
    for user in bystanders:
        assert inbox(user) == [], user.username
    for text in Notification.objects.values_list("text", flat=True):
        assert "Lò Thị Mai" not in text and "bỏ đói" not in text

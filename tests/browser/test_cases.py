"""Child protection cases in a real browser (Vietnamese interface).

One case from a call to the hotline to its closure, through every hand it passes: the hotline
officer records the call (received 13 hours ago: the 12-hour deadline has passed, and the case
shows it overdue), the commune officer links the child and works the case, the supervisor
returns the plan and then approves it, the case is referred to a hospital, the child moves and
the case is transferred to the new commune, whose officer reviews it and whose supervisor closes
it. Then: a case worker of another commune gets 404, a break-the-glass opening shows in the
audit log, and the public report form works on a phone.
"""

import datetime as dt

import pytest
from django.utils import timezone

from tests.browser.test_children import screenshot
from tests.browser.test_platform import text_in
from tests.factories import AgencyFactory, ChildFactory, UserFactory
from treem.audit.models import AuditEvent
from treem.cases.models import Case, Referral, Report, Transfer

try:
    from playwright.sync_api import expect
except ImportError:  # the `browser` fixture skips these tests, or fails them in CI
    expect = None

pytestmark = pytest.mark.browser


def vi(message: str) -> str:
    return text_in("vi", message)


@pytest.fixture
def people(geo, officer_a, officer_b, supervisor_a):
    return {
        "hotline": UserFactory(username="tongdai", roles=["hotline_officer"], units=[geo.province]),
        "officer_a": officer_a,
        "supervisor_a": supervisor_a,
        "officer_b": officer_b,
        "supervisor_b": UserFactory(username="chutich_b", roles=["case_supervisor"], units=[geo.commune_b]),
    }


def as_user(new_page, login, user):
    page = new_page()
    login(page, user)
    return page


def submit(page, selector: str) -> None:
    with page.expect_navigation():
        page.click(selector)


def action(page, anchor: str, fields: dict | None = None, choose: dict | None = None) -> None:
    """Open the action ``anchor`` of the case page (a <details>), fill it in and send it."""
    details = page.locator(f"details#{anchor}")
    if details.get_attribute("open") is None:
        details.locator("summary").click()
    for selector, value in (fields or {}).items():
        page.fill(selector, value)
    for selector, value in (choose or {}).items():
        page.select_option(selector, value)
    submit(page, f"[data-testid={anchor}-submit]")


def step_of(page) -> str:
    return page.get_by_test_id("case-step").inner_text()


def test_a_case_from_the_hotline_to_its_closure(new_page, login, geo, people, settings):
    child = ChildFactory(commune=geo.commune_a, full_name="Lò Thị Mai", birth_year=2016)
    hospital = AgencyFactory(name="Bệnh viện Nhi tỉnh", kind="service", unit=geo.province)

    # 1. The hotline takes the call (received 13 hours ago: written down after a night shift).
    page = as_user(new_page, login, people["hotline"])
    page.goto("/cases/reports/add/")
    received = timezone.localtime() - dt.timedelta(hours=13)
    page.select_option("#id_channel", "hotline_111")
    page.select_option("#id_unit", str(geo.commune_a.pk))
    page.fill("#id_summary", "Trẻ bị cha dượng đánh")
    page.fill("#id_child_name", "Lò Thị Mai")
    page.fill("#id_child_age", "9")
    page.fill("#id_narrative", "Hàng xóm nghe tiếng khóc, thấy vết bầm ở lưng")
    page.fill("#id_received_at", received.strftime("%d/%m/%Y %H:%M"))
    submit(page, "[data-testid=report-save]")
    report = Report.objects.get()
    expect(page.locator("main")).to_contain_text(report.tracking_code)

    # 2. The commune officer finds the child, opens the case: the 12 hours have already passed.
    page = as_user(new_page, login, people["officer_a"])
    page.goto(f"/cases/reports/{report.pk}/?q=Lò Thị Mai")
    submit(page, "#find-child form[method=post] button")
    page.select_option("#id_open-supervisor", str(people["supervisor_a"].pk))
    submit(page, "[data-testid=case-open]")
    case = Case.objects.get()
    assert report.tracking_code and case.child == child
    expect(page.locator("#deadlines [data-state=overdue]")).to_have_count(1)
    expect(page.locator("#deadlines [data-state=overdue]")).to_contain_text(vi("overdue"))
    page.goto("/cases/")
    expect(page.get_by_test_id("overdue-count")).to_be_visible()

    # 3. Verify, assess (initial, then specific with the case meeting), draft and submit the plan.
    page.goto(f"/cases/{case.pk}/")
    action(page, "verify")
    action(page, "assess", {"#id_assess-findings": "Có vết bầm, trẻ sợ về nhà"})
    # Done now, 13 hours after the call: the 12-hour deadline was met late, and says so.
    late = page.locator("#deadlines [data-state=met_late]")
    expect(late).to_have_count(1)
    expect(late).to_contain_text(vi("overdue (met late)"))
    expect(page.locator("#deadlines [data-state=met]")).to_have_count(0)
    action(
        page,
        "assess",
        {"#id_assess-findings": "Nguy cơ cao", "#id_assess-meeting_minutes": "Họp nhóm liên ngành"},
        {"#id_assess-kind": "specific"},
    )
    review_on = (timezone.localdate() + dt.timedelta(days=30)).strftime("%d/%m/%Y")
    plan = {"#id_plan-goals": "Trẻ an toàn", "#id_plan-actions": "Tư vấn", "#id_plan-review_on": review_on}
    action(page, "plan", plan)
    action(page, "submit")
    screenshot(page, "case-plan-submitted.png")

    # 4. The supervisor returns the plan with comments, then approves the corrected one.
    boss = as_user(new_page, login, people["supervisor_a"])
    boss.goto(f"/cases/{case.pk}/")
    boss.check("input[name=decide-decision][value=reject]")
    action(boss, "decide", {"#id_decide-comments": "Thiếu biện pháp chuyển gửi y tế"})
    expect(boss.locator("#plans")).to_contain_text("Thiếu biện pháp chuyển gửi y tế")
    page.goto(f"/cases/{case.pk}/")
    action(page, "plan", {"#id_plan-actions": "Tư vấn; chuyển gửi bệnh viện nhi"})
    action(page, "submit")
    boss.goto(f"/cases/{case.pk}/")
    boss.check("input[name=decide-decision][value=approve]")
    action(boss, "decide")
    expect(boss.get_by_test_id("case-step")).to_contain_text("Phê duyệt kế hoạch")

    # 5. A referral to the hospital, accepted and then done.
    page.goto(f"/cases/{case.pk}/")
    action(page, "refer", {"#id_refer-request": "Khám và điều trị vết thương"}, {
        "#id_refer-service": "health",
        "#id_refer-agency": str(hospital.pk),
    })  # fmt: skip
    referral = Referral.objects.get()
    row = page.locator("[data-testid=referral]")
    row.locator("summary").click()
    row.locator("input[value=accepted]").check()
    submit(page, f"[data-testid=referral-answer-{referral.pk}]")
    row = page.locator("[data-testid=referral]")
    row.locator("summary").click()
    row.locator("input[value=done]").check()
    row.locator("textarea").fill("Đã khám, điều trị xong")
    submit(page, f"[data-testid=referral-answer-{referral.pk}]")
    expect(page.locator("[data-testid=referral]")).to_have_attribute("data-status", "done")
    page.locator("details#advance summary").click()
    page.select_option("#id_advance-target", index=1)
    submit(page, "[data-testid=advance-submit]")
    expect(page.get_by_test_id("case-step")).to_contain_text("Thực hiện kế hoạch")

    # 6. The child moves to commune B: a province, then its communes (loaded by htmx).
    details = page.locator("details#transfer")
    details.locator("summary").click()
    page.select_option("#id_transfer-province", str(geo.province.pk))
    expect(page.locator(f"#id_transfer-to_commune option[value='{geo.commune_b.pk}']")).to_have_count(1)
    page.select_option("#id_transfer-to_commune", str(geo.commune_b.pk))
    page.fill("#id_transfer-reason", "Gia đình chuyển về ở với bà ngoại tại xã Bình")
    submit(page, "[data-testid=transfer-submit]")
    expect(page.locator("[data-testid=transfer]")).to_have_attribute("data-status", "requested")

    # 7. Commune B's officer accepts it, with B's supervisor; the case is now B's.
    other = as_user(new_page, login, people["officer_b"])
    other.goto("/cases/")
    submit(other, "[data-testid=transfers-link]")
    submit(other, "[data-testid=incoming-transfer]")
    other.check("input[name=decide-decision][value=accept]")
    other.select_option("#id_decide-supervisor", str(people["supervisor_b"].pk))
    submit(other, "[data-testid=transfer-decide]")
    case.refresh_from_db()
    assert case.commune == geo.commune_b and Transfer.objects.get().status == "accepted"
    expect(other.locator("#timeline")).to_contain_text("Phường An")
    response = page.goto(f"/cases/{case.pk}/")  # the old commune no longer sees it
    assert response.status == 404

    # 8. B reviews, asks to close; B's supervisor closes the case.
    ratings = {
        f"#id_assess-risk_{code}": "low" for code in ("harm_severity", "abuser_access", "care_environment")
    }
    ratings["#id_assess-risk_child_capacity"] = "medium"
    ratings["#id_assess-kind"] = "review"
    action(other, "assess", {"#id_assess-findings": "Trẻ ổn định, đi học đều"}, ratings)
    action(other, "close", {"#id_close-note": "Trẻ an toàn, gia đình hợp tác"})
    chair = as_user(new_page, login, people["supervisor_b"])
    chair.goto(f"/cases/{case.pk}/")
    chair.check("input[name=closedecide-decision][value=approve]")
    action(chair, "closedecide", {"#id_closedecide-comments": "Đồng ý đóng hồ sơ"})
    case.refresh_from_db()
    assert case.status == "closed"
    expect(chair.get_by_test_id("case-step")).to_contain_text("Đóng hồ sơ")
    screenshot(chair, "case-closed.png")
    kinds = set(case.events.values_list("kind", flat=True))
    assert {"plan_rejected", "plan_approved", "referral_done", "transferred", "closed"} <= kinds


def test_a_case_worker_of_another_commune_gets_404(new_page, login, geo, officer_a, supervisor_a):
    from tests.cases.records import open_case

    case = open_case(officer_a, geo.commune_a, supervisor=supervisor_a)
    worker_b = UserFactory(username="vuviec_b", roles=["case_worker"], units=[geo.commune_b])
    page = as_user(new_page, login, worker_b)
    response = page.goto(f"/cases/{case.pk}/")
    assert response.status == 404
    expect(page.locator("main")).not_to_contain_text("Lò Thị Mai")
    assert not AuditEvent.objects.filter(action="cases.case.viewed", actor=worker_b).exists()


def test_break_the_glass_shows_in_the_audit_log(new_page, login, geo, officer_a, supervisor_a, coordinator):
    from tests.cases.records import open_case

    case = open_case(officer_a, geo.commune_a, supervisor=supervisor_a)
    page = as_user(new_page, login, coordinator)
    page.goto(f"/cases/{case.pk}/")
    expect(page.locator("main")).not_to_contain_text("roi mây")  # the exists page only
    page.fill("#id_reason", "Trẻ được đưa vào bệnh viện tỉnh lúc nửa đêm")
    submit(page, "main form button[type=submit]")
    expect(page.get_by_test_id("glass-banner")).to_be_visible()
    expect(page.locator("#reports")).to_contain_text("roi mây")
    # The supervisor sees it on the case, and in the audit log with the reason.
    boss = as_user(new_page, login, supervisor_a)
    boss.goto(f"/cases/{case.pk}/")
    expect(boss.locator("#glass-breaks")).to_contain_text("Trẻ được đưa vào bệnh viện tỉnh lúc nửa đêm")
    boss.goto("/audit/?action=cases.case.glass_broken")
    row = boss.locator("#events tbody tr:has(td[data-action='cases.case.glass_broken'])")
    expect(row.first).to_contain_text("Trẻ được đưa vào bệnh viện tỉnh lúc nửa đêm")
    expect(row.first).to_contain_text(coordinator.username)


def test_the_public_form_on_a_phone(new_page, geo, settings):
    settings.TREEM_PUBLIC_REPORT_MIN_SECONDS = 1
    page = new_page(viewport={"width": 375, "height": 667}, is_mobile=True, has_touch=True)
    page.goto("/bao-tin/")
    expect(page.locator("h1")).to_have_text(vi("Report a child at risk"))
    assert page.evaluate("document.documentElement.scrollWidth") <= 375  # nothing wider than the phone
    page.select_option("#id_province", str(geo.province.pk))
    expect(page.locator(f"#id_commune option[value='{geo.commune_a.pk}']")).to_have_count(1)
    page.select_option("#id_commune", str(geo.commune_a.pk))
    page.fill("#id_summary", "Em bé bị bỏ đói nhiều ngày")
    page.fill("#id_child_description", "Bé trai khoảng 6 tuổi ở cạnh chợ")
    page.fill("#id_narrative", "<script>alert('x')</script> Cháu gầy, hay đi xin ăn")
    button = page.get_by_test_id("public-report-send")
    box = button.bounding_box()
    assert box["width"] <= 375 and box["height"] >= 40  # a thumb-sized button across the screen
    screenshot(page, "public-form-phone.png")
    page.wait_for_timeout(1100)
    button.tap()
    page.wait_for_url("**/bao-tin/sent/")
    code = page.get_by_test_id("tracking-code").inner_text().strip()
    report = Report.objects.get()
    assert code == report.tracking_code and report.unit == geo.commune_a and report.channel == "online"
    assert report.narrative.startswith("<script>")  # kept as text
    screenshot(page, "public-report-phone.png")
    page.goto("/bao-tin/status/")
    page.fill("#id_code", code)
    submit(page, "[data-testid=status-lookup]")
    expect(page.get_by_test_id("public-status")).to_have_attribute("data-status", "received")
    expect(page.get_by_test_id("public-status")).to_contain_text(vi("Received"))
    expect(page.locator("main")).not_to_contain_text("bỏ đói")

"""The register of complaints and petitions in a real browser (Vietnamese interface): an entry
received long ago is registered, shows as overdue, is answered and closed; closing it before the
day it was received is refused with a message."""

import datetime as dt

import pytest
from django.utils import timezone

from tests.browser.test_platform import PHONE, go_to, text_in
from treem.audit.models import AuditEvent
from treem.complaints.models import Complaint

try:
    from playwright.sync_api import expect
except ImportError:  # the `browser` fixture skips these tests, or fails them in CI
    expect = None

pytestmark = pytest.mark.browser


def dmy(day: dt.date) -> str:
    return day.strftime("%d/%m/%Y")


def submit(page, form_selector: str) -> None:
    with page.expect_navigation():
        page.click(f"{form_selector} button[type=submit]")


def test_a_complaint_becomes_overdue_is_answered_and_closed(page, login, officer_a, geo):
    today = timezone.localdate()
    received = today - dt.timedelta(days=120)
    login(page, officer_a)
    go_to(page, "nav-complaints")
    with page.expect_navigation():
        page.get_by_test_id("complaint-add").click()

    # Register it: received four months ago, so its 30 working days have run out.
    page.select_option("#id_kind", "complaint")
    page.select_option("#id_unit", str(geo.commune_a.pk))
    page.fill("#id_received_on", dmy(received))
    page.select_option("#id_sender_kind", "parent")
    page.fill("#id_sender_name", "Nguyễn Thị Hoa")
    page.fill("#id_subject", "Khiếu nại về việc trường không nhận trẻ")
    page.fill("#id_details", "Con tôi bị từ chối nhập học")
    submit(page, "#complaint-form")
    complaint = Complaint.objects.get()
    assert page.url.endswith(complaint.get_absolute_url())
    expect(page.locator("main h1")).to_contain_text(complaint.number)
    expect(page.get_by_test_id("overdue")).to_be_visible()
    expect(page.get_by_test_id("due-on")).to_contain_text(dmy(complaint.due_on))
    assert complaint.due_on < today

    # The register flags it too, and does not show the sender.
    page.goto("/complaints/")
    row = page.locator("#complaints tbody tr", has_text=complaint.number)
    expect(row.get_by_test_id("overdue")).to_be_visible()
    expect(page.locator("#complaints")).not_to_contain_text("Nguyễn Thị Hoa")

    # Answer it.
    with page.expect_navigation():
        row.get_by_role("link", name=complaint.number).click()
    page.fill("#id_answer-answer", "Đã chỉ đạo nhà trường nhận trẻ vào học")
    page.fill("#id_answer-answered_on", dmy(today))
    submit(page, "#answer-form")
    expect(page.get_by_test_id("answer")).to_contain_text("Đã chỉ đạo nhà trường")
    expect(page.get_by_test_id("overdue")).to_be_visible()  # answered, still open

    # Closing before it was received: the message, nothing written.
    page.fill("#id_close-closed_on", dmy(received - dt.timedelta(days=1)))
    submit(page, "#close-form")
    expect(page.locator("#close-form .invalid-feedback")).to_contain_text(
        text_in("vi", "It cannot be closed before it was received.")
    )
    complaint.refresh_from_db()
    assert complaint.closed_on is None

    # Close it today.
    page.fill("#id_close-closed_on", dmy(today))
    submit(page, "#close-form")
    expect(page.get_by_test_id("closed-on")).to_contain_text(dmy(today))
    expect(page.get_by_test_id("overdue")).to_have_count(0)
    complaint.refresh_from_db()
    assert complaint.closed_on == today and complaint.closed_late
    actions = list(
        AuditEvent.objects.filter(action__startswith="complaints.complaint.").values_list("action", flat=True)
    )
    assert {
        "complaints.complaint.registered",
        "complaints.complaint.answered",
        "complaints.complaint.closed",
    } <= set(actions)


def test_the_register_fits_a_phone(new_page, login, officer_a, geo):
    from tests.complaints.records import register

    register(officer_a, geo.commune_a, received_on=timezone.localdate() - dt.timedelta(days=90))
    page = new_page(**PHONE)
    login(page, officer_a)
    page.goto("/complaints/")
    expect(page.get_by_test_id("overdue")).to_be_visible()
    widths = page.evaluate("({scroll: document.scrollingElement.scrollWidth, inner: window.innerWidth})")
    assert widths["scroll"] <= widths["inner"]

"""Forms that help on a phone: the public report form sent without the child's name shows what to
correct inside the first screen, with the keyboard focus on the first field in error."""

import pytest

from tests.browser.test_platform import PHONE, text_in

try:
    from playwright.sync_api import expect
except ImportError:  # the `browser` fixture skips these tests, or fails them in CI
    expect = None

pytestmark = pytest.mark.browser


def test_the_public_form_shows_its_errors_in_the_first_screen(new_page, geo, settings):
    settings.TREEM_PUBLIC_REPORT_MIN_SECONDS = 1
    page = new_page(**PHONE)
    page.goto("/bao-tin/")
    expect(page.locator("label[for=id_summary] .text-danger")).to_have_text(" *")  # marked required
    page.select_option("#id_province", str(geo.province.pk))
    page.fill("#id_summary", "Em bé bị bỏ đói")  # neither the child's name nor a description
    page.wait_for_timeout(1100)
    with page.expect_navigation():
        page.get_by_test_id("public-report-send").tap()
    summary = page.get_by_test_id("error-summary")
    expect(summary).to_be_visible()
    box = summary.bounding_box()
    assert box["y"] >= 0 and box["y"] + min(box["height"], 120) <= 667, f"the summary is off screen: {box}"
    message = text_in("vi", "Give the child's name, or describe the child so that they can be found.")
    expect(summary).to_contain_text(message)
    expect(page.locator("#id_child_name")).to_be_focused()
    # The typed text is kept.
    expect(page.locator("#id_summary")).to_have_value("Em bé bị bỏ đói")

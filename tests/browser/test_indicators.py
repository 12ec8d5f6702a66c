"""Indicators through a real browser: two communes enter their figures and the province's totals
match the numbers computed by hand (a count summed, a percentage recomputed from its parts)."""

import pytest

from tests.browser.test_platform import go_to

try:
    from playwright.sync_api import expect
except ImportError:  # the `browser` fixture skips these tests, or fails them in CI
    expect = None

pytestmark = pytest.mark.browser


def enter_figures(page, commune, figures: dict) -> None:
    """Open the entry page of ``commune`` for 2026 from the menu and type ``figures``."""
    go_to(page, "nav-indicators")
    page.get_by_test_id("nav-entry").click()
    page.select_option("#id_unit", str(commune.pk))
    page.fill("#id_period", "2026")
    with page.expect_navigation():
        page.click("main form button[type=submit]")
    for name, value in figures.items():
        page.fill(f"input[name={name}]", value)
    with page.expect_navigation():
        page.get_by_test_id("save").click()
    expect(page.locator(".alert-success")).to_contain_text(
        str(len([n for n in figures if n.startswith("num_")]))
    )


def test_commune_figures_add_up_to_the_province(new_page, login, geo, officer_a, officer_b, coordinator):
    # Hand-computed: immunised 90/100 (A) and 45/60 (B) → 135/160 = 84.375 % → 84,38 (not the
    # average 82.5 %); drowning deaths 2 + 3 = 5.
    page_a = new_page()
    login(page_a, officer_a)
    enter_figures(
        page_a,
        geo.commune_a,
        {"num_PAC_IMMUNISED": "90", "den_PAC_IMMUNISED": "100", "num_PAC_DROWNING": "2"},
    )
    expect(page_a.locator("tr[data-code=PAC_IMMUNISED]")).to_contain_text("90")

    page_b = new_page()
    login(page_b, officer_b)
    enter_figures(
        page_b,
        geo.commune_b,
        {"num_PAC_IMMUNISED": "45", "den_PAC_IMMUNISED": "60", "num_PAC_DROWNING": "3"},
    )
    # A percentage over 100 is refused with a message, and nothing of the page is saved.
    page_b.fill("input[name=num_PAC_PRIMARY]", "70")
    page_b.fill("input[name=den_PAC_PRIMARY]", "60")
    page_b.fill("input[name=num_PAC_DROWNING]", "4")
    with page_b.expect_navigation():
        page_b.get_by_test_id("save").click()
    expect(page_b.locator("tr[data-code=PAC_PRIMARY] .invalid-feedback")).to_be_visible()

    page = new_page()
    login(page, coordinator)
    go_to(page, "nav-indicators")
    page.select_option("#id_unit", str(geo.province.pk))
    page.fill("#id_year", "2026")
    with page.expect_navigation():
        page.click("form[data-testid=selection] button[type=submit]")
    expect(page.locator("tr[data-code=PAC_IMMUNISED] [data-testid=actual]")).to_have_text("84,38")
    expect(page.locator("tr[data-code=PAC_DROWNING] [data-testid=actual]")).to_have_text("5")  # not 2 + 4
    expect(page.locator("tr[data-code=PAC_PRIMARY] [data-testid=actual]")).to_have_text("–")

    # Drill down from the province to its communes.
    with page.expect_navigation():
        page.locator("tr[data-code=PAC_IMMUNISED] a").first.click()
    expect(page.get_by_test_id("total")).to_have_text("84,38")
    drill = page.get_by_test_id("drilldown")
    expect(drill.locator("tr", has_text="Phường An")).to_contain_text("90")
    expect(drill.locator("tr", has_text="Xã Bình")).to_contain_text("75")
    expect(page.get_by_test_id("trend")).to_be_visible()

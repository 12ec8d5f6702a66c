"""The platform seen through a real browser: log-in, language, scope by place, phone layout."""

import os
import re
from pathlib import Path

import pytest
from django.utils import translation

from tests.browser.conftest import _enrolled, _pass_two_factor
from tests.factories import PASSWORD
from treem.accounts.roles import role_label

try:
    from playwright.sync_api import expect
except ImportError:  # the `browser` fixture skips these tests, or fails them in CI
    expect = None

pytestmark = pytest.mark.browser

# An ordinary small phone (375 by 667 CSS pixels), with touch and the meta viewport honoured.
PHONE = {
    "viewport": {"width": 375, "height": 667},
    "device_scale_factor": 2,
    "is_mobile": True,
    "has_touch": True,
}
ACTIVE_BUTTON = re.compile(r"\bbtn-light\b")


def text_in(language: str, message: str) -> str:
    """The interface text a page should show: the catalog's translation, or the source if none yet."""
    with translation.override(language):
        return translation.gettext(message)


def go_to(page, testid: str) -> None:
    """Open a page from the main menu as a person does: the menu that holds it, then the item
    (on a phone, the menu button first)."""
    toggler = page.locator(".navbar-toggler")
    if toggler.is_visible() and not page.locator("#nav").is_visible():
        toggler.click()
    item = page.get_by_test_id(testid)
    page.locator(f'#nav [data-menu]:has([data-testid="{testid}"]) > .dropdown-toggle').click()
    with page.expect_navigation():
        item.click()


def search_units(page, query: str) -> None:
    page.fill("#id_q", query)
    with page.expect_navigation():
        page.click("main form[role=search] button[type=submit]")


def test_officer_logs_in_in_vietnamese_and_sees_own_commune(new_page, officer_a, geo):
    # A browser asking for a language the site does not offer gets the default, Vietnamese.
    page = new_page(locale="fr-FR")
    page.goto("/")
    expect(page).to_have_url(re.compile(r"/login/\?next=/$"))
    expect(page.locator("html")).to_have_attribute("lang", "vi")
    expect(page.locator("main h1")).to_have_text(text_in("vi", "Log in"))
    expect(page.locator("label[for=id_username]")).to_have_text(text_in("vi", "User name"))
    expect(page.locator("label[for=id_password]")).to_have_text(text_in("vi", "Password"))
    expect(page.get_by_test_id("lang-vi")).to_have_class(ACTIVE_BUTTON)

    _enrolled(officer_a)  # a commune officer works on cases: a code after the password
    page.fill("#id_username", officer_a.username)
    page.fill("#id_password", PASSWORD)
    with page.expect_navigation():
        page.click("main form button[type=submit]")
    expect(page).to_have_url(re.compile(r"/accounts/two-factor/verify/\?next=/$"))
    _pass_two_factor(page, officer_a)

    expect(page).to_have_url(re.compile(r"^http://[^/]+/$"))
    expect(page.locator("html")).to_have_attribute("lang", "vi")
    expect(page.get_by_test_id("current-user")).to_have_text(officer_a.full_name)
    expect(page.locator("main h1")).to_contain_text(officer_a.full_name)
    with translation.override("vi"):
        expect(page.get_by_test_id("roles")).to_have_text(role_label("commune_officer"))
    scope = page.get_by_test_id("scope")
    expect(scope.locator("li")).to_have_count(1)
    expect(scope).to_have_text(geo.commune_a.label)
    expect(page.get_by_test_id("count-communes")).to_have_text("1")
    expect(page.get_by_test_id("count-villages")).to_have_text("1")


def test_language_buttons_switch_between_vietnamese_and_english(page, login, officer_a):
    login(page, officer_a)
    html, first_link = page.locator("html"), page.locator("#nav .nav-link").first
    expect(html).to_have_attribute("lang", "vi")
    expect(first_link).to_have_text(text_in("vi", "Children"))

    with page.expect_navigation():
        page.get_by_test_id("lang-en").click()
    expect(page).to_have_url(re.compile(r"^http://[^/]+/$"))  # back on the same page
    expect(html).to_have_attribute("lang", "en")
    expect(first_link).to_have_text("Children")
    expect(page.get_by_test_id("lang-en")).to_have_class(ACTIVE_BUTTON)

    page.goto("/units/")  # the choice is remembered
    expect(html).to_have_attribute("lang", "en")
    expect(page.locator("main h1")).to_have_text("Administrative units")

    with page.expect_navigation():
        page.get_by_test_id("lang-vi").click()
    expect(page).to_have_url(re.compile(r"/units/$"))
    expect(html).to_have_attribute("lang", "vi")
    expect(page.locator("main h1")).to_have_text(text_in("vi", "Administrative units"))
    expect(page.get_by_test_id("lang-vi")).to_have_class(ACTIVE_BUTTON)


def test_officer_does_not_see_another_commune(page, login, officer_a, geo):
    login(page, officer_a)
    page.goto("/units/")
    rows = page.locator("#unit-rows")
    expect(rows).to_contain_text(geo.commune_a.name)
    expect(rows).to_contain_text(geo.village_a.name)
    expect(rows).not_to_contain_text(geo.commune_b.name)
    expect(rows).not_to_contain_text(geo.village_b.name)

    no_match = text_in("vi", "No unit matches.")
    for query in (geo.commune_b.name, geo.commune_b.code, geo.village_b.name):
        search_units(page, query)
        expect(rows.locator("tr")).to_have_count(1)
        expect(rows).to_have_text(no_match)

    response = page.goto(geo.commune_b.get_absolute_url())
    assert response.status == 404
    expect(page.locator("main h1")).to_have_text(text_in("vi", "Not found"))
    expect(page.locator("main")).not_to_contain_text(geo.commune_b.name)


def test_coordinator_sees_both_communes(page, login, coordinator, geo):
    login(page, coordinator)
    expect(page.get_by_test_id("count-communes")).to_have_text("2")
    expect(page.get_by_test_id("count-villages")).to_have_text("2")

    page.goto("/units/")
    rows = page.locator("#unit-rows")
    for unit in (geo.commune_a, geo.commune_b, geo.village_a, geo.village_b):
        expect(rows).to_contain_text(unit.name)

    search_units(page, geo.commune_b.name)
    expect(rows.locator("tr")).to_have_count(1)
    with page.expect_navigation():
        rows.get_by_role("link", name=geo.commune_b.name).click()
    expect(page.locator("main h1")).to_contain_text(geo.commune_b.name)
    expect(page.locator("#children")).to_contain_text(geo.village_b.name)


def test_dashboard_fits_a_phone(new_page, login, officer_a, geo):
    page = new_page(**PHONE)
    login(page, officer_a)
    toggler, menu = page.locator(".navbar-toggler"), page.locator("#nav")
    expect(toggler).to_be_visible()
    expect(menu).to_be_hidden()
    expect(page.get_by_test_id("count-communes")).to_be_visible()
    expect(page.get_by_test_id("lang-en")).to_be_visible()

    widths = "({scroll: document.scrollingElement.scrollWidth, inner: window.innerWidth})"
    size = page.evaluate(widths)
    assert size["inner"] == 375
    assert size["scroll"] <= size["inner"], f"the page scrolls sideways on a phone: {size}"
    if shots := os.environ.get("TREEM_SCREENSHOT_DIR"):
        page.screenshot(path=str(Path(shots) / "dashboard-phone.png"), full_page=True)

    toggler.click()  # Bootstrap's script is served and opens the menu
    expect(menu).to_be_visible()
    expect(page.get_by_test_id("current-user")).to_be_visible()
    size = page.evaluate(widths)
    assert size["scroll"] <= size["inner"], f"the open menu scrolls sideways on a phone: {size}"


def test_wrong_password_shows_error_and_stays_on_login_page(page, login, officer_a):
    login(page, officer_a, password="not-the-password")
    expect(page).to_have_url(re.compile(r"/login/$"))
    expect(page.locator("main .alert-danger")).to_have_text(
        text_in("vi", "Wrong user name or password. Please try again.")
    )
    expect(page.locator("#id_username")).to_have_value(officer_a.username)
    expect(page.locator("#id_password")).to_have_value("")
    expect(page.get_by_test_id("current-user")).to_have_count(0)

    page.goto("/")  # still anonymous
    expect(page).to_have_url(re.compile(r"/login/\?next=/$"))

"""The main menu fits a 1366 x 768 laptop and a 375 x 667 phone for every role, with no word wrapped
and no sideways scrolling (measured in the browser); the search box opens a child's record."""

import os
from pathlib import Path

import pytest

from tests.browser.test_platform import PHONE, go_to
from tests.factories import ChildFactory, UserFactory
from treem.accounts.roles import ROLES

try:
    from playwright.sync_api import expect
except ImportError:  # the `browser` fixture skips these tests, or fails them in CI
    expect = None

pytestmark = pytest.mark.browser

LAPTOP = {"viewport": {"width": 1366, "height": 768}}
MEASURE = """() => {
  const nav = document.querySelector('nav.navbar');
  const toggles = [...document.querySelectorAll('#nav .nav-link, #nav .dropdown-toggle')];
  const lineHeight = (el) => parseFloat(getComputedStyle(el).lineHeight) || 24;
  const wrapped = toggles.filter((el) => el.getBoundingClientRect().height > 0
      && el.getBoundingClientRect().height > lineHeight(el) * 1.5 + 16).map((el) => el.textContent.trim());
  const en = document.querySelector('[data-testid=lang-en]').getBoundingClientRect();
  return {scroll: document.scrollingElement.scrollWidth, inner: window.innerWidth,
          navHeight: nav.getBoundingClientRect().height, wrapped,
          enRight: en.right, enVisible: en.width > 0};
}"""


def role_user(role, geo):
    sees_all = next(r.sees_all_units for r in ROLES if r.slug == role)
    return UserFactory(
        username=f"m_{role}",
        full_name="Nguyễn Thị Phương Thảo",  # a long name, as real ones are
        roles=[role],
        units=[] if sees_all else [geo.province],
        sees_all_units=sees_all,
    )


@pytest.mark.parametrize("role", [r.slug for r in ROLES])
def test_menus_fit_a_laptop_and_a_phone(new_page, login, role, geo):
    user = role_user(role, geo)
    laptop = new_page(**LAPTOP)
    login(laptop, user)
    size = laptop.evaluate(MEASURE)
    if shots := os.environ.get("TREEM_SCREENSHOT_DIR"):
        laptop.screenshot(path=str(Path(shots) / f"menu-{role}-laptop.png"))
    assert size["wrapped"] == [], f"{role}: menu words wrap at 1366 px: {size['wrapped']}"
    assert size["scroll"] <= size["inner"], f"{role}: the page scrolls sideways at 1366 px: {size}"
    assert size["navHeight"] <= 64, f"{role}: the menu bar takes more than one line: {size}"
    assert size["enVisible"] and size["enRight"] <= size["inner"], size
    assert laptop.locator("#nav [data-menu]").count() <= 7

    phone = new_page(**PHONE)
    login(phone, user)
    size = phone.evaluate(MEASURE)
    assert size["scroll"] <= size["inner"] == 375, f"{role}: sideways scrolling on a phone: {size}"
    phone.locator(".navbar-toggler").click()
    expect(phone.locator("#nav")).to_be_visible()
    size = phone.evaluate(MEASURE)
    assert size["wrapped"] == [], f"{role}: menu words wrap on a phone: {size['wrapped']}"
    assert size["scroll"] <= size["inner"], f"{role}: the open menu scrolls sideways on a phone: {size}"


def test_search_box_and_menus_by_keyboard(page, login, officer_a, geo):
    child = ChildFactory(commune=geo.commune_a, full_name="Võ Thị Ngọc Hân", birth_year=2016)
    login(page, officer_a)
    page.get_by_test_id("site-search").fill("vo thi ngoc han")
    with page.expect_navigation():
        page.get_by_test_id("site-search").press("Enter")
    with page.expect_navigation():
        page.get_by_test_id("search-hits").get_by_role("link", name="Võ Thị Ngọc Hân").click()
    assert page.url.endswith(child.get_absolute_url())
    go_to(page, "nav-quality")
    assert page.url.endswith("/children/quality/")
    # The skip link is the first thing the Tab key reaches, and it leads to the content.
    page.keyboard.press("Tab")
    skip = page.locator(".skip-link")
    expect(skip).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.locator("main#content")).to_be_focused()

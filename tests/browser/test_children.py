"""The commune officer's journey in the child registry, in a real browser (Vietnamese interface)."""

import datetime as dt
import os
import re
from pathlib import Path

import pytest

from tests.browser.test_platform import PHONE, go_to, text_in
from tests.factories import ChildFactory
from treem.audit.models import AuditEvent
from treem.children.models import Child

try:
    from playwright.sync_api import expect
except ImportError:  # the `browser` fixture skips these tests, or fails them in CI
    expect = None

pytestmark = pytest.mark.browser

WIDTHS = "({scroll: document.scrollingElement.scrollWidth, inner: window.innerWidth})"


def screenshot(page, name: str) -> None:
    """Full-page screenshots for people reviewing the layout (TREEM_SCREENSHOT_DIR)."""
    if shots := os.environ.get("TREEM_SCREENSHOT_DIR"):
        page.screenshot(path=str(Path(shots) / name), full_page=True)


@pytest.fixture
def registry(geo):
    """Children of commune A, and one of commune B whose name would match the same searches."""
    return {
        "anh": ChildFactory(
            commune=geo.commune_a,
            village=geo.village_a,
            full_name="Nguyễn Thị Ánh",
            birth_date=dt.date(2015, 3, 2),
        ),
        "hung": ChildFactory(
            commune=geo.commune_a, village=geo.village_a, full_name="Trần Văn Hùng", sex="male"
        ),
        "b": ChildFactory(commune=geo.commune_b, village=geo.village_b, full_name="Nguyễn Thị Ánh Hồng"),
    }


def test_officer_registers_a_child(page, login, officer_a, geo):
    login(page, officer_a)
    go_to(page, "nav-children")
    with page.expect_navigation():
        page.get_by_test_id("child-add").click()
    expect(page.locator("main h1")).to_have_text(text_in("vi", "Register a child"))
    # The officer's only commune is chosen already; its village is the one to pick.
    expect(page.locator("#id_commune")).to_have_value(str(geo.commune_a.pk))
    expect(page.locator("#id_village option")).to_have_count(2)  # the empty choice and Thôn Một

    page.fill("#id_full_name", "Phạm Minh Khôi")
    page.select_option("#id_sex", "male")
    page.fill("#id_birth_date", "14/09/2017")
    page.select_option("#id_village", label=geo.village_a.name)
    page.fill("#id_personal_id", "048 217 000456")
    screenshot(page, "child-register.png")
    with page.expect_navigation():
        page.locator("main form button[type=submit]").click()

    child = Child.objects.get(full_name="Phạm Minh Khôi")
    expect(page).to_have_url(re.compile(rf"/children/{child.pk}/$"))
    expect(page.locator("main h1")).to_contain_text("Phạm Minh Khôi")
    record = page.locator("#child-record")
    expect(record).to_contain_text("14/09/2017")
    expect(record).to_contain_text("048217000456")
    expect(record).to_contain_text(geo.village_a.name)
    expect(page.get_by_test_id("id-findings")).to_have_count(0)
    screenshot(page, "child-record.png")
    assert child.commune == geo.commune_a and child.created_by == officer_a
    events = AuditEvent.objects.filter(object_id=str(child.pk)).order_by("id")
    actions = list(events.values_list("action", flat=True))
    assert actions == ["children.child.registered", "children.child.viewed"]


def test_register_form_reloads_villages_for_the_chosen_commune(page, login, coordinator, geo):
    login(page, coordinator)
    page.goto("/children/add/")
    expect(page.locator("#id_village option")).to_have_count(1)  # no commune chosen yet
    page.select_option("#id_commune", str(geo.commune_b.pk))
    expect(page.locator("#id_village option")).to_have_count(2)
    expect(page.locator("#id_village")).to_contain_text(geo.village_b.name)
    expect(page.locator("#id_village")).not_to_contain_text(geo.village_a.name)
    expect(page.locator("#id_commune")).to_have_value(str(geo.commune_b.pk))


def test_officer_finds_a_child_typed_without_diacritics(page, login, officer_a, registry, geo):
    login(page, officer_a)
    page.goto("/children/")
    rows = page.locator("#child-rows")
    expect(rows.locator("tr")).to_have_count(2)
    expect(rows).to_contain_text("Nguyễn Thị Ánh")
    expect(rows).to_contain_text("Trần Văn Hùng")
    expect(rows).not_to_contain_text("Hồng")

    page.fill("#id_q", "nguyen thi anh")  # typed as many do on a phone: no diacritics
    expect(rows.locator("tr")).to_have_count(1)  # the list follows the typing (htmx)
    expect(rows).to_contain_text("Nguyễn Thị Ánh")
    expect(rows).not_to_contain_text("Hồng")
    expect(page).to_have_url(re.compile(r"q=nguyen(%20|\+)thi(%20|\+)anh&"))

    page.fill("#id_q", "nguyen thi anhh")  # a typo: the ranked search lists the near spelling
    expect(rows.locator("tr")).to_have_count(1)
    expect(rows).to_contain_text("Nguyễn Thị Ánh")
    expect(rows).not_to_contain_text("Hồng")
    with page.expect_navigation():
        rows.get_by_role("link", name="Nguyễn Thị Ánh").click()
    expect(page).to_have_url(re.compile(rf"/children/{registry['anh'].pk}/$"))
    expect(page.locator("#child-record")).to_contain_text("02/03/2015")

    response = page.goto(registry["b"].get_absolute_url())  # commune B's child: not found
    assert response.status == 404
    expect(page.locator("main")).not_to_contain_text("Hồng")


def test_child_list_fits_a_phone(new_page, login, officer_a, registry):
    page = new_page(**PHONE)
    login(page, officer_a)
    page.goto("/children/")
    size = page.evaluate(WIDTHS)
    assert size["inner"] == 375
    assert size["scroll"] <= size["inner"], f"the child list scrolls sideways on a phone: {size}"
    header = page.locator("#child-table thead th")
    for column in ("Full name", "Age", "Village"):
        expect(header.filter(has_text=text_in("vi", column))).to_be_visible()
    for column in ("Sex", "Commune", "Date of birth"):
        expect(header.filter(has_text=re.compile(f"^{text_in('vi', column)}$"))).to_be_hidden()
    expect(page.locator("#child-rows")).to_contain_text("Nguyễn Thị Ánh")
    expect(page.locator("#id_q")).to_be_visible()
    expect(page.locator("#id_sex")).to_be_hidden()  # the other filters fold away
    screenshot(page, "children-phone.png")

    page.get_by_role("button", name=text_in("vi", "More filters")).click()
    expect(page.locator("#id_sex")).to_be_visible()
    size = page.evaluate(WIDTHS)
    assert size["scroll"] <= size["inner"], f"the open filters scroll sideways on a phone: {size}"

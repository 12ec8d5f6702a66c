"""Social resources in a real browser (Vietnamese interface): a commune officer records a
donation, the coordinator publishes the period, and the public transparency page — opened on a
phone without signing in — shows it without any child's name; a sponsorship of a child is seen
inside its commune only.
"""

import datetime as dt
import re

import pytest
from django.utils import timezone

from tests.browser.test_children import screenshot
from tests.browser.test_platform import PHONE, go_to, text_in
from tests.factories import ChildFactory
from treem.funding import services
from treem.funding.models import Donation, TransparencyReport

try:
    from playwright.sync_api import expect
except ImportError:  # the `browser` fixture skips these tests, or fails them in CI
    expect = None

pytestmark = pytest.mark.browser


def vi(message: str) -> str:
    return text_in("vi", message)


def submit(page, form) -> None:
    with page.expect_navigation():
        form.locator("button[type=submit]").click()


@pytest.fixture
def sponsored(geo, officer_a):
    """A child of commune A sponsored by a company, with a payment this year."""
    today = timezone.localdate()
    child = ChildFactory(
        commune=geo.commune_a,
        village=geo.village_a,
        full_name="Hồ Thị Ngọc Lan",
        birth_date=dt.date(2014, 8, 1),
    )
    donor = services.donor_create(
        acting_user=officer_a, unit=geo.commune_a, kind="business", name="Công ty Biển Xanh"
    )
    sponsorship = services.sponsorship_create(
        acting_user=officer_a,
        sponsor=donor,
        child=child,
        starts_on=dt.date(today.year, 1, 1),
        monthly_amount_vnd=700_000,
    )
    services.sponsorship_payment_record(
        acting_user=officer_a, sponsorship=sponsorship, paid_on=dt.date(today.year, 1, 5), amount_vnd=700_000
    )
    return sponsorship


def test_donation_shows_in_the_public_report_without_any_child(
    new_page, login, officer_a, coordinator, geo, sponsored
):
    year = timezone.localdate().year
    # The commune officer records a donation from a new donor.
    page = new_page()
    login(page, officer_a)
    go_to(page, "nav-funding")
    with page.expect_navigation():
        page.locator("main").get_by_role("link", name=vi("Donors"), exact=True).click()
    with page.expect_navigation():
        page.locator("main").get_by_role("link", name=vi("New donor")).click()
    page.select_option("#id_kind", "organisation")
    page.fill("#id_name", "Hội Chữ thập đỏ phường An")
    page.select_option("#id_unit", str(geo.commune_a.pk))
    submit(page, page.get_by_test_id("funding-form"))
    expect(page.locator("main h1")).to_have_text("Hội Chữ thập đỏ phường An")
    with page.expect_navigation():
        page.locator("main").get_by_role("link", name=vi("Record a donation")).click()
    expect(page.locator("#id_donor option:checked")).to_have_text("Hội Chữ thập đỏ phường An")
    page.select_option("#id_unit", str(geo.commune_a.pk))
    page.select_option("#id_kind", "cash")
    page.select_option("#id_purpose", "education")
    page.fill("#id_amount", "12.500.000")
    page.fill("#id_document_number", "BN-0042")
    screenshot(page, "funding-donation.png")
    submit(page, page.get_by_test_id("funding-form"))
    expect(page).to_have_url(re.compile(r"/funding/donations/\d+/$"))
    expect(page.get_by_test_id("left")).to_contain_text("12.500.000 đ")
    donation = Donation.objects.get(document_number="BN-0042")
    assert donation.amount_vnd == 12_500_000 and donation.created_by == officer_a

    # The coordinator looks at the year's figures, then publishes them.
    page = new_page()
    login(page, coordinator)
    page.goto("/funding/transparency/")
    page.select_option("#id_unit", str(geo.province.pk))
    page.fill("#id_year", str(year))
    with page.expect_navigation():
        page.locator("main form[method=get] button[type=submit]").click()
    expect(page.get_by_test_id("preview")).to_contain_text("Hội Chữ thập đỏ phường An")
    with page.expect_navigation():
        page.get_by_test_id("publish").click()
    report = TransparencyReport.objects.get()
    assert (report.unit, report.year, report.quarter) == (geo.province, year, None)

    # Anyone, on a phone, without signing in.
    public = new_page(**PHONE)
    public.goto("/transparency/")
    section = public.get_by_test_id("transparency-report")
    expect(section).to_contain_text(geo.province.name)
    expect(public.get_by_test_id("donors")).to_contain_text("Hội Chữ thập đỏ phường An")
    expect(public.get_by_test_id("donors")).to_contain_text("Công ty Biển Xanh")
    expect(public.get_by_test_id("purposes")).to_contain_text("12.500.000 đ")
    expect(public.get_by_test_id("total-received")).to_have_text("13.200.000 đ")  # with the sponsorship
    body = public.locator("body").inner_text()
    assert sponsored.child.full_name not in body
    assert "Ngọc Lan" not in public.content()
    assert f"/children/{sponsored.child.pk}/" not in public.content()
    assert public.evaluate("document.scrollingElement.scrollWidth <= window.innerWidth")
    screenshot(public, "funding-transparency-phone.png")


def test_sponsorship_is_seen_only_inside_its_commune(new_page, login, officer_a, officer_b, sponsored):
    child = sponsored.child
    page = new_page()
    login(page, officer_a)
    page.goto("/funding/sponsorships/")
    expect(page.get_by_test_id("sponsorships")).to_contain_text(child.full_name)
    with page.expect_navigation():
        page.get_by_test_id("sponsorships").get_by_role("link", name=str(sponsored)).click()
    expect(page.get_by_test_id("child")).to_contain_text(child.full_name)

    other = new_page()
    login(other, officer_b)
    other.goto("/funding/sponsorships/")
    expect(other.locator("main h1")).to_be_visible()
    expect(other.get_by_test_id("sponsorships")).not_to_contain_text(child.full_name)
    expect(other.get_by_test_id("sponsorships").locator("tbody tr")).to_have_count(1)  # "No sponsorship."
    # Not by its address either, nor among the children offered for a new sponsorship.
    response = other.goto(sponsored.get_absolute_url())
    assert response.status == 404
    assert child.full_name not in other.content()
    other.goto("/funding/sponsorships/add/")
    assert child.full_name not in other.locator("#id_child").inner_html()

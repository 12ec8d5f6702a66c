"""The yearly communication calendar in a real browser, on a phone: the Mid-Autumn Festival
(15th day of the 8th lunar month, Vietnamese calendar) on its solar date this year and the next
three."""

import datetime as dt
import re

import pytest
from django.utils import timezone

from tests.browser.test_platform import PHONE
from tests.campaigns.conftest import campaign_data
from treem.campaigns import reference, services
from treem.campaigns.models import RecurringEvent

try:
    from playwright.sync_api import expect
except ImportError:  # the `browser` fixture skips these tests, or fails them in CI
    expect = None

pytestmark = pytest.mark.browser


@pytest.fixture(autouse=True)
def reference_data(transactional_db):
    """The migration's rows: tests with a live server end by emptying every table."""
    reference.ensure_loaded(RecurringEvent)


WIDTHS = "({scroll: document.scrollingElement.scrollWidth, inner: window.innerWidth})"

# Tết Trung thu, checked against two sources (the lunar-vn library is not one of them): the
# ``holidays`` package's mid-autumn table and the published Vietnamese calendars.
MID_AUTUMN = {
    2026: dt.date(2026, 9, 25),
    2027: dt.date(2027, 9, 15),
    2028: dt.date(2028, 10, 3),
    2029: dt.date(2029, 9, 22),
    2030: dt.date(2030, 9, 12),
    2031: dt.date(2031, 10, 1),
    2032: dt.date(2032, 9, 19),
}


def test_calendar_shows_mid_autumn_on_the_right_solar_date(new_page, login, viewer, officer_a, geo):
    services.campaign_create(
        acting_user=officer_a,
        unit=geo.commune_a,
        agency=geo.agency_a,
        **campaign_data(
            title="Vui Tết Trung thu An", starts_on=dt.date(2027, 9, 10), ends_on=dt.date(2027, 9, 15)
        ),
    )
    this_year = timezone.localdate().year
    years = [this_year, this_year + 1, this_year + 2, this_year + 3]
    assert set(years) <= set(MID_AUTUMN), "extend MID_AUTUMN with checked dates"

    page = new_page(**PHONE)
    login(page, viewer, two_factor=False)
    page.goto("/campaigns/")
    expect(page.get_by_test_id("calendar-title")).to_contain_text(str(this_year))
    for year in years:
        if year != this_year:
            page.fill("#id_year", str(year))
            with page.expect_navigation():
                page.get_by_test_id("show-year").click()
        expect(page.get_by_test_id("calendar-title")).to_contain_text(str(year))
        expected = MID_AUTUMN[year]
        month = page.get_by_test_id(f"month-{expected.month}")
        entry = month.get_by_test_id("event-mid_autumn")
        expect(entry).to_have_count(1)
        expect(entry.locator("time")).to_have_attribute("datetime", expected.isoformat())
        expect(entry.locator("time")).to_have_text(expected.strftime("%d/%m/%Y"))
        expect(page.get_by_test_id("event-mid_autumn")).to_have_count(1)  # in that month only
        # Solar dates stay put: Children's Day on 01/06 and Vietnamese Family Day on 28/06.
        june = page.get_by_test_id("month-6")
        expect(june.get_by_test_id("event-family_day").locator("time")).to_have_attribute(
            "datetime", f"{year}-06-28"
        )
        widths = page.evaluate(WIDTHS)
        assert widths["scroll"] <= widths["inner"], widths  # no sideways scrolling on a phone
    # A viewer of the province sees commune A's campaign in its month of 2027.
    page.goto("/campaigns/?year=2027")
    expect(page.get_by_test_id("month-9")).to_contain_text("Vui Tết Trung thu An")

    page.fill("#id_year", "1800")
    with page.expect_navigation():
        page.get_by_test_id("show-year").click()
    expect(page.get_by_test_id("error")).to_contain_text(re.compile("1901.*2099"))

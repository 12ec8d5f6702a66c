"""The case forms (Mẫu 01–06) in a real browser: from the case page to a Word file on disk."""

import io
from pathlib import Path

import pytest
from docx import Document

from tests.cases.records import at_review, open_case
from treem.audit.models import AuditEvent
from treem.documents.official import NATIONAL_NAME, plain_text

pytestmark = pytest.mark.browser


@pytest.fixture
def case(geo, officer_a, supervisor_a):
    return at_review(open_case(officer_a, geo.commune_a, supervisor=supervisor_a), officer_a, supervisor_a)


def test_an_officer_downloads_the_plan_from_the_case_page(new_page, login, case, officer_a):
    page = new_page()
    login(page, officer_a)
    page.goto(case.get_absolute_url())
    with page.expect_navigation():
        page.get_by_test_id("case-forms").click()
    assert case.number in page.locator("h1").inner_text()
    assert page.locator("#case-forms [data-form]").count() == 6
    before = AuditEvent.objects.filter(action="cases.case.viewed").count()
    with page.expect_download() as info:
        page.get_by_test_id("form-04").first.click()
    download = info.value
    assert download.suggested_filename == f"Mau-04-{case.number}-v1.docx"
    data = Path(download.path()).read_bytes()
    Document(io.BytesIO(data))
    text = plain_text(data)
    assert NATIONAL_NAME in text and "KẾ HOẠCH" in text and "Lò Thị Mai" in text and "Trẻ an toàn" in text
    assert AuditEvent.objects.filter(action="cases.case.viewed").count() == before + 1


def test_the_forms_page_fits_a_phone(new_page, login, case, officer_a):
    page = new_page(viewport={"width": 375, "height": 740}, is_mobile=True)
    login(page, officer_a)
    page.goto(f"{case.get_absolute_url()}forms/")
    assert page.locator("#case-forms [data-form]").count() == 6
    overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 0

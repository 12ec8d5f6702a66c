"""The workforce in a real browser: the staffing dashboard flags a commune without an officer, and a
training course with attendance produces its certificates (.docx, one and all)."""

import datetime as dt
import io
import re
import zipfile
from pathlib import Path

import pytest
from django.utils import timezone
from docx import Document

from tests.browser.test_platform import go_to, text_in
from treem.workforce import reference, services
from treem.workforce.models import Participant, StaffingNorm, StaffMember, TrainingCourse

try:
    from playwright.sync_api import expect
except ImportError:  # the `browser` fixture skips these tests, or fails them in CI
    expect = None

pytestmark = pytest.mark.browser


@pytest.fixture(autouse=True)
def reference_data(transactional_db):
    """The migration's rows: tests with a live server end by emptying every table."""
    reference.ensure_loaded(StaffingNorm)


def docx_text(data: bytes) -> str:
    return "\n".join(p.text for p in Document(io.BytesIO(data)).paragraphs)


@pytest.fixture
def staffed_a(officer_a, geo):
    """Commune A has its officer and a collaborator in its village; commune B has nobody."""
    services.staff_create(
        acting_user=officer_a,
        unit=geo.commune_a,
        full_name="Nguyễn Thị Hoa",
        position="commune_officer",
        since=dt.date(2024, 1, 1),
        employment="full_time",
    )
    services.staff_create(
        acting_user=officer_a,
        unit=geo.village_a,
        full_name="Trần Văn Thôn",
        position="village_collaborator",
        since=dt.date(2024, 1, 1),
    )


def test_commune_without_an_officer_appears_on_the_dashboard(
    new_page, login, coordinator, officer_a, geo, staffed_a
):
    page = new_page()
    login(page, coordinator)
    go_to(page, "nav-workforce")
    expect(page).to_have_url(re.compile(r"/workforce/$"))
    flagged_b = page.get_by_test_id(f"commune-{geo.commune_b.pk}")
    expect(flagged_b).to_contain_text(geo.commune_b.name)
    expect(flagged_b.get_by_test_id("no-officer")).to_have_text(text_in("vi", "No officer"))
    expect(page.get_by_test_id(f"commune-{geo.commune_a.pk}")).to_have_count(0)  # staffed: not flagged
    expect(page.get_by_test_id("count-without-officer")).to_have_text("1")
    with page.expect_navigation():
        page.get_by_test_id("show-all").click()
    expect(page.get_by_test_id(f"commune-{geo.commune_a.pk}").get_by_test_id("flag")).to_have_count(0)
    expect(page.get_by_test_id(f"commune-{geo.commune_b.pk}").get_by_test_id("flag")).to_have_count(1)

    # Commune A's officer sees only their own commune.
    other = new_page()
    login(other, officer_a)
    other.goto("/workforce/?show=all")
    expect(other.get_by_test_id("staffing")).to_contain_text(geo.commune_a.name)
    expect(other.get_by_test_id("staffing")).not_to_contain_text(geo.commune_b.name)


def test_training_course_with_attendance_produces_certificates(page, login, officer_a, geo, staffed_a):
    login(page, officer_a)
    page.goto("/workforce/courses/")
    with page.expect_navigation():
        page.get_by_test_id("course-add").click()
    start = timezone.localdate() - dt.timedelta(days=2)
    end = start + dt.timedelta(days=1)
    page.fill("#id_topic", "Kỹ năng phòng chống xâm hại trẻ em")
    page.select_option("#id_organiser", str(geo.agency_a.pk))
    page.select_option("#id_unit", str(geo.commune_a.pk))
    page.fill("#id_place", "Hội trường UBND phường")
    # First a course that ends before it starts: refused with the reason, nothing saved.
    page.fill("#id_starts_on", end.strftime("%d/%m/%Y"))
    page.fill("#id_ends_on", start.strftime("%d/%m/%Y"))
    with page.expect_navigation():
        page.get_by_test_id("save").click()
    expect(page.locator("main")).to_contain_text(text_in("vi", "The course cannot end before it starts."))
    assert not TrainingCourse.objects.exists()
    page.fill("#id_starts_on", start.strftime("%d/%m/%Y"))
    page.fill("#id_ends_on", end.strftime("%d/%m/%Y"))
    with page.expect_navigation():
        page.get_by_test_id("save").click()
    course = TrainingCourse.objects.get()
    expect(page).to_have_url(re.compile(rf"/workforce/courses/{course.pk}/$"))

    # Participants: the commune's officer (a staff record) and a parent by name.
    form = page.get_by_test_id("participant-form")
    form.locator("#id_staff").select_option(str(StaffMember.objects.get(full_name="Nguyễn Thị Hoa").pk))
    with page.expect_navigation():
        form.locator("button[type=submit]").click()
    form = page.get_by_test_id("participant-form")
    form.locator("#id_full_name").fill("Phạm Thị Mẹ")
    form.locator("#id_kind").select_option("parent")
    with page.expect_navigation():
        form.locator("button[type=submit]").click()
    form = page.get_by_test_id("participant-form")
    form.locator("#id_full_name").fill("Vắng Mặt")
    form.locator("#id_kind").select_option("parent")
    with page.expect_navigation():
        form.locator("button[type=submit]").click()
    hoa = Participant.objects.get(full_name="Nguyễn Thị Hoa")
    parent = Participant.objects.get(full_name="Phạm Thị Mẹ")

    # Attendance: two of three came.
    page.check(f"#attended_{hoa.pk}")
    page.fill(f"#score_{hoa.pk}", "92")
    page.check(f"#attended_{parent.pk}")
    with page.expect_navigation():
        page.get_by_test_id("save-attendance").click()
    expect(page.get_by_test_id("attended-count")).to_contain_text("2")
    expect(page.get_by_test_id(f"certificate-{hoa.pk}")).to_be_visible()
    expect(page.get_by_test_id(f"certificate-{parent.pk}")).to_be_visible()
    absent = Participant.objects.get(full_name="Vắng Mặt")
    expect(page.get_by_test_id(f"certificate-{absent.pk}")).to_have_count(0)

    with page.expect_download() as info:
        page.get_by_test_id(f"certificate-{hoa.pk}").click()
    download = info.value
    assert download.suggested_filename.endswith(".docx")
    text = docx_text(Path(download.path()).read_bytes())
    assert "Nguyễn Thị Hoa" in text
    assert "Kỹ năng phòng chống xâm hại trẻ em" in text
    assert start.strftime("%d/%m/%Y") in text and end.strftime("%d/%m/%Y") in text
    assert geo.agency_a.name in text

    with page.expect_download() as info:
        page.get_by_test_id("certificates-zip").click()
    archive = zipfile.ZipFile(info.value.path())
    texts = [docx_text(archive.read(name)) for name in archive.namelist()]
    assert len(texts) == 2
    assert any("Nguyễn Thị Hoa" in t for t in texts) and any("Phạm Thị Mẹ" in t for t in texts)
    assert not any("Vắng Mặt" in t for t in texts)

    # The training shows on the officer's staff record.
    with page.expect_navigation():
        page.locator("main").get_by_role("link", name="Nguyễn Thị Hoa").click()
    expect(page.get_by_test_id("trainings")).to_contain_text("Kỹ năng phòng chống xâm hại trẻ em")

"""The children import page against hostile and malformed workbooks (issue 19), and the job's
progress and error limit against files that lie about their size or hold too many problems."""

from __future__ import annotations

import re
import zipfile

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from tests import uploads as hostile
from tests.children.test_import import HEADERS, row, state, write_csv, write_xlsx
from treem.children.importers import children_import
from treem.jobs.models import Job

MESSAGE = "The file cannot be read safely"


@pytest.fixture(autouse=True)
def _english(settings):
    from django.utils import translation

    settings.LANGUAGE_CODE = "en"
    with translation.override("en"):
        yield


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def stored(media) -> list:
    return [p for p in media.rglob("*") if p.is_file()] if media.exists() else []


@pytest.mark.parametrize(
    ("kind", "content"), hostile.hostile_workbooks(), ids=lambda v: v if isinstance(v, str) else ""
)
def test_a_hostile_workbook_is_refused_in_the_request(client, officer_a, geo, media, kind, content):
    client.force_login(officer_a)
    before, jobs = state(), Job.objects.count()
    client.get(reverse("children:import"))  # the page's templates loaded once: what is timed is the upload
    with hostile.timed() as took:
        response = client.post(
            reverse("children:import"), {"file": SimpleUploadedFile("tre-em.xlsx", content)}
        )
    assert took() < 1.0
    assert response.status_code == 400
    assert MESSAGE in response.content.decode()
    assert state() == before and Job.objects.count() == jobs
    assert stored(media) == []  # not even kept in the upload folder


@pytest.mark.parametrize("kind", ["billion-laughs", "malformed-strings", "bad-zip"])
def test_the_importer_itself_refuses_them_with_the_same_message(officer_a, geo, tmp_path, kind):
    from treem.children.importers import ChildImportError

    path = tmp_path / "tre-em.xlsx"
    path.write_bytes(dict(hostile.hostile_workbooks())[kind])
    with pytest.raises(ChildImportError) as caught:
        children_import(acting_user=officer_a, path=path)
    assert MESSAGE in str(caught.value)


def test_progress_counts_the_rows_not_the_dimension(officer_a, geo, tmp_path):
    rows = [
        row(**{"Họ và tên": f"Trẻ {i}", "Số định danh cá nhân": "", "Mã nguồn": str(i)}) for i in range(5)
    ]
    path = write_xlsx(tmp_path, rows)
    with zipfile.ZipFile(path) as archive:
        files = {name: archive.read(name) for name in archive.namelist()}
    sheet_xml = files["xl/worksheets/sheet1.xml"].decode()
    sheet_xml, count = re.subn(r'<dimension ref="[^"]*"/>', '<dimension ref="A1"/>', sheet_xml)
    assert count == 1
    files["xl/worksheets/sheet1.xml"] = sheet_xml.encode()
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in files.items():
            archive.writestr(name, data)
    assert openpyxl.load_workbook(path, read_only=True).active.max_row == 1  # what the file claims
    seen = []
    result = children_import(
        acting_user=officer_a, path=path, dry_run=True, progress=lambda *a: seen.append(a)
    )
    assert result.rows == 5 and result.ok
    assert all(total is None or done <= total for _stage, done, total in seen)
    assert ("check", 5, 5) in seen


def test_the_check_stops_at_the_error_limit_and_says_so(officer_a, geo, tmp_path, settings):
    settings.TREEM_IMPORT_MAX_ERRORS = 10
    rows = [row(**{"Họ và tên": f"Trẻ {i}", "Số định danh cá nhân": "", "Mã xã": "99999"}) for i in range(50)]
    report = tmp_path / "report.xlsx"
    before = state()
    result = children_import(acting_user=officer_a, path=write_csv(tmp_path, rows), report_path=report)
    assert result.error_count == 10 and len(result.errors) == 10
    assert result.stopped_at_row == 11 and result.rows == 10  # the header is row 1
    notice = "Checking stopped at row 11 after the first 10 problems: the rows after it were not checked."
    assert notice in result.notices
    sheet = openpyxl.load_workbook(report, read_only=True).active
    lines = [r[0] for r in sheet.iter_rows(values_only=True)]
    assert lines[2] == notice
    assert state() == before


def test_the_error_limit_through_the_page(client, officer_a, geo, tmp_path, media, settings):
    settings.TREEM_IMPORT_MAX_ERRORS = 5
    client.force_login(officer_a)
    rows = [row(**{"Họ và tên": f"Trẻ {i}", "Số định danh cá nhân": "", "Mã xã": "99999"}) for i in range(30)]
    path = write_csv(tmp_path, rows)
    response = client.post(
        reverse("children:import"), {"file": SimpleUploadedFile(path.name, path.read_bytes())}
    )
    assert response.status_code == 400
    text = response.content.decode()
    assert "5 problems in 5 rows." in text
    assert "Checking stopped at row 6 after the first 5 problems" in text


def test_a_genuine_workbook_still_imports_through_the_page(client, officer_a, geo, tmp_path, media):
    client.force_login(officer_a)
    path = write_xlsx(tmp_path, [row()])
    assert HEADERS[0] == "Họ và tên"
    response = client.post(
        reverse("children:import"), {"file": SimpleUploadedFile(path.name, path.read_bytes())}
    )
    assert response.status_code == 200 and "imported." in response.content.decode()

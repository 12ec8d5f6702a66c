"""Private files (core/files.py): every file treem writes with personal data is 0600 in 0700
folders, whatever the umask: import error reports, job outputs and inputs, case attachments,
command-line exports."""

from __future__ import annotations

import contextlib
import io
import os
import stat
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse

from tests.cases.records import open_case
from tests.children.test_import import row, upload, write_csv
from tests.factories import ChildFactory
from treem.cases import services as case_services
from treem.core import files
from treem.jobs import files as job_files
from treem.jobs.models import Job


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def folders_between(top: Path, path: Path) -> list[Path]:
    """``top`` and every folder below it down to ``path``'s folder."""
    return [top, *[p for p in path.parents if top in p.parents]]


def assert_private(path: Path, top: Path) -> None:
    assert mode(path) == 0o600, f"{path}: {oct(mode(path))}"
    for folder in folders_between(top, path):
        assert mode(folder) == 0o700, f"{folder}: {oct(mode(folder))}"


@contextlib.contextmanager
def loose_umask():
    """A careless service manager: files 0666 and folders 0777 unless asked otherwise."""
    previous = os.umask(0)
    try:
        yield
    finally:
        os.umask(previous)


@pytest.fixture
def media(settings, tmp_path) -> Path:
    settings.MEDIA_ROOT = tmp_path / "uploads"
    return settings.MEDIA_ROOT


# --- the helper --------------------------------------------------------------------------------


def test_private_folder_creates_every_level_owner_only(media):
    with loose_umask():
        folder = files.private_folder("a/b/c")
    assert folder == media.resolve() / "a" / "b" / "c"
    for path in (media, media / "a", media / "a" / "b", folder):
        assert mode(path) == 0o700


def test_a_folder_left_open_by_an_older_version_is_tightened(media):
    (media / "import-reports").mkdir(parents=True)
    os.chmod(media, 0o755)
    os.chmod(media / "import-reports", 0o755)
    files.private_folder("import-reports")
    assert mode(media) == 0o700 and mode(media / "import-reports") == 0o700


def test_private_folder_refuses_to_leave_its_base(media):
    with pytest.raises(ValueError, match="not inside"):
        files.private_folder("../elsewhere")


def test_files_are_owner_only_from_the_first_byte(media, tmp_path):
    with loose_umask():
        relative, path = files.new_private_file("exports", ".XLSX")
        stored = files.store_chunks([b"a", b"b"], "imports", ".csv")
        target = files.private_folder("reports") / "r.bin"
        with files.open_private(target) as handle:
            assert mode(target) == 0o600  # before anything is written
            handle.write(b"x")
        loose = tmp_path / "loose.csv"
        loose.write_bytes(b"old")
        os.chmod(loose, 0o644)
        files.write_private(loose, b"new", replace=True)
    assert relative.startswith("exports/") and relative.endswith(".xlsx")
    assert_private(path, media)
    assert_private(files.path_of(stored), media) and files.path_of(stored).read_bytes() == b"ab"
    assert_private(target, media)
    assert mode(loose) == 0o600 and loose.read_bytes() == b"new"  # an existing file is tightened


def test_a_new_private_file_never_overwrites(media):
    target = files.private_folder("x") / "f"
    files.write_private(target, b"first")
    with pytest.raises(FileExistsError):
        files.write_private(target, b"second")
    assert target.read_bytes() == b"first"


def test_a_failed_write_leaves_no_partial_file(media):
    target = files.private_folder("x") / "f"
    with pytest.raises(RuntimeError), files.open_private(target) as handle:
        handle.write(b"half")
        raise RuntimeError("disk full")
    assert not target.exists()


def test_rewrite_replaces_at_once_and_stays_private(media):
    target = files.private_folder("x") / "f"
    files.write_private(target, b"old")
    files.rewrite_private(target, b"new content")
    assert target.read_bytes() == b"new content" and mode(target) == 0o600
    assert sorted(p.name for p in target.parent.iterdir()) == ["f"]  # no temporary file left


# --- where the project writes private files ----------------------------------------------------


def test_import_error_report_is_private(client, officer_a, geo, tmp_path, media):
    # The folder an older version created 0755 (the security test's finding).
    (media / "import-reports").mkdir(parents=True)
    os.chmod(media, 0o755)
    os.chmod(media / "import-reports", 0o755)
    client.force_login(officer_a)
    rows = [row(**{"Họ và tên": "Trẻ Lỗi", "Số định danh cá nhân": "", "Mã xã": "99999"})]
    with loose_umask():
        response = client.post(reverse("children:import"), upload(write_csv(tmp_path, rows)))
    assert response.status_code == 400 and response.context["report_url"]
    reports = list((media / "import-reports").iterdir())
    assert len(reports) == 1
    assert_private(reports[0], media)
    assert reports[0].read_bytes().startswith(b"PK")  # the workbook itself, not an empty file


def test_an_import_without_errors_leaves_no_report(client, officer_a, geo, tmp_path, media):
    client.force_login(officer_a)
    response = client.post(reverse("children:import"), upload(write_csv(tmp_path, [row()])))
    assert response.status_code == 200
    assert list((media / "import-reports").iterdir()) == []


def test_job_input_and_output_are_private(client, officer_a, geo, media):
    ChildFactory(commune=geo.commune_a, full_name="Nguyễn Thị Ánh")
    client.force_login(officer_a)
    with loose_umask():
        stored = job_files.store_upload(SimpleUploadedFile("danh-sach.csv", b"a,b\n"), "imports")
        response = client.get(reverse("children:export"), {"format": "xlsx"})
    assert response.status_code == 302
    assert_private(job_files.path_of(stored), media)
    job = Job.objects.get(kind="children.export")
    assert_private(job_files.path_of(job.result["outputs"][0]["path"]), media)


def test_attachment_file_is_private(geo, officer_a, supervisor_a, media):
    case = open_case(officer_a, geo.commune_a, supervisor=supervisor_a)
    with loose_umask():
        attachment = case_services.attachment_add(
            acting_user=officer_a, case=case, upload=SimpleUploadedFile("ghi-chu.txt", b"Ghi chu")
        )
    assert_private(files.path_of(attachment.stored_path), media)


def test_command_line_export_is_owner_only(officer_a, geo, tmp_path):
    ChildFactory(commune=geo.commune_a, full_name="Nguyễn Thị Ánh")
    for name in ("tre-em.csv", "tre-em.xlsx"):
        out = tmp_path / name
        out.write_bytes(b"")
        os.chmod(out, 0o644)  # an older file in the way
        with loose_umask():
            call_command("export_children", str(out), "--user", officer_a.username, stdout=io.StringIO())
        assert mode(out) == 0o600 and out.stat().st_size > 0
    assert "Nguyễn Thị Ánh" in (tmp_path / "tre-em.csv").read_text(encoding="utf-8-sig")


def test_command_line_import_report_is_owner_only(officer_a, geo, tmp_path):
    report = tmp_path / "loi.xlsx"
    rows = [row(**{"Họ và tên": "Trẻ Lỗi", "Mã xã": "99999"})]
    source = write_csv(tmp_path, rows)
    with loose_umask(), pytest.raises(CommandError):
        call_command(
            "import_children",
            str(source),
            f"--user={officer_a.username}",
            f"--report={report}",
            "--no-progress",
            stderr=io.StringIO(),
        )
    assert mode(report) == 0o600 and report.read_bytes().startswith(b"PK")

"""`treem backup` and `treem restore` on the database the tests run on (SQLite or PostgreSQL).

Restores go into the test database itself, so every test here is transactional
(``transaction=True``): the data is committed, pg_dump and psql (separate sessions) see it, and
SQLite's backup API may write into the live connection, which must not be inside a transaction.
On SQLite that connection is the in-memory test database: the backup API copies it to a file and
back just as it does a database file. pytest-django empties the tables after each test.

Each refusal test changes the data after the backup, so that "nothing changed" (the state before
the attempt) and "restored" (the backup's state) are told apart.
"""

from __future__ import annotations

import datetime as dt
import gzip
import io
import json
import tarfile
from pathlib import Path

import pytest
from django.contrib.sessions.models import Session
from django.core.management import CommandError, call_command
from django.db import connection
from django.db.migrations.recorder import MigrationRecorder
from django.utils import translation

from tests.factories import ChildFactory
from treem.audit.models import AuditEvent
from treem.audit.selectors import audit_chain_verify
from treem.audit.services import audit_record
from treem.children import services as children_services
from treem.children.models import Child
from treem.core import backup
from treem.core.backup import table_digests
from treem.geo.models import Unit

pytestmark = pytest.mark.django_db(transaction=True)

KEY = "một cụm mật khẩu dài cho bản sao lưu"


@pytest.fixture(autouse=True)
def _english(settings):
    settings.LANGUAGE_CODE = "en"
    with translation.override("en"):
        yield


@pytest.fixture
def media(settings, tmp_path) -> Path:
    settings.MEDIA_ROOT = tmp_path / "data" / "uploads"
    settings.TREEM_BACKUP_KEY = ""
    return settings.MEDIA_ROOT


@pytest.fixture
def records(geo, admin, officer_a, client, media):
    """Data in many tables (units, users, roles, children, households, audit events, a session)
    and uploaded files, one of them binary and one with a Vietnamese name."""
    household = children_services.household_create(
        acting_user=officer_a, commune=geo.commune_a, head_name="Nguyễn Văn Bình"
    )
    anh = children_services.child_register(
        acting_user=officer_a,
        commune=geo.commune_a,
        full_name="Nguyễn Thị Ánh",
        sex="female",
        birth_date=dt.date(2015, 3, 2),
        household=household,
    )
    tam = ChildFactory(commune=geo.commune_b, full_name="Lê Văn Tám", sex="male", notes="ghi chú; 'trích'")
    audit_record(admin, "test.note", tam, reason="Lý do: kiểm tra sao lưu")
    client.force_login(officer_a)  # a row in django_session
    (media / "children" / str(anh.pk)).mkdir(parents=True)
    (media / "children" / str(anh.pk) / "ảnh hồ sơ.jpg").write_bytes(bytes(range(256)) * 40)
    (media / "imports").mkdir()
    (media / "imports" / "danh-sach.csv").write_text("Họ và tên\nNguyễn Thị Ánh\n", encoding="utf-8")
    return {"anh": anh, "tam": tam}


def state(media: Path) -> tuple[dict, dict]:
    """Every table's row count and checksum, and every uploaded file's bytes."""
    files = {}
    if media.exists():
        files = {p.relative_to(media).as_posix(): p.read_bytes() for p in media.rglob("*") if p.is_file()}
    return table_digests(), files


def change_everything(geo, officer_a, records, media: Path) -> None:
    """Edit, delete and add rows in several tables and files after a backup."""
    Unit.objects.filter(pk=geo.commune_b.pk).update(name="Xã Đã Đổi Tên")
    Child.objects.filter(pk=records["tam"].pk).delete()
    children_services.child_register(
        acting_user=officer_a, commune=geo.commune_a, full_name="Trẻ Mới", sex="male", birth_year=2020
    )
    Session.objects.all().delete()
    next((media / "children").rglob("*.jpg")).write_bytes(b"overwritten")
    (media / "imports" / "danh-sach.csv").unlink()
    (media / "after-backup.txt").write_text("written after the backup")


def restore(path: Path, **options) -> str:
    out = io.StringIO()
    call_command("restore", str(path), stdout=out, **{"yes": True, **options})
    return out.getvalue()


def rewrite_manifest(source: Path, target: Path, change) -> None:
    """Copy a plain archive, changing its manifest."""
    with (
        gzip.open(source) as gz_in,
        tarfile.open(fileobj=gz_in, mode="r|") as tar_in,
        gzip.open(target, "wb") as gz_out,
        tarfile.open(fileobj=gz_out, mode="w|") as tar_out,
    ):
        for member in tar_in:
            data = tar_in.extractfile(member).read()
            if member.name == "manifest.json":
                manifest = json.loads(data)
                change(manifest)
                data = json.dumps(manifest).encode()
                member.size = len(data)
            tar_out.addfile(member, io.BytesIO(data))


@pytest.fixture
def refused(geo, officer_a, records, media):
    """Check a refused restore: the message, and that the data and files stayed as they were."""

    def check(archive: Path, message: str, **options) -> None:
        change_everything(geo, officer_a, records, media)
        before = state(media)
        with pytest.raises(CommandError, match=message):
            restore(archive, **options)
        assert state(media) == before
        assert not list(media.parent.glob(".treem-restore-*")), "the staging folder is removed"

    return check


def test_round_trip_restores_every_table_and_every_uploaded_file(geo, officer_a, records, media, tmp_path):
    original = state(media)
    assert {"audit_auditevent", "children_child", "geo_unit", "django_session"} <= set(original[0])
    assert original[0]["audit_auditevent"].rows >= 3 and original[0]["django_session"].rows == 1
    archive = tmp_path / "treem.tbak"
    out = io.StringIO()
    call_command("backup", str(archive), stdout=out)
    assert "not encrypted" in out.getvalue() and archive.read_bytes()[:2] == b"\x1f\x8b"
    assert archive.stat().st_mode & 0o777 == 0o600

    change_everything(geo, officer_a, records, media)
    changed = state(media)
    differing = {t for t in original[0] if original[0][t] != changed[0].get(t)}
    assert {"geo_unit", "children_child", "audit_auditevent", "django_session"} <= differing
    assert changed[1] != original[1]

    report = restore(archive)

    assert state(media) == original  # every table's row count and checksum, every file's bytes
    assert "match the archive's counts and checksums" in report and "2 uploaded files" in report
    assert "migrate was not needed" in report
    assert audit_chain_verify().ok
    assert Child.objects.filter(full_name="Lê Văn Tám").exists()
    assert not (media / "after-backup.txt").exists()
    # The restored uploads are private like the originals (core/files.py): 0600 files, 0700 folders.
    for path in [media, *media.rglob("*")]:
        assert path.stat().st_mode & 0o777 == (0o700 if path.is_dir() else 0o600), path


@pytest.mark.parametrize("key_source", ["setting", "key file"])
def test_encrypted_round_trip(geo, officer_a, records, media, tmp_path, settings, key_source):
    original = state(media)
    archive = tmp_path / "treem.tbak"
    options = {}
    if key_source == "setting":
        settings.TREEM_BACKUP_KEY = KEY
    else:
        key_file = tmp_path / "backup.key"
        key_file.write_text(KEY + "\n", encoding="utf-8")  # a trailing newline is not part of the key
        options["key_file"] = str(key_file)
    out = io.StringIO()
    call_command("backup", str(archive), stdout=out, **options)
    assert "(" in out.getvalue() and ", encrypted)" in out.getvalue()
    content = archive.read_bytes()
    assert content.startswith(backup.MAGIC)
    assert b"manifest" not in content and "Ánh".encode() not in content

    change_everything(geo, officer_a, records, media)
    restore(archive, **options)
    assert state(media) == original


def test_an_encrypted_archive_without_its_key_is_refused(records, media, tmp_path, settings, refused):
    archive = tmp_path / "treem.tbak"
    settings.TREEM_BACKUP_KEY = KEY
    call_command("backup", str(archive), stdout=io.StringIO())
    settings.TREEM_BACKUP_KEY = ""
    refused(archive, "The archive is encrypted: give its passphrase")


def test_a_wrong_key_is_refused_and_nothing_changes(records, media, tmp_path, settings, refused):
    archive = tmp_path / "treem.tbak"
    settings.TREEM_BACKUP_KEY = KEY
    call_command("backup", str(archive), stdout=io.StringIO())
    wrong = tmp_path / "wrong.key"
    wrong.write_text(KEY + "!", encoding="utf-8")
    refused(archive, "Wrong key: the passphrase or key file given does not open this archive", key_file=wrong)


@pytest.mark.parametrize(
    ("encrypted", "damage"),
    [(False, "flip"), (False, "cut"), (True, "flip"), (True, "cut"), (True, "drop last block")],
)
def test_a_damaged_or_truncated_archive_is_refused(
    records, media, tmp_path, settings, refused, encrypted, damage
):
    archive = tmp_path / "treem.tbak"
    settings.TREEM_BACKUP_KEY = KEY if encrypted else ""
    call_command("backup", str(archive), stdout=io.StringIO())
    content = bytearray(archive.read_bytes())
    if damage == "flip":
        content[len(content) // 2] ^= 0x01
    elif damage == "cut":
        del content[-200:]
    else:  # a cut exactly at a block boundary: only the header and the key check are left
        del content[backup._HEADER.size + backup._TAG_SIZE :]
    archive.write_bytes(bytes(content))
    refused(archive, r"The archive is (damaged|truncated).*Nothing was changed\.")


def test_a_file_that_is_no_archive_is_refused(records, media, tmp_path, refused):
    archive = tmp_path / "notes.txt"
    archive.write_text("not a backup")
    refused(archive, "This file is not a treem backup archive")


def test_an_archive_of_the_other_database_vendor_is_refused(records, media, tmp_path, refused):
    archive = tmp_path / "treem.tbak"
    call_command("backup", str(archive), stdout=io.StringIO())
    other = {"sqlite": "postgresql", "postgresql": "sqlite"}[connection.vendor]

    def to_other_vendor(manifest):
        manifest["vendor"] = other
        manifest["database"]["file"] = backup.DATABASE_MEMBERS[other]

    forged = tmp_path / "other.tbak"
    rewrite_manifest(archive, forged, to_other_vendor)
    here, there = backup.VENDOR_NAMES[connection.vendor], backup.VENDOR_NAMES[other]
    refused(forged, f"This archive holds a {there} database, but this treem uses {here}")


def test_an_archive_of_a_newer_treem_is_refused(records, media, tmp_path, refused):
    archive = tmp_path / "treem.tbak"
    call_command("backup", str(archive), stdout=io.StringIO())
    forged = tmp_path / "newer.tbak"
    rewrite_manifest(archive, forged, lambda m: m["migrations"].append(["children", "9999_from_the_future"]))
    refused(forged, r"made by a newer treem .*children\.9999_from_the_future.*Upgrade treem first")


def test_an_edited_manifest_is_refused(records, media, tmp_path, refused):
    archive = tmp_path / "treem.tbak"
    call_command("backup", str(archive), stdout=io.StringIO())
    forged = tmp_path / "edited.tbak"

    def swap_checksum(manifest):
        manifest["uploads"][0]["sha256"] = "0" * 64

    rewrite_manifest(archive, forged, swap_checksum)
    refused(forged, "The archive is damaged: uploads/.* does not match its checksum")


def test_a_restore_not_confirmed_changes_nothing(records, media, tmp_path, refused, monkeypatch):
    archive = tmp_path / "treem.tbak"
    call_command("backup", str(archive), stdout=io.StringIO())
    questions = []
    monkeypatch.setattr("builtins.input", lambda prompt: questions.append(prompt) or "no")
    refused(archive, "Restore cancelled. Nothing was changed", yes=False)
    assert questions == ["Type 'yes' to restore: "]


def test_check_reads_the_whole_archive_and_changes_nothing(geo, officer_a, records, media, tmp_path):
    archive = tmp_path / "treem.tbak"
    call_command("backup", str(archive), stdout=io.StringIO())
    change_everything(geo, officer_a, records, media)
    before = state(media)
    report = restore(archive, check=True)
    assert "The archive is complete and intact" in report and "2 uploaded files" in report
    assert state(media) == before


@pytest.fixture
def without_sessions_app():
    """The database as an older treem left it: no sessions table, its migration not applied."""
    with connection.schema_editor() as editor:
        editor.delete_model(Session)
    MigrationRecorder(connection).migration_qs.filter(app="sessions").delete()
    yield
    if "django_session" not in connection.introspection.table_names():  # a failed test: repair
        MigrationRecorder(connection).migration_qs.filter(app="sessions").delete()
        call_command("migrate", "sessions", verbosity=0)


def test_an_older_archive_is_migrated_after_the_restore(records, media, tmp_path, without_sessions_app):
    archive = tmp_path / "older.tbak"
    call_command("backup", str(archive), stdout=io.StringIO())
    assert "django_session" not in json.loads(_manifest_of(archive))["tables"]
    call_command("migrate", "sessions", verbosity=0)  # this treem is newer than the archive

    report = restore(archive)

    assert "match the archive's counts and checksums" in report
    assert "migrate applied 1 migrations (sessions.0001_initial)" in report
    assert "django_session" in connection.introspection.table_names()
    assert MigrationRecorder(connection).migration_qs.filter(app="sessions").exists()


def _manifest_of(archive: Path) -> bytes:
    with gzip.open(archive) as gz, tarfile.open(fileobj=gz, mode="r|") as tar:
        member = tar.next()
        return tar.extractfile(member).read()


def test_the_archive_is_written_atomically(records, media, tmp_path, monkeypatch):
    archive = tmp_path / "treem.tbak"
    archive.write_bytes(b"the previous backup")

    def fail(*args, **kwargs):
        raise backup.BackupError("disk full")

    monkeypatch.setattr(backup, "_add_file", fail)
    with pytest.raises(CommandError, match="disk full"):
        call_command("backup", str(archive), stdout=io.StringIO())
    assert archive.read_bytes() == b"the previous backup"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["data", "treem.tbak"]  # no temporary left


def test_a_backup_inside_the_uploads_folder_is_refused(records, media):
    with pytest.raises(CommandError, match="Write the backup outside the uploads folder"):
        call_command("backup", str(media / "treem.tbak"), stdout=io.StringIO())


def test_table_digests_are_stable_and_see_one_changed_value(records):
    first = table_digests()
    assert table_digests() == first
    AuditEvent.objects.count()  # reads change nothing
    Child.objects.filter(pk=records["anh"].pk).update(notes="một thay đổi nhỏ")
    second = table_digests()
    assert {t for t in first if first[t] != second[t]} == {"children_child"}
    assert second["children_child"].rows == first["children_child"].rows

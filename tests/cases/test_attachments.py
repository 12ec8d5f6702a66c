"""Files on a case: type read from the content, size-limited, stored outside the web root, and
downloaded only by those who see the case's content (each download audited)."""

import io
import os
import zipfile

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from tests.cases.records import open_case
from tests.factories import UserFactory
from treem.audit.models import AuditEvent
from treem.cases import attachments, services
from treem.cases.models import Attachment, CaseEvent
from treem.jobs import files

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + b"\x00" * 40
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"\x00" * 40


def office(main: str) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr(
            "[Content_Types].xml",
            f'<?xml version="1.0"?><Types><Override PartName="/x" ContentType="{main}"/></Types>',
        )
        archive.writestr("word/document.xml" if "word" in main else "xl/workbook.xml", "<x/>")
    return buffer.getvalue()


DOCX = office("application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml")
XLSX = office("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml")


def plain_zip() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("a.txt", "x")
    return buffer.getvalue()


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "uploads"


@pytest.fixture
def case(geo, officer_a, supervisor_a):
    return open_case(officer_a, geo.commune_a, supervisor=supervisor_a)


def stored_files() -> list:
    root = files.root()
    return sorted(p for p in root.rglob("*") if p.is_file()) if root.exists() else []


@pytest.mark.parametrize(
    ("name", "content", "mime"),
    [
        ("bien-ban.pdf", PDF, "application/pdf"),
        ("anh.PNG", PNG, "image/png"),
        ("anh.jpg", JPEG, "image/jpeg"),
        ("ke-hoach.docx", DOCX, "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
        ("bang.xlsx", XLSX, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
        ("ghi-chu.txt", "Gặp mẹ của trẻ lúc 9 giờ".encode(), "text/plain; charset=utf-8"),
    ],
)
def test_allowed_files_are_stored_privately(geo, case, officer_a, name, content, mime):
    attachment = services.attachment_add(
        acting_user=officer_a, case=case, upload=SimpleUploadedFile(name, content), description="Hồ sơ"
    )
    assert attachment.content_type == mime and attachment.size == len(content)
    path = files.path_of(attachment.stored_path)
    assert content not in path.read_bytes()  # encrypted (tests/cases/test_attachment_encryption.py)
    assert attachments.read_content(attachment) == content
    assert oct(path.stat().st_mode & 0o777) == "0o600"
    assert oct(path.parent.stat().st_mode & 0o777) == "0o700"
    assert name not in str(path)  # a random name on disk
    assert case.events.filter(kind="attachment_added").exists()
    event = AuditEvent.objects.get(action="cases.attachment.added")
    assert event.changes["file_name"] == [None, "••••"]


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("bien-ban.pdf", PNG, "“bien-ban.pdf” is not a PDF document: its content is a PNG image."),
        ("anh.jpg", PDF, "“anh.jpg” is not a JPEG image: its content is a PDF document."),
        ("ke-hoach.docx", plain_zip(), "its content is a ZIP archive"),
        ("bang.xlsx", DOCX, "its content is a Word document (.docx)"),
        (
            "ghi-chu.txt",
            b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff",
            "“ghi-chu.txt” is not a text file",
        ),
        ("virus.exe", b"MZ\x90\x00", "cannot be attached: only PDF"),
        ("trong.pdf", b"", "“trong.pdf” is empty."),
    ],
)
def test_a_file_that_is_not_what_its_name_says_is_refused(geo, case, officer_a, name, content, message):
    before = (Attachment.objects.count(), CaseEvent.objects.count(), AuditEvent.objects.count())
    with pytest.raises(ValidationError) as exc:
        services.attachment_add(acting_user=officer_a, case=case, upload=SimpleUploadedFile(name, content))
    assert message in exc.value.message_dict["file"][0]
    assert (Attachment.objects.count(), CaseEvent.objects.count(), AuditEvent.objects.count()) == before
    assert stored_files() == []  # nothing written, not even the file


def test_too_large_is_refused(geo, case, officer_a, settings):
    settings.TREEM_CASE_ATTACHMENT_MAX_BYTES = 1024 * 1024
    with pytest.raises(ValidationError, match="too large: at most 1 MB"):
        services.attachment_add(
            acting_user=officer_a, case=case, upload=SimpleUploadedFile("a.txt", b"a" * (1024 * 1024 + 1))
        )
    assert stored_files() == [] and Attachment.objects.count() == 0


def test_a_failed_database_write_removes_the_file(geo, case, officer_a, monkeypatch):
    def boom(*args, **kwargs):
        raise RuntimeError("database gone")

    monkeypatch.setattr("treem.cases.services.audit_record", boom)
    with pytest.raises(RuntimeError):
        services.attachment_add(acting_user=officer_a, case=case, upload=SimpleUploadedFile("a.pdf", PDF))
    assert stored_files() == [] and Attachment.objects.count() == 0


def test_upload_page_message_and_download(client, geo, case, officer_a, officer_b, supervisor_a):
    client.force_login(officer_a)
    bad = client.post(
        reverse("cases:attachment_add", args=[case.pk]),
        {"attach-file": SimpleUploadedFile("giay-kham.pdf", PNG), "attach-description": "Giấy khám"},
    )
    assert bad.status_code == 400
    assert "is not a PDF document: its content is a PNG image" in bad.content.decode()
    assert Attachment.objects.count() == 0 and stored_files() == []
    ok = client.post(
        reverse("cases:attachment_add", args=[case.pk]),
        {"attach-file": SimpleUploadedFile("giay-kham.pdf", PDF), "attach-description": "Giấy khám"},
    )
    assert ok.status_code == 302
    attachment = Attachment.objects.get()
    assert "giay-kham.pdf" in client.get(case.get_absolute_url()).content.decode()
    download = client.get(attachment.get_absolute_url())
    assert download.status_code == 200 and b"".join(download.streaming_content) == PDF
    assert download["Content-Type"] == "application/pdf"
    assert "attachment;" in download["Content-Disposition"]
    assert AuditEvent.objects.filter(action="cases.attachment.downloaded", actor=officer_a).count() == 1
    # Another commune: 404; in scope but outside the case's group: 403 until the glass is broken.
    client.force_login(officer_b)
    assert client.get(attachment.get_absolute_url()).status_code == 404
    outsider = UserFactory(username="canbo_a2", roles=["commune_officer"], units=[geo.commune_a])
    client.force_login(outsider)
    assert client.get(attachment.get_absolute_url()).status_code == 403
    services.case_break_glass(acting_user=outsider, case=case, reason="Trẻ nhập viện cấp cứu lúc đêm")
    assert client.get(attachment.get_absolute_url()).status_code == 200
    event = AuditEvent.objects.filter(action="cases.attachment.downloaded", actor=outsider).get()
    assert event.reason == "Trẻ nhập viện cấp cứu lúc đêm" and event.changes["access"] == "glass"


def test_files_live_outside_the_web_root(settings):
    from django.conf import settings as conf

    media = os.path.realpath(conf.MEDIA_ROOT)
    assert not media.startswith(os.path.realpath(conf.STATIC_ROOT))
    assert not conf.MEDIA_URL or conf.MEDIA_URL in ("/", "")  # no URL serves the upload folder

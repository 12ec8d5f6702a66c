"""Case attachments are encrypted at rest with the field keys: the disk holds no byte of the file,
the audited download gives it back, key rotation re-encrypts the files (and encrypts those stored in
clear before files were encrypted), after which the old key can go."""

from __future__ import annotations

import hashlib
import io

import pytest
from cryptography.fernet import Fernet
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command

from tests.cases.records import open_case
from treem.audit.models import AuditEvent
from treem.cases import attachments, encryption, services
from treem.cases.encryption import FieldKeyError
from treem.cases.models import Attachment
from treem.core import files

MARKER = b"LO-THI-MAI-BENH-AN-0905111222"
PDF = b"%PDF-1.4\n1 0 obj<< /Title (" + MARKER + b") >>endobj\ntrailer<<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + b"\x00" * 13 + b"tEXtComment\x00" + MARKER


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "uploads"


@pytest.fixture
def case(geo, officer_a, supervisor_a):
    return open_case(officer_a, geo.commune_a, supervisor=supervisor_a)


def attach(case, user, name: str, content: bytes) -> Attachment:
    return services.attachment_add(acting_user=user, case=case, upload=SimpleUploadedFile(name, content))


def raw(attachment: Attachment) -> bytes:
    return files.path_of(attachment.stored_path).read_bytes()


def every_stored_byte() -> bytes:
    return b"".join(p.read_bytes() for p in sorted(files.root().rglob("*")) if p.is_file())


@pytest.mark.parametrize(("name", "content"), [("benh-an.pdf", PDF), ("anh.png", PNG)])
def test_the_disk_holds_no_byte_of_the_file(case, officer_a, name, content):
    attachment = attach(case, officer_a, name, content)
    stored = raw(attachment)
    assert stored.startswith(encryption.FILE_MAGIC)
    assert MARKER not in every_stored_byte() and content[:8] not in stored
    assert attachments.read_content(attachment) == content


def test_the_download_gives_the_original_bytes(client, case, officer_a):
    attachment = attach(case, officer_a, "benh-an.pdf", PDF)
    client.force_login(officer_a)
    response = client.get(attachment.get_absolute_url())
    assert response.status_code == 200 and b"".join(response.streaming_content) == PDF
    assert response["Content-Type"] == "application/pdf" and response["Cache-Control"] == "no-store"
    assert AuditEvent.objects.filter(action="cases.attachment.downloaded").count() == 1


def test_rotation_re_encrypts_files_and_the_old_key_can_go(client, case, officer_a, settings):
    old, new = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    first = list(encryption.configured_keys())  # the case's reports were written with it
    settings.TREEM_FIELD_KEYS = [old, *first]
    attachment = attach(case, officer_a, "benh-an.pdf", PDF)
    before = raw(attachment)
    settings.TREEM_FIELD_KEYS = [new, old, *first]
    out = io.StringIO()
    call_command("rotate_field_keys", stdout=out)
    assert "cases.Attachment: 1 files re-encrypted" in out.getvalue()
    assert AuditEvent.objects.get(action="cases.field_keys.rotated").changes["attachment files"] == 1
    after = raw(attachment)
    assert after != before and MARKER not in after
    assert Fernet(new.encode()).decrypt(after[len(encryption.FILE_MAGIC) :]) == PDF  # the new key's
    settings.TREEM_FIELD_KEYS = [new]  # the old keys removed: the file still opens
    fresh = Attachment.objects.get(pk=attachment.pk)
    assert attachments.read_content(fresh) == PDF
    client.force_login(officer_a)
    assert b"".join(client.get(attachment.get_absolute_url()).streaming_content) == PDF
    settings.TREEM_FIELD_KEYS = [old]  # and the old key alone opens nothing any more
    with pytest.raises(FieldKeyError, match="cannot be decrypted"):
        attachments.read_content(attachment)


def test_a_file_stored_in_clear_before_encryption_is_read_then_encrypted_by_rotation(
    client, case, officer_a, settings
):
    attachment = attach(case, officer_a, "benh-an.pdf", PDF)
    path = files.path_of(attachment.stored_path)
    files.rewrite_private(path, PDF)  # as an older version left it
    client.force_login(officer_a)
    assert b"".join(client.get(attachment.get_absolute_url()).streaming_content) == PDF
    call_command("rotate_field_keys", stdout=io.StringIO())
    assert MARKER not in raw(attachment) and raw(attachment).startswith(encryption.FILE_MAGIC)
    assert attachments.read_content(attachment) == PDF
    assert oct(path.stat().st_mode & 0o777) == "0o600"


def test_a_missing_file_is_reported_by_rotation_and_is_404_on_download(client, case, officer_a):
    attachment = attach(case, officer_a, "benh-an.pdf", PDF)
    files.path_of(attachment.stored_path).unlink()
    out, err = io.StringIO(), io.StringIO()
    call_command("rotate_field_keys", stdout=out, stderr=err)
    assert "cases.Attachment: 0 files re-encrypted" in out.getvalue()
    assert str(attachment.pk) in err.getvalue()
    client.force_login(officer_a)
    assert client.get(attachment.get_absolute_url()).status_code == 404


def test_a_file_that_is_not_the_one_attached_is_refused(case, officer_a):
    attachment = attach(case, officer_a, "benh-an.pdf", PDF)
    other = b"%PDF-1.4\nsomething else\n%%EOF\n"
    files.rewrite_private(files.path_of(attachment.stored_path), encryption.encrypt_file(other))
    with pytest.raises(attachments.AttachmentDamaged):
        attachments.read_content(attachment)
    assert attachment.sha256 == hashlib.sha256(PDF).hexdigest()

"""What a file attached to a case really is: read from its content, never from its name alone.

Allowed: PDF, JPEG, PNG, Word (.docx), Excel (.xlsx) and plain text (UTF-8). The ``filetype``
package reads the magic bytes; a .docx or .xlsx is a ZIP archive whose ``[Content_Types].xml``
must declare a Word document or an Excel workbook (any ZIP would otherwise pass). A file whose
content is not what its name says is refused before anything is written.

On disk a file is encrypted with the field keys (``encryption.encrypt_file``: TREEM_FIELD_KEYS,
rotated by ``treem rotate_field_keys``) in a private file (``core.files``: 0600 in a 0700 folder,
random name, no URL); ``read_content`` gives it back for the audited download.
"""

from __future__ import annotations

import hashlib
import io
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

import filetype
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from treem.cases import encryption
from treem.core import files

DEFAULT_MAX_BYTES = 10 * 1024 * 1024
WORD_MAIN = b"application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"
EXCEL_MAIN = b"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"


@dataclass(frozen=True)
class Kind:
    code: str
    mime: str
    label: str


KINDS = {
    "pdf": Kind("pdf", "application/pdf", gettext_lazy("a PDF document")),
    "jpeg": Kind("jpeg", "image/jpeg", gettext_lazy("a JPEG image")),
    "png": Kind("png", "image/png", gettext_lazy("a PNG image")),
    "docx": Kind(
        "docx",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        gettext_lazy("a Word document (.docx)"),
    ),
    "xlsx": Kind(
        "xlsx",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        gettext_lazy("an Excel workbook (.xlsx)"),
    ),
    "txt": Kind("txt", "text/plain; charset=utf-8", gettext_lazy("a text file")),
}
SUFFIXES = {
    ".pdf": "pdf",
    ".jpg": "jpeg",
    ".jpeg": "jpeg",
    ".png": "png",
    ".docx": "docx",
    ".xlsx": "xlsx",
    ".txt": "txt",
}


def max_bytes() -> int:
    return int(getattr(settings, "TREEM_CASE_ATTACHMENT_MAX_BYTES", DEFAULT_MAX_BYTES))


def _office_kind(content: bytes) -> str | None:
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            types = archive.read("[Content_Types].xml")
    except (zipfile.BadZipFile, KeyError, RuntimeError, ValueError, OSError):
        return None
    if WORD_MAIN in types:
        return "docx"
    if EXCEL_MAIN in types:
        return "xlsx"
    return None


def detect(content: bytes) -> tuple[str | None, str]:
    """(allowed kind code or None, a description of what the content is)."""
    guessed = filetype.guess(content[:8192])
    if guessed is None:
        if b"\x00" not in content:
            try:
                content.decode("utf-8")
            except UnicodeDecodeError:
                pass
            else:
                return "txt", str(KINDS["txt"].label)
        return None, _("of an unknown type")
    for code in ("pdf", "jpeg", "png"):
        if guessed.mime == KINDS[code].mime:
            return code, str(KINDS[code].label)
    if guessed.extension in ("zip", "docx", "xlsx", "pptx"):
        office = _office_kind(content)
        if office:
            return office, str(KINDS[office].label)
        return None, _("a ZIP archive")
    return None, _("a %(type)s file") % {"type": guessed.extension.upper()}


@dataclass(frozen=True)
class CheckedUpload:
    kind: Kind
    size: int
    sha256: str
    name: str
    content: bytes = field(repr=False, default=b"")


def check_upload(upload) -> CheckedUpload:
    """Refuse (ValidationError on "file") a file that is too large, empty, of a type not allowed, or
    whose content is not what its name says."""
    name = Path(upload.name or "").name
    suffix = Path(name).suffix.lower()
    expected = SUFFIXES.get(suffix)
    if expected is None:
        raise ValidationError(
            {
                "file": [
                    _(
                        "“%(name)s” cannot be attached: only PDF, JPEG, PNG, Word (.docx), "
                        "Excel (.xlsx) and text (.txt) files are accepted."
                    )
                    % {"name": name}
                ]
            }
        )
    limit = max_bytes()
    if upload.size is not None and upload.size > limit:
        raise ValidationError(
            {
                "file": [
                    _("“%(name)s” is too large: at most %(limit)s MB.")
                    % {"name": name, "limit": limit // (1024 * 1024)}
                ]
            }
        )
    upload.seek(0)
    content = upload.read(limit + 1)
    upload.seek(0)
    if len(content) > limit:
        raise ValidationError(
            {
                "file": [
                    _("“%(name)s” is too large: at most %(limit)s MB.")
                    % {"name": name, "limit": limit // (1024 * 1024)}
                ]
            }
        )
    if not content:
        raise ValidationError({"file": [_("“%(name)s” is empty.") % {"name": name}]})
    found, description = detect(content)
    if found != expected:
        raise ValidationError(
            {
                "file": [
                    _("“%(name)s” is not %(expected)s: its content is %(found)s. Nothing was saved.")
                    % {"name": name, "expected": KINDS[expected].label, "found": description}
                ]
            }
        )
    return CheckedUpload(
        kind=KINDS[found],
        size=len(content),
        sha256=hashlib.sha256(content).hexdigest(),
        name=name,
        content=content,
    )


# --- on disk: encrypted with the field keys -----------------------------------------------------


class AttachmentDamaged(Exception):
    """A stored file is not the one that was attached (its SHA-256 differs)."""


def store(content: bytes, case_id: int) -> str:
    """Encrypt ``content`` and write it to a new private file of the case; its relative path."""
    return files.store_chunks([encryption.encrypt_file(content)], f"cases/{case_id}")


def read_content(attachment) -> bytes:
    """The attached file as it was uploaded: decrypted, or read as it is when it was stored before
    files were encrypted; either way checked against its SHA-256.

    ``OSError`` / ``ValueError`` when the file is gone, ``FieldKeyError`` when no key opens it.
    """
    stored = files.path_of(attachment.stored_path).read_bytes()
    # A file without treem's marker was stored before files were encrypted: read as it is.
    content = encryption.decrypt_file(stored) if encryption.is_encrypted_file(stored) else stored
    if hashlib.sha256(content).hexdigest() != attachment.sha256:
        raise AttachmentDamaged(f"attachment {attachment.pk}: the stored file does not match its SHA-256")
    return content


def reencrypt(stored_path: str) -> bool:
    """Re-encrypt a stored file with the first key (encrypting a file stored in clear), replacing it
    at once. False when the file is missing."""
    try:
        path = files.path_of(stored_path)
        stored = path.read_bytes()
    except (OSError, ValueError):
        return False
    files.rewrite_private(path, encryption.rotate_file(stored))
    return True

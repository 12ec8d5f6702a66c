"""Input files of jobs, kept in a private folder outside the web root until the job is done.

Files live under ``MEDIA_ROOT`` (``TREEM_DATA_DIR/uploads``), which no URL serves, readable by
the server's user only, under a random name: the name the user gave is kept in the job, never used
as a path.
"""

from __future__ import annotations

import contextlib
import os
import re
import secrets
from pathlib import Path

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile

SUFFIX_RE = re.compile(r"^\.[a-z0-9]{1,8}$")


def root() -> Path:
    return Path(settings.MEDIA_ROOT).resolve()


def path_of(relative: str) -> Path:
    """The absolute path of a stored input file; refuses a path that leaves the upload folder."""
    base = root()
    path = (base / relative).resolve()
    if not relative or base not in path.parents:
        raise ValueError(f"not a stored upload: {relative!r}")
    return path


def store_upload(upload: UploadedFile, folder: str) -> str:
    """Save an uploaded file under ``folder`` of the private upload folder; returns its relative path."""
    suffix = Path(upload.name or "").suffix.lower()
    suffix = suffix if SUFFIX_RE.match(suffix) else ""
    directory = root() / folder
    directory.mkdir(mode=0o700, parents=True, exist_ok=True)
    name = f"{secrets.token_urlsafe(18)}{suffix}"
    target = directory / name
    # Owner-only from the first byte: these files hold children's personal data.
    descriptor = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(descriptor, "wb") as handle:
            for chunk in upload.chunks():
                handle.write(chunk)
    except BaseException:
        target.unlink(missing_ok=True)
        raise
    return f"{folder}/{name}"


def new_output(folder: str, suffix: str) -> tuple[str, Path]:
    """A new empty private file for a job's output (an export, a report): (relative path, path).

    Jobs list their outputs in ``result["outputs"]`` as ``{"name", "path", "filename",
    "content_type"}``; ``jobs:job_output`` serves them to the job's owner only.
    """
    suffix = suffix.lower() if SUFFIX_RE.match(suffix.lower()) else ""
    directory = root() / folder
    directory.mkdir(mode=0o700, parents=True, exist_ok=True)
    target = directory / f"{secrets.token_urlsafe(18)}{suffix}"
    os.close(os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
    return f"{folder}/{target.name}", target


def remove(relative: str) -> None:
    """Delete a stored input file (already gone is fine)."""
    if not relative:
        return
    with contextlib.suppress(ValueError):  # not a stored upload: nothing of ours to delete
        path_of(relative).unlink(missing_ok=True)

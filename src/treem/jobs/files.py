"""Input files of jobs, kept in a private folder outside the web root until the job is done, and
the files jobs produce.

Files live under ``MEDIA_ROOT`` (``TREEM_DATA_DIR/uploads``), which no URL serves, written through
``core.files`` (0600 files in 0700 folders, random names): the name the user gave is kept in the
job, never used as a path.
"""

from __future__ import annotations

from pathlib import Path

from django.core.files.uploadedfile import UploadedFile

from treem.core.files import new_private_file, path_of, remove, root, store_chunks

__all__ = ["new_output", "path_of", "remove", "root", "store_upload"]


def store_upload(upload: UploadedFile, folder: str) -> str:
    """Save an uploaded file under ``folder`` of the private upload folder; returns its relative path."""
    return store_chunks(upload.chunks(), folder, Path(upload.name or "").suffix)


def new_output(folder: str, suffix: str) -> tuple[str, Path]:
    """A new empty private file for a job's output (an export, a report): (relative path, path).

    Jobs list their outputs in ``result["outputs"]`` as ``{"name", "path", "filename",
    "content_type"}``; ``jobs:job_output`` serves them to the job's owner only.
    """
    return new_private_file(folder, suffix)

"""Private files: everything treem writes that may hold personal data, readable by its user only.

Uploads, job outputs (exports, reports), import error reports, case attachments and restored
uploads live under ``MEDIA_ROOT`` (``TREEM_DATA_DIR/uploads``), which no URL serves. Every file is
created mode 0600 (owner-only from its first byte, whatever the process's umask) and every folder
from ``MEDIA_ROOT`` down to it is 0700; a folder left looser by an older version is tightened the
next time a file is written into it. Names on disk are random: the name a user gave is kept in the
database, never used as a path.

This is the one place that creates such files: apps call ``private_folder``, ``open_private``,
``write_private``, ``new_private_file`` or ``rewrite_private`` rather than ``open(…, "wb")``,
``Path.write_bytes`` or ``mkdir``.
"""

from __future__ import annotations

import contextlib
import os
import re
import secrets
import stat
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

from django.conf import settings

FILE_MODE = 0o600
FOLDER_MODE = 0o700
SUFFIX_RE = re.compile(r"^\.[a-z0-9]{1,8}$")


def root() -> Path:
    """The private folder (``MEDIA_ROOT``), resolved."""
    return Path(settings.MEDIA_ROOT).resolve()


def path_of(relative: str) -> Path:
    """The absolute path of a stored file; refuses a path that leaves the private folder."""
    base = root()
    path = (base / relative).resolve()
    if not relative or base not in path.parents:
        raise ValueError(f"not a stored upload: {relative!r}")
    return path


def _tighten(path: Path) -> None:
    mode = stat.S_IMODE(path.stat().st_mode)
    if mode != FOLDER_MODE:
        # A folder that is not ours (a mount point owned by root) cannot be changed: left as it is.
        with contextlib.suppress(PermissionError):
            path.chmod(FOLDER_MODE)


def private_folder(folder: str | os.PathLike, *, base: Path | None = None) -> Path:
    """Create ``folder`` (relative to ``base``, default ``MEDIA_ROOT``, or absolute under it) with
    every folder between, each 0700; returns its absolute path."""
    base = Path(base).resolve() if base is not None else root()
    target = (base / folder).resolve()
    if target != base and base not in target.parents:
        raise ValueError(f"{target} is not inside {base}")
    base.mkdir(mode=FOLDER_MODE, parents=True, exist_ok=True)  # its parents are the operator's
    _tighten(base)
    current = base
    for part in target.relative_to(base).parts:
        current = current / part
        with contextlib.suppress(FileExistsError):
            current.mkdir(mode=FOLDER_MODE)
        _tighten(current)
    return target


def _random_name(suffix: str = "") -> str:
    suffix = suffix.lower()
    return f"{secrets.token_urlsafe(18)}{suffix if SUFFIX_RE.match(suffix) else ''}"


@contextlib.contextmanager
def open_private(path: str | os.PathLike, *, replace: bool = False) -> Iterator[BinaryIO]:
    """Open a new file at ``path`` for writing (binary), mode 0600 from its creation.

    Without ``replace`` the file must not exist (``FileExistsError``); with it an existing file is
    truncated and made 0600. On any error the partly written file is removed. The folder is the
    caller's: ``private_folder`` for folders under ``MEDIA_ROOT``.
    """
    path = Path(path)
    flags = os.O_WRONLY | os.O_CREAT | (os.O_TRUNC if replace else os.O_EXCL)
    descriptor = os.open(path, flags, FILE_MODE)
    try:
        os.fchmod(descriptor, FILE_MODE)  # an existing file keeps its mode through O_TRUNC
        with os.fdopen(descriptor, "wb") as handle:
            descriptor = None
            yield handle
    except BaseException:
        if descriptor is not None:
            os.close(descriptor)
        path.unlink(missing_ok=True)
        raise


def write_private(path: str | os.PathLike, data: bytes, *, replace: bool = False) -> None:
    """Write ``data`` to a new 0600 file (``replace``: or over an existing one)."""
    with open_private(path, replace=replace) as handle:
        handle.write(data)


def new_private_file(folder: str, suffix: str = "") -> tuple[str, Path]:
    """A new empty 0600 file with a random name in ``folder`` of ``MEDIA_ROOT``: (relative, path)."""
    directory = private_folder(folder)
    target = directory / _random_name(suffix)
    os.close(os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, FILE_MODE))
    return f"{folder}/{target.name}", target


def store_chunks(chunks, folder: str, suffix: str = "") -> str:
    """Write ``chunks`` (bytes) to a new private file in ``folder``; returns its relative path."""
    directory = private_folder(folder)
    target = directory / _random_name(suffix)
    with open_private(target) as handle:
        for chunk in chunks:
            handle.write(chunk)
    return f"{folder}/{target.name}"


def rewrite_private(path: str | os.PathLike, data: bytes) -> None:
    """Replace the content of ``path`` at once: a reader sees the old content or the new, never half.

    The new content is written to a 0600 file beside it, flushed to disk, then renamed over it.
    """
    path = Path(path)
    temporary = path.with_name(f".{path.name}.{secrets.token_hex(4)}.part")
    with open_private(temporary) as handle:
        handle.write(data)
        handle.flush()
        os.fsync(handle.fileno())
    try:
        os.replace(temporary, path)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise


def remove(relative: str) -> None:
    """Delete a stored file (already gone is fine; a path outside the private folder is ignored)."""
    if not relative:
        return
    with contextlib.suppress(ValueError):  # not a stored file: nothing of ours to delete
        path_of(relative).unlink(missing_ok=True)

"""Uploaded files measured before they are parsed.

Every .xlsx, .docx or other zip a user sends, and every JSON or YAML document, goes through one of
these checks in the request, before openpyxl, ``json`` or PyYAML sees it:

* a zip (``check_archive``): the sizes its directory declares (each part, all together, how much
  a part shrank when packed), how many parts it has; then every part unpacked for real with a cap,
  stopping as soon as the total passes the limit; then every XML part read by expat, refusing a
  ``<!DOCTYPE`` or ``<!ENTITY`` (billion laughs, external entities), XML that is not well formed
  and elements nested deeper than the limit;
* JSON (``check_json``) and YAML (``check_yaml``): nesting depth, and no YAML aliases (the YAML
  form of billion laughs).

Limits are settings: ``TREEM_UPLOAD_MAX_UNPACKED_BYTES``, ``TREEM_UPLOAD_MAX_ENTRIES``,
``TREEM_UPLOAD_MAX_RATIO``, ``TREEM_UPLOAD_MAX_DEPTH`` (docs/operations.md). A refused file raises
``UnsafeUpload``: a ``ValidationError`` whose message is the same for every reason, in the user's
language; the reason itself goes to the log (and ``.reason``, for tests), since it helps nobody
fix a genuine file and tells an attacker which limit to play with.

The cheap checks run first, so a hostile file is refused in milliseconds; a genuine workbook at
the size limit takes a second or two (the expat pass).
"""

from __future__ import annotations

import array
import contextlib
import itertools
import logging
import re
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO
from xml.parsers import expat

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy

logger = logging.getLogger(__name__)

UNSAFE_MESSAGE = gettext_lazy(
    "The file cannot be read safely: it is damaged, or it is built in a way treem refuses (too "
    "large once unpacked, too many parts, nested too deeply, or declaring entities). Save it again "
    "from the program that made it, or split it into smaller files."
)

CHUNK = 1 << 16
# Below this a part's ratio says nothing: a small part of repeated markup packs very well.
RATIO_FLOOR_BYTES = 1 << 20
DTD_MARKERS = (b"<!DOCTYPE", b"<!ENTITY")
MARKER_OVERLAP = max(len(m) for m in DTD_MARKERS) - 1
BOMS = (b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff")
# Legacy VML drawings in Office files are often not well-formed XML: scanned for a DTD, not parsed.
NOT_PARSED_SUFFIXES = (".vml",)


class UnsafeUpload(ValidationError):
    """A file refused before parsing; ``reason`` says why, for the log (the message does not)."""

    def __init__(self, reason: str):
        super().__init__(UNSAFE_MESSAGE, code="unsafe_upload")
        self.reason = reason

    def __str__(self) -> str:
        return str(UNSAFE_MESSAGE)


@dataclass(frozen=True)
class Limits:
    unpacked_bytes: int
    entries: int
    ratio: int
    depth: int

    @classmethod
    def current(cls) -> Limits:
        return cls(
            unpacked_bytes=settings.TREEM_UPLOAD_MAX_UNPACKED_BYTES,
            entries=settings.TREEM_UPLOAD_MAX_ENTRIES,
            ratio=settings.TREEM_UPLOAD_MAX_RATIO,
            depth=settings.TREEM_UPLOAD_MAX_DEPTH,
        )


def _refuse(reason: str, name: str = "") -> UnsafeUpload:
    logger.warning("upload refused before parsing: %s%s", reason, f" ({name})" if name else "")
    return UnsafeUpload(reason)


# --- zip files (.xlsx, .docx) -----------------------------------------------------------------


Source = str | Path | IO[bytes]


def looks_like_zip(source: Source) -> bool:
    """Whether a file starts as a zip or has a zip directory (which openpyxl would open)."""
    with _opened(source) as handle:
        head = handle.read(4)
        handle.seek(0)
        return head.startswith(b"PK") or zipfile.is_zipfile(handle)


def check_upload(source: Source, *, name: str = "") -> None:
    """Check a file that may be a zip: a zip is measured (``check_archive``), anything else passes."""
    if looks_like_zip(source):
        check_archive(source, name=name)


def check_archive(source: Source, *, name: str = "", limits: Limits | None = None) -> None:
    """Refuse a zip that is damaged, too big unpacked, too many parts, or carries hostile XML."""
    limits = limits or Limits.current()
    with _opened(source) as handle:
        try:
            with zipfile.ZipFile(handle) as archive:
                infos = archive.infolist()
                _check_directory(infos, limits, name)
                xml_parts = _check_contents(archive, infos, limits, name)
                for info in xml_parts:
                    _check_xml(archive, info, limits, name)
        except UnsafeUpload:
            raise
        except UNREADABLE_ZIP as exc:
            raise _refuse(f"unreadable zip: {exc!r}", name) from exc


# A damaged zip, an encrypted part (RuntimeError), an unknown compression method.
UNREADABLE_ZIP = (
    zipfile.BadZipFile,
    zlib.error,
    EOFError,
    OSError,
    RuntimeError,
    NotImplementedError,
    ValueError,
)


@contextlib.contextmanager
def _opened(source: Source) -> Iterator[IO[bytes]]:
    """A path opened for reading, or a file object rewound before and after."""
    if isinstance(source, (str, Path)):
        with open(source, "rb") as handle:
            yield handle
        return
    source.seek(0)
    try:
        yield source
    finally:
        source.seek(0)


def _check_directory(infos: list[zipfile.ZipInfo], limits: Limits, name: str) -> None:
    """What the zip's directory declares, before a byte is unpacked."""
    if len(infos) > limits.entries:
        raise _refuse(f"{len(infos)} entries", name)
    declared = sum(info.file_size for info in infos)
    if declared > limits.unpacked_bytes:
        raise _refuse(f"declares {declared} bytes unpacked", name)
    for info in infos:
        if _ratio_too_high(info.file_size, info.compress_size, limits):
            raise _refuse(
                f"{info.filename} declares {info.file_size} bytes packed in {info.compress_size}", name
            )


def _ratio_too_high(unpacked: int, packed: int, limits: Limits) -> bool:
    return unpacked > RATIO_FLOOR_BYTES and unpacked > limits.ratio * max(packed, 1)


def _check_contents(
    archive: zipfile.ZipFile, infos: list[zipfile.ZipInfo], limits: Limits, name: str
) -> list[zipfile.ZipInfo]:
    """Unpack every part with a cap; refuse DTD markers; return the XML parts to parse."""
    total = 0
    xml_parts = []
    for info in infos:
        if info.is_dir():
            continue
        size = 0
        is_xml = info.filename.lower().endswith((".xml", ".rels"))
        tail = b""
        with archive.open(info) as member:
            while chunk := member.read(CHUNK):
                if size == 0:
                    is_xml = is_xml or _sniffs_xml(chunk)
                size += len(chunk)
                total += len(chunk)
                if total > limits.unpacked_bytes:
                    raise _refuse(f"more than {limits.unpacked_bytes} bytes unpacked", name)
                if is_xml:
                    window = tail + chunk
                    if any(marker in window for marker in DTD_MARKERS):
                        raise _refuse(f"{info.filename} declares a DTD or entities", name)
                    tail = window[-MARKER_OVERLAP:]
        if _ratio_too_high(size, info.compress_size, limits):
            raise _refuse(f"{info.filename} unpacks {size} bytes from {info.compress_size}", name)
        if is_xml and not info.filename.lower().endswith(NOT_PARSED_SUFFIXES):
            xml_parts.append(info)
    return xml_parts


def _sniffs_xml(head: bytes) -> bool:
    """Whether a part's first bytes look like XML, whatever its name (openpyxl follows the manifest)."""
    head = head.lstrip(b" \t\r\n")
    return head.startswith((b"<", b"\x00<", *BOMS))


class _TooDeep(Exception):
    pass


class _Declaration(Exception):
    pass


PIECE = 512


def _check_xml(archive: zipfile.ZipFile, info: zipfile.ZipInfo, limits: Limits, name: str) -> None:
    """One XML part through expat, no tree kept: well formed, no DTD, not nested too deeply.

    Counting depth with a Python handler per element would cost four times the parse on a large
    sheet, so the pass bounds it instead: the part is fed in small pieces, the start tags of each
    piece counted from its bytes (every ``<`` that opens no end tag, comment or instruction: never
    fewer than the real ones) and the elements closed counted by expat (a C method as handler). The
    depth inside a piece is at most (starts so far - closed so far + starts in the piece); only a
    part where that bound passes the limit is parsed again element by element, to be sure.
    """
    try:
        if _xml_within_bound(archive, info, limits.depth):
            return
        _xml_exact(archive, info, limits.depth)
    except _TooDeep as exc:
        raise _refuse(f"{info.filename} nests deeper than {limits.depth}", name) from exc
    except _Declaration as exc:
        raise _refuse(f"{info.filename} declares a DTD or entities", name) from exc
    except expat.ExpatError as exc:
        raise _refuse(f"{info.filename} is not well-formed XML: {exc}", name) from exc


def _parser() -> expat.XMLParserType:
    parser = expat.ParserCreate()

    def declaration(*_args):
        raise _Declaration

    parser.StartDoctypeDeclHandler = declaration
    parser.EntityDeclHandler = declaration
    parser.ExternalEntityRefHandler = declaration
    return parser


def _xml_within_bound(archive: zipfile.ZipFile, info: zipfile.ZipInfo, limit: int) -> bool:
    """Parse the part; False as soon as the depth bound passes ``limit`` (then it may be deeper)."""
    parser = _parser()
    closes: list[str] = []
    parser.EndElementHandler = closes.append
    starts = closed = 0
    carried = b""
    with archive.open(info) as member:
        while chunk := member.read(CHUNK):
            data = carried + chunk
            carried = b""
            position, size = 0, len(data)
            while position < size:
                end = min(position + PIECE, size)
                if data[end - 1 : end] == b"<":  # its next byte decides what it opens
                    end -= 1
                    if end == position:
                        carried = data[position:]
                        break
                piece = data[position:end]
                opened = piece.count(b"<") - piece.count(b"</") - piece.count(b"<!") - piece.count(b"<?")
                if starts - closed + opened > limit:
                    return False
                starts += opened
                parser.Parse(piece, False)
                closed += len(closes)
                closes.clear()
                position = end
        parser.Parse(carried, True)
    return True


def _xml_exact(archive: zipfile.ZipFile, info: zipfile.ZipInfo, limit: int) -> None:
    """Parse the part counting every element's depth (a Python handler per element)."""
    parser = _parser()
    depth = 0

    def start(_name, _attributes):
        nonlocal depth
        depth += 1
        if depth > limit:
            raise _TooDeep

    def end(_name):
        nonlocal depth
        depth -= 1

    parser.StartElementHandler = start
    parser.EndElementHandler = end
    with archive.open(info) as member:
        while chunk := member.read(CHUNK):
            parser.Parse(chunk, False)
        parser.Parse(b"", True)


# --- JSON and YAML ------------------------------------------------------------------------------

_JSON_STRING = re.compile(rb'"[^"\\]*(?:\\.[^"\\]*)*"')
_BRACKETS = bytes(range(256)).translate(None, b"[]{}")
_DEPTH_STEPS = bytes.maketrans(b"[{]}", b"\x01\x01\xff\xff")


def check_json(raw: bytes | str, *, name: str = "", limits: Limits | None = None) -> None:
    """Refuse JSON nested deeper than the limit (``json`` would recurse into it), before parsing."""
    limits = limits or Limits.current()
    if isinstance(raw, str):
        raw = raw.encode("utf-8", errors="replace")
    if len(raw) > limits.unpacked_bytes:
        raise _refuse(f"{len(raw)} bytes of JSON", name)
    # Brackets inside strings do not nest: strings go first. Then [ and { count +1, ] and } -1
    # (signed bytes), and the deepest point is the largest running sum.
    brackets = _JSON_STRING.sub(b'""', raw).translate(None, _BRACKETS).translate(_DEPTH_STEPS)
    steps = array.array("b")
    steps.frombytes(brackets)
    if max(itertools.accumulate(steps), default=0) > limits.depth:
        raise _refuse(f"JSON nests deeper than {limits.depth}", name)


def check_yaml(text: str, *, name: str = "", limits: Limits | None = None) -> None:
    """Refuse YAML nested deeper than the limit or using aliases, by its events (nothing built)."""
    limits = limits or Limits.current()
    if len(text) > limits.unpacked_bytes:
        raise _refuse(f"{len(text)} characters of YAML", name)
    # The pure-Python scanner reads far ahead inside brackets, at a cost that grows with the square
    # of what it has read (0.3 s for 100,000 "[" on a quiet machine). Where the brackets alone
    # pass the bound, the text up to that point is parsed first: its events are those of the whole
    # text, so a refusal there is the same refusal, reached after a few characters.
    steps = array.array("b")
    steps.frombytes(text.encode("utf-8", errors="replace").translate(None, _BRACKETS).translate(_DEPTH_STEPS))
    deep = next((i for i, level in enumerate(itertools.accumulate(steps)) if level > limits.depth), None)
    if deep is not None:
        brackets = 0
        for end, char in enumerate(text):
            brackets += char in "[]{}"
            if brackets > deep:  # the bracket at which the bound was passed
                _check_yaml_events(text[: end + 1], name, limits)
                break
    _check_yaml_events(text, name, limits)


def _check_yaml_events(text: str, name: str, limits: Limits) -> None:
    import yaml

    depth = 0
    try:
        # The pure-Python parser: the one yaml.safe_load uses (libyaml stops at its own depth with
        # an error that would let the text through to safe_load, whose composer recurses). Its
        # events come from a state machine, not recursion.
        for event in yaml.parse(text, Loader=yaml.SafeLoader):
            if isinstance(event, yaml.CollectionStartEvent):
                depth += 1
                if depth > limits.depth:
                    raise _refuse(f"YAML nests deeper than {limits.depth}", name)
            elif isinstance(event, yaml.CollectionEndEvent):
                depth -= 1
            elif isinstance(event, yaml.AliasEvent):
                # Aliases of aliases are YAML's billion laughs; a plan file needs none.
                raise _refuse("YAML uses aliases", name)
    except yaml.YAMLError:
        return  # not YAML at all: the reader says so in its own words

"""Hostile and malformed Office files for the upload checks, built in the test with zipfile.

Each builder returns bytes; the large ones are cached for the session (the bomb compresses
200 MB of rows to a few hundred KB, written in a stream so the test never holds the 200 MB).
"""

from __future__ import annotations

import functools
import io
import struct
import time
import zipfile
from contextlib import contextmanager

CONTENT_TYPES = (
    b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    b'<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    b'<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    b'<Default Extension="xml" ContentType="application/xml"/>'
    b'<Override PartName="/xl/workbook.xml" '
    b'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    b'<Override PartName="/xl/worksheets/sheet1.xml" '
    b'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
    b'<Override PartName="/xl/sharedStrings.xml" '
    b'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>'
    b"</Types>"
)
ROOT_RELS = (
    b'<?xml version="1.0" encoding="UTF-8"?>'
    b'<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    b'<Relationship Id="rId1" '
    b'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" '
    b'Target="xl/workbook.xml"/></Relationships>'
)
WORKBOOK = (
    b'<?xml version="1.0" encoding="UTF-8"?>'
    b'<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
    b'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
    b'<sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>'
)
WORKBOOK_RELS = (
    b'<?xml version="1.0" encoding="UTF-8"?>'
    b'<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    b'<Relationship Id="rId1" '
    b'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" '
    b'Target="worksheets/sheet1.xml"/>'
    b'<Relationship Id="rId2" '
    b'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" '
    b'Target="sharedStrings.xml"/></Relationships>'
)
SHEET_HEAD = (
    b'<?xml version="1.0" encoding="UTF-8"?>'
    b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
)
SHARED_STRINGS = (
    b'<?xml version="1.0" encoding="UTF-8"?>'
    b'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="1" uniqueCount="1">'
    b"<si><t>x</t></si></sst>"
)
BILLION_LAUGHS = (
    b'<?xml version="1.0"?>\n<!DOCTYPE sst [\n<!ENTITY lol0 "lol">\n'
    + b"".join(b'<!ENTITY lol%d "%s">\n' % (level, (b"&lol%d;" % (level - 1)) * 10) for level in range(1, 10))
    + b']>\n<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><si><t>&lol9;</t></si></sst>'
)
MALFORMED_STRINGS = b'<?xml version="1.0"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><si><t>x</si>'


def sheet(rows: int, *, dimension: str | None = None) -> bytes:
    head = SHEET_HEAD + (b'<dimension ref="%s"/>' % dimension.encode() if dimension else b"")
    body = b"".join(b'<row r="%d"><c r="A%d" t="s"><v>0</v></c></row>' % (n, n) for n in range(1, rows + 1))
    return head + b"<sheetData>" + body + b"</sheetData></worksheet>"


def workbook(parts: dict[str, bytes] | None = None) -> bytes:
    """A minimal .xlsx (one sheet, one shared string), with ``parts`` replaced or added."""
    files = {
        "[Content_Types].xml": CONTENT_TYPES,
        "_rels/.rels": ROOT_RELS,
        "xl/workbook.xml": WORKBOOK,
        "xl/_rels/workbook.xml.rels": WORKBOOK_RELS,
        "xl/worksheets/sheet1.xml": sheet(2),
        "xl/sharedStrings.xml": SHARED_STRINGS,
        **(parts or {}),
    }
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in files.items():
            archive.writestr(name, content)
    return buffer.getvalue()


@functools.cache
def bomb(unpacked_mb: int = 200) -> bytes:
    """An .xlsx whose sheet unpacks to ``unpacked_mb`` MB of rows (a few hundred KB packed)."""
    buffer = io.BytesIO()
    row = b'<row r="1"><c r="A1" t="s"><v>0</v></c></row>'
    block = row * ((1 << 20) // len(row))
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        for name, content in (
            ("[Content_Types].xml", CONTENT_TYPES),
            ("_rels/.rels", ROOT_RELS),
            ("xl/workbook.xml", WORKBOOK),
            ("xl/_rels/workbook.xml.rels", WORKBOOK_RELS),
            ("xl/sharedStrings.xml", SHARED_STRINGS),
        ):
            archive.writestr(name, content)
        with archive.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as member:
            member.write(SHEET_HEAD + b'<dimension ref="A1"/><sheetData>')
            for _ in range(unpacked_mb):
                member.write(block)
            member.write(b"</sheetData></worksheet>")
    return buffer.getvalue()


def forged_sizes(content: bytes, part: str = "xl/worksheets/sheet1.xml") -> bytes:
    """The same zip whose directory claims ``part`` is 100 bytes unpacked (the real size is not)."""
    source = zipfile.ZipFile(io.BytesIO(content))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for info in source.infolist():
            # The raw deflated bytes follow the local header (30 bytes, the name and the extra field).
            name_length, extra_length = struct.unpack_from("<HH", content, info.header_offset + 26)
            start = info.header_offset + 30 + name_length + extra_length
            raw = content[start : start + info.compress_size]
            forged = zipfile.ZipInfo(info.filename, info.date_time)
            forged.compress_type = zipfile.ZIP_DEFLATED
            size = 100 if info.filename == part else info.file_size
            forged.CRC, forged.compress_size, forged.file_size = info.CRC, len(raw), size
            forged.header_offset = buffer.tell()
            buffer.write(forged.FileHeader())
            buffer.write(raw)
            archive.filelist.append(forged)
            archive.NameToInfo[forged.filename] = forged
        archive.start_dir = buffer.tell()
    return buffer.getvalue()


def too_many_entries(count: int = 2001) -> bytes:
    return workbook({f"xl/media/part{n}.bin": b"" for n in range(count)})


def deep_xml(depth: int = 10_000) -> bytes:
    return workbook({"xl/sharedStrings.xml": b"<sst>" + b"<a>" * depth + b"</a>" * depth + b"</sst>"})


def hostile_workbooks() -> list[tuple[str, bytes]]:
    """Every refused kind of workbook, named for the test ids."""
    return [
        ("bomb", bomb()),
        ("forged-sizes", forged_sizes(bomb(60))),
        ("billion-laughs", workbook({"xl/sharedStrings.xml": BILLION_LAUGHS})),
        ("malformed-strings", workbook({"xl/sharedStrings.xml": MALFORMED_STRINGS})),
        ("too-many-entries", too_many_entries()),
        ("deep-xml", deep_xml()),
        ("bad-zip", b"PK\x03\x04" + b"\x00" * 200),
    ]


@contextmanager
def timed():
    """``with timed() as took: ...`` then ``took()`` is the seconds the block lasted."""
    start = time.perf_counter()
    end = None

    def took() -> float:
        return (end or time.perf_counter()) - start

    try:
        yield took
    finally:
        end = time.perf_counter()

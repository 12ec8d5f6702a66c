"""core.uploads: zips, XML, JSON and YAML measured before any parser opens them (issue 19)."""

from __future__ import annotations

import io
import zipfile

import pytest
from django.utils import translation

from tests import uploads as hostile
from treem.core import uploads
from treem.core.uploads import UnsafeUpload, check_archive, check_json, check_upload, check_yaml


@pytest.fixture(autouse=True)
def _english(settings):
    settings.LANGUAGE_CODE = "en"
    with translation.override("en"):
        yield


@pytest.mark.parametrize(
    ("kind", "content"), hostile.hostile_workbooks(), ids=lambda v: v if isinstance(v, str) else ""
)
def test_hostile_workbooks_are_refused_at_once(kind, content):
    with hostile.timed() as took, pytest.raises(UnsafeUpload) as caught:
        check_archive(io.BytesIO(content))
    assert took() < 0.5
    assert "The file cannot be read safely" in caught.value.messages[0]


@pytest.mark.parametrize(
    ("kind", "reason"),
    [
        ("bomb", "bytes unpacked"),
        ("forged-sizes", "Bad CRC-32"),
        ("billion-laughs", "declares a DTD or entities"),
        ("malformed-strings", "not well-formed XML"),
        ("too-many-entries", "entries"),
        ("deep-xml", "nests deeper than 64"),
        ("bad-zip", "unreadable zip"),
    ],
)
def test_each_refusal_says_why_in_the_log_only(kind, reason):
    content = dict(hostile.hostile_workbooks())[kind]
    with pytest.raises(UnsafeUpload) as caught:
        check_archive(io.BytesIO(content))
    assert reason in caught.value.reason
    assert caught.value.messages == [str(uploads.UNSAFE_MESSAGE)]  # one message whatever the reason


def test_a_genuine_workbook_passes_and_the_file_is_rewound(tmp_path):
    import openpyxl

    book = openpyxl.Workbook()
    for n in range(2000):
        book.active.append([f"Trẻ {n}", "Nữ", n, None, "=A1"])
    book.active.merge_cells("F1:G1")
    buffer = io.BytesIO()
    book.save(buffer)
    buffer.seek(7)
    check_upload(buffer)
    assert buffer.tell() == 0
    path = tmp_path / "a.xlsx"
    path.write_bytes(buffer.getvalue())
    check_archive(path)


def test_the_limits_are_settings(settings):
    content = hostile.workbook({"xl/worksheets/sheet1.xml": hostile.sheet(30_000)})  # ~1.3 MB unpacked
    check_archive(io.BytesIO(content))
    settings.TREEM_UPLOAD_MAX_UNPACKED_BYTES = 1_000_000
    with pytest.raises(UnsafeUpload) as caught:
        check_archive(io.BytesIO(content))
    assert "bytes unpacked" in caught.value.reason
    settings.TREEM_UPLOAD_MAX_UNPACKED_BYTES = 50_000_000
    settings.TREEM_UPLOAD_MAX_RATIO = 10  # the sheet's repeated rows pack about 40 to 1
    with pytest.raises(UnsafeUpload) as caught:
        check_archive(io.BytesIO(content))
    assert "packed in" in caught.value.reason
    settings.TREEM_UPLOAD_MAX_RATIO = 100
    settings.TREEM_UPLOAD_MAX_ENTRIES = 5
    with pytest.raises(UnsafeUpload) as caught:
        check_archive(io.BytesIO(content))
    assert caught.value.reason == "6 entries"
    settings.TREEM_UPLOAD_MAX_ENTRIES = 2000
    settings.TREEM_UPLOAD_MAX_DEPTH = 3  # worksheet > sheetData > row > c > v
    with pytest.raises(UnsafeUpload) as caught:
        check_archive(io.BytesIO(content))
    assert "nests deeper than 3" in caught.value.reason


def test_the_actual_size_is_measured_when_the_directory_lies(settings):
    # The directory's sizes pass; the part really unpacks past the limit: stopped while reading.
    settings.TREEM_UPLOAD_MAX_UNPACKED_BYTES = 1_000_000
    settings.TREEM_UPLOAD_MAX_RATIO = 10_000
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("big.bin", b"\x00" * 2_000_000)
    with pytest.raises(UnsafeUpload) as caught, hostile.timed() as took:
        check_archive(io.BytesIO(hostile.forged_sizes(buffer.getvalue(), part="big.bin")))
    assert took() < 0.5 and caught.value.reason.startswith("unreadable zip")


def test_depth_exactly_at_the_limit_passes_and_one_more_is_refused(settings):
    settings.TREEM_UPLOAD_MAX_DEPTH = 64

    def part(depth):
        return hostile.workbook({"xl/sharedStrings.xml": b"<a>" * depth + b"<b/>" + b"</a>" * depth})

    check_archive(io.BytesIO(part(63)))  # 63 <a> and the <b/> inside: 64
    with pytest.raises(UnsafeUpload):
        check_archive(io.BytesIO(part(64)))


def test_depth_hidden_behind_comments_and_siblings_is_found():
    # Comments hold "<" that counts as a start (the bound overestimates, then the exact parse runs),
    # and siblings closing between the nested ones do not hide the depth.
    nested = b"<a><b></b><!-- <x> <y> -->" * 70 + b"</a>" * 70
    with pytest.raises(UnsafeUpload) as caught:
        check_archive(io.BytesIO(hostile.workbook({"xl/styles.xml": nested})))
    assert "nests deeper" in caught.value.reason
    shallow = b"<r>" + b"<a><!-- <x><y><z> -->" * 40 + b"<b/>" + b"</a>" * 40 + b"</r>"
    check_archive(io.BytesIO(hostile.workbook({"xl/styles.xml": shallow})))  # 42 deep: passes


def test_a_doctype_is_found_in_a_part_named_anything_and_in_utf16():
    with pytest.raises(UnsafeUpload):
        check_archive(io.BytesIO(hostile.workbook({"xl/strings.dat": hostile.BILLION_LAUGHS})))
    utf16 = hostile.BILLION_LAUGHS.replace(b'<?xml version="1.0"?>', b"").decode().encode("utf-16")
    with pytest.raises(UnsafeUpload) as caught:
        check_archive(io.BytesIO(hostile.workbook({"xl/sharedStrings.xml": utf16})))
    assert "DTD" in caught.value.reason


def test_something_that_is_no_zip_is_left_to_its_reader():
    check_upload(io.BytesIO(b"Ho va ten,Gioi tinh\n"))  # a CSV: nothing to measure


@pytest.mark.parametrize(
    ("text", "refused"),
    [
        ('{"data": [{"level2s": [{"level3s": []}]}]}', False),
        ("[" * 64 + "]" * 64, False),
        ("[" * 65 + "]" * 65, True),
        ("[" * 100_000, True),  # json would recurse until RecursionError
        ('{"a": "' + "[" * 1000 + '"}', False),  # brackets in a string do not nest
        ('{"a": "\\"' + "{" * 1000 + '"}', False),
    ],
)
def test_json_depth(text, refused):
    if refused:
        with pytest.raises(UnsafeUpload):
            check_json(text.encode())
    else:
        check_json(text.encode())


@pytest.mark.parametrize(
    ("text", "refused"),
    [
        ("key: K\ntitle: T\nsections:\n  - code: I\n    tasks: [a, b]\n", False),
        ("a: " + "[" * 65 + "]" * 65, True),
        ("a: &a [x, x]\nb: &b [*a, *a]\nc: [*b, *b]\n", True),  # aliases: YAML's billion laughs
        ("a: [unclosed", False),  # not YAML: the reader's own message
    ],
)
def test_yaml_depth_and_aliases(text, refused):
    if refused:
        with pytest.raises(UnsafeUpload):
            check_yaml(text)
    else:
        check_yaml(text)


def test_brackets_in_yaml_text_are_not_nesting():
    """Many brackets that are text (quoted, or in a comment) pass; the same number nested is refused
    within milliseconds, where the YAML scanner alone would read the whole run first."""
    quoted = 'title: "' + "[" * 500 + '"\n# ' + "{" * 500 + "\nkey: K\n"
    check_yaml(quoted)
    nested = "key: K\nx: " + "[" * 100_000 + "]" * 100_000
    with hostile.timed() as took, pytest.raises(UnsafeUpload):
        check_yaml(nested)
    assert took() < 0.1

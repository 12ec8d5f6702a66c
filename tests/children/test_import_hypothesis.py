"""Generated rows: whatever a CSV row holds, the import either writes every row or none.

Each example writes a CSV in the template with 1–6 generated rows (valid values, near misses
and arbitrary text) and imports it as the officer of commune A. Allowed outcomes: all rows
imported (the children count grows by exactly the rows created), row errors (nothing written,
each error names a row of the file and a column of the template), or a clean refusal of the
whole file. Anything else (an exception, a partial write) fails.
"""

from __future__ import annotations

import csv
import io
import tempfile
from pathlib import Path

import pytest
from django.utils import translation
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from treem.audit.models import AuditEvent
from treem.children.importers import COLUMNS, EXCEL_ERRORS, ChildImportError, children_import
from treem.children.models import Child, Household

HEADERS = [c.header for c in COLUMNS]

any_text = st.text(st.characters(exclude_categories=("Cs",)), max_size=40)


def either(*values, text=any_text):
    return st.one_of(st.sampled_from(values), text)


cells = {
    "Họ và tên": either("Nguyễn Thị Ánh", "Lê Văn Tám", "  Đặng  Thị  Hoa ", "", text=st.text(max_size=160)),
    "Giới tính": either("Nam", "Nữ", "nữ", "NU", "Không rõ", ""),
    "Ngày sinh": st.one_of(
        st.dates().map(lambda d: d.strftime("%d/%m/%Y")),
        st.sampled_from(["31/02/2020", "29/02/2016", "2015-03-02", "1/1/2012", "", "12/2015"]),
        any_text,
    ),
    "Năm sinh": st.one_of(st.integers(1880, 2200).map(str), st.sampled_from(["", "15", "2O15"]), any_text),
    "Số định danh cá nhân": st.one_of(
        st.from_regex(r"\A0[0-9]{11}\Z"),
        st.text("0123456789 .-X", max_size=15),
        st.just(""),
    ),
    "Dân tộc": either("Kinh", "08", "8", "Hmông", "Khơ-me", "", "Klingon"),
    "Quốc tịch": either("VN", "Việt Nam", "la", "", "VNM"),
    "Mã xã": either("20001", " 20001 ", "20002", "20005", "99999", "2OOO1", ""),
    "Thôn/tổ dân phố": either("Thôn Một", "Một", "thon mot", "Thôn Hai", ""),
    "Hộ gia đình (chủ hộ)": either("Nguyễn Văn Bình", "nguyen van binh", "", text=st.text(max_size=160)),
    "Tình trạng đăng ký khai sinh": either("Đã đăng ký", "Chưa đăng ký", "x", "", "có lẽ"),
    "Nơi đăng ký khai sinh": st.text(max_size=260),
    "Trường": st.text(max_size=210),
    "Lớp": st.text(max_size=25),
    "Tình trạng đi học": either("Đang đi học", "Bỏ học", "Mầm non", "", "đi chơi"),
    "Thẻ BHYT": either("Có", "Không", "", "1", "2"),
    "Dạng khuyết tật": st.text(max_size=110),
    "Mức độ khuyết tật": either("Nặng", "Nhẹ", "Đặc biệt nặng", "", "vừa"),
    "Ghi chú": either("=1+1", "@SUM(A1)", "'=cmd", "", text=st.text(max_size=300)),
    "Nguồn": either("", "khảo sát 2025", text=st.text(max_size=70)),
    "Mã nguồn": either("", "1", "2", "TE-01", text=st.text(max_size=110)),
}
rows_strategy = st.lists(st.fixed_dictionaries(cells), min_size=1, max_size=6)


def state():
    return Child.objects.count(), Household.objects.count(), AuditEvent.objects.count()


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(rows=rows_strategy, bom=st.booleans(), delimiter=st.sampled_from([",", ";"]))
def test_generated_rows_import_whole_or_not_at_all(officer_a, geo, rows, bom, delimiter):
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter)
    writer.writerow(HEADERS)
    for values in rows:
        writer.writerow([values[h] for h in HEADERS])
    with tempfile.TemporaryDirectory() as work:
        path = Path(work) / "sinh-ra.csv"
        path.write_bytes((("\ufeff" if bom else "") + buffer.getvalue()).encode("utf-8"))
        before = state()
        try:
            result = children_import(acting_user=officer_a, path=path)
        except ChildImportError as exc:
            assert str(exc)  # a clear message for the whole file, and nothing written
            assert state() == before
            return
    children, households, events = state()
    if result.ok:
        assert children == before[0] + result.created
        assert households == before[1] + result.households_created
        assert events == before[2] + (1 if result.written else 0)
        assert result.written == bool(result.created or result.updated or result.households_created)
    else:
        assert (children, households, events) == before
        assert result.error_count >= len(result.errors) > 0
        last_row = 1 + len(rows) + buffer.getvalue().count("\n")  # rows may hold line breaks
        for error in result.errors:
            assert 2 <= error.row <= last_row
            assert error.column in HEADERS
            assert error.reason


# Printable text, less the exact Excel error values ("#REF!"…), which are refused on purpose.
printable = st.text(st.characters(exclude_categories=("Cs", "Cc")), max_size=50).filter(
    lambda text: text.strip() not in EXCEL_ERRORS
)
valid_cells = {
    "Họ và tên": st.text(st.characters(categories=("L",)), min_size=1, max_size=40).map(lambda s: "Trẻ " + s),
    "Giới tính": st.sampled_from(["Nam", "Nữ", "nữ", "Không rõ"]),
    "Ngày sinh": st.sampled_from(["", "02/03/2015", "29/02/2016", "1/1/2012", "2014-12-31"]),
    "Năm sinh": st.sampled_from(["2013", "2015", "2016", "2020"]),
    "Số định danh cá nhân": st.just(""),
    "Dân tộc": st.sampled_from(["Kinh", "08", "Khơ-me", "ede", ""]),
    "Quốc tịch": st.sampled_from(["VN", "", "la"]),
    "Mã xã": st.sampled_from(["20001", " 20001"]),
    "Thôn/tổ dân phố": st.sampled_from(["Thôn Một", "một", ""]),
    "Hộ gia đình (chủ hộ)": st.sampled_from(["Nguyễn Văn Bình", "nguyen van binh", "Lò Văn Pao", ""]),
    "Tình trạng đăng ký khai sinh": st.sampled_from(["Đã đăng ký", "Chưa đăng ký", ""]),
    "Nơi đăng ký khai sinh": printable,
    "Trường": printable,
    "Lớp": st.text(st.characters(exclude_categories=("Cs", "Cc")), max_size=20),
    "Tình trạng đi học": st.sampled_from(["Đang đi học", "Bỏ học", ""]),
    "Thẻ BHYT": st.sampled_from(["Có", "Không", ""]),
    "Dạng khuyết tật": printable,
    "Mức độ khuyết tật": st.sampled_from(["Nặng", "Nhẹ", ""]),
    "Ghi chú": printable,
    "Nguồn": st.just(""),
    "Mã nguồn": st.just(""),
}


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(rows=st.lists(st.fixed_dictionaries(valid_cells), min_size=1, max_size=6))
def test_generated_valid_rows_import_and_a_second_import_changes_nothing(officer_a, geo, rows):
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(HEADERS)
    for number, values in enumerate(rows):
        # The date of birth decides the year when both are given.
        date = values["Ngày sinh"]
        year = date[-4:] if "/" in date else date[:4] if date else values["Năm sinh"]
        writer.writerow([{**values, "Năm sinh": year, "Mã nguồn": f"k{number}"}[h] for h in HEADERS])
    with tempfile.TemporaryDirectory() as work:
        path = Path(work) / "hop-le.csv"
        path.write_bytes(buffer.getvalue().encode("utf-8"))
        first = children_import(acting_user=officer_a, path=path)
        assert first.ok, first.errors
        after_first = state()
        second = children_import(acting_user=officer_a, path=path)
    assert second.ok and second.created == second.updated == 0, second.errors
    assert state() == after_first

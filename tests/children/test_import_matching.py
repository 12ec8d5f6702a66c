"""Imports that never duplicate (issue 14): rows without ID number or source key find their child.

A row left unmatched by record number, ID number and source key matches a recorded child of its
commune by folded name, date of birth (the year where a side has none) and household head or
caregiver where both name one; a row that could be several children is refused naming them; two
rows of one file that could be one child are refused; the same file imported twice changes
nothing (a property over files made by the synthetic generator).
"""

from __future__ import annotations

import datetime as dt
import tempfile
from pathlib import Path

import pytest
from django.contrib.auth.models import Permission
from django.db import transaction
from hypothesis import HealthCheck, event, example, given, settings
from hypothesis import strategies as st

from tests.children.test_import import HEADERS, row, write_csv
from tests.factories import ChildFactory
from treem.audit.models import AuditEvent
from treem.children import synthetic
from treem.children.importers import ChildImportError, children_import
from treem.children.models import Caregiver, Child, Household

NAME = "Họ và tên"
ID = "Số định danh cá nhân"
HOUSEHOLD = "Hộ gia đình (chủ hộ)"
KEY = "Mã nguồn"


@pytest.fixture(autouse=True)
def _english(settings):
    from django.utils import translation

    settings.LANGUAGE_CODE = "en"
    with translation.override("en"):
        yield


def state():
    return Child.objects.count(), Household.objects.count(), AuditEvent.objects.count()


def plain(**values) -> dict:
    """A row without ID number or source key (commune lists rarely have them for young children)."""
    return row(**{ID: "", KEY: "", **values})


def imported(user, tmp_path, rows, name="tre-em.csv"):
    return children_import(acting_user=user, path=write_csv(tmp_path, rows, name=name))


def test_the_same_file_without_id_numbers_imported_twice_adds_nothing(officer_a, geo, tmp_path):
    rows = [
        plain(),
        plain(**{NAME: "Trần Văn Bốn", "Giới tính": "Nam", "Ngày sinh": "", "Năm sinh": "2016"}),
        plain(**{NAME: "Lê Thị Năm", "Ngày sinh": "05/05/2014", HOUSEHOLD: ""}),
    ]
    first = imported(officer_a, tmp_path, rows)
    assert first.ok and first.created == 3
    after = state()
    second = imported(officer_a, tmp_path, rows)
    assert second.ok and (second.created, second.updated, second.unchanged) == (0, 0, 3)
    assert not second.written and state() == after


def test_a_row_finds_its_child_by_folded_name_birth_and_household(officer_a, geo, tmp_path):
    imported(officer_a, tmp_path, [plain()])
    child = Child.objects.get()
    # Written without diacritics, with a school now: the same child, updated.
    again = plain(**{NAME: "nguyen thi anh", HOUSEHOLD: "NGUYEN VAN BINH", "Trường": "Trường THCS An"})
    result = imported(officer_a, tmp_path, [again])
    assert (result.created, result.updated) == (0, 1)
    child.refresh_from_db()
    assert (child.full_name, child.school) == ("nguyen thi anh", "Trường THCS An")
    assert Child.objects.count() == 1


def test_the_year_is_compared_where_a_side_has_no_date(officer_a, geo, tmp_path):
    child = ChildFactory(
        commune=geo.commune_a, full_name="Phạm Văn Sáu", sex="male", birth_date=None, birth_year=2015
    )
    result = imported(
        officer_a, tmp_path, [plain(**{NAME: "Phạm Văn Sáu", "Giới tính": "Nam", HOUSEHOLD: ""})]
    )
    assert (result.created, result.updated) == (0, 1)  # the file gives the date: 02/03/2015
    child.refresh_from_db()
    assert child.birth_date == dt.date(2015, 3, 2)
    other_day = imported(officer_a, tmp_path, [plain(**{NAME: "Phạm Văn Sáu", "Ngày sinh": "03/03/2015"})])
    assert other_day.created == 1  # another date of birth: another child


def test_a_caregiver_counts_as_the_household(officer_a, geo, tmp_path):
    child = ChildFactory(
        commune=geo.commune_a, full_name="Nguyễn Thị Ánh", birth_date=dt.date(2015, 3, 2), birth_year=2015
    )
    Caregiver.objects.create(child=child, relationship="mother", full_name="Nguyễn Văn Bình")
    result = imported(officer_a, tmp_path, [plain()])
    assert (result.created, result.updated) == (0, 1)  # the household is set from the file
    child.refresh_from_db()
    assert child.household.head_name == "Nguyễn Văn Bình"


def test_another_household_or_another_id_number_is_another_child(officer_a, geo, tmp_path):
    imported(officer_a, tmp_path, [plain()])
    result = imported(officer_a, tmp_path, [plain(**{HOUSEHOLD: "Lò Văn Pao"})])
    assert result.created == 1
    ChildFactory(
        commune=geo.commune_a,
        full_name="Đỗ Văn Bảy",
        sex="male",
        birth_date=dt.date(2015, 3, 2),
        birth_year=2015,
        personal_id="048215000111",
    )
    twin = row(**{NAME: "Đỗ Văn Bảy", "Giới tính": "Nam", ID: "048215000222", HOUSEHOLD: "", KEY: ""})
    assert imported(officer_a, tmp_path, [twin]).created == 1
    assert Child.objects.filter(full_name="Đỗ Văn Bảy").count() == 2


def test_a_row_with_an_id_number_completes_the_record_made_without_one(officer_a, geo, tmp_path):
    imported(officer_a, tmp_path, [plain()])
    result = imported(officer_a, tmp_path, [row(**{KEY: ""})])  # now with 048315000123
    assert (result.created, result.updated) == (0, 1)
    assert Child.objects.get().personal_id == "048315000123"
    assert imported(officer_a, tmp_path, [row(**{KEY: ""})]).unchanged == 1


def test_a_row_that_could_be_two_children_is_refused_naming_them(officer_a, geo, tmp_path):
    first = ChildFactory(
        commune=geo.commune_a,
        village=geo.village_a,
        full_name="Nguyễn Thị Ánh",
        birth_date=dt.date(2015, 3, 2),
        birth_year=2015,
    )
    second = ChildFactory(commune=geo.commune_a, full_name="Nguyen Thi Anh", birth_date=None, birth_year=2015)
    before = state()
    result = imported(officer_a, tmp_path, [plain(**{NAME: "Cao Văn Tám"}), plain()])
    assert not result.written and state() == before
    [error] = result.errors
    assert (error.row, error.column) == (3, NAME)
    assert error.reason == (
        "This row could be any of 2 children already recorded with this name, birth and household: "
        f"Nguyễn Thị Ánh, born 02/03/2015, Thôn Một (record number {first.pk}); "
        f"Nguyen Thi Anh, born in 2015, no village recorded (record number {second.pk}). "
        "Write the record number (Mã hồ sơ) or the personal identification number of the right child."
    )
    # The record number says which: the row is then that child.
    path = write_csv(tmp_path, [plain(**{"Mã hồ sơ": str(first.pk)})], headers=["Mã hồ sơ", *HEADERS])
    chosen = children_import(acting_user=officer_a, path=path)
    assert chosen.ok and chosen.created == 0


def test_candidates_the_user_may_not_see_are_not_named(no_role_a, geo, tmp_path):
    no_role_a.user_permissions.add(*Permission.objects.filter(codename__in=["add_child", "change_child"]))
    for _n in range(2):
        ChildFactory(
            commune=geo.commune_a, full_name="Nguyễn Thị Ánh", birth_date=dt.date(2015, 3, 2), birth_year=2015
        )
    user = type(no_role_a).objects.get(pk=no_role_a.pk)  # permissions read afresh
    result = imported(user, tmp_path, [plain(**{"Thôn/tổ dân phố": ""})])
    assert "2 other children you may not see" in result.errors[0].reason
    assert "Nguyễn Thị Ánh," not in result.errors[0].reason


def test_two_rows_of_one_file_that_could_be_one_child_are_refused(officer_a, geo, tmp_path):
    before = state()
    result = imported(officer_a, tmp_path, [plain(), plain(**{NAME: "NGUYỄN THỊ ÁNH", HOUSEHOLD: ""})])
    assert not result.written and state() == before
    assert [(e.row, e.column) for e in result.errors] == [(3, NAME)]
    assert result.errors[0].reason.startswith("This row and row 2 may be the same child")
    # Told apart by their source keys (or ID numbers), both are imported, and again nothing.
    keyed = [plain(**{KEY: "1"}), plain(**{NAME: "NGUYỄN THỊ ÁNH", HOUSEHOLD: "", KEY: "2"})]
    assert imported(officer_a, tmp_path, keyed).created == 2
    assert imported(officer_a, tmp_path, keyed).unchanged == 2


def test_a_child_recorded_meanwhile_stops_the_write(officer_a, geo, tmp_path):
    def progress(stage, done, total):
        if stage == "check" and done == total:  # checked, not yet written: someone else adds her
            ChildFactory(
                commune=geo.commune_a,
                full_name="Nguyễn Thị Ánh",
                birth_date=dt.date(2015, 3, 2),
                birth_year=2015,
            )

    path = write_csv(tmp_path, [plain()])
    with pytest.raises(ChildImportError, match="Records changed while the file was being checked"):
        children_import(acting_user=officer_a, path=path, progress=progress)
    assert Child.objects.count() == 1


# --- The property: a generated file imported twice ---------------------------------------------


def generated_rows(n, *, seed, with_ids, with_keys, with_households, duplicate_share) -> list[dict]:
    children = synthetic.generate(
        n,
        communes=[("20001", ["Thôn Một"])],
        seed=seed,
        with_id_share=0.8 if with_ids else 0.0,
        duplicate_share=duplicate_share,
        typo_share=0.0,
    )
    return [
        row(
            **{
                NAME: c.full_name,
                "Giới tính": "Nam" if c.sex == "male" else "Nữ",
                "Ngày sinh": c.birth_date.strftime("%d/%m/%Y") if c.birth_date else "",
                "Năm sinh": str(c.birth_year),
                ID: c.personal_id,
                "Dân tộc": c.ethnicity_code,
                "Mã xã": c.commune_code,
                "Thôn/tổ dân phố": c.village_name,
                HOUSEHOLD: c.caregiver_name if with_households else "",
                KEY: c.source_key if with_keys else "",
            }
        )
        for c in children
    ]


@settings(
    max_examples=12,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    n=st.integers(1, 12),
    seed=st.integers(0, 10**6),
    with_ids=st.booleans(),
    with_keys=st.booleans(),
    with_households=st.booleans(),
    duplicate_share=st.sampled_from([0.0, 0.0, 0.3]),
)
# A file that lists a child twice without ID number or source key (refused, every time).
@example(n=12, seed=0, with_ids=False, with_keys=False, with_households=False, duplicate_share=0.3)
def test_importing_a_generated_file_twice_changes_nothing(
    officer_a, geo, n, seed, with_ids, with_keys, with_households, duplicate_share
):
    rows = generated_rows(
        n,
        seed=seed,
        with_ids=with_ids,
        with_keys=with_keys,
        with_households=with_households,
        duplicate_share=duplicate_share,
    )
    with transaction.atomic(), tempfile.TemporaryDirectory() as work:
        before = state()
        first = imported(officer_a, Path(work), rows)
        event("refused: rows that could be one child" if first.errors else "imported")
        if not first.ok:
            # Only rows that could be one child are refused; nothing is written, every time.
            assert all("may be the same child" in e.reason for e in first.errors), first.errors
            assert state() == before
            again = imported(officer_a, Path(work), rows)
            assert [(e.row, e.reason) for e in again.errors] == [(e.row, e.reason) for e in first.errors]
        else:
            assert first.created == len(rows) and Child.objects.count() == before[0] + len(rows)
            after = state()
            second = imported(officer_a, Path(work), rows)
            assert second.ok, second.errors
            assert (second.created, second.updated, second.unchanged) == (0, 0, len(rows))
            assert state() == after
        transaction.set_rollback(True)

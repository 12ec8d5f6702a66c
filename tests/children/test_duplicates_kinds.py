"""Duplicates a person would see (issue 14): each kind of difference found, ID numbers respected,
and the review page explaining the score."""

import datetime as dt

import pytest
from django.db import connection
from django.urls import reverse
from django.utils.translation import gettext

from tests.factories import ChildFactory
from treem.children.duplicates import (
    REASON_LABELS,
    duplicates_refresh,
    find_duplicates,
    name_similarity,
    swapped_date,
)
from treem.children.models import Caregiver, Child, Household
from treem.children.models_duplicates import DuplicateCandidate

DAY = dt.date(2015, 3, 12)


def two(geo, first: str, second: str, *, day=DAY, other_day=None, undated=False, **fields):
    """The same girl of commune A written twice, born on ``day`` (or in its year only)."""
    born = {"birth_year": day.year} if undated else {"birth_date": day}
    other = {"birth_date": other_day} if other_day else born
    common = {"commune": geo.commune_a, "village": geo.village_a, "sex": "female", **fields}
    return (
        ChildFactory(full_name=first, **common, **born),
        ChildFactory(full_name=second, **common, **other),
    )


def found(a, b):
    """The pair of ``a`` and ``b`` as find_duplicates proposes it, or None."""
    key = (min(a.pk, b.pk), max(a.pk, b.pk))
    return next(
        (p for p in find_duplicates(queryset=Child.objects.all()) if (p.child_a, p.child_b) == key), None
    )


@pytest.mark.parametrize(
    ("first", "second", "reason"),
    [
        ("Đặng Bảo Nam", "Bảo Nam Đặng", "word_order"),
        ("Nguyễn Thị Mai", "Mai Nguyễn Thị", "word_order"),
        ("Nguyễn Thị Mai", "Nguyễn ThịMai", "joined_words"),
        ("Đoàn Bảo Thảo", "Doan BaoThao", "joined_words"),
        ("Phạm Minhthư", "Phạm Minh Thư", "joined_words"),  # a space added back: split
        ("Dương Bảo Hương", "Dương Bảo Phương", "similar_name"),  # the given name's first letter dropped
        ("Nguyễn Thị Hương", "Nguyen Thi Huong", "same_name"),  # diacritics lost: the same folded name
        ("Trần Ngọc Huyền", "Trần Ngọc Huyne", "similar_name"),  # two letters swapped
        ("Trần Ngọc Huyền", "Trần Ngọ Huyền", "similar_name"),  # a letter dropped in the middle name
        ("Nguyễn Thị Thu Hà", "Nguyễn Thu Hà", "missing_middle_name"),
        ("Lê Văn Nam", "Lê Nam", "missing_middle_name"),
    ],
)
@pytest.mark.parametrize("undated", [False, True], ids=["dated", "year only"])
def test_each_kind_of_name_difference_is_found(geo, first, second, reason, undated):
    a, b = two(geo, first, second, undated=undated)
    if undated:
        # With a year of birth only, the same caregiver is what a second registration brings.
        for child in (a, b):
            Caregiver.objects.create(child=child, relationship="mother", full_name="Hoàng Thị Mai")
    pair = found(a, b)
    assert pair is not None, name_similarity(a.name_folded, b.name_folded)
    assert reason in pair.reasons


def test_the_birth_date_with_day_and_month_swapped_is_found(geo):
    a, b = two(geo, "Lê Thị Hoa", "Lê Thị Hoa", other_day=dt.date(2015, 12, 3))
    pair = found(a, b)
    assert pair is not None and "birth_day_month_swapped" in pair.reasons
    assert swapped_date(dt.date(2015, 3, 3)) is None  # the same day and month: nothing to swap
    assert swapped_date(dt.date(2015, 3, 13)) is None  # no 13th month
    # Another day altogether is not "swapped": names alone do not reach the threshold.
    c, d = two(geo, "Hồ Thị Lan", "Hồ Thị Lan", other_day=dt.date(2015, 11, 4))
    assert found(c, d) is None


def test_other_children_of_the_same_day_are_not_proposed(geo):
    # Same day, same village, names that share the family and middle names only.
    a, b = two(geo, "Nguyễn Thị Mai", "Nguyễn Thị Lan")
    c, d = two(geo, "Nguyễn Văn An", "Nguyễn Văn Bình", sex="male")
    assert found(a, b) is None and found(c, d) is None


def test_different_valid_id_numbers_keep_two_records_apart(geo):
    household = Household.objects.create(commune=geo.commune_a, head_name="Lê Văn Hùng")
    a, b = two(geo, "Lê Thị Hoa", "Lê Thị Hoa", household=household)
    a.personal_id, b.personal_id = "048315000123", "048315000124"
    Child.objects.bulk_update([a, b], ["personal_id"])
    assert found(a, b) is None
    # Across communes too (the same folded name and year of birth).
    c = ChildFactory(
        commune=geo.commune_b, full_name="Lê Thị Hoa", birth_date=DAY, personal_id="048315000125"
    )
    assert found(a, c) is None
    # A malformed number is a typo, not evidence of two people.
    b.personal_id = "999315000124"
    Child.objects.bulk_update([b], ["personal_id"])
    assert found(a, b) is not None


def test_the_same_id_number_always_joins_two_records(geo):
    # The database refuses two active records with one number; data loaded before that rule may
    # hold them (test_duplicates drops the index the same way, inside the test's transaction).
    with connection.cursor() as cursor:
        cursor.execute("DROP INDEX children_child_personal_id_unique")
    a = ChildFactory(
        commune=geo.commune_a, full_name="Lê Thị Hoa", birth_date=DAY, personal_id="048315000123"
    )
    b = ChildFactory(
        commune=geo.commune_b,
        full_name="Trần Văn Quang",
        sex="male",
        birth_year=2010,
        personal_id="048315000123",
    )
    pair = found(a, b)
    assert pair is not None and pair.score == 1.0 and pair.reasons[0] == "same_personal_id"


def test_the_review_page_explains_the_score(client, officer_a, geo):
    two(geo, "Đặng Bảo Nam", "Bảo Nam Đặng")
    duplicates_refresh(acting_user=officer_a, queryset=Child.objects.all())
    candidate = DuplicateCandidate.objects.get()
    client.force_login(officer_a)
    page = client.get(reverse("children:duplicate_detail", args=[candidate.pk]))
    explanation = page.context["explanation"]
    assert explanation["variant"] == str(REASON_LABELS["word_order"])
    assert explanation["agree"] == [
        (str(REASON_LABELS["same_birth_date"]), "+0.25"),
        (str(REASON_LABELS["same_sex"]), "+0.10"),
        (str(REASON_LABELS["same_village"]), "+0.05"),
    ]
    assert explanation["evidence"] == 0.9 and explanation["score"] == candidate.score
    html = page.content.decode()
    assert 'id="score-explanation"' in html and html.count('class="evidence"') == 3
    assert gettext("Similarity of the names") in html

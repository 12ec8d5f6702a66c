"""Finding children by name: without diacritics, case-free, with a typo; never outside the scope."""

import pytest
from django.db import connection
from django.utils import translation

from tests.factories import ChildFactory
from treem.children.filtersets import ChildFilterSet
from treem.children.models import Child
from treem.children.search import child_search, edit_distance, name_distance

POSTGRES = connection.vendor == "postgresql"


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


@pytest.fixture
def names(geo):
    """A few children of commune A and one of commune B, by name."""
    people = {}
    for name in ("Nguyễn Văn An", "Nguyễn Văn Bình", "Đặng Thị Hoa", "Trần Anh Tuấn", "Lê Thị Ánh"):
        people[name] = ChildFactory(commune=geo.commune_a, full_name=name)
    people["B: Nguyễn Văn An"] = ChildFactory(commune=geo.commune_b, full_name="Nguyễn Văn An")
    return people


def visible(user):
    return Child.objects.restrict(user, "view")


def exact(user, text):
    return list(ChildFilterSet({"q": text}, queryset=visible(user)).qs)


def test_words_match_without_diacritics_or_case(officer_a, names):
    # Every typed word must start a word of the name: "an" starts "Anh" but is only inside "Văn".
    assert exact(officer_a, "nguyen van an") == [names["Nguyễn Văn An"]]
    assert exact(officer_a, "NGUYỄN văn AN") == [names["Nguyễn Văn An"]]
    assert exact(officer_a, "an tuan") == [names["Trần Anh Tuấn"]]
    assert exact(officer_a, "ng v") == [names["Nguyễn Văn An"], names["Nguyễn Văn Bình"]]  # as typed so far
    # A regular expression's characters are only letters, and LIKE's wildcards too (the word-start
    # test itself: the ranked search would then offer near spellings).
    starting = visible(officer_a).filter
    assert not starting(name_folded__wordstart="uan").exists()  # inside "Tuấn" but starts no word
    assert not starting(name_folded__wordstart="a.").exists()
    assert not starting(name_folded__wordstart="ng%").exists()
    assert not starting(name_folded__wordstart="_guyen").exists()
    assert exact(officer_a, "dang") == [names["Đặng Thị Hoa"]]
    assert exact(officer_a, "đặng hoa") == [names["Đặng Thị Hoa"]]
    # A typo: the ranked search gives the near spelling (issue 14).
    assert exact(officer_a, "nguyen van ann") == [names["Nguyễn Văn An"]]


def test_a_typo_still_finds_the_child(officer_a, names):
    assert child_search(queryset=visible(officer_a), text="nguyen van ann", limit=10) == [
        names["Nguyễn Văn An"]
    ]


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("nguyen van ann", "Nguyễn Văn An"),  # a letter too many
        ("nguyen vn an", "Nguyễn Văn An"),  # a letter missing
        ("ngyuen van an", "Nguyễn Văn An"),  # two letters swapped
        ("nguyen van bimh", "Nguyễn Văn Bình"),  # a wrong letter
        ("dnag thi hoa", "Đặng Thị Hoa"),
        ("dnag", "Đặng Thị Hoa"),  # one word only
        ("tran anh tuan", "Trần Anh Tuấn"),  # exact words are found too
        ("TRÂN ANH TUÂN", "Trần Anh Tuấn"),  # diacritics typed wrongly are ignored
    ],
)
def test_typos(officer_a, names, typed, expected):
    found = child_search(queryset=visible(officer_a), text=typed, limit=10)
    assert found and found[0] == names[expected], [c.full_name for c in found]


def test_closest_names_come_first_and_far_ones_not_at_all(officer_a, names):
    found = child_search(queryset=visible(officer_a), text="le thi anhh", limit=10)
    assert found == [names["Lê Thị Ánh"]]  # not Nguyễn Văn An: "anhh" is two edits from "an"
    assert child_search(queryset=visible(officer_a), text="hoang van tung", limit=10) == []


def test_out_of_scope_children_never_appear(officer_a, officer_b, names):
    mine = child_search(queryset=visible(officer_a), text="nguyen van ann", limit=10)
    assert names["B: Nguyễn Văn An"] not in mine
    theirs = child_search(queryset=visible(officer_b), text="nguyen van ann", limit=10)
    assert theirs == [names["B: Nguyễn Văn An"]]


def test_other_filters_are_kept(officer_a, names):
    boys = visible(officer_a).filter(sex="male")
    assert child_search(queryset=boys, text="nguyen van ann", limit=10) == []


def test_fewer_edits_come_first_then_by_name(officer_a, names, geo):
    exact_spelling = ChildFactory(commune=geo.commune_a, full_name="Nguyễn Văn Ann")
    found = child_search(queryset=visible(officer_a), text="nguyen van ann", limit=10)
    assert found == [exact_spelling, names["Nguyễn Văn An"]]


def test_limit_and_empty_text(officer_a, names, geo):
    ChildFactory.create_batch(3, commune=geo.commune_a, full_name="Nguyễn Văn Anh")
    assert len(child_search(queryset=visible(officer_a), text="nguyen van ann", limit=10)) == 4
    found = child_search(queryset=visible(officer_a), text="nguyen van ann", limit=2)
    assert len(found) == 2 and found[0] == names["Nguyễn Văn An"]  # same distance: by name
    assert child_search(queryset=visible(officer_a), text="   ", limit=10) == []
    assert child_search(queryset=visible(officer_a), text="nguyen", limit=0) == []


def test_a_user_without_scope_finds_nothing(officer_no_unit, names):
    assert child_search(queryset=visible(officer_no_unit), text="nguyen van an", limit=10) == []


def test_queryset_with_distinct_and_ordering_is_accepted(officer_a, names):
    qs = visible(officer_a).order_by("-id").distinct()
    assert child_search(queryset=qs, text="dang thi hao", limit=5) == [names["Đặng Thị Hoa"]]


def test_candidates_are_bounded(officer_a, geo, monkeypatch):
    """Only a bounded number of names is read and scored per search."""
    import treem.children.search as search

    monkeypatch.setattr(search, "MAX_CANDIDATES", 3)
    ChildFactory.create_batch(8, commune=geo.commune_a, full_name="Nguyễn Văn An")
    assert len(search._scan_candidates(visible(officer_a), ["nguyen", "van", "ann"])) == 3
    assert len(child_search(queryset=visible(officer_a), text="nguyen van ann", limit=20)) == 3


@pytest.mark.parametrize(
    ("a", "b", "distance"),
    [("an", "an", 0), ("ann", "an", 1), ("dnag", "dang", 1), ("bimh", "binh", 1), ("anhh", "an", 2)],
)
def test_edit_distance(a, b, distance):
    assert edit_distance(a, b, bound=3) == distance


def test_edit_distance_stops_at_the_bound():
    assert edit_distance("nguyen", "tran", bound=1) == 2
    assert edit_distance("abcdefgh", "a", bound=2) == 3


def test_name_distance_matches_each_typed_word_to_a_different_name_word():
    assert name_distance(["van", "van"], ["nguyen", "van", "binh"]) is None
    assert name_distance(["van", "van"], ["nguyen", "van", "an"]) == 1  # "van" is one edit from "an"
    assert name_distance(["van", "an"], ["nguyen", "van", "an"]) == 0
    assert name_distance(["ann", "van"], ["nguyen", "van", "binh"]) is None
    assert name_distance(["x"], ["nguyen", "van", "binh"]) is None  # one letter: no typo allowed
    assert name_distance(["b"], ["nguyen", "van", "binh"]) == 0  # but found inside a word
    assert name_distance(["nguyen", "van", "an", "thi"], ["nguyen", "van", "an"]) is None


@pytest.mark.skipif(not POSTGRES, reason="pg_trgm exists on PostgreSQL only")
def test_trigram_index_exists(db):
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT indexdef FROM pg_indexes WHERE tablename = 'children_child' "
            "AND indexname = 'children_child_name_trgm_idx'"
        )
        [(definition,)] = cursor.fetchall()
    assert "gin" in definition and "gin_trgm_ops" in definition


@pytest.mark.skipif(not POSTGRES, reason="pg_trgm exists on PostgreSQL only")
def test_trigram_candidates_find_a_typo_in_two_words(officer_a, names):
    # Two of three words wrong: the blocked scan has no exact word pair to start from, trigrams do.
    found = child_search(queryset=visible(officer_a), text="nguyn van ann", limit=5)
    assert found[0] == names["Nguyễn Văn An"]


@pytest.mark.skipif(POSTGRES, reason="the SQLite fallback")
def test_sqlite_fallback_needs_all_words_but_one(officer_a, names):
    assert child_search(queryset=visible(officer_a), text="nguyn van ann", limit=5) == []


def current_timeout():
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_setting('statement_timeout')")
        return cursor.fetchone()[0]


@pytest.mark.skipif(not POSTGRES, reason="pg_trgm exists on PostgreSQL only")
def test_trigram_stage_is_bounded_and_restores_the_timeout(officer_a, names, monkeypatch):
    import treem.children.search as search

    before = current_timeout()
    monkeypatch.setattr(search, "TRIGRAM_CANDIDATES", 1)
    assert len(search._trigram_candidates(visible(officer_a), "nguyen van ann")) == 1
    assert current_timeout() == before


@pytest.mark.skipif(not POSTGRES, reason="pg_trgm exists on PostgreSQL only")
def test_a_slow_trigram_search_gives_up_quietly(officer_a, names, monkeypatch, caplog):
    import treem.children.search as search

    before = current_timeout()
    monkeypatch.setattr(search, "TRIGRAM_TIMEOUT_MS", 50)
    monkeypatch.setattr(
        search,
        "_trigram_query",
        lambda base, text: base.extra(where=["pg_sleep(0.3) IS NOT NULL"]).values_list("pk", "name_folded"),
    )
    assert child_search(queryset=visible(officer_a), text="nguyn van ann", limit=5) == []
    assert "gave up after 50 ms" in caplog.text
    assert current_timeout() == before
    assert Child.objects.count() == 6  # the transaction goes on

"""The ranked search shared by the registry page, the API and the child pickers (issue 14)."""

import datetime as dt

import pytest
from django.urls import reverse

from tests.cases.records import open_case
from tests.factories import ChildFactory, UserFactory
from treem.children.models import Child
from treem.children.search import (
    RANK_WINDOW,
    parse_query,
    ranked_children,
    ranked_queryset,
    vietnamese_sort_key,
)

LOOK_ALIKES = (
    "Vỏ Văn Nam",
    "Võ Văn Nam Anh",
    "Nam Võ Văn",
    "Vo Van Nam",
    "Võ Văn Nam",
    "Võ Văn Nhâm",  # one letter away: a near spelling
    "Võ Thị Hoa",  # not found at all
)


@pytest.fixture
def look_alikes(geo):
    return {name: ChildFactory(commune=geo.commune_a, full_name=name) for name in LOOK_ALIKES}


def names(children) -> list[str]:
    return [child.full_name for child in children]


def test_sort_key_follows_the_vietnamese_alphabet_and_tones():
    words = [
        "Em",
        "Đức",
        "Dung",
        "Dũng",
        "Ánh",
        "Anh",
        "Ảnh",
        "Ăn",
        "Ân",
        "Bảo",
        "Ơn",
        "Ôn",
        "On",
        "Ưng",
        "Ung",
    ]
    assert sorted(words, key=vietnamese_sort_key) == [
        "Anh",
        "Ánh",
        "Ảnh",
        "Ăn",
        "Ân",
        "Bảo",
        "Dung",
        "Dũng",
        "Đức",
        "Em",
        "On",
        "Ôn",
        "Ơn",
        "Ung",
        "Ưng",
    ]
    # Tones in their order: ngang, huyền, sắc, hỏi, ngã, nặng.
    tones = ["Ma", "Mà", "Má", "Mả", "Mã", "Mạ"]
    assert sorted(reversed(tones), key=vietnamese_sort_key) == tones
    # A shorter name first; the same name in any Unicode form sorts alike.
    assert vietnamese_sort_key("Nam") < vietnamese_sort_key("Nam Anh") < vietnamese_sort_key("Nama")
    assert vietnamese_sort_key("Võ")[:2] == vietnamese_sort_key("Vo\u0303")[:2]


def test_exact_first_then_without_diacritics_then_start_then_any_order_then_near(officer_a, look_alikes):
    assert names(ranked_children(user=officer_a, text="Võ Văn Nam", limit=10)) == [
        "Võ Văn Nam",  # exact, diacritics and all
        "Vo Van Nam",  # the same without diacritics (Vietnamese order: ngang before hỏi)
        "Vỏ Văn Nam",
        "Võ Văn Nam Anh",  # starts with the typed words
        "Nam Võ Văn",  # the words in another order
        "Võ Văn Nhâm",  # a near spelling
    ]
    # Typed without diacritics: the name typed that way is the exact one.
    assert names(ranked_children(user=officer_a, text="vo van nam", limit=3)) == [
        "Vo Van Nam",
        "Vỏ Văn Nam",  # hỏi before ngã
        "Võ Văn Nam",
    ]
    # A typo only: the near spellings, closest first.
    assert names(ranked_children(user=officer_a, text="vo van namm", limit=10))[:3] == [
        "Vo Van Nam",
        "Vỏ Văn Nam",
        "Võ Văn Nam",
    ]


def test_exact_with_diacritics_beats_alphabetical_order(officer_a, geo):
    for name in ("Nguyễn Thị Ánh", "Nguyễn Thị Ảnh", "Nguyễn Thị Anh"):
        ChildFactory(commune=geo.commune_a, full_name=name)
    assert names(ranked_children(user=officer_a, text="Nguyễn Thị Ảnh", limit=3)) == [
        "Nguyễn Thị Ảnh",
        "Nguyễn Thị Anh",
        "Nguyễn Thị Ánh",
    ]


def test_d_before_dd_in_the_same_rank(officer_a, geo):
    for name in ("Võ Văn Nam Em", "Võ Văn Nam Đức", "Võ Văn Nam Dung", "Võ Văn Nam Đạt", "Võ Văn Nam Dũng"):
        ChildFactory(commune=geo.commune_a, full_name=name)
    assert names(ranked_children(user=officer_a, text="vo van nam", limit=10)) == [
        "Võ Văn Nam Dung",
        "Võ Văn Nam Dũng",
        "Võ Văn Nam Đạt",
        "Võ Văn Nam Đức",
        "Võ Văn Nam Em",
    ]


def test_own_communes_first_within_a_rank(geo):
    # Coordinates the province and works in commune B: commune B's children come first in a rank.
    user = UserFactory(roles=["provincial_coordinator"], units=[geo.province, geo.commune_b])
    a_exact = ChildFactory(commune=geo.commune_a, full_name="Võ Văn Nam")
    a_later = ChildFactory(commune=geo.commune_a, full_name="Võ Văn Nam Anh")
    b_later = ChildFactory(commune=geo.commune_b, full_name="Võ Văn Nam Bình")
    b_other = ChildFactory(commune=geo.commune_b, full_name="Võ Văn Nam Xuân")
    assert ranked_children(user=user, text="Võ Văn Nam", limit=10) == [a_exact, b_later, b_other, a_later]


def test_a_year_or_a_date_narrows_by_birth(officer_a, geo):
    an_2015 = ChildFactory(commune=geo.commune_a, full_name="Lê Văn An", birth_date=dt.date(2015, 3, 12))
    an_2015_no_day = ChildFactory(commune=geo.commune_a, full_name="Lê Thị An", birth_year=2015)
    an_2016 = ChildFactory(commune=geo.commune_a, full_name="Trần An", birth_date=dt.date(2016, 3, 12))
    an_other_day = ChildFactory(commune=geo.commune_a, full_name="Lê An", birth_date=dt.date(2015, 12, 3))
    assert set(ranked_children(user=officer_a, text="an", limit=10)) == {
        an_2015,
        an_2015_no_day,
        an_2016,
        an_other_day,
    }
    assert set(ranked_children(user=officer_a, text="an 2015", limit=10)) == {
        an_2015,
        an_2015_no_day,
        an_other_day,
    }
    # Day first, as dates are written in Viet Nam; a child whose day is unknown may still be the one.
    assert set(ranked_children(user=officer_a, text="an 12/3/2015", limit=10)) == {an_2015, an_2015_no_day}
    assert ranked_children(user=officer_a, text="2016", limit=10) == [an_2016]
    assert parse_query("an 31/2/2015").words == ("an", "31/2/2015")  # not a date: a word, finding nothing
    assert ranked_children(user=officer_a, text="an 31/2/2015", limit=10) == []


def test_id_record_and_case_numbers_find_their_child_directly(officer_a, supervisor_a, geo):
    child = ChildFactory(commune=geo.commune_a, full_name="Hà Văn Số", personal_id="048215000123")
    ChildFactory(commune=geo.commune_a, full_name="Hà Văn Số", personal_id="048215000124")
    assert ranked_children(user=officer_a, text="048215000123", limit=10) == [child]
    assert ranked_children(user=officer_a, text="0482 1500 0123", limit=10) == [child]
    assert ranked_children(user=officer_a, text=f"#{child.pk}", limit=10) == [child]
    case = open_case(officer_a, geo.commune_a, child=child, supervisor=supervisor_a)
    assert ranked_children(user=officer_a, text=case.number, limit=10) == [child]


def test_out_of_scope_children_are_never_returned(officer_a, geo, supervisor_a):
    ChildFactory(commune=geo.commune_a, full_name="Võ Văn Nam")
    elsewhere = ChildFactory(commune=geo.commune_b, full_name="Võ Văn Nam", personal_id="048215000125")
    assert elsewhere not in ranked_children(user=officer_a, text="Võ Văn Nam", limit=10)
    for text in ("048215000125", f"#{elsewhere.pk}", "vo van namm", "nam 2018"):
        assert elsewhere not in ranked_children(user=officer_a, text=text, limit=10), text


def test_the_page_the_api_and_the_pickers_give_the_same_list(client, coordinator, geo, look_alikes):
    ChildFactory(commune=geo.commune_b, full_name="Võ Văn Nam")
    client.force_login(coordinator)
    for text in ("Võ Văn Nam", "vo van nam", "vo van namm", "nam vo"):
        expected = [c.pk for c in ranked_children(user=coordinator, text=text, limit=50)]
        assert expected, text
        page = client.get(reverse("children:child_list"), {"q": text})
        assert [c.pk for c in page.context["object_list"]] == expected, text
        api = client.get("/api/v1/children/", {"q": text})
        assert [row["id"] for row in api.json()["results"]] == expected, text


def test_beyond_the_window_the_rows_still_follow_the_ranks(officer_a, geo):
    # More matches than the window: the exact name is still first and nothing is lost or repeated.
    ChildFactory.create_batch(RANK_WINDOW + 5, commune=geo.commune_a, full_name="Võ Văn Nam Anh")
    exact = ChildFactory(commune=geo.commune_a, full_name="Võ Văn Nam")
    listed = list(ranked_queryset(queryset=Child.objects.restrict(officer_a, "view"), text="vo van nam"))
    assert listed[0] == exact
    assert len(listed) == len(set(listed)) == RANK_WINDOW + 6

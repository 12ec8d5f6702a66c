"""Results of a survey: counts by unit and per question, hand-checked, within the user's scope;
small counts suppressed for publication.

The fixture: the province's survey answered for 6 children of commune A and 2 of commune B.

=======  ===========  ==============================  =====================
commune  has a card   goes to school by               hours of sleep
=======  ===========  ==============================  =====================
A        4 yes, 2 no  5 on foot, 1 by bicycle         6, 7, 8, 9, 10 and one
                                                      not answered
B        1 yes, 1 no  2 by motorbike                  not answered
=======  ===========  ==============================  =====================
"""

from decimal import Decimal

import pytest
from django.urls import reverse

from tests.factories import ChildFactory
from tests.surveys.records import open_child_survey
from treem.children.statistics import HIDDEN_SECONDARY, HIDDEN_SMALL
from treem.surveys import services
from treem.surveys.selectors import results_responses, survey_results


@pytest.fixture
def answered(survey, questions, officer_a, officer_b, geo):
    yes_no, choice, number = questions
    by_label = {c.label: c for c in choice.choices.all()}
    rows_a = [
        (True, "Đi bộ", 6),
        (True, "Đi bộ", 7),
        (True, "Đi bộ", 8),
        (True, "Đi bộ", 9),
        (False, "Đi bộ", 10),
        (False, "Xe đạp", None),
    ]
    rows_b = [(True, "Xe máy", None), (False, "Xe máy", None)]
    for officer, commune, rows in ((officer_a, geo.commune_a, rows_a), (officer_b, geo.commune_b, rows_b)):
        for n, (card, way, sleep) in enumerate(rows):
            child = ChildFactory(commune=commune, full_name=f"Trẻ {commune.code}-{n}")
            answers = {yes_no: card, choice: by_label[way]}
            if sleep is not None:
                answers[number] = sleep
            services.response_save(acting_user=officer, survey=survey, child=child, answers=answers)
    return survey


def counts(table, hidden=None):
    """{row label: shown text} of a one-column table, and the total's text."""
    grid = table.grid(hidden)
    rows = {row["label"]: row["total"].text for row in grid["rows"]}
    return rows, (grid["footer"]["total"].text if grid["footer"] and grid["footer"]["total"] else None)


def test_exact_results_for_the_province(answered, coordinator, geo, questions):
    results = survey_results(user=coordinator, survey=answered)
    assert results.responses == 8
    assert counts(results.by_unit) == ({geo.commune_a.label: "6", geo.commune_b.label: "2"}, "8")
    card, way, sleep = results.questions
    assert counts(card.table) == ({"Yes": "5", "No": "3", "No answer": "0"}, "8")
    assert counts(way.table) == ({"Đi bộ": "5", "Xe đạp": "1", "Xe máy": "2", "No answer": "0"}, "8")
    assert sleep.table is None and sleep.answered == 5
    assert sleep.summary == {"low": Decimal(6), "mean": Decimal("8.00"), "high": Decimal(10)}
    assert results.hidden(publication=False) == {}


def test_results_are_limited_to_the_users_units(answered, officer_a, supervisor_a, geo):
    for user in (officer_a, supervisor_a):
        results = survey_results(user=user, survey=answered)
        assert results.responses == 6
        assert counts(results.by_unit) == ({geo.commune_a.label: "6"}, "6")
        assert counts(results.questions[0].table) == ({"Yes": "4", "No": "2", "No answer": "0"}, "6")
        assert results.questions[2].summary["low"] == Decimal(6)


def test_viewer_counts_the_whole_province_without_opening_responses(
    answered, viewer, officer_no_unit, no_role_a
):
    assert results_responses(user=viewer, survey=answered).count() == 8
    assert survey_results(user=viewer, survey=answered).responses == 8
    assert results_responses(user=officer_no_unit, survey=answered).count() == 0
    assert results_responses(user=no_role_a, survey=answered).count() == 0


def test_small_counts_are_suppressed_for_publication(answered, coordinator, geo):
    results = survey_results(user=coordinator, survey=answered)
    hidden = results.hidden(publication=True)
    # B's 2 is under 5; A's 6 would give it away from the total 8, so it is hidden too.
    assert counts(results.by_unit, hidden) == (
        {geo.commune_a.label: HIDDEN_SECONDARY, geo.commune_b.label: HIDDEN_SMALL},
        "8",
    )
    # 3 "no" hidden; 5 "yes" with the total would tell it, so "yes" goes too (the 0 stays).
    assert counts(results.questions[0].table, hidden) == (
        {"Yes": HIDDEN_SECONDARY, "No": HIDDEN_SMALL, "No answer": "0"},
        "8",
    )
    # Two hidden counts in the line: nothing more to hide.
    assert counts(results.questions[1].table, hidden) == (
        {"Đi bộ": "5", "Xe đạp": HIDDEN_SMALL, "Xe máy": HIDDEN_SMALL, "No answer": "0"},
        "8",
    )


def test_a_summary_of_5_answers_is_shown_in_publication(client, answered, viewer):
    client.force_login(viewer)
    page = client.get(reverse("surveys:results", args=[answered.pk]))
    assert page.status_code == 200
    item = page.context["questions"][2]
    assert item["answered"].text == "5" and not item["summary_hidden"]
    assert item["summary"]["mean_text"] == "8"


def test_number_summary_hidden_under_5_answers(client, coordinator, officer_a, viewer, geo):
    survey = open_child_survey(definer=coordinator, unit=geo.province, title="Khảo sát nhỏ")
    yes_no, choice, number = survey.questions.order_by("position")
    for n in range(3):
        child = ChildFactory(commune=geo.commune_a, full_name=f"Trẻ nhỏ {n}")
        services.response_save(
            acting_user=officer_a,
            survey=survey,
            child=child,
            answers={yes_no: True, choice: choice.choices.first(), number: 9 + n},
        )
    client.force_login(viewer)
    page = client.get(reverse("surveys:results", args=[survey.pk]))
    item = page.context["questions"][2]
    assert item["answered"].text == HIDDEN_SMALL and item["summary_hidden"]
    text = page.content.decode()
    assert "hidden (fewer than 5 answers)" in text
    assert page.context["publication"] is True
    # The same page for the coordinator, exact unless asked otherwise.
    client.force_login(coordinator)
    page = client.get(reverse("surveys:results", args=[survey.pk]))
    assert page.context["publication"] is False
    assert page.context["questions"][2]["summary"]["high_text"] == "11"
    page = client.get(reverse("surveys:results", args=[survey.pk]), {"publication": "on"})
    assert page.context["publication"] is True and page.context["questions"][2]["summary_hidden"]


def test_several_choices_count_each_choice_and_add_up_to_nothing(coordinator, officer_a, geo):
    survey = services.survey_create(
        acting_user=coordinator,
        unit=geo.commune_a,
        title="Bữa ăn",
        subject_kind="child",
        starts_on=geo.commune_a.valid_from,
        ends_on=geo.commune_a.valid_from.replace(year=2030),
    )
    meals = services.question_add(
        acting_user=coordinator,
        survey=survey,
        text="Bữa ăn trong ngày",
        kind="multiple_choice",
        choices=["Sáng", "Trưa", "Tối"],
        required=False,
    )
    services.survey_open(acting_user=coordinator, survey=survey)
    morning, noon, evening = meals.choices.all()
    picks = [[morning, noon, evening]] * 5 + [[noon]] * 2 + [[]]
    for n, chosen in enumerate(picks):
        child = ChildFactory(commune=geo.commune_a, full_name=f"Trẻ ăn {n}")
        services.response_save(acting_user=officer_a, survey=survey, child=child, answers={meals: chosen})
    results = survey_results(user=coordinator, survey=survey)
    table = results.questions[0].table
    assert table.total is None  # the rows do not add up
    assert counts(table) == ({"Sáng": "5", "Trưa": "7", "Tối": "5", "No answer": "1"}, None)
    hidden = results.hidden(publication=True)
    # Only counts under 5 go: no line links these rows to a total.
    assert counts(table, hidden) == ({"Sáng": "5", "Trưa": "7", "Tối": "5", "No answer": HIDDEN_SMALL}, None)


def test_results_page_and_its_permission(
    client, answered, coordinator, viewer, officer_no_unit, no_role_a, geo
):
    url = reverse("surveys:results", args=[answered.pk])
    client.force_login(no_role_a)
    assert client.get(url).status_code == 403
    client.force_login(officer_no_unit)
    assert client.get(url).status_code == 404  # no unit: the survey is not theirs
    client.force_login(viewer)
    page = client.get(url)
    text = page.content.decode()
    assert page.status_code == 200
    assert "counts under 5 are always hidden" in text
    assert page.context["total"].text == "8"
    assert [bar["shown"].text for bar in page.context["unit_bars"]] == [HIDDEN_SECONDARY, HIDDEN_SMALL]
    assert 'name="deidentified"' not in text  # no exact export offered
    client.force_login(coordinator)
    page = client.get(url)
    assert [bar["shown"].text for bar in page.context["unit_bars"]] == ["6", "2"]
    assert 'name="deidentified"' in page.content.decode()

"""Survey services: the happy paths, and every bad input with its message and nothing written."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from tests.factories import ChildFactory, UserFactory
from tests.surveys.records import open_child_survey, today
from treem.audit.models import AuditEvent
from treem.core.scope import ScopeError
from treem.surveys import services
from treem.surveys.models import Answer, Choice, Question, Survey, SurveyResponse


def state():
    """Every row a survey service could write."""
    return (
        Survey.objects.count(),
        Question.objects.count(),
        Choice.objects.count(),
        SurveyResponse.objects.count(),
        Answer.objects.count(),
        Answer.choices.through.objects.count(),
        AuditEvent.objects.count(),
    )


def new_survey(user, unit, **fields):
    data = {
        "title": "Khảo sát dinh dưỡng",
        "subject_kind": "child",
        "starts_on": today(),
        "ends_on": today() + dt.timedelta(days=30),
        **fields,
    }
    return services.survey_create(acting_user=user, unit=unit, **data)


# --- surveys ------------------------------------------------------------------------------------


def test_coordinator_defines_a_draft_survey_for_the_province(coordinator, geo):
    survey = new_survey(coordinator, geo.province, title="  Khảo sát   dinh dưỡng ", description=" Năm 2026 ")
    assert (
        survey.status == "draft"
        and survey.title == "Khảo sát dinh dưỡng"
        and survey.description == "Năm 2026"
    )
    event = AuditEvent.objects.get(action="surveys.survey.created")
    assert event.unit == geo.province and event.object_id == str(survey.pk)
    assert event.changes["title"] == [None, "Khảo sát dinh dưỡng"]


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"title": "   "}, "title", "Enter the survey's title."),
        ({"ends_on": dt.date(2020, 1, 1)}, "ends_on", "The survey cannot end before it starts."),
        (
            {"subject_kind": "school"},
            "subject_kind",
            "Choose whether the survey is about children or households.",
        ),
    ],
)
def test_bad_survey_is_explained_and_nothing_is_written(coordinator, geo, fields, field, message):
    before = state()
    with pytest.raises(ValidationError) as caught:
        new_survey(coordinator, geo.province, **fields)
    assert message in caught.value.message_dict[field]
    assert state() == before


def test_a_village_or_an_ended_unit_is_refused(admin, geo):
    before = state()
    with pytest.raises(ValidationError) as caught:
        new_survey(admin, geo.village_a)
    assert "Choose a province or a commune" in caught.value.message_dict["unit"][0]
    with pytest.raises(ValidationError) as caught:
        new_survey(admin, geo.old_1)
    assert caught.value.message_dict["unit"] == ["Choose a unit in force today."]
    assert state() == before


@pytest.mark.parametrize("persona", ["officer_a", "supervisor_a", "viewer", "officer_no_unit"])
def test_only_definers_in_scope_create_surveys(request, geo, persona):
    user = request.getfixturevalue(persona)
    before = state()
    with pytest.raises(ScopeError):
        new_survey(user, geo.commune_a)
    assert state() == before


def test_coordinator_cannot_define_a_survey_for_another_province(coordinator, geo):
    before = state()
    with pytest.raises(ScopeError):
        new_survey(coordinator, geo.old_province)
    assert state() == before


def test_open_survey_keeps_what_answers_depend_on(coordinator, survey, geo):
    before = state()
    with pytest.raises(ValidationError) as caught:
        services.survey_update(
            acting_user=coordinator,
            survey=survey,
            subject_kind="household",
            unit=geo.commune_a,
            starts_on=today(),
            title="Đổi tên",
        )
    for name in ("subject_kind", "unit", "starts_on"):
        assert caught.value.message_dict[name] == ["This cannot change once the survey is open."]
    assert state() == before
    survey.refresh_from_db()
    assert survey.title == "Khảo sát trẻ em 2026"
    services.survey_update(acting_user=coordinator, survey=survey, title="Đổi tên", ends_on=today())
    event = AuditEvent.objects.filter(action="surveys.survey.updated").latest("id")
    assert event.changes["title"] == ["Khảo sát trẻ em 2026", "Đổi tên"]


def test_open_survey_cannot_end_in_the_past_and_closed_survey_cannot_change(coordinator, survey):
    before = state()
    with pytest.raises(ValidationError) as caught:
        services.survey_update(acting_user=coordinator, survey=survey, ends_on=today() - dt.timedelta(days=1))
    assert "close it instead" in caught.value.message_dict["ends_on"][0]
    services.survey_close(acting_user=coordinator, survey=survey)
    before = state()
    with pytest.raises(ValidationError) as caught:
        services.survey_update(acting_user=coordinator, survey=survey, title="X")
    assert caught.value.messages == ["A closed survey cannot be changed."]
    assert state() == before


def test_survey_goes_draft_open_closed_and_never_back(coordinator, geo):
    survey = new_survey(coordinator, geo.province)
    before = state()
    with pytest.raises(ValidationError) as caught:
        services.survey_open(acting_user=coordinator, survey=survey)
    assert caught.value.messages == ["Add at least one question before opening the survey."]
    with pytest.raises(ValidationError) as caught:
        services.survey_close(acting_user=coordinator, survey=survey)
    assert caught.value.messages == ["Only an open survey can be closed."]
    assert state() == before
    services.question_add(acting_user=coordinator, survey=survey, text="Ghi chú", kind="text")
    services.survey_open(acting_user=coordinator, survey=survey)
    assert survey.status == "open" and survey.opened_at is not None
    with pytest.raises(ValidationError) as caught:
        services.survey_open(acting_user=coordinator, survey=survey)
    assert caught.value.messages == ["Only a draft survey can be opened."]
    services.survey_close(acting_user=coordinator, survey=survey)
    assert Survey.objects.get(pk=survey.pk).status == "closed"
    events = AuditEvent.objects.filter(action__startswith="surveys.survey.", object_id=str(survey.pk))
    actions = list(events.order_by("id").values_list("action", flat=True))
    assert actions == ["surveys.survey.created", "surveys.survey.opened", "surveys.survey.closed"]


def test_a_survey_whose_period_ended_cannot_open(coordinator, geo):
    survey = new_survey(
        coordinator,
        geo.province,
        starts_on=today() - dt.timedelta(days=9),
        ends_on=today() - dt.timedelta(days=1),
    )
    services.question_add(acting_user=coordinator, survey=survey, text="Ghi chú", kind="text")
    before = state()
    with pytest.raises(ValidationError) as caught:
        services.survey_open(acting_user=coordinator, survey=survey)
    assert "has already ended" in caught.value.message_dict["ends_on"][0]
    assert state() == before
    assert Survey.objects.get(pk=survey.pk).status == "draft"


# --- questions ----------------------------------------------------------------------------------


@pytest.fixture
def draft(coordinator, geo):
    return new_survey(coordinator, geo.province)


def test_questions_are_ordered_and_choices_kept_in_order(coordinator, draft):
    first = services.question_add(acting_user=coordinator, survey=draft, text="Cân nặng (kg)", kind="number")
    second = services.question_add(
        acting_user=coordinator,
        survey=draft,
        text="Bữa ăn chính",
        kind="multiple_choice",
        choices=[" Sáng ", "Trưa", "", "Tối"],
        position=1,
    )
    assert [q.pk for q in draft.questions.order_by("position")] == [second.pk, first.pk]
    assert [q.position for q in draft.questions.order_by("position")] == [1, 2]
    assert list(second.choices.values_list("label", flat=True)) == ["Sáng", "Trưa", "Tối"]
    event = AuditEvent.objects.filter(action="surveys.question.added").latest("id")
    assert event.changes["choices"] == [None, ["Sáng", "Trưa", "Tối"]]
    assert event.unit == draft.unit


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"text": "  "}, "text", "Enter the question."),
        ({"kind": "essay"}, "kind", "Choose the type of answer."),
        ({"kind": "single_choice", "choices": ["Có"]}, "choices", "Give at least two choices, one per line."),
        ({"kind": "single_choice", "choices": ["Có", "có"]}, "choices", "The choice “có” is given twice."),
        ({"kind": "text", "choices": ["A", "B"]}, "choices", "Only choice questions have choices."),
        (
            {"kind": "yes_no", "min_value": 1},
            "min_value",
            "Only number questions have a smallest and a largest number.",
        ),
        (
            {"kind": "number", "min_value": Decimal(5), "max_value": Decimal(2)},
            "max_value",
            "The largest number cannot be below the smallest.",
        ),
    ],
)
def test_bad_question_is_explained_and_nothing_is_written(coordinator, draft, fields, field, message):
    data = {"text": "Câu hỏi", "kind": "text", **fields}
    before = state()
    with pytest.raises(ValidationError) as caught:
        services.question_add(acting_user=coordinator, survey=draft, **data)
    assert message in caught.value.message_dict[field]
    assert state() == before


def test_questions_change_only_while_draft(coordinator, survey, questions):
    yes_no, choice, _number = questions
    before = state()
    message = ["Questions can be changed only while the survey is a draft."]
    with pytest.raises(ValidationError) as caught:
        services.question_add(acting_user=coordinator, survey=survey, text="Thêm", kind="text")
    assert caught.value.messages == message
    with pytest.raises(ValidationError) as caught:
        services.question_update(acting_user=coordinator, question=choice, choices=["A", "B"])
    assert caught.value.messages == message
    with pytest.raises(ValidationError) as caught:
        services.question_delete(acting_user=coordinator, question=yes_no)
    assert caught.value.messages == message
    assert state() == before


def test_question_update_moves_and_changes_type(coordinator, draft):
    a = services.question_add(acting_user=coordinator, survey=draft, text="A", kind="text")
    b = services.question_add(
        acting_user=coordinator, survey=draft, text="B", kind="single_choice", choices=["x", "y"]
    )
    c = services.question_add(acting_user=coordinator, survey=draft, text="C", kind="text")
    services.question_update(acting_user=coordinator, question=c, position=1)
    assert list(draft.questions.order_by("position").values_list("text", flat=True)) == ["C", "A", "B"]
    # A question that stops being a choice question loses its choices.
    services.question_update(acting_user=coordinator, question=b, kind="yes_no")
    assert not Choice.objects.filter(question=b).exists()
    event = AuditEvent.objects.filter(action="surveys.question.updated").latest("id")
    assert event.changes["kind"] == ["single_choice", "yes_no"] and event.changes["choices"] == [
        ["x", "y"],
        [],
    ]
    before = state()
    with pytest.raises(ValidationError) as caught:
        services.question_update(acting_user=coordinator, question=a, kind="number", min_value=9, max_value=1)
    assert caught.value.message_dict["max_value"] == ["The largest number cannot be below the smallest."]
    assert state() == before
    assert Question.objects.get(pk=a.pk).kind == "text"


def test_question_delete_closes_up_the_order(coordinator, draft):
    a = services.question_add(acting_user=coordinator, survey=draft, text="A", kind="text")
    services.question_add(acting_user=coordinator, survey=draft, text="B", kind="text")
    pk = a.pk
    services.question_delete(acting_user=coordinator, question=a)
    assert list(draft.questions.values_list("text", "position")) == [("B", 1)]
    event = AuditEvent.objects.get(action="surveys.question.deleted")
    assert event.object_id == str(pk) and event.changes["text"] == ["A", None]


def test_officer_cannot_change_questions(officer_a, draft):
    before = state()
    with pytest.raises(ScopeError):
        services.question_add(acting_user=officer_a, survey=draft, text="X", kind="text")
    assert state() == before


# --- responses ----------------------------------------------------------------------------------


def test_officer_answers_for_a_child_and_a_second_answer_edits_the_first(
    officer_a, survey, questions, child_a
):
    yes_no, choice, number = questions
    walk = choice.choices.get(label="Đi bộ")
    response = services.response_save(
        acting_user=officer_a,
        survey=survey,
        child=child_a,
        answers={yes_no.pk: "yes", choice: str(walk.pk), number: "8,5"},
    )
    assert response.child == child_a and response.created_by == officer_a
    stored = {a.question_id: a for a in response.answers.all()}
    assert stored[yes_no.pk].bool_value is True
    assert list(stored[choice.pk].choices.all()) == [walk]
    assert stored[number.pk].number_value == Decimal("8.5")
    created = AuditEvent.objects.get(action="surveys.response.created")
    assert created.unit == child_a.commune
    assert created.changes[f"q{number.pk}"] == [None, "8.5"]

    bike = choice.choices.get(label="Xe đạp")
    again = services.response_save(
        acting_user=officer_a, survey=survey, child=child_a, answers={yes_no: False, choice: bike}
    )
    assert again.pk == response.pk and SurveyResponse.objects.count() == 1
    stored = {a.question_id: a for a in again.answers.all()}
    assert stored[yes_no.pk].bool_value is False and number.pk not in stored
    updated = AuditEvent.objects.get(action="surveys.response.updated")
    assert updated.changes == {
        f"q{yes_no.pk}": [True, False],
        f"q{choice.pk}": [["Đi bộ"], ["Xe đạp"]],
        f"q{number.pk}": ["8.5", None],
    }


@pytest.mark.parametrize(
    ("answers", "index", "message"),
    [
        ({1: "first"}, 0, "Answer this question."),
        ({0: "maybe", 1: "first"}, 0, "Answer yes or no."),
        ({0: "yes", 1: "999999"}, 1, "Choose among the question's choices."),
        ({0: "yes", 1: "abc"}, 1, "Choose among the question's choices."),
        ({0: "yes", 1: True}, 1, "Choose among the question's choices."),
        ({0: "yes", 1: ["first", "second"]}, 1, "Choose only one answer."),
        (
            {0: "yes", 1: "first", 2: "tám"},
            2,
            "Enter a number, for example 12 or 2,5 (no thousands separators).",
        ),
        (
            {0: "yes", 1: "first", 2: "1.000.000"},
            2,
            "Enter a number, for example 12 or 2,5 (no thousands separators).",
        ),
        ({0: "yes", 1: "first", 2: "1.500"}, 2, "“1.500” is unclear"),
        ({0: "yes", 1: "first", 2: "25"}, 2, "The number must be at most 24."),
        ({0: "yes", 1: "first", 2: "-1"}, 2, "The number must be at least 0."),
        ({0: "yes", 1: "first", 2: "1,23456"}, 2, "Use at most 4 decimals."),
        ({0: "yes", 1: "first", 2: "NaN"}, 2, "Enter a number"),
    ],
)
def test_bad_answers_are_explained_and_nothing_is_written(
    officer_a, survey, questions, child_a, answers, index, message
):
    choices = list(questions[1].choices.all())
    words = {"first": str(choices[0].pk), "second": str(choices[1].pk)}

    def value(raw):
        if isinstance(raw, list):
            return [words.get(r, r) for r in raw]
        return words.get(raw, raw)

    before = state()
    with pytest.raises(ValidationError) as caught:
        services.response_save(
            acting_user=officer_a,
            survey=survey,
            child=child_a,
            answers={questions[i]: value(raw) for i, raw in answers.items()},
        )
    assert any(message in m for m in caught.value.message_dict[questions[index].field_name])
    assert state() == before


def test_a_refused_edit_keeps_the_answers_given_before(officer_a, survey, questions, child_a):
    yes_no, choice, number = questions
    services.response_save(
        acting_user=officer_a,
        survey=survey,
        child=child_a,
        answers={yes_no: True, choice: choice.choices.first(), number: 7},
    )
    before = state()
    with pytest.raises(ValidationError):
        services.response_save(
            acting_user=officer_a,
            survey=survey,
            child=child_a,
            answers={yes_no: False, choice: "", number: 7},
        )
    assert state() == before
    assert Answer.objects.get(question=yes_no).bool_value is True


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ("31/02/2025", "31/02/2025 is not a real date."),
        ("2025-13-01", "2025-13-01 is not a real date."),
        ("tháng 5", "Enter a date as dd/mm/yyyy."),
    ],
)
def test_a_date_must_be_a_real_date(officer_a, household_survey, household_a, raw, message):
    water, day = household_survey.questions.order_by("position")
    before = state()
    with pytest.raises(ValidationError) as caught:
        services.response_save(
            acting_user=officer_a,
            survey=household_survey,
            household=household_a,
            answers={water: "yes", day: raw},
        )
    assert caught.value.message_dict[day.field_name] == [message]
    assert state() == before
    response = services.response_save(
        acting_user=officer_a,
        survey=household_survey,
        household=household_a,
        answers={water: "no", day: "29/02/2024"},
    )
    assert response.answers.get(question=day).date_value == dt.date(2024, 2, 29)
    assert AuditEvent.objects.get(action="surveys.response.created").unit == household_a.commune


def test_the_subject_must_match_the_survey(
    officer_a, survey, household_survey, child_a, household_a, questions
):
    before = state()
    with pytest.raises(ValidationError) as caught:
        services.response_save(acting_user=officer_a, survey=survey, household=household_a, answers={})
    assert caught.value.messages == ["This survey is answered for children, not for households."]
    with pytest.raises(ValidationError) as caught:
        services.response_save(acting_user=officer_a, survey=household_survey, child=child_a, answers={})
    assert caught.value.messages == ["This survey is answered for households, not for children."]
    assert state() == before


def test_answers_for_questions_of_another_survey_are_refused(officer_a, survey, household_survey, child_a):
    other = household_survey.questions.first()
    before = state()
    with pytest.raises(ValidationError) as caught:
        services.response_save(acting_user=officer_a, survey=survey, child=child_a, answers={other: "yes"})
    assert caught.value.messages == ["Some answers are for questions that are not in this survey."]
    assert state() == before


def test_closed_draft_or_out_of_period_survey_takes_no_answers(
    coordinator, officer_a, survey, questions, child_a, geo
):
    answers = {questions[0]: "yes", questions[1]: questions[1].choices.first()}
    services.survey_close(acting_user=coordinator, survey=survey)
    before = state()
    with pytest.raises(ValidationError) as caught:
        services.response_save(acting_user=officer_a, survey=survey, child=child_a, answers=answers)
    assert caught.value.messages == ["This survey is closed: no more answers are accepted."]

    later = new_survey(
        coordinator,
        geo.province,
        starts_on=today() + dt.timedelta(days=5),
        ends_on=today() + dt.timedelta(days=9),
    )
    services.question_add(acting_user=coordinator, survey=later, text="Ghi chú", kind="text", required=False)
    services.survey_open(acting_user=coordinator, survey=later)
    before = state()
    with pytest.raises(ValidationError) as caught:
        services.response_save(acting_user=officer_a, survey=later, child=child_a, answers={})
    day = (today() + dt.timedelta(days=5)).strftime("%d/%m/%Y")
    assert caught.value.messages[0].startswith(f"Answers to this survey are accepted from {day}")
    assert state() == before


def test_a_draft_cannot_be_answered(coordinator, officer_a, draft, child_a):
    services.question_add(acting_user=coordinator, survey=draft, text="Ghi chú", kind="text", required=False)
    before = state()
    with pytest.raises(ValidationError) as caught:
        services.response_save(acting_user=officer_a, survey=draft, child=child_a, answers={})
    assert caught.value.messages == ["This survey is not open for answers yet."]
    assert state() == before


def test_a_child_out_of_the_registry_gets_no_new_answers(officer_a, survey, questions, child_a):
    child_a.is_active = False
    child_a.save(update_fields=["is_active"])
    before = state()
    with pytest.raises(ValidationError) as caught:
        services.response_save(
            acting_user=officer_a, survey=survey, child=child_a, answers={questions[0]: "yes"}
        )
    assert caught.value.messages == ["This child is no longer in the registry."]
    assert state() == before


def test_a_child_outside_the_survey_unit_is_refused(coordinator, geo, child_b):
    """A provincial officer sees both communes; a survey of commune A is not for commune B."""
    provincial = UserFactory(username="canbo_tinh", roles=["commune_officer"], units=[geo.province])
    survey_a = open_child_survey(definer=coordinator, unit=geo.commune_a, title="Khảo sát phường An")
    yes_no, choice, _number = survey_a.questions.order_by("position")
    before = state()
    with pytest.raises(ValidationError) as caught:
        services.response_save(
            acting_user=provincial,
            survey=survey_a,
            child=child_b,
            answers={yes_no: "yes", choice: choice.choices.first()},
        )
    assert caught.value.messages == ["Vừ Văn Páo lives outside Phường An, the unit this survey covers."]
    assert state() == before


@pytest.mark.parametrize("persona", ["officer_b", "supervisor_a", "viewer", "no_role_a", "officer_no_unit"])
def test_only_an_officer_of_the_childs_commune_answers(request, survey, questions, child_a, persona):
    user = request.getfixturevalue(persona)
    before = state()
    with pytest.raises(ScopeError):
        services.response_save(
            acting_user=user,
            survey=survey,
            child=child_a,
            answers={questions[0]: "yes", questions[1]: questions[1].choices.first()},
        )
    assert state() == before


def test_answer_values_accept_the_usual_spellings(officer_a, survey, questions, geo):
    yes_no, choice, number = questions
    for raw, expected in [("Có", True), ("không", False), ("1", True), (False, False)]:
        child = ChildFactory(commune=geo.commune_a, full_name=f"Trẻ {raw}")
        response = services.response_save(
            acting_user=officer_a,
            survey=survey,
            child=child,
            answers={yes_no: raw, choice: [choice.choices.first().pk], number: "12.5"},
        )
        answer = response.answers.get(question=yes_no)
        assert answer.bool_value is expected
        assert response.answers.get(question=number).number_value == Decimal("12.5")

"""Survey pages: a coordinator defines a survey in the browser, an officer answers it on a phone,
refusals re-render the page with the reason (400) and write nothing."""

import datetime as dt

import pytest
from django.urls import reverse

from tests.surveys.records import today
from treem.audit.models import AuditEvent
from treem.surveys.models import Answer, Choice, Question, Survey, SurveyResponse


def written():
    return (
        Survey.objects.count(),
        Question.objects.count(),
        Choice.objects.count(),
        SurveyResponse.objects.count(),
        Answer.objects.count(),
        AuditEvent.objects.count(),
    )


def dmy(day: dt.date) -> str:
    return day.strftime("%d/%m/%Y")


def test_coordinator_defines_and_opens_a_survey(client, coordinator, geo):
    client.force_login(coordinator)
    assert client.get(reverse("surveys:survey_add")).status_code == 200
    response = client.post(
        reverse("surveys:survey_add"),
        {
            "title": "Khảo sát nước sạch",
            "subject_kind": "household",
            "unit": geo.province.pk,
            "starts_on": dmy(today()),
            "ends_on": dmy(today() + dt.timedelta(days=14)),
        },
    )
    survey = Survey.objects.get(title="Khảo sát nước sạch")
    assert response.status_code == 302 and response["Location"] == survey.get_absolute_url()
    page = client.get(survey.get_absolute_url())
    assert page.status_code == 200 and "No question yet." in page.content.decode()

    # Opening without a question: the page again, with the reason.
    before = written()
    refused = client.post(reverse("surveys:survey_open", args=[survey.pk]))
    assert refused.status_code == 400
    assert "Add at least one question before opening the survey." in refused.content.decode()
    assert written() == before

    add = reverse("surveys:question_add", args=[survey.pk])
    assert client.get(add).status_code == 200
    bad = client.post(
        add, {"text": "Nguồn nước", "kind": "single_choice", "choices": "Giếng", "required": "on"}
    )
    assert bad.status_code == 400 and "Give at least two choices, one per line." in bad.content.decode()
    assert written() == before
    ok = client.post(
        add, {"text": "Nguồn nước", "kind": "single_choice", "choices": "Giếng\nMáy\n", "required": "on"}
    )
    assert ok.status_code == 302
    question = survey.questions.get()
    assert list(question.choices.values_list("label", flat=True)) == ["Giếng", "Máy"]
    edit = reverse("surveys:question_edit", args=[question.pk])
    assert client.get(edit).status_code == 200
    assert "Giếng\nMáy" in client.get(edit).content.decode()
    moved = client.post(
        edit, {"text": "Nguồn nước chính", "kind": "single_choice", "choices": "Giếng\nMáy\nSông"}
    )
    assert moved.status_code == 302
    question.refresh_from_db()
    assert question.text == "Nguồn nước chính" and not question.required and question.choices.count() == 3

    assert client.post(reverse("surveys:survey_open", args=[survey.pk])).status_code == 302
    survey.refresh_from_db()
    assert survey.status == "open"
    page = client.get(survey.get_absolute_url()).content.decode()
    assert reverse("surveys:question_edit", args=[question.pk]) not in page  # questions are fixed now
    # The edit page keeps the subject, unit and first day as they are.
    form = client.get(reverse("surveys:survey_edit", args=[survey.pk])).context["form"]
    assert form.fields["unit"].disabled and form.fields["subject_kind"].disabled
    before = written()
    changed = client.post(
        reverse("surveys:survey_edit", args=[survey.pk]),
        {
            "title": "Khảo sát nước sạch 2026",
            "ends_on": dmy(today() + dt.timedelta(days=20)),
            "unit": geo.commune_a.pk,
        },
    )
    assert changed.status_code == 302
    survey.refresh_from_db()
    assert survey.title == "Khảo sát nước sạch 2026" and survey.unit == geo.province
    assert client.post(reverse("surveys:survey_close", args=[survey.pk])).status_code == 302
    assert written()[-1] == before[-1] + 2


def test_question_delete_is_refused_once_the_survey_is_open(client, coordinator, survey, questions):
    client.force_login(coordinator)
    before = written()
    response = client.post(reverse("surveys:question_delete", args=[questions[0].pk]))
    assert response.status_code == 400
    assert "Questions can be changed only while the survey is a draft." in response.content.decode()
    assert written() == before


def test_officer_answers_on_the_answer_list(client, officer_a, survey, questions, child_a):
    client.force_login(officer_a)
    page = client.get(survey.get_absolute_url())
    assert reverse("surveys:answer_list", args=[survey.pk]) in page.content.decode()
    listing = client.get(reverse("surveys:answer_list", args=[survey.pk]), {"q": "lo thi mai"})
    assert listing.status_code == 200
    assert [c.pk for c in listing.context["object_list"]] == [child_a.pk]
    assert not listing.context["object_list"][0].answered
    assert (
        client.get(reverse("surveys:answer_list", args=[survey.pk]), {"q": "khong co"})
        .context["object_list"]
        .count()
        == 0
    )

    url = reverse("surveys:response_form", args=[survey.pk, child_a.pk])
    form_page = client.get(url)
    assert form_page.status_code == 200
    assert not AuditEvent.objects.filter(
        action="surveys.surveyresponse.viewed"
    ).exists()  # nothing to see yet
    yes_no, choice, number = questions
    before = written()
    bad = client.post(url, {yes_no.field_name: "yes", choice.field_name: "", number.field_name: "31/02"})
    assert bad.status_code == 400
    text = bad.content.decode()
    assert "Answer this question." in text and "Enter a number" in text
    assert written() == before

    walk = choice.choices.get(label="Đi bộ")
    ok = client.post(
        url, {yes_no.field_name: "yes", choice.field_name: str(walk.pk), number.field_name: "9,5"}
    )
    assert ok.status_code == 302 and ok["Location"] == reverse("surveys:answer_list", args=[survey.pk])
    response = SurveyResponse.objects.get()
    assert response.answers.get(question=number).number_value == 9.5
    listing = client.get(reverse("surveys:answer_list", args=[survey.pk]))
    assert listing.context["object_list"][0].answered

    # Opening the form again shows the answers given (and is audited as a view).
    again = client.get(url)
    assert again.context["form"].initial == {
        yes_no.field_name: "yes",
        choice.field_name: str(walk.pk),
        number.field_name: "9.5",
    }
    assert AuditEvent.objects.filter(action="surveys.surveyresponse.viewed").count() == 1


def test_supervisor_reads_responses_and_cannot_answer(
    client, officer_a, supervisor_a, survey, questions, child_a
):
    from treem.surveys import services

    yes_no, choice, _number = questions
    response = services.response_save(
        acting_user=officer_a,
        survey=survey,
        child=child_a,
        answers={yes_no: True, choice: choice.choices.first()},
    )
    client.force_login(supervisor_a)
    assert client.get(reverse("surveys:answer_list", args=[survey.pk])).status_code == 403
    assert client.get(reverse("surveys:response_form", args=[survey.pk, child_a.pk])).status_code == 403
    listing = client.get(reverse("surveys:response_list", args=[survey.pk]))
    assert listing.status_code == 200 and "Lò Thị Mai" in listing.content.decode()
    detail = client.get(response.get_absolute_url())
    assert detail.status_code == 200
    text = detail.content.decode()
    assert "Đi bộ" in text and "Yes" in text
    assert (
        AuditEvent.objects.filter(action="surveys.surveyresponse.viewed", object_id=str(response.pk)).count()
        == 1
    )
    mine = client.get(reverse("surveys:child_responses", args=[child_a.pk]))
    assert mine.status_code == 200 and survey.title in mine.content.decode()


def test_closed_survey_shows_no_answer_button(client, coordinator, officer_a, survey, child_a):
    from treem.surveys import services

    services.survey_close(acting_user=coordinator, survey=survey)
    client.force_login(officer_a)
    page = client.get(reverse("surveys:response_form", args=[survey.pk, child_a.pk]))
    assert page.status_code == 200
    text = page.content.decode()
    assert "This survey is closed: no more answers are accepted." in text and "Save the answers" not in text
    before = written()
    posted = client.post(reverse("surveys:response_form", args=[survey.pk, child_a.pk]), {})
    assert posted.status_code == 400
    assert written() == before


@pytest.mark.parametrize(
    ("persona", "sees"), [("officer_a", True), ("viewer", True), ("supervisor_a", True), ("no_role_a", False)]
)
def test_navigation_shows_surveys_to_those_who_may_see_them(client, request, persona, sees):
    client.force_login(request.getfixturevalue(persona))
    page = client.get(reverse("home")).content.decode()
    assert (reverse("surveys:survey_list") in page) is sees


def test_survey_list_filters(client, coordinator, survey, household_survey):
    client.force_login(coordinator)
    listing = client.get(reverse("surveys:survey_list"), {"subject_kind": "household"})
    assert list(listing.context["object_list"]) == [household_survey]
    listing = client.get(reverse("surveys:survey_list"), {"q": "trẻ em"})
    assert list(listing.context["object_list"]) == [survey]


def test_the_child_page_links_to_the_surveys_answered(client, officer_a, child_a, survey, questions):
    from treem.surveys import services

    yes_no, choice, _number = questions
    services.response_save(
        acting_user=officer_a,
        survey=survey,
        child=child_a,
        answers={yes_no: False, choice: choice.choices.last()},
    )
    client.force_login(officer_a)
    page = client.get(child_a.get_absolute_url()).content.decode()
    link = reverse("surveys:child_responses", args=[child_a.pk])
    assert link in page
    answered = client.get(link)
    assert [r.survey for r in answered.context["responses"]] == [survey]

"""Who sees which surveys and responses: a survey is seen from the units it covers and above; a
response belongs to its child's (or household's) commune; out of scope is 404, never the record."""

import pytest
from django.urls import reverse

from tests.factories import ChildFactory, UserFactory
from tests.surveys.records import open_child_survey
from treem.audit.models import AuditEvent
from treem.surveys import services
from treem.surveys.models import Answer, Choice, Question, Survey, SurveyResponse
from treem.surveys.selectors import visible_surveys


def answer(officer, survey, child, *, yes=True):
    yes_no, choice, _number = survey.questions.order_by("position")
    return services.response_save(
        acting_user=officer, survey=survey, child=child, answers={yes_no: yes, choice: choice.choices.first()}
    )


def written():
    return SurveyResponse.objects.count(), Answer.objects.count(), AuditEvent.objects.count()


@pytest.fixture
def per_commune(coordinator, geo):
    """A survey of commune A and one of commune B."""
    return (
        open_child_survey(definer=coordinator, unit=geo.commune_a, title="Khảo sát An"),
        open_child_survey(definer=coordinator, unit=geo.commune_b, title="Khảo sát Bình"),
    )


def test_a_survey_is_seen_from_the_units_it_covers_and_from_above(
    survey, per_commune, officer_a, officer_b, coordinator, viewer, officer_no_unit, no_role_a, admin
):
    survey_a, survey_b = per_commune
    assert set(Survey.objects.restrict(officer_a)) == {survey, survey_a}
    assert set(Survey.objects.restrict(officer_b)) == {survey, survey_b}
    assert set(Survey.objects.restrict(coordinator)) == {survey, survey_a, survey_b}
    assert set(Survey.objects.restrict(viewer)) == {survey, survey_a, survey_b}
    assert set(Survey.objects.restrict(admin)) == {survey, survey_a, survey_b}
    assert list(Survey.objects.restrict(officer_no_unit)) == []
    assert list(Survey.objects.restrict(no_role_a)) == []
    # The questions and choices follow their survey.
    assert set(Question.objects.restrict(officer_b).values_list("survey", flat=True)) == {
        survey.pk,
        survey_b.pk,
    }
    assert not Choice.objects.restrict(officer_b).filter(question__survey=survey_a).exists()
    # Changing needs the survey's unit in one's own scope: the province's is not a commune's.
    assert list(Survey.objects.restrict(officer_a, "change")) == []
    assert set(Survey.objects.restrict(coordinator, "change")) == {survey, survey_a, survey_b}


def test_drafts_are_shown_only_to_those_who_define_surveys(coordinator, officer_a, geo, client):
    draft = services.survey_create(
        acting_user=coordinator,
        unit=geo.province,
        title="Bản nháp",
        subject_kind="child",
        starts_on=geo.province.valid_from,
        ends_on=geo.province.valid_from.replace(year=2030),
    )
    assert draft in visible_surveys(coordinator)
    assert draft not in visible_surveys(officer_a)
    client.force_login(officer_a)
    assert client.get(reverse("surveys:survey_detail", args=[draft.pk])).status_code == 404
    assert "Bản nháp" not in client.get(reverse("surveys:survey_list")).content.decode()


def test_responses_belong_to_the_childs_commune(
    survey, officer_a, officer_b, supervisor_a, coordinator, child_a, child_b
):
    mine = answer(officer_a, survey, child_a)
    theirs = answer(officer_b, survey, child_b)
    assert list(SurveyResponse.objects.restrict(officer_a)) == [mine]
    assert list(SurveyResponse.objects.restrict(supervisor_a)) == [mine]
    assert set(SurveyResponse.objects.restrict(coordinator)) == {mine, theirs}
    assert set(Answer.objects.restrict(officer_b).values_list("response", flat=True)) == {theirs.pk}
    # A child who moves takes its answers to the new commune's officers.
    child_a.commune = child_b.commune
    child_a.save(update_fields=["commune"])
    assert set(SurveyResponse.objects.restrict(officer_b)) == {mine, theirs}
    assert list(SurveyResponse.objects.restrict(officer_a)) == []


def test_household_responses_belong_to_the_households_commune(
    household_survey, household_a, officer_a, officer_b
):
    water, _day = household_survey.questions.order_by("position")
    response = services.response_save(
        acting_user=officer_a, survey=household_survey, household=household_a, answers={water: "yes"}
    )
    assert list(SurveyResponse.objects.restrict(officer_a)) == [response]
    assert list(SurveyResponse.objects.restrict(officer_b)) == []


def test_officer_b_cannot_open_or_answer_officer_as_child(
    client, survey, officer_a, officer_b, child_a, questions
):
    response = answer(officer_a, survey, child_a)
    client.force_login(officer_b)
    form_url = reverse("surveys:response_form", args=[survey.pk, child_a.pk])
    assert client.get(form_url).status_code == 404
    before = written()
    posted = client.post(form_url, {questions[0].field_name: "no", questions[1].field_name: ""})
    assert posted.status_code == 404
    assert "Lò Thị Mai" not in posted.content.decode()
    assert written() == before
    for url in (
        reverse("surveys:response_detail", args=[response.pk]),
        reverse("surveys:child_responses", args=[child_a.pk]),
    ):
        page = client.get(url)
        assert page.status_code == 404, url
        assert "Lò Thị Mai" not in page.content.decode()
    # The answer list of the province's survey shows officer B their own children only.
    page = client.get(reverse("surveys:answer_list", args=[survey.pk]))
    assert page.status_code == 200 and "Lò Thị Mai" not in page.content.decode()
    assert "Lò Thị Mai" not in client.get(reverse("surveys:response_list", args=[survey.pk])).content.decode()
    assert written() == before
    assert Answer.objects.get(question=questions[0]).bool_value is True


def test_officer_cannot_answer_through_a_survey_of_another_commune(client, per_commune, officer_a, child_a):
    _survey_a, survey_b = per_commune
    client.force_login(officer_a)
    before = written()
    assert client.get(reverse("surveys:response_form", args=[survey_b.pk, child_a.pk])).status_code == 404
    assert client.get(reverse("surveys:results", args=[survey_b.pk])).status_code == 404
    assert client.get(reverse("surveys:results_export", args=[survey_b.pk])).status_code == 404
    assert written() == before


def test_a_child_of_another_province_is_never_found(client, survey, officer_a, geo):
    stranger = ChildFactory(commune=geo.old_1, full_name="Trẻ Tỉnh Cũ")
    provincial = UserFactory(username="canbo_tinh", roles=["commune_officer"], units=[geo.province])
    client.force_login(provincial)
    assert client.get(reverse("surveys:response_form", args=[survey.pk, stranger.pk])).status_code == 404

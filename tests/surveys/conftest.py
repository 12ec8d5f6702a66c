"""Surveys and children for the survey tests: a provincial survey about children (coordinator),
children in communes A and B, and a survey about households."""

import datetime as dt

import pytest
from django.utils import translation

from tests.factories import ChildFactory
from tests.surveys.records import open_child_survey, today
from treem.children.models import Household
from treem.surveys import services


@pytest.fixture(autouse=True)
def _english(settings):
    settings.LANGUAGE_CODE = "en"  # pages answer in the site language; messages are asserted in English
    with translation.override("en"):
        yield


@pytest.fixture
def survey(coordinator, geo):
    """Open, for the whole province: yes/no, one choice, a number 0–24 (optional)."""
    return open_child_survey(definer=coordinator, unit=geo.province, title="Khảo sát trẻ em 2026")


@pytest.fixture
def questions(survey):
    yes_no, choice, number = survey.questions.order_by("position")
    return yes_no, choice, number


@pytest.fixture
def child_a(geo):
    return ChildFactory(commune=geo.commune_a, village=geo.village_a, full_name="Lò Thị Mai", birth_year=2016)


@pytest.fixture
def child_b(geo):
    return ChildFactory(commune=geo.commune_b, full_name="Vừ Văn Páo", sex="male", birth_year=2015)


@pytest.fixture
def household_survey(coordinator, geo):
    survey = services.survey_create(
        acting_user=coordinator,
        unit=geo.province,
        title="Khảo sát hộ gia đình",
        subject_kind="household",
        starts_on=today() - dt.timedelta(days=1),
        ends_on=today() + dt.timedelta(days=10),
    )
    services.question_add(acting_user=coordinator, survey=survey, text="Hộ có nước sạch?", kind="yes_no")
    services.question_add(
        acting_user=coordinator,
        survey=survey,
        text="Ngày khảo sát",
        kind="date",
        required=False,
    )
    return services.survey_open(acting_user=coordinator, survey=survey)


@pytest.fixture
def household_a(geo):
    return Household.objects.create(commune=geo.commune_a, head_name="Nguyễn Văn Hộ", address="Thôn Một")

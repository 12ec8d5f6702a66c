"""Staff and courses for the workforce tests: commune A with an officer and a collaborator,
commune B with nobody, and a course in commune A."""

import datetime as dt

import pytest
from django.utils import timezone, translation

from treem.workforce import services


@pytest.fixture(autouse=True)
def _english(settings):
    settings.LANGUAGE_CODE = "en"  # pages answer in the site language; messages are asserted in English
    with translation.override("en"):
        yield


def today() -> dt.date:
    return timezone.localdate()


@pytest.fixture
def officer_staff_a(officer_a, geo):
    return services.staff_create(
        acting_user=officer_a,
        unit=geo.commune_a,
        full_name="Nguyễn Thị Hoa",
        position="commune_officer",
        since=dt.date(2024, 1, 1),
        phone="0905 123 456",
        employment="full_time",
    )


@pytest.fixture
def collaborator_a(officer_a, geo):
    return services.staff_create(
        acting_user=officer_a,
        unit=geo.village_a,
        full_name="Trần Văn Thôn",
        position="village_collaborator",
        since=dt.date(2023, 5, 1),
    )


@pytest.fixture
def course_a(officer_a, geo):
    return services.course_create(
        acting_user=officer_a,
        unit=geo.commune_a,
        topic="Kỹ năng phòng chống xâm hại trẻ em",
        organiser=geo.agency_a,
        starts_on=today() - dt.timedelta(days=3),
        ends_on=today() - dt.timedelta(days=2),
        place="Hội trường UBND phường",
    )

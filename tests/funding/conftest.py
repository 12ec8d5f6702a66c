"""Funding test records: an agency reporter of the provincial department, children in communes A
and B (one of them an adult), donors, a budget line with an allocation."""

import datetime as dt

import pytest
from django.utils import translation

from tests.factories import ChildFactory, UserFactory
from treem.funding import services


@pytest.fixture(autouse=True)
def _english(settings):
    settings.LANGUAGE_CODE = "en"  # messages are asserted in English; the .po file gives Vietnamese
    with translation.override("en"):
        yield


@pytest.fixture
def reporter(geo):
    """An agency reporter of the provincial health department."""
    return UserFactory(
        username="baocao_so",
        full_name="Đinh Báo Cáo",
        roles=["agency_reporter"],
        units=[geo.province],
        agency=geo.department,
    )


@pytest.fixture
def child_a(geo):
    return ChildFactory(
        commune=geo.commune_a, village=geo.village_a, full_name="Lò Thị Mai", birth_date=dt.date(2016, 3, 5)
    )


@pytest.fixture
def child_b(geo):
    return ChildFactory(commune=geo.commune_b, full_name="Vừ Văn Páo", sex="male", birth_year=2015)


@pytest.fixture
def adult_a(geo):
    """Sixteen on 10/05/2026: no longer a child from that day."""
    return ChildFactory(
        commune=geo.commune_a, full_name="Hà Văn Lớn", sex="male", birth_date=dt.date(2010, 5, 10)
    )


@pytest.fixture
def donor_a(officer_a, geo):
    return services.donor_create(
        acting_user=officer_a, unit=geo.commune_a, kind="business", name="Công ty Sao Mai"
    )


@pytest.fixture
def anonymous_donor(officer_a, geo):
    return services.donor_create(
        acting_user=officer_a, unit=geo.commune_a, kind="individual", name="Bà Nguyễn Thị Kín", anonymous=True
    )


@pytest.fixture
def line(coordinator, geo):
    """A provincial line of the department for 2026 with 10.000.000 đ allocated."""
    line = services.budget_line_create(
        acting_user=coordinator,
        agency=geo.department,
        unit=geo.commune_a,
        programme=None,
        year=2026,
        source="state_provincial",
        title="Tập huấn cán bộ xã",
        planned_vnd=12_000_000,
    )
    services.budget_entry_add(
        acting_user=coordinator,
        line=line,
        kind="allocation",
        amount=10_000_000,
        document_number="123/QĐ-UBND",
        document_date=dt.date(2026, 1, 15),
    )
    return line

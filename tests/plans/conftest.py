"""Plan fixtures: agency reporters, the loaded province plan, a small plan of one's own."""

import datetime as dt

import pytest
from django.utils import translation

from tests.factories import AgencyFactory, UserFactory
from treem.plans import loader, services
from treem.plans.models import PeriodKind


@pytest.fixture(autouse=True)
def _english(settings):
    settings.LANGUAGE_CODE = "en"  # pages answer in the site language; messages are asserted in English
    with translation.override("en"):
        yield


@pytest.fixture
def reporter(geo):
    """Staff of the province's health department (Sở Y tế), reporting on its tasks."""
    return UserFactory(
        username="baocao_yte",
        full_name="Ngô Báo Cáo",
        roles=["agency_reporter"],
        units=[geo.province],
        agency=geo.department,
    )


@pytest.fixture
def education(geo):
    return AgencyFactory(name="Sở Giáo dục và Đào tạo", kind="department", unit=geo.province)


@pytest.fixture
def reporter_education(geo, education):
    return UserFactory(
        username="baocao_gd", roles=["agency_reporter"], units=[geo.province], agency=education
    )


@pytest.fixture
def loaded(coordinator):
    """The bundled province plan, loaded by the coordinator."""
    return loader.plan_load_file(acting_user=coordinator, path=loader.BUNDLED_PLAN).plan


@pytest.fixture
def plan(geo, coordinator):
    return services.plan_create(
        acting_user=coordinator,
        key="KH-THU/2026",
        number="01/KH-THU",
        title="Kế hoạch thử",
        unit=geo.province,
    )


@pytest.fixture
def task(plan, coordinator, geo, education):
    return services.task_create(
        acting_user=coordinator,
        plan=plan,
        code="1",
        content="Tổ chức Tháng hành động vì trẻ em",
        lead_agency=geo.department,
        cooperating_agencies=[education],
        recurrence="quarterly",
    )


def quarter(plan, coordinator, *, opens_on, due_on, number=1, year=2026):
    return services.period_create(
        acting_user=coordinator,
        plan=plan,
        kind=PeriodKind.QUARTER,
        year=year,
        number=number,
        starts_on=dt.date(year, 3 * number - 2, 1),
        ends_on=opens_on + dt.timedelta(days=20),
        opens_on=opens_on,
        due_on=due_on,
    )


@pytest.fixture
def open_period(plan, coordinator):
    today = dt.date.today()
    return quarter(
        plan, coordinator, opens_on=today - dt.timedelta(days=10), due_on=today + dt.timedelta(days=5)
    )


@pytest.fixture
def future_period(plan, coordinator):
    today = dt.date.today()
    return quarter(
        plan,
        coordinator,
        opens_on=today + dt.timedelta(days=3),
        due_on=today + dt.timedelta(days=30),
        number=2,
    )


@pytest.fixture
def demo_register(geo):
    """The demo's register of agencies (treem.core.demo.data) on the test geography, renamed
    to Đà Nẵng (today) and Quảng Nam (before 01/07/2025): the province's agencies of today, the
    former Quảng Nam departments with their successors, and the communes' People's Committees."""
    from treem.accounts.models import Agency, AgencySuccession
    from treem.core.demo import data

    geo.province.name, geo.province.kind = "Thành phố Đà Nẵng", "Thành phố"
    geo.province.save(update_fields=["name", "kind"])
    geo.old_province.name, geo.old_province.kind = "Tỉnh Quảng Nam", "Tỉnh"
    geo.old_province.save(update_fields=["name", "kind"])
    geo.department.delete()  # the demo's health department has the province's name in its own
    by_name = {}
    for name, short, kind in data.PROVINCIAL_AGENCIES:
        by_name[name] = Agency.objects.create(
            unit=geo.province, name=name, short_name=short, kind=kind, valid_from=data.REORG
        )
    for name, short, kind, successors, note in data.FORMER_AGENCIES:
        old = Agency.objects.create(
            unit=geo.old_province, name=name, short_name=short, kind=kind, valid_to=data.BEFORE
        )
        for successor in successors:
            AgencySuccession.objects.create(
                predecessor=old, successor=by_name[successor], effective=data.REORG, note=note
            )
    return {a.short_name: a for a in Agency.objects.all()}


@pytest.fixture
def demo_reporter(geo, demo_register):
    """The demo's agency reporter (``baocao``): staff of the education department."""
    return UserFactory(
        username="baocao", roles=["agency_reporter"], units=[geo.province], agency=demo_register["Sở GD&ĐT"]
    )

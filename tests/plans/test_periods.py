"""Reporting periods as Decree 09/2019/NĐ-CP Art. 12 sets them (data, with a province's own
calendar allowed), and a task asked only for the periods its frequency needs."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from treem.plans import loader, selectors, services
from treem.plans.models import PeriodKind, ProgressReport, ReportingPeriod, Task

D = dt.date


def by_key(periods):
    return {(p["kind"], p["number"]): p for p in periods}


def test_the_default_calendar_is_decree_09():
    periods = by_key(services.standard_periods(2026))
    year = periods[(PeriodKind.YEAR, 1)]
    assert (year["starts_on"], year["ends_on"]) == (D(2025, 12, 15), D(2026, 12, 14))
    half = periods[(PeriodKind.HALF_YEAR, 1)]
    assert (half["starts_on"], half["ends_on"]) == (D(2025, 12, 15), D(2026, 6, 14))
    assert periods[(PeriodKind.HALF_YEAR, 2)]["starts_on"] == D(2026, 6, 15)
    q1, q3 = periods[(PeriodKind.QUARTER, 1)], periods[(PeriodKind.QUARTER, 3)]
    assert (q1["starts_on"], q1["ends_on"]) == (D(2025, 12, 15), D(2026, 3, 14))
    assert (q3["starts_on"], q3["ends_on"]) == (D(2026, 6, 15), D(2026, 9, 14))
    # Reports open two weeks before the cut-off and are due on the 20th.
    assert (year["opens_on"], year["due_on"]) == (D(2026, 11, 30), D(2026, 12, 20))


def test_a_province_may_set_its_own_calendar():
    periods = by_key(services.standard_periods(2026, {"first_day": 1, "due_days_after_end": 10}))
    year = periods[(PeriodKind.YEAR, 1)]
    assert (year["starts_on"], year["ends_on"], year["due_on"]) == (
        D(2026, 1, 1),
        D(2026, 12, 31),
        D(2027, 1, 10),
    )
    only_years = services.standard_periods(2026, {"kinds": ["year"]})
    assert [p["kind"] for p in only_years] == [PeriodKind.YEAR]
    with pytest.raises(ValidationError) as exc:
        services.standard_periods(2026, {"first_day": 31})
    assert exc.value.messages == ["The first day of a reporting period must be between 1 and 28."]
    with pytest.raises(ValidationError) as exc:
        services.standard_periods(2026, {"kinds": ["month"]})
    assert exc.value.messages == ["Unknown kinds of reporting period: month."]


def test_a_bad_calendar_in_the_plan_file_writes_nothing(coordinator, geo):
    from treem.plans.models import Plan

    data = loader.read_plan_file(loader.BUNDLED_PLAN.read_bytes(), loader.BUNDLED_PLAN.name)
    data["periods"]["calendar"] = {"first_day": 40}
    with pytest.raises(ValidationError):
        loader.plan_load(acting_user=coordinator, data=data)
    assert not Plan.objects.exists() and not Task.objects.exists()


def test_the_loaded_plan_has_the_decree_09_periods(loaded):
    year = ReportingPeriod.objects.get(plan=loaded, kind=PeriodKind.YEAR, year=2026)
    assert (year.starts_on, year.ends_on) == (D(2025, 12, 15), D(2026, 12, 14))


def test_a_task_is_asked_only_for_the_periods_its_frequency_needs(loaded, coordinator, client):
    annual = Task.objects.get(plan=loaded, code="IV.3.a")  # Sở Y tế's, every year
    quarterly = Task.objects.get(plan=loaded, code="IV.10")
    assert {p.kind for p in selectors.task_periods(annual)} == {PeriodKind.YEAR}
    assert {p.kind for p in selectors.task_periods(quarterly)} == {PeriodKind.QUARTER, PeriodKind.YEAR}
    # One period a year from 2025 to 2030, not the 42 periods of the plan's six years.
    assert sorted(p.year for p in selectors.task_periods(annual)) == [2025, 2026, 2027, 2028, 2029, 2030]
    q4 = ReportingPeriod.objects.get(plan=loaded, kind=PeriodKind.QUARTER, year=2026, number=4)
    before = ProgressReport.objects.count()
    with pytest.raises(ValidationError) as exc:
        services.report_save(
            acting_user=coordinator, period=q4, task=annual, agency=annual.lead_agency, activities="Đã làm"
        )
    assert exc.value.messages == ["Task IV.3.a (every year) is not asked for a report in Quarter 4/2026."]
    assert ProgressReport.objects.count() == before
    client.force_login(coordinator)
    page = client.get(annual.get_absolute_url()).content.decode()
    assert 'data-testid="report-year-2026-1"' in page and 'data-testid="report-quarter-' not in page
    expected = {r.agency.pk: r.expected for r in selectors.reporting_rates(user=coordinator, period=q4)}
    asked = Task.objects.filter(plan=loaded, recurrence="quarterly", lead_agency__isnull=False)
    assert sum(expected.values()) == asked.count()  # those waiting for an agency are not yet due
    response = client.get(reverse("plans:report_form", args=[annual.pk, q4.pk]))
    assert response.status_code == 200  # the form opens, the service refuses on save

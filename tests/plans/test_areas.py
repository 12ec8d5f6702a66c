"""Both structures of the plan: each task keeps its assignment (IV.1–IV.14: who leads, who
cooperates) and the solution areas it serves (II.1–II.8); results read by area and by agency."""

import pytest
from django.core.exceptions import ValidationError

from treem.plans import loader, selectors, services
from treem.plans.models import PeriodKind, Plan, ReportingPeriod, ReportStatus, Task


@pytest.fixture
def year(loaded):
    return ReportingPeriod.objects.get(plan=loaded, kind=PeriodKind.YEAR, year=2026)


def accepted_report(coordinator, year, task, **fields):
    report = services.report_save(
        acting_user=coordinator, period=year, task=task, agency=task.lead_agency, **fields
    )
    services.report_submit(acting_user=coordinator, report=report)
    return services.report_accept(acting_user=coordinator, report=report)


def test_every_task_keeps_its_group_and_the_areas_it_serves(loaded, coordinator):
    tasks = Task.objects.filter(plan=loaded, parent__isnull=True)
    assert all(t.areas.exists() for t in tasks)
    aid = tasks.get(code="IV.8.b")
    assert aid.section.code == "IV.8" and [a.code for a in aid.areas.all()] == ["II.7"]
    assert [a.code for a in selectors.solution_areas(loaded)] == [f"II.{n}" for n in range(1, 9)]
    rows = {r.code: r for r in selectors.task_table(user=coordinator, plan=loaded)}
    assert rows["IV.5"].areas == ["II.3", "II.8"]
    # The communes' shares serve the areas of their task.
    share = Task.objects.filter(plan=loaded, parent__code="IV.14.b").first()
    assert [a.code for a in share.areas.all()] == ["II.5"]


def test_results_by_solution_area(loaded, coordinator, year):
    health = Task.objects.get(plan=loaded, code="IV.3.a")
    report = accepted_report(coordinator, year, health, activities="Tiêm chủng mở rộng", results="98%")
    areas = {r.area.code: r for r in selectors.results_by_area(user=coordinator, period=year)}
    assert list(areas) == [f"II.{n}" for n in range(1, 9)]  # every area, even without a report
    assert areas["II.3"].reports == [report] and areas["II.4"].reports == [report]
    assert areas["II.7"].reports == [] and [t.code for t in areas["II.7"].tasks] == ["IV.8.b", "IV.8.c"]
    assert health in areas["II.3"].tasks
    # A submitted report not yet accepted is left out unless asked for.
    assert (
        selectors.results_by_area(user=coordinator, period=year, statuses=(ReportStatus.SUBMITTED,))[
            2
        ].reports
        == []
    )


def test_results_by_agency_use_the_rates_of_the_period_page(loaded, coordinator, year, geo):
    health = Task.objects.get(plan=loaded, code="IV.3.a")
    report = accepted_report(coordinator, year, health, activities="Khám sức khỏe định kỳ")
    rows = {r.agency: r for r in selectors.results_by_agency(user=coordinator, period=year)}
    mine = rows[geo.department]
    assert health in mine.tasks and mine.reports == [report]
    rate = {r.agency: r for r in selectors.reporting_rates(user=coordinator, period=year, by="agency")}[
        geo.department
    ]
    assert (mine.rate.expected, mine.rate.submitted, mine.rate.accepted) == (
        rate.expected,
        rate.submitted,
        rate.accepted,
    )
    assert mine.rate.accepted == 1 and mine.rate.expected == len(mine.tasks)
    communes = selectors.results_by_agency(user=coordinator, period=year, by="commune")
    assert [r.agency.unit.name for r in communes] == ["Phường An", "Xã Bình"]


def test_an_unknown_area_refuses_the_file_and_writes_nothing(coordinator, geo):
    data = loader.read_plan_file(loader.BUNDLED_PLAN.read_bytes(), loader.BUNDLED_PLAN.name)
    data["groups"][0]["tasks"][0]["areas"] = ["II.1", "II.9"]
    with pytest.raises(ValidationError) as exc:
        loader.plan_load(acting_user=coordinator, data=data)
    assert exc.value.messages == ["IV.1.a names solution areas that are not sections of the plan: II.9."]
    assert not Plan.objects.exists() and not Task.objects.exists()


def test_the_task_page_shows_its_areas(loaded, coordinator, client):
    client.force_login(coordinator)
    page = client.get(Task.objects.get(plan=loaded, code="IV.8.b").get_absolute_url()).content.decode()
    assert 'data-testid="areas"' in page and "II.7." in page

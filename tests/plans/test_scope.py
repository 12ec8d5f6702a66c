"""Who sees which plans, tasks and reports."""

import datetime as dt

from tests.factories import AgencyFactory, CommuneFactory, ProvinceFactory, UserFactory
from treem.plans import selectors, services
from treem.plans.models import Plan, ProgressReport, ReportingPeriod, Task


def test_reporters_see_their_agencys_tasks_and_reports_only(
    reporter, reporter_education, coordinator, task, open_period, plan, geo
):
    other = services.task_create(
        acting_user=coordinator,
        plan=plan,
        code="2",
        content="Việc của phường",
        lead_agency=geo.agency_a,
        recurrence="quarterly",  # a quarter asks for reports on quarterly tasks only
    )
    assert set(Task.objects.restrict(reporter)) == {task}
    assert set(Task.objects.restrict(reporter_education)) == {task}  # cooperating
    assert set(Task.objects.restrict(coordinator)) == {task, other}
    mine = services.report_save(acting_user=reporter, period=open_period, task=task, activities="Y tế")
    theirs = services.report_save(
        acting_user=reporter_education, period=open_period, task=task, activities="Giáo dục"
    )
    assert set(ProgressReport.objects.restrict(reporter)) == {mine}
    assert set(ProgressReport.objects.restrict(reporter_education)) == {theirs}
    assert set(ProgressReport.objects.restrict(coordinator)) == {mine, theirs}


def test_a_commune_agency_reporter_sees_the_provinces_plan_and_its_own_tasks(
    coordinator, plan, geo, open_period
):
    commune_reporter = UserFactory(
        username="baocao_phuong", roles=["agency_reporter"], units=[geo.commune_a], agency=geo.agency_a
    )
    task = services.task_create(
        acting_user=coordinator,
        plan=plan,
        code="2",
        content="Việc của phường",
        lead_agency=geo.agency_a,
        recurrence="quarterly",  # a quarter asks for reports on quarterly tasks only
    )
    assert list(Plan.objects.restrict(commune_reporter)) == [plan]
    assert list(ReportingPeriod.objects.restrict(commune_reporter)) == [open_period]
    assert list(Task.objects.restrict(commune_reporter)) == [task]
    report = services.report_save(
        acting_user=commune_reporter, period=open_period, task=task, activities="Đã làm"
    )
    assert list(selectors.visible_reports(commune_reporter)) == [report]


def test_no_agency_no_tasks_and_other_provinces_see_nothing(coordinator, viewer, officer_a, task, geo):
    no_agency = UserFactory(username="khongcoquan", roles=["agency_reporter"], units=[geo.province])
    assert not Task.objects.restrict(no_agency).exists()
    assert not Task.objects.restrict(viewer).exists()
    assert list(Plan.objects.restrict(viewer)) == [task.plan]
    # Commune officers see the province's plan (they carry it out) but none of its province-level
    # tasks: only their commune's shares (tests/plans/test_communes.py).
    assert list(Plan.objects.restrict(officer_a)) == [task.plan]
    assert not Task.objects.restrict(officer_a).exists()
    far = ProvinceFactory(name="Tỉnh Xa", code="47", valid_from=dt.date(2025, 7, 1))
    CommuneFactory(name="Xã Xa", code="30001", parent=far, valid_from=dt.date(2025, 7, 1))
    far_coordinator = UserFactory(username="dieuphoi_xa", roles=["provincial_coordinator"], units=[far])
    assert not Plan.objects.restrict(far_coordinator).exists()
    assert not Task.objects.restrict(far_coordinator).exists()
    stranger = AgencyFactory(name="Sở Y tế Tỉnh Xa", unit=far)
    far_reporter = UserFactory(username="baocao_xa", roles=["agency_reporter"], units=[far], agency=stranger)
    assert not Plan.objects.restrict(far_reporter).exists()

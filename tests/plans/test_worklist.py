"""The plan's work reaching people: the periodic report an agency or a commune owes waits on its
people's home page ("To do") until it is sent, comes back there when returned, and the reports
sent wait on the coordinator's until decided. The period page offers each person the reports of
their own agency and communes."""

import datetime as dt

import pytest
from django.urls import reverse

from tests.factories import UserFactory
from treem.plans import selectors, services
from treem.plans.models import AgencyReport, PeriodKind, ReportingPeriod, ReportStatus


@pytest.fixture
def year(loaded):
    return ReportingPeriod.objects.get(plan=loaded, kind=PeriodKind.YEAR, year=2026)


def kinds(items):
    return [(str(i.kind), i.title, i.href) for i in items]


def fill(user, report, text="Đã triển khai"):
    services.agency_report_save(
        acting_user=user, report=report, rows={r.task_id: {"activities": text} for r in report.rows.all()}
    )


def test_the_report_owed_waits_until_sent_and_comes_back_when_returned(
    loaded, year, reporter, coordinator, geo
):
    day = year.opens_on + dt.timedelta(days=1)
    owed = selectors.reports_owed(reporter, day=day)
    assert [(o.period, o.agency, o.report) for o in owed if o.period == year] == [
        (year, geo.department, None)
    ]
    items = selectors.worklist_items(reporter, day=day)
    mine = [i for i in items if year.label in i.title]
    assert [(str(i.kind), i.href) for i in mine] == [("Periodic report to write", year.get_absolute_url())]
    assert mine[0].due_at.date() == year.due_on
    # Not yet open: nothing asked before the period opens.
    assert not [
        o
        for o in selectors.reports_owed(reporter, day=year.opens_on - dt.timedelta(days=1))
        if o.period == year
    ]

    report = services.agency_report_open(acting_user=reporter, period=year, today=day)
    fill(reporter, report)
    draft = [i for i in selectors.worklist_items(reporter, day=day) if year.label in i.title]
    assert [i.href for i in draft] == [report.get_absolute_url()]  # a draft: back to it
    services.agency_report_submit(acting_user=reporter, report=report)
    assert not [o for o in selectors.reports_owed(reporter, day=day) if o.period == year]
    waiting = [i for i in selectors.worklist_items(coordinator, day=day) if year.label in i.title]
    assert kinds(waiting) == [
        (
            "Periodic reports to accept or return",
            f"{year.label} · {geo.department}",
            report.get_absolute_url(),
        )
    ]

    services.agency_report_return(acting_user=coordinator, report=report, comment="Bổ sung số liệu")
    back = [i for i in selectors.worklist_items(reporter, day=day) if year.label in i.title]
    assert [(str(i.kind), i.href) for i in back] == [
        ("Periodic report to correct", report.get_absolute_url())
    ]
    assert not [i for i in selectors.worklist_items(coordinator, day=day) if year.label in i.title]


def test_several_reports_sent_in_a_period_are_one_item_for_the_coordinator(
    loaded, year, reporter, officer_a, coordinator, geo
):
    day = year.opens_on + dt.timedelta(days=1)
    for user, agency in ((reporter, geo.department), (officer_a, geo.agency_a)):
        report = services.agency_report_open(acting_user=user, period=year, agency=agency, today=day)
        fill(user, report)
        services.agency_report_submit(acting_user=user, report=report)
    waiting = [i for i in selectors.worklist_items(coordinator, day=day) if year.label in i.title]
    assert [(i.title, i.href, i.count) for i in waiting] == [(year.label, year.get_absolute_url(), 2)]
    assert selectors.reports_to_decide(officer_a).count() == 0  # not theirs to decide


def test_a_commune_owes_the_report_of_its_share_and_writes_it_from_the_period_page(
    loaded, year, officer_a, supervisor_a, geo, client
):
    day = year.opens_on + dt.timedelta(days=1)
    for user in (officer_a, supervisor_a):
        owed = [o for o in selectors.reports_owed(user, day=day) if o.period == year]
        assert [(o.agency, o.label) for o in owed] == [(geo.agency_a, f"{year.label} · {geo.commune_a.name}")]
    # The other commune's report is not theirs.
    other = [o.agency for o in selectors.reports_owed(officer_a, day=day)]
    assert geo.agency_b not in other

    client.force_login(supervisor_a)
    page = client.get(year.get_absolute_url())
    assert page.status_code == 200
    assert f'data-testid="my-report-{geo.agency_a.pk}"' in page.content.decode()
    assert f'data-testid="my-report-{geo.agency_b.pk}"' not in page.content.decode()
    response = client.post(reverse("plans:agency_report_open", args=[year.pk]), {"agency": geo.agency_a.pk})
    report = AgencyReport.objects.get(period=year, agency=geo.agency_a)
    assert response.status_code == 302 and response.url == report.get_absolute_url()
    assert {r.task.code for r in report.rows.select_related("task")} == {
        f"IV.14.{x}/{geo.commune_a.code}" for x in "abc"
    }
    # Asking for the other commune's report is refused and writes nothing.
    response = client.post(reverse("plans:agency_report_open", args=[year.pk]), {"agency": geo.agency_b.pk})
    assert response.status_code == 404
    assert not AgencyReport.objects.filter(agency=geo.agency_b).exists()


def test_who_reports_for_nothing_owes_nothing(loaded, year, geo):
    viewer = UserFactory(username="xem", roles=["viewer"], units=[geo.province])
    assert selectors.my_reporting_agencies(viewer) == []
    assert selectors.reports_owed(viewer, day=year.opens_on) == []
    assert selectors.worklist_items(viewer, day=year.opens_on) == []


def test_an_accepted_report_is_owed_no_more(loaded, year, reporter, coordinator, geo):
    day = year.opens_on + dt.timedelta(days=1)
    report = services.agency_report_open(acting_user=reporter, period=year, today=day)
    fill(reporter, report)
    services.agency_report_submit(acting_user=reporter, report=report)
    services.agency_report_accept(acting_user=coordinator, report=report)
    assert report.status == ReportStatus.ACCEPTED
    assert not [o for o in selectors.reports_owed(reporter, day=day) if o.period == year]
    assert not [i for i in selectors.worklist_items(coordinator, day=day) if year.label in i.title]

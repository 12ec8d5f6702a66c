"""Communes as reporting units: a task of every commune's People's Committee (group IV.14) has a
share per commune in force, with its own status, reports and deadline; the commune's chairman
and officers report on it; the coordinator sees which communes reported, by name."""

import datetime as dt

import pytest
from django.urls import reverse

from tests.factories import CommuneFactory
from treem.core.scope import ScopeError
from treem.plans import loader, selectors, services
from treem.plans.models import PeriodKind, ProgressReport, ReportingPeriod, ReportStatus, Task


@pytest.fixture
def year_period(loaded):
    return ReportingPeriod.objects.get(plan=loaded, kind=PeriodKind.YEAR, year=2026)


@pytest.fixture
def share_a(loaded, geo):
    return Task.objects.get(plan=loaded, parent__code="IV.14.a", unit=geo.commune_a)


@pytest.fixture
def share_b(loaded, geo):
    return Task.objects.get(plan=loaded, parent__code="IV.14.a", unit=geo.commune_b)


def test_every_commune_in_force_has_its_own_share(loaded, geo, share_a, share_b, coordinator):
    parent = share_a.parent
    assert {t.unit for t in parent.shares.all()} == {geo.commune_a, geo.commune_b}
    assert share_a.lead_agency == geo.agency_a and share_b.lead_agency == geo.agency_b
    services.task_set_status(acting_user=coordinator, task=share_a, status="in_progress")
    share_b.refresh_from_db()
    assert share_b.status == "not_started"  # each share keeps its own status
    assert share_a.code == "IV.14.a/20001" and share_a.recurrence == parent.recurrence


def test_a_new_commune_gets_its_share_when_the_plan_is_loaded_again(loaded, geo, coordinator):
    new = CommuneFactory(name="Xã Mới", code="20009", parent=geo.province, valid_from=dt.date(2025, 7, 1))
    result = loader.plan_load_file(acting_user=coordinator, path=loader.BUNDLED_PLAN)
    assert result.created == {"commune_shares": 3}
    share = Task.objects.get(plan=loaded, parent__code="IV.14.b", unit=new)
    # Registered as the commune's People's Committee (the register had none), not a duplicate.
    assert share.lead_agency.kind == "commune_pc" and share.lead_agency.unit == new
    assert not loader.plan_load_file(acting_user=coordinator, path=loader.BUNDLED_PLAN).changed


def test_the_commune_chairman_and_officer_see_and_report_on_their_share(
    loaded, geo, share_a, share_b, supervisor_a, officer_a, year_period, client
):
    for user in (supervisor_a, officer_a):
        visible = set(Task.objects.restrict(user))
        assert share_a in visible and share_b not in visible
        assert not any(t.parent_id is None for t in visible)  # the province's tasks are not theirs
    client.force_login(supervisor_a)
    page = client.get(share_a.get_absolute_url()).content.decode()
    assert 'data-testid="report-year-2026-1"' in page
    url = reverse("plans:report_form", args=[share_a.pk, year_period.pk])
    response = client.post(url, {"activities": "Ban hành kế hoạch của xã", "submit": "1"})
    assert response.status_code == 302
    report = ProgressReport.objects.get(task=share_a, period=year_period)
    assert report.agency == geo.agency_a and report.status == ReportStatus.SUBMITTED
    assert client.get(share_b.get_absolute_url()).status_code == 404
    assert client.get(reverse("plans:report_form", args=[share_b.pk, year_period.pk])).status_code == 404
    with pytest.raises(ScopeError):
        services.report_save(acting_user=officer_a, period=year_period, task=share_b, activities="x")
    assert not ProgressReport.objects.filter(task=share_b).exists()


def test_the_coordinator_sees_which_communes_reported_by_name(
    loaded, geo, share_a, officer_a, coordinator, year_period, client
):
    report = services.report_save(
        acting_user=officer_a, period=year_period, task=share_a, activities="Đã triển khai"
    )
    services.report_submit(acting_user=officer_a, report=report)
    rates = {
        r.agency.unit.name: r
        for r in selectors.reporting_rates(user=coordinator, period=year_period, by="commune")
    }
    assert set(rates) == {"Phường An", "Xã Bình"}
    assert (rates["Phường An"].expected, rates["Phường An"].submitted) == (3, 1)
    assert (rates["Xã Bình"].expected, rates["Xã Bình"].submitted) == (3, 0)
    by_agency = selectors.reporting_rates(user=coordinator, period=year_period, by="agency")
    assert not any(r.agency.kind == "commune_pc" for r in by_agency)
    client.force_login(coordinator)
    page = client.get(year_period.get_absolute_url()).content.decode()
    assert 'data-testid="commune-rates"' in page and "Phường An" in page and "Xã Bình" in page
    page = client.get(share_a.parent.get_absolute_url()).content.decode()
    assert 'data-testid="commune-shares"' in page
    shares = {s.commune.name: s for s in selectors.commune_shares(task=share_a.parent, user=coordinator)}
    assert shares["Phường An"].report == report and shares["Xã Bình"].report is None


def test_province_users_without_the_commune_see_no_share(loaded, geo, share_a, reporter, year_period):
    """An agency reporter of the province (units: the province) sees its agency's tasks, never the
    communes' shares, and cannot report for a commune."""
    assert share_a not in set(Task.objects.restrict(reporter))
    assert not services.is_commune_share_of(reporter, share_a)
    with pytest.raises(ScopeError):
        services.report_save(acting_user=reporter, period=year_period, task=share_a, activities="x")

"""One report per agency (or commune) per period, a row per task it leads; draft → submitted →
returned / accepted, each an audited service; task status derived from accepted reports."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from treem.audit.models import AuditEvent
from treem.core.scope import ScopeError
from treem.plans import selectors, services
from treem.plans.models import AgencyReport, PeriodKind, ProgressReport, ReportingPeriod, ReportStatus, Task


@pytest.fixture
def year(loaded):
    return ReportingPeriod.objects.get(plan=loaded, kind=PeriodKind.YEAR, year=2026)


def rows_of(report):
    return {row.task.code: row for row in report.rows.select_related("task")}


def test_one_report_holds_a_row_per_task_the_agency_leads(loaded, year, reporter, geo):
    report = services.agency_report_open(acting_user=reporter, period=year)
    led = Task.objects.filter(plan=loaded, lead_agency=geo.department)
    assert set(rows_of(report)) == set(led.values_list("code", flat=True))
    assert report.status == ReportStatus.DRAFT and report.agency == geo.department
    # Opening again finds the same report.
    assert services.agency_report_open(acting_user=reporter, period=year) == report
    assert AgencyReport.objects.count() == 1


def test_the_reporter_fills_and_submits_one_form_and_the_coordinator_accepts(
    loaded, year, reporter, coordinator, client, geo
):
    client.force_login(reporter)
    response = client.post(reverse("plans:agency_report_open", args=[year.pk]))
    report = AgencyReport.objects.get()
    assert response.status_code == 302 and response["Location"] == report.get_absolute_url()
    data = {"summary": "Năm 2026 đạt kết quả tốt.", "submit": "1"}
    for code, row in rows_of(report).items():
        data[f"row-{row.task_id}-activities"] = f"Đã làm {code}"
        data[f"row-{row.task_id}-task_status"] = "done" if code == "IV.3.b" else "in_progress"
    response = client.post(report.get_absolute_url(), data)
    assert response.status_code == 302
    report.refresh_from_db()
    assert report.status == ReportStatus.SUBMITTED
    assert set(report.rows.values_list("status", flat=True)) == {ReportStatus.SUBMITTED}
    rate = {r.agency: r for r in selectors.reporting_rates(user=coordinator, period=year, by="agency")}[
        geo.department
    ]
    assert rate.submitted == rate.expected == report.rows.count()
    client.force_login(coordinator)
    response = client.post(reverse("plans:agency_report_decide", args=[report.pk]), {"decision": "accept"})
    assert response.status_code == 302
    report.refresh_from_db()
    assert report.status == ReportStatus.ACCEPTED
    # Task status derives from the accepted rows, and reads the same on every page.
    done = Task.objects.get(plan=loaded, code="IV.3.b")
    going = Task.objects.get(plan=loaded, code="IV.3.a")
    assert done.status == "done" and going.status == "in_progress"
    table = {r.code: r.status for r in selectors.task_table(user=coordinator, plan=loaded)}
    assert table["IV.3.b"] == "done" and table["IV.3.a"] == "in_progress"
    assert (
        AuditEvent.objects.filter(action="plans.agency_report.accepted", object_id=str(report.pk)).count()
        == 1
    )
    assert AuditEvent.objects.filter(action="plans.task.status_changed").count() == report.rows.count()


def test_the_coordinator_returns_a_report_with_comments(loaded, year, reporter, coordinator):
    report = services.agency_report_open(acting_user=reporter, period=year)
    services.agency_report_save(
        acting_user=reporter,
        report=report,
        rows={row.task_id: {"activities": "Đã làm"} for row in report.rows.all()},
    )
    services.agency_report_submit(acting_user=reporter, report=report)
    with pytest.raises(ValidationError) as exc:
        services.agency_report_return(acting_user=coordinator, report=report, comment="  ")
    assert exc.value.messages == ["Say what must change before returning the report."]
    report.refresh_from_db()
    assert report.status == ReportStatus.SUBMITTED
    services.agency_report_return(acting_user=coordinator, report=report, comment="Bổ sung số liệu")
    assert set(report.rows.values_list("status", flat=True)) == {ReportStatus.RETURNED}
    # Returned: editable again, and submitted anew.
    services.agency_report_save(acting_user=reporter, report=report, summary="Đã bổ sung")
    services.agency_report_submit(acting_user=reporter, report=report)
    assert report.status == ReportStatus.SUBMITTED


def test_bad_input_is_refused_and_nothing_is_half_written(loaded, year, reporter, coordinator, client):
    report = services.agency_report_open(acting_user=reporter, period=year)
    first, *others = list(report.rows.all())
    before = list(ProgressReport.objects.values_list("pk", "activities", "task_status", "status"))
    with pytest.raises(ValidationError) as exc:
        services.agency_report_save(
            acting_user=reporter,
            report=report,
            rows={first.task_id: {"activities": "Đã làm"}, others[0].task_id: {"task_status": "late"}},
        )
    assert "say whether it is in progress or done" in exc.value.messages[0]
    assert list(ProgressReport.objects.values_list("pk", "activities", "task_status", "status")) == before
    # Submitting with an empty row names it; nothing is submitted.
    services.agency_report_save(
        acting_user=reporter, report=report, rows={first.task_id: {"activities": "Đã làm"}}
    )
    client.force_login(reporter)
    response = client.post(report.get_absolute_url(), {"submit": "1"})
    assert response.status_code == 400
    assert "for every task before submitting" in response.content.decode()
    assert not ProgressReport.objects.filter(status=ReportStatus.SUBMITTED).exists()
    assert AgencyReport.objects.get().status == ReportStatus.DRAFT
    with pytest.raises(ValidationError):
        services.agency_report_accept(acting_user=coordinator, report=report)  # not submitted


def test_others_cannot_open_write_or_decide(loaded, year, reporter, reporter_education, officer_a, geo):
    report = services.agency_report_open(acting_user=reporter, period=year)
    with pytest.raises(ScopeError):
        services.agency_report_open(acting_user=reporter_education, period=year, agency=geo.department)
    assert report not in AgencyReport.objects.restrict(reporter_education)
    assert report not in AgencyReport.objects.restrict(officer_a)
    with pytest.raises(ScopeError):
        services.agency_report_save(acting_user=reporter_education, report=report, summary="x")
    services.agency_report_save(
        acting_user=reporter, report=report, rows={r.task_id: {"activities": "x"} for r in report.rows.all()}
    )
    services.agency_report_submit(acting_user=reporter, report=report)
    with pytest.raises(ScopeError):
        services.agency_report_accept(acting_user=reporter, report=report)


def test_a_commune_reports_for_its_share_and_its_task_moves(loaded, year, officer_a, coordinator, geo):
    report = services.agency_report_open(acting_user=officer_a, period=year, agency=geo.agency_a)
    assert set(rows_of(report)) == {"IV.14.a/20001", "IV.14.b/20001", "IV.14.c/20001"}
    services.agency_report_save(
        acting_user=officer_a,
        report=report,
        rows={r.task_id: {"activities": "Xã đã làm", "task_status": "done"} for r in report.rows.all()},
    )
    services.agency_report_submit(acting_user=officer_a, report=report)
    services.agency_report_accept(acting_user=coordinator, report=report)
    share = Task.objects.get(plan=loaded, code="IV.14.a/20001")
    assert share.status == "done"
    assert share.parent.status == "in_progress"  # the other commune has not reported yet
    rates = {
        r.agency.unit.name: r for r in selectors.reporting_rates(user=coordinator, period=year, by="commune")
    }
    assert (rates["Phường An"].accepted, rates["Xã Bình"].submitted) == (3, 0)

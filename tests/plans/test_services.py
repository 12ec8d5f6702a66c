"""Tasks, reports, reminders, successions and inspections: the rules and their refusals."""

import datetime as dt

import pytest
from django.core import mail
from django.core.exceptions import ValidationError

from tests.factories import AgencyFactory
from treem.accounts.services import agency_succeed
from treem.audit.models import AuditEvent
from treem.core.scope import ScopeError
from treem.plans import selectors, services
from treem.plans.models import (
    PeriodKind,
    ProgressReport,
    Recommendation,
    Reminder,
    ReportStatus,
    Task,
    TaskHistory,
    TaskStatus,
)

from .conftest import quarter


def test_a_task_without_lead_agency_is_refused_and_nothing_written(coordinator, plan):
    events = AuditEvent.objects.count()
    with pytest.raises(ValidationError) as exc:
        services.task_create(
            acting_user=coordinator, plan=plan, code="9", content="Không có cơ quan chủ trì", lead_agency=None
        )
    assert exc.value.message_dict == {"lead_agency": ["A task needs a lead agency (chủ trì): choose one."]}
    assert not Task.objects.exists() and not TaskHistory.objects.exists()
    assert AuditEvent.objects.count() == events


def test_task_creation_is_audited_with_history(task, coordinator):
    assert task.history.get().kind == "created"
    event = AuditEvent.objects.get(action="plans.task.created")
    assert event.unit == task.plan.unit and event.actor == coordinator


def test_task_is_late_past_its_deadline_until_done(task, coordinator):
    task.deadline = dt.date.today() - dt.timedelta(days=1)
    task.save()
    assert task.display_status == TaskStatus.LATE
    services.task_set_status(acting_user=coordinator, task=task, status=TaskStatus.DONE)
    assert task.display_status == TaskStatus.DONE
    with pytest.raises(ValidationError):
        services.task_set_status(acting_user=coordinator, task=task, status=TaskStatus.LATE)


def test_a_report_for_a_period_not_yet_open_is_refused(reporter, task, future_period):
    events = AuditEvent.objects.count()
    with pytest.raises(ValidationError) as exc:
        services.report_save(
            acting_user=reporter, period=future_period, task=task, activities="Đã tổ chức 3 hội nghị"
        )
    opens = future_period.opens_on.strftime("%d/%m/%Y")
    assert exc.value.messages == [
        f"The reporting period Quarter 2/2026 opens on {opens}: reports cannot be written before then."
    ]
    assert not ProgressReport.objects.exists()
    assert AuditEvent.objects.count() == events


def test_report_submitted_returned_corrected_and_accepted(reporter, coordinator, task, open_period):
    report = services.report_save(
        acting_user=reporter, period=open_period, task=task, activities="Tổ chức 5 buổi truyền thông"
    )
    assert report.status == ReportStatus.DRAFT and report.agency == reporter.agency
    services.report_submit(acting_user=reporter, report=report)
    assert report.status == ReportStatus.SUBMITTED and report.on_time
    with pytest.raises(ValidationError):
        services.report_save(acting_user=reporter, period=open_period, task=task, results="sửa sau khi nộp")
    with pytest.raises(ValidationError) as exc:
        services.report_return(acting_user=coordinator, report=report, comment=" ")
    assert exc.value.message_dict == {"comment": ["Say what must change before returning the report."]}
    report.refresh_from_db()
    assert report.status == ReportStatus.SUBMITTED
    services.report_return(acting_user=coordinator, report=report, comment="Bổ sung số liệu")
    assert report.status == ReportStatus.RETURNED
    services.report_save(acting_user=reporter, period=open_period, task=task, figures="1.200 người tham gia")
    services.report_submit(acting_user=reporter, report=ProgressReport.objects.get(pk=report.pk))
    report.refresh_from_db()
    services.report_accept(acting_user=coordinator, report=report)
    report.refresh_from_db()
    assert report.status == ReportStatus.ACCEPTED and report.decided_by == coordinator
    actions = list(
        AuditEvent.objects.filter(action__startswith="plans.report.")
        .order_by("pk")
        .values_list("action", flat=True)
    )
    assert actions == [
        "plans.report.created",
        "plans.report.submitted",
        "plans.report.returned",
        "plans.report.updated",
        "plans.report.submitted",
        "plans.report.accepted",
    ]


def test_a_reporter_does_not_decide_its_own_report_nor_report_for_others(
    reporter, reporter_education, task, open_period, geo
):
    report = services.report_save(acting_user=reporter, period=open_period, task=task, activities="Đã làm")
    services.report_submit(acting_user=reporter, report=report)
    with pytest.raises(ScopeError):
        services.report_accept(acting_user=reporter, report=report)
    with pytest.raises(ScopeError):  # the education reporter cannot write the health department's report
        services.report_save(
            acting_user=reporter_education, period=open_period, task=task, agency=geo.department, results="x"
        )


def test_the_lead_agency_decides_a_cooperating_agencys_report(
    reporter, reporter_education, task, open_period
):
    report = services.report_save(
        acting_user=reporter_education, period=open_period, task=task, activities="Phối hợp tại trường học"
    )
    services.report_submit(acting_user=reporter_education, report=report)
    services.report_accept(acting_user=reporter, report=report)
    assert report.status == ReportStatus.ACCEPTED


def test_an_agency_outside_the_task_cannot_report(coordinator, task, open_period, geo):
    with pytest.raises(ValidationError) as exc:
        services.report_save(
            acting_user=coordinator, period=open_period, task=task, agency=geo.agency_a, activities="x"
        )
    assert exc.value.messages == ["UBND Phường An neither leads nor cooperates in this task."]
    assert not ProgressReport.objects.exists()


def test_submit_needs_content(reporter, task, open_period):
    report = services.report_save(
        acting_user=reporter, period=open_period, task=task, difficulties="Thiếu kinh phí"
    )
    with pytest.raises(ValidationError):
        services.report_submit(acting_user=reporter, report=report)
    report.refresh_from_db()
    assert report.status == ReportStatus.DRAFT and report.submitted_at is None


def test_reporting_rates_count_expected_submitted_and_on_time(coordinator, reporter, plan, task, geo):
    late_period = quarter(
        plan,
        coordinator,
        opens_on=dt.date.today() - dt.timedelta(days=40),
        due_on=dt.date.today() - dt.timedelta(days=5),
    )
    services.task_create(
        acting_user=coordinator,
        plan=plan,
        code="2",
        content="Việc hằng quý khác",
        lead_agency=geo.department,
        recurrence="quarterly",
    )
    services.task_create(
        acting_user=coordinator,
        plan=plan,
        code="3",
        content="Việc hằng năm",
        lead_agency=geo.agency_a,
        recurrence="annual",
    )
    report = services.report_save(acting_user=reporter, period=late_period, task=task, activities="Đã làm")
    services.report_submit(acting_user=reporter, report=report)
    rates = selectors.reporting_rates(user=coordinator, period=late_period)
    assert [(r.agency, r.expected, r.submitted, r.on_time) for r in rates] == [(geo.department, 2, 1, 0)]
    assert (rates[0].completeness, rates[0].timeliness) == (50, 0)
    assert [t.code for t in rates[0].missing] == ["2"]


def test_reminders_are_recorded_once_and_emailed(coordinator, reporter, plan, task, open_period, geo):
    geo.department.email = "soyte@example.vn"
    geo.department.save()
    reporter.email = "baocao@example.vn"
    reporter.save()
    result = services.reminders_record(within_days=7)
    assert [(r.task, r.agency, r.kind) for r in result.recorded] == [
        (task, geo.department, Reminder.DUE_SOON)
    ]
    assert len(mail.outbox) == 1 and set(mail.outbox[0].to) == {"soyte@example.vn", "baocao@example.vn"}
    assert task.code in mail.outbox[0].body
    assert services.reminders_record(within_days=7).recorded == []
    assert len(mail.outbox) == 1
    assert [r.task for r in selectors.my_reminders(reporter)] == [task]


def test_reminders_command(coordinator, task, open_period, capsys):
    from django.core.management import call_command

    call_command("plan_reminders", "--no-email")
    assert "1 reminders recorded" in capsys.readouterr().out
    assert Reminder.objects.count() == 1


def test_pass_tasks_to_a_successor_keeps_history(coordinator, plan, task, geo):
    new = AgencyFactory(name="Sở Y tế mới", kind="department", unit=geo.province)
    other = AgencyFactory(name="Sở Nội vụ", kind="department", unit=geo.province)
    done = services.task_create(
        acting_user=coordinator, plan=plan, code="2", content="Đã xong", lead_agency=geo.department
    )
    services.task_set_status(acting_user=coordinator, task=done, status=TaskStatus.DONE)
    agency_succeed(
        acting_user=coordinator,
        predecessor=geo.department,
        successors=[new, other],
        effective=dt.date(2025, 3, 1),
    )
    with pytest.raises(ValidationError) as exc:
        services.tasks_pass_to_successor(acting_user=coordinator, predecessor=geo.department)
    assert "has several successors" in exc.value.messages[0]
    with pytest.raises(ValidationError):
        services.tasks_pass_to_successor(
            acting_user=coordinator, predecessor=geo.department, successor=geo.agency_a
        )
    assert (
        services.tasks_pass_to_successor(acting_user=coordinator, predecessor=geo.department, successor=new)
        == 1
    )
    task.refresh_from_db()
    done.refresh_from_db()
    assert task.lead_agency == new and done.lead_agency == geo.department
    entry = task.history.get(kind="succession")
    assert (entry.from_agency, entry.to_agency, entry.actor) == (geo.department, new, coordinator)
    assert AuditEvent.objects.filter(action="plans.task.passed_to_successor").count() == 1
    assert services.agencies_with_open_tasks_to_pass(coordinator) == []


def test_inspection_with_recommendations_followed_until_closed(coordinator, geo, plan):
    inspection = services.inspection_create(
        acting_user=coordinator,
        unit=geo.province,
        plan=plan,
        title="Kiểm tra thực hiện quyền trẻ em tại Phường An",
        inspected_unit=geo.commune_a,
        starts_on=dt.date(2026, 5, 4),
    )
    rec = services.recommendation_add(
        acting_user=coordinator,
        inspection=inspection,
        text="Cập nhật cơ sở dữ liệu trẻ em",
        owner=geo.agency_a,
        deadline=dt.date.today() - dt.timedelta(days=1),
    )
    assert rec.is_overdue() and list(selectors.overdue_recommendations(coordinator)) == [rec]
    with pytest.raises(ValidationError):
        services.recommendation_follow_up(
            acting_user=coordinator, recommendation=rec, follow_up="", close=True
        )
    rec.refresh_from_db()
    assert not rec.is_closed
    services.recommendation_follow_up(
        acting_user=coordinator, recommendation=rec, follow_up="Đã cập nhật 120 hồ sơ", close=True
    )
    assert rec.is_closed and not rec.is_overdue()
    assert list(selectors.overdue_recommendations(coordinator)) == []
    with pytest.raises(ValidationError):
        services.inspection_record_findings(
            acting_user=coordinator, inspection=inspection, findings="", status="done"
        )


def test_inspection_needs_a_subject_and_a_recommendation_an_owner(coordinator, geo):
    with pytest.raises(ValidationError) as exc:
        services.inspection_create(
            acting_user=coordinator, unit=geo.province, title="X", starts_on=dt.date(2026, 1, 1)
        )
    assert exc.value.message_dict == {"inspected_agency": ["Name the inspected agency or commune."]}
    inspection = services.inspection_create(
        acting_user=coordinator,
        unit=geo.province,
        title="X",
        inspected_agency=geo.department,
        starts_on=dt.date(2026, 1, 1),
    )
    with pytest.raises(ValidationError):
        services.recommendation_add(
            acting_user=coordinator, inspection=inspection, text="Y", owner=None, deadline=dt.date(2026, 2, 1)
        )
    assert not Recommendation.objects.exists()


def test_selectors_for_the_consolidated_report(loaded, coordinator, reporter):
    from treem.plans.models import ReportingPeriod

    period = ReportingPeriod.objects.get(plan=loaded, kind=PeriodKind.YEAR, year=2025)
    task = Task.objects.get(plan=loaded, code="IV.3.a")
    report = services.report_save(
        acting_user=reporter,
        period=period,
        task=task,
        activities="Tiêm chủng",
        results="98% trẻ được tiêm",
        difficulties="Thiếu nhân lực",
        proposals="Bổ sung biên chế",
    )
    services.report_submit(acting_user=reporter, report=report)
    services.report_accept(acting_user=coordinator, report=report)
    sections = {
        s.section.code: s.reports for s in selectors.results_by_section(user=coordinator, period=period)
    }
    assert sections["IV.3"] == [report] and sections["IV.1"] == []
    concerns = selectors.difficulties_and_proposals(user=coordinator, period=period)
    assert [(c.agency, c.difficulties, c.proposals) for c in concerns] == [
        (reporter.agency, "Thiếu nhân lực", "Bổ sung biên chế")
    ]
    rows = selectors.task_table(user=coordinator, plan=loaded)
    assert len(rows) == 31 and rows[0].code == "IV.1.a" and rows[0].lead_agency == "Sở Y tế"

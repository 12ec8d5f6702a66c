"""The plans app's lines of the access table (tests/core/test_access_matrix.py collects them)."""

from __future__ import annotations

import datetime as dt

import yaml
from django.core.files.uploadedfile import SimpleUploadedFile

from tests.matrix import Endpoint
from treem.plans import services
from treem.plans.models import (
    AgencyReport,
    Inspection,
    PeriodKind,
    Plan,
    PlanAgency,
    ProgressReport,
    Recommendation,
    ReportingPeriod,
    Task,
)

TOKENS = {"a": "Alpha", "b": "Beta", "c": "Gamma"}


def records(side, tag, personas) -> None:
    """A plan of the side's province with two tasks led by its department, an open quarter, a
    submitted report, and an inspection of the side's commune with a recommendation."""
    token = TOKENS[tag]
    user = personas["admin"] if tag == "c" else personas["coordinator"]
    province = side.commune.parent
    today = dt.date.today()
    side.plans_plan = services.plan_create(
        acting_user=user, key=f"KH-{token}", title=f"Kế hoạch {token}", unit=province, number=f"{tag}/KH"
    )
    side.plans_task = services.task_create(
        acting_user=user,
        plan=side.plans_plan,
        code=f"{token}-1",
        content="Truyền thông phòng chống xâm hại",
        lead_agency=side.successor,
        cooperating_agencies=[side.agency],
        recurrence="quarterly",
    )
    side.plans_task2 = services.task_create(
        acting_user=user,
        plan=side.plans_plan,
        code=f"{token}-2",
        content="Tập huấn cán bộ",
        lead_agency=side.successor,
        recurrence="quarterly",
    )
    side.plans_period = services.period_create(
        acting_user=user,
        plan=side.plans_plan,
        kind=PeriodKind.QUARTER,
        year=today.year,
        number={"a": 1, "b": 2, "c": 3}[tag],
        starts_on=today - dt.timedelta(days=60),
        ends_on=today + dt.timedelta(days=20),
        opens_on=today - dt.timedelta(days=10),
        due_on=today + dt.timedelta(days=30),
    )
    side.plans_report = services.report_save(
        acting_user=user,
        period=side.plans_period,
        task=side.plans_task,
        agency=side.successor,
        activities=f"Báo cáo {token}",
    )
    services.report_submit(acting_user=user, report=side.plans_report)
    # The agency's report for the open quarter (a draft holding both its tasks), and for the
    # fourth quarter one already submitted, waiting for the coordinator.
    side.plans_agency_report = services.agency_report_open(
        acting_user=user, period=side.plans_period, agency=side.successor
    )
    side.plans_period_q4 = services.period_create(
        acting_user=user,
        plan=side.plans_plan,
        kind=PeriodKind.QUARTER,
        year=today.year,
        number=4,
        starts_on=today - dt.timedelta(days=60),
        ends_on=today + dt.timedelta(days=20),
        opens_on=today - dt.timedelta(days=10),
        due_on=today + dt.timedelta(days=30),
    )
    side.plans_agency_report_sent = services.agency_report_open(
        acting_user=user, period=side.plans_period_q4, agency=side.successor
    )
    services.agency_report_save(
        acting_user=user,
        report=side.plans_agency_report_sent,
        rows={
            row.task_id: {"activities": f"Quý 4 {token}"} for row in side.plans_agency_report_sent.rows.all()
        },
    )
    services.agency_report_submit(acting_user=user, report=side.plans_agency_report_sent)
    side.plans_named = PlanAgency.objects.create(
        plan=side.plans_plan, code=f"{token}-X", name=f"Ban {token} (chưa rõ)"
    )
    side.plans_inspection = services.inspection_create(
        acting_user=user,
        unit=province,
        title=f"Kiểm tra {token}",
        inspected_unit=side.commune,
        starts_on=dt.date(2026, 3, 2),
    )
    side.plans_recommendation = services.recommendation_add(
        acting_user=user,
        inspection=side.plans_inspection,
        text=f"Kiến nghị {token}",
        owner=side.agency,
        deadline=today + dt.timedelta(days=30),
    )


def marker(obj):
    if isinstance(obj, Plan):
        return obj.title
    if isinstance(obj, Task):
        return obj.code
    if isinstance(obj, ProgressReport):
        return obj.task.code
    if isinstance(obj, ReportingPeriod):
        return obj.label
    if isinstance(obj, Inspection):
        return obj.title
    if isinstance(obj, Recommendation):
        return obj.text
    if isinstance(obj, AgencyReport):
        return obj.agency.name
    return None


def _plan_file(side) -> dict:
    """A small plan for the side's province, naming its department (already registered)."""
    data = {
        "key": "KH-MA-TRAN",
        "title": "Kế hoạch từ tệp",
        "unit_code": side.commune.parent.code,
        "agencies": [{"code": "SO", "name": side.successor.name}],
        "sections": [{"code": "II.1", "title": "Lãnh đạo", "text": "..."}],
        "groups": [
            {
                "code": "IV.1",
                "title": side.successor.name,
                "lead": "SO",
                "tasks": [{"code": "IV.1", "content": "Việc"}],
            }
        ],
    }
    content = yaml.safe_dump(data, allow_unicode=True).encode()
    return {"file": SimpleUploadedFile("ke-hoach.yaml", content, content_type="application/yaml")}


def _period_form(side) -> dict:
    return {
        "kind": "year",
        "year": "2030",
        "number": "1",
        "starts_on": "01/01/2030",
        "ends_on": "31/12/2030",
        "opens_on": "01/12/2030",
        "due_on": "10/01/2031",
    }


def _inspection_form(side) -> dict:
    return {
        "kind": "check",
        "title": "Kiểm tra mới",
        "unit": side.commune.parent.pk,
        "inspected_unit": side.commune.pk,
        "starts_on": "04/05/2026",
    }


C = "coordinator"
# Commune officers and chairmen report on their commune's share of the plans' tasks (issue 12):
# the lines of task and report pages deny the viewer (no task permission) instead, and those of
# periods (which viewers see) the user without a role.
ENDPOINTS = (
    Endpoint("plans:plan_list", permitted=C, denied="no_role_a", shown=lambda side: [side.plans_plan]),
    Endpoint("plans:plan_load", permitted=C, denied="officer_a"),
    Endpoint(
        "plans:plan_load",
        "post",
        permitted=C,
        denied="officer_a",
        data=_plan_file,
        ok=302,
        events=4,  # the plan, the agency it names bound to the register, its task, the load
        out_status=400,  # another province: "not one of your units"
    ),
    Endpoint("plans:plan_detail", permitted=C, denied="no_role_a", record="plans_plan"),
    Endpoint("plans:agency_review", permitted=C, denied="officer_a", record="plans_plan"),
    Endpoint(
        "plans:agency_review",
        "post",
        permitted=C,
        denied="officer_a",
        record="plans_plan",
        data=lambda side: {"named": side.plans_named.pk, "agency": side.agency.pk},
        ok=302,
        events=1,  # the choice (no task waits on the name)
    ),
    Endpoint("plans:period_add", permitted=C, denied="officer_a", record="plans_plan"),
    Endpoint(
        "plans:period_add",
        "post",
        permitted=C,
        denied="officer_a",
        record="plans_plan",
        data=_period_form,
        ok=302,
        events=1,
    ),
    Endpoint("plans:dashboard", permitted=C, denied="no_role_a"),
    Endpoint("plans:task_list", permitted=C, denied="viewer", shown=lambda side: [side.plans_task]),
    Endpoint("plans:task_detail", permitted=C, denied="viewer", record="plans_task"),
    Endpoint(
        "plans:task_status",
        "post",
        permitted=C,
        denied="viewer",
        record="plans_task",
        data=lambda side: {"status": "in_progress"},
        ok=302,
        events=1,
    ),
    Endpoint(
        "plans:report_form",
        permitted=C,
        denied="viewer",
        record="plans_task2",
        kwargs=lambda side: {"pk": side.plans_task2.pk, "period": side.plans_period.pk},
    ),
    Endpoint(
        "plans:report_form",
        "post",
        permitted=C,
        denied="viewer",
        record="plans_task2",
        kwargs=lambda side: {"pk": side.plans_task2.pk, "period": side.plans_period.pk},
        data=lambda side: {"activities": "Đã tổ chức 2 lớp tập huấn"},
        ok=302,
        events=1,
    ),
    Endpoint("plans:pass_tasks", permitted=C, denied="officer_a"),
    Endpoint(
        "plans:pass_tasks",
        "post",
        permitted=C,
        denied="officer_a",
        data=lambda side: {"predecessor": side.agency.pk, "successor": side.successor.pk},
        ok=400,  # these agencies did not merge: the service says so
        out_status=400,  # another province's agencies are not among the choices
    ),
    Endpoint("plans:period_detail", permitted=C, denied="no_role_a", record="plans_period"),
    Endpoint(
        "plans:agency_report_open",
        "post",
        permitted=C,
        denied="viewer",
        record="plans_period",
        data=lambda side: {"agency": side.successor.pk},
        ok=302,  # to the agency's report, already open: nothing written
    ),
    Endpoint("plans:agency_report_detail", permitted=C, denied="viewer", record="plans_agency_report"),
    Endpoint(
        "plans:agency_report_detail",
        "post",
        permitted=C,
        denied="viewer",
        record="plans_agency_report",
        data=lambda side: {"summary": "Đánh giá chung của quý"},
        ok=302,
        events=1,
    ),
    Endpoint(
        "plans:agency_report_decide",
        "post",
        permitted=C,
        denied="viewer",
        record="plans_agency_report_sent",
        data=lambda side: {"decision": "accept"},
        ok=302,
        events=5,  # its two rows, the report, and each task now in progress
    ),
    Endpoint("plans:report_list", permitted=C, denied="viewer", shown=lambda side: [side.plans_report]),
    Endpoint("plans:report_detail", permitted=C, denied="viewer", record="plans_report"),
    Endpoint(
        "plans:report_decide",
        "post",
        permitted=C,
        denied="viewer",
        record="plans_report",
        data=lambda side: {"decision": "accept"},
        ok=302,
        events=2,  # the acceptance, and the task now reads as the report says (in progress)
    ),
    Endpoint(
        "plans:inspection_list", permitted=C, denied="officer_a", shown=lambda side: [side.plans_inspection]
    ),
    Endpoint("plans:inspection_add", permitted=C, denied="officer_a"),
    Endpoint(
        "plans:inspection_add",
        "post",
        permitted=C,
        denied="officer_a",
        data=_inspection_form,
        ok=302,
        events=1,
        out_status=400,  # another province's units are not among the choices
    ),
    Endpoint("plans:inspection_detail", permitted=C, denied="officer_a", record="plans_inspection"),
    Endpoint(
        "plans:inspection_findings",
        "post",
        permitted=C,
        denied="officer_a",
        record="plans_inspection",
        data=lambda side: {"status": "in_progress", "findings": "Thiếu sổ theo dõi"},
        ok=302,
        events=1,
    ),
    Endpoint(
        "plans:recommendation_add",
        "post",
        permitted=C,
        denied="officer_a",
        record="plans_inspection",
        data=lambda side: {"text": "Bổ sung sổ theo dõi", "owner": side.agency.pk, "deadline": "01/12/2030"},
        ok=302,
        events=1,
    ),
    Endpoint(
        "plans:recommendation_follow_up",
        "post",
        permitted=C,
        denied="officer_a",
        record="plans_recommendation",
        data=lambda side: {"follow_up": "Đã bổ sung", "close": "on"},
        ok=302,
        events=1,
    ),
    # --- API (read-only) ---
    Endpoint(
        "api:plan-list", api=True, permitted=C, denied="no_role_a", shown=lambda side: [side.plans_plan]
    ),
    Endpoint("api:plan-detail", api=True, permitted=C, denied="no_role_a", record="plans_plan"),
    Endpoint(
        "api:plantask-list", api=True, permitted=C, denied="no_role_a", shown=lambda side: [side.plans_task]
    ),
    Endpoint("api:plantask-detail", api=True, permitted=C, denied="no_role_a", record="plans_task"),
)

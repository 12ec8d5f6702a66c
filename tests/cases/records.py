"""Reports and cases built through the services, for the case tests and the access matrix."""

from __future__ import annotations

import datetime as dt
import secrets

from django.utils import timezone

from tests.factories import ChildFactory
from treem.cases import services
from treem.cases.models import Case, CaseStep, Report

NARRATIVE = "Cháu bị cha dượng đánh bằng roi mây, có vết bầm ở lưng"


def receive(user, unit, **fields) -> Report:
    data = {
        "channel": "hotline_111",
        "summary": "Trẻ bị đánh",
        "child_name": "Lò Thị Mai",
        "child_sex": "female",
        "child_age": 9,
        "narrative": NARRATIVE,
        "received_at": timezone.now() - dt.timedelta(hours=1),
    }
    data.update(fields)
    return services.report_receive(acting_user=user, unit=unit, **data)


def open_case(worker, commune, *, supervisor=None, child=None, received_at=None, **fields) -> Case:
    """A case about a child of ``commune`` opened from one report, ``worker`` assigned."""
    child = child or ChildFactory(commune=commune, full_name="Lò Thị Mai")
    report = receive(worker, commune, child=child, **({"received_at": received_at} if received_at else {}))
    return services.case_open(acting_user=worker, reports=[report], supervisor=supervisor, **fields)


def to_planning(case: Case, worker) -> Case:
    services.case_verify(acting_user=worker, case=case)
    services.assessment_record(acting_user=worker, case=case, kind="initial", findings="Có dấu hiệu bạo lực")
    services.assessment_record(
        acting_user=worker, case=case, kind="specific", findings="Nguy cơ cao", meeting_minutes="Họp ngày 2"
    )
    return case


def submitted_plan(case: Case, worker) -> Case:
    to_planning(case, worker)
    services.plan_draft(
        acting_user=worker,
        case=case,
        goals="Trẻ an toàn",
        actions="Tư vấn tâm lý; chuyển gửi công an",
        review_on=timezone.localdate() + dt.timedelta(days=30),
    )
    services.plan_submit(acting_user=worker, case=case)
    return case


def at_review(case: Case, worker, supervisor) -> Case:
    submitted_plan(case, worker)
    services.plan_approve(acting_user=supervisor, case=case)
    services.case_step_advance(
        acting_user=worker, case=case, target=CaseStep.objects.get(code="plan_in_progress")
    )
    services.assessment_record(
        acting_user=worker,
        case=case,
        kind="review",
        findings="Trẻ ổn định",
        ratings={
            "harm_severity": "low",
            "abuser_access": "low",
            "care_environment": "low",
            "child_capacity": "medium",
        },
    )
    return case


def case_records(side, *, worker, supervisor=None, tag: str) -> None:
    """For one side of the access matrix: a new case, one with a submitted plan, one at review with
    closing requested, and a report waiting for a case (its child registered), all by ``worker``."""
    side.case = open_case(worker, side.commune, supervisor=supervisor, child=side.child)
    side.case_submitted = submitted_plan(
        open_case(worker, side.commune, supervisor=supervisor, child=side.child), worker
    )
    if supervisor is not None:
        side.case_review = at_review(
            open_case(worker, side.commune, supervisor=supervisor, child=side.child), worker, supervisor
        )
        services.case_close_request(acting_user=worker, case=side.case_review, note="Trẻ đã an toàn")
    side.report = receive(worker, side.commune, child_name=f"Trẻ Báo Tin {tag}")
    side.report_linked = receive(worker, side.commune, child=side.child)


# --- records for the access matrix: built directly, so that they write no audit event ----------


def _report(side, *, child=None, case=None, name="") -> Report:
    from treem.cases.services import _new_tracking_code

    return Report.objects.create(
        unit=side.commune,
        channel="hotline_111",
        received_at=timezone.now() - dt.timedelta(hours=2),
        received_by=side.user,
        tracking_code=_new_tracking_code(),
        summary="Nghi trẻ bị bạo lực",
        child=child,
        child_name=name or (child.full_name if child else ""),
        narrative=NARRATIVE,
        case=case,
    )


def _case(side, step: str, *, supervisor=None, plan: str | None = None, closing: bool = False) -> Case:
    from treem.cases.models import Deadline, Plan

    now = timezone.now()
    case = Case.objects.create(
        number=f"TMP-{secrets.token_hex(6)}",  # the real number needs the primary key
        commune=side.commune,
        child=side.child,
        step=CaseStep.objects.get(code=step),
        supervisor=supervisor,
        opened_at=now - dt.timedelta(hours=1),
        closure_requested_at=now if closing else None,
        closure_requested_by=side.user if closing else None,
        closure_note="Trẻ an toàn" if closing else "",
    )
    case.number = f"2026-{case.pk:06d}"
    case.save(update_fields=["number"])
    case.workers.set([side.user])
    _report(side, child=side.child, case=case)
    Deadline.objects.create(case=case, kind="initial_assessment", due_at=now + dt.timedelta(hours=10))
    if plan:
        Plan.objects.create(
            case=case,
            version=1,
            status=plan,
            goals="Trẻ an toàn",
            actions="Tư vấn tâm lý",
            review_on=timezone.localdate() + dt.timedelta(days=30),
            drafted_by=side.user,
            drafted_at=now,
            submitted_at=now if plan in ("submitted", "approved") else None,
        )
    return case


def matrix_case_records(side, *, tag: str, supervisor=None) -> None:
    """For one side of the access matrix: cases at each step an action starts from (the side's user
    assigned, ``supervisor`` or a new supervisor of the side's commune supervising all but
    ``side.case``), a report waiting for its child and one linked to the side's child."""
    from tests.factories import UserFactory

    side.supervisor = supervisor or UserFactory(
        username=f"chutich_{tag}", roles=["case_supervisor"], units=[side.commune]
    )
    side.case = _case(side, "received")  # no supervisor yet: assigning one is a change
    side.case_verified = _case(side, "verified", supervisor=side.supervisor)
    side.case_drafted = _case(side, "plan_drafted", supervisor=side.supervisor, plan="draft")
    side.case_submitted = _case(side, "plan_drafted", supervisor=side.supervisor, plan="submitted")
    side.case_approved = _case(side, "plan_approved", supervisor=side.supervisor, plan="approved")
    side.case_review = _case(side, "review", supervisor=side.supervisor, plan="approved")
    side.case_closing = _case(side, "review", supervisor=side.supervisor, plan="approved", closing=True)
    side.report = _report(side, name=f"Trẻ Báo Tin {tag}")
    side.report_linked = _report(side, child=side.child)

"""Writes of the case process: the happy path, each refusal with its message, and nothing half-written."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from tests.cases.records import NARRATIVE, at_review, open_case, receive, submitted_plan, to_planning
from tests.factories import ChildFactory, UserFactory
from treem.audit.models import AuditEvent
from treem.cases import services
from treem.cases.deadlines import VIETNAM
from treem.cases.models import (
    Assessment,
    Case,
    CaseAccess,
    CaseEvent,
    CaseStep,
    Deadline,
    HarmKind,
    Note,
    Plan,
    Report,
    RiskRating,
)
from treem.children.models import Child
from treem.core.scope import ScopeError


def counts() -> dict:
    """Everything a refused write must leave as it was."""
    models = (
        Report,
        Case,
        CaseEvent,
        Deadline,
        Assessment,
        RiskRating,
        Plan,
        Note,
        CaseAccess,
        Child,
        AuditEvent,
    )
    return {m.__name__: m.objects.count() for m in models}


def refused(call, field: str | None, message: str):
    """``call`` raises ValidationError with ``message`` (on ``field``) and writes nothing."""
    before = counts()
    with pytest.raises(ValidationError) as info:
        call()
    error = info.value
    text = " ".join(error.message_dict.get(field, [])) if field else " ".join(error.messages)
    assert message in text, error.messages
    assert counts() == before
    return error


def step(case) -> str:
    return Case.objects.get(pk=case.pk).step.code


@pytest.fixture
def officer_a2(geo):
    """Another officer of commune A: in scope, outside the case's group."""
    return UserFactory(username="canbo_a2", roles=["commune_officer"], units=[geo.commune_a])


# --- reports ----------------------------------------------------------------------------------


def test_hotline_receives_a_report_in_the_short_form(geo, hotline):
    report = services.report_receive(
        acting_user=hotline,
        unit=geo.province,
        channel="hotline_18001581",
        summary="Nghi trẻ bị xâm hại",
        child_description="Bé gái khoảng 8 tuổi ở chợ Phường An",
        reporter_anonymous=True,
    )
    assert len(report.tracking_code) == 10 and report.tracking_code.isalnum()
    assert report.received_by == hotline and report.case is None
    assert abs(report.received_at - timezone.now()) < dt.timedelta(seconds=5)
    event = AuditEvent.objects.get(action="cases.report.received")
    assert (event.actor, event.unit, event.object_label) == (hotline, geo.province, str(report))


def test_report_needs_the_childs_name_or_a_description(geo, hotline):
    refused(
        lambda: receive(hotline, geo.province, child_name="", child_description=" "),
        "child_name",
        "Give the child's name, or describe the child",
    )


def test_report_received_in_the_future(geo, hotline):
    refused(
        lambda: receive(hotline, geo.province, received_at=timezone.now() + dt.timedelta(hours=2)),
        "received_at",
        "cannot be in the future",
    )


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"child_age": 19}, "child_age", "A child is under 18"),
        ({"child_age": None, "child_birth_year": 2099}, "child_birth_year", "cannot be in the future"),
        ({"child_age": 3, "child_birth_year": 2012}, "child_age", "contradict each other"),
        ({"summary": "  "}, "summary", "Say in a few words"),
        ({"reporter_anonymous": True, "reporter_name": "Bà Tư"}, "reporter_anonymous", "stays anonymous"),
    ],
)
def test_report_bad_input(geo, hotline, fields, field, message):
    refused(lambda: receive(hotline, geo.province, **fields), field, message)


def test_report_outside_ones_units_or_in_a_village(geo, officer_a):
    before = counts()
    with pytest.raises(ScopeError):
        receive(officer_a, geo.commune_b)
    assert counts() == before
    refused(lambda: receive(officer_a, geo.village_a), "unit", "Choose a commune or a province")


def test_report_completed_later(geo, hotline):
    report = receive(hotline, geo.province, narrative="")
    services.report_update(acting_user=hotline, report=report, narrative=NARRATIVE, place="Chợ An")
    report.refresh_from_db()
    assert (report.narrative, report.place) == (NARRATIVE, "Chợ An")
    assert AuditEvent.objects.get(action="cases.report.updated").changes["narrative"] == ["", "••••"]


def test_register_the_reported_child(geo, officer_a):
    report = receive(officer_a, geo.commune_a, child_name="Hà  Văn  Tùng", child_age=7, child_sex="male")
    before = AuditEvent.objects.count()
    child = services.report_create_child(acting_user=officer_a, report=report, commune=geo.commune_a)
    assert (child.full_name, child.birth_year, child.sex) == (
        "Hà Văn Tùng",
        timezone.localdate().year - 7,
        "male",
    )
    assert Report.objects.get(pk=report.pk).child == child
    assert AuditEvent.objects.count() == before + 2  # the child registered, the report linked


def test_register_the_reported_child_with_unknown_age(geo, officer_a):
    report = receive(officer_a, geo.commune_a, child_age=None)
    refused(
        lambda: services.report_create_child(acting_user=officer_a, report=report, commune=geo.commune_a),
        "birth_year",
        "The child's age is unknown",
    )


def test_register_the_reported_child_without_a_name(geo, officer_a):
    report = receive(officer_a, geo.commune_a, child_name="", child_description="Bé trai ở bến xe")
    refused(
        lambda: services.report_create_child(acting_user=officer_a, report=report, commune=geo.commune_a),
        "full_name",
        "name is not known yet",
    )


def test_link_a_report_to_a_child_of_another_commune(geo, officer_a):
    report = receive(officer_a, geo.commune_a)
    other = ChildFactory(commune=geo.commune_b)
    before = counts()
    with pytest.raises(ScopeError):
        services.report_link_child(acting_user=officer_a, report=report, child=other)
    assert counts() == before


# --- opening a case ---------------------------------------------------------------------------


def test_case_open_with_its_deadlines(geo, officer_a, supervisor_a, child_a):
    received = dt.datetime(2026, 2, 13, 10, 0, tzinfo=VIETNAM)  # a Friday before Tết 2026
    first = receive(officer_a, geo.commune_a, child=child_a, received_at=received)
    second = receive(officer_a, geo.commune_a, child=child_a, received_at=received + dt.timedelta(hours=3))
    harm = HarmKind.objects.get(code="indecency")
    case = services.case_open(
        acting_user=officer_a, reports=[second, first], supervisor=supervisor_a, harm_kinds=[harm]
    )
    assert case.number.endswith(f"-{case.pk:06d}") and case.step.code == "received" and case.status == "open"
    assert set(case.reports.all()) == {first, second}
    assert list(case.workers.all()) == [officer_a] and case.child == child_a and case.commune == geo.commune_a
    assert str(harm) == "Xâm hại tình dục trẻ em: Dâm ô"
    deadlines = {d.kind: d.due_at for d in case.deadlines.all()}
    assert deadlines["initial_assessment"] == received + dt.timedelta(hours=12)  # from the first report
    assert deadlines["plan"].astimezone(VIETNAM).date() == dt.date(2026, 2, 27)  # 5 working days across Tết
    event = AuditEvent.objects.get(action="cases.case.opened")
    assert event.object_label == case.number and event.unit == geo.commune_a
    assert sorted(event.changes["reports"][1]) == sorted([first.tracking_code, second.tracking_code])


def test_case_deadline_uses_a_local_make_up_day(geo, officer_a, child_a):
    from treem.cases.models import CalendarOverride

    CalendarOverride.objects.create(day=dt.date(2026, 1, 10), kind="working_day", unit=geo.province)
    CalendarOverride.objects.create(day=dt.date(2026, 1, 12), kind="day_off", unit=geo.commune_b)  # not ours
    case = open_case(
        officer_a, geo.commune_a, child=child_a, received_at=dt.datetime(2026, 1, 8, 9, tzinfo=VIETNAM)
    )
    plan = case.deadlines.get(kind="plan")
    assert plan.due_at.astimezone(VIETNAM).date() == dt.date(2026, 1, 14)


def test_case_open_refusals(geo, officer_a, officer_b, child_a):
    unlinked = receive(officer_a, geo.commune_a)
    refused(lambda: services.case_open(acting_user=officer_a, reports=[]), "reports", "at least one report")
    refused(
        lambda: services.case_open(acting_user=officer_a, reports=[unlinked]), "reports", "Link each report"
    )
    other_child = ChildFactory(commune=geo.commune_a)
    first = receive(officer_a, geo.commune_a, child=child_a)
    second = receive(officer_a, geo.commune_a, child=other_child)
    refused(
        lambda: services.case_open(acting_user=officer_a, reports=[first, second]),
        "reports",
        "different children",
    )
    refused(
        lambda: services.case_open(acting_user=officer_a, reports=[first], supervisor=officer_a),
        "supervisor",
        "cannot supervise cases of Phường An",
    )
    refused(
        lambda: services.case_open(acting_user=officer_a, reports=[first], workers=[officer_b]),
        "workers",
        "cannot work on cases of Phường An",
    )
    services.case_open(acting_user=officer_a, reports=[first])
    refused(
        lambda: services.case_open(acting_user=officer_a, reports=[first]), "reports", "already part of case"
    )


def test_a_later_report_joins_the_case(geo, officer_a, child_a):
    case = open_case(officer_a, geo.commune_a, child=child_a)
    later = receive(officer_a, geo.commune_a, child=child_a)
    services.case_add_report(acting_user=officer_a, case=case, report=later)
    assert case.reports.count() == 2
    stranger = receive(officer_a, geo.commune_a, child=ChildFactory(commune=geo.commune_a))
    refused(
        lambda: services.case_add_report(acting_user=officer_a, case=case, report=stranger),
        "report",
        "Link the report to the case's child first",
    )


# --- the process ------------------------------------------------------------------------------


def test_the_whole_process_with_a_returned_plan(geo, officer_a, supervisor_a, child_a):
    case = open_case(officer_a, geo.commune_a, supervisor=supervisor_a, child=child_a)
    services.case_verify(acting_user=officer_a, case=case)
    initial = services.assessment_record(
        acting_user=officer_a,
        case=case,
        kind="initial",
        findings="Vết bầm ở lưng",
        medical_findings="Bầm tím độ 1",
        ratings={"harm_severity": "high"},
        protection_level="intervention",
    )
    assert case.deadlines.get(kind="initial_assessment").met_at == initial.assessed_at
    assert Case.objects.get(pk=case.pk).protection_level == "intervention"
    assert initial.ratings.get().level == "high"
    services.assessment_record(
        acting_user=officer_a, case=case, kind="specific", findings="Nguy cơ cao", meeting_minutes="Họp 5 bên"
    )
    review_on = timezone.localdate() + dt.timedelta(days=45)
    services.plan_draft(
        acting_user=officer_a, case=case, goals="An toàn", actions="Tư vấn", review_on=review_on
    )
    services.plan_submit(acting_user=officer_a, case=case)
    assert case.deadlines.get(kind="plan").met_at is not None
    refused(
        lambda: services.plan_reject(acting_user=supervisor_a, case=case, comments=""), "comments", "Say why"
    )
    services.plan_reject(acting_user=supervisor_a, case=case, comments="Thiếu nơi tạm lánh")
    assert step(case) == "plan_drafted"  # back to planning
    returned = case.plans.get(version=1)
    assert (returned.status, returned.decision_comments) == ("rejected", "Thiếu nơi tạm lánh")
    services.plan_draft(
        acting_user=officer_a, case=case, goals="An toàn", actions="Tư vấn; nhà tạm lánh", review_on=review_on
    )
    assert case.plans.count() == 2
    services.plan_submit(acting_user=officer_a, case=case)
    services.plan_approve(acting_user=supervisor_a, case=case, comments="Đồng ý")
    assert step(case) == "plan_approved"
    review = case.deadlines.get(kind="review")
    assert review.due_at.astimezone(VIETNAM).date() == review_on
    services.case_step_advance(
        acting_user=officer_a, case=case, target=CaseStep.objects.get(code="plan_in_progress")
    )
    ratings = {
        "harm_severity": "low",
        "abuser_access": "low",
        "care_environment": "medium",
        "child_capacity": "low",
    }
    services.assessment_record(
        acting_user=officer_a, case=case, kind="review", findings="Ổn định", ratings=ratings
    )
    assert case.deadlines.get(kind="review").met_at is not None
    services.case_close_request(acting_user=officer_a, case=case, note="Trẻ an toàn, ổn định")
    services.case_close(acting_user=supervisor_a, case=case, comments="Đồng ý đóng")
    case.refresh_from_db()
    assert (case.status, case.step.code) == ("closed", "closed") and case.closed_at is not None
    kinds = list(case.events.values_list("kind", flat=True))
    assert kinds[0] == "opened" and kinds[-1] == "closed" and "plan_rejected" in kinds
    for event in case.events.all():  # the timeline says what happened, never the content
        assert "Thiếu nơi" not in event.message and "bầm" not in event.message


def test_steps_move_only_along_the_transitions(geo, officer_a, supervisor_a, child_a):
    case = open_case(officer_a, geo.commune_a, supervisor=supervisor_a, child=child_a)
    refused(
        lambda: services.assessment_record(
            acting_user=officer_a, case=case, kind="specific", findings="x", meeting_minutes="y"
        ),
        "step",
        "cannot move to “Đánh giá cụ thể, họp trường hợp” from there",
    )
    services.case_verify(acting_user=officer_a, case=case)
    refused(lambda: services.case_verify(acting_user=officer_a, case=case), "step", "cannot move to")
    assert case.step.code == "verified"  # a refusal leaves the object as it was too
    refused(
        lambda: services.case_step_advance(
            acting_user=officer_a, case=case, target=CaseStep.objects.get(code="closed")
        ),
        "step",
        "cannot move to “Đóng hồ sơ”",
    )
    refused(lambda: services.plan_submit(acting_user=officer_a, case=case), None, "no drafted plan")
    refused(lambda: services.plan_approve(acting_user=supervisor_a, case=case), None, "No plan is waiting")
    refused(
        lambda: services.case_close_request(acting_user=officer_a, case=case, note="x"),
        None,
        "cannot be closed",
    )


def test_assessment_bad_input(geo, officer_a, supervisor_a, child_a):
    case = open_case(officer_a, geo.commune_a, supervisor=supervisor_a, child=child_a)
    services.case_verify(acting_user=officer_a, case=case)
    refused(
        lambda: services.assessment_record(acting_user=officer_a, case=case, kind="initial", findings=" "),
        "findings",
        "Write down what the assessment found",
    )
    refused(
        lambda: services.assessment_record(
            acting_user=officer_a,
            case=case,
            kind="initial",
            findings="x",
            assessed_at=case.reports.get().received_at - dt.timedelta(hours=1),
        ),
        "assessed_at",
        "cannot be before the time the report was received",
    )
    refused(
        lambda: services.assessment_record(
            acting_user=officer_a, case=case, kind="initial", findings="x", ratings={"luck": "high"}
        ),
        "ratings",
        "Unknown risk factor: luck",
    )
    services.assessment_record(acting_user=officer_a, case=case, kind="initial", findings="x")
    refused(
        lambda: services.assessment_record(acting_user=officer_a, case=case, kind="specific", findings="x"),
        "meeting_minutes",
        "write its minutes",
    )


def test_plan_bad_input(geo, officer_a, supervisor_a, child_a):
    case = to_planning(open_case(officer_a, geo.commune_a, supervisor=supervisor_a, child=child_a), officer_a)
    refused(
        lambda: services.plan_draft(
            acting_user=officer_a, case=case, goals="x", actions="y", review_on=timezone.localdate()
        ),
        "review_on",
        "must be after today",
    )
    refused(
        lambda: services.plan_draft(
            acting_user=officer_a,
            case=case,
            goals="",
            actions="y",
            review_on=timezone.localdate() + dt.timedelta(1),
        ),
        "goals",
        "Write the plan's goals",
    )


def test_only_the_supervisor_approves(geo, officer_a, supervisor_a, child_a):
    other_supervisor = UserFactory(username="chutich_a2", roles=["case_supervisor"], units=[geo.commune_a])
    case = submitted_plan(
        open_case(officer_a, geo.commune_a, supervisor=supervisor_a, child=child_a), officer_a
    )
    refused(
        lambda: services.plan_approve(acting_user=other_supervisor, case=case), None, "Only the supervisor"
    )
    before = counts()
    with pytest.raises(ScopeError):  # a worker holds no approval right at all
        services.plan_approve(acting_user=officer_a, case=case)
    assert counts() == before


def test_plan_submit_needs_a_supervisor(geo, officer_a, child_a):
    case = to_planning(open_case(officer_a, geo.commune_a, child=child_a), officer_a)
    services.plan_draft(
        acting_user=officer_a,
        case=case,
        goals="x",
        actions="y",
        review_on=timezone.localdate() + dt.timedelta(9),
    )
    refused(
        lambda: services.plan_submit(acting_user=officer_a, case=case),
        "supervisor",
        "Assign the case's supervisor",
    )


def test_closing_needs_the_supervisor_and_sensible_dates(geo, officer_a, supervisor_a, child_a):
    case = at_review(
        open_case(officer_a, geo.commune_a, supervisor=supervisor_a, child=child_a), officer_a, supervisor_a
    )
    refused(lambda: services.case_close(acting_user=supervisor_a, case=case), None, "No worker has asked")
    refused(lambda: services.case_close_request(acting_user=officer_a, case=case, note=""), "note", "Say why")
    services.case_close_request(acting_user=officer_a, case=case, note="Trẻ an toàn")
    refused(
        lambda: services.case_close(
            acting_user=supervisor_a, case=case, closed_at=case.opened_at - dt.timedelta(days=1)
        ),
        "closed_at",
        "cannot be before the opening of the case",
    )
    refused(
        lambda: services.case_close(
            acting_user=supervisor_a, case=case, closed_at=timezone.now() + dt.timedelta(days=2)
        ),
        "closed_at",
        "cannot be in the future",
    )
    before = counts()
    with pytest.raises(ScopeError):
        services.case_close(acting_user=officer_a, case=case)
    assert counts() == before
    refused(
        lambda: services.case_close_reject(acting_user=supervisor_a, case=case, comments=""),
        "comments",
        "Say why",
    )
    services.case_close_reject(acting_user=supervisor_a, case=case, comments="Cần theo dõi thêm")
    assert Case.objects.get(pk=case.pk).closure_requested_at is None
    services.case_close_request(acting_user=officer_a, case=case, note="Đã theo dõi thêm")
    services.case_close(acting_user=supervisor_a, case=case)
    refused(lambda: services.case_verify(acting_user=officer_a, case=case), None, "is closed")


def test_only_assigned_workers_act(geo, officer_a, officer_a2, officer_b, supervisor_a, child_a):
    case = open_case(officer_a, geo.commune_a, supervisor=supervisor_a, child=child_a)
    refused(
        lambda: services.case_verify(acting_user=officer_a2, case=case), None, "Only the workers assigned"
    )
    refused(
        lambda: services.note_add(acting_user=officer_a2, case=case, text="x"), None, "Only the workers and"
    )
    before = counts()
    with pytest.raises(ScopeError):
        services.case_verify(acting_user=officer_b, case=case)
    assert counts() == before
    services.case_assign(acting_user=supervisor_a, case=case, workers=[officer_a, officer_a2])
    services.case_verify(acting_user=officer_a2, case=case)
    event = AuditEvent.objects.get(action="cases.case.assigned")
    assert event.changes["workers"] == [["canbo_a"], ["canbo_a", "canbo_a2"]]
    refused(
        lambda: services.case_assign(acting_user=officer_a, case=case, workers=[]), "workers", "at least one"
    )


def test_share_a_case(geo, officer_a, officer_a2, officer_b, supervisor_a, child_a):
    case = open_case(officer_a, geo.commune_a, supervisor=supervisor_a, child=child_a)
    refused(
        lambda: services.case_share(acting_user=officer_a, case=case, user=officer_a2, reason="xem"),
        "reason",
        "Say why",
    )
    refused(
        lambda: services.case_share(
            acting_user=officer_a, case=case, user=officer_b, reason="Phối hợp xác minh"
        ),
        "user",
        "cannot see cases of Phường An",
    )
    services.case_share(acting_user=officer_a, case=case, user=officer_a2, reason="Phối hợp xác minh")
    assert AuditEvent.objects.get(action="cases.case.shared").reason == "Phối hợp xác minh"
    refused(
        lambda: services.case_share(
            acting_user=officer_a, case=case, user=officer_a2, reason="Phối hợp lần hai"
        ),
        "user",
        "already sees this case",
    )
    # Shared users read; they do not act.
    refused(
        lambda: services.case_verify(acting_user=officer_a2, case=case), None, "Only the workers assigned"
    )


def test_break_the_glass(geo, officer_a, officer_a2, supervisor_a, child_a, settings):
    case = open_case(officer_a, geo.commune_a, supervisor=supervisor_a, child=child_a)
    refused(
        lambda: services.case_break_glass(acting_user=officer_a, case=case, reason="Cần xem gấp hồ sơ"),
        None,
        "already",
    )
    refused(
        lambda: services.case_break_glass(acting_user=officer_a2, case=case, reason="xem"),
        "reason",
        "at least 10",
    )
    grant = services.case_break_glass(
        acting_user=officer_a2, case=case, reason="Trẻ đến trạm y tế lúc nửa đêm"
    )
    assert grant.expires_at - grant.opened_at == dt.timedelta(hours=settings.TREEM_CASE_GLASS_HOURS)
    event = AuditEvent.objects.get(action="cases.case.glass_broken")
    assert (event.actor, event.reason, event.unit) == (
        officer_a2,
        "Trẻ đến trạm y tế lúc nửa đêm",
        geo.commune_a,
    )
    assert case.events.filter(kind="glass_broken").exists()  # on the timeline the supervisor reads

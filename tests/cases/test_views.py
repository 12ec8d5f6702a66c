"""Case pages: hotline intake, reports, linking the child, opening a case, the step actions."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from tests.cases.records import open_case, receive, submitted_plan
from treem.audit.models import AuditEvent
from treem.cases.models import Case, Report
from treem.children.models import Child


def test_hotline_intake_page(client, geo, hotline):
    client.force_login(hotline)
    response = client.get(reverse("cases:report_add"))
    assert response.status_code == 200
    assert response.context["form"].fields["channel"].initial == "hotline_18001581"
    response = client.post(
        reverse("cases:report_add"),
        {
            "channel": "hotline_18001581",
            "unit": geo.province.pk,
            "summary": "Trẻ bị bỏ đói",
            "child_sex": "unknown",
            "child_description": "Bé trai khoảng 5 tuổi, nhà cạnh chợ",
            "reporter_anonymous": "on",
        },
    )
    report = Report.objects.get()
    assert response.status_code == 302 and response["Location"] == report.get_absolute_url()
    page = client.get(response["Location"])
    assert report.tracking_code in page.content.decode()


def test_hotline_intake_refusals_keep_the_typed_text(client, geo, hotline):
    client.force_login(hotline)
    before = AuditEvent.objects.count()
    response = client.post(
        reverse("cases:report_add"),
        {"channel": "hotline_111", "unit": geo.province.pk, "summary": "Nghi bạo lực", "child_sex": "unknown",
         "narrative": "Hàng xóm nghe tiếng khóc"},
    )  # fmt: skip
    assert response.status_code == 400
    text = response.content.decode()
    assert "Give the child&#x27;s name, or describe the child" in text and "Hàng xóm nghe tiếng khóc" in text
    assert Report.objects.count() == 0 and AuditEvent.objects.count() == before


def test_link_register_and_open_from_the_report_page(client, geo, officer_a, supervisor_a, child_a):
    client.force_login(officer_a)
    form = client.get(reverse("cases:report_add")).context["form"]
    assert form.fields["unit"].initial == geo.commune_a.pk  # one unit: chosen already
    report = receive(officer_a, geo.commune_a, child_name="Lò Thị Mai")
    page = client.get(report.get_absolute_url(), {"q": "lo thi mai"})
    assert child_a in page.context["matches"]
    response = client.post(reverse("cases:report_link_child", args=[report.pk]), {"child": child_a.pk})
    assert response.status_code == 302
    assert Report.objects.get(pk=report.pk).child == child_a
    response = client.post(
        reverse("cases:case_open", args=[report.pk]),
        {"open-supervisor": supervisor_a.pk, "open-protection_level": "intervention", "open-harm_kinds": []},
    )
    case = Case.objects.get()
    assert response.status_code == 302 and response["Location"] == case.get_absolute_url()
    assert case.supervisor == supervisor_a and list(case.workers.all()) == [officer_a]


def test_register_the_child_from_the_report_page_unknown_age(client, geo, officer_a):
    client.force_login(officer_a)
    report = receive(officer_a, geo.commune_a, child_name="Hà Văn Tùng", child_age=None)
    before = AuditEvent.objects.count()
    response = client.post(
        reverse("cases:report_create_child", args=[report.pk]),
        {"child-commune": geo.commune_a.pk, "child-full_name": "Hà Văn Tùng", "child-sex": "male"},
    )
    assert response.status_code == 400
    assert "The child&#x27;s age is unknown" in response.content.decode()
    assert not Child.objects.filter(full_name="Hà Văn Tùng").exists()
    assert AuditEvent.objects.count() == before  # the page shown again: nothing written
    response = client.post(
        reverse("cases:report_create_child", args=[report.pk]),
        {"child-commune": geo.commune_a.pk, "child-full_name": "Hà Văn Tùng", "child-sex": "male",
         "child-birth_year": "2017"},
    )  # fmt: skip
    assert response.status_code == 302
    assert Report.objects.get(pk=report.pk).child.full_name == "Hà Văn Tùng"


def test_walk_a_case_through_the_pages(client, geo, officer_a, supervisor_a, child_a):
    case = open_case(officer_a, geo.commune_a, supervisor=supervisor_a, child=child_a)
    client.force_login(officer_a)

    def post(name, data, user=officer_a):
        client.force_login(user)
        response = client.post(reverse(name, args=[case.pk]), data)
        assert response.status_code == 302, response.content.decode()[:3000]
        return Case.objects.get(pk=case.pk)

    assert "verify_form" in client.get(case.get_absolute_url()).context
    assert post("cases:case_verify", {"verify-note": "Đã gọi lại người báo"}).step.code == "verified"
    initial = {"assess-kind": "initial", "assess-findings": "Bầm lưng", "assess-risk_harm_severity": "high"}
    assert post("cases:case_assess", initial).step.code == "initial_assessment"
    specific = {
        "assess-kind": "specific",
        "assess-findings": "Nguy cơ",
        "assess-meeting_minutes": "Họp 5 bên",
    }
    assert post("cases:case_assess", specific).step.code == "specific_assessment"
    review_on = (timezone.localdate() + dt.timedelta(days=30)).strftime("%d/%m/%Y")
    assert post("cases:case_plan", {"plan-goals": "An toàn", "plan-actions": "Tư vấn",
                                    "plan-review_on": review_on}).step.code == "plan_drafted"  # fmt: skip
    post("cases:case_plan_submit", {})
    post(
        "cases:case_plan_decide",
        {"decide-decision": "reject", "decide-comments": "Thêm nơi tạm lánh"},
        supervisor_a,
    )
    post(
        "cases:case_plan",
        {"plan-goals": "An toàn", "plan-actions": "Tư vấn; tạm lánh", "plan-review_on": review_on},
    )
    post("cases:case_plan_submit", {})
    assert (
        post("cases:case_plan_decide", {"decide-decision": "approve"}, supervisor_a).step.code
        == "plan_approved"
    )
    client.force_login(officer_a)
    page = client.get(case.get_absolute_url())
    transition = page.context["advance_form"].fields["target"].queryset.get()
    assert post("cases:case_advance", {"advance-target": transition.pk}).step.code == "plan_in_progress"
    ratings = {
        f"assess-risk_{code}": "low"
        for code in ("harm_severity", "abuser_access", "care_environment", "child_capacity")
    }
    assert (
        post(
            "cases:case_assess", {"assess-kind": "review", "assess-findings": "Ổn định", **ratings}
        ).step.code
        == "review"
    )
    post("cases:note_add", {"note-text": "Gia đình hợp tác"})
    post("cases:case_close_request", {"close-note": "Trẻ an toàn"})
    closed = post("cases:case_close_decide", {"closedecide-decision": "approve"}, supervisor_a)
    assert closed.status == "closed"
    page = client.get(case.get_absolute_url()).content.decode()
    assert "Thêm nơi tạm lánh" in page and "Gia đình hợp tác" in page


def test_a_refused_action_shows_the_message_and_writes_nothing(client, geo, officer_a, supervisor_a, child_a):
    case = submitted_plan(
        open_case(officer_a, geo.commune_a, supervisor=supervisor_a, child=child_a), officer_a
    )
    client.force_login(supervisor_a)
    before = AuditEvent.objects.count()
    response = client.post(
        reverse("cases:case_plan_decide", args=[case.pk]),
        {"decide-decision": "reject", "decide-comments": ""},
    )
    assert response.status_code == 400
    assert "Say why the plan is returned" in response.content.decode()
    assert Case.objects.get(pk=case.pk).plans.get().status == "submitted"
    assert AuditEvent.objects.count() == before


def test_case_list_views(client, geo, officer_a, supervisor_a, child_a):
    old = timezone.now() - dt.timedelta(days=20)
    late = open_case(officer_a, geo.commune_a, supervisor=supervisor_a, child=child_a, received_at=old)
    client.force_login(officer_a)
    mine = client.get(reverse("cases:case_list"))
    assert late in mine.context["object_list"] and mine.context["overdue"] == 1
    overdue = client.get(reverse("cases:case_list"), {"show": "overdue"})
    assert list(overdue.context["object_list"]) == [late]
    assert list(client.get(reverse("cases:case_list"), {"show": "due_soon"}).context["object_list"]) == []
    page = client.get(late.get_absolute_url())
    assert [state for _d, state in page.context["deadlines"]] == ["overdue", "overdue"]


@pytest.mark.parametrize(
    "name", ["cases:case_list", "cases:report_list", "cases:report_add", "cases:glass_list"]
)
def test_pages_refuse_users_without_the_permission(client, geo, viewer, name):
    client.force_login(viewer)
    assert client.get(reverse(name)).status_code == 403


def test_due_soon_and_configured_deadlines(client, geo, officer_a, supervisor_a, child_a, settings):
    from treem.cases import selectors

    settings.TREEM_CASE_DEADLINES = {"initial_assessment": {"hours": 24}, "plan": {"working_days": 3}}
    received = timezone.now() - dt.timedelta(hours=1)
    case = open_case(officer_a, geo.commune_a, supervisor=supervisor_a, child=child_a, received_at=received)
    assert case.deadlines.get(kind="initial_assessment").due_at == received + dt.timedelta(hours=24)
    assert list(selectors.due_soon_deadlines(user=officer_a)) == [
        case.deadlines.get(kind="initial_assessment")
    ]
    assert list(selectors.overdue_deadlines(user=officer_a)) == []
    assert list(selectors.due_soon_deadlines(user=supervisor_a)) != []  # the supervisor's scope
    client.force_login(officer_a)
    assert list(client.get(reverse("cases:case_list"), {"show": "due_soon"}).context["object_list"]) == [case]


@pytest.mark.django_db
def test_a_deadline_met_late_reads_overdue_on_the_case_page(client, geo, worker_a, supervisor_a):
    """An initial assessment recorded days after its 12 hours ran out is not "met in time"."""
    from treem.cases import services

    late = open_case(
        worker_a, geo.commune_a, supervisor=supervisor_a, received_at=timezone.now() - dt.timedelta(days=5)
    )
    services.case_verify(acting_user=worker_a, case=late)
    services.assessment_record(acting_user=worker_a, case=late, kind="initial", findings="Đã gặp trẻ")
    fresh = open_case(worker_a, geo.commune_a, supervisor=supervisor_a)
    services.case_verify(acting_user=worker_a, case=fresh)
    services.assessment_record(acting_user=worker_a, case=fresh, kind="initial", findings="Đã gặp trẻ")
    client.force_login(worker_a)
    text = client.get(late.get_absolute_url()).content.decode()
    assert 'data-state="met_late"' in text and "overdue (met late)" in text
    assert 'data-state="met"' not in text
    text = client.get(fresh.get_absolute_url()).content.decode()
    assert 'data-state="met"' in text and "met in time" in text and "met_late" not in text


@pytest.mark.django_db
def test_the_case_list_says_who_the_case_waits_for(client, geo, worker_a, supervisor_a):
    case = open_case(worker_a, geo.commune_a, supervisor=supervisor_a)
    client.force_login(worker_a)

    def waiting() -> str:
        page = client.get(reverse("cases:case_list"))
        return next(c for c in page.context["object_list"] if c.pk == case.pk), page.content.decode()

    _case, text = waiting()
    assert "The case workers" in text
    submitted_plan(case, worker_a)
    found, text = waiting()
    assert found.plan_waiting and f"{supervisor_a}: approve the plan" in text


def test_the_case_page_warns_of_records_that_contradict_each_other(client, geo, officer_a, supervisor_a):
    """Emergency measures recorded on a case not marked as an emergency (the forms would print
    "urgent protection: No"), and a child born after the report was received: both shown to the
    case's group, until the records agree."""
    from django.utils import translation
    from django.utils.translation import gettext

    from tests.factories import ChildFactory
    from treem.cases import services

    received = timezone.now() - dt.timedelta(days=3)
    child = ChildFactory(
        commune=geo.commune_a,
        full_name="Lò Thị Mai",
        birth_date=timezone.localdate() - dt.timedelta(days=1),  # typed wrongly: after the report
        birth_year=timezone.localdate().year,
    )
    case = open_case(officer_a, geo.commune_a, supervisor=supervisor_a, child=child, received_at=received)
    services.case_verify(acting_user=officer_a, case=case)
    services.assessment_record(
        acting_user=officer_a,
        case=case,
        kind="initial",
        findings="Bầm tím",
        emergency_measures="Đưa trẻ đến nhà bà ngoại ngay trong đêm",
    )
    client.force_login(officer_a)
    with translation.override("vi"):
        page = client.get(case.get_absolute_url()).content.decode()
        label = gettext("Initial assessment (Mẫu 02)")
    warnings = page.split('data-testid="case-warnings"')[1].split("</div>")[0]
    assert warnings.count("<li>") == 2
    assert label in warnings and case.reports.get().tracking_code in warnings

    Case.objects.filter(pk=case.pk).update(emergency=True)
    child.birth_date = dt.date(2016, 5, 1)
    child.birth_year = 2016
    child.save()
    assert 'data-testid="case-warnings"' not in client.get(case.get_absolute_url()).content.decode()

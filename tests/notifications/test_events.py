"""The table of events → recipients, event by event: each state change that asks someone to act
tells exactly the right people (not the actor, not another commune, not outside the case's group),
in a sentence without the case's content or the child's name, by e-mail only once the work commits
and only where the user wants it; opening the record marks the notification read."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from types import SimpleNamespace

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from tests.cases.records import NARRATIVE, at_review, open_case, receive, submitted_plan, to_planning
from tests.factories import AgencyFactory, UserFactory
from treem.audit.models import AuditEvent
from treem.cases import services
from treem.jobs import registry
from treem.jobs.services import job_enqueue
from treem.notifications import events
from treem.notifications.events import EVENTS, Event, announce, recipients_of
from treem.notifications.models import EmailPreference, Notification
from treem.notifications.services import email_preferences_save, notify
from treem.plans import services as plans_services

pytestmark = pytest.mark.django_db

CHILD_NAME = "Lò Thị Mai"
SUMMARY = "Trẻ bị đánh"
REASON = "Gia đình chuyển đến xã Bình sinh sống"


@pytest.fixture
def people(geo, officer_a, officer_b, supervisor_a, coordinator):
    """Everyone who might be told, each with an e-mail address."""
    health = AgencyFactory(name="Trạm Y tế Phường An", kind="health", unit=geo.commune_a)
    w = SimpleNamespace(
        geo=geo,
        health=health,
        officer_a=officer_a,
        officer_b=officer_b,
        supervisor_a=supervisor_a,
        coordinator=coordinator,
        worker=UserFactory(username="vuviec_a", roles=["case_worker"], units=[geo.commune_a]),
        worker2=UserFactory(username="vuviec_a2", roles=["case_worker"], units=[geo.commune_a]),
        worker_b=UserFactory(username="vuviec_b", roles=["case_worker"], units=[geo.commune_b]),
        hotline=UserFactory(username="tongdai", roles=["hotline_officer"], units=[geo.province]),
        # Staff of the health station who work on cases of commune A (outside every case's group).
        health_user=UserFactory(
            username="tramyte", roles=["case_worker"], units=[geo.commune_a], agency=health
        ),
        # Staff of the same station without any case role: not told of referrals.
        # The head of the department that owns a recommendation of an inspection (may see it).
        department_head=UserFactory(
            username="giamdoc", roles=["provincial_coordinator"], units=[geo.province], agency=geo.department
        ),
        health_clerk=UserFactory(
            username="vanthu", roles=["agency_reporter"], units=[geo.commune_a], agency=health
        ),
        # The health department's reporter, who reports on the plan's tasks it leads.
        reporter=UserFactory(
            username="baocao_yte", roles=["agency_reporter"], units=[geo.province], agency=geo.department
        ),
    )
    for user in vars(w).values():
        if hasattr(user, "email") and hasattr(user, "username"):
            user.email = f"{user.username}@example.vn"
            user.save(update_fields=["email"])
    return w


def _case(w, **kwargs):
    case = open_case(w.worker, w.geo.commune_a, supervisor=w.supervisor_a, **kwargs)
    services.case_assign(acting_user=w.worker, case=case, workers=[w.worker, w.worker2])
    return case


# --- one scenario per event: the setting up, then the change that announces (actor, record) ---


@dataclass
class Scenario:
    setup: object  # (people) → context
    act: object  # (people, context) → (actor, the record's number or code)
    expected: object  # (people) → the users who must be told


def _job_kind(fail: bool) -> str:
    name = "tests.events.failing" if fail else "tests.events.working"

    def task(run):
        if fail:
            raise ValidationError("the file could not be read")
        return {"ok": True}

    registry.register(name, label="Test job")(task)
    return name


def _run_job(w, ctx):
    job = job_enqueue(acting_user=w.officer_a, kind=ctx, subject=f"{CHILD_NAME}.xlsx")
    return None, f"no. {job.pk}"


def _referral(w, case=None):
    case = case or _case(w)
    return services.referral_create(
        acting_user=w.worker2, case=case, service="health", agency=w.health, request=NARRATIVE
    )


def _transfer(w, case=None):
    case = case or _case(w)
    return services.transfer_request(
        acting_user=w.worker2, case=case, to_commune=w.geo.commune_b, reason=REASON
    )


def _report_act(w, ctx):
    report = receive(w.hotline, w.geo.commune_a, summary=SUMMARY)
    return w.hotline, report.tracking_code


def _assign_act(w, case):
    services.case_assign(
        acting_user=w.worker, case=case, workers=[w.worker, w.worker2], supervisor=w.supervisor_a
    )
    return w.worker, case.number


def _share_act(w, ctx):
    services.case_share(acting_user=w.worker, case=ctx, user=w.officer_a, reason="Phối hợp hỗ trợ tại trường")
    return w.worker, ctx.number


def _submit_setup(w):
    case = to_planning(_case(w), w.worker)
    services.plan_draft(
        acting_user=w.worker,
        case=case,
        goals=NARRATIVE,
        actions=NARRATIVE,
        review_on=timezone.localdate() + dt.timedelta(days=30),
    )
    return case


def _submit_act(w, case):
    services.plan_submit(acting_user=w.worker, case=case)
    return w.worker, case.number


def _recommendation_setup(w):
    from treem.plans import services as plans

    inspection = plans.inspection_create(
        acting_user=w.coordinator,
        unit=w.geo.province,
        title="Kiểm tra công tác bảo vệ trẻ em 2026",
        inspected_agency=w.geo.department,
        starts_on=timezone.localdate() - dt.timedelta(days=30),
    )
    # The department's reporter owns it too, but may not see recommendations (plans' roles).
    UserFactory(username="sotyte", roles=["agency_reporter"], units=[w.geo.province], agency=w.geo.department)
    for days in (3, 30):  # due in 3 days: told; in 30 days: not yet
        recommendation = plans.recommendation_add(
            acting_user=w.coordinator,
            inspection=inspection,
            text="Rà soát hồ sơ trẻ em",
            owner=w.geo.department,
            deadline=timezone.localdate() + dt.timedelta(days=days),
        )
        if days == 3:
            due = recommendation
    return due


def _recommendation_act(w, recommendation):
    from treem.notifications.reminders import recommendations_remind

    recommendations_remind()
    return None, f"no. {recommendation.pk}"


def _plan_task(w, *, code="1"):
    """A small plan of the province with one yearly task led by the health department, and the
    department's reporter (who reports on it) in ``w.reporter``."""
    plans = plans_services
    plan = plans.plan_create(
        acting_user=w.coordinator,
        key="KH-THONGBAO",
        number="02/KH",
        title="Kế hoạch thử",
        unit=w.geo.province,
    )
    plans.task_create(
        acting_user=w.coordinator,
        plan=plan,
        code=code,
        content="Tổ chức Tháng hành động vì trẻ em",
        lead_agency=w.geo.department,
        recurrence="annual",
    )
    return plan


def _agency_report(w, *, submitted: bool):
    from treem.plans.models import PeriodKind

    plans = plans_services

    plan = _plan_task(w)
    today = timezone.localdate()
    period = plans.period_create(
        acting_user=w.coordinator,
        plan=plan,
        kind=PeriodKind.YEAR,
        year=today.year,
        starts_on=today - dt.timedelta(days=300),
        ends_on=today + dt.timedelta(days=5),
        opens_on=today - dt.timedelta(days=10),
        due_on=today + dt.timedelta(days=10),
    )
    report = plans.agency_report_open(acting_user=w.reporter, period=period)
    plans.agency_report_save(
        acting_user=w.reporter,
        report=report,
        rows={row.task_id: {"activities": "Đã tổ chức"} for row in report.rows.all()},
    )
    if submitted:
        plans.agency_report_submit(acting_user=w.reporter, report=report)
    return report


def _plan_reference(report) -> str:
    return str(report.agency)


SCENARIOS = {
    "plans.agency_report.submitted": Scenario(
        lambda w: _agency_report(w, submitted=False),
        lambda w, report: (
            w.reporter,
            _plan_reference(plans_services.agency_report_submit(acting_user=w.reporter, report=report)),
        ),
        # The plan's coordinators at its unit (the department's head coordinates too), not its staff.
        lambda w: {w.coordinator, w.department_head},
    ),
    "plans.agency_report.returned": Scenario(
        lambda w: _agency_report(w, submitted=True),
        lambda w, report: (
            w.coordinator,
            _plan_reference(
                plans_services.agency_report_return(
                    acting_user=w.coordinator, report=report, comment="Bổ sung số liệu"
                )
            ),
        ),
        lambda w: {w.reporter, w.department_head},
    ),
    "plans.agency_report.accepted": Scenario(
        lambda w: _agency_report(w, submitted=True),
        lambda w, report: (
            w.coordinator,
            _plan_reference(plans_services.agency_report_accept(acting_user=w.coordinator, report=report)),
        ),
        lambda w: {w.reporter, w.department_head},
    ),
    "plans.task.assigned": Scenario(
        lambda w: None,
        lambda w, ctx: (w.coordinator, _plan_task(w, code="9.z").tasks.get(code="9.z").code),
        lambda w: {w.reporter, w.department_head},
    ),
    "cases.report.received": Scenario(
        lambda w: None,
        _report_act,
        # The commune's officer and case workers (the health station's too: it works on cases);
        # not the hotline who received it, the supervisor, commune B nor the province.
        lambda w: {w.officer_a, w.worker, w.worker2, w.health_user},
    ),
    "cases.case.assigned": Scenario(
        lambda w: open_case(w.worker, w.geo.commune_a), _assign_act, lambda w: {w.worker2, w.supervisor_a}
    ),
    "cases.case.shared": Scenario(_case, _share_act, lambda w: {w.officer_a}),
    "cases.plan.submitted": Scenario(_submit_setup, _submit_act, lambda w: {w.supervisor_a}),
    "cases.plan.rejected": Scenario(
        lambda w: submitted_plan(_case(w), w.worker),
        lambda w, case: (
            w.supervisor_a,
            services.plan_reject(acting_user=w.supervisor_a, case=case, comments=NARRATIVE).case.number,
        ),
        lambda w: {w.worker, w.worker2},
    ),
    "cases.plan.approved": Scenario(
        lambda w: submitted_plan(_case(w), w.worker),
        lambda w, case: (
            w.supervisor_a,
            services.plan_approve(acting_user=w.supervisor_a, case=case, comments=NARRATIVE).case.number,
        ),
        lambda w: {w.worker, w.worker2},
    ),
    "cases.case.closure_requested": Scenario(
        lambda w: at_review(_case(w), w.worker, w.supervisor_a),
        lambda w, case: (
            w.worker2,
            services.case_close_request(acting_user=w.worker2, case=case, note=NARRATIVE).number,
        ),
        lambda w: {w.supervisor_a},
    ),
    "cases.case.closure_refused": Scenario(
        lambda w: services.case_close_request(
            acting_user=w.worker, case=at_review(_case(w), w.worker, w.supervisor_a), note=NARRATIVE
        ),
        lambda w, case: (
            w.supervisor_a,
            services.case_close_reject(acting_user=w.supervisor_a, case=case, comments=NARRATIVE).number,
        ),
        lambda w: {w.worker, w.worker2},
    ),
    "cases.referral.sent": Scenario(
        _case,
        lambda w, case: (w.worker2, _referral(w, case).case.number),
        lambda w: {w.health_user},
    ),
    "cases.referral.accepted": Scenario(
        _referral,
        lambda w, referral: (
            w.worker,
            services.referral_accept(acting_user=w.worker, referral=referral).case.number,
        ),
        lambda w: {w.worker2},
    ),
    "cases.referral.rejected": Scenario(
        _referral,
        lambda w, referral: (
            w.worker,
            services.referral_reject(acting_user=w.worker, referral=referral, reason=NARRATIVE).case.number,
        ),
        lambda w: {w.worker2},
    ),
    "cases.transfer.requested": Scenario(
        _case,
        lambda w, case: (w.worker2, _transfer(w, case).case.number),
        # Who may accept it (cases.add_case in commune B): its officer and case worker.
        lambda w: {w.officer_b, w.worker_b},
    ),
    "cases.transfer.accepted": Scenario(
        _transfer,
        lambda w, transfer: (
            w.officer_b,
            services.transfer_accept(acting_user=w.officer_b, transfer=transfer).number,
        ),
        lambda w: {w.worker2},
    ),
    "cases.transfer.refused": Scenario(
        _transfer,
        lambda w, transfer: (
            w.officer_b,
            services.transfer_refuse(
                acting_user=w.officer_b, transfer=transfer, reason=NARRATIVE
            ).case.number,
        ),
        lambda w: {w.worker2},
    ),
    "plans.recommendation.due": Scenario(
        _recommendation_setup, _recommendation_act, lambda w: {w.department_head}
    ),
    "jobs.job.done": Scenario(lambda w: _job_kind(fail=False), _run_job, lambda w: {w.officer_a}),
    "jobs.job.failed": Scenario(lambda w: _job_kind(fail=True), _run_job, lambda w: {w.officer_a}),
}
ANNOUNCED = sorted(kind for kind, entry in EVENTS.items() if entry.recipients is not None)


@pytest.fixture(autouse=True)
def _forget_test_job_kinds():
    yield
    registry.unregister("tests.events.failing")
    registry.unregister("tests.events.working")


def _prepare(kind, w):
    scenario = SCENARIOS[kind]
    ctx = scenario.setup(w)
    Notification.objects.all().delete()  # what the setting up announced is other tests' subject
    mail.outbox.clear()
    return scenario, ctx


def test_every_event_of_the_table_has_a_scenario():
    assert sorted(SCENARIOS) == ANNOUNCED
    for entry in EVENTS.values():
        assert entry.label and str(entry.label)[0].isupper()


@pytest.mark.parametrize("kind", ANNOUNCED)
def test_the_right_people_are_told_and_e_mailed_on_commit(
    kind, people, client, django_capture_on_commit_callbacks
):
    scenario, ctx = _prepare(kind, people)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        actor, reference = scenario.act(people, ctx)
    notes = list(Notification.objects.filter(category=kind).select_related("recipient"))
    expected = scenario.expected(people)
    assert {n.recipient for n in notes} == expected
    assert len(notes) == len(expected)  # once each
    assert actor not in {n.recipient for n in notes}
    assert not Notification.objects.exclude(category=kind).exists()  # no other event on the way
    for note in notes:
        assert reference in note.text
        for secret in (NARRATIVE, CHILD_NAME, SUMMARY, REASON):
            assert secret not in note.text
        assert note.emailed and note.emailed_at is None
    # Nothing left before the transaction committed; then one e-mail each, through the job queue.
    assert mail.outbox == []
    with django_capture_on_commit_callbacks(execute=True):
        for callback in callbacks:
            callback()
    assert sorted(m.to[0] for m in mail.outbox) == sorted(u.email for u in expected)
    for message in mail.outbox:
        assert reference in message.body
        for secret in (NARRATIVE, CHILD_NAME, SUMMARY, REASON):
            assert secret not in message.body and secret not in message.subject
    assert all(n.emailed_at for n in Notification.objects.filter(category=kind))
    # Opening the record marks the notification read.
    note = notes[0]
    if note.link:
        assert note.link in mail.outbox[0].body or any(note.link in m.body for m in mail.outbox)
        client.force_login(note.recipient)
        assert client.get(note.link).status_code == 200
        note.refresh_from_db()
        assert note.is_read


@pytest.mark.parametrize("kind", ANNOUNCED)
def test_rolled_back_work_tells_nobody(kind, people, django_capture_on_commit_callbacks):
    scenario, ctx = _prepare(kind, people)
    with (
        django_capture_on_commit_callbacks(execute=True),
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        scenario.act(people, ctx)
        raise RuntimeError("the work failed after the change")
    assert not Notification.objects.exists()
    assert mail.outbox == []


@pytest.mark.parametrize("kind", ANNOUNCED)
def test_e_mail_turned_off_keeps_the_in_app_notification(kind, people, django_capture_on_commit_callbacks):
    scenario, ctx = _prepare(kind, people)
    for user in scenario.expected(people):
        email_preferences_save(acting_user=user, choices={kind: False})
    with django_capture_on_commit_callbacks(execute=True):
        scenario.act(people, ctx)
    notes = Notification.objects.filter(category=kind)
    assert {n.recipient for n in notes} == scenario.expected(people)
    assert not any(n.emailed for n in notes)
    assert mail.outbox == []


# --- the table's rules ---------------------------------------------------------------------------


def test_only_the_cases_group_hears_of_its_content(people):
    """An entry about a case's content drops whoever its recipients name outside the case's group."""
    case = _case(people)
    entry = events.register(
        Event(
            "tests.everyone_in_the_commune",
            "Test",
            lambda case, c: [
                people.officer_a,
                people.worker,
                people.worker2,
                people.supervisor_a,
                people.officer_b,
            ],
            lambda case, c: f"Case {case.number}",
            lambda case, c: case.get_absolute_url(),
            case=lambda case: case,
        )
    )
    try:
        told = recipients_of(entry.kind, case, actor=people.worker)
    finally:
        EVENTS.pop(entry.kind)
    # officer_a is in scope but not in the group; officer_b is out of scope; worker is the actor.
    assert set(told) == {people.worker2, people.supervisor_a}


def test_inactive_users_are_not_told(people):
    case = submitted_plan(_case(people), people.worker)
    people.worker2.is_active = False  # left after being assigned
    people.worker2.save(update_fields=["is_active"])
    Notification.objects.all().delete()
    services.plan_approve(acting_user=people.supervisor_a, case=case)
    assert set(Notification.objects.values_list("recipient__username", flat=True)) == {"vuviec_a"}


def test_a_report_sent_from_the_public_form_tells_the_commune(people):
    services.report_receive_online(unit=people.geo.commune_a, summary=SUMMARY, child_name=CHILD_NAME)
    told = set(
        Notification.objects.filter(category="cases.report.received").values_list("recipient", flat=True)
    )
    assert told == {u.pk for u in (people.officer_a, people.worker, people.worker2, people.health_user)}


def test_a_report_for_the_province_tells_the_province(people):
    receive(people.hotline, people.geo.province, summary=SUMMARY)
    told = set(
        Notification.objects.filter(category="cases.report.received").values_list("recipient", flat=True)
    )
    # Nobody at the province but the coordinators may open a case: they are told, not the hotline.
    assert told == {people.coordinator.pk, people.department_head.pk}


def test_an_unknown_kind_is_refused(people):
    with pytest.raises(ValueError, match="unknown notification event"):
        announce("cases.case.nothing", people.officer_a)


def test_a_kind_is_declared_once():
    with pytest.raises(ValueError, match="declared twice"):
        events.register(EVENTS["cases.case.assigned"])


# --- preferences -------------------------------------------------------------------------------


def test_the_preferences_page_lists_every_kind_and_saves_ones_choice(client, people):
    client.force_login(people.worker)
    page = client.get(reverse("notifications:preferences")).content.decode()
    for entry in EVENTS.values():
        assert f'value="{entry.kind}"' in page
    assert page.count(" checked") == len(EVENTS)  # e-mail on by default
    keep = [k for k in EVENTS if k != "cases.plan.approved"]
    response = client.post(reverse("notifications:preferences"), {"email": keep})
    assert response.status_code == 302
    assert list(EmailPreference.objects.values_list("user__username", "kind", "email")) == [
        ("vuviec_a", "cases.plan.approved", False)
    ]
    event = AuditEvent.objects.get(action="notifications.preferences.changed")
    assert event.actor == people.worker and event.changes == {"cases.plan.approved": [True, False]}
    # Saving the same choice again changes (and audits) nothing.
    client.post(reverse("notifications:preferences"), {"email": keep})
    assert AuditEvent.objects.filter(action="notifications.preferences.changed").count() == 1
    # Another user's choices are untouched and unseen.
    assert not EmailPreference.objects.restrict(people.worker2, "view").exists()


def test_the_inbox_links_to_the_preferences(client, people):
    client.force_login(people.worker)
    page = client.get(reverse("notifications:list")).content.decode()
    assert reverse("notifications:preferences") in page


def test_an_unknown_kind_of_preference_is_refused(people):
    with pytest.raises(ValidationError):
        email_preferences_save(acting_user=people.worker, choices={"cases.nothing": False})
    assert not EmailPreference.objects.exists()


def test_deadline_alerts_follow_the_preference_too(people, django_capture_on_commit_callbacks):
    email_preferences_save(acting_user=people.worker, choices={"cases.deadline.overdue": False})
    with django_capture_on_commit_callbacks(execute=True):
        off = notify(
            people.worker, "Case 2026-000001: overdue", "/cases/1/", category="cases.deadline.overdue"
        )
        on = notify(
            people.worker, "Case 2026-000001: due soon", "/cases/1/", category="cases.deadline.due_soon"
        )
    assert not off.emailed and on.emailed
    assert [m.subject for m in mail.outbox] == ["[treem] Case 2026-000001: due soon"]


# --- marked read when opened, cheaply -------------------------------------------------------------


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_opening_a_page_marks_only_its_notifications_read_without_extra_queries(client, people):
    client.force_login(people.worker)
    children = reverse("children:child_list")
    _queries(client, children)  # (first request: session, caches)
    none = _queries(client, children)
    elsewhere = Notification.objects.create(
        recipient=people.worker, text="x", link=reverse("cases:case_list")
    )
    assert _queries(client, children) == none  # the bell's one count answers both questions
    here = Notification.objects.create(recipient=people.worker, text="y", link=children)
    other_users = Notification.objects.create(recipient=people.worker2, text="z", link=children)
    assert _queries(client, children) == none + 1  # the update, only when one links here
    here.refresh_from_db()
    elsewhere.refresh_from_db()
    other_users.refresh_from_db()
    assert here.is_read and not elsewhere.is_read and not other_users.is_read
    page = client.get(children).content.decode()
    assert 'data-testid="unread-count">1<' in page


def test_a_recommendation_is_told_once_per_state(people):
    from treem.notifications.reminders import recommendations_remind

    recommendation = _recommendation_setup(people)
    Notification.objects.all().delete()
    today = timezone.localdate()
    assert recommendations_remind(day=today) == 1
    assert recommendations_remind(day=today) == 0  # the check runs daily: once
    assert "is due on" in Notification.objects.get().text
    assert recommendations_remind(day=recommendation.deadline + dt.timedelta(days=1)) == 1  # then overdue
    assert "was due on" in Notification.objects.first().text
    assert recommendations_remind(day=recommendation.deadline + dt.timedelta(days=2)) == 0


def test_the_workers_a_transfer_is_accepted_for_are_told(people):
    transfer = _transfer(people)
    Notification.objects.all().delete()
    services.transfer_accept(acting_user=people.officer_b, transfer=transfer, workers=[people.worker_b])
    assigned = Notification.objects.get(category="cases.case.assigned")
    assert assigned.recipient == people.worker_b and transfer.case.number in assigned.text
    accepted = Notification.objects.get(category="cases.transfer.accepted")
    assert accepted.recipient == people.worker2 and accepted.link == ""  # the case left commune A


def test_a_job_interrupted_after_its_last_attempt_tells_its_owner(people, settings):
    from treem.jobs.models import Job, JobStatus
    from treem.jobs.services import jobs_recover_stale

    job = job_enqueue(acting_user=people.officer_a, kind=_job_kind(fail=False))
    Notification.objects.all().delete()
    beat = timezone.now() - dt.timedelta(seconds=settings.TREEM_JOBS_STALE_SECONDS + 60)
    Job.objects.filter(pk=job.pk).update(
        status=JobStatus.RUNNING, attempts=job.max_attempts, heartbeat_at=beat, worker="dead:1"
    )
    jobs_recover_stale()
    note = Notification.objects.get()
    assert note.recipient == people.officer_a and note.category == "jobs.job.failed"
    assert f"no. {job.pk}" in note.text


def test_a_mail_server_that_fails_fails_the_job_and_a_retry_sends_only_the_rest(
    people, admin, monkeypatch, django_capture_on_commit_callbacks
):
    from treem.jobs.models import Job, JobStatus
    from treem.jobs.services import job_retry
    from treem.notifications import services as notification_services
    from treem.notifications.tasks import EMAIL_KIND

    real_send_mail = notification_services.send_mail

    def refuse_one(subject, body, sender, to):
        if to == [people.worker2.email]:
            raise ConnectionRefusedError("mail server down")
        return real_send_mail(subject, body, sender, to)

    monkeypatch.setattr(notification_services, "send_mail", refuse_one)
    case = submitted_plan(_case(people), people.worker)
    Notification.objects.all().delete()
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.plan_approve(acting_user=people.supervisor_a, case=case)
    job = Job.objects.filter(kind=EMAIL_KIND).latest("pk")
    assert job.status == JobStatus.FAILED and "1 e-mail could not be sent" in job.error
    assert [m.to for m in mail.outbox] == [[people.worker.email]]
    monkeypatch.setattr(notification_services, "send_mail", real_send_mail)
    job_retry(acting_user=admin, job=job)
    job.refresh_from_db()
    assert job.status == JobStatus.DONE and job.result == {"sent": 1}
    assert [m.to for m in mail.outbox] == [[people.worker.email], [people.worker2.email]]
    assert all(n.emailed_at for n in Notification.objects.all())


def test_the_daily_command_tells_of_recommendations_due(people):
    import io

    from django.core.management import call_command

    _recommendation_setup(people)
    Notification.objects.all().delete()
    out = io.StringIO()
    call_command("remind_recommendations", stdout=out)
    assert "Recommendations due: 1 notifications." in out.getvalue()
    assert Notification.objects.get().recipient == people.department_head


def test_notifications_are_written_in_the_sites_language_not_the_actors(people, settings):
    from django.utils import translation
    from django.utils.translation import gettext

    settings.LANGUAGE_CODE = "vi"
    case = open_case(people.worker, people.geo.commune_a)
    with translation.override("en"):  # the actor reads the English pages
        services.case_assign(acting_user=people.worker, case=case, workers=[people.worker, people.worker2])
    with translation.override("vi"):
        expected = gettext("Case %(number)s was assigned to you.") % {"number": case.number}
    assert Notification.objects.get(category="cases.case.assigned").text == expected


def test_many_recipients_cost_a_bounded_number_of_queries_and_keep_their_own_scope(people):
    """Recipients of the same scope are asked once, not one by one (permissions, units and
    visibility are read for all of them together); those of another scope get their own answer."""
    for n in range(30):
        UserFactory(username=f"vuviec_them_{n}", roles=["case_worker"], units=[people.geo.commune_a])
    report = receive(people.hotline, people.geo.commune_a, summary=SUMMARY)
    a_workers = set(recipients_of("cases.report.received", report))
    assert len(a_workers) == 34 and {u.username for u in a_workers} >= {"vuviec_a", "vuviec_them_29"}

    # A made-up event whose recipients are everyone: commune B's users share roles with commune A's
    # but not their scope, and the grouping by scope must not let them hear of A's report.
    everyone = Event(
        "test.everyone", "everyone", lambda record, c: list(type(people.worker).objects.all()), None, None
    )
    events.register(everyone)
    try:
        with CaptureQueriesContext(connection) as queries:
            told = {u.username for u in recipients_of("test.everyone", report)}
    finally:
        del EVENTS["test.everyone"]
    assert "vuviec_b" not in told and "canbo_b" not in told
    assert {"vuviec_a", "vuviec_them_0", "canbo_a", "dieuphoi"} <= told
    # 45-odd users: users, roles, units, then one visibility query per distinct scope.
    users = type(people.worker).objects.all()
    scopes = len({(tuple(sorted(u.get_all_permissions())), u.sees_all_units, tuple(u.units)) for u in users})
    assert len(queries) <= 3 + scopes < 20

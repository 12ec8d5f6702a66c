"""The periodic check of case deadlines: due-soon and overdue alerts to the workers, escalation to
the supervisor, each sent once (in-app and by e-mail), and the dashboard's section."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core import mail
from django.core.management import call_command
from django.urls import reverse

from tests.cases.records import NARRATIVE, open_case
from tests.factories import UserFactory
from treem.audit.models import AuditEvent
from treem.cases.deadline_checks import check_deadlines, nth_working_day_before, warn_from
from treem.cases.deadlines import VIETNAM, WorkingCalendar, end_of_day
from treem.cases.models import Deadline
from treem.jobs.models import Job, JobStatus
from treem.jobs.services import job_enqueue
from treem.jobs.worker import run_inline
from treem.notifications.models import DeadlineAlert, Notification

pytestmark = pytest.mark.django_db


@pytest.fixture
def case(worker_a, supervisor_a, geo):
    worker_a.email = "vuviec.a@example.vn"
    worker_a.save(update_fields=["email"])
    supervisor_a.email = "chutich.a@example.vn"
    supervisor_a.save(update_fields=["email"])
    case = open_case(worker_a, geo.commune_a, supervisor=supervisor_a)
    # Opening the case told the supervisor (tests/notifications): only the deadline alerts count here.
    Notification.objects.all().delete()
    return case


def initial(case) -> Deadline:
    return case.deadlines.get(kind="initial_assessment")


def run(now, capture):
    with capture(execute=True):
        return check_deadlines(now=now)


def test_nothing_is_sent_while_deadlines_are_far(case, django_capture_on_commit_callbacks):
    result = run(initial(case).due_at - dt.timedelta(hours=5), django_capture_on_commit_callbacks)
    assert result.notifications == 0
    assert not Notification.objects.exists()
    assert mail.outbox == []


def test_due_soon_warns_the_workers_once(case, worker_a, supervisor_a, django_capture_on_commit_callbacks):
    now = initial(case).due_at - dt.timedelta(minutes=90)  # inside the 2 hours before the 12-hour deadline
    result = run(now, django_capture_on_commit_callbacks)
    assert (result.due_soon, result.overdue, result.escalated) == (1, 0, 0)
    note = Notification.objects.get()
    assert note.recipient == worker_a
    assert case.number in note.text and "is due by" in note.text
    assert note.link == reverse("cases:case_detail", args=[case.pk])
    assert NARRATIVE not in note.text
    assert [m.to for m in mail.outbox] == [["vuviec.a@example.vn"]]
    assert case.number in mail.outbox[0].subject
    assert NARRATIVE not in mail.outbox[0].body
    assert AuditEvent.objects.filter(action="cases.deadline.alerted").count() == 1

    # Running again (and again a little later) sends nothing new.
    again = run(now + dt.timedelta(minutes=10), django_capture_on_commit_callbacks)
    assert again.notifications == 0
    assert Notification.objects.count() == 1
    assert len(mail.outbox) == 1
    assert not Notification.objects.filter(recipient=supervisor_a).exists()


def test_overdue_alerts_the_workers_and_escalates_to_the_supervisor_once(
    case, worker_a, supervisor_a, django_capture_on_commit_callbacks
):
    now = initial(case).due_at + dt.timedelta(minutes=5)
    result = run(now, django_capture_on_commit_callbacks)
    # Found already overdue: no "due soon" alert any more.
    assert (result.due_soon, result.overdue, result.escalated) == (0, 1, 1)
    assert "passed at" in Notification.objects.get(recipient=worker_a).text
    escalation = Notification.objects.get(recipient=supervisor_a)
    assert "which you supervise" in escalation.text and case.number in escalation.text
    assert sorted(m.to[0] for m in mail.outbox) == ["chutich.a@example.vn", "vuviec.a@example.vn"]
    states = set(DeadlineAlert.objects.values_list("state", flat=True))
    assert states == {"overdue", "escalated"}

    again = run(now + dt.timedelta(hours=3), django_capture_on_commit_callbacks)
    assert (again.overdue, again.escalated, again.notifications) == (0, 0, 0)
    assert Notification.objects.count() == 2
    assert len(mail.outbox) == 2


def test_due_soon_then_overdue_sends_each_state_once(case, worker_a, django_capture_on_commit_callbacks):
    due = initial(case).due_at
    run(due - dt.timedelta(hours=1), django_capture_on_commit_callbacks)
    run(due + dt.timedelta(hours=1), django_capture_on_commit_callbacks)
    run(due + dt.timedelta(hours=2), django_capture_on_commit_callbacks)
    assert Notification.objects.filter(recipient=worker_a).count() == 2  # due soon, then overdue
    assert DeadlineAlert.objects.count() == 3  # due soon, overdue, escalated


def test_a_met_deadline_sends_nothing(case, django_capture_on_commit_callbacks):
    deadline = initial(case)
    Deadline.objects.filter(pk=deadline.pk).update(met_at=deadline.due_at - dt.timedelta(hours=3))
    result = run(deadline.due_at + dt.timedelta(hours=1), django_capture_on_commit_callbacks)
    assert result.overdue == 0
    assert not Notification.objects.exists()


def test_a_moved_deadline_is_announced_again(case, worker_a, django_capture_on_commit_callbacks):
    deadline = initial(case)
    run(deadline.due_at + dt.timedelta(minutes=1), django_capture_on_commit_callbacks)
    later = deadline.due_at + dt.timedelta(days=2)
    Deadline.objects.filter(pk=deadline.pk).update(due_at=later)
    run(later + dt.timedelta(minutes=1), django_capture_on_commit_callbacks)
    assert Notification.objects.filter(recipient=worker_a).count() == 2


def test_without_a_supervisor_the_communes_approvers_get_the_escalation(
    worker_a, supervisor_a, officer_b, geo, django_capture_on_commit_callbacks
):
    case = open_case(worker_a, geo.commune_a)  # nobody supervises it yet
    UserFactory(username="chutich_b", roles=["case_supervisor"], units=[geo.commune_b])
    run(initial(case).due_at + dt.timedelta(minutes=1), django_capture_on_commit_callbacks)
    escalated = Notification.objects.filter(category="cases.deadline.escalated")
    assert [n.recipient for n in escalated] == [supervisor_a]  # not commune B's chairman


def test_closed_cases_and_inactive_workers_get_nothing(case, worker_a, django_capture_on_commit_callbacks):
    worker_a.is_active = False
    worker_a.save(update_fields=["is_active"])
    run(initial(case).due_at - dt.timedelta(hours=1), django_capture_on_commit_callbacks)
    assert not Notification.objects.filter(recipient=worker_a).exists()


def test_the_plan_deadline_warns_one_working_day_before(case, worker_a):
    Deadline.objects.filter(pk=initial(case).pk).update(met_at=initial(case).due_at)
    plan = case.deadlines.get(kind="plan")
    due_day = plan.due_at.astimezone(VIETNAM).date()
    calendar = WorkingCalendar()
    start = warn_from(plan.due_at, {"working_days": 1}, calendar)
    assert start == end_of_day(nth_working_day_before(calendar, due_day, 1))
    assert start.astimezone(VIETNAM).date() < due_day
    assert check_deadlines(now=start - dt.timedelta(minutes=1)).notifications == 0
    result = check_deadlines(now=start + dt.timedelta(minutes=1))
    assert (result.due_soon, result.overdue) == (1, 0)
    assert list(DeadlineAlert.objects.values_list("deadline__kind", "state")) == [("plan", "due_soon")]


def test_working_days_before_skip_weekends_and_tet():
    calendar = WorkingCalendar()
    # Monday 9 March 2026: the working day before is Friday 6 March.
    assert nth_working_day_before(calendar, dt.date(2026, 3, 9), 1) == dt.date(2026, 3, 6)
    # Monday 23 February 2026, after the Tết holiday (14–22 February): Friday 13 February.
    assert nth_working_day_before(calendar, dt.date(2026, 2, 23), 1) == dt.date(2026, 2, 13)
    with pytest.raises(ValueError):
        nth_working_day_before(calendar, dt.date(2026, 3, 9), 0)


def test_the_job_kind_runs_the_check(case, admin, worker_a):
    Deadline.objects.filter(pk=initial(case).pk).update(due_at=initial(case).due_at.replace(year=2020))
    job = job_enqueue(acting_user=admin, kind="cases.check_deadlines")
    assert job.status == JobStatus.DONE, job.error
    assert job.result["overdue"] == 1 and job.result["escalated"] == 1
    assert Notification.objects.filter(recipient=worker_a).count() == 1


def test_the_command_checks_and_can_queue(case, worker_a, capsys):
    Deadline.objects.filter(pk=initial(case).pk).update(due_at=initial(case).due_at.replace(year=2020))
    call_command("check_deadlines")
    assert "overdue: 1" in capsys.readouterr().out
    call_command("check_deadlines")
    assert "overdue: 0" in capsys.readouterr().out
    assert Notification.objects.filter(recipient=worker_a).count() == 1
    call_command("check_deadlines", "--queue")
    job = Job.objects.get(kind="cases.check_deadlines")
    assert job.requested_by is None and job.status == JobStatus.QUEUED
    run_inline(job)  # the worker's own claim-and-run code
    job.refresh_from_db()
    assert job.status == JobStatus.DONE, job.error
    assert job.result["overdue"] == 0  # sent already by the command


# --- the dashboard ------------------------------------------------------------------------------


def test_dashboard_lists_overdue_case_numbers_in_scope_only(
    client, case, worker_a, officer_a, officer_b, geo
):
    Deadline.objects.filter(pk=initial(case).pk).update(due_at=initial(case).due_at - dt.timedelta(days=1))
    client.force_login(worker_a)
    page = client.get(reverse("home"))
    text = page.content.decode()
    assert 'data-testid="case-deadlines"' in text
    assert case.number in text
    assert NARRATIVE not in text and case.child.full_name not in text
    section = next(s for s in page.context["sections"] if s["template"] == "cases/_dashboard_deadlines.html")
    assert section["overdue_count"] == 1 and section["overdue_mine"] == 1
    # Another commune's officer: nothing of commune A.
    client.force_login(officer_b)
    text = client.get(reverse("home")).content.decode()
    assert case.number not in text
    # The commune's officer (not in the case's group) sees the number, not the content.
    client.force_login(officer_a)
    section = next(s for s in client.get(reverse("home")).context["sections"])
    assert section["overdue_count"] == 1 and section["overdue_mine"] == 0


def test_dashboard_has_no_deadline_section_without_case_rights(client, viewer):
    client.force_login(viewer)
    assert 'data-testid="case-deadlines"' not in client.get(reverse("home")).content.decode()

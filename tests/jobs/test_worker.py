"""The queue and the worker: enqueue, run, progress, failure, stale jobs, the commit mark, retry."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.db import DatabaseError
from django.utils import timezone

from tests.factories import VillageFactory
from treem.audit.models import AuditEvent
from treem.audit.services import audit_record
from treem.core.scope import ScopeError
from treem.geo.models import Unit
from treem.jobs import files
from treem.jobs.models import Job, JobCommit, JobStatus
from treem.jobs.services import job_enqueue, job_retry, jobs_prune_files, jobs_recover_stale
from treem.jobs.worker import Heartbeat, JobRun, Worker, claim, execute


def run_queue() -> int:
    """What ``treem worker --burst`` does, in this thread and without the heartbeat thread."""
    return Worker(heartbeat=False).run(burst=True)


def counting(result=None):
    calls = []

    def task(run):
        calls.append(run.arguments)
        run.progress("count", 5, 10)
        run.progress("count", 10, 10)
        return result if result is not None else {"seen": run.arguments}

    task.calls = calls
    return task


# --- enqueue and run --------------------------------------------------------------------------


def test_a_queued_job_waits_for_the_worker_which_runs_it(queue, kinds, officer_a):
    task = kinds("test.count", counting())
    job = job_enqueue(acting_user=officer_a, kind="test.count", subject="ten things", arguments={"n": 10})
    assert job.status == JobStatus.QUEUED and job.attempts == 0 and task.calls == []
    assert job.requested_by == officer_a and job.language == "en"

    assert run_queue() == 1
    job.refresh_from_db()
    assert job.status == JobStatus.DONE and job.attempts == 1
    assert job.result == {"seen": {"n": 10}}
    assert (job.progress_stage, job.progress_done, job.progress_total, job.percent) == ("count", 10, 10, 100)
    assert job.started_at <= job.finished_at and job.worker
    assert task.calls == [{"n": 10}]
    assert run_queue() == 0  # nothing left: a done job is not run again


def test_jobs_run_oldest_first(queue, kinds, officer_a):
    order = []
    kinds("test.order", lambda run: order.append(run.arguments["i"]) or {})
    for i in range(3):
        job_enqueue(acting_user=officer_a, kind="test.order", arguments={"i": i})
    assert Worker(heartbeat=False).run(burst=True, max_jobs=2) == 2
    assert order == [0, 1]
    assert run_queue() == 1 and order == [0, 1, 2]


def test_inline_mode_runs_the_job_in_the_callers_thread(settings, kinds, officer_a):
    settings.TREEM_JOBS_INLINE = True
    kinds("test.count", counting())
    job = job_enqueue(acting_user=officer_a, kind="test.count", arguments={"n": 1})
    assert job.status == JobStatus.DONE and job.worker.startswith("inline:")


def test_an_unknown_kind_is_refused_and_nothing_queued(queue, officer_a):
    with pytest.raises(ValidationError) as error:
        job_enqueue(acting_user=officer_a, kind="test.nothing")
    assert "There is no kind of job named “test.nothing”." in error.value.messages
    assert not Job.objects.exists()


def test_a_job_needs_a_signed_in_user(queue, kinds, officer_a):
    from django.contrib.auth.models import AnonymousUser

    kinds("test.count", counting())
    with pytest.raises(ScopeError):
        job_enqueue(acting_user=AnonymousUser(), kind="test.count")
    assert not Job.objects.exists()


def test_a_kind_unknown_to_the_worker_fails_with_a_message(queue, officer_a):
    job = Job.objects.create(kind="test.removed", requested_by=officer_a)
    run_queue()
    job.refresh_from_db()
    assert job.status == JobStatus.FAILED
    assert job.error == "This kind of job (test.removed) is unknown to this version of treem."


def test_the_worker_command_runs_the_queue_and_exits(queue, kinds, officer_a, capsys):
    kinds("test.count", counting())
    job = job_enqueue(acting_user=officer_a, kind="test.count")
    call_command("worker", "--burst")
    job.refresh_from_db()
    assert job.status == JobStatus.DONE
    assert "1 job(s) run" in capsys.readouterr().out


def test_once_runs_one_job(queue, kinds, officer_a, capsys):
    kinds("test.count", counting())
    for _ in range(2):
        job_enqueue(acting_user=officer_a, kind="test.count")
    call_command("worker", "--once")
    assert sorted(Job.objects.values_list("status", flat=True)) == ["done", "queued"]


def test_a_long_running_worker_outlives_a_database_error(db, queue, monkeypatch):
    worker = Worker(heartbeat=False, poll=0.01)
    calls = []

    def broken_claim(**kwargs):
        calls.append(kwargs)
        if len(calls) == 2:
            worker.stop()
        raise DatabaseError("server closed the connection unexpectedly")

    monkeypatch.setattr("treem.jobs.worker.claim", broken_claim)
    assert worker.run() == 0 and len(calls) == 2  # logged, waited, tried again; then stopped
    with pytest.raises(DatabaseError):  # a burst (tests, cron) says so instead
        Worker(heartbeat=False).run(burst=True)


def test_the_worker_stops_when_asked(queue, kinds, officer_a):
    worker = Worker(heartbeat=False, poll=0.01)
    kinds("test.stop", lambda run: worker.stop() or {})
    job_enqueue(acting_user=officer_a, kind="test.stop")
    job_enqueue(acting_user=officer_a, kind="test.stop")
    assert worker.run() == 1  # not a burst: it would wait for more, but SIGTERM came during job 1
    assert list(Job.objects.order_by("pk").values_list("status", flat=True)) == ["done", "queued"]


# --- progress ---------------------------------------------------------------------------------


def test_the_heartbeat_writes_the_latest_progress(queue, kinds, officer_a):
    kinds("test.count", counting())
    job = job_enqueue(acting_user=officer_a, kind="test.count")
    job = claim(worker="test")
    old = timezone.now() - dt.timedelta(minutes=5)
    Job.objects.filter(pk=job.pk).update(heartbeat_at=old)
    run = JobRun(job)
    run.progress("check", 2000, 40000)
    run.progress("check", 4000, 40000)  # only the latest is written
    Heartbeat(run, interval=1).beat()
    job.refresh_from_db()
    assert (job.progress_stage, job.progress_done, job.progress_total) == ("check", 4000, 40000)
    assert job.heartbeat_at > old and job.percent == 10


def test_a_heartbeat_of_an_attempt_that_lost_the_job_writes_nothing(queue, kinds, officer_a):
    kinds("test.count", counting())
    job_enqueue(acting_user=officer_a, kind="test.count")
    job = claim(worker="test")
    run = JobRun(job)
    Job.objects.filter(pk=job.pk).update(status=JobStatus.QUEUED)  # found stale meanwhile
    run.progress("check", 10, 20)
    Heartbeat(run, interval=1).beat()
    job.refresh_from_db()
    assert job.progress_done == 0


# --- failure ----------------------------------------------------------------------------------


def test_a_task_that_raises_fails_the_job_and_leaves_nothing_written(queue, kinds, officer_a, geo):
    def half_then_boom(run):
        VillageFactory(name="Thôn Nửa Chừng", parent=geo.commune_a)
        audit_record(officer_a, "test.half", None, object_label="half")
        run.progress("write", 1, 2)
        raise ValueError("boom at row 2")

    kinds("test.boom", half_then_boom)
    villages, events = Unit.objects.count(), AuditEvent.objects.count()
    job = job_enqueue(acting_user=officer_a, kind="test.boom")
    run_queue()
    job.refresh_from_db()
    assert job.status == JobStatus.FAILED and job.finished_at
    assert job.error == "An unexpected error stopped the job; nothing it was writing was kept."
    assert job.error_detail == "ValueError: boom at row 2"
    assert (Unit.objects.count(), AuditEvent.objects.count()) == (villages, events)
    assert not Unit.objects.filter(name="Thôn Nửa Chừng").exists()
    assert not JobCommit.objects.exists()
    assert job.can_retry


def test_a_validation_error_is_the_jobs_message(queue, kinds, officer_a):
    def refuse(run):
        raise ValidationError("The file has no child's row.")

    kinds("test.refuse", refuse)
    job = job_enqueue(acting_user=officer_a, kind="test.refuse")
    run_queue()
    job.refresh_from_db()
    assert (job.status, job.error, job.error_detail) == (JobStatus.FAILED, "The file has no child's row.", "")


# --- a worker that died -----------------------------------------------------------------------


def _running(job: Job, *, seconds_ago: float, attempts: int = 1) -> Job:
    beat = timezone.now() - dt.timedelta(seconds=seconds_ago)
    Job.objects.filter(pk=job.pk).update(
        status=JobStatus.RUNNING, attempts=attempts, heartbeat_at=beat, started_at=beat, worker="dead:1"
    )
    job.refresh_from_db()
    return job


def test_a_running_job_without_heartbeat_is_interrupted_and_queued_again(queue, kinds, officer_a, settings):
    settings.TREEM_JOBS_STALE_SECONDS = 30
    task = kinds("test.count", counting())
    stale = _running(job_enqueue(acting_user=officer_a, kind="test.count"), seconds_ago=31)
    alive = _running(job_enqueue(acting_user=officer_a, kind="test.count"), seconds_ago=5)

    assert [j.pk for j in jobs_recover_stale()] == [stale.pk]
    stale.refresh_from_db()
    alive.refresh_from_db()
    assert (stale.status, stale.interruptions, stale.attempts) == (JobStatus.QUEUED, 1, 1)
    assert "The worker stopped while running this job (attempt 1)" in stale.error
    assert alive.status == JobStatus.RUNNING and alive.interruptions == 0
    event = AuditEvent.objects.get(action="jobs.job.interrupted")
    assert event.actor is None and event.object_id == str(stale.pk)
    assert event.changes["requeued"] is True and event.changes["status"] == ["running", "queued"]

    run_queue()  # recovers nothing more; runs the requeued job (the live one is not touched)
    stale.refresh_from_db()
    assert (stale.status, stale.attempts, stale.interruptions, stale.error) == (JobStatus.DONE, 2, 1, "")
    assert len(task.calls) == 1


def test_after_the_last_attempt_an_interrupted_job_waits_for_its_owner(queue, kinds, officer_a, settings):
    settings.TREEM_JOBS_STALE_SECONDS = 30
    kinds("test.count", counting())
    job = _running(job_enqueue(acting_user=officer_a, kind="test.count"), seconds_ago=60, attempts=3)
    jobs_recover_stale()
    job.refresh_from_db()
    assert job.status == JobStatus.INTERRUPTED and job.finished_at and job.can_retry
    assert run_queue() == 0
    job = job_retry(acting_user=officer_a, job=job)
    assert job.status == JobStatus.QUEUED
    run_queue()
    job.refresh_from_db()
    assert (job.status, job.attempts) == (JobStatus.DONE, 4)


def test_work_committed_by_an_attempt_that_died_is_not_done_again(queue, kinds, officer_a):
    """The worker died after the task's transaction committed but before it recorded the job done."""
    task = kinds("test.count", counting())
    job = job_enqueue(acting_user=officer_a, kind="test.count")
    job = claim(worker="dead")
    JobCommit.objects.create(job=job, attempt=job.attempts)
    Job.objects.filter(pk=job.pk).update(status=JobStatus.QUEUED)  # what the stale check does
    run_queue()
    job.refresh_from_db()
    assert job.status == JobStatus.DONE and job.result == {"recovered": True}
    assert task.calls == []


def test_an_atomic_task_is_committed_with_its_mark(queue, kinds, officer_a, geo):
    kinds("test.village", lambda run: {"pk": VillageFactory(name="Thôn Việc", parent=geo.commune_a).pk})
    job = job_enqueue(acting_user=officer_a, kind="test.village")
    run_queue()
    job.refresh_from_db()
    assert job.status == JobStatus.DONE and Unit.objects.filter(pk=job.result["pk"]).exists()
    assert JobCommit.objects.get(job=job).attempt == 1


def test_the_commit_mark_belongs_inside_a_transaction(queue, kinds, officer_a):
    def outside(run):
        run.mark_committed()
        return {}

    kinds("test.outside", outside, atomic=False)
    job = job_enqueue(acting_user=officer_a, kind="test.outside")
    claimed = claim(worker="test")
    # Tests run inside a transaction, so check the guard with a run that believes it is outside.
    from django.db import connection

    atomic = connection.in_atomic_block
    connection.in_atomic_block = False
    try:
        with pytest.raises(RuntimeError):
            JobRun(claimed).mark_committed()
    finally:
        connection.in_atomic_block = atomic
    assert not JobCommit.objects.filter(job=job).exists()


def test_an_attempt_that_lost_its_job_does_not_overwrite_it(queue, kinds, officer_a):
    taken_over = []

    def slow(run):
        # Meanwhile another worker found this attempt stale and took the job (attempt 2).
        Job.objects.filter(pk=run.job.pk).update(attempts=2)
        taken_over.append(True)
        return {"from": "attempt 1"}

    kinds("test.slow", slow)
    job = job_enqueue(acting_user=officer_a, kind="test.slow")
    execute(claim(worker="slow"), heartbeat=False)
    job.refresh_from_db()
    assert taken_over and job.status == JobStatus.RUNNING and job.result is None


# --- retry ------------------------------------------------------------------------------------


def _failed(job: Job) -> Job:
    Job.objects.filter(pk=job.pk).update(
        status=JobStatus.FAILED, attempts=1, error="It broke.", finished_at=timezone.now()
    )
    job.refresh_from_db()
    return job


def test_the_owner_retries_a_failed_job_and_the_retry_is_audited(queue, kinds, officer_a):
    kinds("test.count", counting())
    job = _failed(job_enqueue(acting_user=officer_a, kind="test.count"))
    job = job_retry(acting_user=officer_a, job=job)
    assert (job.status, job.error, job.finished_at) == (JobStatus.QUEUED, "", None)
    event = AuditEvent.objects.get(action="jobs.job.retried")
    assert event.actor == officer_a and event.changes["status"] == ["failed", "queued"]
    run_queue()
    job.refresh_from_db()
    assert (job.status, job.attempts) == (JobStatus.DONE, 2)


def test_a_done_or_running_job_cannot_be_retried(queue, kinds, officer_a):
    kinds("test.count", counting())
    job = job_enqueue(acting_user=officer_a, kind="test.count")
    run_queue()
    job.refresh_from_db()
    events = AuditEvent.objects.count()
    with pytest.raises(ValidationError) as error:
        job_retry(acting_user=officer_a, job=job)
    assert error.value.messages == ["Only a failed or interrupted job can be retried; this one is “Done”."]
    job.refresh_from_db()
    assert job.status == JobStatus.DONE and AuditEvent.objects.count() == events


def test_another_user_cannot_retry_a_job(queue, kinds, officer_a, officer_b, coordinator):
    kinds("test.count", counting())
    job = _failed(job_enqueue(acting_user=officer_a, kind="test.count"))
    for other in (officer_b, coordinator):  # another commune; the province above without the right
        with pytest.raises(ScopeError):
            job_retry(acting_user=other, job=job)
    job.refresh_from_db()
    assert (
        job.status == JobStatus.FAILED and not AuditEvent.objects.filter(action="jobs.job.retried").exists()
    )


def test_a_job_whose_file_is_gone_cannot_be_retried(queue, kinds, officer_a):
    kinds("test.count", counting())
    stored = files.store_upload(SimpleUploadedFile("a.csv", b"x"), "imports")
    job = _failed(job_enqueue(acting_user=officer_a, kind="test.count", input_file=stored))
    files.remove(stored)
    with pytest.raises(ValidationError) as error:
        job_retry(acting_user=officer_a, job=job)
    assert error.value.messages == ["The file of this job is no longer kept: upload it again."]
    job.refresh_from_db()
    assert job.status == JobStatus.FAILED


# --- scope ------------------------------------------------------------------------------------


def test_users_see_their_own_jobs_and_administrators_all(queue, kinds, officer_a, officer_b, admin, geo):
    kinds("test.count", counting())
    mine = job_enqueue(acting_user=officer_a, kind="test.count", unit=geo.commune_a)
    theirs = job_enqueue(acting_user=officer_b, kind="test.count", unit=geo.commune_b)
    no_unit = job_enqueue(acting_user=officer_a, kind="test.count")
    assert set(Job.objects.restrict(officer_a)) == {mine, no_unit}
    assert set(Job.objects.restrict(officer_b, "change")) == {theirs}
    assert set(Job.objects.restrict(admin)) == {mine, theirs, no_unit}
    assert not Job.objects.restrict(officer_a, "delete").exists()
    # A job stays its owner's only while its unit is: officer A moved to commune B.
    officer_a.unit_assignments.update(unit=geo.commune_b)
    officer_a = type(officer_a).objects.get(pk=officer_a.pk)
    assert set(Job.objects.restrict(officer_a)) == {no_unit}


# --- files ------------------------------------------------------------------------------------


def test_uploads_are_private_and_pruned_after_their_time(queue, kinds, officer_a, settings):
    kinds("test.count", counting())
    stored = files.store_upload(SimpleUploadedFile("Danh sách trẻ.CSV", b"a,b\n"), "imports")
    path = files.path_of(stored)
    assert path.is_file() and path.suffix == ".csv" and "Danh" not in path.name
    assert path.stat().st_mode & 0o777 == 0o600
    assert Path(settings.MEDIA_ROOT).resolve() in path.parents

    job = _failed(job_enqueue(acting_user=officer_a, kind="test.count", input_file=stored))
    assert jobs_prune_files() == 0 and path.exists()  # kept for a retry
    Job.objects.filter(pk=job.pk).update(finished_at=timezone.now() - dt.timedelta(hours=25))
    assert jobs_prune_files() == 1 and not path.exists()
    job.refresh_from_db()
    assert job.input_file == ""


def test_a_done_jobs_file_is_removed_at_once(queue, kinds, officer_a):
    kinds("test.count", counting())
    stored = files.store_upload(SimpleUploadedFile("a.xlsx", b"PK"), "imports")
    job = job_enqueue(acting_user=officer_a, kind="test.count", input_file=stored)
    run_queue()
    job.refresh_from_db()
    assert job.status == JobStatus.DONE and job.input_file == ""
    assert not files.path_of(stored).exists()


@pytest.mark.parametrize("relative", ["../secret", "/etc/passwd", "imports/../../x", ""])
def test_a_stored_path_cannot_leave_the_upload_folder(queue, relative):
    with pytest.raises(ValueError):
        files.path_of(relative)

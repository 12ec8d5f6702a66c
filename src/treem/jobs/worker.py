"""The worker: claims queued jobs one at a time, runs them, and keeps a heartbeat while it does.

Claiming is ``SELECT … FOR UPDATE SKIP LOCKED`` on PostgreSQL, so any number of workers share the
queue; on SQLite (the demo) the write transaction is ``BEGIN IMMEDIATE`` and serialises them. The
job row is updated (status, attempts, worker) in the claiming transaction, then the task runs.

While the task runs, a thread of its own (so with a database connection of its own, outside the
task's transaction) writes the heartbeat and the latest progress every
``TREEM_JOBS_HEARTBEAT_SECONDS``. A worker that dies stops the heartbeat; any worker then finds the
job stale after ``TREEM_JOBS_STALE_SECONDS`` and queues it again (``services.jobs_recover_stale``).
The task's work is committed with a ``JobCommit`` mark in the same transaction, so the attempt
after a crash either finds nothing written (the transaction rolled back with the dead connection)
or finds the mark and does not write the work again.
"""

from __future__ import annotations

import logging
import os
import signal
import socket
import threading
import time
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import DatabaseError, close_old_connections, connection, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from treem.jobs import files, registry
from treem.jobs.models import Job, JobCommit, JobStatus
from treem.jobs.services import jobs_prune_files, jobs_recover_stale

logger = logging.getLogger(__name__)

RECOVER_EVERY_SECONDS = 5.0
PRUNE_EVERY_SECONDS = 3600.0


class JobRun:
    """What a task sees of its job: arguments, input file, progress, and the commit mark."""

    def __init__(self, job: Job):
        self.job = job
        self.attempt = job.attempts
        self._progress: tuple[str, int, int | None] = (
            job.progress_stage,
            job.progress_done,
            job.progress_total,
        )
        self.committed = False

    @property
    def arguments(self) -> dict[str, Any]:
        return self.job.arguments

    @property
    def user(self):
        return self.job.requested_by

    @property
    def input_path(self) -> Path:
        return files.path_of(self.job.input_file)

    def progress(self, stage: str, done: int, total: int | None = None) -> None:
        """Report progress; cheap to call often (the heartbeat writes the latest value)."""
        self._progress = (stage, max(int(done), 0), None if total is None else int(total))

    def snapshot(self) -> tuple[str, int, int | None]:
        return self._progress

    def mark_committed(self) -> None:
        """Inside the transaction that writes the task's work: mark the work committed with it."""
        if self.committed:
            return
        if not connection.in_atomic_block:
            raise RuntimeError("mark_committed() belongs inside the transaction that writes the work")
        JobCommit.objects.create(job_id=self.job.pk, attempt=self.attempt)
        self.committed = True


class Heartbeat(threading.Thread):
    """Writes the job's heartbeat and progress from its own connection until stopped."""

    def __init__(self, run: JobRun, interval: float):
        super().__init__(name=f"treem-heartbeat-{run.job.pk}", daemon=True)
        self.run_ = run
        self.interval = interval
        self.stopped = threading.Event()

    def run(self) -> None:
        try:
            while not self.stopped.wait(self.interval):
                self.beat()
        finally:
            connection.close()  # this thread's own connection

    def beat(self) -> None:
        stage, done, total = self.run_.snapshot()
        try:
            Job.objects.filter(
                pk=self.run_.job.pk, status=JobStatus.RUNNING, attempts=self.run_.attempt
            ).update(
                heartbeat_at=timezone.now(), progress_stage=stage, progress_done=done, progress_total=total
            )
        except DatabaseError as exc:
            # SQLite: the task's write transaction holds the database; the next beat gets through.
            logger.info("heartbeat of job %s not written: %s", self.run_.job.pk, exc)

    def stop(self) -> None:
        self.stopped.set()
        self.join(timeout=max(self.interval * 2, 5))


def worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{threading.get_ident() % 100000}"


def claim(*, worker: str, job_id: int | None = None) -> Job | None:
    """Take the oldest queued job (or job ``job_id``) and mark it running; None when there is none."""
    with transaction.atomic():
        queued = Job.objects.select_for_update(skip_locked=True).filter(status=JobStatus.QUEUED)
        if job_id is not None:
            queued = queued.filter(pk=job_id)
        job = queued.order_by("created_at", "pk").first()
        if job is None:
            return None
        now = timezone.now()
        job.status = JobStatus.RUNNING
        job.attempts += 1
        job.worker = worker[:100]
        job.started_at = now
        job.heartbeat_at = now
        job.finished_at = None
        job.progress_stage, job.progress_done, job.progress_total = "", 0, None
        job.error = job.error_detail = ""
        job.save(
            update_fields=[
                "status",
                "attempts",
                "worker",
                "started_at",
                "heartbeat_at",
                "finished_at",
                "progress_stage",
                "progress_done",
                "progress_total",
                "error",
                "error_detail",
            ]
        )
    return Job.objects.select_related("requested_by", "unit").get(pk=job.pk)


def execute(job: Job, *, heartbeat: bool = True) -> Job:
    """Run a claimed job's task and record its outcome (done or failed)."""
    run = JobRun(job)
    beat = None
    if heartbeat:
        beat = Heartbeat(run, settings.TREEM_JOBS_HEARTBEAT_SECONDS)
        beat.start()
    try:
        with translation.override(job.language or settings.LANGUAGE_CODE):
            outcome = _outcome(job, run)
    finally:
        if beat is not None:
            beat.stop()
    return _finish(job, run, **outcome)


def _outcome(job: Job, run: JobRun) -> dict[str, Any]:
    if JobCommit.objects.filter(job_id=job.pk).exists():
        return {"status": JobStatus.DONE, "result": {"recovered": True}}
    kind = registry.find(job.kind)
    if kind is None:
        return {
            "status": JobStatus.FAILED,
            "error": _("This kind of job (%(kind)s) is unknown to this version of treem.")
            % {"kind": job.kind},
        }
    try:
        if kind.atomic:
            with transaction.atomic():
                result = kind.func(run)
                run.mark_committed()
        else:
            result = kind.func(run)
    except ValidationError as exc:
        if JobCommit.objects.filter(job_id=job.pk).exists():  # an earlier attempt committed it meanwhile
            return {"status": JobStatus.DONE, "result": {"recovered": True}}
        return {"status": JobStatus.FAILED, "error": " ".join(exc.messages)}
    except Exception as exc:
        logger.exception("job %s (%s) failed", job.pk, job.kind)
        if JobCommit.objects.filter(job_id=job.pk).exists():
            return {"status": JobStatus.DONE, "result": {"recovered": True}}
        return {
            "status": JobStatus.FAILED,
            "error": _("An unexpected error stopped the job; nothing it was writing was kept."),
            "detail": f"{type(exc).__name__}: {exc}"[:2000],
        }
    return {"status": JobStatus.DONE, "result": result}


def _finish(
    job: Job, run: JobRun, *, status: str, result: Any = None, error: str = "", detail: str = ""
) -> Job:
    stage, done, total = run.snapshot()
    values: dict[str, Any] = {
        "status": status,
        "result": result,
        "error": error,
        "error_detail": detail,
        "finished_at": timezone.now(),
        "progress_stage": stage,
        "progress_done": done,
        "progress_total": total,
    }
    if status == JobStatus.DONE:
        values["input_file"] = ""
        if total is not None:
            values["progress_done"] = total
    updated = Job.objects.filter(pk=job.pk, status=JobStatus.RUNNING, attempts=run.attempt).update(**values)
    if not updated:
        # Another worker found this attempt stale meanwhile and took the job over; its next
        # attempt sees the commit mark (if the work was committed) and does not redo it.
        logger.warning("job %s: attempt %s lost the job to another worker", job.pk, run.attempt)
    elif status == JobStatus.DONE:
        files.remove(job.input_file)
    job.refresh_from_db()
    if updated:
        _announce_end(job)
    return job


def _announce_end(job: Job) -> None:
    """Tell the job's owner it finished or failed (notifications/events.py)."""
    from treem.notifications.events import announce

    kind = {JobStatus.DONE: "jobs.job.done", JobStatus.FAILED: "jobs.job.failed"}.get(job.status)
    if kind is None or job.requested_by_id is None:
        return
    try:
        with transaction.atomic():
            announce(kind, job)
    except Exception:  # the job's outcome is recorded; a notification that fails must not undo it
        logger.exception("job %s: could not notify its owner", job.pk)


def run_inline(job: Job) -> Job | None:
    """Run one queued job now, in this thread (``TREEM_JOBS_INLINE``: tests)."""
    claimed = claim(worker=f"inline:{worker_name()}", job_id=job.pk)
    return execute(claimed, heartbeat=False) if claimed else None


class Worker:
    """The loop of ``treem worker``: recover stale jobs, claim one, run it, repeat."""

    def __init__(self, *, name: str | None = None, poll: float | None = None, heartbeat: bool = True):
        self.name = name or worker_name()
        self.poll = settings.TREEM_JOBS_POLL_SECONDS if poll is None else poll
        self.heartbeat = heartbeat
        self.stopping = threading.Event()
        self._recovered_at = 0.0
        self._pruned_at = 0.0

    def stop(self, *_args) -> None:
        """Finish the job in hand, then stop."""
        self.stopping.set()

    def install_signal_handlers(self) -> dict:
        """SIGTERM and SIGINT finish the job in hand, then stop; returns the handlers replaced."""
        return {sig: signal.signal(sig, self.stop) for sig in (signal.SIGTERM, signal.SIGINT)}

    def housekeeping(self) -> None:
        clock = time.monotonic()
        if not self._recovered_at or clock - self._recovered_at >= RECOVER_EVERY_SECONDS:
            jobs_recover_stale()
            self._recovered_at = clock
        if not self._pruned_at or clock - self._pruned_at >= PRUNE_EVERY_SECONDS:
            jobs_prune_files()
            self._pruned_at = clock

    def step(self) -> Job | None:
        """Run at most one job; returns it, or None when nothing was queued."""
        if not connection.in_atomic_block:  # (the tests' transaction is not the worker's to close)
            close_old_connections()  # a connection the database dropped while the worker waited
        self.housekeeping()
        job = claim(worker=self.name)
        if job is None:
            return None
        logger.info("job %s (%s) attempt %s started", job.pk, job.kind, job.attempts)
        job = execute(job, heartbeat=self.heartbeat)
        logger.info("job %s (%s) %s", job.pk, job.kind, job.status)
        return job

    def run(self, *, burst: bool = False, max_jobs: int | None = None) -> int:
        """Process jobs until stopped (or, with ``burst``, until the queue is empty). Returns the count."""
        count = 0
        while not self.stopping.is_set():
            if max_jobs is not None and count >= max_jobs:
                break
            try:
                job = self.step()
            except Exception:
                # The database went away, a deadlock…: a long-running worker waits and goes on
                # (a task's own errors never get here: they fail its job).
                if burst:
                    raise
                logger.exception("worker %s: error outside a job; trying again", self.name)
                self.stopping.wait(max(self.poll, 1.0))
                continue
            if job is None:
                if burst:
                    break
                self.stopping.wait(self.poll)
                continue
            count += 1
        return count

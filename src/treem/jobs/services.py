"""Writes on background jobs: queue one, retry one, notice the ones whose worker died, tidy files.

With ``TREEM_JOBS_INLINE`` (the tests) a queued job runs at once in the caller's thread, through
the same code as the worker; without it ``treem worker`` picks it up.
"""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from treem.audit.services import audit_record, diff, snapshot
from treem.core.scope import ScopeError
from treem.jobs import files, registry
from treem.jobs.models import Job, JobStatus

logger = logging.getLogger(__name__)

AUDITED_FIELDS = ("status", "attempts", "interruptions", "error")


def stale_after() -> dt.timedelta:
    """How long a running job may go without a heartbeat before it counts as interrupted."""
    return dt.timedelta(seconds=settings.TREEM_JOBS_STALE_SECONDS)


def job_enqueue(
    *,
    acting_user,
    kind: str,
    subject: str = "",
    arguments: dict[str, Any] | None = None,
    input_file: str = "",
    unit=None,
) -> Job:
    """Queue a job of ``kind`` for ``acting_user`` (and run it at once with ``TREEM_JOBS_INLINE``).

    The job row is the record of the request (who, what, when, with which file); the work it does
    writes its own audit events, in its own transaction.
    """
    job = _job_create(
        acting_user=acting_user,
        kind=kind,
        subject=subject,
        arguments=arguments or {},
        input_file=input_file,
        unit=unit,
    )
    return _run_now_if_inline(job)


@transaction.atomic
def _job_create(*, acting_user, kind, subject, arguments, input_file, unit) -> Job:
    if not (acting_user and acting_user.is_authenticated and acting_user.is_active):
        raise ScopeError("jobs: no acting user")
    if registry.find(kind) is None:
        raise ValidationError(_("There is no kind of job named “%(kind)s”.") % {"kind": kind}, code="kind")
    job = Job(
        kind=kind,
        subject=subject[:255],
        arguments=arguments,
        input_file=input_file,
        requested_by=acting_user,
        unit=unit,
        language=translation.get_language() or settings.LANGUAGE_CODE,
        max_attempts=settings.TREEM_JOBS_MAX_ATTEMPTS,
    )
    job.full_clean()
    job.save()
    return job


def job_enqueue_system(*, kind: str, subject: str = "", arguments: dict[str, Any] | None = None) -> Job:
    """Queue a job no user asked for (the e-mails of notifications), in the site's language.

    It has no owner: only administrators see it. Runs at once with ``TREEM_JOBS_INLINE``.
    """
    if registry.find(kind) is None:
        raise ValidationError(_("There is no kind of job named “%(kind)s”.") % {"kind": kind}, code="kind")
    job = Job(
        kind=kind,
        subject=subject[:255],
        arguments=arguments or {},
        language=settings.LANGUAGE_CODE,
        max_attempts=settings.TREEM_JOBS_MAX_ATTEMPTS,
    )
    job.full_clean()
    job.save()
    return _run_now_if_inline(job)


def job_retry(*, acting_user, job: Job) -> Job:
    """Queue a failed or interrupted job again, for its owner (audited)."""
    job = _job_requeue(acting_user=acting_user, job=job)
    return _run_now_if_inline(job)


@transaction.atomic
def _job_requeue(*, acting_user, job: Job) -> Job:
    job = (
        Job.objects.restrict(acting_user, "change")
        .select_for_update(of=("self",))  # the scope joins the unit (an outer join)
        .filter(pk=job.pk)
        .first()
    )
    if job is None:
        raise ScopeError("jobs.change_job")
    if not job.can_retry:
        raise ValidationError(
            _("Only a failed or interrupted job can be retried; this one is “%(status)s”.")
            % {"status": job.get_status_display()},
            code="status",
        )
    if job.input_file:
        try:
            present = files.path_of(job.input_file).is_file()
        except ValueError:
            present = False
        if not present:
            raise ValidationError(
                _("The file of this job is no longer kept: upload it again."), code="file_gone"
            )
    before = snapshot(job)
    job.status = JobStatus.QUEUED
    job.error = ""
    job.error_detail = ""
    job.finished_at = None
    job.progress_stage, job.progress_done, job.progress_total = "", 0, None
    job.save()
    audit_record(acting_user, "jobs.job.retried", job, changes=_audited(diff(before, snapshot(job))))
    return job


def _audited(changes: dict) -> dict:
    return {k: v for k, v in changes.items() if k in AUDITED_FIELDS}


def _run_now_if_inline(job: Job) -> Job:
    if settings.TREEM_JOBS_INLINE:
        from treem.jobs.worker import run_inline

        run_inline(job)
        job.refresh_from_db()
    return job


def jobs_recover_stale(*, now: dt.datetime | None = None) -> list[Job]:
    """Mark running jobs whose heartbeat stopped as interrupted; queue them again while attempts remain.

    A job whose work was committed by the attempt that died is queued too: its next attempt sees
    the commit mark and finishes without running the task again.
    """
    now = now or timezone.now()
    cutoff = now - stale_after()
    recovered = []
    with transaction.atomic():
        # SKIP LOCKED: a job whose worker is writing its commit mark right now is not stale.
        stale = (
            Job.objects.select_for_update(skip_locked=True)
            .filter(status=JobStatus.RUNNING, heartbeat_at__lt=cutoff)
            .order_by("pk")
        )
        for job in stale:
            before = snapshot(job)
            job.interruptions += 1
            again = job.attempts < job.max_attempts
            with translation.override(job.language or settings.LANGUAGE_CODE):
                job.error = _(
                    "The worker stopped while running this job (attempt %(attempt)s): nothing of that "
                    "attempt was kept."
                ) % {"attempt": job.attempts}
            job.status = JobStatus.QUEUED if again else JobStatus.INTERRUPTED
            job.finished_at = None if again else now
            job.save(update_fields=["interruptions", "error", "status", "finished_at"])
            audit_record(
                None,
                "jobs.job.interrupted",
                job,
                changes={**_audited(diff(before, snapshot(job))), "requeued": again},
                reason=f"no heartbeat since {job.heartbeat_at.isoformat()} (worker {job.worker})",
            )
            logger.warning(
                "job %s (%s) interrupted on worker %s; requeued: %s", job.pk, job.kind, job.worker, again
            )
            if not again and job.requested_by_id:
                from treem.notifications.events import announce

                announce("jobs.job.failed", job)  # no attempt left: its owner must act
            recovered.append(job)
    return recovered


def jobs_prune_files(*, now: dt.datetime | None = None) -> int:
    """Delete the input and output files of jobs that ended more than ``TREEM_JOBS_KEEP_FILES_HOURS`` ago.

    A done job's file goes as soon as it is done; a failed or interrupted job keeps it for a
    retry until then. Returns how many files were removed.
    """
    now = now or timezone.now()
    cutoff = now - dt.timedelta(hours=settings.TREEM_JOBS_KEEP_FILES_HOURS)
    old = Job.objects.filter(
        status__in=(JobStatus.DONE, JobStatus.FAILED, JobStatus.INTERRUPTED), finished_at__lt=cutoff
    ).exclude(input_file="")
    count = 0
    for job in old.only("pk", "input_file"):
        files.remove(job.input_file)
        Job.objects.filter(pk=job.pk).update(input_file="")
        count += 1
    # Files a job produced (exports, reports) hold personal data too: they go after the same delay.
    produced = Job.objects.filter(status=JobStatus.DONE, finished_at__lt=cutoff, result__has_key="outputs")
    for job in produced.only("pk", "result"):
        outputs = job.result.get("outputs") or []
        for output in outputs:
            files.remove(output.get("path", ""))
            count += 1
        result = {**job.result, "outputs": [], "outputs_removed": len(outputs)}
        Job.objects.filter(pk=job.pk).update(result=result)
    return count

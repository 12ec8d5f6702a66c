"""Background jobs: work that runs outside the request (imports now; exports, reminders, deadline
checks and reports as they land), queued in the database and run by ``treem worker``.

A job is queued → running → done, or failed (the task raised), or interrupted (its worker stopped
sending heartbeats: killed, out of memory, the machine restarted). An interrupted job is queued
again by itself up to ``max_attempts`` attempts; a failed or interrupted one can be retried by its
owner.

Who sees what
    A job belongs to the user who asked for it: its owner sees it while its unit (if any) is still
    in their scope. Users holding ``jobs.view_job`` (administrators) see the jobs of their units.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from treem.core.scope import ACTIONS, RestrictedQuerySet, permission_name, scope_q


class JobStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Running")
    DONE = "done", _("Done")
    FAILED = "failed", _("Failed")
    INTERRUPTED = "interrupted", _("Interrupted")


ACTIVE_STATUSES = (JobStatus.QUEUED, JobStatus.RUNNING)
RETRYABLE_STATUSES = (JobStatus.FAILED, JobStatus.INTERRUPTED)


class JobQuerySet(RestrictedQuerySet):
    """Jobs are their owner's: seen and retried by the user who asked for them.

    Holders of the model permission (administrators) also see the jobs of their units.
    """

    def restrict(self, user, action: str = "view") -> RestrictedQuerySet:
        if action not in ACTIONS:
            raise ValueError(f"Unknown action {action!r}")
        if user is None or not user.is_authenticated or not user.is_active:
            return self.none()
        place = scope_q(user, self.model.scope_path_lookup)  # None: not limited by place
        if user.has_perm(permission_name(self.model, action)):
            if place is None:
                return self
            allowed = place
        else:
            allowed = Q(pk__in=[])
        if action in ("view", "change"):
            # One's own jobs, while their unit is still one's own (a job without a unit has only
            # its owner to go by).
            own = Q(requested_by=user)
            if place is not None:
                own &= place | Q(unit__isnull=True)
            allowed |= own
        return self.filter(allowed)


class Job(models.Model):
    """One piece of background work, its progress and its outcome."""

    scope_path_lookup = "unit__path"

    kind = models.CharField(_("kind"), max_length=64)
    subject = models.CharField(
        _("about"), max_length=255, blank=True, help_text=_("What the job works on, e.g. a file name.")
    )
    arguments = models.JSONField(_("arguments"), default=dict, blank=True)
    input_file = models.CharField(
        _("input file"),
        max_length=255,
        blank=True,
        help_text=_("The uploaded file the job reads, under the private upload folder."),
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("requested by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="jobs",
    )
    unit = models.ForeignKey(
        "geo.Unit",
        verbose_name=_("unit"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    language = models.CharField(_("language"), max_length=10, blank=True)
    status = models.CharField(_("status"), max_length=12, choices=JobStatus.choices, default=JobStatus.QUEUED)
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    max_attempts = models.PositiveSmallIntegerField(_("most attempts after interruptions"), default=3)
    interruptions = models.PositiveIntegerField(_("interruptions"), default=0)
    progress_stage = models.CharField(_("stage"), max_length=32, blank=True)
    progress_done = models.BigIntegerField(_("done"), default=0)
    progress_total = models.BigIntegerField(_("total"), null=True, blank=True)
    result = models.JSONField(_("result"), null=True, blank=True)
    error = models.TextField(_("error"), blank=True)
    error_detail = models.TextField(_("technical detail"), blank=True)
    worker = models.CharField(_("worker"), max_length=100, blank=True)
    created_at = models.DateTimeField(_("queued at"), auto_now_add=True)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    heartbeat_at = models.DateTimeField(_("last heartbeat"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    objects = JobQuerySet.as_manager()

    class Meta:
        verbose_name = _("background job")
        verbose_name_plural = _("background jobs")
        ordering = ["-created_at", "-id"]
        indexes = [
            # The worker's claim: the oldest queued job; the stale check: running jobs.
            models.Index(fields=["status", "created_at"], name="jobs_job_status_created"),
            models.Index(fields=["requested_by", "-created_at"], name="jobs_job_owner_created"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(status__in=JobStatus.values), name="jobs_job_status_known"),
            models.CheckConstraint(condition=Q(progress_done__gte=0), name="jobs_job_progress_not_negative"),
        ]

    def __str__(self) -> str:
        label = str(self.kind_label)
        return f"{label}: {self.subject}" if self.subject else label

    def get_absolute_url(self) -> str:
        return reverse("jobs:job_detail", args=[self.pk])

    @property
    def kind_label(self):
        from treem.jobs import registry

        spec = registry.find(self.kind)
        return spec.label if spec else self.kind

    @property
    def is_active(self) -> bool:
        return self.status in ACTIVE_STATUSES

    @property
    def is_finished(self) -> bool:
        return not self.is_active

    @property
    def can_retry(self) -> bool:
        return self.status in RETRYABLE_STATUSES

    @property
    def percent(self) -> int | None:
        """Progress in per cent, when the total is known."""
        if self.status == JobStatus.DONE:
            return 100
        if not self.progress_total:
            return None
        return max(0, min(100, int(100 * self.progress_done / self.progress_total)))

    @property
    def stage_label(self):
        from treem.jobs import registry

        spec = registry.find(self.kind)
        if spec and self.progress_stage in spec.stages:
            return spec.stages[self.progress_stage]
        return self.progress_stage


class JobCommit(models.Model):
    """The mark that a job's work is committed, written in the same transaction as that work.

    A worker that dies after its task's transaction committed but before it recorded the job as
    done leaves this row behind: the next attempt sees it and does not run the task again, so a
    retried job never writes its work twice. (A row of its own, not a column of the job, so that
    writing it does not lock the job row the heartbeat keeps updating.)
    """

    job = models.OneToOneField(
        Job, verbose_name=_("job"), primary_key=True, on_delete=models.CASCADE, related_name="commit"
    )
    attempt = models.PositiveIntegerField(_("attempt"))
    committed_at = models.DateTimeField(_("committed at"), auto_now_add=True)

    class Meta:
        verbose_name = _("committed job")
        verbose_name_plural = _("committed jobs")
        ordering = ["job"]

    def __str__(self) -> str:
        return f"{self.job_id} ({self.attempt})"

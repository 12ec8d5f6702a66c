"""Reads of background jobs: always from what the user may see."""

from __future__ import annotations

from django.db.models import QuerySet

from treem.jobs.models import Job


def job_list(*, user, action: str = "view") -> QuerySet[Job]:
    """The jobs ``user`` may see (their own; an administrator's units' too), newest first."""
    return Job.objects.restrict(user, action).select_related("requested_by", "unit")

"""Pages of background jobs: the user's jobs, one job's progress and outcome, and a retry.

A job page refreshes its progress with htmx (``hx-trigger="every …"`` on the part that changes,
no inline script) until the job ends, then shows the outcome the job's kind describes.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import DetailView, ListView

from treem.audit.services import audit_record
from treem.jobs import files, registry, selectors, services
from treem.jobs.models import Job, JobStatus

POLL_SECONDS = 2


def job_context(job: Job) -> dict:
    """What a job page shows: the job, and its kind's own outcome template and context."""
    kind = registry.find(job.kind)
    context = {"job": job, "object": job, "poll_seconds": POLL_SECONDS, "result_template": ""}
    if kind and job.result is not None and not job.result.get("recovered"):
        context["result_template"] = kind.result_template
        if kind.result_context:
            context.update(kind.result_context(job))
    return context


def render_job(request, job: Job, *, status: int = 200) -> TemplateResponse:
    """The job page (only its changing part for an htmx refresh)."""
    template = "jobs/_job_body.html" if getattr(request, "htmx", False) else "jobs/job_detail.html"
    return TemplateResponse(request, template, job_context(job), status=status)


class JobListView(LoginRequiredMixin, ListView):
    """The user's background jobs, newest first."""

    template_name = "jobs/job_list.html"
    context_object_name = "jobs"
    paginate_by = 50

    def get_queryset(self):
        return selectors.job_list(user=self.request.user)


class JobDetailView(LoginRequiredMixin, DetailView):
    """One job: progress while it runs, its outcome when it ends; out of scope is 404."""

    def get_queryset(self):
        return selectors.job_list(user=self.request.user)

    def get(self, request, *args, **kwargs):
        return render_job(request, self.get_object())


class JobOutputView(LoginRequiredMixin, View):
    """Download a file a job produced (``result["outputs"]``): only the job's owner, audited."""

    def get(self, request, pk: int, name: str):
        try:
            # The owner's own jobs only: an administrator who may follow others' jobs does not get
            # the children's data they exported.
            job = get_object_or_404(
                selectors.job_list(user=request.user).filter(requested_by=request.user), pk=pk
            )
        except (ValueError, OverflowError) as exc:
            raise Http404 from exc
        output = next((o for o in (job.result or {}).get("outputs", []) if o.get("name") == name), None)
        if job.status != JobStatus.DONE or output is None:
            raise Http404
        try:
            handle = files.path_of(output["path"]).open("rb")
        except (ValueError, FileNotFoundError) as exc:
            raise Http404 from exc
        audit_record(
            request.user,
            "jobs.output.downloaded",
            job,
            unit=job.unit,
            changes={"output": name, "filename": output["filename"]},
        )
        response = FileResponse(handle, as_attachment=True, filename=output["filename"])
        response["Content-Type"] = output.get("content_type") or "application/octet-stream"
        response["Cache-Control"] = "no-store"
        return response


class JobRetryView(LoginRequiredMixin, View):
    """Queue a failed or interrupted job again."""

    def post(self, request, pk: int):
        try:
            job = get_object_or_404(selectors.job_list(user=request.user, action="change"), pk=pk)
        except (ValueError, OverflowError) as exc:
            raise Http404 from exc
        try:
            job = services.job_retry(acting_user=request.user, job=job)
        except ValidationError as exc:
            for message in exc.messages:
                messages.error(request, message)
        else:
            if job.is_active:
                messages.success(request, _("The job was queued again."))
        return redirect(job.get_absolute_url())

"""Pages of the consolidated report: the request form (queues a job and sends the user to the job's
progress page) and the download of the files a finished job made (the job's owner only, audited).
"""

from __future__ import annotations

from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.views import View

from treem.audit.services import audit_record
from treem.core.forms import apply_service_errors
from treem.jobs import files
from treem.jobs.models import Job, JobStatus
from treem.plans.models import COORDINATE
from treem.reporting import services
from treem.reporting.forms import ReportForm


class CoordinatorRequiredMixin(LoginRequiredMixin):
    """Consolidated reports are the plan coordinator's: anyone else signed in gets 403."""

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and not request.user.has_perm(COORDINATE):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)


def my_report_jobs(user):
    """The user's own report jobs (while their unit is still theirs), newest first."""
    return Job.objects.restrict(user).filter(requested_by=user, kind=services.KIND).select_related("unit")


class ReportFormView(CoordinatorRequiredMixin, View):
    """Choose the plan, year and period, then "Generate": the report is made in the background."""

    template_name = "reporting/report_form.html"

    def render_form(self, request, form, status: int = 200):
        context = {"form": form, "jobs": my_report_jobs(request.user)[:10]}
        return render(request, self.template_name, context, status=status)

    def get(self, request):
        return self.render_form(request, ReportForm(user=request.user))

    def post(self, request):
        form = ReportForm(request.POST, user=request.user)
        if not form.is_valid():
            return self.render_form(request, form, status=400)
        data = form.cleaned_data
        try:
            job = services.report_request(
                acting_user=request.user,
                plan=data["plan"],
                year=data["year"],
                period=data["period"],
                issuer=data["issuer"],
                number=data["number"],
                signer=data["signer"],
            )
        except ValidationError as exc:
            apply_service_errors(form, exc)
            return self.render_form(request, form, status=400)
        return redirect(job.get_absolute_url())


class ReportDownloadView(CoordinatorRequiredMixin, View):
    """A file of a finished report job, to the user who asked for it; every download is audited."""

    def get(self, request, pk: int, name: str):
        try:
            job = get_object_or_404(my_report_jobs(request.user).filter(status=JobStatus.DONE), pk=pk)
        except (ValueError, OverflowError) as exc:
            raise Http404 from exc
        output = next((o for o in (job.result or {}).get("outputs", []) if o.get("name") == name), None)
        if output is None:
            raise Http404
        try:
            handle = files.path_of(output["path"]).open("rb")
        except (ValueError, OSError) as exc:
            raise Http404 from exc
        audit_record(
            request.user,
            "reporting.report.downloaded",
            job,
            unit=job.unit,
            changes={"output": name, "filename": output["filename"]},
        )
        response = FileResponse(handle, as_attachment=True, filename=output["filename"])
        response["Content-Type"] = output.get("content_type") or "application/octet-stream"
        response["Cache-Control"] = "no-store, private"
        response["X-Content-Type-Options"] = "nosniff"
        return response

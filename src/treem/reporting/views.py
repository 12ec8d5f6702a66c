"""Pages of the consolidated report: the request form (queues a job and sends the user to the job's
progress page) and the download of the files a finished job made (the job's owner only, audited).
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views import View

from treem.audit.services import audit_record
from treem.core.forms import apply_service_errors
from treem.jobs import files
from treem.jobs.models import Job, JobStatus
from treem.plans.models import COORDINATE
from treem.reporting import selectors, services
from treem.reporting.forms import PeriodChoiceForm, ReportForm, ReportTextsForm
from treem.reporting.models import TEXT_FIELDS


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


class ReportTextsView(CoordinatorRequiredMixin, View):
    """The coordinator's own texts of a period's report (general assessment, difficulties,
    proposals, directions), written here before generating; saved through an audited service."""

    template_name = "reporting/texts_form.html"

    def render_form(self, request, form, status: int = 200):
        return render(request, self.template_name, {"form": form}, status=status)

    def get(self, request):
        chosen = PeriodChoiceForm(request.GET or None, user=request.user)
        initial = {}
        if request.GET and chosen.is_valid():
            data = chosen.cleaned_data
            initial = {"plan": data["plan"], "year": data["year"], "period": data["period"]}
            try:
                period = selectors.period_find(
                    user=request.user,
                    year=data["year"],
                    period=data["period"],
                    plan=data["plan"],
                    closed=False,
                )
            except ValidationError as exc:
                form = ReportTextsForm(initial=initial, user=request.user)
                apply_service_errors(form, exc)
                return self.render_form(request, form, status=400)
            texts = selectors.report_texts(user=request.user, period=period)
            if texts is not None:
                initial.update({name: getattr(texts, name) for name in TEXT_FIELDS})
        return self.render_form(request, ReportTextsForm(initial=initial, user=request.user))

    def post(self, request):
        form = ReportTextsForm(request.POST, user=request.user)
        if not form.is_valid():
            return self.render_form(request, form, status=400)
        data = form.cleaned_data
        try:
            period = selectors.period_find(
                user=request.user, year=data["year"], period=data["period"], plan=data["plan"], closed=False
            )
            services.report_texts_save(
                acting_user=request.user, period=period, **{name: data[name] for name in TEXT_FIELDS}
            )
        except ValidationError as exc:
            apply_service_errors(form, exc)
            return self.render_form(request, form, status=400)
        messages.success(request, _("The texts of %(period)s are saved.") % {"period": period.label})
        query = urlencode({"plan": data["plan"].pk, "year": data["year"], "period": data["period"]})
        return redirect(f"{reverse('reporting:report_texts')}?{query}")

"""Pages to import children from the template and to export what the user may see.

An uploaded file is checked to be a spreadsheet of the template's kind, kept in the private upload
folder (``MEDIA_ROOT/imports``, served by no URL) and imported by a background job
(``children.tasks``): the user follows its progress and sees its outcome on the job's page. With
``TREEM_JOBS_INLINE`` (the tests) the job has run by the time the upload is answered, and the
answer is that page itself.

The full error report of a refused file is kept under ``MEDIA_ROOT/import-reports`` in a file named
by the user's id and a random token, so only that user can download it; reports are removed after
a day.
"""

from __future__ import annotations

import re
import secrets
import tempfile
import time
from pathlib import Path

from django import forms
from django.conf import settings
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View

from treem.children import exporters, importers
from treem.children.filtersets import ChildFilterSet
from treem.children.importers import ChildImportError
from treem.children.models import Child
from treem.children.tasks import EXPORT_KIND, IMPORT_KIND
from treem.core.forms import apply_service_errors
from treem.core.uploads import check_upload
from treem.jobs import files as job_files
from treem.jobs.models import JobStatus
from treem.jobs.services import job_enqueue
from treem.jobs.views import render_job

UPLOAD_FOLDER = "imports"

REPORT_DIR_NAME = "import-reports"
REPORT_TTL_SECONDS = 24 * 3600
TOKEN_RE = re.compile(r"^[A-Za-z0-9_-]{20,64}$")
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def max_import_bytes() -> int:
    """Upload limit for children files (a separate, larger limit may be configured)."""
    return getattr(settings, "TREEM_MAX_CHILDREN_IMPORT_BYTES", settings.TREEM_MAX_IMPORT_BYTES)


def report_dir() -> Path:
    return Path(settings.MEDIA_ROOT) / REPORT_DIR_NAME


def report_path(user, token: str) -> Path:
    """Where the error report of ``user``'s import with ``token`` is kept."""
    return report_dir() / f"{user.pk}-{token}.xlsx"


def _remove_old_reports() -> None:
    limit = time.time() - REPORT_TTL_SECONDS
    for path in report_dir().glob("*.xlsx"):
        try:
            if path.stat().st_mtime < limit:
                path.unlink()
        except FileNotFoundError:  # removed by a concurrent request
            pass


class ChildImportForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("File"),
        help_text=gettext_lazy("An .xlsx or .csv file in the template: one child per row."),
    )
    dry_run = forms.BooleanField(
        label=gettext_lazy("Check only (write nothing)"),
        required=False,
        widget=forms.CheckboxInput(attrs={"class": "form-check-input"}),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        limit = max_import_bytes()
        if upload.size > limit:
            raise forms.ValidationError(
                _("The file is larger than %(limit)s MB.") % {"limit": limit // (1024 * 1024)}
            )
        check_upload(upload, name=upload.name)  # a workbook is measured before it is parsed or stored
        return upload


class ChildExportForm(forms.Form):
    format = forms.ChoiceField(
        label=gettext_lazy("Format"),
        choices=[("xlsx", gettext_lazy("Excel (.xlsx)")), ("csv", gettext_lazy("CSV (UTF-8)"))],
        initial="xlsx",
        widget=forms.RadioSelect,
    )
    deidentified = forms.BooleanField(
        label=gettext_lazy(
            "Leave out identifying fields (name, personal ID number, date of birth — the year stays —, "
            "village, head of household, notes, record and source numbers)"
        ),
        required=False,
        initial=True,
        widget=forms.CheckboxInput(attrs={"class": "form-check-input"}),
    )


class _PermissionMixin(LoginRequiredMixin):
    permission = "children.add_child"

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and not request.user.has_perm(self.permission):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)


class ChildImportView(_PermissionMixin, View):
    """Upload a children file: check it, and import it when every row is valid."""

    template_name = "children/import/upload.html"

    def get(self, request):
        return render(request, self.template_name, self._context(ChildImportForm()))

    def _context(self, form, **extra):
        return {
            "form": form,
            "columns": importers.COLUMNS,
            "max_mb": max_import_bytes() // (1024 * 1024),
            **extra,
        }

    def post(self, request):
        form = ChildImportForm(request.POST, request.FILES)
        if not form.is_valid():
            return render(request, self.template_name, self._context(form), status=400)
        upload = form.cleaned_data["file"]
        file_name = Path(upload.name).name
        stored = job_files.store_upload(upload, UPLOAD_FOLDER)
        try:
            _check_kind(job_files.path_of(stored), file_name)
        except ChildImportError as exc:
            job_files.remove(stored)
            form.add_error("file", exc.messages)
            return render(request, self.template_name, self._context(form), status=400)
        _remove_old_reports()
        job = job_enqueue(
            acting_user=request.user,
            kind=IMPORT_KIND,
            subject=file_name,
            arguments={
                "file_name": file_name,
                "dry_run": form.cleaned_data["dry_run"],
                "report_token": secrets.token_urlsafe(24),
            },
            input_file=stored,
            unit=_only_unit(request.user),
        )
        if job.is_active:
            return redirect(job.get_absolute_url())
        # Run at once (TREEM_JOBS_INLINE): the outcome is the answer to the upload.
        refused = job.status != JobStatus.DONE or not (job.result or {}).get("ok", True)
        return render_job(request, job, status=400 if refused else 200)


def _check_kind(path: Path, file_name: str) -> None:
    """Refuse at once a file that is no spreadsheet of the template's kind (read from its content)."""
    source = importers.open_source(path, file_name, measured=True)  # measured by the form
    source.rows.close()


def _only_unit(user):
    """The job's unit: the user's unit when they have exactly one (None otherwise)."""
    assignments = list(user.unit_assignments.select_related("unit")[:2])
    return assignments[0].unit if len(assignments) == 1 else None


class ChildImportTemplateView(_PermissionMixin, View):
    """The import template, made on the fly: .xlsx (with instructions) or .csv."""

    def get(self, request, fmt: str):
        if fmt == "xlsx":
            content, content_type = importers.template_xlsx(), XLSX_TYPE
        elif fmt == "csv":
            content, content_type = importers.template_csv(), "text/csv; charset=utf-8"
        else:
            raise Http404
        response = HttpResponse(content, content_type=content_type)
        response["Content-Disposition"] = f'attachment; filename="mau-nhap-tre-em.{fmt}"'
        return response


class ChildImportReportView(_PermissionMixin, View):
    """The full error report of the user's own refused import; anyone else gets 404."""

    def get(self, request, token: str):
        if not TOKEN_RE.match(token):
            raise Http404
        path = report_path(request.user, token)
        try:
            handle = path.open("rb")
        except FileNotFoundError as exc:
            raise Http404 from exc
        return FileResponse(
            handle, as_attachment=True, filename="loi-nhap-tre-em.xlsx", content_type=XLSX_TYPE
        )


class ChildExportView(_PermissionMixin, View):
    """Export the children the user may see, filtered as on the list; every export is audited.

    Without ``format`` in the query: a page to choose the format and whether identifying fields
    go out. With it: the file (CSV streamed).
    """

    permission = "children.view_child"
    template_name = "children/import/export.html"

    def get(self, request):
        params = request.GET.copy()
        if "format" not in params:
            return self._page(request, ChildExportForm())
        form = ChildExportForm(params)
        if not form.is_valid():
            return self._page(request, form, status=400)
        if form.cleaned_data["format"] == "xlsx":
            return self._export_in_background(request, form, params)
        try:
            export = exporters.children_export(
                acting_user=request.user,
                filters=params,
                fmt=form.cleaned_data["format"],
                identifying=not form.cleaned_data["deidentified"],
            )
        except ValidationError as exc:
            if hasattr(exc, "error_dict") and "format" not in exc.error_dict:
                # Filters that do not parse: say so rather than export more than was asked.
                form.add_error(
                    None, _("The filters of the list are not valid; go back to the list and filter again.")
                )
            else:
                apply_service_errors(form, exc)
            return self._page(request, form, status=400)
        if export.fmt == "csv":
            response = StreamingHttpResponse(
                exporters.csv_chunks(export), content_type="text/csv; charset=utf-8"
            )
        else:
            handle = tempfile.TemporaryFile(prefix="treem-export-")  # noqa: SIM115 - closed by FileResponse
            exporters.write_xlsx(export, handle)
            handle.seek(0)
            response = FileResponse(handle, content_type=XLSX_TYPE)
        response["Content-Disposition"] = f'attachment; filename="{export.filename}"'
        return response

    def _export_in_background(self, request, form, params):
        """An Excel workbook is written by the worker: the page follows it and offers the file."""
        filters = {name: params.getlist(name) for name in params if name in ChildFilterSet.base_filters}
        filterset = ChildFilterSet(params, queryset=Child.objects.restrict(request.user, "view"))
        if not filterset.is_valid():
            form.add_error(
                None, _("The filters of the list are not valid; go back to the list and filter again.")
            )
            return self._page(request, form, status=400)
        identifying = not form.cleaned_data["deidentified"]
        job = job_enqueue(
            acting_user=request.user,
            kind=EXPORT_KIND,
            subject=_("Children, Excel") if identifying else _("Children, Excel, de-identified"),
            arguments={"filters": filters, "identifying": identifying},
        )
        if job.status == JobStatus.FAILED and job.error:
            form.add_error(None, job.error)
            return self._page(request, form, status=400)
        return redirect(job.get_absolute_url())

    def _page(self, request, form, status: int = 200):
        # The list's filters travel with the form as hidden fields.
        kept = [
            (name, value)
            for name, values in request.GET.lists()
            if name in ChildFilterSet.base_filters
            for value in values
        ]
        return render(request, self.template_name, {"form": form, "kept": kept}, status=status)

"""Background jobs of the child database: importing a children file.

The import (``importers.children_import``) checks every row, then writes them all in one
transaction. As a job it reports its progress through the importer's ``progress`` callback, and
marks its work committed inside that same write transaction (the first time the write stage
reports progress), so a worker killed at any moment leaves either nothing written or the whole
file written and known to be: a retry never imports the file twice.
"""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from treem.children import importers
from treem.core.files import private_folder, write_private
from treem.jobs.registry import register

IMPORT_KIND = "children.import"


def import_result(result: importers.ImportResult, report_token: str) -> dict:
    """The import's outcome as the job keeps it (JSON), for the result page."""
    return {
        **result.as_dict(),
        "file_name": result.file_name,
        "dry_run": result.dry_run,
        "written": result.written,
        "ok": result.ok,
        "notices": [str(n) for n in result.notices],
        "error_count": result.error_count,
        "stopped_at_row": result.stopped_at_row,
        "errors": [e._asdict() for e in result.errors],
        "report_token": report_token if result.report_path else "",
    }


def import_result_context(job) -> dict:
    result = job.result or {}
    token = result.get("report_token", "")
    return {
        "result": result,
        "report_url": reverse("children:import_report", args=[token]) if token else "",
        "errors_shown": importers.ERRORS_KEPT,
    }


@register(
    IMPORT_KIND,
    label=_("Import children"),
    atomic=False,  # the importer writes in its own transaction, after a long read-only check
    stages={"check": _("Checking the rows"), "write": _("Writing the children")},
    result_template="children/import/_result.html",
    result_context=import_result_context,
)
def children_import_job(run) -> dict:
    from treem.children.views_import import report_path  # the report is served by the import pages

    arguments = run.arguments
    dry_run = bool(arguments.get("dry_run"))
    token = arguments["report_token"]

    def progress(stage: str, done: int, total: int | None) -> None:
        run.progress(stage, done, total)
        if stage == "write" and not dry_run:
            run.mark_committed()  # called inside the importer's write transaction

    report = report_path(run.user, token)
    # The report lists refused rows with their values (children's data): its file is created
    # owner-only before the importer fills it, and removed when there is nothing to report.
    private_folder(report.parent)
    write_private(report, b"", replace=True)
    try:
        result = importers.children_import(
            acting_user=run.user,
            path=run.input_path,
            file_name=arguments.get("file_name") or run.job.subject,
            dry_run=dry_run,
            progress=progress,
            report_path=report,
        )
    except BaseException:
        report.unlink(missing_ok=True)
        raise
    if not result.report_path:
        report.unlink(missing_ok=True)
    return import_result(result, token)


EXPORT_KIND = "children.export"
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@register(
    EXPORT_KIND,
    label=_("Export children to Excel"),
    stages={"write": _("Writing the workbook")},
    result_template="children/import/_export_result.html",
)
def children_export_job(run) -> dict:
    """Write an Excel export of the children the requester may see, filtered as asked.

    The export is allowed, counted and audited when it runs (``exporters.children_export``), with
    the requester's rights at that moment; the file is private and served to the requester only.
    """
    from django.http import QueryDict

    from treem.children import exporters
    from treem.jobs import files

    arguments = run.arguments
    filters = QueryDict(mutable=True)
    for name, values in arguments.get("filters", {}).items():
        filters.setlist(name, values)
    export = exporters.children_export(
        acting_user=run.user, filters=filters, fmt="xlsx", identifying=bool(arguments.get("identifying"))
    )
    run.progress("write", 0, export.count)
    relative, path = files.new_output("exports", ".xlsx")
    exporters.write_xlsx(export, path)
    run.progress("write", export.count, export.count)
    return {
        "rows": export.count,
        "outputs": [
            {"name": "xlsx", "path": relative, "filename": export.filename, "content_type": XLSX_TYPE}
        ],
    }


DUPLICATES_KIND = "children.duplicates"


@register(
    DUPLICATES_KIND,
    label=_("Look for duplicate children"),
    stages={
        "communes": _("Comparing the children of each commune"),
        "across": _("Comparing names across communes"),
        "numbers": _("Comparing ID numbers"),
        "saving": _("Saving the pairs found"),
    },
    result_template="children/quality/_duplicates_result.html",
)
def duplicates_find_job(run) -> dict:
    """Look for possible duplicates among the children under a unit (a commune or the whole
    province) that the requester may change, and store the pairs for review."""
    from dataclasses import asdict

    from treem.children.duplicates import duplicates_refresh
    from treem.children.models import Child
    from treem.geo.models import Unit

    unit = Unit.objects.get(pk=run.arguments["unit"])
    result = duplicates_refresh(
        acting_user=run.user, queryset=Child.objects.all(), unit=unit, progress=run.progress
    )
    return {**asdict(result), "unit": unit.pk, "unit_name": unit.name}

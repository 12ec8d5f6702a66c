"""The background job of the consolidated report (``reporting.consolidated``).

The task reads the plan's tasks and reports and the indicator table, builds the .docx and .xlsx,
stores them as private job outputs (``jobs.files.new_output``: outside the web root, owner-only
mode) and records the generation in the audit log, in the job's transaction. The result page
offers both files through ``reporting:report_download`` (the owner only, each download audited).
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from treem.jobs import files
from treem.jobs.registry import register
from treem.plans.models import ReportingPeriod
from treem.reporting import services, workbook
from treem.reporting.document import Issuer

DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def result_context(job) -> dict:
    outputs = (job.result or {}).get("outputs", [])
    return {
        "report": job.result or {},
        "downloads": [
            {**o, "url": reverse("reporting:report_download", args=[job.pk, o["name"]])} for o in outputs
        ],
    }


@register(
    services.KIND,
    label=gettext_lazy("Consolidated report"),
    stages={
        "check": gettext_lazy("Checking the period"),
        "tasks": gettext_lazy("Reading the tasks and the agencies' reports"),
        "indicators": gettext_lazy("Computing the indicators against targets"),
        "docx": gettext_lazy("Writing the report (.docx)"),
        "xlsx": gettext_lazy("Writing the figures (.xlsx)"),
        "store": gettext_lazy("Storing the files"),
    },
    result_template="reporting/_result.html",
    result_context=result_context,
)
def consolidated_report_job(run) -> dict:
    arguments = run.arguments
    period = (
        ReportingPeriod.objects.select_related("plan", "plan__unit")
        .filter(pk=arguments.get("period"))
        .first()
    )
    if period is None:
        raise ValidationError(_("The reporting period of this report no longer exists."))
    issuer: Issuer = services.issuer_for(
        acting_user=run.user,
        kind=arguments.get("issuer", "committee"),
        number=arguments.get("number", ""),
        signer=arguments.get("signer", ""),
    )
    report = services.report_generate(
        acting_user=run.user, period=period, issuer=issuer, progress=run.progress
    )
    run.progress("store", 0, 2)
    written = []
    try:
        outputs = []
        for name, data, filename, content_type in (
            ("docx", report.docx, report.docx_name, DOCX_TYPE),
            ("xlsx", report.xlsx, report.xlsx_name, workbook.CONTENT_TYPE),
        ):
            relative, path = files.new_output("reports", f".{name}")
            written.append(relative)
            path.write_bytes(data)
            outputs.append(
                {"name": name, "path": relative, "filename": filename, "content_type": content_type}
            )
            run.progress("store", len(outputs), 2)
    except BaseException:
        for relative in written:
            files.remove(relative)
        raise
    return {
        "period": period.label,
        "plan": str(period.plan),
        "tasks": len(report.data.tasks),
        "indicators": len(report.data.indicators),
        "reports_accepted": report.data.reports_accepted,
        "outputs": outputs,
    }

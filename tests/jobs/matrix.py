"""Access lines of the jobs pages added after the central table: files a job produced."""

from __future__ import annotations

from django.utils import timezone

from tests.matrix import Endpoint
from treem.jobs import files
from treem.jobs.models import Job, JobStatus


def records(side, tag: str, personas: dict) -> None:
    """A finished Excel export of the side's user, its file still kept."""
    relative, path = files.new_output("exports", ".xlsx")
    path.write_bytes(b"PK\x03\x04 not really a workbook")
    side.export_job = Job.objects.create(
        kind="children.export",
        subject=f"Xuất trẻ em {tag}",
        requested_by=side.user,
        unit=side.commune,
        status=JobStatus.DONE,
        attempts=1,
        finished_at=timezone.now(),
        result={
            "rows": 1,
            "outputs": [
                {"name": "xlsx", "path": relative, "filename": f"tre-em-{tag}.xlsx", "content_type": ""}
            ],
        },
    )


ENDPOINTS = (
    Endpoint(
        "jobs:job_output",
        open_to_all="the user downloads the file their own job produced",
        record="export_job",
        kwargs=lambda side: {"pk": side.export_job.pk, "name": "xlsx"},
        events=1,
    ),
)

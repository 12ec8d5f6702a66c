"""The job pages and the children import as a background job, with a real queue."""

from __future__ import annotations

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from treem.audit.models import AuditEvent
from treem.children import importers
from treem.children.models import Child
from treem.jobs import files
from treem.jobs.models import Job, JobStatus
from treem.jobs.services import job_enqueue
from treem.jobs.worker import Worker, claim


def run_queue() -> int:
    return Worker(heartbeat=False).run(burst=True)


def children_csv(*rows: str, name: str = "tre-em.csv") -> SimpleUploadedFile:
    header = importers.template_csv()
    width = header.count(b",")
    lines = [row.encode() + b"," * (width - row.count(",")) for row in rows]
    return SimpleUploadedFile(name, header + b"\r\n".join(lines) + b"\r\n", content_type="text/csv")


def child_row(name: str, commune: str = "20001") -> str:
    return f"{name},Nữ,,2017,,Kinh,VN,{commune}"


@pytest.fixture
def echo(kinds):
    def task(run):
        run.progress("write", 3, 4)
        return {}

    kinds("test.echo", task, stages={"write": "Writing things"})
    return "test.echo"


# --- the import as a job ----------------------------------------------------------------------


def test_an_upload_is_kept_privately_and_imported_by_the_worker(client, queue, officer_a, geo):
    client.force_login(officer_a)
    response = client.post(
        reverse("children:import"), {"file": children_csv(child_row("Trẻ Một"), child_row("Trẻ Hai"))}
    )
    job = Job.objects.get()
    assert response.status_code == 302 and response["Location"] == job.get_absolute_url()
    assert (job.kind, job.subject, job.status, job.unit) == (
        "children.import",
        "tre-em.csv",
        "queued",
        geo.commune_a,
    )
    stored = files.path_of(job.input_file)
    assert stored.is_file() and stored.parent.name == "imports" and stored.stat().st_mode & 0o777 == 0o600
    assert Child.objects.count() == 0

    # While it waits, the page says so and follows it with htmx (no script of its own).
    page = client.get(job.get_absolute_url()).content.decode()
    assert "Waiting for a worker…" in page and 'hx-trigger="every 2s"' in page
    assert not re.search(r"<script(?![^>]*\bsrc=)", page), "an inline script (the CSP forbids them)"

    assert run_queue() == 1
    job.refresh_from_db()
    assert job.status == JobStatus.DONE and job.result["created"] == 2 and job.result["ok"]
    assert (job.progress_stage, job.progress_done, job.progress_total) == ("write", 2, 2)
    assert Child.objects.filter(created_by=officer_a, commune=geo.commune_a).count() == 2
    assert AuditEvent.objects.filter(action="children.child.imported", actor=officer_a).count() == 1
    assert not stored.exists() and job.input_file == ""

    page = client.get(job.get_absolute_url())
    text = page.content.decode()
    assert page.status_code == 200 and "imported." in text and 'data-testid="import-counts"' in text
    assert "hx-trigger" not in text  # done: the page no longer polls
    assert 'data-testid="job-retry"' not in text


def test_a_refused_file_shows_its_problems_and_report_on_the_job_page(client, queue, officer_a, geo):
    client.force_login(officer_a)
    client.post(reverse("children:import"), {"file": children_csv(child_row("Trẻ Lạc", commune="99999"))})
    run_queue()
    job = Job.objects.get()
    assert job.status == JobStatus.DONE and job.result["ok"] is False and job.result["error_count"] == 1
    page = client.get(job.get_absolute_url())
    text = page.content.decode()
    assert "1 problem in 1 rows. Nothing was imported" in text
    assert "No commune in force today has the code 99999." in text
    report = client.get(page.context["report_url"])
    assert report.status_code == 200 and b"".join(report.streaming_content).startswith(b"PK")
    assert Child.objects.count() == 0


def test_a_file_that_is_no_spreadsheet_is_refused_at_once(client, queue, officer_a, geo, settings):
    client.force_login(officer_a)
    png = SimpleUploadedFile("anh.xlsx", b"\x89PNG\r\n\x1a\n" + b"\x00" * 64)
    response = client.post(reverse("children:import"), {"file": png})
    assert response.status_code == 400
    assert "is not an Excel workbook (.xlsx)" in response.content.decode()
    assert not Job.objects.exists()
    assert not list((settings.MEDIA_ROOT / "imports").glob("*")), "the refused upload was kept"


def test_an_import_that_fails_in_the_worker_can_be_retried(client, queue, officer_a, geo):
    client.force_login(officer_a)
    client.post(reverse("children:import"), {"file": children_csv(child_row("Trẻ Ba"))})
    job = Job.objects.get()
    officer_a.is_active = False  # the job runs as its owner: an inactive owner cannot import
    officer_a.save()
    run_queue()
    job.refresh_from_db()
    assert job.status == JobStatus.FAILED and job.error == "Name the user who imports the file."
    assert files.path_of(job.input_file).exists()  # kept for the retry
    officer_a.is_active = True
    officer_a.save()
    client.force_login(officer_a)
    page = client.get(job.get_absolute_url()).content.decode()
    assert "Name the user who imports the file." in page and 'data-testid="job-retry"' in page
    response = client.post(reverse("jobs:job_retry", args=[job.pk]))
    assert response.status_code == 302 and response["Location"] == job.get_absolute_url()
    run_queue()
    job.refresh_from_db()
    assert (job.status, job.attempts, job.result["created"]) == (JobStatus.DONE, 2, 1)
    assert Child.objects.get().full_name == "Trẻ Ba"


# --- the pages --------------------------------------------------------------------------------


def test_the_progress_bar_follows_a_running_job(client, queue, echo, officer_a):
    job = job_enqueue(acting_user=officer_a, kind=echo, subject="báo cáo")
    job = claim(worker="test")
    Job.objects.filter(pk=job.pk).update(progress_stage="write", progress_done=1500, progress_total=6000)
    client.force_login(officer_a)
    page = client.get(job.get_absolute_url()).content.decode()
    assert "<html" in page and "Writing things: 1,500 of 6,000" in page
    assert '<progress class="w-100" max="100" value="25"' in page
    partial = client.get(job.get_absolute_url(), HTTP_HX_REQUEST="true")
    text = partial.content.decode()
    assert (
        partial.status_code == 200
        and "<html" not in text
        and text.lstrip().startswith('<section id="job-body"')
    )
    assert f'hx-get="{job.get_absolute_url()}"' in text and 'hx-swap="outerHTML"' in text


def test_an_interrupted_job_says_so_and_offers_a_retry(client, queue, echo, officer_a):
    job = job_enqueue(acting_user=officer_a, kind=echo)
    Job.objects.filter(pk=job.pk).update(
        status=JobStatus.INTERRUPTED,
        interruptions=3,
        attempts=3,
        error="The worker stopped.",
        finished_at=timezone.now(),
    )
    client.force_login(officer_a)
    text = client.get(job.get_absolute_url()).content.decode()
    assert "The worker running this job stopped 3 times" in text and "The worker stopped." in text
    assert 'data-testid="job-retry"' in text and "hx-trigger" not in text
    response = client.post(reverse("jobs:job_retry", args=[job.pk]), follow=True)
    job.refresh_from_db()
    assert job.status == JobStatus.QUEUED and "The job was queued again." in response.content.decode()


def test_retrying_a_done_job_shows_why_not(client, queue, echo, officer_a):
    job = job_enqueue(acting_user=officer_a, kind=echo)
    run_queue()
    client.force_login(officer_a)
    response = client.post(reverse("jobs:job_retry", args=[job.pk]), follow=True)
    assert "Only a failed or interrupted job can be retried" in response.content.decode()
    assert not AuditEvent.objects.filter(action="jobs.job.retried").exists()


def test_someone_elses_job_is_not_found(client, queue, echo, officer_a, officer_b):
    job = job_enqueue(acting_user=officer_a, kind=echo, subject="tệp của An")
    Job.objects.filter(pk=job.pk).update(status=JobStatus.FAILED)
    client.force_login(officer_b)
    assert client.get(job.get_absolute_url()).status_code == 404
    assert client.post(reverse("jobs:job_retry", args=[job.pk])).status_code == 404
    listing = client.get(reverse("jobs:job_list"))
    assert listing.status_code == 200 and "tệp của An" not in listing.content.decode()
    job.refresh_from_db()
    assert job.status == JobStatus.FAILED


def test_the_list_shows_the_users_jobs_and_administrators_see_who_asked(
    client, queue, echo, officer_a, admin
):
    job_enqueue(acting_user=officer_a, kind=echo, subject="danh-sach-1.xlsx")
    client.force_login(officer_a)
    text = client.get(reverse("jobs:job_list")).content.decode()
    assert "danh-sach-1.xlsx" in text and "Queued" in text and "Requested by" not in text
    assert f'href="{reverse("jobs:job_list")}"' in text  # the navigation's link
    client.force_login(admin)
    text = client.get(reverse("jobs:job_list")).content.decode()
    assert "danh-sach-1.xlsx" in text and "Requested by" in text and str(officer_a) in text


def test_pages_need_a_signed_in_user(client, queue, echo, officer_a):
    job = job_enqueue(acting_user=officer_a, kind=echo)
    for url in (reverse("jobs:job_list"), job.get_absolute_url()):
        assert client.get(url).status_code == 302
    assert client.post(reverse("jobs:job_retry", args=[job.pk])).status_code == 302

"""A worker killed with SIGKILL in the middle of a large import leaves nothing written, and the job
is retried to completion by the next worker, every row imported exactly once.

PostgreSQL only: the worker is a real ``treem worker`` process on the same test database, and the
kill has to land while it writes, inside its open transaction (which PostgreSQL rolls back when
the connection dies). SQLite's test database lives in this process's memory, out of another
process's reach.
"""

from __future__ import annotations

import csv
import datetime as dt
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import quote

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from treem.audit.models import AuditEvent
from treem.children.importers import COLUMN_BY_KEY
from treem.children.models import Child, Household
from treem.children.synthetic import generate
from treem.jobs.models import Job, JobCommit, JobStatus

ROWS = 50_000
STALE_SECONDS = 2
pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="needs PostgreSQL: a worker process cannot reach SQLite's in-memory test database",
)


def write_csv(path: Path, rows: int, commune: str, village: str) -> Path:
    """A children file in the template's columns, as bench/children_bench.py writes one."""
    keys = ["full_name", "sex", "birth_date", "birth_year", "personal_id", "ethnicity", "commune", "village"]
    keys.append("source_key")
    today = timezone.localdate() - dt.timedelta(days=1)
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow([COLUMN_BY_KEY[k].header for k in keys])
        for child in generate(rows, communes=[(commune, [village])], today=today):
            writer.writerow(
                [
                    child.full_name,
                    "Nam" if child.sex == "male" else "Nữ",
                    child.birth_date.strftime("%d/%m/%Y") if child.birth_date else "",
                    child.birth_year,
                    child.personal_id,
                    child.ethnicity_code,
                    child.commune_code,
                    child.village_name,
                    child.source_key,
                ]
            )
    return path


def database_url() -> str:
    """The URL of the test database this test runs on (pytest-django's ``test_…`` copy)."""
    db = connection.settings_dict
    user = quote(db["USER"] or "", safe="")
    password = f":{quote(db['PASSWORD'], safe='')}" if db["PASSWORD"] else ""
    host = db["HOST"] or "127.0.0.1"
    port = f":{db['PORT']}" if db["PORT"] else ""
    return f"postgres://{user}{password}@{host}{port}/{quote(db['NAME'], safe='')}"


# The first worker writes each batch of rows a little slowly, so that the test sees it in the
# write stage whatever the machine's speed (on a quiet machine the whole write takes ~2 s), and
# kills it there. The code run is the real worker command; only the pace of the batches changes.
SLOW_WORKER = """
import os, sys, time
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "treem.settings")
import django
django.setup()
from treem.children import importers
write = importers._insert_children
def slowly(*args, **kwargs):
    time.sleep(0.2)
    return write(*args, **kwargs)
importers._insert_children = slowly
from django.core.management import execute_from_command_line
execute_from_command_line(["treem", *sys.argv[1:]])
"""


def start_worker(data_dir: Path, log: Path, *, slow: bool = False, **env: str) -> subprocess.Popen:
    environment = {
        **os.environ,
        "TREEM_DATABASE_URL": database_url(),
        "TREEM_DATA_DIR": str(data_dir),
        "TREEM_JOBS_HEARTBEAT_SECONDS": "0.1",
        "TREEM_JOBS_STALE_SECONDS": str(STALE_SECONDS),
        "TREEM_LOG_LEVEL": "INFO",
        **env,
    }
    return subprocess.Popen(
        [
            sys.executable,
            *(["-c", SLOW_WORKER] if slow else ["-m", "treem.cli"]),
            "worker",
            "--burst",
            "-v",
            "2",
        ],
        env=environment,
        stdout=log.open("w"),
        stderr=subprocess.STDOUT,
    )


def wait_for(condition, *, seconds: float, what: str, worker: subprocess.Popen, log: Path):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        if worker.poll() is not None:
            pytest.fail(
                f"the worker ended (exit {worker.returncode}) before {what}:\n{log.read_text()[-3000:]}"
            )
        time.sleep(0.02)
    pytest.fail(f"no {what} within {seconds} s:\n{log.read_text()[-3000:]}")


@pytest.mark.django_db(transaction=True)
def test_sigkill_during_a_large_import_leaves_nothing_and_the_retry_imports_every_row_once(
    client, settings, officer_a, geo, tmp_path
):
    settings.TREEM_JOBS_INLINE = False
    data_dir = tmp_path / "data"
    settings.MEDIA_ROOT = data_dir / "uploads"  # where the worker process looks (TREEM_DATA_DIR/uploads)
    source = write_csv(tmp_path / "tre-em-lon.csv", ROWS, geo.commune_a.code, geo.village_a.name)

    client.force_login(officer_a)
    upload = SimpleUploadedFile(source.name, source.read_bytes(), content_type="text/csv")
    response = client.post(reverse("children:import"), {"file": upload})
    job = Job.objects.get()
    assert response.status_code == 302 and job.status == JobStatus.QUEUED
    before = (Child.objects.count(), Household.objects.count())

    # 1. A worker starts the import; it is killed while it writes the rows.
    log = tmp_path / "worker-1.log"
    worker = start_worker(data_dir, log, slow=True)
    try:

        def writing():
            job.refresh_from_db()
            return job.progress_stage == "write" and 0 < job.progress_done <= ROWS // 2

        wait_for(writing, seconds=60, what="progress in the write stage", worker=worker, log=log)
        worker.send_signal(signal.SIGKILL)
        assert worker.wait(timeout=10) == -signal.SIGKILL
    finally:
        if worker.poll() is None:
            worker.kill()
    written_when_killed = job.progress_done

    job.refresh_from_db()
    assert job.status == JobStatus.RUNNING and job.attempts == 1, "the job must not look finished"
    assert (Child.objects.count(), Household.objects.count()) == before, "partial data after the kill"
    assert not AuditEvent.objects.filter(action="children.child.imported").exists()
    assert not JobCommit.objects.filter(job=job).exists()

    # 2. The next worker finds the job stale, queues it again and imports the whole file.
    time.sleep(STALE_SECONDS + 0.5)
    log = tmp_path / "worker-2.log"
    worker = start_worker(data_dir, log)
    try:
        assert worker.wait(timeout=120) == 0, log.read_text()[-3000:]
    finally:
        if worker.poll() is None:
            worker.kill()

    job.refresh_from_db()
    assert job.status == JobStatus.DONE, (job.status, job.error, log.read_text()[-3000:])
    assert (job.attempts, job.interruptions) == (2, 1)
    assert job.result["ok"] and job.result["rows"] == ROWS and job.result["created"] == ROWS
    assert Child.objects.count() == before[0] + ROWS
    keys = Child.objects.values_list("source_key", flat=True)
    assert keys.distinct().count() == ROWS  # every row once
    assert AuditEvent.objects.filter(action="children.child.imported").count() == 1
    interrupted = AuditEvent.objects.get(action="jobs.job.interrupted")
    assert interrupted.changes["requeued"] is True
    assert JobCommit.objects.get(job=job).attempt == 2
    assert 0 < written_when_killed < ROWS


@pytest.mark.django_db(transaction=True)
def test_sigterm_lets_a_waiting_worker_stop_cleanly(tmp_path):
    log = tmp_path / "worker.log"
    environment = {**os.environ, "TREEM_DATABASE_URL": database_url(), "TREEM_DATA_DIR": str(tmp_path)}
    worker = subprocess.Popen(  # not a burst: it waits for jobs until told to stop
        [sys.executable, "-m", "treem.cli", "worker", "-v", "2"],
        env=environment,
        stdout=log.open("w"),
        stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.monotonic() + 30
        while "started" not in log.read_text() and time.monotonic() < deadline:
            time.sleep(0.05)
        worker.send_signal(signal.SIGTERM)
        assert worker.wait(timeout=15) == 0, log.read_text()
    finally:
        if worker.poll() is None:
            worker.kill()
    assert "0 job(s) run" in log.read_text()

"""``treem worker``: run background jobs from the database queue until stopped."""

import signal

from django.core.management.base import BaseCommand

from treem.jobs.worker import Worker


class Command(BaseCommand):
    help = (
        "Run queued background jobs (imports, exports, reports…). Runs until SIGTERM or Ctrl+C, which "
        "let the job in hand finish; --burst runs what is queued and exits. Jobs of a worker that died "
        "are queued again after TREEM_JOBS_STALE_SECONDS without a heartbeat."
    )

    def add_arguments(self, parser):
        parser.add_argument("--burst", action="store_true", help="Run the queued jobs, then exit.")
        parser.add_argument("--once", action="store_true", help="Run at most one job, then exit.")
        parser.add_argument("--name", default=None, help="This worker's name in the jobs (default host:pid).")

    def handle(self, *args, burst: bool, once: bool, name: str | None, verbosity: int, **options):
        worker = Worker(name=name)
        previous = worker.install_signal_handlers()
        if verbosity > 1:
            self.stdout.write(f"worker {worker.name} started")
        try:
            count = worker.run(burst=burst or once, max_jobs=1 if once else None)
        finally:
            for sig, handler in previous.items():
                signal.signal(sig, handler)
        if verbosity > 1 or burst or once:
            self.stdout.write(f"worker {worker.name}: {count} job(s) run")

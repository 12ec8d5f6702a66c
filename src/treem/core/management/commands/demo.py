"""``treem demo``: a working system on SQLite in one command."""

import threading

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

from treem.core.demo.seed import DEMO_PASSWORD, seed_demo
from treem.jobs.worker import Worker


class Command(BaseCommand):
    help = (
        "Migrate the database, load the real units of Đà Nẵng and the former Quảng Nam with synthetic "
        "people and records, create one user per role, print their logins and serve the web UI."
    )

    def add_arguments(self, parser):
        parser.add_argument("--no-serve", action="store_true", help="Stop after loading the data.")
        parser.add_argument(
            "--addr", default="127.0.0.1:8000", help="Address to serve on (default 127.0.0.1:8000)."
        )
        parser.add_argument(
            "--force",
            action="store_true",
            help="Allow loading demo users outside debug mode (never in production).",
        )

    def handle(self, *args, no_serve: bool, addr: str, force: bool, verbosity: int, **options):
        if not settings.DEBUG and not force:
            raise CommandError(
                "treem demo creates users with a published password; it refuses to run with TREEM_DEBUG=0."
            )
        call_command("migrate", interactive=False, verbosity=max(verbosity - 1, 0))
        report = seed_demo(stdout=self.stdout, verbosity=verbosity)
        self.stdout.write("")
        self.stdout.write(self.style.SUCCESS("Demo ready. Log in with any of these users:"))
        width = max(len(u) for u, *_ in report.logins)
        for username, full_name, role, unit in report.logins:
            self.stdout.write(f"  {username.ljust(width)}  {DEMO_PASSWORD}  {role} — {full_name} — {unit}")
        if not settings.TREEM_REQUIRE_2FA:
            self.stdout.write(self.style.WARNING("TREEM_REQUIRE_2FA=0: two-factor authentication is OFF."))
        elif report.two_factor:
            self.stdout.write(
                "These users then enter a code from an authenticator app: add this key to the app "
                "(time-based), or run `oathtool --totp -b KEY`:"
            )
            for username, key in report.two_factor.items():
                self.stdout.write(f"  {username.ljust(width)}  {key}")
        if no_serve:
            return
        # Background jobs (imports…) run in a thread of the demo: no `treem worker` to start.
        threading.Thread(target=Worker(name="demo").run, name="treem-worker", daemon=True).start()
        self.stdout.write(self.style.SUCCESS(f"Serving on http://{addr}/  (Ctrl+C to stop)"))
        call_command("runserver", addr, use_reloader=False, skip_checks=True)

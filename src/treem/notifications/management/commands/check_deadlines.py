"""``treem check_deadlines``: warn before case deadlines pass, alert and escalate when they have.

Idempotent: each alert is sent once, so a timer may run it as often as wanted (every 15 minutes
keeps the 2-hour warning of the 12-hour deadline timely). ``--queue`` leaves the work to
``treem worker`` instead (a job of kind ``cases.check_deadlines`` without an owner).
"""

from __future__ import annotations

from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import translation

from treem.cases.deadline_checks import check_deadlines
from treem.jobs.models import Job
from treem.notifications.tasks import CHECK_DEADLINES_KIND


class Command(BaseCommand):
    help = "Send the alerts of case deadlines that are due soon or overdue (each alert once)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--queue", action="store_true", help="Queue a job for `treem worker` instead of checking now."
        )

    def handle(self, *args, queue: bool = False, **options):
        if queue:
            job = Job(
                kind=CHECK_DEADLINES_KIND,
                subject="check_deadlines",
                language=settings.LANGUAGE_CODE,
                max_attempts=settings.TREEM_JOBS_MAX_ATTEMPTS,
            )
            job.full_clean()
            job.save()
            self.stdout.write(f"Queued job {job.pk} ({CHECK_DEADLINES_KIND}).")
            return
        with translation.override(settings.LANGUAGE_CODE), transaction.atomic():
            result = check_deadlines()
        counts = result.as_dict()
        self.stdout.write(
            "Deadlines checked: {checked}; due soon: {due_soon}; overdue: {overdue}; escalated: {escalated}; "
            "notifications: {notifications}.".format(**counts)
        )

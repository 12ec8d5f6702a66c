"""``treem remind_recommendations``: tell the owners of inspections' recommendations coming due or
overdue (each state once; run daily, e.g. by the treem-daily timer)."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser
from django.db import transaction
from django.utils import translation

from treem.notifications.reminders import recommendations_remind


class Command(BaseCommand):
    help = "Notify the owners of recommendations of inspections due soon or overdue (each state once)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--days", type=int, default=7, help="tell this many days before the deadline")
        parser.add_argument("--date", type=dt.date.fromisoformat, default=None, help="today (YYYY-MM-DD)")

    def handle(self, *args, **options) -> None:
        with translation.override(settings.LANGUAGE_CODE), transaction.atomic():
            written = recommendations_remind(day=options["date"], within_days=options["days"])
        self.stdout.write(f"Recommendations due: {written} notifications.")

"""``treem plan_reminders``: remind agencies of plan reports due soon or late (run daily)."""

from __future__ import annotations

import datetime as dt

from django.core.management.base import BaseCommand, CommandParser
from django.utils.translation import gettext as _

from treem.plans.services import reminders_record


class Command(BaseCommand):
    help = (
        "Record an in-app reminder for each expected plan report that is due within --days or late "
        "(once per report and kind) and e-mail each agency its new reminders."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--days", type=int, default=7, help="remind this many days before the due date")
        parser.add_argument("--date", type=dt.date.fromisoformat, default=None, help="today (YYYY-MM-DD)")
        parser.add_argument("--no-email", action="store_true", dest="no_email", help="record, send no e-mail")

    def handle(self, *args, **options) -> None:
        result = reminders_record(
            day=options["date"], within_days=options["days"], email=not options["no_email"]
        )
        self.stdout.write(
            _("%(reminders)s reminders recorded, %(emails)s e-mails sent.")
            % {"reminders": len(result.recorded), "emails": result.emails}
        )

"""``treem find_duplicates [--commune CODE] [--threshold 0.75]``: look for possible duplicate
children and store them for review (decided pairs are never proposed again)."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from treem.children.duplicates import DEFAULT_THRESHOLD, duplicates_refresh
from treem.children.management.commands.check_population import commune_by_code
from treem.children.models import Child


class Command(BaseCommand):
    help = (
        "Look for possible duplicate children (blocking by commune, given-name initial and year of "
        "birth; the same ID number is always a duplicate) and store the pairs for review on the "
        "'Possible duplicates' page. Safe to run again."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--commune", metavar="CODE", help="only this commune (default: every commune)")
        parser.add_argument(
            "--threshold",
            type=float,
            default=DEFAULT_THRESHOLD,
            help=f"lowest similarity kept, above 0 and at most 1 (default {DEFAULT_THRESHOLD})",
        )

    def handle(self, *args, **options) -> None:
        unit = commune_by_code(options["commune"]) if options["commune"] else None
        try:
            result = duplicates_refresh(
                acting_user=None, queryset=Child.objects.all(), threshold=options["threshold"], unit=unit
            )
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from exc
        self.stdout.write(
            _(
                "%(found)s possible duplicates: %(created)s new, %(updated)s updated, %(removed)s withdrawn, "
                "%(decided)s already decided."
            )
            % {
                "found": result.found,
                "created": result.created,
                "updated": result.updated,
                "removed": result.removed,
                "decided": result.already_decided,
            }
        )

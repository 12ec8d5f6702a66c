"""``treem reorganise [--effective DAY] [--dry-run]``: carry records from old units to new ones."""

from __future__ import annotations

import datetime as dt

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from treem.geo.importers import default_effective
from treem.geo.models import UnitSuccession
from treem.geo.reorganisation import Plan, Registration, plan_reorganisation, reorganise


def _date(value: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError as exc:
        raise CommandError(_("%(value)s is not a date (YYYY-MM-DD).") % {"value": value}) from exc


def _record_type(reg: Registration) -> str:
    return f"{reg.model._meta.verbose_name_plural} ({reg.label})"


class Command(BaseCommand):
    help = (
        "Carry records from the units that ended the day before EFFECTIVE to their successors: records "
        "of a unit taken wholly into one new unit move (their history keeps the old unit); records of "
        "a split unit go to the placement review queue. Safe to run again."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--effective",
            type=_date,
            default=None,
            help="the reorganisation date (YYYY-MM-DD; default TREEM_REORGANISATION_DATE)",
        )
        parser.add_argument(
            "--dry-run", action="store_true", dest="dry_run", help="show the plan, write nothing"
        )

    def handle(self, *args, **options) -> None:
        effective = options["effective"] or default_effective()
        if isinstance(effective, str):  # call_command() passes options without parsing them
            effective = _date(effective)
        if not UnitSuccession.objects.filter(effective=effective).exists():
            self.stderr.write(
                _("No successions take effect on %(day)s: import the lists of units first.")
                % {"day": effective.strftime("%d/%m/%Y")}
            )
        if options["dry_run"]:
            plan = plan_reorganisation(effective=effective)
        else:
            plan = reorganise(effective=effective)
        self._report(plan, dry_run=options["dry_run"])

    def _report(self, plan: Plan, *, dry_run: bool) -> None:
        write = self.stdout.write
        if plan.moves:
            write(_("Records moving to the new unit:"))
        for reg, old, new, count in plan.moves:
            write(
                "  "
                + _("%(old)s → %(new)s: %(count)d %(type)s")
                % {"old": old.label, "new": new.label, "count": count, "type": _record_type(reg)}
            )
        if plan.reviews:
            write(_("Records of split units, for the placement review queue:"))
        for reg, old, candidates, records in plan.reviews:
            write(
                "  "
                + _("%(old)s → one of %(candidates)s: %(count)d %(type)s")
                % {
                    "old": old.label,
                    "candidates": ", ".join(c.label for c in candidates) or "—",
                    "count": len(records),
                    "type": _record_type(reg),
                }
            )
            for pk, label in records:
                write(f"    - {label} (#{pk})")
        summary = _("%(moved)d records moved, %(review)d records to review (%(queued)d newly queued).") % {
            "moved": plan.moved_count,
            "review": plan.review_count,
            "queued": plan.queued,
        }
        if dry_run:
            summary = _(
                "Dry run, nothing written: %(moved)d records would move, "
                "%(review)d records would be reviewed."
            ) % {"moved": plan.moved_count, "review": plan.review_count}
        self.stdout.write(self.style.SUCCESS(summary))

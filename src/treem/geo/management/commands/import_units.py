"""``treem import_units [FILE ...]``: load administrative units and their 2025 successions."""

from __future__ import annotations

import datetime as dt
import sys

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction
from django.utils.translation import gettext as _
from tqdm import tqdm

from treem.geo.importers import (
    ImportResult,
    UnitImportError,
    UnitSnapshot,
    default_effective,
    read_gso_file,
    read_package,
    units_import,
)
from treem.geo.models import UnitLevel


def _date(value: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError as exc:
        raise CommandError(_("%(value)s is not a date (YYYY-MM-DD).") % {"value": value}) from exc


class _Bars:
    """A tqdm bar per stage of the import, fed by ``units_import``'s progress callback."""

    def __init__(self) -> None:
        self.stage = ""
        self.bar: tqdm | None = None
        self.labels = {
            "old units": _("units before"),
            "new units": _("units from"),
            "successions": _("successions"),
        }

    def __call__(self, stage: str, done: int, total: int) -> None:
        if stage != self.stage:
            self.close()
            self.stage = stage
            self.bar = tqdm(
                total=total, desc=self.labels.get(stage, stage), unit="", file=sys.stderr, leave=False
            )
        assert self.bar is not None
        self.bar.n = done
        self.bar.refresh()

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()
            self.bar = None


class Command(BaseCommand):
    help = (
        "Import administrative units. With no FILE: the lists of the vietnamadminunits package "
        "(63 provinces before 01/07/2025, 34 after, and the conversion map). With FILEs: the General "
        "Statistics Office JSON lists (three-level list, then the 2025 list with merges). "
        "Safe to run again; nothing is written when a list is refused."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("files", nargs="*", metavar="FILE", help="GSO JSON list(s), imported in order")
        parser.add_argument(
            "--province",
            action="append",
            default=[],
            metavar="CODE",
            help=(
                "only this province code; repeat for several and name the old provinces as well as the "
                "new one, e.g. --province 48 --province 49"
            ),
        )
        parser.add_argument(
            "--effective",
            type=_date,
            default=None,
            help="the day the new list takes effect (YYYY-MM-DD; default TREEM_REORGANISATION_DATE)",
        )
        parser.add_argument("--no-progress", action="store_true", dest="no_progress", help="no progress bars")

    def handle(self, *args, **options) -> None:
        self.verbosity = options["verbosity"]
        effective = options["effective"] or default_effective()
        if isinstance(effective, str):  # call_command() passes options without parsing them
            effective = _date(effective)
        provinces = options["province"] or []
        provinces = {provinces} if isinstance(provinces, str) else set(provinces)
        bars = None if options["no_progress"] else _Bars()
        try:
            if options["files"]:
                snapshots = [
                    read_gso_file(path, effective=effective).filtered(provinces) for path in options["files"]
                ]
            else:
                snapshots = [read_package(effective=effective, provinces=provinces)]
            for snap in snapshots:
                snap.check()
            # All files or none: a refused second file leaves no trace of the first.
            with transaction.atomic():
                results = [(snap, units_import(snapshot=snap, progress=bars)) for snap in snapshots]
        except UnitImportError as exc:
            raise CommandError(str(exc)) from exc
        finally:
            if bars is not None:
                bars.close()
        for snap, result in results:
            self._report(snap, result)

    def _report(self, snap: UnitSnapshot, result: ImportResult) -> None:
        for warning in result.warnings:
            self.stderr.write(warning)
        if self.verbosity < 1:
            return
        self.stdout.write(
            _(
                "%(source)s: %(old)d units until %(end)s, %(new)d units from %(start)s, "
                "%(successions)d successions."
            )
            % {
                "source": snap.source,
                "old": len(snap.old_units),
                "end": snap.old_valid_to.strftime("%d/%m/%Y"),
                "new": len(snap.new_units),
                "start": snap.effective.strftime("%d/%m/%Y"),
                "successions": len(snap.successions),
            }
        )
        by_level = result.created_by_level
        self.stdout.write(
            _(
                "Units: %(created)d created (%(provinces)d provinces, %(districts)d districts, "
                "%(communes)d communes), %(updated)d updated, %(unchanged)d unchanged, %(closed)d ended."
            )
            % {
                "created": result.created,
                "provinces": by_level[UnitLevel.PROVINCE],
                "districts": by_level[UnitLevel.DISTRICT],
                "communes": by_level[UnitLevel.COMMUNE],
                "updated": result.updated,
                "unchanged": result.unchanged,
                "closed": result.closed,
            }
        )
        self.stdout.write(
            self.style.SUCCESS(
                _("Successions: %(created)d created, %(updated)d updated, %(unchanged)d unchanged.")
                % {
                    "created": result.successions_created,
                    "updated": result.successions_updated,
                    "unchanged": result.successions_unchanged,
                }
            )
        )

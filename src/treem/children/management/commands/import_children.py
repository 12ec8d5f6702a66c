"""``treem import_children FILE --user USERNAME``: import children from the template (.xlsx/.csv)."""

from __future__ import annotations

import sys
from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _
from tqdm import tqdm

from treem.children.importers import ChildImportError, children_import
from treem.core.files import write_private

ERRORS_PRINTED = 20


class _Bar:
    """One tqdm bar per pass (checking, then writing), fed by the importer's progress callback."""

    def __init__(self) -> None:
        self.stage = ""
        self.bar: tqdm | None = None
        self.labels = {"check": _("checking"), "write": _("writing")}

    def __call__(self, stage: str, done: int, total: int | None) -> None:
        if stage != self.stage:
            self.close()
            self.stage = stage
            self.bar = tqdm(total=total, desc=self.labels.get(stage, stage), unit=" rows", file=sys.stderr)
        assert self.bar is not None
        if total and (self.bar.total is None or total > self.bar.total):
            self.bar.total = total
        self.bar.n = done
        self.bar.refresh()

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()
            self.bar = None


class Command(BaseCommand):
    help = (
        "Import children from a file in the template (.xlsx or .csv, see docs/import-template.md). "
        "All or nothing: if any row is refused nothing is written and the problems are listed (all "
        "of them in --report). Importing the same file again changes nothing."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", metavar="FILE", help=".xlsx or .csv file in the template")
        parser.add_argument(
            "--user",
            metavar="USERNAME",
            help="the acting user: rows are limited to their units (an administrator sees all units)",
        )
        parser.add_argument(
            "--dry-run", action="store_true", dest="dry_run", help="check only, write nothing"
        )
        parser.add_argument("--report", metavar="PATH", help="write every refused row to this .xlsx file")
        parser.add_argument("--no-progress", action="store_true", dest="no_progress", help="no progress bar")

    def handle(self, *args, **options) -> None:
        username = options.get("user")
        if not username:
            raise CommandError(
                _("Name the acting user with --user USERNAME: the import is limited to their units.")
            )
        user = get_user_model().objects.filter(username=username, is_active=True).first()
        if user is None:
            raise CommandError(_("No active user %(name)s.") % {"name": username})
        path = Path(options["file"])
        if not path.is_file():
            raise CommandError(_("No file %(path)s.") % {"path": path})
        report = Path(options["report"]) if options.get("report") else None
        if report is not None:
            # The report holds refused rows' values (children's data): owner-only from the start.
            report.parent.mkdir(parents=True, exist_ok=True)
            write_private(report, b"", replace=True)
        bar = None if options.get("no_progress") else _Bar()
        result = None
        try:
            result = children_import(
                acting_user=user,
                path=path,
                dry_run=options.get("dry_run", False),
                progress=bar,
                report_path=report,
            )
        except ChildImportError as exc:
            raise CommandError(str(exc)) from exc
        finally:
            if bar is not None:
                bar.close()
            if report is not None and (result is None or not result.report_path):
                report.unlink(missing_ok=True)  # nothing to report: no empty file left behind
        for notice in result.notices:
            self.stderr.write(notice)
        if not result.ok:
            for error in result.errors[:ERRORS_PRINTED]:
                self.stderr.write(
                    _("row %(row)s, %(column)s (%(value)s): %(reason)s")
                    % {"row": error.row, "column": error.column, "value": error.value, "reason": error.reason}
                )
            if result.report_path:
                self.stderr.write(_("Every problem is listed in %(path)s.") % {"path": result.report_path})
            elif result.error_count > ERRORS_PRINTED:
                self.stderr.write(_("Use --report PATH to get every problem."))
            raise CommandError(
                _("%(errors)s problems in %(rows)s rows: nothing was written.")
                % {"errors": result.error_count, "rows": result.rows}
            )
        summary = _(
            "%(rows)s rows: %(created)s created, %(updated)s updated, %(unchanged)s unchanged, "
            "%(inactive)s out of the registry left alone; %(households)s new households."
        ) % {
            "rows": result.rows,
            "created": result.created,
            "updated": result.updated,
            "unchanged": result.unchanged,
            "inactive": result.skipped_inactive,
            "households": result.households_created,
        }
        if result.dry_run:
            summary += " " + _("Dry run: nothing was written.")
        self.stdout.write(self.style.SUCCESS(summary))

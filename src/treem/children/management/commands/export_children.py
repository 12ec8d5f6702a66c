"""``treem export_children OUT --user USERNAME``: export the children a user may see (audited)."""

from __future__ import annotations

from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from treem.children.exporters import FORMATS, children_export, csv_chunks, write_xlsx
from treem.core.files import open_private
from treem.core.scope import ScopeError


class Command(BaseCommand):
    help = (
        "Export the children a user may see, in the import template's columns (.csv or .xlsx, from "
        "OUT's extension). Filters as on the list: --filter unit=12 --filter sex=female … "
        "Every export is recorded in the audit log."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("out", metavar="OUT", help="file to write: .csv or .xlsx")
        parser.add_argument("--user", metavar="USERNAME", help="the acting user (their units, their rights)")
        parser.add_argument(
            "--deidentified",
            action="store_true",
            help="leave out names, ID numbers, dates of birth, villages…",
        )
        parser.add_argument(
            "--filter", action="append", default=[], metavar="NAME=VALUE", help="a filter of the list"
        )

    def handle(self, *args, **options) -> None:
        username = options.get("user")
        if not username:
            raise CommandError(
                _("Name the acting user with --user USERNAME: the export is limited to their units.")
            )
        user = get_user_model().objects.filter(username=username, is_active=True).first()
        if user is None:
            raise CommandError(_("No active user %(name)s.") % {"name": username})
        out = Path(options["out"])
        fmt = out.suffix.lower().lstrip(".")
        if fmt not in FORMATS:
            raise CommandError(_("Name the output file .csv or .xlsx."))
        filters = {}
        for item in options.get("filter") or []:
            name, sep, value = item.partition("=")
            if not sep:
                raise CommandError(_("Write each filter as NAME=VALUE."))
            filters[name] = value
        try:
            export = children_export(
                acting_user=user, filters=filters, fmt=fmt, identifying=not options.get("deidentified")
            )
        except ScopeError as exc:
            raise CommandError(_("This user may not see children.")) from exc
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from exc
        # Children's personal data: the file is the operator's only (0600), from its first byte.
        with open_private(out, replace=True) as handle:
            if fmt == "csv":
                for chunk in csv_chunks(export):
                    handle.write(chunk.encode("utf-8"))
            else:
                write_xlsx(export, handle)
        self.stdout.write(
            self.style.SUCCESS(
                _("%(count)s children written to %(path)s.") % {"count": export.count, "path": out}
            )
        )

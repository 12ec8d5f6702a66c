"""``treem restore FILE``: replace the database and the uploads with a backup's, then verify them."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from treem.core.backup import BackupError, RestorePlan, backup_restore, created_at_label, passphrase_load


class Command(BaseCommand):
    help = (
        "Restore a backup made by `treem backup`: the whole archive is checked first (key, checksums, "
        "database vendor, version); then the database and the uploads folder are REPLACED, every table's "
        "row count and checksum is compared with the archive's, and migrate runs if the archive is older "
        "than this treem. Stop the web server and the worker first."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", metavar="FILE", help="the archive to restore")
        parser.add_argument(
            "--key-file", metavar="PATH", help="the passphrase of an encrypted archive, in a file"
        )
        parser.add_argument(
            "--yes",
            "--no-input",
            "--noinput",
            dest="yes",
            action="store_true",
            help="do not ask for confirmation",
        )
        parser.add_argument(
            "--check",
            action="store_true",
            help="only read and check the whole archive; change nothing",
        )

    def handle(self, *args, **options) -> None:
        try:
            passphrase = passphrase_load(options.get("key_file"))
            report = backup_restore(
                options["file"],
                passphrase=passphrase,
                confirm=(lambda plan: True) if options["yes"] else self.confirm,
                check_only=options["check"],
            )
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        plan = report.plan
        if options["check"]:
            self.stdout.write(self.describe(plan))
            self.stdout.write(
                self.style.SUCCESS(
                    _("The archive is complete and intact: %(tables)s tables, %(uploads)s uploaded files.")
                    % {"tables": report.tables, "uploads": report.uploads}
                )
            )
            return
        if report.mismatches:
            for line in report.mismatches:
                self.stderr.write(line)
            raise CommandError(
                _(
                    "The archive was restored, but %(count)s of %(tables)s tables differ from its manifest "
                    "(listed above)."
                )
                % {"count": len(report.mismatches), "tables": report.tables}
            )
        self.stdout.write(
            self.style.SUCCESS(
                _(
                    "Restored the backup of %(created)s: %(tables)s tables and %(rows)s rows match the "
                    "archive's counts and checksums; %(uploads)s uploaded files restored."
                )
                % {
                    "created": created_at_label(plan.manifest),
                    "tables": report.tables,
                    "rows": report.rows,
                    "uploads": report.uploads,
                }
            )
        )
        if report.migrated:
            self.stdout.write(
                _("The archive was older than this treem: migrate applied %(count)s migrations (%(names)s).")
                % {"count": len(report.migrated), "names": ", ".join(report.migrated)}
            )
        else:
            self.stdout.write(_("The archive's database schema is current: migrate was not needed."))

    def describe(self, plan: RestorePlan) -> str:
        manifest = plan.manifest
        return _(
            "Backup of %(created)s made by treem %(version)s: %(vendor)s, %(tables)s tables, %(rows)s rows, "
            "%(uploads)s uploaded files, %(encryption)s."
        ) % {
            "created": created_at_label(manifest),
            "version": manifest.get("treem_version", "?"),
            "vendor": manifest["vendor"],
            "tables": len(manifest["tables"]),
            "rows": plan.rows,
            "uploads": len(manifest["uploads"]),
            "encryption": _("encrypted") if plan.encrypted else _("not encrypted"),
        }

    def confirm(self, plan: RestorePlan) -> bool:
        self.stdout.write(self.describe(plan))
        self.stdout.write(
            _(
                "This REPLACES all data of the database %(database)s and every file in %(uploads)s with the "
                "archive's."
            )
            % {"database": plan.database, "uploads": plan.uploads_folder}
        )
        if plan.migrate:
            self.stdout.write(_("The archive is older than this treem: migrate will run after the restore."))
        try:
            answer = input(_("Type 'yes' to restore: "))
        except EOFError:
            answer = ""
        return answer.strip().lower() == "yes"

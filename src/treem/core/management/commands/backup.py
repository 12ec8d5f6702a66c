"""``treem backup FILE``: the database and the uploaded files in one archive, optionally encrypted."""

from __future__ import annotations

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from treem.core.backup import BackupError, backup_create, passphrase_load


class Command(BaseCommand):
    help = (
        "Write a backup archive: the database (PostgreSQL: pg_dump's custom format; SQLite: the online "
        "backup API), every uploaded file and a manifest with each table's row count and checksum. "
        "Encrypted when TREEM_BACKUP_KEY or --key-file gives a passphrase. FILE is replaced atomically."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", metavar="FILE", help="the archive to write, e.g. treem-2026-01-31.tbak")
        parser.add_argument(
            "--key-file",
            metavar="PATH",
            help="encrypt with the passphrase in this file (not TREEM_BACKUP_KEY)",
        )
        parser.add_argument(
            "--no-encryption",
            action="store_true",
            help="write an unencrypted archive even though TREEM_BACKUP_KEY is set",
        )

    def handle(self, *args, **options) -> None:
        try:
            if options["no_encryption"] and options.get("key_file"):
                raise CommandError(_("Give either --key-file or --no-encryption, not both."))
            passphrase = None if options["no_encryption"] else passphrase_load(options.get("key_file"))
            summary = backup_create(options["file"], passphrase=passphrase)
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        if not summary.encrypted and not settings.DEBUG:
            self.stderr.write(
                self.style.WARNING(
                    _(
                        "Warning: this archive is NOT encrypted and holds children's personal data. "
                        "Set TREEM_BACKUP_KEY or use --key-file."
                    )
                )
            )
        message = _(
            "Backup written to %(path)s (%(size)s bytes, %(encryption)s): %(tables)s tables, %(rows)s rows, "
            "%(uploads)s uploaded files."
        ) % {
            "path": summary.path,
            "size": summary.size,
            "encryption": _("encrypted") if summary.encrypted else _("not encrypted"),
            "tables": summary.tables,
            "rows": summary.rows,
            "uploads": summary.uploads,
        }
        self.stdout.write(self.style.SUCCESS(message))

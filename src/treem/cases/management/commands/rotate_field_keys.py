"""Re-encrypt every encrypted field with the first key of TREEM_FIELD_KEYS (key rotation).

Rotation: put the new key first in TREEM_FIELD_KEYS (keep the old ones after it), restart, run
this command, then remove the old keys. Rows are rewritten in batches, each batch in its own
transaction; the values never leave the process decrypted. The files of case attachments are
re-encrypted too, each replaced at once (``core.files.rewrite_private``); a file still stored in
clear (attached before files were encrypted) is encrypted.
"""

from django.core.management.base import BaseCommand
from django.db import connection, transaction

from treem.audit.services import audit_record
from treem.cases.encryption import encrypted_fields, rotate_token

BATCH = 500


class Command(BaseCommand):
    help = "Re-encrypt every encrypted field and attachment file with the first key of TREEM_FIELD_KEYS."

    def handle(self, *args, **options):
        totals = {}
        for model, names in encrypted_fields():
            table = connection.ops.quote_name(model._meta.db_table)
            pk = connection.ops.quote_name(model._meta.pk.column)
            columns = [model._meta.get_field(n).column for n in names]
            quoted = [connection.ops.quote_name(c) for c in columns]
            count, last = 0, None
            while True:
                after = f"WHERE {pk} > %s " if last is not None else ""
                select = f"SELECT {pk}, {', '.join(quoted)} FROM {table} {after}ORDER BY {pk} LIMIT {BATCH}"  # noqa: S608
                update = f"UPDATE {table} SET {', '.join(f'{c} = %s' for c in quoted)} WHERE {pk} = %s"  # noqa: S608
                with transaction.atomic(), connection.cursor() as cursor:
                    # Raw reads: the tokens as stored, rotated without building model objects.
                    cursor.execute(select, [last] if last is not None else [])
                    rows = cursor.fetchall()
                    for row in rows:
                        cursor.execute(update, [*(rotate_token(v) if v else v for v in row[1:]), row[0]])
                if not rows:
                    break
                count += len(rows)
                last = rows[-1][0]
            totals[model._meta.label] = count
            self.stdout.write(f"{model._meta.label}: {count} rows re-encrypted ({', '.join(names)})")
        totals["attachment files"], missing = self.rotate_attachment_files()
        if missing:
            totals["attachment files missing"] = missing
        with transaction.atomic():
            audit_record(
                None, "cases.field_keys.rotated", None, object_label="TREEM_FIELD_KEYS", changes=totals
            )
        self.stdout.write(self.style.SUCCESS("Every encrypted value now uses the first key."))

    def rotate_attachment_files(self) -> tuple[int, list[int]]:
        """Re-encrypt every case attachment's file (files stored in clear are encrypted now)."""
        from treem.cases.attachments import reencrypt
        from treem.cases.models import Attachment

        count, missing = 0, []
        # Only the paths: the file names (encrypted columns) are not decrypted for this.
        for pk, stored_path in Attachment.objects.order_by("pk").values_list("pk", "stored_path").iterator():
            if reencrypt(stored_path):
                count += 1
            else:
                missing.append(pk)
        self.stdout.write(f"cases.Attachment: {count} files re-encrypted")
        if missing:
            self.stderr.write(
                "Attachments whose file is missing (nothing to re-encrypt): " + ", ".join(map(str, missing))
            )
        return count, missing

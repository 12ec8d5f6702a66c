"""A report's summary, place, child's name and description encrypted at rest (issue 19).

The columns become text holding Fernet tokens (``EncryptedTextField``, same keys as the
narratives); the rows already written are encrypted here with the first key of TREEM_FIELD_KEYS,
through raw SQL (the model would try to decrypt the plain text). Reversible: going back decrypts.
"""

from django.db import migrations

import treem.cases.encryption

COLUMNS = ("summary", "place", "child_name", "child_description")
BATCH = 500


def _convert(schema_editor, change) -> None:
    connection = schema_editor.connection
    quote = connection.ops.quote_name
    columns = ", ".join(quote(c) for c in COLUMNS)
    assignments = ", ".join(f"{quote(c)} = %s" for c in COLUMNS)
    last = 0
    with connection.cursor() as cursor:
        while True:
            cursor.execute(
                f"SELECT id, {columns} FROM cases_report WHERE id > %s ORDER BY id LIMIT {BATCH}",  # noqa: S608
                [last],
            )
            rows = cursor.fetchall()
            if not rows:
                break
            for pk, *values in rows:
                cursor.execute(
                    f"UPDATE cases_report SET {assignments} WHERE id = %s",  # noqa: S608
                    [*(change(v) for v in values), pk],
                )
            last = rows[-1][0]


def encrypt_rows(apps, schema_editor) -> None:
    from treem.cases.encryption import PREFIX, encrypt

    _convert(schema_editor, lambda v: encrypt(v) if v and not v.startswith(PREFIX) else v)


def decrypt_rows(apps, schema_editor) -> None:
    from treem.cases.encryption import PREFIX, decrypt

    _convert(schema_editor, lambda v: decrypt(v) if v and v.startswith(PREFIX) else v)


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0005_exact_statistics_permission"),
    ]

    operations = [
        migrations.AlterField(
            model_name="report",
            name="child_description",
            field=treem.cases.encryption.EncryptedTextField(
                blank=True,
                help_text="When the name is not known: who the child is, where to find them.",
                max_length=255,
                verbose_name="description of the child",
            ),
        ),
        migrations.AlterField(
            model_name="report",
            name="child_name",
            field=treem.cases.encryption.EncryptedTextField(
                blank=True, max_length=150, verbose_name="child's name"
            ),
        ),
        migrations.AlterField(
            model_name="report",
            name="place",
            field=treem.cases.encryption.EncryptedTextField(
                blank=True, max_length=255, verbose_name="place of the incident"
            ),
        ),
        migrations.AlterField(
            model_name="report",
            name="summary",
            field=treem.cases.encryption.EncryptedTextField(max_length=200, verbose_name="short summary"),
        ),
        migrations.RunPython(encrypt_rows, decrypt_rows),
    ]

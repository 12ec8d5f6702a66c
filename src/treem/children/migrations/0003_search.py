"""Trigram search on children's names (PostgreSQL only).

A GIN index with ``gin_trgm_ops`` on ``name_folded`` serves both the ordinary search (every typed
word with ``LIKE '%word%'``) and the typo-tolerant one (``%>`` word similarity, children/search.py).
SQLite has neither the extension nor the operator class: there the migration does nothing and the
search falls back to a bounded scan. The index is not declared on the model, so the schema stays
the same on both databases and ``makemigrations --check`` sees no change.
"""

from django.db import migrations

INDEX = "children_child_name_trgm_idx"


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    # pg_trgm is a trusted extension (PostgreSQL 13+): the database owner may create it.
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    schema_editor.execute(
        f"CREATE INDEX IF NOT EXISTS {INDEX} ON children_child USING gin (name_folded gin_trgm_ops)"
    )


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    # The extension stays: other indexes or databases objects may use it.
    schema_editor.execute(f"DROP INDEX IF EXISTS {INDEX}")


class Migration(migrations.Migration):
    dependencies = [("children", "0002_reference_data")]
    # 0004_duplicates was written beside this one from 0002; this keeps one line of migrations.
    run_before = [("children", "0004_duplicates")]

    operations = [migrations.RunPython(create, drop, elidable=False)]

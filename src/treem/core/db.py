"""Database chores shared by the bulk writers.

``refresh_planner_statistics(*models)``: after a bulk write (a units import, a reorganisation, a
children import, successions), the database's planner must learn the new row counts at once —
until its statistics are refreshed it may take a table of a million rows for a small one and
choose plans that read it row by row (seen: a coordinator's search taking 5.7 s instead of 9 ms
because ``geo_unit`` was never analysed). It runs when the surrounding transaction commits
(nothing to analyse when it rolls back), as ``ANALYZE`` on PostgreSQL and on SQLite.

``autovacuum_off()``: whether PostgreSQL's autovacuum is off (the health check warns).
"""

from __future__ import annotations

from django.db import connection, transaction


def _analyze(tables: list[str]) -> None:
    with connection.cursor() as cursor:
        for table in tables:
            cursor.execute(f"ANALYZE {connection.ops.quote_name(table)}")


def refresh_planner_statistics(*models) -> None:
    tables = sorted({model._meta.db_table for model in models})
    if tables:
        transaction.on_commit(lambda: _analyze(tables))


def autovacuum_off() -> bool:
    if connection.vendor != "postgresql":
        return False
    with connection.cursor() as cursor:
        cursor.execute("SHOW autovacuum")
        return cursor.fetchone()[0] != "on"

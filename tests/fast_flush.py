"""A faster end for the tests that commit (browser tests, the live server, the fuzzer, backups).

Django ends each such test with ``flush``: it empties every table, then emits ``post_migrate``,
which writes back the content types, the permissions, the roles and the reference data of every
app. That took about 1.4 s per test on PostgreSQL (0.3 s the ``TRUNCATE`` of every table, 1 s the
reference data), some 200 times per run.

Here the state a full flush leaves is recorded once (which tables hold rows then, and a digest of
those rows). After the next tests, if those reference rows are exactly as recorded, emptying the
other tables that hold rows gives the same state as a full flush: that is what is done, in one
transaction (Django's foreign keys are deferred on both databases, so the order of the deletes
does not matter). If any reference row changed (a test that renamed a role or ran a migration
backwards, say), Django's own flush runs as before and the record is taken again after it.
"""

from __future__ import annotations

import hashlib

from django.db import DatabaseError, connections, transaction
from django.test import TransactionTestCase

_django_teardown = TransactionTestCase._fixture_teardown
# Per database alias: (reference tables, their digest) as a full flush left them.
_recorded: dict[str, tuple[frozenset[str], str]] = {}


def _tables(connection) -> list[str]:
    return sorted(connection.introspection.django_table_names(only_existing=True, include_views=False))


def _holding_rows(connection, tables: list[str]) -> set[str]:
    if not tables:
        return set()
    quote = connection.ops.quote_name
    found: set[str] = set()
    with connection.cursor() as cursor:
        for start in range(0, len(tables), 200):  # SQLite allows 500 terms in a compound SELECT
            chunk = tables[start : start + 200]
            sql = " UNION ALL ".join(
                f"SELECT {i} WHERE EXISTS (SELECT 1 FROM {quote(t)})" for i, t in enumerate(chunk)
            )
            cursor.execute(sql)
            found.update(chunk[row[0]] for row in cursor.fetchall())
    return found


def _digest(connection, tables) -> str:
    quote = connection.ops.quote_name
    digest = hashlib.sha256()
    with connection.cursor() as cursor:
        for table in sorted(tables):
            cursor.execute(f"SELECT * FROM {quote(table)} ORDER BY 1")
            digest.update(table.encode())
            for row in cursor.fetchall():
                digest.update(repr(row).encode())
    return digest.hexdigest()


def _record(alias: str) -> None:
    connection = connections[alias]
    reference = frozenset(_holding_rows(connection, _tables(connection)))
    _recorded[alias] = (reference, _digest(connection, reference))


def _empty_quickly(alias: str) -> bool:
    """Bring the database back to the recorded state by deleting; False when that cannot be done."""
    if alias not in _recorded:
        return False
    reference, digest = _recorded[alias]
    connection = connections[alias]
    try:
        if _digest(connection, reference) != digest:
            return False
        filled = sorted(_holding_rows(connection, [t for t in _tables(connection) if t not in reference]))
        quote = connection.ops.quote_name
        with transaction.atomic(using=alias), connection.cursor() as cursor:
            for table in filled:
                cursor.execute(f"DELETE FROM {quote(table)}")
    except DatabaseError:
        return False
    return True


def _fixture_teardown(self) -> None:
    if self.available_apps is not None or self.serialized_rollback:
        return _django_teardown(self)
    for alias in self._databases_names(include_mirrors=False):
        if not _empty_quickly(alias):
            _django_teardown(self)
            for name in self._databases_names(include_mirrors=False):
                _record(name)
            return


def install() -> None:
    """Called once by tests/conftest.py: every committing test ends this way."""
    TransactionTestCase._fixture_teardown = _fixture_teardown

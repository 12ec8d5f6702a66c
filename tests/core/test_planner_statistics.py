"""Planner statistics never stale: the bulk writers analyse the tables they filled when their
transaction commits; the health check warns when PostgreSQL's autovacuum is off."""

import datetime as dt

import pytest
from django.db import connection
from django.urls import reverse

from treem.core.db import autovacuum_off, refresh_planner_statistics
from treem.geo.models import Unit, UnitLevel


def analysed(table: str) -> bool:
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT last_analyze IS NOT NULL FROM pg_stat_user_tables WHERE relname = %s", [table]
            )
            row = cursor.fetchone()
            return bool(row and row[0])
        cursor.execute("SELECT name FROM sqlite_master WHERE name = 'sqlite_stat1'")
        if cursor.fetchone() is None:
            return False
        cursor.execute("SELECT count(*) FROM sqlite_stat1 WHERE tbl = %s", [table])
        return cursor.fetchone()[0] > 0


def forget_statistics() -> None:
    """Start from tables never analysed (what a fresh database or a bulk load leaves)."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT pg_stat_reset()")
        else:
            cursor.execute("ANALYZE sqlite_master")  # creates sqlite_stat1 if missing
            cursor.execute("DELETE FROM sqlite_stat1")
    assert not analysed("geo_unit")


@pytest.mark.django_db(transaction=True)
def test_a_units_import_analyses_the_units_table():
    from treem.geo.importers import UnitRow, UnitSnapshot, units_import

    forget_statistics()
    units_import(
        snapshot=UnitSnapshot(
            source="test",
            effective=dt.date(2025, 7, 1),
            new_units=[
                UnitRow("province", "48", "Thành phố Biển", place="row 1"),
                UnitRow("commune", "20194", "Phường Hải", parent_code="48", place="row 2"),
            ],
        )
    )
    assert Unit.objects.filter(level=UnitLevel.COMMUNE).exists()
    assert analysed("geo_unit")


@pytest.mark.django_db(transaction=True)
def test_statistics_are_refreshed_only_when_the_write_commits():
    from django.db import transaction

    forget_statistics()
    with pytest.raises(RuntimeError), transaction.atomic():
        refresh_planner_statistics(Unit)
        raise RuntimeError("rolled back")
    assert not analysed("geo_unit")
    with transaction.atomic():
        Unit.objects.create(name="Xã Mới", level=UnitLevel.PROVINCE, path="/", valid_from=dt.date(2025, 7, 1))
        refresh_planner_statistics(Unit)
    assert analysed("geo_unit")


@pytest.mark.django_db
def test_the_health_check_warns_when_autovacuum_is_off(client):
    body = client.get(reverse("healthz")).json()
    assert body["status"] == "ok"
    expected = ["PostgreSQL autovacuum is off: turn it on (docs/operations.md)."] if autovacuum_off() else []
    assert body["warnings"] == expected
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SHOW autovacuum")
            assert autovacuum_off() == (cursor.fetchone()[0] == "off")

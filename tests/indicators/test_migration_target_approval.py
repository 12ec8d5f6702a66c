"""The migration that brought target approval marks the targets already kept as approved: they were
entered before approval existed and counted until then (indicators 0002's docstring)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from tests.factories import ProvinceFactory

BEFORE = [("indicators", "0001_initial")]
AFTER = [("indicators", "0002_target_approval")]


@pytest.fixture
def executor():
    """Migrations to run by hand; the schema is brought back to the latest at the end."""
    yield MigrationExecutor(connection)
    latest = MigrationExecutor(connection)
    latest.migrate(latest.loader.graph.leaf_nodes())


@pytest.mark.django_db(transaction=True)
def test_targets_kept_before_approval_existed_are_migrated_as_approved(executor):
    province = ProvinceFactory()
    executor.migrate(BEFORE)
    old = executor.loader.project_state(BEFORE).apps
    indicator = old.get_model("indicators", "Indicator").objects.get(code="PAC_DROWNING")
    kept = old.get_model("indicators", "Target").objects.create(
        indicator_id=indicator.pk, unit_id=province.pk, scope_unit_id=province.pk, year=2026, target=10
    )
    changed_at = old.get_model("indicators", "Target").objects.get(pk=kept.pk).updated_at
    forward = MigrationExecutor(connection)
    forward.migrate(AFTER)
    new = forward.loader.project_state(AFTER).apps
    target = new.get_model("indicators", "Target").objects.get(pk=kept.pk)
    assert (target.status, target.approved_by_id) == ("approved", None)
    assert abs(target.approved_at - changed_at) < dt.timedelta(seconds=1)
    # A target entered after the migration is a draft.
    added = new.get_model("indicators", "Target").objects.create(
        indicator_id=indicator.pk, unit_id=province.pk, scope_unit_id=province.pk, year=2027, target=9
    )
    assert added.status == "draft"

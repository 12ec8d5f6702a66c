"""Reading statistics by administrative unit: under the units of a past day, or under today's units.

A record's unit foreign key holds its unit *now*. Two questions need more than that:

* "under today's units": a record still sitting on a unit that has ended (nobody ran the
  reorganisation yet, or its unit was split and the record waits for a decision) is counted under
  the new unit its old unit went into wholly (``full`` successions, followed through every
  reorganisation up to the day); a record whose old unit was split (``partial``) cannot be placed
  by a rule and is reported apart, as *unplaced*;
* "under the units of a period" (``day``): a record moved by a reorganisation after ``day``
  (``UnitMove`` history) counts under the unit it had on ``day``.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Literal

from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Count, F, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone

from treem.geo.models import SuccessionKind, Unit, UnitMove, UnitSuccession

# More reorganisations than this between a record's unit and the day would be a loop in the data.
MAX_HOPS = 10


@dataclass
class UnitCounts:
    """Record counts per unit in force on ``day``, and the records that no rule can place."""

    day: dt.date
    counts: dict[Unit, int] = field(default_factory=dict)
    unplaced: dict[Unit, int] = field(default_factory=dict)  # by the (ended) unit the record sits on
    without_unit: int = 0

    @property
    def total(self) -> int:
        return sum(self.counts.values()) + sum(self.unplaced.values()) + self.without_unit


def count_by_unit(
    *,
    queryset: models.QuerySet,
    field: str,
    under: Literal["today", "period"] = "today",
    day: dt.date | None = None,
) -> UnitCounts:
    """Count ``queryset``'s records by their unit ``field``, under today's units or those of ``day``.

    ``under="period"`` needs ``day``. Records are grouped in the database (one query), then the
    few distinct units are resolved: this stays cheap for large tables.
    """
    if under == "period":
        if day is None:
            raise ValueError("count_by_unit(under='period') needs a day")
    elif under == "today":
        day = timezone.localdate()
    else:
        raise ValueError(f"Unknown under={under!r}")
    content_type = ContentType.objects.get_for_model(queryset.model)
    # The unit a record had on ``day`` is the old unit of its first move after that day, if any.
    # Moves dated later than today (a reorganisation run ahead of its date) count the same way.
    first_move_after = (
        UnitMove.objects.filter(
            content_type=content_type, field_name=field, object_id=OuterRef("pk"), effective__gt=day
        )
        .order_by("effective", "pk")
        .values("old_unit")[:1]
    )
    rows = (
        queryset.order_by()
        .annotate(
            unit_on_day=Coalesce(Subquery(first_move_after), F(field), output_field=models.BigIntegerField())
        )
        .values("unit_on_day")
        .annotate(n=Count("pk"))
    )
    by_unit_id: Counter[int] = Counter()
    result = UnitCounts(day=day)
    for row in rows:
        if row["unit_on_day"] is None:
            result.without_unit += row["n"]
        else:
            by_unit_id[row["unit_on_day"]] += row["n"]
    units = Unit.objects.in_bulk(list(by_unit_id))
    placed = _units_on_day(units, day)
    counts: Counter[Unit] = Counter()
    unplaced: Counter[Unit] = Counter()
    for unit_id, n in by_unit_id.items():
        target = placed.get(unit_id)
        if target is None:
            unplaced[units[unit_id]] += n
        else:
            counts[target] += n
    result.counts = dict(counts)
    result.unplaced = dict(unplaced)
    return result


def _units_on_day(units: Mapping[int, Unit], day: dt.date) -> dict[int, Unit | None]:
    """For each unit, itself if in force on ``day``, else where full successions lead (or None)."""
    current: dict[int, Unit | None] = dict(units)
    for _hop in range(MAX_HOPS):
        stale = {pk: u for pk, u in current.items() if u is not None and not u.is_valid_on(day)}
        if not stale:
            break
        successions: dict[int, list[UnitSuccession]] = defaultdict(list)
        for s in UnitSuccession.objects.filter(
            predecessor_id__in={u.pk for u in stale.values()}, effective__lte=day
        ).select_related("successor"):
            successions[s.predecessor_id].append(s)
        for pk, unit in stale.items():
            found = successions.get(unit.pk, [])
            # Only a whole unit going into one new unit is a rule; a split needs a person's decision.
            if len(found) == 1 and found[0].kind == SuccessionKind.FULL:
                current[pk] = found[0].successor
            else:
                current[pk] = None
    else:
        current = {pk: (u if u is not None and u.is_valid_on(day) else None) for pk, u in current.items()}
    return current


def count_rollup(*, counts: Mapping[Unit, int], level: str) -> dict[Unit | None, int]:
    """Sum per-unit counts up to each unit's ancestor at ``level`` (read from ``path``).

    A unit at ``level`` counts for itself; counts of units above ``level`` (or of a tree with no
    unit at that level) go under the key None.
    """
    path_ids: dict[Unit, list[int]] = {
        unit: [int(p) for p in unit.path.strip("/").split("/") if p] for unit in counts
    }
    wanted = {pk for ids in path_ids.values() for pk in ids}
    at_level = Unit.objects.filter(pk__in=wanted, level=level).in_bulk()
    total: Counter[Unit | None] = Counter()
    for unit, n in counts.items():
        ancestor = next((at_level[pk] for pk in path_ids[unit] if pk in at_level), None)
        total[ancestor] += n
    return dict(total)

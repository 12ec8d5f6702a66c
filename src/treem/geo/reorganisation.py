"""Carrying records from old units to new ones after a reorganisation (01/07/2025 and later).

Every app whose records belong to a unit registers them here (``register``). ``reorganise``
then, for one effective date:

* moves every record of an old unit that went **wholly** into one new unit (``full``), keeping
  the old unit in the record's history (``UnitMove``);
* lists every record of an old unit that was **split** (``partial``), or that has no successor
  of its own (a district), in the placement review queue for a person to decide.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from django.contrib.contenttypes.models import ContentType
from django.db import models, transaction

from treem.audit.services import audit_record
from treem.core.db import refresh_planner_statistics
from treem.geo.models import PlacementReview, PlacementStatus, Unit, UnitMove, UnitSuccession

BATCH = 2000


@dataclass(frozen=True)
class Registration:
    """A model whose ``field`` (a foreign key to Unit) follows reorganisations."""

    model: type[models.Model]
    field: str
    filter: dict = field(default_factory=dict)
    after_move: Callable[[Iterable[int], Unit], None] | None = None

    @property
    def label(self) -> str:
        return f"{self.model._meta.label_lower}.{self.field}"

    def queryset(self):
        return self.model._default_manager.filter(**self.filter)


_registry: dict[str, Registration] = {}


def register(model, field_name: str, *, filter: dict | None = None, after_move=None) -> Registration:
    reg = Registration(model, field_name, filter or {}, after_move)
    _registry[reg.label] = reg
    return reg


def registrations() -> list[Registration]:
    return list(_registry.values())


def registration_for(model, field_name: str) -> Registration:
    return _registry[f"{model._meta.label_lower}.{field_name}"]


def _village_paths(ids: Iterable[int], new_parent: Unit) -> None:
    from treem.geo.services import unit_reparent

    for village in Unit.objects.filter(pk__in=list(ids)):
        unit_reparent(village, new_parent)


def register_builtin() -> None:
    from treem.accounts.models import UnitAssignment

    register(Unit, "parent", filter={"level": "village"}, after_move=_village_paths)
    register(UnitAssignment, "unit")


@dataclass
class Plan:
    """What a reorganisation does (or did): moves per old→new pair, and records to review."""

    effective: dt.date
    moves: list[tuple[Registration, Unit, Unit, int]] = field(default_factory=list)
    reviews: list[tuple[Registration, Unit, list[Unit], list[tuple[int, str]]]] = field(default_factory=list)
    queued: int = 0  # reviews added to the queue by this run (the others were there already)

    @property
    def moved_count(self) -> int:
        return sum(n for *_rest, n in self.moves)

    @property
    def review_count(self) -> int:
        return sum(len(records) for *_rest, records in self.reviews)


def _successors_by_old(effective: dt.date) -> dict[int, list[UnitSuccession]]:
    found: dict[int, list[UnitSuccession]] = defaultdict(list)
    for s in UnitSuccession.objects.filter(effective=effective).select_related("predecessor", "successor"):
        found[s.predecessor_id].append(s)
    return found


def _candidates_for(unit: Unit, by_old: dict[int, list[UnitSuccession]]) -> list[Unit]:
    """New units a record of ``unit`` may go to: its own successors, or its nearest ancestor's."""
    if unit.pk in by_old:
        return [s.successor for s in by_old[unit.pk]]
    for ancestor in reversed(unit.ancestors()):
        if ancestor.pk in by_old:
            return [s.successor for s in by_old[ancestor.pk]]
    return []


def _common_ancestor(units: list[Unit]) -> Unit | None:
    if not units:
        return None
    parts = [u.path.strip("/").split("/") for u in units]
    common = []
    for items in zip(*parts, strict=False):
        if len(set(items)) != 1:
            break
        common.append(items[0])
    if not common:
        return None
    return Unit.objects.get(pk=int(common[-1]))


def plan_reorganisation(*, effective: dt.date) -> Plan:
    """Work out the moves and reviews for ``effective`` without writing anything."""
    plan = Plan(effective=effective)
    by_old = _successors_by_old(effective)
    # Old units that end the day before the reorganisation: their records must go somewhere.
    ended = Unit.objects.filter(valid_to=effective - dt.timedelta(days=1))
    ended_ids = set(ended.values_list("pk", flat=True)) | set(by_old)
    for reg in registrations():
        counts = (
            reg.queryset()
            .filter(**{f"{reg.field}__in": ended_ids})
            .values(reg.field)
            .annotate(n=models.Count("pk"))
            .order_by(reg.field)
        )
        for row in counts:
            old = Unit.objects.get(pk=row[reg.field])
            successions = by_old.get(old.pk, [])
            if len(successions) == 1 and successions[0].kind == "full":
                plan.moves.append((reg, old, successions[0].successor, row["n"]))
            else:
                records = [
                    (obj.pk, str(obj)[:255])
                    for obj in reg.queryset().filter(**{reg.field: old}).order_by("pk")
                ]
                plan.reviews.append((reg, old, _candidates_for(old, by_old), records))
    return plan


def move_records(
    *, registration: Registration, queryset, old_unit: Unit, new_unit: Unit, effective, acting_user
) -> int:
    """Point the records of ``queryset`` at ``new_unit`` and keep ``old_unit`` in their history."""
    ct = ContentType.objects.get_for_model(registration.model)
    ids = list(queryset.filter(**{registration.field: old_unit}).values_list("pk", flat=True))
    for start in range(0, len(ids), BATCH):
        chunk = ids[start : start + BATCH]
        UnitMove.objects.bulk_create(
            UnitMove(
                content_type=ct,
                object_id=pk,
                field_name=registration.field,
                old_unit=old_unit,
                new_unit=new_unit,
                effective=effective,
                moved_by=acting_user if getattr(acting_user, "pk", None) else None,
            )
            for pk in chunk
        )
        registration.model._default_manager.filter(pk__in=chunk).update(**{registration.field: new_unit})
        if registration.after_move:
            registration.after_move(chunk, new_unit)
    return len(ids)


@transaction.atomic
def reorganise(*, effective: dt.date, acting_user=None) -> Plan:
    """Carry out the reorganisation of ``effective``: moves, and the review queue. Idempotent."""
    plan = plan_reorganisation(effective=effective)
    for reg, old, new, _n in plan.moves:
        moved = move_records(
            registration=reg,
            queryset=reg.queryset(),
            old_unit=old,
            new_unit=new,
            effective=effective,
            acting_user=acting_user,
        )
        audit_record(
            acting_user,
            "geo.reorganisation.moved",
            new,
            changes={"record_type": reg.label, "from_unit": old.pk, "to_unit": new.pk, "count": moved},
        )
    ct_cache: dict[type, ContentType] = {}
    for reg, old, candidates, records in plan.reviews:
        ct = ct_cache.setdefault(reg.model, ContentType.objects.get_for_model(reg.model))
        scope_unit = _common_ancestor(candidates) or old
        for pk, label in records:
            review, created = PlacementReview.objects.get_or_create(
                content_type=ct,
                object_id=pk,
                field_name=reg.field,
                effective=effective,
                defaults={"record_label": label, "old_unit": old, "scope_unit": scope_unit},
            )
            if created or review.status == PlacementStatus.PENDING:
                review.candidates.set(candidates)
            plan.queued += created
    # A run that moved nothing and queued nothing new changed nothing: no event (idempotent).
    if plan.moved_count or plan.queued:
        moved_models = {reg.model for reg, _old, _new, _n in plan.moves}
        refresh_planner_statistics(*moved_models, UnitMove, PlacementReview)
        audit_record(
            acting_user,
            "geo.reorganisation.run",
            None,
            object_label=effective.isoformat(),
            changes={"moved": plan.moved_count, "to_review": plan.review_count, "queued": plan.queued},
        )
    return plan

"""Writes on administrative units. Each function is one audited transaction."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from treem.audit.services import audit_record, diff, snapshot
from treem.core.scope import ScopeError, scope_require, unit_in_scope
from treem.geo.models import PlacementReview, PlacementStatus, Unit, UnitLevel

VILLAGE_KINDS = ("Thôn", "Tổ dân phố", "Khối phố", "Ấp", "Bản", "Buôn", "Làng", "Khu phố", "Xóm", "Tổ")


def unit_save_with_path(unit: Unit) -> Unit:
    """Save a unit and set its materialised path (needs its primary key, hence two writes)."""
    unit.path = unit.path or "/"
    unit.save()
    path = unit.compute_path()
    if unit.path != path:
        unit.path = path
        Unit.objects.filter(pk=unit.pk).update(path=path)
    return unit


def unit_reparent(unit: Unit, new_parent: Unit) -> None:
    """Move ``unit`` and its subtree under ``new_parent`` (paths of the subtree are rewritten)."""
    old_path = unit.path
    unit.parent = new_parent
    new_path = unit.compute_path()
    Unit.objects.filter(pk=unit.pk).update(parent=new_parent)
    if old_path != new_path:
        for child in Unit.objects.filter(path__startswith=old_path).only("pk", "path"):
            Unit.objects.filter(pk=child.pk).update(path=new_path + child.path[len(old_path) :])
        unit.path = new_path


@transaction.atomic
def village_create(*, acting_user, commune: Unit, name: str, kind: str = "Thôn", code: str = "") -> Unit:
    """Add a village (thôn, tổ dân phố) to a commune the user works in."""
    scope_require(acting_user, commune, "geo.add_unit")
    name = (name or "").strip()
    if commune.level != UnitLevel.COMMUNE:
        raise ValidationError({"commune": _("Villages belong to a commune.")})
    if not commune.is_valid_on(timezone.localdate()):
        raise ValidationError({"commune": _("This commune no longer exists; choose a unit in force today.")})
    village = Unit(
        level=UnitLevel.VILLAGE, parent=commune, name=name, kind=kind, code=(code or "").strip(), path="/"
    )
    # Before full_clean(), whose unique-constraint check would only say "Constraint … is violated".
    if Unit.objects.filter(
        parent=commune, level=UnitLevel.VILLAGE, name__iexact=name, valid_to__isnull=True
    ).exists():
        raise ValidationError({"name": _("This commune already has a village with this name.")})
    village.full_clean(exclude=["path"])
    unit_save_with_path(village)
    audit_record(acting_user, "geo.village.created", village, changes=diff(None, snapshot(village)))
    return village


@transaction.atomic
def village_update(*, acting_user, village: Unit, name: str, kind: str, code: str = "") -> Unit:
    """Rename or re-classify a village."""
    if village.level != UnitLevel.VILLAGE:
        raise ScopeError("geo.change_unit")
    scope_require(acting_user, village, "geo.change_unit")
    before = snapshot(village)
    village.name = (name or "").strip()
    village.kind = kind
    village.code = (code or "").strip()
    clash = Unit.objects.filter(
        parent_id=village.parent_id, level=UnitLevel.VILLAGE, name__iexact=village.name, valid_to__isnull=True
    ).exclude(pk=village.pk)
    if clash.exists():  # before full_clean(), as in village_create
        raise ValidationError({"name": _("This commune already has a village with this name.")})
    village.full_clean(exclude=["path"])
    village.save(update_fields=["name", "kind", "code"])
    audit_record(acting_user, "geo.village.updated", village, changes=diff(before, snapshot(village)))
    return village


@transaction.atomic
def village_retire(*, acting_user, village: Unit, valid_to: dt.date | None = None) -> Unit:
    """End a village's validity (villages are never deleted: records may point at them)."""
    if village.level != UnitLevel.VILLAGE:
        raise ScopeError("geo.delete_unit")
    scope_require(acting_user, village, "geo.delete_unit")
    if village.valid_to is not None:
        raise ValidationError(_("This village is already out of use."))
    before = snapshot(village)
    village.valid_to = valid_to or timezone.localdate()
    village.full_clean(exclude=["path"])
    village.save(update_fields=["valid_to"])
    audit_record(acting_user, "geo.village.retired", village, changes=diff(before, snapshot(village)))
    return village


@transaction.atomic
def placement_decide(*, acting_user, review: PlacementReview, new_unit: Unit) -> PlacementReview:
    """Place a record of a partially split old unit into one of its candidate new units."""
    from treem.geo.reorganisation import move_records

    if not PlacementReview.objects.restrict(acting_user, "change").filter(pk=review.pk).exists():
        raise ScopeError("geo.change_placementreview")
    review = PlacementReview.objects.select_for_update().get(pk=review.pk)
    if review.status != PlacementStatus.PENDING:
        raise ValidationError(_("This record has already been placed."))
    if not review.candidates.filter(pk=new_unit.pk).exists():
        raise ValidationError({"new_unit": _("Choose one of the new units this old unit went into.")})
    if not unit_in_scope(acting_user, new_unit):
        raise ValidationError({"new_unit": _("You may only place a record into a unit you work in.")})
    registration, record = _registration_and_record(review)
    if record is None:
        raise ValidationError(_("The record no longer exists."))
    move_records(
        registration=registration,
        queryset=registration.model._default_manager.filter(pk=record.pk),
        old_unit=review.old_unit,
        new_unit=new_unit,
        effective=review.effective,
        acting_user=acting_user,
    )
    review.status = PlacementStatus.PLACED
    review.placed_in = new_unit
    review.decided_by = acting_user
    review.decided_at = timezone.now()
    review.save(update_fields=["status", "placed_in", "decided_by", "decided_at"])
    audit_record(
        acting_user,
        "geo.placement.decided",
        review,
        unit=review.scope_unit,
        changes={"placed_in": [None, new_unit.pk], "old_unit": [review.old_unit_id, review.old_unit_id]},
    )
    return review


def _registration_and_record(review: PlacementReview):
    from treem.geo.reorganisation import registration_for

    model = review.content_type.model_class()
    registration = registration_for(model, review.field_name)
    record = model._default_manager.filter(pk=review.object_id).first()
    return registration, record

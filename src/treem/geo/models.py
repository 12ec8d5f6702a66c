"""Administrative units (đơn vị hành chính) with validity dates, and the 2025 reorganisation.

A unit's official code is not its identity across time: after 01/07/2025 a new commune often
keeps the code of an old commune it absorbed (20335 was Phường Tân Thạnh of Quảng Nam and is
Phường Bàn Thạch of Đà Nẵng). The identity is the code with its validity period, so every
unit row carries ``valid_from`` / ``valid_to`` and the lookups take a date.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from treem.core.scope import RestrictedQuerySet
from treem.core.text import fold


class UnitLevel(models.TextChoices):
    """Tiers of the administrative hierarchy (districts only exist before 01/07/2025)."""

    PROVINCE = "province", _("Province")
    DISTRICT = "district", _("District")
    COMMUNE = "commune", _("Commune")
    VILLAGE = "village", _("Village")


class UnitQuerySet(RestrictedQuerySet):
    def valid_on(self, day: dt.date) -> UnitQuerySet:
        """Units in force on ``day``."""
        return self.filter(
            Q(valid_from__isnull=True) | Q(valid_from__lte=day),
            Q(valid_to__isnull=True) | Q(valid_to__gte=day),
        )

    def current(self) -> UnitQuerySet:
        """Units in force today."""
        return self.valid_on(dt.date.today())

    def descendants_of(self, unit: Unit, *, include_self: bool = True) -> UnitQuerySet:
        qs = self.filter(path__startswith=unit.path)
        return qs if include_self else qs.exclude(pk=unit.pk)


class Unit(models.Model):
    """An administrative unit: province, district (before 2025), commune, or village.

    ``path`` is a materialised path of primary keys (``/12/340/5678/``): a unit's descendants
    are the units whose path starts with its own. Scope checks rely on it.
    Villages (thôn, tổ dân phố) are kept by their commune and have no official code.
    """

    scope_path_lookup = "path"

    code = models.CharField(_("code"), max_length=10, blank=True, db_index=True)
    name = models.CharField(_("name"), max_length=200)
    name_folded = models.CharField(
        _("name without diacritics"), max_length=200, db_index=True, editable=False
    )
    kind = models.CharField(
        _("kind"),
        max_length=60,
        blank=True,
        help_text=_("For example: Tỉnh, Thành phố, Xã, Phường, Đặc khu, Thôn…"),
    )
    level = models.CharField(_("level"), max_length=10, choices=UnitLevel.choices)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent unit"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    path = models.CharField(_("path"), max_length=255, db_index=True, editable=False)
    valid_from = models.DateField(_("valid from"), null=True, blank=True)
    valid_to = models.DateField(_("valid to"), null=True, blank=True)
    latitude = models.FloatField(_("latitude"), null=True, blank=True)
    longitude = models.FloatField(_("longitude"), null=True, blank=True)
    source = models.CharField(_("source"), max_length=60, blank=True)

    objects = UnitQuerySet.as_manager()

    class Meta:
        verbose_name = _("administrative unit")
        verbose_name_plural = _("administrative units")
        permissions = [("import_units", _("Can import the official lists of units"))]
        ordering = ["level", "code", "name", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["level", "code", "valid_from"],
                condition=Q(valid_from__isnull=False) & ~Q(level="village"),
                name="geo_unit_code_period_unique",
            ),
            models.UniqueConstraint(
                fields=["level", "code"],
                condition=Q(valid_from__isnull=True) & ~Q(level="village"),
                name="geo_unit_code_open_start_unique",
            ),
            models.UniqueConstraint(
                fields=["parent", "name"],
                condition=Q(level="village", valid_to__isnull=True),
                name="geo_village_name_unique_in_commune",
            ),
            models.CheckConstraint(
                condition=Q(valid_to__isnull=True)
                | Q(valid_from__isnull=True)
                | Q(valid_to__gte=models.F("valid_from")),
                name="geo_unit_valid_period_ordered",
            ),
        ]
        indexes = [models.Index(fields=["level", "valid_to"], name="geo_unit_level_valid_idx")]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs):
        self.name_folded = fold(self.name)
        if kwargs.get("update_fields") is not None and "name" in kwargs["update_fields"]:
            kwargs["update_fields"] = {*kwargs["update_fields"], "name_folded"}
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return reverse("geo:unit_detail", args=[self.pk])

    @property
    def label(self) -> str:
        """Name with code and, for units no longer in force, the end of their validity."""
        text = f"{self.name} ({self.code})" if self.code else self.name
        if self.valid_to:
            text += " — " + str(_("until")) + " " + self.valid_to.strftime("%d/%m/%Y")
        return text

    def is_valid_on(self, day: dt.date) -> bool:
        return (self.valid_from is None or self.valid_from <= day) and (
            self.valid_to is None or self.valid_to >= day
        )

    def ancestors(self) -> list[Unit]:
        """Units above this one, from the province down (one query)."""
        ids = [int(p) for p in self.path.strip("/").split("/")[:-1] if p]
        by_id = {u.pk: u for u in Unit.objects.filter(pk__in=ids)}
        return [by_id[i] for i in ids if i in by_id]

    def compute_path(self) -> str:
        prefix = self.parent.path if self.parent_id else "/"
        return f"{prefix}{self.pk}/"


class SuccessionKind(models.TextChoices):
    FULL = "full", _("whole unit")
    PARTIAL = "partial", _("part of the unit")


class UnitSuccession(models.Model):
    """Old unit → new unit on a reorganisation date: the whole unit (full) or a part of it (partial)."""

    scope_path_lookup = "successor__path"

    predecessor = models.ForeignKey(
        Unit, verbose_name=_("old unit"), on_delete=models.CASCADE, related_name="successions"
    )
    successor = models.ForeignKey(
        Unit, verbose_name=_("new unit"), on_delete=models.CASCADE, related_name="predecessions"
    )
    kind = models.CharField(_("kind"), max_length=10, choices=SuccessionKind.choices)
    effective = models.DateField(_("effective from"))
    source = models.CharField(_("source"), max_length=60, blank=True)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        verbose_name = _("unit succession")
        verbose_name_plural = _("unit successions")
        ordering = ["effective", "predecessor_id", "successor_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["predecessor", "successor", "effective"], name="geo_succession_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.predecessor} → {self.successor} ({self.get_kind_display()})"


class PlacementStatus(models.TextChoices):
    PENDING = "pending", _("waiting for a decision")
    PLACED = "placed", _("placed")


class PlacementReview(models.Model):
    """A record of a partially split old unit, waiting for a person to choose its new unit.

    Users of any candidate new unit (and of the units above them) see it: the new communes know
    where a village or a family now belongs. Each may place it only into a unit of their own.
    """

    scope_path_lookup = "candidates__path"

    content_type = models.ForeignKey(ContentType, verbose_name=_("record type"), on_delete=models.CASCADE)
    object_id = models.PositiveBigIntegerField(_("record id"))
    record = GenericForeignKey("content_type", "object_id")
    field_name = models.CharField(_("field"), max_length=60)
    record_label = models.CharField(_("record"), max_length=255)
    old_unit = models.ForeignKey(Unit, verbose_name=_("old unit"), on_delete=models.PROTECT, related_name="+")
    candidates = models.ManyToManyField(Unit, verbose_name=_("candidate new units"), related_name="+")
    scope_unit = models.ForeignKey(
        Unit,
        verbose_name=_("responsible unit"),
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("The new unit above all candidates, whose users oversee the decision."),
    )
    effective = models.DateField(_("effective from"))
    status = models.CharField(
        _("status"), max_length=10, choices=PlacementStatus.choices, default=PlacementStatus.PENDING
    )
    placed_in = models.ForeignKey(
        Unit, verbose_name=_("placed in"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("decided by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        verbose_name = _("placement review")
        verbose_name_plural = _("placement reviews")
        ordering = ["status", "old_unit_id", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["content_type", "object_id", "field_name", "effective"],
                name="geo_placement_review_unique",
            )
        ]

    def __str__(self) -> str:
        return f"{self.record_label} ({self.old_unit})"

    def get_absolute_url(self) -> str:
        return reverse("geo:review_detail", args=[self.pk])


class UnitMove(models.Model):
    """History of a record carried from an old unit to a new one (kept forever)."""

    scope_path_lookup = "new_unit__path"

    content_type = models.ForeignKey(ContentType, verbose_name=_("record type"), on_delete=models.CASCADE)
    object_id = models.PositiveBigIntegerField(_("record id"))
    field_name = models.CharField(_("field"), max_length=60)
    old_unit = models.ForeignKey(Unit, verbose_name=_("old unit"), on_delete=models.PROTECT, related_name="+")
    new_unit = models.ForeignKey(Unit, verbose_name=_("new unit"), on_delete=models.PROTECT, related_name="+")
    effective = models.DateField(_("effective from"))
    moved_at = models.DateTimeField(_("moved at"), auto_now_add=True)
    moved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("moved by"), null=True, blank=True, on_delete=models.SET_NULL
    )

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        verbose_name = _("unit move")
        verbose_name_plural = _("unit moves")
        ordering = ["effective", "id"]
        indexes = [models.Index(fields=["content_type", "object_id"], name="geo_unitmove_record_idx")]

    def __str__(self) -> str:
        return f"{self.old_unit} → {self.new_unit}"

"""Indicators and targets (chỉ tiêu, chỉ số): the catalogue, targets per unit and year, values per
unit and period, and their approval.

Values are stored as a numerator and, for percentages and rates, a denominator, so that a total
over several units is always recomputed from the summed parts (never an average of percentages).

Who sees what
    The catalogue is reference data. Targets, values and approvals belong to a unit and are seen by
    that unit's users and those above. Targets and values keep the unit they were set or reported
    for (``unit``, in force in their year) and also carry a ``scope_unit`` that follows the 2025
    reorganisation (registered with ``geo.reorganisation``), so the new province's users still see
    the old communes' figures and "under today's units" can place them.
"""

from __future__ import annotations

import re
from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from treem.core.models import TrackedModel
from treem.core.scope import RestrictedQuerySet
from treem.indicators.choices import (
    ApprovalStatus,
    Breakdown,
    CommuneCategory,
    IndicatorKind,
    PeriodType,
    Programme,
    TargetStatus,
    ValueSource,
)

DIGITS = 16
DECIMALS = 2


class Indicator(models.Model):
    """An indicator of the catalogue: what it measures, how it is computed, who reports it."""

    scope_path_lookup = ""  # reference data: the permission is enough

    code = models.CharField(
        _("code"),
        max_length=30,
        unique=True,
        help_text=_("Letters, digits and _ (used as a name in formulas), e.g. TT13_0101."),
    )
    name = models.CharField(_("name"), max_length=255)
    definition = models.TextField(_("definition"), blank=True)
    programme = models.CharField(_("programme"), max_length=10, choices=Programme.choices)
    kind = models.CharField(_("kind"), max_length=12, choices=IndicatorKind.choices)
    unit_of_measure = models.CharField(_("unit of measure"), max_length=40)
    multiplier = models.PositiveIntegerField(
        _("multiplier"), default=1, help_text=_("100 for a percentage, 100000 for a rate per 100,000.")
    )
    numerator_formula = models.CharField(
        _("numerator formula"),
        max_length=500,
        blank=True,
        help_text=_("Over indicator codes and data elements with + - * /; empty when entered by hand."),
    )
    denominator_formula = models.CharField(_("denominator formula"), max_length=500, blank=True)
    numerator_label = models.CharField(_("numerator"), max_length=255, blank=True)
    denominator_label = models.CharField(_("denominator"), max_length=255, blank=True)
    breakdowns = models.JSONField(_("breakdowns"), default=list, blank=True)
    period_type = models.CharField(
        _("period type"), max_length=10, choices=PeriodType.choices, default=PeriodType.YEAR
    )
    source = models.CharField(_("source of data"), max_length=255, blank=True)
    responsible_agency = models.CharField(_("responsible agency"), max_length=255, blank=True)
    higher_is_better = models.BooleanField(_("higher is better"), default=True)
    expected_min = models.DecimalField(
        _("smallest expected value"), max_digits=DIGITS, decimal_places=DECIMALS, null=True, blank=True
    )
    expected_max = models.DecimalField(
        _("largest expected value"), max_digits=DIGITS, decimal_places=DECIMALS, null=True, blank=True
    )
    national_target_2025 = models.CharField(_("national target 2025"), max_length=40, blank=True)
    national_target_2030 = models.CharField(_("national target 2030"), max_length=40, blank=True)
    sort_order = models.PositiveSmallIntegerField(_("order"), default=0)
    is_active = models.BooleanField(_("in use"), default=True)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        verbose_name = _("indicator")
        verbose_name_plural = _("indicators")
        ordering = ["programme", "sort_order", "code"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(kind="percentage") | Q(multiplier=100), name="indicators_percentage_multiplier"
            )
        ]

    def __str__(self) -> str:
        return f"{self.official_number} — {self.name}" if self.official_number else self.name

    def get_absolute_url(self) -> str:
        return reverse("indicators:indicator_detail", args=[self.pk])

    @property
    def breakdown_labels(self) -> list[str]:
        """The breakdowns in words ("age group", not "age_group")."""
        labels = dict(Breakdown.choices)
        return [str(labels.get(b, b)) for b in self.breakdowns or []]

    @property
    def official_number(self) -> str:
        """The indicator's number in Circular 13/2021 ("0101" of TT13_0101), which people know;
        other codes are names for formulas and are never shown."""
        match = re.fullmatch(r"TT13_(\d{4})", self.code)
        return match.group(1) if match else ""

    @property
    def is_ratio(self) -> bool:
        return self.kind != IndicatorKind.COUNT

    @property
    def is_computed(self) -> bool:
        return bool(self.numerator_formula)

    def value_of(self, numerator: Decimal | None, denominator: Decimal | None) -> Decimal | None:
        """The indicator's value from its parts (None when a part is missing or the denominator is 0)."""
        if numerator is None:
            return None
        if not self.is_ratio:
            return Decimal(numerator)
        if denominator is None or denominator == 0:
            return None
        return (Decimal(numerator) * self.multiplier / Decimal(denominator)).quantize(Decimal("0.01"))


class Target(TrackedModel):
    """A target (chỉ tiêu) of an indicator for a unit and a year, with its baseline.

    Entered or changed, a target is a draft; it counts (traffic lights, dashboards, the report's
    Bảng 2) once approved by someone holding ``approve_target`` other than the person who last
    entered or changed it (``updated_by``): four eyes. A change of an approved target makes it a
    draft again.
    """

    scope_path_lookup = "scope_unit__path"

    indicator = models.ForeignKey(
        Indicator, verbose_name=_("indicator"), on_delete=models.PROTECT, related_name="targets"
    )
    unit = models.ForeignKey("geo.Unit", verbose_name=_("unit"), on_delete=models.PROTECT, related_name="+")
    scope_unit = models.ForeignKey(
        "geo.Unit", verbose_name=_("unit today"), on_delete=models.PROTECT, related_name="+", editable=False
    )
    year = models.PositiveSmallIntegerField(_("year"))
    target = models.DecimalField(_("target"), max_digits=DIGITS, decimal_places=DECIMALS)
    baseline = models.DecimalField(
        _("baseline"), max_digits=DIGITS, decimal_places=DECIMALS, null=True, blank=True
    )
    baseline_year = models.PositiveSmallIntegerField(_("baseline year"), null=True, blank=True)
    note = models.CharField(_("note"), max_length=255, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=TargetStatus.choices, default=TargetStatus.DRAFT
    )
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("approved by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    approved_at = models.DateTimeField(_("approved at"), null=True, blank=True)

    class Meta:
        verbose_name = _("target")
        verbose_name_plural = _("targets")
        ordering = ["year", "indicator__programme", "indicator__sort_order", "indicator__code", "unit_id"]
        permissions = [("approve_target", _("Can approve targets (not one's own)"))]
        constraints = [
            models.UniqueConstraint(fields=["indicator", "unit", "year"], name="indicators_target_unique"),
            models.CheckConstraint(
                condition=Q(status="draft", approved_at__isnull=True, approved_by__isnull=True)
                | Q(status="approved", approved_at__isnull=False),
                name="indicators_target_approval_consistent",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.indicator} {self.unit} {self.year}"

    def get_absolute_url(self) -> str:
        return reverse("indicators:target_list") + f"?year={self.year}&unit={self.unit_id}"

    def audit_unit(self):
        return self.scope_unit

    @property
    def is_approved(self) -> bool:
        return self.status == TargetStatus.APPROVED


class IndicatorValue(TrackedModel):
    """The figure of an indicator for a unit and a period: numerator and (for ratios) denominator."""

    scope_path_lookup = "scope_unit__path"

    indicator = models.ForeignKey(
        Indicator, verbose_name=_("indicator"), on_delete=models.PROTECT, related_name="values"
    )
    unit = models.ForeignKey("geo.Unit", verbose_name=_("unit"), on_delete=models.PROTECT, related_name="+")
    scope_unit = models.ForeignKey(
        "geo.Unit", verbose_name=_("unit today"), on_delete=models.PROTECT, related_name="+", editable=False
    )
    period = models.CharField(_("period"), max_length=8)
    year = models.PositiveSmallIntegerField(_("year"), editable=False)
    numerator = models.DecimalField(
        _("numerator (or the count)"), max_digits=DIGITS, decimal_places=DECIMALS, null=True, blank=True
    )
    denominator = models.DecimalField(
        _("denominator"), max_digits=DIGITS, decimal_places=DECIMALS, null=True, blank=True
    )
    comment = models.CharField(_("comment"), max_length=500, blank=True)
    source = models.CharField(
        _("source"), max_length=10, choices=ValueSource.choices, default=ValueSource.ENTERED
    )

    class Meta:
        verbose_name = _("indicator value")
        verbose_name_plural = _("indicator values")
        ordering = ["period", "indicator__programme", "indicator__sort_order", "indicator__code", "unit_id"]
        constraints = [
            models.UniqueConstraint(fields=["indicator", "unit", "period"], name="indicators_value_unique"),
            models.CheckConstraint(
                condition=Q(numerator__isnull=True) | Q(numerator__gte=0),
                name="indicators_value_numerator_positive",
            ),
            models.CheckConstraint(
                condition=Q(denominator__isnull=True) | Q(denominator__gte=0),
                name="indicators_value_denominator_positive",
            ),
        ]
        indexes = [models.Index(fields=["indicator", "period"], name="indicators_value_period_idx")]

    def __str__(self) -> str:
        return f"{self.indicator.code} {self.unit} {self.period}"

    def get_absolute_url(self) -> str:
        return reverse("indicators:entry", args=[self.unit_id, self.period])

    def audit_unit(self):
        return self.scope_unit

    @property
    def value(self) -> Decimal | None:
        return self.indicator.value_of(self.numerator, self.denominator)


class Approval(models.Model):
    """Approval of a unit's figures for a period (commune, then province): approved figures are locked.

    Unlocking keeps the row (status ``unlocked``, who, when and why): the history of approvals stays.
    """

    scope_path_lookup = "unit__path"

    unit = models.ForeignKey("geo.Unit", verbose_name=_("unit"), on_delete=models.PROTECT, related_name="+")
    period = models.CharField(_("period"), max_length=8)
    status = models.CharField(
        _("status"), max_length=10, choices=ApprovalStatus.choices, default=ApprovalStatus.APPROVED
    )
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("approved by"), on_delete=models.PROTECT, related_name="+"
    )
    approved_at = models.DateTimeField(_("approved at"))
    unlocked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("unlocked by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    unlocked_at = models.DateTimeField(_("unlocked at"), null=True, blank=True)
    unlock_reason = models.CharField(_("reason for unlocking"), max_length=500, blank=True)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        verbose_name = _("approval of figures")
        verbose_name_plural = _("approvals of figures")
        ordering = ["-approved_at", "-id"]
        permissions = [("approve_figures", _("Can approve and unlock indicator figures"))]
        constraints = [
            models.UniqueConstraint(
                fields=["unit", "period"],
                condition=Q(status="approved"),
                name="indicators_approval_one_active",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.unit} {self.period}"

    def get_absolute_url(self) -> str:
        return reverse("indicators:entry", args=[self.unit_id, self.period])


class CommuneClass(models.Model):
    """Which threshold a commune's child-friendly score is judged against (QĐ 06/2019)."""

    scope_path_lookup = "unit__path"

    unit = models.OneToOneField(
        "geo.Unit", verbose_name=_("commune"), on_delete=models.CASCADE, related_name="+"
    )
    category = models.CharField(_("category"), max_length=14, choices=CommuneCategory.choices)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        verbose_name = _("commune category")
        verbose_name_plural = _("commune categories")
        ordering = ["unit_id"]

    def __str__(self) -> str:
        return f"{self.unit}: {self.get_category_display()}"

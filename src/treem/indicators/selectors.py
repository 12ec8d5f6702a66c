"""Reads of indicators: totals up the hierarchy, the indicator table against targets, trends and
the child-friendly commune ranking.

Totals never average percentages: each value is a numerator and a denominator, and a unit's
figure is the sum of the numerators over the sum of the denominators of the communes below it.
A figure is placed either under the unit it was reported for (``under="period"``: the units of
that period, e.g. the districts and communes before 01/07/2025) or under today's units
(``under="today"``: the unit its record follows after the reorganisation, or where the old unit
went wholly — a split commune's figure waits for a person's decision and is reported apart).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Literal

from django.db.models import QuerySet
from django.utils import timezone

from treem.geo.models import Unit, UnitLevel
from treem.geo.selectors import _units_on_day, count_rollup  # the geo module's placement rule, reused
from treem.indicators.choices import PASS_THRESHOLD, ApprovalStatus, CommuneCategory, Programme, TargetStatus
from treem.indicators.models import Approval, CommuneClass, Indicator, IndicatorValue, Target
from treem.indicators.periods import parse_period, unit_exists_in

Under = Literal["period", "today"]
AMBER_MARGIN = Decimal("0.10")  # within 10 % of the target: amber


@dataclass
class Sums:
    """Summed parts of an indicator over some units."""

    numerator: Decimal = Decimal(0)
    denominator: Decimal = Decimal(0)
    reported: int = 0  # values with a figure
    missing: int = 0  # values left empty (with a comment)

    def add(self, value: IndicatorValue) -> None:
        if value.numerator is None:
            self.missing += 1
            return
        self.reported += 1
        self.numerator += value.numerator
        self.denominator += value.denominator or 0

    def value(self, indicator: Indicator) -> Decimal | None:
        if not self.reported:
            return None
        return indicator.value_of(self.numerator, self.denominator if indicator.is_ratio else None)


@dataclass
class Placed:
    """The values of one indicator and period, each under the unit it counts for."""

    indicator: Indicator
    period: str
    under: Under
    rows: list[tuple[Unit, IndicatorValue]] = field(default_factory=list)
    unplaced: list[IndicatorValue] = field(default_factory=list)

    def total(self, unit: Unit) -> Sums:
        sums = Sums()
        for placed, value in self.rows:
            if placed.path.startswith(unit.path):
                sums.add(value)
        return sums

    def by_child(self, unit: Unit) -> dict[Unit, Sums]:
        """Sums per unit one level below ``unit`` (drill-down), in the order of their names."""
        depth = len(_ids(unit))
        grouped: dict[int, Sums] = defaultdict(Sums)
        for placed, value in self.rows:
            ids = _ids(placed)
            if placed.path.startswith(unit.path) and len(ids) > depth:
                grouped[ids[depth]].add(value)
        units = Unit.objects.in_bulk(list(grouped))
        return {units[pk]: grouped[pk] for pk in sorted(grouped, key=lambda pk: (units[pk].name, pk))}

    def at_level(self, level: str) -> dict[Unit | None, Sums]:
        """Sums per unit of ``level`` (read from paths, as ``geo.selectors.count_rollup``)."""
        numerators = count_rollup(counts=_summed(self.rows, "numerator"), level=level)
        denominators = count_rollup(counts=_summed(self.rows, "denominator"), level=level)
        reported = count_rollup(counts=_summed(self.rows, "reported"), level=level)
        return {
            unit: Sums(numerators[unit], denominators.get(unit, Decimal(0)), int(reported.get(unit, 0)))
            for unit in numerators
        }


def _summed(rows: Iterable[tuple[Unit, IndicatorValue]], part: str) -> dict[Unit, Decimal]:
    out: dict[Unit, Decimal] = defaultdict(Decimal)
    for unit, value in rows:
        if value.numerator is None:
            continue
        out[unit] += 1 if part == "reported" else getattr(value, part) or 0
    return dict(out)


def _ids(unit: Unit) -> list[int]:
    return [int(p) for p in unit.path.strip("/").split("/") if p]


def visible_values(user) -> QuerySet[IndicatorValue]:
    return IndicatorValue.objects.restrict(user, "view")


def place_values(
    *,
    values: Iterable[IndicatorValue],
    indicator: Indicator,
    period: str,
    under: Under,
    today: dt.date | None = None,
) -> Placed:
    """Put each value under the unit it counts for (see the module's docstring)."""
    values = list(values)
    placed = Placed(indicator, period, under)
    if under == "period":
        placed.rows = [(v.unit, v) for v in values]
        return placed
    if under != "today":
        raise ValueError(f"Unknown under={under!r}")
    today = today or timezone.localdate()
    scope_units = {v.scope_unit_id: v.scope_unit for v in values}
    now = _units_on_day(scope_units, today)
    for v in values:
        target = now.get(v.scope_unit_id)
        if target is None:
            placed.unplaced.append(v)
        else:
            placed.rows.append((target, v))
    return placed


def placed_values(*, user, indicator: Indicator, period: str, under: Under = "period") -> Placed:
    values = (
        visible_values(user)
        .filter(indicator=indicator, period=period)
        .select_related("unit", "scope_unit", "indicator")
    )
    return place_values(values=values, indicator=indicator, period=period, under=under)


def approved_targets(user) -> QuerySet[Target]:
    """The targets that count (approved by a second person), of the units the user may see.

    Every comparison of figures with targets (traffic lights, trends, dashboards, the report's
    Bảng 2) starts here: a draft target is awaiting approval and compares with nothing.
    """
    return Target.objects.restrict(user, "view").filter(status=TargetStatus.APPROVED)


def draft_targets(user) -> QuerySet[Target]:
    """Targets awaiting approval, of the units the user may see (shown as such, never compared)."""
    return Target.objects.restrict(user, "view").filter(status=TargetStatus.DRAFT)


WORKLIST_LIMIT = 5


def worklist_items(user) -> list:
    """For ``core.worklist``: the drafts the user may approve (not their own), one item per unit and
    year, opening that year's list of targets."""
    from django.db.models import Count
    from django.urls import reverse
    from django.utils.translation import gettext as _

    from treem.core.worklist import WorkItem

    if not user.has_perm("indicators.approve_target"):
        return []
    groups = (
        draft_targets(user)
        .exclude(updated_by=user)
        .values("unit", "year")
        .annotate(n=Count("pk"))
        .order_by("year", "unit")[:WORKLIST_LIMIT]
    )
    units = Unit.objects.in_bulk([g["unit"] for g in groups])
    return [
        WorkItem(
            _("Targets to approve"),
            f"{units[g['unit']].name} · {g['year']}",
            reverse("indicators:target_list") + f"?unit={g['unit']}&year={g['year']}",
            None,
            g["n"],
        )
        for g in groups
    ]


def traffic_light(indicator: Indicator, actual: Decimal | None, target: Decimal | None) -> str:
    """green (target met), amber (within 10 %), red, or "" when there is nothing to compare."""
    if actual is None or target is None:
        return ""
    if indicator.higher_is_better:
        if actual >= target:
            return "green"
        return "amber" if actual >= target * (1 - AMBER_MARGIN) else "red"
    if actual <= target:
        return "green"
    return "amber" if actual <= target * (1 + AMBER_MARGIN) else "red"


@dataclass
class TableRow:
    """One indicator for a unit and year: target, baseline, actual and how it compares."""

    indicator: Indicator
    target: Decimal | None
    baseline: Decimal | None
    baseline_year: int | None
    numerator: Decimal | None
    denominator: Decimal | None
    actual: Decimal | None
    reported: int
    missing: int
    light: str

    @property
    def percent_of_target(self) -> int | None:
        if self.actual is None or not self.target:
            return None
        return int(min(Decimal(150), self.actual * 100 / self.target))


def indicator_table(
    *, user, unit: Unit, year: int, under: Under = "period", programmes: Iterable[str] | None = None
) -> list[TableRow]:
    """The indicator table against targets for ``unit`` and ``year`` (what the user may see).

    The consolidated report uses it as is: one row per active indicator of the catalogue (optionally
    only some programmes), the unit's approved target and baseline for the year, and the year's figure
    summed over the communes below the unit (ratios from summed parts).
    """
    period = str(year)
    indicators = Indicator.objects.filter(is_active=True)
    if programmes:
        indicators = indicators.filter(programme__in=list(programmes))
    indicators = list(indicators)
    targets = {t.indicator_id: t for t in approved_targets(user).filter(unit=unit, year=year)}
    by_indicator: dict[int, list[IndicatorValue]] = defaultdict(list)
    for value in visible_values(user).filter(period=period).select_related("unit", "scope_unit"):
        by_indicator[value.indicator_id].append(value)
    rows = []
    for indicator in indicators:
        for value in by_indicator.get(indicator.pk, []):
            value.indicator = indicator
        placed = place_values(
            values=by_indicator.get(indicator.pk, []), indicator=indicator, period=period, under=under
        )
        sums = placed.total(unit)
        target = targets.get(indicator.pk)
        actual = sums.value(indicator)
        rows.append(
            TableRow(
                indicator=indicator,
                target=target.target if target else None,
                baseline=target.baseline if target else None,
                baseline_year=target.baseline_year if target else None,
                numerator=sums.numerator if sums.reported else None,
                denominator=sums.denominator if sums.reported and indicator.is_ratio else None,
                actual=actual,
                reported=sums.reported,
                missing=sums.missing,
                light=traffic_light(indicator, actual, target.target if target else None),
            )
        )
    return rows


def trend(
    *, user, indicator: Indicator, unit: Unit, years: Iterable[int], under: Under = "today"
) -> list[dict]:
    """The unit's figure and target for each year (for the trend chart)."""
    years = list(years)
    targets = {
        t.year: t.target
        for t in approved_targets(user).filter(indicator=indicator, unit=unit, year__in=years)
    }
    values = list(
        visible_values(user)
        .filter(indicator=indicator, period__in=[str(y) for y in years])
        .select_related("unit", "scope_unit")
    )
    out = []
    for year in years:
        placed = place_values(
            values=[v for v in values if v.period == str(year)],
            indicator=indicator,
            period=str(year),
            under=under,
        )
        out.append({"year": year, "actual": placed.total(unit).value(indicator), "target": targets.get(year)})
    return out


def approval_state(unit: Unit, period: str) -> Approval | None:
    """The active approval on the unit itself for the period, if any."""
    return Approval.objects.filter(unit=unit, period=period, status=ApprovalStatus.APPROVED).first()


def commune_category(unit: Unit, classes: dict[int, str] | None = None) -> str:
    """The commune's threshold category: as set, or a ward of a city province (900), or other (850)."""
    if classes is not None and unit.pk in classes:
        return classes[unit.pk]
    if classes is None:
        found = CommuneClass.objects.filter(unit=unit).values_list("category", flat=True).first()
        if found:
            return found
    parent = unit.parent
    if unit.kind == "Phường" and parent is not None and parent.kind == "Thành phố":
        return CommuneCategory.CITY_WARD
    return CommuneCategory.OTHER


@dataclass
class Ranking:
    unit: Unit
    scores: dict[int, Decimal | None]
    total: Decimal
    category: str
    threshold: int
    passed: bool
    reasons: list[str]


def child_friendly_ranking(*, user, unit: Unit, year: int) -> list[Ranking]:
    """Communes under ``unit`` in force in ``year``, by their total child-friendly score."""
    from django.utils.translation import gettext as _

    period = parse_period(str(year))
    criteria = list(Indicator.objects.filter(programme=Programme.CHILD_FRIENDLY).order_by("sort_order"))
    number = {c.pk: int(c.code.split("_")[1]) for c in criteria}
    communes = [
        c
        for c in Unit.objects.restrict(user, "view")
        .filter(path__startswith=unit.path, level=UnitLevel.COMMUNE)
        .select_related("parent")
        if unit_exists_in(c, period.start, period.end)
    ]
    scores: dict[int, dict[int, Decimal | None]] = defaultdict(dict)
    for value in visible_values(user).filter(indicator__in=criteria, period=period.code, unit__in=communes):
        scores[value.unit_id][number[value.indicator_id]] = value.numerator
    classes = dict(CommuneClass.objects.filter(unit__in=communes).values_list("unit_id", "category"))
    out = []
    for commune in communes:
        mine = scores.get(commune.pk, {})
        total = sum((v for v in mine.values() if v is not None), Decimal(0))
        category = commune_category(commune, classes)
        threshold = PASS_THRESHOLD[category]
        reasons = []
        zero = [n for n in range(1, len(criteria) + 1) if not mine.get(n)]
        if zero:
            reasons.append(_("criteria without points: %(list)s") % {"list": ", ".join(str(n) for n in zero)})
        if total < threshold:
            reasons.append(_("total below %(threshold)s") % {"threshold": threshold})
        out.append(Ranking(commune, mine, total, category, threshold, not reasons, reasons))
    out.sort(key=lambda r: (-r.total, r.unit.name))
    return out


@dataclass
class RankingSummary:
    """The ranking page's line (and the consolidated report's): communes, scored, passed."""

    communes: int
    scored: int
    passed: int


def child_friendly_summary(ranking: list[Ranking]) -> RankingSummary:
    """How many communes of ``child_friendly_ranking`` were scored and met the standard."""
    return RankingSummary(
        communes=len(ranking),
        scored=sum(1 for r in ranking if r.scores),
        passed=sum(1 for r in ranking if r.passed),
    )


def export_rows(*, user, period: str, under: Under = "period", unit: Unit | None = None) -> list[dict]:
    """Every visible value of a period, one row per indicator and unit, for the ministry's exchange."""
    values = visible_values(user).filter(period=period).select_related("indicator", "unit", "scope_unit")
    if unit is not None:
        values = [
            v for v in values if (v.unit if under == "period" else v.scope_unit).path.startswith(unit.path)
        ]
    by_indicator: dict[int, list[IndicatorValue]] = defaultdict(list)
    for value in values:
        by_indicator[value.indicator_id].append(value)
    approved = {
        (a.unit_id, a.period) for a in Approval.objects.filter(period=period, status=ApprovalStatus.APPROVED)
    }
    rows = []
    for values_of in by_indicator.values():
        indicator = values_of[0].indicator
        placed = place_values(values=values_of, indicator=indicator, period=period, under=under)
        for placed_unit, value in placed.rows:
            rows.append(
                {
                    "indicator": indicator.code,
                    "indicator_name": indicator.name,
                    "kind": indicator.kind,
                    "multiplier": indicator.multiplier,
                    "unit_code": placed_unit.code,
                    "unit_name": placed_unit.name,
                    "unit_level": placed_unit.level,
                    "reported_unit_code": value.unit.code,
                    "period": period,
                    "numerator": value.numerator,
                    "denominator": value.denominator,
                    "value": value.value,
                    "comment": value.comment,
                    "source": value.source,
                    "approved": (value.unit_id, period) in approved,
                }
            )
    rows.sort(key=lambda r: (r["indicator"], r["unit_code"], r["reported_unit_code"]))
    return rows

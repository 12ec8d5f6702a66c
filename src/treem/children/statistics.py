"""Statistics of the child database: children by unit, sex, age band, ethnic group and
special-circumstance group, trends by year, and small-count suppression for publication.

Who is counted on a day (``day``, today by default)
    children in the registry (``is_active``) whose record existed on that day and who were aged
    0–17 on it (children under 16 and minors of 16–17). Age is worked out in the database, from
    the date of birth or, where only the year is known, from the year (as ``Child.age_on``). The
    registry keeps no date of leaving, so a child taken out of it is not counted on earlier days
    either.

Units
    A child counts under the unit its commune was on ``day``: a child carried to a new commune by
    a reorganisation after ``day`` counts under its old commune (``UnitMove`` history), and a
    commune no longer in force on ``day`` is followed through whole-unit successions, as in
    ``geo.selectors.count_by_unit(under="period")``. Below a chosen unit the rows are the units one
    level down (province → communes, commune → villages); with no unit, the provinces. Children
    that no rule can place under a unit in force on the day (their old commune was split) show in
    a row of their own at the top level only.

Special-circumstance groups
    A child counts in every group it is a member of on ``day`` (entered on or before the day and
    not left before it), so the rows of that breakdown add up to more than the children; totals
    that sum over groups count each child once (they are counted, not added).

Cost
    A table is one grouped query over the children (``GROUP BY`` commune and the breakdowns, the
    age band a ``CASE`` comparing the date of birth with constant dates, ``COUNT(*)`` so that
    PostgreSQL hashes the groups), plus one for the few children moved by a reorganisation after
    the day; the per-commune rows are then placed under the row units in Python. The group
    breakdown adds two queries over the children joined to their memberships in force (members
    per group, and members of any group: the rest are in no group). The trend adds one query
    grouped by year of birth and year of record, and one over the memberships.

Small-count suppression for publication (``suppress``)
    1. every count from 1 to 4 is hidden and shown as "<5" (zeros are shown);
    2. the published tables are read as lines that add up: each row with its row total, each column
       with its column total, the row totals and the column totals with the grand total, across all
       tables published together (a count shared by two tables, like a unit's total, is one cell).
       A line holding exactly one hidden count would give it away by subtraction, so its smallest
       other non-zero count (an inner cell before a total) is hidden too, shown as "x"; this is
       repeated until no line holds exactly one hidden count.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import itertools
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.cache import cache
from django.core.exceptions import ImproperlyConfigured
from django.db.models import (
    Case,
    Count,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from treem.children.choices import Sex
from treem.children.models import (
    CHILD_AGE_LIMIT,
    MINOR_AGE_LIMIT,
    Child,
    CircumstanceGroup,
    Ethnicity,
)
from treem.core.scope import scope_q, user_scope_paths
from treem.geo.models import Unit, UnitLevel, UnitMove

# The rule that follows a unit through whole-unit successions lives with count_by_unit.
from treem.geo.selectors import _units_on_day

STATISTICS_PERMISSION = "children.view_statistics"
SMALL_COUNT = 5
HIDDEN_SMALL = "<5"
HIDDEN_SECONDARY = "x"
DEFAULT_AGE_BANDS: tuple[tuple[int, int], ...] = ((0, 2), (3, 5), (6, 10), (11, 15), (16, 17))
MAX_TREND_YEARS = 20
TIMES = "\u00d7"  # the multiplication sign between breakdowns ("Unit by Sex" reads badly)

DIMENSIONS = {
    "unit": gettext_lazy("Unit"),
    "sex": gettext_lazy("Sex"),
    "age_band": gettext_lazy("Age"),
    "ethnicity": gettext_lazy("Ethnic group"),
    "group": gettext_lazy("Special circumstance"),
}
TREND_MEASURES = {
    "children": gettext_lazy("Children"),
    "special": gettext_lazy("Children in special circumstances"),
    "memberships": gettext_lazy("Group memberships in force"),
    "entered": gettext_lazy("Group memberships begun in the year"),
}

_OUTSIDE = object()  # a row key for counts that fall outside the chosen unit


# --- who may see which children's counts --------------------------------------------------------


def may_see_statistics(user) -> bool:
    return bool(user and (user.has_perm("children.view_child") or user.has_perm(STATISTICS_PERMISSION)))


def may_see_exact_counts(user) -> bool:
    """Exact small counts are for users who may open the children's records anyway."""
    return bool(user and user.has_perm("children.view_child"))


def cache_scope(user) -> str:
    """What the counts a user sees depend on (their places and whether they see records), for
    keeping the statistics page's counts: two users with the same places share them."""
    places = "*" if getattr(user, "sees_all_units", False) else ",".join(user_scope_paths(user))
    return f"{places}|{user.has_perm('children.view_child')}|{user.has_perm(STATISTICS_PERMISSION)}"


def statistics_children(user) -> QuerySet[Child]:
    """The children whose counts ``user`` may see.

    With ``children.view_child``: ``Child.objects.restrict(user, "view")``. With the statistics-only
    permission: the same place limit (``scope_q`` on the commune's path, all units for users not
    limited by place, nothing for a user with no unit), without access to the records themselves.
    """
    if user is None or not user.is_authenticated or not user.is_active:
        return Child.objects.none()
    if user.has_perm("children.view_child"):
        return Child.objects.restrict(user, "view")
    if not user.has_perm(STATISTICS_PERMISSION):
        return Child.objects.none()
    q = scope_q(user, Child.scope_path_lookup)
    return Child.objects.all() if q is None else Child.objects.filter(q)


# --- ages ---------------------------------------------------------------------------------------


def configured_age_bands() -> tuple[tuple[int, int], ...]:
    """Age bands from ``settings.TREEM_STATISTICS_AGE_BANDS`` (default 0–2, 3–5, 6–10, 11–15, 16–17)."""
    bands = tuple(
        (int(low), int(high))
        for low, high in getattr(settings, "TREEM_STATISTICS_AGE_BANDS", DEFAULT_AGE_BANDS)
    )
    try:
        check_age_bands(bands)
    except ValueError as exc:
        raise ImproperlyConfigured(f"TREEM_STATISTICS_AGE_BANDS: {exc}") from exc
    return bands


def check_age_bands(bands: Sequence[tuple[int, int]]) -> None:
    """Bands must follow each other without gap or overlap from 0 to 17 (each child in one band)."""
    expected = 0
    for low, high in bands:
        if low != expected or high < low:
            raise ValueError(f"age bands must run from 0 to {MINOR_AGE_LIMIT - 1} without gaps: {bands}")
        expected = high + 1
    if expected != MINOR_AGE_LIMIT:
        raise ValueError(f"age bands must end at {MINOR_AGE_LIMIT - 1}: {bands}")
    for low, high in bands:
        if low < CHILD_AGE_LIMIT <= high:
            raise ValueError(
                f"a band holds children (under {CHILD_AGE_LIMIT}) or minors of {CHILD_AGE_LIMIT}–"
                f"{MINOR_AGE_LIMIT - 1}, not both: split {low}–{high} at {CHILD_AGE_LIMIT}"
            )


# The Law on Children (2016, art. 1): a child is under 16. The registry also keeps minors of 16-17
# (support continues for some); statistics count them apart and say so.
LAW_BANDS: tuple[tuple[int, int], ...] = ((0, CHILD_AGE_LIMIT - 1), (CHILD_AGE_LIMIT, MINOR_AGE_LIMIT - 1))
IN_LAW = "in_law"  # the breakdown of ``ChildCounts.in_law``: 0 children, 1 minors of 16-17


def band_label(band: tuple[int, int]) -> str:
    """ "0–2" for children; a band of minors of 16–17 says that they are not children in law."""
    ages = f"{band[0]}–{band[1]}"
    if band[0] >= CHILD_AGE_LIMIT:
        return _("%(ages)s (minors, not children)") % {"ages": ages}
    return ages


def _years_before(day: dt.date, years: int) -> dt.date:
    """The same day ``years`` earlier (28 February for a 29 February in a common year)."""
    try:
        return day.replace(year=day.year - years)
    except ValueError:
        return day.replace(year=day.year - years, day=28)


def age_q(day: dt.date, low: int, high: int, prefix: str = "") -> Q:
    """Children aged ``low`` to ``high`` (inclusive) on ``day``, as ``Child.age_on`` reckons it.

    Comparisons with constant dates only, so the database evaluates it cheaply on every row: a child
    born on ``d`` is at least ``n`` years old on ``day`` when ``d`` ≤ ``day`` less ``n`` years.
    """
    known = Q(
        **{
            f"{prefix}birth_date__lte": _years_before(day, low),
            f"{prefix}birth_date__gt": _years_before(day, high + 1),
        }
    )
    year_only = Q(
        **{
            f"{prefix}birth_date__isnull": True,
            f"{prefix}birth_year__gte": day.year - high,
            f"{prefix}birth_year__lte": day.year - low,
        }
    )
    return known | year_only


def _in_force_q(day: dt.date, prefix: str = "") -> Q:
    """Memberships current on ``day`` (as ``CircumstanceMembership.is_current``)."""
    return Q(**{f"{prefix}entered_on__lte": day}) & (
        Q(**{f"{prefix}left_on__isnull": True}) | Q(**{f"{prefix}left_on__gte": day})
    )


# --- tables -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Shown:
    """A count as displayed: the number, or the mark that hides it."""

    value: int
    hidden: str = ""

    @property
    def text(self) -> str:
        return self.hidden or str(self.value)

    def __str__(self) -> str:
        return self.text


@dataclass
class Table:
    """Counts laid out as rows (one or more breakdowns) by columns (the last breakdown, if any).

    ``labels[dim][value]`` names each value; ``units`` holds the Unit of each unit value. Row and
    column totals and the grand total are None where they mean nothing (the trend by year).
    """

    title: str
    row_dims: tuple[str, ...]
    col_dim: str | None
    rows: list[tuple]
    columns: list
    labels: dict[str, dict[Any, str]]
    cells: dict[tuple[tuple, Any], int]
    row_totals: dict[tuple, int] | None
    col_totals: dict[Any, int] | None
    total: int | None
    day: dt.date
    unit: Unit | None
    units: dict[int, Unit] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    aliases: dict[frozenset, frozenset] = field(default_factory=dict)
    sheet_name: str = ""  # the export's sheet; by default named after the breakdowns

    @property
    def dims(self) -> tuple[str, ...]:
        return (*self.row_dims, self.col_dim) if self.col_dim else self.row_dims

    # identities of the counts, shared between tables of the same population

    def cell_id(self, row: tuple | None, column: Any = _OUTSIDE) -> frozenset:
        parts = set() if row is None else set(zip(self.row_dims, row, strict=True))
        if column is not _OUTSIDE and self.col_dim is not None:
            parts.add((self.col_dim, column))
        key = frozenset(parts)
        return self.aliases.get(key, key)

    def values(self) -> Iterable[tuple[frozenset, int]]:
        for row in self.rows:
            for column in self.columns:
                yield self.cell_id(row, column), self.cells.get((row, column), 0)
            if self.row_totals is not None:
                yield self.cell_id(row), self.row_totals.get(row, 0)
        if self.col_totals is not None:
            for column in self.columns:
                yield self.cell_id(None, column), self.col_totals.get(column, 0)
        if self.total is not None:
            yield self.cell_id(None), self.total

    def lines(self) -> list[tuple[list[frozenset], frozenset]]:
        """The sets of counts that add up to a shown total: (members, total)."""
        lines = []
        if self.row_totals is not None and self.columns:
            for row in self.rows:
                lines.append(([self.cell_id(row, c) for c in self.columns], self.cell_id(row)))
        if self.col_totals is not None:
            for column in self.columns:
                lines.append(([self.cell_id(r, column) for r in self.rows], self.cell_id(None, column)))
        if self.total is not None:
            if self.row_totals is not None:
                lines.append(([self.cell_id(r) for r in self.rows], self.cell_id(None)))
            if self.col_totals is not None:
                lines.append(([self.cell_id(None, c) for c in self.columns], self.cell_id(None)))
        return lines

    # display

    def row_label(self, row: tuple) -> str:
        return " · ".join(self.labels[dim][value] for dim, value in zip(self.row_dims, row, strict=True))

    def column_label(self, column: Any) -> str:
        return self.labels[self.col_dim][column] if self.col_dim else ""

    @property
    def row_header(self) -> list[str]:
        extra = {IN_LAW: _("Age")}
        return [str(DIMENSIONS.get(d, "")) or str(extra.get(d, _("Year"))) for d in self.row_dims]

    def row_unit(self, row: tuple) -> Unit | None:
        """The unit a row stands for (for drilling down), if its first breakdown is the unit."""
        if self.row_dims and self.row_dims[0] == "unit":
            return self.units.get(row[0])
        return None

    def grid(self, hidden: dict[frozenset, str] | None = None) -> dict[str, Any]:
        """Rows, cells and totals ready to show, with ``hidden`` counts replaced by their mark."""
        hidden = hidden or {}

        def shown(cid: frozenset, value: int) -> Shown:
            return Shown(value, hidden.get(cid, ""))

        rows = []
        for row in self.rows:
            rows.append(
                {
                    "key": row,
                    "label": self.row_label(row),
                    "labels": [self.labels[d][v] for d, v in zip(self.row_dims, row, strict=True)],
                    "unit": self.row_unit(row),
                    "cells": [shown(self.cell_id(row, c), self.cells.get((row, c), 0)) for c in self.columns],
                    "total": (
                        shown(self.cell_id(row), self.row_totals.get(row, 0))
                        if self.row_totals is not None
                        else None
                    ),
                }
            )
        footer = None
        if self.col_totals is not None or self.total is not None:
            footer = {
                "cells": [
                    shown(self.cell_id(None, c), self.col_totals.get(c, 0)) if self.col_totals else None
                    for c in self.columns
                ],
                "total": shown(self.cell_id(None), self.total) if self.total is not None else None,
            }
        return {
            "row_header": self.row_header,
            "columns": [self.column_label(c) for c in self.columns],
            "rows": rows,
            "footer": footer,
        }

    def bars(self, hidden: dict[frozenset, str] | None = None, column: Any = _OUTSIDE) -> list[dict]:
        """One bar per row: its total (or its count in ``column``); a hidden count gets no bar."""
        grid = self.grid(hidden)
        if column is _OUTSIDE:
            values = [(r["label"], r["total"]) for r in grid["rows"]]
        else:
            index = self.columns.index(column)
            values = [(r["label"], r["cells"][index]) for r in grid["rows"]]
        visible = [s.value for _label, s in values if not s.hidden]
        top = max(visible, default=0) or 1
        return [
            {"label": label, "shown": s, "percent": 0 if s.hidden else round(100 * s.value / top, 1)}
            for label, s in values
        ]


def suppress(tables: Sequence[Table]) -> dict[frozenset, str]:
    """The counts to hide when ``tables`` are published together: {count id: mark}.

    Counts of 1–4 are marked "<5"; then, in every line that adds up (see the module docstring)
    holding exactly one hidden count, the smallest other non-zero count is marked "x", until no
    such line remains.
    """
    values: dict[frozenset, int] = {}
    lines: list[tuple[list[frozenset], frozenset]] = []
    for table in tables:
        for cid, value in table.values():
            values.setdefault(cid, value)
        lines.extend(table.lines())
    hidden = {cid: HIDDEN_SMALL for cid, value in values.items() if 0 < value < SMALL_COUNT}
    changed = True
    while changed:
        changed = False
        for members, total in lines:
            if sum(cid in hidden for cid in (*members, total)) != 1:
                continue
            candidates = [c for c in members if c not in hidden and values[c] > 0]
            if not candidates and total not in hidden and values[total] > 0:
                candidates = [total]
            if candidates:
                hidden[min(candidates, key=values.__getitem__)] = HIDDEN_SECONDARY
                changed = True
    return hidden


# --- counting -----------------------------------------------------------------------------------


def _start_of(day: dt.date) -> dt.datetime:
    """Midnight at the start of ``day``, local time."""
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def _path_ids(unit: Unit) -> list[int]:
    return [int(p) for p in unit.path.strip("/").split("/") if p]


def _by_dims(grouped: dict[tuple, Counter], dims: tuple[str, ...], keys: dict[str, Any]) -> Counter:
    """Turn ``_grouped``'s {(row unit, *key values): {"n": n}} into {(value of each dim): n}."""
    result: Counter = Counter()
    for (row_key, *values), measures in grouped.items():
        by_key = dict(zip(keys, values, strict=True))
        result[tuple(row_key if d == "unit" else by_key[f"k_{d}"] for d in dims)] += measures["n"]
    return result


class ChildCounts:
    """Children of ``queryset`` on ``day`` under ``unit`` (None: all of them), counted on demand.

    One instance serves every table of a page or an export, so unit lookups and counts already
    made are reused.
    """

    def __init__(
        self,
        *,
        queryset: QuerySet[Child],
        day: dt.date | None = None,
        unit: Unit | None = None,
        age_bands: Sequence[tuple[int, int]] | None = None,
        cache_scope: str | None = None,
    ):
        self.cache_scope = cache_scope
        self.today = timezone.localdate()
        self.day = day or self.today
        if self.day > self.today:
            raise ValueError("Statistics cannot be counted on a day in the future.")
        self.unit = unit
        self.age_bands = tuple(age_bands) if age_bands is not None else configured_age_bands()
        check_age_bands(self.age_bands)
        self.children = queryset.filter(is_active=True)
        self.by_village = unit is not None and unit.level == UnitLevel.COMMUNE
        self._placed: dict[int, Unit | None] = {}
        self._counts: dict[tuple[str, ...], Counter] = {}
        self._child_type = ContentType.objects.get_for_model(Child)

    # the population and the unit of each child

    def population_q(self, day: dt.date) -> Q:
        """Children in the statistics on ``day``: aged 0–17 then, their record made by then."""
        q = age_q(day, 0, MINOR_AGE_LIMIT - 1)
        if day < self.today:
            q &= Q(created_at__lt=_start_of(day + dt.timedelta(days=1)))
        return q

    def _year_made(self, years: list[int]):
        """The year a record was made, or the last of ``years`` + 1 for later ones (compared with
        constant times: much cheaper than extracting the year of each row)."""
        return Case(
            *(When(created_at__lt=_start_of(dt.date(year + 1, 1, 1)), then=Value(year)) for year in years),
            default=Value(years[-1] + 1),
            output_field=IntegerField(),
        )

    def _aged_q(self, day: dt.date) -> Q:
        """Aged 0–17 on ``day``; on 31 December by the year of birth alone (the same, cheaper)."""
        if (day.month, day.day) == (12, 31):
            return Q(birth_year__gt=day.year - MINOR_AGE_LIMIT, birth_year__lte=day.year)
        return age_q(day, 0, MINOR_AGE_LIMIT - 1)

    def _grouped(
        self, qs: QuerySet[Child], *, keys: dict[str, Any], measures: dict[str, Any]
    ) -> dict[tuple, Counter]:
        """Group children ``qs`` by the row unit on ``day`` and ``keys``: {(row unit, *keys): measures}.

        Counts are made per commune in the database (one query, and one more for the children
        moved by a reorganisation after ``day``), then placed under the row units in Python.
        """
        if self.unit is not None and self.unit.level == UnitLevel.VILLAGE:
            qs = qs.filter(village=self.unit)
        unit_fields = {"k_commune": F("commune")}
        if self.by_village:
            unit_fields["k_village"] = F("village")
        names = [*unit_fields, *keys]
        counted = qs
        if self.unit is not None and self.unit.level != UnitLevel.VILLAGE:
            # Children of the unit's subtree, and of ended communes that may lead into it.
            counted = qs.filter(
                Q(commune__path__startswith=self.unit.path) | Q(commune__valid_to__isnull=False)
            )
        rows = list(
            counted.order_by().annotate(**unit_fields, **keys).values(*names).annotate(**measures).order_by()
        )
        moves = UnitMove.objects.filter(
            content_type=self._child_type, field_name="commune", effective__gt=self.day
        )
        old_unit = moves.filter(object_id=OuterRef("pk")).order_by("effective", "pk").values("old_unit")[:1]
        moved = list(
            qs.filter(pk__in=moves.values("object_id"))
            .order_by()
            .annotate(**unit_fields, k_on_day=Subquery(old_unit), **keys)
            .values(*names, "k_on_day")
            .annotate(**measures)
            .order_by()
        )
        self._place({r["k_commune"] for r in rows} | {r[k] for r in moved for k in ("k_commune", "k_on_day")})
        result: dict[tuple, Counter] = defaultdict(Counter)

        def add(unit_id: int, row: dict, sign: int) -> None:
            row_key = self._row_key(unit_id, row.get("k_village"))
            if row_key is _OUTSIDE:
                return
            counts = result[(row_key, *(row[k] for k in keys))]
            for name in measures:
                counts[name] += sign * (row[name] or 0)

        for row in rows:
            add(row["k_commune"], row, +1)
        for row in moved:
            # Counted above under the commune it has now; on ``day`` it was in its old one.
            add(row["k_commune"], row, -1)
            add(row["k_on_day"], row, +1)
        return result

    def _place(self, unit_ids: set[int]) -> None:
        missing = unit_ids - self._placed.keys()
        if missing:
            self._placed.update(_units_on_day(Unit.objects.in_bulk(missing), self.day))

    def _row_key(self, unit_id: int, village_id: int | None) -> Any:
        """The row a child of commune ``unit_id`` falls in: a unit one level below ``self.unit``."""
        placed = self._placed.get(unit_id)
        target = self.unit
        if target is None:
            return None if placed is None else _path_ids(placed)[0]
        if placed is None:
            return _OUTSIDE  # a split unit: its children can be placed in no unit but the top
        if target.level == UnitLevel.VILLAGE:
            return target.pk
        if placed.pk == target.pk:
            return village_id if self.by_village else target.pk
        ids = _path_ids(placed)
        if target.pk in ids[:-1]:
            return ids[ids.index(target.pk) + 1]
        return _OUTSIDE

    # breakdowns

    def _expression(self, dim: str):
        """The value of breakdown ``dim`` for a child (the group is joined apart)."""
        if dim == "sex":
            return F("sex")
        if dim == "ethnicity":
            return F("ethnicity")
        if dim == "age_band":
            return Case(
                *(
                    When(age_q(self.day, low, high), then=Value(index))
                    for index, (low, high) in enumerate(self.age_bands)
                ),
                default=Value(None),
                output_field=IntegerField(),
            )
        raise ValueError(f"Unknown breakdown {dim!r}")

    def counts(self, dims: Sequence[str]) -> Counter:
        """Children on ``day`` by ``dims``: {(value of each dim, in order): n}."""
        dims = tuple(dims)
        check_breakdowns(dims)
        if dims not in self._counts:
            self._counts[dims] = self._cached(
                ("counts", dims),
                lambda: self._group_counts(dims) if "group" in dims else self._child_counts(dims),
            )
        return self._counts[dims]

    def _cached(self, what: tuple, compute):
        """``compute()``, kept for ``TREEM_STATISTICS_CACHE_SECONDS`` when the counts were asked
        with a ``cache_scope`` (the statistics page): a province's counts over a million children
        are then made once every few minutes, in the cache every server process shares
        (settings.CACHES), not once per visit."""
        seconds = settings.TREEM_STATISTICS_CACHE_SECONDS
        if self.cache_scope is None or seconds <= 0:
            return compute()
        raw = repr((self.cache_scope, self.unit.pk if self.unit else None, self.day, self.age_bands, what))
        key = "treem:child-counts:" + hashlib.sha256(raw.encode()).hexdigest()
        value = cache.get(key)
        if value is None:
            value = compute()
            cache.set(key, value, seconds)
        return value

    def _child_counts(self, dims: tuple[str, ...]) -> Counter:
        # COUNT(*), not COUNT(id): PostgreSQL then hashes the groups instead of sorting the rows.
        keys = {f"k_{d}": self._expression(d) for d in dims if d != "unit"}
        grouped = self._grouped(
            self.children.filter(self.population_q(self.day)),
            keys=keys,
            measures={"n": Count("*")},
        )
        return _by_dims(grouped, dims, keys)

    def _group_counts(self, dims: tuple[str, ...]) -> Counter:
        """Counts with the group breakdown: members counted through their memberships in force (few
        rows once joined), the children in no group as all children less those in some group."""
        others = tuple(d for d in dims if d != "group")
        # One filter() call: every condition holds for the same membership row, and the group
        # and counts below use that very join.
        members_qs = self.children.filter(
            self.population_q(self.day), _in_force_q(self.day, "circumstances__")
        )
        keys = {f"k_{d}": self._expression(d) for d in others if d != "unit"}

        def members(by_group: bool) -> Counter:
            group_keys = {**keys, "k_group": F("circumstances__group")} if by_group else keys
            grouped = self._grouped(members_qs, keys=group_keys, measures={"n": Count("pk", distinct=True)})
            return _by_dims(grouped, (*others, "group") if by_group else others, group_keys)

        in_group = members(by_group=True)
        in_any = members(by_group=False)
        position = dims.index("group")
        result: Counter = Counter()
        for key, n in in_group.items():
            result[(*key[:position], key[-1], *key[position:-1])] += n
        for key, n in self.counts(others).items():
            if n - in_any.get(key, 0):
                result[(*key[:position], None, *key[position:])] = n - in_any.get(key, 0)
        return result

    def _margin(self, dims: tuple[str, ...], keep: tuple[str, ...]) -> Counter:
        """Counts by ``keep`` (a part of ``dims``), added up over the other breakdowns.

        Over groups a child in two groups must count once: those margins add up the counts made
        without the group breakdown instead.
        """
        if "group" in dims and "group" not in keep:
            dims = tuple(d for d in dims if d != "group")
        positions = [dims.index(d) for d in keep]
        result: Counter = Counter()
        for key, n in self.counts(dims).items():
            result[tuple(key[p] for p in positions)] += n
        return result

    def total(self) -> int:
        """Children on ``day`` under the unit, from counts already made where there are any."""
        for dims, counts in self._counts.items():
            if "group" not in dims:
                return sum(counts.values())
        return sum(self.counts(()).values())

    def in_law(self) -> Table:
        """Children as the Law on Children counts them (under 16) and, apart, minors of 16–17,
        from the counts by age band (bands never straddle 16). Asked before ``table``, those
        counts also give the grand total, so the split costs no query of its own."""
        split: Counter = Counter()
        for (index,), n in self.counts(("age_band",)).items():
            split[(0 if self.age_bands[index][0] < CHILD_AGE_LIMIT else 1,)] += n
        rows = [(0,), (1,)]
        return Table(
            title=_("Children and minors of 16–17"),
            row_dims=(IN_LAW,),  # a breakdown of its own: its two counts are not bands 0 and 1
            col_dim=None,
            rows=rows,
            columns=[],
            labels={IN_LAW: {i: band_label(band) for i, band in enumerate(LAW_BANDS)}},
            cells={},
            row_totals={r: split.get(r, 0) for r in rows},
            col_totals=None,
            total=sum(split.values()),
            day=self.day,
            unit=self.unit,
            units={},
            notes=[],
            sheet_name=_("Children and minors of 16–17"),
        )

    def table(self, group_by: Sequence[str], *, title: str | None = None) -> Table:
        """Children by ``group_by``: rows by all breakdowns but the last, columns by the last."""
        dims = tuple(group_by)
        check_breakdowns(dims)
        if not dims:
            raise ValueError("Choose at least one breakdown.")
        cells = self.counts(dims)
        row_dims, col_dim = (dims[:-1], dims[-1]) if len(dims) > 1 else (dims, None)
        present: dict[str, set] = {d: {key[i] for key in cells if cells[key]} for i, d in enumerate(dims)}
        labels: dict[str, dict[Any, str]] = {}
        values: dict[str, list] = {}
        units: dict[int, Unit] = {}
        for dim in dims:
            values[dim], labels[dim] = self._values(dim, present[dim], units)
        if col_dim is None:
            row_totals = {(v,): cells.get((v,), 0) for v in values[dims[0]]}
            table_cells: dict[tuple[tuple, Any], int] = {}
            columns: list = []
            col_totals = None
        else:
            row_totals = dict(self._margin(dims, row_dims))
            col_totals = {k[0]: n for k, n in self._margin(dims, (col_dim,)).items()}
            table_cells = {(key[:-1], key[-1]): n for key, n in cells.items()}
            columns = values[col_dim]
        rows = [tuple(r) for r in itertools.product(*(values[d] for d in row_dims))]
        if len(row_dims) > 1:
            rows = [r for r in rows if row_totals.get(r)]
        row_totals = {r: row_totals.get(r, 0) for r in rows}
        if col_totals is not None:
            col_totals = {c: col_totals.get(c, 0) for c in columns}
        total = self.total()
        notes = []
        if "group" in dims:
            notes.append(_("A child in several groups counts in each of them; totals count each child once."))
        return Table(
            title=title or _("Children by %(breakdowns)s") % {"breakdowns": breakdowns_label(dims)},
            row_dims=row_dims,
            col_dim=col_dim,
            rows=rows,
            columns=columns,
            labels=labels,
            cells=table_cells,
            row_totals=row_totals,
            col_totals=col_totals,
            total=total,
            day=self.day,
            unit=self.unit,
            units=units,
            notes=notes,
        )

    def _values(self, dim: str, present: set, units: dict[int, Unit]) -> tuple[list, dict[Any, str]]:
        """The values of ``dim`` to show, in order, and their labels."""
        if dim == "sex":
            order = [Sex.MALE.value, Sex.FEMALE.value] + [
                v for v in Sex.values if v in present and v not in (Sex.MALE, Sex.FEMALE)
            ]
            order += sorted(v for v in present if v not in order)
            names = dict(Sex.choices)
            return order, {v: str(names.get(v, v)) for v in order}
        if dim == "age_band":
            return list(range(len(self.age_bands))), {i: band_label(b) for i, b in enumerate(self.age_bands)}
        if dim == "ethnicity":
            found = Ethnicity.objects.in_bulk([v for v in present if v is not None])
            order = sorted(found, key=lambda pk: found[pk].code) + ([None] if None in present else [])
            return order, {
                v: (found[v].name if v is not None else str(_("Ethnic group not recorded"))) for v in order
            }
        if dim == "group":
            groups = list(
                CircumstanceGroup.objects.filter(
                    Q(pk__in=[v for v in present if v is not None])
                    | (
                        Q(parent__isnull=True)
                        & (Q(valid_from__isnull=True) | Q(valid_from__lte=self.day))
                        & (Q(valid_to__isnull=True) | Q(valid_to__gte=self.day))
                    )
                )
            )
            order = [g.pk for g in groups] + ([None] if None in present else [])
            labels = {g.pk: str(g) for g in groups}
            labels[None] = str(_("In no group"))
            return order, {v: labels[v] for v in order}
        if dim == "unit":
            return self._unit_values(present, units)
        raise ValueError(f"Unknown breakdown {dim!r}")

    def _unit_values(self, present: set, units: dict[int, Unit]) -> tuple[list, dict[Any, str]]:
        target = self.unit
        if target is None:
            listed: dict[int, Unit] = {}
        elif target.level == UnitLevel.VILLAGE:
            listed = {target.pk: target}
        else:
            below = Unit.objects.filter(parent=target).valid_on(self.day)
            if self.by_village:
                below = below.filter(level=UnitLevel.VILLAGE)
            listed = {u.pk: u for u in below}
        wanted = {v for v in present if v is not None and v not in listed}
        listed.update(Unit.objects.in_bulk(wanted) if wanted else {})
        units.update(listed)
        order: list = sorted(listed, key=lambda pk: (listed[pk].code or "~", listed[pk].name, pk))
        labels: dict[Any, str] = {pk: listed[pk].label for pk in order}
        if None in present:
            order.append(None)
            labels[None] = str(
                _("Village not recorded")
                if self.by_village
                else _("Not under a unit in force on the day (their old commune was split)")
            )
        return order, labels

    # trends

    def trend(self, years: int = 5) -> Table:
        """Children, and special-circumstance memberships, at the end of each of the last ``years``
        years (the last one counted on ``day``), under the same unit."""
        if not 1 <= years <= MAX_TREND_YEARS:
            raise ValueError(f"years must be between 1 and {MAX_TREND_YEARS}")
        return self._cached(("trend", years), lambda: self._trend(years))

    def _trend(self, years: int) -> Table:
        points = [
            (year, dt.date(year, 12, 31) if year < self.day.year else self.day)
            for year in range(self.day.year - years + 1, self.day.year + 1)
        ]
        totals: Counter = Counter()
        past = [year for year, _point in points if year < self.day.year]
        if past:
            # On 31 December a child's age is the year less the year of birth, so children are
            # grouped by year of birth and year of record, and each year added up from those.
            by_birth = self._grouped(
                self.children.filter(birth_year__gte=past[0] - MINOR_AGE_LIMIT + 1, birth_year__lte=past[-1]),
                keys={"k_born": F("birth_year"), "k_made": self._year_made(past)},
                measures={"n": Count("*")},
            )
            for (_row, born, made), counts in by_birth.items():
                for year in past:
                    if year - MINOR_AGE_LIMIT < born <= year and made <= year:
                        totals[f"children_{year}"] += counts["n"]
        totals[f"children_{self.day.year}"] = self.total()
        measures: dict[str, Any] = {}
        for year, point in points:
            alive = _in_force_q(point, "circumstances__") & self._aged_q(point)
            measures[f"memberships_{year}"] = Count("circumstances", filter=alive)
            measures[f"special_{year}"] = Count(
                "pk", distinct=True, filter=alive & Q(circumstances__group__is_special_circumstance=True)
            )
            measures[f"entered_{year}"] = Count(
                "circumstances",
                filter=Q(
                    circumstances__entered_on__gte=dt.date(year, 1, 1), circumstances__entered_on__lte=point
                ),
            )
        # Children with a membership begun by the day, joined once to those memberships.
        memberships = self._grouped(
            self.children.filter(circumstances__entered_on__lte=self.day), keys={}, measures=measures
        )
        for counts in memberships.values():
            totals.update(counts)
        last = points[-1][0]
        year_labels = {
            y: (str(y) if y < self.day.year else _("%(year)s (on %(day)s)") % {"year": y, "day": _dmy(p)})
            for y, p in points
        }
        rows = [(y,) for y, _p in points]
        table = Table(
            title=_("Children by year"),
            row_dims=("year",),
            col_dim="measure",
            rows=rows,
            columns=list(TREND_MEASURES),
            labels={"year": year_labels, "measure": {k: str(v) for k, v in TREND_MEASURES.items()}},
            cells={((y,), m): totals[f"{m}_{y}"] for y, _p in points for m in TREND_MEASURES},
            row_totals=None,
            col_totals=None,
            total=None,
            day=self.day,
            unit=self.unit,
            notes=[
                _(
                    "Each year is counted on 31 December (the last one on the day chosen): children in "
                    "the registry then, aged 0–17; memberships of all groups, those of the at-risk "
                    "group included."
                )
            ],
        )
        # The children counted on ``day`` are the grand total of the tables of the same day.
        table.aliases[table.cell_id((last,), "children")] = frozenset()
        return table


def check_breakdowns(dims: Sequence[str]) -> None:
    unknown = [d for d in dims if d not in DIMENSIONS]
    if unknown:
        raise ValueError(f"Unknown breakdown {unknown[0]!r}; choose among {', '.join(DIMENSIONS)}")
    if len(set(dims)) != len(dims):
        raise ValueError(f"A breakdown is repeated: {dims}")


def breakdowns_label(dims: Sequence[str]) -> str:
    return f" {TIMES} ".join(str(DIMENSIONS[d]) for d in dims)


def _dmy(day: dt.date) -> str:
    return day.strftime("%d/%m/%Y")


def child_statistics(
    *,
    queryset: QuerySet[Child],
    group_by: Sequence[str],
    day: dt.date | None = None,
    unit: Unit | None = None,
    age_bands: Sequence[tuple[int, int]] | None = None,
) -> Table:
    """Children of ``queryset`` on ``day`` (today) under ``unit`` (all), by ``group_by``.

    ``group_by`` combines "unit", "sex", "age_band", "ethnicity" and "group"; the rows are all
    breakdowns but the last, the columns the last one. ``queryset`` must already be limited to what
    the user may see (``statistics_children``).
    """
    return ChildCounts(queryset=queryset, day=day, unit=unit, age_bands=age_bands).table(group_by)


def child_trend(
    *, queryset: QuerySet[Child], years: int = 5, day: dt.date | None = None, unit: Unit | None = None
) -> Table:
    """Children and group memberships at the end of each of the last ``years`` years."""
    return ChildCounts(queryset=queryset, day=day, unit=unit).trend(years)

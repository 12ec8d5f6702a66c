"""Statistics on the abuse of children (tình hình xâm hại trẻ em) from the cases, never their content.

Who is counted
    An **abused child** of a period is a registered child with a case opened in the period for at
    least one kind of harm (the Thông tư 13/2021 indicator 0101, "số trẻ em bị xâm hại"): each child
    once, whatever the number of cases. A child counts under the commune, sex and age (on the day
    the first such case opened) of that first case, and in every kind of harm recorded in its cases
    of the period (the five acts of sexual abuse count as sexual abuse), so the rows of the harm
    table add up to more than the children when a child suffered several harms; its totals count
    each child once.

Cases
    Per commune: cases opened in the period, closed in the period, and cases with a deadline that
    fell due in the period and was missed (met late, or not met by now). The time from report to
    plan runs from the first report's receipt to the first plan submitted for approval, for cases
    opened in the period that have one (median and mean, in days).

Who sees what
    Counts are made over ``statistics_cases(user)``: the cases in the user's units (holders of
    ``cases.view_case``: ``Case.objects.restrict``; leadership with ``children.view_statistics``
    only: the same place limit, without opening a case).

    A small count beside a commune, a sex and an age band names a child as well as the case does,
    so **exact counts** are only for those who may see every case behind them
    (:func:`exact_counts_allowed`): the user is in the group of each case counted (or broke the
    glass for it), or holds ``cases.view_exact_statistics`` (no role by default; each such view is
    audited by the pages). Everyone else gets the **publication** version, where
    ``children.statistics.suppress`` hides counts of 1–4 and whatever would give them away, and
    the time to plan is hidden when fewer than 5 cases make it.

:func:`abuse_statistics` is the selector other modules (the indicators) call;
:func:`abused_children` gives the children themselves.
"""

from __future__ import annotations

import datetime as dt
import statistics as pystats
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import FieldDoesNotExist
from django.db.models import F, Min, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from treem.cases.models import Case, CaseAccess, Deadline, HarmKind, Plan, Report
from treem.children.choices import Sex
from treem.children.models import Child
from treem.children.statistics import (
    SMALL_COUNT,
    Shown,
    Table,
    band_label,
    configured_age_bands,
    suppress,
)
from treem.core.scope import scope_q
from treem.geo.models import Unit

EXACT_PERMISSION = "cases.view_case"
STATISTICS_PERMISSION = "children.view_statistics"
EXACT_BEYOND_GROUP_PERMISSION = "cases.view_exact_statistics"
NOT_KNOWN = "unknown"

MEASURES = {
    "opened": gettext_lazy("Cases opened"),
    "closed": gettext_lazy("Cases closed"),
    "missed": gettext_lazy("Cases with a deadline missed"),
}


def may_see_abuse_statistics(user) -> bool:
    return bool(user and (user.has_perm(EXACT_PERMISSION) or user.has_perm(STATISTICS_PERMISSION)))


def may_see_exact_counts(user) -> bool:
    """Whether ``user`` may ask for exact counts at all (users who work on cases). Whether they
    get them depends on the cases behind the figures: :func:`exact_counts_allowed`."""
    return bool(user and user.has_perm(EXACT_PERMISSION))


def cases_behind(
    cases: QuerySet[Case], *, start: dt.date, end: dt.date, now: dt.datetime | None = None
) -> QuerySet[Case]:
    """The cases of ``cases`` that some figure of the period counts: opened, closed, or with a
    deadline of the period missed."""
    now = now or timezone.now()
    missed = Deadline.objects.filter(_in_period("due_at", start, end), due_at__lt=now).filter(
        Q(met_at__isnull=True, case__status="open") | Q(met_at__gt=F("due_at"))
    )
    return cases.filter(
        _in_period("opened_at", start, end)
        | _in_period("closed_at", start, end)
        | Q(pk__in=missed.values("case_id"))
    )


def cases_outside_group(user, cases: QuerySet[Case]) -> QuerySet[Case]:
    """The cases of ``cases`` whose content ``user`` may not see (not in the group, no glass)."""
    from treem.cases.selectors import member_q

    now = timezone.now()
    glass = CaseAccess.objects.filter(user=user, opened_at__lte=now, expires_at__gt=now).values("case_id")
    return cases.exclude(member_q(user)).exclude(pk__in=glass)


@dataclass(frozen=True)
class ExactAccess:
    """Whether exact counts may be shown, and why (``beyond_group``: by the permission, for
    cases outside the user's groups, which the pages audit)."""

    allowed: bool
    outside: int = 0
    beyond_group: bool = False


def exact_counts_allowed(
    user,
    *,
    start: dt.date,
    end: dt.date,
    unit: Unit | None = None,
    cases: QuerySet[Case] | None = None,
    now: dt.datetime | None = None,
) -> ExactAccess:
    """Exact counts only for a user who may see every case behind the figures of the period."""
    if not may_see_exact_counts(user):
        return ExactAccess(False)
    cases = statistics_cases(user) if cases is None else cases
    if unit is not None:
        cases = cases.filter(commune__path__startswith=unit.path)
    outside = cases_outside_group(user, cases_behind(cases, start=start, end=end, now=now)).count()
    if outside == 0:
        return ExactAccess(True)
    if user.has_perm(EXACT_BEYOND_GROUP_PERMISSION):
        return ExactAccess(True, outside=outside, beyond_group=True)
    return ExactAccess(False, outside=outside)


def statistics_cases(user) -> QuerySet[Case]:
    """The cases whose counts ``user`` may see (by place; nothing for a user without a unit)."""
    if user is None or not user.is_authenticated or not user.is_active:
        return Case.objects.none()
    if user.has_perm(EXACT_PERMISSION):
        return Case.objects.restrict(user, "view")
    if not user.has_perm(STATISTICS_PERMISSION):
        return Case.objects.none()
    q = scope_q(user, Case.scope_path_lookup)
    return Case.objects.all() if q is None else Case.objects.filter(q)


def _start(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def _in_period(lookup: str, start: dt.date, end: dt.date) -> Q:
    """``lookup`` (a datetime) on a local day from ``start`` to ``end`` (half-open, index-friendly)."""
    return Q(**{f"{lookup}__gte": _start(start), f"{lookup}__lt": _start(end + dt.timedelta(days=1))})


def abuse_cases(cases: QuerySet[Case], *, start: dt.date, end: dt.date) -> QuerySet[Case]:
    """Cases of ``cases`` opened from ``start`` to ``end`` for at least one kind of harm."""
    with_harm = Case.harm_kinds.through.objects.values("case_id")
    return cases.filter(_in_period("opened_at", start, end), pk__in=with_harm)


def abused_children(*, start: dt.date, end: dt.date, cases: QuerySet[Case] | None = None) -> QuerySet[Child]:
    """The abused children of the period (indicator 0101), each once; ``cases`` limits the cases
    (pass ``statistics_cases(user)`` for a user; all cases when None, for system computations)."""
    cases = Case.objects.all() if cases is None else cases
    return Child.objects.filter(pk__in=abuse_cases(cases, start=start, end=end).values("child_id"))


def _age_band(bands, child_birth_date, child_birth_year, day: dt.date):
    if child_birth_date:
        age = (
            day.year
            - child_birth_date.year
            - ((day.month, day.day) < (child_birth_date.month, child_birth_date.day))
        )
    elif child_birth_year:
        age = day.year - child_birth_year
    else:
        return NOT_KNOWN
    for index, (low, high) in enumerate(bands):
        if low <= age <= high:
            return index
    return NOT_KNOWN


def _setting_field() -> tuple[str, dict] | None:
    """The case's field for where the harm happened (family, school, online…), if the model has one."""
    try:
        field_ = Case._meta.get_field("setting")
    except FieldDoesNotExist:
        return None
    return "setting", dict(field_.choices or [])


@dataclass
class AbuseStatistics:
    """The tables of one period and unit, and the time from report to plan."""

    start: dt.date
    end: dt.date
    unit: Unit | None
    abused_children: int
    children_tables: list[Table]
    cases_table: Table
    plan_days: list[float] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def tables(self) -> list[Table]:
        return [*self.children_tables, self.cases_table]

    def hidden(self, publication: bool) -> dict[frozenset, str]:
        return suppress(self.tables()) if publication else {}

    def plan_summary(self, publication: bool) -> dict[str, Any]:
        """Median and mean days from report to plan; hidden in publication under 5 cases."""
        n = len(self.plan_days)
        if n == 0 or (publication and n < SMALL_COUNT):
            return {
                "count": Shown(n, "<5" if publication and n else ""),
                "hidden": n > 0,
                "median": None,
                "mean": None,
            }
        return {
            "count": Shown(n),
            "hidden": False,
            "median": round(pystats.median(self.plan_days), 1),
            "mean": round(pystats.fmean(self.plan_days), 1),
        }


def _table(
    title: str,
    row_dim: str,
    rows: list,
    labels: dict,
    cells: dict,
    row_totals: dict,
    col_totals: dict,
    total: int,
    columns: list,
    col_labels: dict,
    end: dt.date,
    unit,
    units=None,
) -> Table:
    return Table(
        title=title,
        row_dims=(row_dim,),
        col_dim="sex",
        rows=[(r,) for r in rows],
        columns=columns,
        labels={row_dim: labels, "sex": col_labels},
        cells={((r,), c): cells.get((r, c), 0) for r in rows for c in columns},
        row_totals={(r,): row_totals.get(r, 0) for r in rows},
        col_totals={c: col_totals.get(c, 0) for c in columns},
        total=total,
        day=end,
        unit=unit,
        units=units or {},
    )


def abuse_statistics(
    *,
    user=None,
    start: dt.date,
    end: dt.date,
    unit: Unit | None = None,
    cases: QuerySet[Case] | None = None,
    now: dt.datetime | None = None,
) -> AbuseStatistics:
    """Abused children and cases of the period under ``unit`` (all the user's units when None).

    ``cases`` (default ``statistics_cases(user)``) must already be limited to what may be counted.
    """
    if end < start:
        raise ValueError(_("The period ends before it starts."))
    now = now or timezone.now()
    cases = statistics_cases(user) if cases is None else cases
    if unit is not None:
        cases = cases.filter(commune__path__startswith=unit.path)
    bands = configured_age_bands()

    # --- abused children: one row per case of the period with a harm --------------------------
    abused = (
        abuse_cases(cases, start=start, end=end)
        .order_by("opened_at", "pk")
        .values_list(
            "pk",
            "child_id",
            "commune_id",
            "opened_at",
            "child__sex",
            "child__birth_date",
            "child__birth_year",
        )
    )
    setting = _setting_field()
    settings_of: dict[int, Any] = {}
    if setting is not None:
        settings_of = dict(abuse_cases(cases, start=start, end=end).values_list("pk", setting[0]))
    first: dict[int, tuple] = {}
    case_child: dict[int, int] = {}
    for case_id, child_id, commune_id, opened_at, sex, birth_date, birth_year in abused:
        case_child[case_id] = child_id
        if child_id not in first:
            day = timezone.localtime(opened_at).date()
            first[child_id] = (
                commune_id,
                sex or Sex.UNKNOWN,
                _age_band(bands, birth_date, birth_year, day),
                settings_of.get(case_id) or NOT_KNOWN,
            )
    harm_parent = {h.pk: (h.parent_id or h.pk) for h in HarmKind.objects.only("pk", "parent_id")}
    harms_of: dict[int, set[int]] = defaultdict(set)
    for case_id, harm_id in Case.harm_kinds.through.objects.filter(case_id__in=list(case_child)).values_list(
        "case_id", "harmkind_id"
    ):
        harms_of[case_child[case_id]].add(harm_parent.get(harm_id, harm_id))

    sexes = [Sex.MALE.value, Sex.FEMALE.value, Sex.UNKNOWN.value]
    sex_labels = {value: str(label) for value, label in Sex.choices}
    by_sex = defaultdict(int)
    for _commune, sex, _band, _setting in first.values():
        by_sex[sex] += 1
    total = len(first)
    columns = [s for s in sexes if s != Sex.UNKNOWN or by_sex.get(s)]

    def counted(key_of) -> tuple[dict, dict]:
        cells, rows = defaultdict(int), defaultdict(int)
        for child_id, info in first.items():
            for key in key_of(child_id, info):
                cells[(key, info[1])] += 1
                rows[key] += 1
        return cells, rows

    # by unit
    unit_cells, unit_rows = counted(lambda _c, info: [info[0]])
    communes = Unit.objects.in_bulk(list(unit_rows))
    unit_order = sorted(communes, key=lambda pk: (communes[pk].code or "~", communes[pk].name, pk))
    by_unit = _table(
        _("Abused children by commune and sex"),
        "unit",
        unit_order,
        {pk: communes[pk].label for pk in unit_order},
        unit_cells,
        unit_rows,
        by_sex,
        total,
        columns,
        sex_labels,
        end,
        unit,
        communes,
    )
    # by kind of harm
    harm_cells, harm_rows = counted(lambda child_id, _info: sorted(harms_of.get(child_id, ())))
    top_harms = list(HarmKind.objects.filter(parent__isnull=True).order_by("sort_order", "code"))
    by_harm = _table(
        _("Abused children by kind of harm and sex"),
        "harm",
        [h.pk for h in top_harms],
        {h.pk: h.name for h in top_harms},
        harm_cells,
        harm_rows,
        by_sex,
        total,
        columns,
        sex_labels,
        end,
        unit,
    )
    # by age group
    age_cells, age_rows = counted(lambda _c, info: [info[2]])
    age_order = list(range(len(bands))) + ([NOT_KNOWN] if age_rows.get(NOT_KNOWN) else [])
    age_labels = {i: band_label(b) for i, b in enumerate(bands)}
    age_labels[NOT_KNOWN] = str(_("Age not known"))
    by_age = _table(
        _("Abused children by age group and sex"),
        "age_band",
        age_order,
        age_labels,
        age_cells,
        age_rows,
        by_sex,
        total,
        columns,
        sex_labels,
        end,
        unit,
    )
    children_tables = [by_unit, by_harm, by_age]
    notes = [
        str(
            _(
                "A child who suffered several kinds of harm counts in each of them; totals count "
                "each child once."
            )
        )
    ]
    if setting is not None:
        set_cells, set_rows = counted(lambda _c, info: [info[3]])
        choices = setting[1]
        set_order = list(choices) + ([NOT_KNOWN] if set_rows.get(NOT_KNOWN) else [])
        set_labels = {k: str(v) for k, v in choices.items()}
        set_labels[NOT_KNOWN] = str(_("Not recorded"))
        children_tables.append(
            _table(
                _("Abused children by setting and sex"),
                "setting",
                set_order,
                set_labels,
                set_cells,
                set_rows,
                by_sex,
                total,
                columns,
                sex_labels,
                end,
                unit,
            )
        )
    else:
        notes.append(
            str(_("Where the harm happened (family, school, online…) is not recorded in the cases yet."))
        )

    # --- cases: opened, closed, deadline missed, by commune -----------------------------------
    counts: dict[tuple[int, str], int] = defaultdict(int)
    for commune_id in cases.filter(_in_period("opened_at", start, end)).values_list("commune_id", flat=True):
        counts[(commune_id, "opened")] += 1
    for commune_id in cases.filter(_in_period("closed_at", start, end)).values_list("commune_id", flat=True):
        counts[(commune_id, "closed")] += 1
    missed = Deadline.objects.filter(
        _in_period("due_at", start, end), case__in=cases.values("pk"), due_at__lt=now
    ).filter(Q(met_at__isnull=True, case__status="open") | Q(met_at__gt=F("due_at")))
    for commune_id in cases.filter(pk__in=missed.values("case_id")).values_list("commune_id", flat=True):
        counts[(commune_id, "missed")] += 1
    case_units = Unit.objects.in_bulk({c for c, _m in counts})
    case_order = sorted(case_units, key=lambda pk: (case_units[pk].code or "~", case_units[pk].name, pk))
    measures = list(MEASURES)
    col_totals = defaultdict(int)
    for (_c, m), n in counts.items():
        col_totals[m] += n
    cases_table = Table(
        title=_("Cases by commune"),
        row_dims=("unit",),
        col_dim="measure",
        rows=[(pk,) for pk in case_order],
        columns=measures,
        labels={
            "unit": {pk: case_units[pk].label for pk in case_order},
            "measure": {k: str(v) for k, v in MEASURES.items()},
        },
        cells={((pk,), m): counts.get((pk, m), 0) for pk in case_order for m in measures},
        row_totals=None,
        col_totals={m: col_totals.get(m, 0) for m in measures},
        total=None,
        day=end,
        unit=unit,
        units=case_units,
    )
    # The cases table's rows and the children's rows are counts of different things.
    for pk in case_order:
        for m in measures:
            key = frozenset({("unit", pk), ("measure", m)})
            cases_table.aliases[key] = frozenset({("cases_unit", pk), ("measure", m)})

    # --- time from report to plan ------------------------------------------------------------
    opened = cases.filter(_in_period("opened_at", start, end))
    first_report = dict(
        Report.objects.filter(case__in=opened.values("pk"))
        .values("case_id")
        .annotate(at=Min("received_at"))
        .values_list("case_id", "at")
    )
    first_plan = dict(
        Plan.objects.filter(case__in=opened.values("pk"), submitted_at__isnull=False)
        .values("case_id")
        .annotate(at=Min("submitted_at"))
        .values_list("case_id", "at")
    )
    plan_days = [
        max((first_plan[c] - first_report[c]).total_seconds(), 0) / 86400
        for c in first_plan
        if c in first_report
    ]
    return AbuseStatistics(
        start=start,
        end=end,
        unit=unit,
        abused_children=total,
        children_tables=children_tables,
        cases_table=cases_table,
        plan_days=plan_days,
        notes=notes,
    )


def cases_deadlines_kept(
    *, cases: QuerySet[Case], start: dt.date, end: dt.date, now: dt.datetime | None = None
) -> tuple[int, int]:
    """(cases with a legal deadline falling due in the period, those whose every such deadline was
    met in time): Decree 56's 12 hours and 5 working days, as the cases table counts them missed."""
    now = now or timezone.now()
    due = Deadline.objects.filter(
        _in_period("due_at", start, end), case__in=cases.values("pk"), due_at__lt=now
    )
    missed = due.filter(Q(met_at__isnull=True, case__status="open") | Q(met_at__gt=F("due_at")))
    with_due = cases.filter(pk__in=due.values("case_id"))
    return with_due.count(), with_due.exclude(pk__in=missed.values("case_id")).count()

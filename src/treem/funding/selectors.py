"""Reads of the funding app: budget totals against plan, and the transparency report's figures."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Q, QuerySet, Sum
from django.utils.translation import gettext as _

from treem.core.scope import scope_q
from treem.funding.choices import EntryKind, Purpose, Source
from treem.funding.models import (
    TOTALS_PERMISSION,
    BudgetLine,
    Donation,
    DonationUse,
    PriorityArea,
    SponsorshipPayment,
)
from treem.geo.models import Unit


def period_bounds(year: int, quarter: int | None = None) -> tuple[dt.date, dt.date]:
    """First and last day of a year, or of a quarter of it."""
    if quarter is None:
        return dt.date(year, 1, 1), dt.date(year, 12, 31)
    first_month = 3 * (quarter - 1) + 1
    start = dt.date(year, first_month, 1)
    end = dt.date(year + (quarter == 4), 1 if quarter == 4 else first_month + 3, 1) - dt.timedelta(days=1)
    return start, end


# --- budget totals ----------------------------------------------------------------------------


def may_see_totals(user) -> bool:
    return bool(
        user.is_authenticated
        and user.is_active
        and (user.has_perm(TOTALS_PERMISSION) or user.has_perm("funding.view_budgetline"))
    )


def lines_for_totals(user) -> QuerySet[BudgetLine]:
    """Budget lines of the user's units, for those who see totals (without opening each line)."""
    if not may_see_totals(user):
        return BudgetLine.objects.none()
    q = scope_q(user, BudgetLine.scope_path_lookup)
    qs = BudgetLine.objects.all()
    return qs if q is None else qs.filter(q)


@dataclass
class TotalsRow:
    key: object
    label: str
    planned: int = 0
    allocated: int = 0
    committed: int = 0
    spent: int = 0
    priority: bool = False
    lines: int = 0

    @property
    def spent_percent(self) -> int | None:
        """Spending as a share of the plan (or of the allocation where nothing was planned)."""
        base = self.planned or self.allocated
        return round(100 * self.spent / base) if base else None

    @property
    def bar_percent(self) -> int:
        return min(self.spent_percent or 0, 100)

    def add(self, line) -> None:
        self.planned += line.planned_vnd
        self.allocated += line.allocated or 0
        self.committed += line.committed or 0
        self.spent += line.spent or 0
        self.lines += 1


@dataclass
class Totals:
    year: int
    by_agency: list[TotalsRow] = field(default_factory=list)
    by_programme: list[TotalsRow] = field(default_factory=list)
    by_source: list[TotalsRow] = field(default_factory=list)
    by_unit: list[TotalsRow] = field(default_factory=list)
    total: TotalsRow | None = None
    priority: TotalsRow | None = None
    priority_units: list[Unit] = field(default_factory=list)


def priority_paths(units_q: Q | None = None) -> list[str]:
    qs = PriorityArea.objects.all()
    if units_q is not None:
        qs = qs.filter(units_q)
    return list(qs.values_list("unit__path", flat=True))


def is_priority(path: str, paths: list[str]) -> bool:
    return any(path.startswith(p) for p in paths)


def budget_totals(*, user, year: int, programme=None, source: str = "") -> Totals:
    """Planned, allocated, committed and spent by agency, programme, source and unit for a year,
    with the hard-to-reach areas marked and summed."""
    lines = lines_for_totals(user).filter(year=year)
    if programme is not None:
        lines = lines.filter(programme=programme)
    if source:
        lines = lines.filter(source=source)
    lines = lines.select_related("agency", "programme", "unit").annotate(
        allocated=Sum("entries__amount_vnd", filter=Q(entries__kind=EntryKind.ALLOCATION)),
        committed=Sum("entries__amount_vnd", filter=Q(entries__kind=EntryKind.COMMITMENT)),
        spent=Sum("entries__amount_vnd", filter=Q(entries__kind=EntryKind.SPENDING)),
    )
    user_q = scope_q(user, "unit__path")
    paths = priority_paths(user_q)
    result = Totals(year=year)
    result.priority_units = [
        a.unit
        for a in PriorityArea.objects.filter(user_q or Q()).select_related("unit").order_by("unit__path")
    ]
    total = TotalsRow(None, _("Total"))
    priority = TotalsRow(None, _("Priority areas (hard-to-reach communes)"), priority=True)
    agencies: dict[int, TotalsRow] = {}
    programmes: dict[int | None, TotalsRow] = {}
    sources: dict[str, TotalsRow] = {}
    units: dict[int, TotalsRow] = {}
    source_labels = dict(Source.choices)
    for line in lines:
        total.add(line)
        flagged = is_priority(line.unit.path, paths)
        if flagged:
            priority.add(line)
        agencies.setdefault(line.agency_id, TotalsRow(line.agency, str(line.agency))).add(line)
        programmes.setdefault(
            line.programme_id,
            TotalsRow(
                line.programme, str(line.programme) if line.programme else _("Not tied to a programme")
            ),
        ).add(line)
        sources.setdefault(
            line.source, TotalsRow(line.source, str(source_labels.get(line.source, line.source)))
        ).add(line)
        row = units.setdefault(line.unit_id, TotalsRow(line.unit, line.unit.label, priority=flagged))
        row.add(line)
    result.total = total
    result.priority = priority
    result.by_agency = sorted(agencies.values(), key=lambda r: r.label)
    result.by_programme = sorted(
        programmes.values(), key=lambda r: (r.key is None, getattr(r.key, "sort_order", 0), r.label)
    )
    result.by_source = [sources[s] for s in Source.values if s in sources]
    result.by_unit = sorted(units.values(), key=lambda r: (not r.priority, r.key.path))
    return result


# --- transparency -----------------------------------------------------------------------------


def transparency_figures(*, unit: Unit, year: int, quarter: int | None = None) -> dict:
    """The public figures of a unit for a period: received, used and the balance at the period's
    end by purpose, and the donors by their public name. Nothing here names a child: sponsorship
    payments are summed by purpose, never listed."""
    start, end = period_bounds(year, quarter)
    below = Q(unit__path__startswith=unit.path)
    donations = Donation.objects.filter(below)
    uses = DonationUse.objects.filter(donation__unit__path__startswith=unit.path)
    payments = SponsorshipPayment.objects.filter(sponsorship__child__commune__path__startswith=unit.path)

    def by_purpose(qs, purpose_field: str, date_field: str, *, upto: bool = False) -> dict[str, int]:
        dates = (
            {f"{date_field}__lte": end} if upto else {f"{date_field}__gte": start, f"{date_field}__lte": end}
        )
        rows = qs.filter(**dates).values(purpose_field).annotate(total=Sum("amount_vnd")).order_by()
        return {row[purpose_field]: row["total"] or 0 for row in rows}

    received = by_purpose(donations, "purpose", "received_on")
    used = by_purpose(uses, "donation__purpose", "used_on")
    received_all = by_purpose(donations, "purpose", "received_on", upto=True)
    used_all = by_purpose(uses, "donation__purpose", "used_on", upto=True)
    # Sponsorship payments go straight to the child's family: received and used at once.
    paid = by_purpose(payments, "sponsorship__purpose", "paid_on")
    rows = []
    for purpose in Purpose.values:
        r = received.get(purpose, 0) + paid.get(purpose, 0)
        u = used.get(purpose, 0) + paid.get(purpose, 0)
        balance = received_all.get(purpose, 0) - used_all.get(purpose, 0)
        if r or u or balance:
            rows.append({"purpose": purpose, "received": r, "used": u, "balance": balance})
    donors: dict[tuple, int] = defaultdict(int)
    for name, anonymous, total in (
        donations.filter(received_on__gte=start, received_on__lte=end)
        .values_list("donor__name", "donor__anonymous")
        .annotate(total=Sum("amount_vnd"))
        .order_by()
    ):
        donors[(None if anonymous else name)] += total or 0
    for name, anonymous, total in (
        payments.filter(paid_on__gte=start, paid_on__lte=end)
        .values_list("sponsorship__sponsor__name", "sponsorship__sponsor__anonymous")
        .annotate(total=Sum("amount_vnd"))
        .order_by()
    ):
        donors[(None if anonymous else name)] += total or 0
    donor_rows = sorted(
        ({"name": name, "anonymous": name is None, "total": total} for name, total in donors.items()),
        key=lambda d: (d["anonymous"], -d["total"], d["name"] or ""),
    )
    return {
        "start": start.isoformat(),
        "end": end.isoformat(),
        "purposes": rows,
        "donors": donor_rows,
        "totals": {
            "received": sum(r["received"] for r in rows),
            "used": sum(r["used"] for r in rows),
            "balance": sum(r["balance"] for r in rows),
        },
    }

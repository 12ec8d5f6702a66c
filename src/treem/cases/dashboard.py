"""Child protection on the home page of people who see several communes: cases opened and closed
this year against the same days of last year, deadlines overdue, cases by month and children by
kind of harm, and the map's "cases opened" per commune. Figures come from ``cases.statistics``
(the page's selectors); exact only where the user may see every case behind them
(``exact_counts_allowed``), small counts hidden otherwise."""

from __future__ import annotations

import datetime as dt
from collections import Counter

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from treem.cases import statistics
from treem.cases.models import Deadline
from treem.core.charts import bars, change, shown

MONTHS = 12


def _same_day_last_year(day: dt.date) -> dt.date:
    try:
        return day.replace(year=day.year - 1)
    except ValueError:  # 29 February
        return day.replace(year=day.year - 1, day=28)


def _opened_between(cases, start: dt.date, end: dt.date):
    return cases.filter(statistics._in_period("opened_at", start, end))


def glance(user, *, today: dt.date | None = None) -> dict:
    today = today or timezone.localdate()
    start = dt.date(today.year, 1, 1)
    before_end = _same_day_last_year(today)
    before_start = dt.date(before_end.year, 1, 1)
    publication = not statistics.exact_counts_allowed(user, start=before_start, end=today).allowed
    cases = statistics.statistics_cases(user)
    opened = _opened_between(cases, start, today).count()
    opened_before = _opened_between(cases, before_start, before_end).count()
    closed = cases.filter(statistics._in_period("closed_at", start, today)).count()
    closed_before = cases.filter(statistics._in_period("closed_at", before_start, before_end)).count()
    overdue = Deadline.objects.filter(
        case__in=cases.values("pk"), met_at__isnull=True, case__status="open", due_at__lt=timezone.now()
    ).count()
    # Cases opened by month, the last twelve months.
    first = dt.date(today.year - 1, today.month, 1) if today.month < 12 else dt.date(today.year, 1, 1)
    months = Counter(
        (timezone.localtime(at).year, timezone.localtime(at).month)
        for at in _opened_between(cases, first, today).values_list("opened_at", flat=True)
    )
    month_rows = []
    year, month = first.year, first.month
    for _i in range(MONTHS):
        month_rows.append((f"{month:02d}/{year}", months.get((year, month), 0)))
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    # Children by kind of harm this year: the statistics page's table, with its suppression.
    result = statistics.abuse_statistics(user=user, start=start, end=today, cases=cases)
    by_harm = result.children_tables[1]
    hidden = result.hidden(publication)
    harm_rows = []
    for row in by_harm.rows:
        label = by_harm.labels["harm"][row[0]]
        harm_rows.append((label, by_harm.row_totals[row]))
    harm_bars = bars(harm_rows, publication=publication)
    if publication and hidden:  # a total that would give a hidden cell away is hidden too
        grid_rows = by_harm.grid(hidden)["rows"]
        harm_bars = [
            bar
            if not line["total"].hidden
            else type(bar)(bar.label, bar.value, line["total"].hidden, 0.0, True)
            for bar, line in zip(harm_bars, grid_rows, strict=True)
        ]
    overdue_text, _hidden = shown(overdue, publication=False)
    return {
        "figures": [
            change(_("Cases opened this year"), opened, opened_before, publication=publication),
            change(_("Cases closed this year"), closed, closed_before, publication=publication),
        ],
        "overdue": overdue_text,
        "by_month": bars(month_rows, publication=publication),
        "by_harm": harm_bars,
        "publication": publication,
    }


def dashboard_section(request) -> dict | None:
    from treem.geo.map import sees_several_communes

    user = request.user
    if not statistics.may_see_abuse_statistics(user) or not sees_several_communes(user):
        return None
    return {"template": "cases/_dashboard_glance.html", **glance(user)}


def map_cases_opened(user, communes) -> dict[int, tuple[int, str, bool]]:
    today = timezone.localdate()
    start = dt.date(today.year, 1, 1)
    publication = not statistics.exact_counts_allowed(user, start=start, end=today).allowed
    cases = _opened_between(statistics.statistics_cases(user), start, today).filter(
        commune__in=communes.values("pk")
    )
    counts = Counter(cases.values_list("commune_id", flat=True))
    return {pk: (n, *shown(n, publication=publication)) for pk, n in counts.items()}


MAP_MEASURES = (("cases_opened", gettext_lazy("Protection cases opened this year"), map_cases_opened),)

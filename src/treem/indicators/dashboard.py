"""Indicators against their targets on the home page of people who see several communes: the
year's figure of the province as a share of its target, from ``indicators.selectors.indicator_table``
(the indicators page's and the consolidated report's table); lower-is-better indicators say so."""

from __future__ import annotations

from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from treem.core.charts import Bar
from treem.geo.models import Unit, UnitLevel
from treem.indicators.selectors import approved_targets, indicator_table

SHOWN = 10


def dashboard_section(request) -> dict | None:
    from treem.geo.map import sees_several_communes

    user = request.user
    if not user.has_perm("indicators.view_indicatorvalue") or not sees_several_communes(user):
        return None
    province = (
        Unit.objects.restrict(user, "view")
        .current()
        .filter(level=UnitLevel.PROVINCE)
        .order_by("path")
        .first()
    )
    if province is None:
        return None
    # The latest year (up to this one) the province has approved targets for.
    year = (
        approved_targets(user)
        .filter(unit=province, year__lte=timezone.localdate().year)
        .aggregate(latest=Max("year"))["latest"]
    )
    if year is None:
        return None
    rows = [
        r for r in indicator_table(user=user, unit=province, year=year) if r.target and r.actual is not None
    ]
    if not rows:
        return None
    bars = []
    for row in rows[:SHOWN]:
        label = row.indicator.name
        if not row.indicator.higher_is_better:
            label = _("%(name)s (lower is better)") % {"name": label}
        share = row.percent_of_target or 0
        bars.append(Bar(label, share, f"{share}%", float(min(share, 100))))
    return {
        "template": "indicators/_dashboard_targets.html",
        "order": 70,
        "year": year,
        "unit": province,
        "bars": bars,
    }

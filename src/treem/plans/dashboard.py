"""The plan's part of the home page for people who see several communes (coordinators, leaders):
the reporting rates of the latest period whose reports have opened, by agency and by commune, from
``plans.selectors.reporting_rates`` (the period page's figures)."""

from __future__ import annotations

from django.utils import timezone

from treem.core.charts import Bar
from treem.plans.models import Plan, ReportingPeriod
from treem.plans.selectors import reporting_rates

AGENCIES_SHOWN = 12


def dashboard_section(request) -> dict | None:
    from treem.geo.map import sees_several_communes

    user = request.user
    if not user.has_perm("plans.view_progressreport") or not sees_several_communes(user):
        return None
    plans = Plan.objects.restrict(user, "view").filter(parent__isnull=True)
    period = (
        ReportingPeriod.objects.filter(plan__in=plans.values("pk"), opens_on__lte=timezone.localdate())
        .select_related("plan")
        .order_by("-opens_on", "-ends_on", "pk")
        .first()
    )
    if period is None:
        return None
    agencies = sorted(
        reporting_rates(period=period, user=user, by="agency"), key=lambda r: (r.completeness, str(r.agency))
    )
    communes = reporting_rates(period=period, user=user, by="commune")
    return {
        "template": "plans/_dashboard_rates.html",
        "order": 60,
        "period": period,
        "bars": [
            Bar(
                str(rate.agency),
                rate.completeness,
                f"{rate.submitted}/{rate.expected}",
                float(rate.completeness),
            )
            for rate in agencies[:AGENCIES_SHOWN]
        ],
        "agencies": len(agencies),
        "communes_reported": sum(1 for rate in communes if rate.expected and rate.submitted >= rate.expected),
        "communes": sum(1 for rate in communes if rate.expected),
    }

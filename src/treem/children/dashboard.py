"""The registry's part of the home page for people who see several communes (leaders,
coordinators): children in the registry and in special circumstances against a year before, the
groups as a chart, and the map's figures per commune. Counts go through ``statistics_children``
and are shown exactly only to holders of ``children.view_child`` (small counts hidden otherwise)."""

from __future__ import annotations

import datetime as dt

from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from treem.children.models import CircumstanceMembership
from treem.children.statistics import may_see_exact_counts, may_see_statistics, statistics_children
from treem.core.charts import bars, change, shown


def _current(day: dt.date) -> Q:
    return Q(entered_on__lte=day) & (Q(left_on__isnull=True) | Q(left_on__gte=day))


def glance(user, *, today: dt.date | None = None) -> dict:
    today = today or timezone.localdate()
    year_ago = today - dt.timedelta(days=365)
    publication = not may_see_exact_counts(user)
    children = statistics_children(user).filter(is_active=True)
    memberships = CircumstanceMembership.objects.filter(child__in=children.values("pk"))
    total = children.count()
    registered = children.filter(created_at__date__gt=year_ago).count()
    in_groups_now = memberships.filter(_current(today)).values("child_id").distinct().count()
    in_groups_before = memberships.filter(_current(year_ago)).values("child_id").distinct().count()
    by_group = (
        memberships.filter(_current(today))
        .values("group__name")
        .annotate(n=Count("child_id", distinct=True))
        .order_by("-n", "group__name")
    )
    return {
        "figures": [
            change(_("Children in the registry"), total, total - registered, publication=publication),
            change(
                _("Children in special circumstances"),
                in_groups_now,
                in_groups_before,
                publication=publication,
            ),
        ],
        "by_group": bars([(row["group__name"], row["n"]) for row in by_group], publication=publication),
        "publication": publication,
    }


def dashboard_section(request) -> dict | None:
    from treem.geo.map import sees_several_communes

    user = request.user
    if not may_see_statistics(user) or not sees_several_communes(user):
        return None
    return {"template": "children/_dashboard_glance.html", **glance(user)}


def _per_commune(user, communes, children) -> dict[int, tuple[int, str, bool]]:
    publication = not may_see_exact_counts(user)
    counts = dict(
        children.filter(commune__in=communes.values("pk"))
        .values("commune_id")
        .annotate(n=Count("id"))
        .values_list("commune_id", "n")
    )
    return {pk: (n, *shown(n, publication=publication)) for pk, n in counts.items()}


def map_children(user, communes):
    return _per_commune(user, communes, statistics_children(user).filter(is_active=True))


def map_circumstances(user, communes):
    today = timezone.localdate()
    in_groups = CircumstanceMembership.objects.filter(_current(today)).values("child_id")
    return _per_commune(user, communes, statistics_children(user).filter(is_active=True, pk__in=in_groups))


MAP_MEASURES = (
    ("children", gettext_lazy("Children in the registry"), map_children),
    ("circumstances", gettext_lazy("Children in special circumstances"), map_circumstances),
)

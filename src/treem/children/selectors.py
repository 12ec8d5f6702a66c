"""Reads of the child database: always from what the user may see."""

from __future__ import annotations

from django.db.models import QuerySet

from treem.children.models import Child


def child_list(*, user, filters: dict | None = None) -> QuerySet[Child]:
    """Children the user may see, filtered (name without diacritics, unit, group, age, sex…)."""
    from treem.children.filtersets import ChildFilterSet

    qs = Child.objects.restrict(user, "view").select_related("commune", "village", "ethnicity")
    return ChildFilterSet(filters or {}, queryset=qs).qs

"""Reads of the child database: always from what the user may see."""

from __future__ import annotations

from django.db.models import QuerySet

from treem.children.models import Child


def child_list(*, user, filters: dict | None = None) -> QuerySet[Child]:
    """Children the user may see, filtered (name without diacritics, unit, group, age, sex…)."""
    from treem.children.filtersets import ChildFilterSet

    qs = Child.objects.restrict(user, "view").select_related("commune", "village", "ethnicity")
    return ChildFilterSet(filters or {}, queryset=qs).qs


def search_hits(user, text: str) -> list:
    """Children for the site's search box, as the registry's ranked search finds them
    (``children.search.ranked_children``)."""
    from django.utils.translation import gettext as _

    from treem.children.search import ranked_children
    from treem.core.search import HITS_PER_FINDER, Hit

    if not user.has_perm("children.view_child"):
        return []
    visible = Child.objects.restrict(user, "view").select_related("commune")
    digits = text.replace(" ", "")
    found = ranked_children(user=user, queryset=visible, text=text, limit=HITS_PER_FINDER)
    exact_id = digits.isdigit() and len(digits) == 12
    return [
        Hit(
            kind=_("Child"),
            title=child.full_name,
            detail=" · ".join(
                part
                for part in (
                    str(
                        child.birth_date.strftime("%d/%m/%Y") if child.birth_date else child.birth_year or ""
                    ),
                    child.commune.label if child.commune_id else "",
                )
                if part
            ),
            href=child.get_absolute_url(),
            exact=(exact_id and child.personal_id == digits) or text.startswith("#"),
        )
        for child in found
    ]


def worklist_items(user) -> list:
    """What waits for ``user`` in the registry (``core.worklist``): possible duplicates to review
    in their communes (one item for the list; names are not shown on the home page)."""
    from django.urls import reverse
    from django.utils.translation import gettext as _
    from django.utils.translation import ngettext

    from treem.children.models_duplicates import DuplicateCandidate
    from treem.core.worklist import WorkItem

    if not user.has_perm("children.change_child"):
        return []
    pending = DuplicateCandidate.objects.restrict(user, "view").pending().count()
    if not pending:
        return []
    return [
        WorkItem(
            _("Data quality"),
            ngettext("%(n)d possible duplicate to review", "%(n)d possible duplicates to review", pending)
            % {"n": pending},
            reverse("children:duplicate_list"),
            count=pending,
        )
    ]

"""Named data elements computed from the system's own records, per commune of a period.

Each element is a queryset of children (one row per child, so nothing counts twice) for the
period; :func:`element_counts` counts it by the commune each child had on the period's last day
(``geo.selectors.count_by_unit`` with ``under="period"``, which follows the reorganisation's
history). Children who left the registry (``is_active`` false) are not counted.
"""

from __future__ import annotations

from collections.abc import Callable

from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from treem.cases.models import Case
from treem.children.models import Child, CircumstanceMembership, Support
from treem.children.statistics import age_q
from treem.geo.models import Unit
from treem.geo.selectors import count_by_unit
from treem.indicators.periods import Period


def _children() -> QuerySet[Child]:
    return Child.objects.filter(is_active=True)


def _in_special_circumstances(period: Period) -> Q:
    current = CircumstanceMembership.objects.filter(
        Q(left_on__isnull=True) | Q(left_on__gte=period.end),
        entered_on__lte=period.end,
        group__is_special_circumstance=True,
    )
    return Q(pk__in=current.values("child_id"))


def child_population(period: Period) -> QuerySet[Child]:
    return _children().filter(age_q(period.end, 0, 15))


def children_under5(period: Period) -> QuerySet[Child]:
    return _children().filter(age_q(period.end, 0, 4))


def under5_birth_registered(period: Period) -> QuerySet[Child]:
    return children_under5(period).filter(birth_registered=True)


def special_circumstance_children(period: Period) -> QuerySet[Child]:
    return child_population(period).filter(_in_special_circumstances(period))


def special_circumstance_assisted(period: Period) -> QuerySet[Child]:
    assisted = Support.objects.filter(given_on__gte=period.start, given_on__lte=period.end)
    return special_circumstance_children(period).filter(pk__in=assisted.values("child_id"))


def abused_children(period: Period) -> QuerySet[Child]:
    cases = Case.objects.filter(
        opened_at__date__gte=period.start, opened_at__date__lte=period.end, harm_kinds__isnull=False
    )
    return _children().filter(pk__in=cases.values("child_id"))


DATA_ELEMENTS: dict[str, tuple[Callable[[Period], QuerySet[Child]], str]] = {
    "child_population": (child_population, _("children under 16 in the registry")),
    "children_under5": (children_under5, _("children under 5 in the registry")),
    "under5_birth_registered": (under5_birth_registered, _("children under 5 with their birth registered")),
    "special_circumstance_children": (
        special_circumstance_children,
        _("children in special circumstances on the period's last day"),
    ),
    "special_circumstance_assisted": (
        special_circumstance_assisted,
        _("children in special circumstances given support during the period"),
    ),
    "abused_children": (
        abused_children,
        _("children with a protection case opened in the period for a harm"),
    ),
}


def element_counts(name: str, period: Period) -> dict[Unit, int]:
    """Counts of data element ``name`` by the communes in force on the period's last day."""
    build, _label = DATA_ELEMENTS[name]
    return count_by_unit(queryset=build(period), field="commune", under="period", day=period.end).counts

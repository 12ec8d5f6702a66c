"""FilterSets of the workforce lists."""

import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from treem.core import filters
from treem.workforce.models import StaffMember, StaffPosition, TrainingCourse


def _words(queryset, lookup: str, value: str):
    q = Q()
    for word in (value or "").split():
        q &= Q(**{f"{lookup}__icontains": word})
    return queryset.filter(q)


class StaffFilterSet(filters.FilterSet):
    q = django_filters.CharFilter(label=_("Name"), method="filter_q")
    position = django_filters.ChoiceFilter(label=_("Position"), choices=StaffPosition.choices)
    current = django_filters.BooleanFilter(label=_("Working today"), method="filter_current")

    class Meta:
        model = StaffMember
        fields = ["q", "position", "current"]

    def filter_q(self, queryset, name, value):
        return _words(queryset, "full_name", value)

    def filter_current(self, queryset, name, value):
        if value is None:
            return queryset
        active = queryset.active()
        return active if value else queryset.exclude(pk__in=active.values("pk"))


class CourseFilterSet(filters.FilterSet):
    q = django_filters.CharFilter(label=_("Topic"), method="filter_q")
    year = filters.YearFilter(label=_("Year"), field_name="starts_on", lookup_expr="year")

    class Meta:
        model = TrainingCourse
        fields = ["q", "year"]

    def filter_q(self, queryset, name, value):
        return _words(queryset, "topic", value)

"""One FilterSet per model, shared by the pages and the API."""

import django_filters
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from treem.core import filters
from treem.core.text import fold
from treem.geo.models import PlacementReview, PlacementStatus, Unit, UnitLevel


class UnitFilterSet(filters.FilterSet):
    q = django_filters.CharFilter(label=_("Name or code"), method="filter_q")
    level = django_filters.ChoiceFilter(label=_("Level"), choices=UnitLevel.choices)
    parent = filters.IdFilter(label=_("Parent unit"), field_name="parent_id")
    valid_on = django_filters.DateFilter(label=_("In force on"), method="filter_valid_on")
    current = django_filters.BooleanFilter(label=_("In force today"), method="filter_current")

    class Meta:
        model = Unit
        fields = ["q", "level", "parent", "valid_on", "current"]

    def filter_q(self, queryset, name, value):
        value = (value or "").strip()
        if not value:
            return queryset
        return queryset.filter(Q(code=value) | Q(name_folded__contains=fold(value)))

    def filter_valid_on(self, queryset, name, value):
        return queryset.valid_on(value) if value else queryset

    def filter_current(self, queryset, name, value):
        if value is None:
            return queryset
        today = timezone.localdate()
        current = queryset.valid_on(today)
        return current if value else queryset.exclude(pk__in=current.values("pk"))


class PlacementReviewFilterSet(filters.FilterSet):
    status = django_filters.ChoiceFilter(label=_("Status"), choices=PlacementStatus.choices)
    old_unit = filters.IdFilter(label=_("Old unit"), field_name="old_unit_id")

    class Meta:
        model = PlacementReview
        fields = ["status", "old_unit"]

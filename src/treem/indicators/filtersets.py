"""The indicator FilterSet, for the catalogue."""

import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from treem.core import filters
from treem.indicators.choices import IndicatorKind, Programme
from treem.indicators.models import Indicator


class IndicatorFilterSet(filters.FilterSet):
    q = django_filters.CharFilter(label=_("Code or name"), method="filter_q")
    programme = django_filters.ChoiceFilter(label=_("Programme"), choices=Programme.choices)
    kind = django_filters.ChoiceFilter(label=_("Kind"), choices=IndicatorKind.choices)

    class Meta:
        model = Indicator
        fields = ["q", "programme", "kind"]

    def filter_q(self, queryset, name, value):
        q = Q()
        for word in (value or "").split():
            q &= Q(code__icontains=word) | Q(name__icontains=word)
        return queryset.filter(q)

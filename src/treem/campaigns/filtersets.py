"""The campaign FilterSet, for the list of campaigns."""

import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from treem.campaigns.models import Campaign, RecurringEvent
from treem.core import filters


class CampaignFilterSet(filters.FilterSet):
    q = django_filters.CharFilter(label=_("Title"), method="filter_q")
    year = filters.YearFilter(label=_("Year"), field_name="starts_on", lookup_expr="year")
    event = filters.ModelChoiceFilter(label=_("Peak date"), queryset=RecurringEvent.objects.all())

    class Meta:
        model = Campaign
        fields = ["q", "year", "event"]

    def filter_q(self, queryset, name, value):
        q = Q()
        for word in (value or "").split():
            q &= Q(title__icontains=word)
        return queryset.filter(q)

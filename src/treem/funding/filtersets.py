"""FilterSets of the funding lists."""

import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from treem.core import filters
from treem.funding.choices import (
    DonationKind,
    DonorKind,
    Purpose,
    SettlementStatus,
    Source,
    SponsorshipStatus,
)
from treem.funding.models import BudgetLine, Donation, Donor, InternationalProject, Programme, Sponsorship


def _words(queryset, fields: tuple[str, ...], value: str):
    q = Q()
    for word in (value or "").split():
        any_field = Q()
        for name in fields:
            any_field |= Q(**{f"{name}__icontains": word})
        q &= any_field
    return queryset.filter(q)


class BudgetLineFilterSet(filters.FilterSet):
    q = django_filters.CharFilter(label=_("Title or agency"), method="filter_q")
    year = filters.YearFilter(label=_("Year"))
    programme = filters.ModelChoiceFilter(label=_("Programme"), queryset=Programme.objects.all())
    source = django_filters.ChoiceFilter(label=_("Source"), choices=Source.choices)
    settlement_status = django_filters.ChoiceFilter(label=_("Settlement"), choices=SettlementStatus.choices)

    class Meta:
        model = BudgetLine
        fields = ["q", "year", "programme", "source", "settlement_status"]

    def filter_q(self, queryset, name, value):
        return _words(queryset, ("title", "agency__name"), value)


class DonorFilterSet(filters.FilterSet):
    q = django_filters.CharFilter(label=_("Name"), method="filter_q")
    kind = django_filters.ChoiceFilter(label=_("Kind"), choices=DonorKind.choices)

    class Meta:
        model = Donor
        fields = ["q", "kind"]

    def filter_q(self, queryset, name, value):
        return _words(queryset, ("name",), value)


class DonationFilterSet(filters.FilterSet):
    q = django_filters.CharFilter(label=_("Donor"), method="filter_q")
    year = filters.YearFilter(label=_("Year"), field_name="received_on", lookup_expr="year")
    kind = django_filters.ChoiceFilter(label=_("Cash or in kind"), choices=DonationKind.choices)
    purpose = django_filters.ChoiceFilter(label=_("Intended use"), choices=Purpose.choices)

    class Meta:
        model = Donation
        fields = ["q", "year", "kind", "purpose"]

    def filter_q(self, queryset, name, value):
        return _words(queryset, ("donor__name", "description"), value)


class SponsorshipFilterSet(filters.FilterSet):
    q = django_filters.CharFilter(label=_("Sponsor or child"), method="filter_q")
    status = django_filters.ChoiceFilter(label=_("Status"), choices=SponsorshipStatus.choices)

    class Meta:
        model = Sponsorship
        fields = ["q", "status"]

    def filter_q(self, queryset, name, value):
        # The queryset is already limited to children in scope: searching by name reveals nothing.
        return _words(queryset, ("sponsor__name", "child__full_name"), value)


class ProjectFilterSet(filters.FilterSet):
    q = django_filters.CharFilter(label=_("Title or partner"), method="filter_q")

    class Meta:
        model = InternationalProject
        fields = ["q"]

    def filter_q(self, queryset, name, value):
        return _words(queryset, ("title", "partner"), value)

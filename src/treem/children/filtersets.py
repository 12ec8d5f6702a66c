"""The child FilterSet, shared by the registry pages, exports and the API."""

import django_filters
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field

from treem.children.choices import Sex
from treem.children.models import Child, CircumstanceGroup, Ethnicity
from treem.core import filters


class ChildFilterSet(filters.FilterSet):
    q = django_filters.CharFilter(label=_("Name or ID number"), method="filter_q")
    unit = filters.IdFilter(label=_("Unit"), method="filter_unit")
    sex = django_filters.ChoiceFilter(label=_("Sex"), choices=Sex.choices)
    ethnicity = filters.ModelChoiceFilter(label=_("Ethnic group"), queryset=Ethnicity.objects.all())
    group = filters.ModelChoiceFilter(
        label=_("Special circumstance"), queryset=CircumstanceGroup.objects.all(), method="filter_group"
    )
    age_min = filters.WholeNumberFilter(label=_("Age from"), method="filter_age_min", min_value=0)
    age_max = filters.WholeNumberFilter(label=_("Age to"), method="filter_age_max", min_value=0)
    active = django_filters.BooleanFilter(label=_("In the registry"), field_name="is_active")

    class Meta:
        model = Child
        fields = ["q", "unit", "sex", "ethnicity", "group", "age_min", "age_max", "active"]

    def filter_queryset(self, queryset):
        # The search ranks what the other filters leave, so it runs last.
        data = self.form.cleaned_data
        for name in sorted(data, key=lambda name: name == "q"):
            queryset = self.filters[name].filter(queryset, data[name])
        return queryset

    def filter_q(self, queryset, name, value):
        """The ranked search of ``children.search`` (the same for pages, the API and pickers)."""
        value = (value or "").strip()
        if not value:
            return queryset
        from treem.children.search import ranked_queryset

        return ranked_queryset(queryset=queryset, text=value, user=getattr(self.request, "user", None))

    def filter_unit(self, queryset, name, value):
        from treem.geo.models import Unit

        unit = Unit.objects.filter(pk=value).first()
        if unit is None:
            return queryset.none()
        return queryset.filter(Q(commune__path__startswith=unit.path) | Q(village=unit))

    # The API parameter is the group's id; the method receives the group (no type for the schema).
    @extend_schema_field(OpenApiTypes.INT)
    def filter_group(self, queryset, name, value):
        today = timezone.localdate()
        return queryset.filter(
            Q(circumstances__left_on__isnull=True) | Q(circumstances__left_on__gte=today),
            circumstances__group=value,
            circumstances__entered_on__lte=today,
        ).distinct()

    def filter_age_min(self, queryset, name, value):
        return queryset.filter(birth_year__lte=timezone.localdate().year - int(value))

    def filter_age_max(self, queryset, name, value):
        return queryset.filter(birth_year__gte=timezone.localdate().year - int(value))

import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from treem.accounts.models import Agency, AgencyKind, User
from treem.accounts.roles import ROLES
from treem.core import filters
from treem.core.text import fold


class UserFilterSet(filters.FilterSet):
    q = django_filters.CharFilter(label=_("Name or user name"), method="filter_q")
    role = django_filters.ChoiceFilter(
        label=_("Role"), choices=[(r.slug, r.label) for r in ROLES], field_name="groups__name"
    )
    is_active = django_filters.BooleanFilter(label=_("Active"))

    class Meta:
        model = User
        fields = ["q", "role", "is_active"]

    def filter_q(self, queryset, name, value):
        value = (value or "").strip()
        if not value:
            return queryset
        return queryset.filter(Q(username__icontains=value) | Q(full_name__icontains=value))


class AgencyFilterSet(filters.FilterSet):
    q = django_filters.CharFilter(label=_("Name"), method="filter_q")
    kind = django_filters.ChoiceFilter(label=_("Kind"), choices=AgencyKind.choices)
    unit = filters.IdFilter(label=_("Unit"), field_name="unit_id")

    class Meta:
        model = Agency
        fields = ["q", "kind", "unit"]

    def filter_q(self, queryset, name, value):
        value = (value or "").strip()
        if not value:
            return queryset
        folded = fold(value)
        # values_list, not only(): the pages and the API select_related() the unit.
        rows = queryset.values_list("pk", "name", "short_name")
        ids = [pk for pk, name, short_name in rows if folded in fold(f"{name} {short_name}")]
        return queryset.filter(pk__in=ids)

import django_filters
from django.utils.translation import gettext_lazy as _

from treem.audit.models import AuditEvent
from treem.core import filters


class AuditEventFilterSet(filters.FilterSet):
    action = django_filters.CharFilter(label=_("Action"), lookup_expr="startswith")
    actor = django_filters.CharFilter(label=_("User name"), field_name="actor_label", lookup_expr="iexact")
    since = django_filters.DateFilter(label=_("From"), field_name="at", lookup_expr="date__gte")
    until = django_filters.DateFilter(label=_("To"), field_name="at", lookup_expr="date__lte")

    class Meta:
        model = AuditEvent
        fields = ["action", "actor", "since", "until"]

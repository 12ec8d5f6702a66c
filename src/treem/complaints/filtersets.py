"""The register's filter: kind, state (open, overdue, answered, closed), number or subject."""

import django_filters
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from treem.complaints.choices import ComplaintKind
from treem.complaints.models import Complaint
from treem.core import filters


class ComplaintFilterSet(filters.FilterSet):
    STATES = [
        ("open", _("Being settled")),
        ("overdue", _("Overdue")),
        ("answered", _("Answered, not closed")),
        ("closed", _("Closed")),
    ]

    q = django_filters.CharFilter(label=_("Number or subject"), method="filter_q")
    kind = django_filters.ChoiceFilter(label=_("Kind"), choices=ComplaintKind.choices)
    state = django_filters.ChoiceFilter(label=_("State"), choices=STATES, method="filter_state")

    class Meta:
        model = Complaint
        fields = ["q", "kind", "state"]

    def filter_q(self, queryset, name, value):
        value = (value or "").strip()
        if not value:
            return queryset
        return queryset.filter(Q(number__istartswith=value) | Q(subject__icontains=value))

    def filter_state(self, queryset, name, value):
        today = timezone.localdate()
        if value == "open":
            return queryset.filter(closed_on__isnull=True)
        if value == "overdue":
            return queryset.filter(closed_on__isnull=True, due_on__lt=today)
        if value == "answered":
            return queryset.filter(closed_on__isnull=True, answered_on__isnull=False)
        if value == "closed":
            return queryset.filter(closed_on__isnull=False)
        return queryset

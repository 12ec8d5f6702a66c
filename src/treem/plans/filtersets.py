"""FilterSets of the plan pages."""

import django_filters
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from treem.core import filters
from treem.plans.models import OPEN_TASK_STATUSES, ProgressReport, ReportStatus, Task, TaskStatus


class TaskFilterSet(filters.FilterSet):
    q = django_filters.CharFilter(label=_("Content"), method="filter_q")
    status = django_filters.ChoiceFilter(
        label=_("Status"), choices=TaskStatus.choices, method="filter_status"
    )

    class Meta:
        model = Task
        fields = ["q", "status"]

    def filter_q(self, queryset, name, value):
        q = Q()
        for word in (value or "").split():
            q &= Q(content__icontains=word) | Q(code__icontains=word)
        return queryset.filter(q)

    def filter_status(self, queryset, name, value):
        today = timezone.localdate()
        late = Q(status__in=OPEN_TASK_STATUSES, deadline__lt=today)
        if value == TaskStatus.LATE:
            return queryset.filter(late)
        if value in OPEN_TASK_STATUSES:
            return queryset.filter(status=value).exclude(late)
        return queryset.filter(status=value)


class ReportFilterSet(filters.FilterSet):
    status = django_filters.ChoiceFilter(label=_("Status"), choices=ReportStatus.choices)

    class Meta:
        model = ProgressReport
        fields = ["status"]

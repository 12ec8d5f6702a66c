"""FilterSets of reports and cases. They filter by number, code, status and step, never by content."""

import django_filters
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from treem.cases.choices import CaseStatus, Channel
from treem.cases.models import Case, CaseStep, Report
from treem.core import filters


class ReportFilterSet(filters.FilterSet):
    q = django_filters.CharFilter(label=_("Tracking code"), method="filter_q")
    channel = django_filters.ChoiceFilter(label=_("Channel"), choices=Channel.choices)
    waiting = django_filters.BooleanFilter(
        label=_("Waiting for a case"), field_name="case", lookup_expr="isnull"
    )

    class Meta:
        model = Report
        fields = ["q", "channel", "waiting"]

    def filter_q(self, queryset, name, value):
        value = (value or "").strip().upper()
        return queryset.filter(tracking_code__startswith=value) if value else queryset


class CaseFilterSet(filters.FilterSet):
    VIEWS = [
        ("mine", _("My cases")),
        ("overdue", _("Overdue")),
        ("due_soon", _("Due soon")),
        ("all", _("All")),
    ]

    show = django_filters.ChoiceFilter(label=_("Show"), choices=VIEWS, method="filter_show", empty_label=None)
    q = django_filters.CharFilter(label=_("Case number"), method="filter_q")
    status = django_filters.ChoiceFilter(label=_("Status"), choices=CaseStatus.choices)
    step = filters.ModelChoiceFilter(label=_("Step"), queryset=CaseStep.objects.all())

    class Meta:
        model = Case
        fields = ["show", "q", "status", "step"]

    def __init__(self, data=None, queryset=None, *, request=None, prefix=None, user=None):
        super().__init__(data, queryset, request=request, prefix=prefix)
        self.user = user if user is not None else getattr(request, "user", None)

    def filter_q(self, queryset, name, value):
        value = (value or "").strip()
        return queryset.filter(number__icontains=value) if value else queryset

    def filter_show(self, queryset, name, value):
        from treem.cases import selectors

        if value == "mine":
            return queryset.filter(pk__in=Case.objects.filter(selectors.member_q(self.user)).values("pk"))
        if value in ("overdue", "due_soon"):
            now = timezone.now()
            deadlines = (selectors.overdue_deadlines if value == "overdue" else selectors.due_soon_deadlines)(
                user=self.user, now=now
            )
            return queryset.filter(pk__in=deadlines.values("case_id"))
        return queryset

"""The survey FilterSet, for the list of surveys."""

import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from treem.core import filters
from treem.surveys.choices import SubjectKind, SurveyStatus
from treem.surveys.models import Survey


class SurveyFilterSet(filters.FilterSet):
    q = django_filters.CharFilter(label=_("Title"), method="filter_q")
    status = django_filters.ChoiceFilter(label=_("Status"), choices=SurveyStatus.choices)
    subject_kind = django_filters.ChoiceFilter(label=_("About"), choices=SubjectKind.choices)

    class Meta:
        model = Survey
        fields = ["q", "status", "subject_kind"]

    def filter_q(self, queryset, name, value):
        q = Q()
        for word in (value or "").split():
            q &= Q(title__icontains=word)
        return queryset.filter(q)

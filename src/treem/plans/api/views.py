"""Read-only API of plans and tasks, scoped like the pages (tasks: one's own agency's, or the
whole unit's for its coordinator)."""

from django.db.models import Prefetch
from rest_framework import viewsets

from treem.accounts.models import Agency
from treem.core.api import ScopedViewSetMixin
from treem.plans.api.serializers import PlanSerializer, TaskSerializer
from treem.plans.filtersets import TaskFilterSet
from treem.plans.models import Plan, Task


class PlanViewSet(ScopedViewSetMixin, viewsets.ReadOnlyModelViewSet):
    """Plans seen from the user's units (their own, those above and below)."""

    queryset = Plan.objects.all()
    serializer_class = PlanSerializer
    select_related = ("issuing_agency",)

    def get_queryset(self):
        return super().get_queryset().prefetch_related("legal_bases", "sections")


class TaskViewSet(ScopedViewSetMixin, viewsets.ReadOnlyModelViewSet):
    """Tasks of plans: filter by ``status`` (including ``late``) and ``q``."""

    queryset = Task.objects.all()
    serializer_class = TaskSerializer
    filterset_class = TaskFilterSet
    select_related = ("section", "lead_agency")

    def get_queryset(self):
        return (
            super()
            .get_queryset()
            .prefetch_related(Prefetch("cooperating_agencies", queryset=Agency.objects.only("pk")))
            .order_by("plan_id", "position", "id")
        )

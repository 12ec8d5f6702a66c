"""The child API: the same filters, scope and services as the registry pages."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.response import Response

from treem.audit.services import audit_view
from treem.children import services
from treem.children.api.serializers import ChildDetailSerializer, ChildSerializer, ChildWriteSerializer
from treem.children.filtersets import ChildFilterSet
from treem.children.models import Child
from treem.core.api import ScopedViewSetMixin


class ChildViewSet(
    ScopedViewSetMixin, mixins.CreateModelMixin, mixins.UpdateModelMixin, viewsets.ReadOnlyModelViewSet
):
    """Children of the caller's units. Reading one child is audited; writes go through the services."""

    queryset = Child.objects.all()
    serializer_class = ChildSerializer
    filterset_class = ChildFilterSet
    select_related = ("commune", "village", "ethnicity")

    def get_serializer_class(self):
        if self.action in ("create", "update", "partial_update"):
            return ChildWriteSerializer
        if self.action == "retrieve":
            return ChildDetailSerializer
        return ChildSerializer

    def retrieve(self, request, *args, **kwargs):
        child = self.get_object()
        audit_view(request.user, child)
        return Response(ChildDetailSerializer(child, context=self.get_serializer_context()).data)

    @extend_schema(request=ChildWriteSerializer, responses={201: ChildDetailSerializer})
    def create(self, request, *args, **kwargs):
        data = ChildWriteSerializer(data=request.data, context=self.get_serializer_context())
        data.is_valid(raise_exception=True)
        fields = dict(data.validated_data)
        commune = fields.pop("commune")
        child = services.child_register(acting_user=request.user, commune=commune, **fields)
        return Response(
            ChildDetailSerializer(child, context=self.get_serializer_context()).data,
            status=status.HTTP_201_CREATED,
        )

    @extend_schema(request=ChildWriteSerializer, responses={200: ChildDetailSerializer})
    def update(self, request, *args, **kwargs):
        child = self.get_object()
        data = ChildWriteSerializer(
            child,
            data=request.data,
            partial=kwargs.get("partial", False),
            context=self.get_serializer_context(),
        )
        data.is_valid(raise_exception=True)
        child = services.child_update(acting_user=request.user, child=child, **data.validated_data)
        return Response(ChildDetailSerializer(child, context=self.get_serializer_context()).data)

from drf_spectacular.utils import extend_schema
from rest_framework import mixins, viewsets
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from treem.accounts import services
from treem.accounts.api.serializers import AgencySerializer, UserSerializer
from treem.accounts.filtersets import AgencyFilterSet, UserFilterSet
from treem.accounts.models import Agency, User
from treem.core.api import ScopedViewSetMixin


class AgencyViewSet(
    ScopedViewSetMixin, mixins.CreateModelMixin, mixins.UpdateModelMixin, viewsets.ReadOnlyModelViewSet
):
    """Agencies in the user's scope."""

    queryset = Agency.objects.all()
    serializer_class = AgencySerializer
    filterset_class = AgencyFilterSet
    select_related = ("unit",)

    def perform_create(self, serializer):
        serializer.instance = services.agency_create(
            acting_user=self.request.user, **serializer.validated_data
        )

    def perform_update(self, serializer):
        serializer.instance = services.agency_update(
            acting_user=self.request.user, agency=serializer.instance, **serializer.validated_data
        )


class UserViewSet(ScopedViewSetMixin, viewsets.ReadOnlyModelViewSet):
    """Users who work in the caller's units."""

    queryset = User.objects.all()
    serializer_class = UserSerializer
    filterset_class = UserFilterSet

    def get_queryset(self):
        return super().get_queryset().prefetch_related("groups", "unit_assignments")


class MeView(APIView):
    """The signed-in user, their roles and units."""

    permission_classes = [IsAuthenticated]

    @extend_schema(responses=UserSerializer)
    def get(self, request):
        return Response(UserSerializer(request.user).data)

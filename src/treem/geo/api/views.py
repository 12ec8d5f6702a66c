from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound
from rest_framework.generics import get_object_or_404  # unlike Django's, 404 for a non-numeric pk
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response

from treem.core.api import ScopedViewSetMixin
from treem.geo import services
from treem.geo.api.serializers import (
    PlacementDecisionSerializer,
    PlacementReviewSerializer,
    UnitSerializer,
    UnitSuccessionSerializer,
    VillageCreateSerializer,
)
from treem.geo.filtersets import PlacementReviewFilterSet, UnitFilterSet
from treem.geo.models import PlacementReview, Unit, UnitSuccession


class UnitViewSet(ScopedViewSetMixin, mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    """Administrative units in the user's scope. POST adds a village to a commune."""

    queryset = Unit.objects.all()
    serializer_class = UnitSerializer
    filterset_class = UnitFilterSet

    def get_serializer_class(self):
        return VillageCreateSerializer if self.action == "create" else UnitSerializer

    @extend_schema(request=VillageCreateSerializer, responses={201: UnitSerializer})
    def create(self, request, *args, **kwargs):
        data = VillageCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        commune = (
            Unit.objects.restrict(request.user, "view").filter(pk=data.validated_data.pop("commune")).first()
        )
        if commune is None:
            raise NotFound(_("Unknown commune."))
        village = services.village_create(acting_user=request.user, commune=commune, **data.validated_data)
        return Response(
            UnitSerializer(village, context={"request": request}).data, status=status.HTTP_201_CREATED
        )


class UnitSuccessionViewSet(ScopedViewSetMixin, viewsets.ReadOnlyModelViewSet):
    """Old unit → new unit links of the reorganisations."""

    queryset = UnitSuccession.objects.all()
    serializer_class = UnitSuccessionSerializer


class PlacementReviewViewSet(ScopedViewSetMixin, viewsets.ReadOnlyModelViewSet):
    """Records of split units waiting for a person to place them."""

    queryset = PlacementReview.objects.all()
    serializer_class = PlacementReviewSerializer
    filterset_class = PlacementReviewFilterSet

    @extend_schema(request=PlacementDecisionSerializer, responses={200: PlacementReviewSerializer})
    # The model-permission class would ask for add_placementreview on POST; deciding is a change,
    # checked below.
    @action(detail=True, methods=["post"], permission_classes=[IsAuthenticated])
    def decide(self, request, pk=None):
        if not request.user.has_perm("geo.change_placementreview"):
            raise PermissionDenied
        review = get_object_or_404(PlacementReview.objects.restrict(request.user, "change"), pk=pk)
        data = PlacementDecisionSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        new_unit = review.candidates.filter(pk=data.validated_data["new_unit"]).first()
        if new_unit is None:
            from rest_framework.exceptions import ValidationError

            raise ValidationError({"new_unit": [_("Choose one of the new units this old unit went into.")]})
        review = services.placement_decide(acting_user=request.user, review=review, new_unit=new_unit)
        return Response(PlacementReviewSerializer(review).data)

"""REST API v1: every endpoint starts from the restricted queryset of its model."""

from django.urls import include, path
from rest_framework.permissions import IsAuthenticated
from rest_framework.routers import DefaultRouter

from treem.accounts.api.views import AgencyViewSet, MeView, UserViewSet
from treem.audit.api.views import AuditEventViewSet
from treem.cases.api.views import ReportPushViewSet
from treem.children.api.views import ChildViewSet
from treem.geo.api.views import PlacementReviewViewSet, UnitSuccessionViewSet, UnitViewSet
from treem.indicators.api.views import AdxView, DataValueSetsView
from treem.plans.api.views import PlanViewSet, TaskViewSet


class Router(DefaultRouter):
    """The API root lists the endpoints to any signed-in user; each endpoint checks its own rights."""

    class APIRootView(DefaultRouter.APIRootView):
        permission_classes = [IsAuthenticated]


router = Router()
router.register("units", UnitViewSet, basename="unit")
router.register("unit-successions", UnitSuccessionViewSet, basename="unitsuccession")
router.register("placement-reviews", PlacementReviewViewSet, basename="placementreview")
router.register("agencies", AgencyViewSet, basename="agency")
router.register("users", UserViewSet, basename="user")
router.register("audit-events", AuditEventViewSet, basename="auditevent")
router.register("children", ChildViewSet, basename="child")
router.register("plans", PlanViewSet, basename="plan")
router.register("plan-tasks", TaskViewSet, basename="plantask")
router.register("reports", ReportPushViewSet, basename="report")

app_name = "api"
urlpatterns = [
    path("me/", MeView.as_view(), name="me"),
    path("indicator-values/adx/", AdxView.as_view(), name="indicatorvalue-adx"),
    path("indicator-values/dataValueSets/", DataValueSetsView.as_view(), name="indicatorvalue-datavaluesets"),
    path("", include(router.urls)),
]

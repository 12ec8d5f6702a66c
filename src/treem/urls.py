from django.contrib.auth import views as auth_views
from django.urls import include, path
from django.views.i18n import JavaScriptCatalog
from drf_spectacular.views import SpectacularAPIView

from treem.core import dashboard
from treem.core.api_docs import ApiDocsView
from treem.core.ratelimit import rate_limited
from treem.core.views import healthz
from treem.core.views_search import SearchView

handler400 = "treem.core.views.error_400"
handler403 = "treem.core.views.error_403"
handler404 = "treem.core.views.error_404"
handler500 = "treem.core.views.error_500"

urlpatterns = [
    path("", dashboard.HomeView.as_view(), name="home"),
    path("search/", SearchView.as_view(), name="search"),
    path(
        "login/",
        rate_limited("login")(auth_views.LoginView.as_view(template_name="registration/login.html")),
        name="login",
    ),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("jsi18n/", JavaScriptCatalog.as_view(), name="javascript-catalog"),
    path("units/", include("treem.geo.urls")),
    path("children/", include("treem.children.urls")),
    path("surveys/", include("treem.surveys.urls")),
    path("cases/", include("treem.cases.urls")),
    path("bao-tin/", include("treem.cases.urls_public")),  # the public report form (no sign-in)
    path("complaints/", include("treem.complaints.urls")),
    path("notifications/", include("treem.notifications.urls")),
    path("plans/", include("treem.plans.urls")),
    path("indicators/", include("treem.indicators.urls")),
    path("reports/", include("treem.reporting.urls")),
    path("workforce/", include("treem.workforce.urls")),
    path("campaigns/", include("treem.campaigns.urls")),
    path("", include("treem.funding.urls")),  # funding/… pages and the public transparency/ report
    path("jobs/", include("treem.jobs.urls")),
    path("accounts/", include("treem.accounts.urls")),
    path("audit/", include("treem.audit.urls")),
    path("api/v1/", include("treem.api_urls")),
    # Both for signed-in users only in production, unless TREEM_API_SCHEMA_PUBLIC (core.api.SchemaAccess).
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    # The split view serves its script as a file: no inline script for the CSP to refuse.
    path("api/docs/", ApiDocsView.as_view(url_name="schema"), name="api-docs"),
    path("healthz", healthz, name="healthz"),
]

"""The site's URLs plus views that fail, for tests/core/test_error_pages.py only."""

from django.urls import path

from treem.urls import handler400, handler403, handler404, handler500  # noqa: F401 - read by Django
from treem.urls import urlpatterns as site_urlpatterns


def broken(request):
    raise RuntimeError("a deliberate failure of a test view")


urlpatterns = [
    path("test-only/broken/", broken, name="test_broken"),
    path("api/test-only/broken/", broken, name="test_broken_api"),
    *site_urlpatterns,
]

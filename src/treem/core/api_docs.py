"""The API's documentation page (Swagger UI).

Apart from core/api.py: drf-spectacular's views read ``SERVE_PERMISSIONS`` (core.api.SchemaAccess)
when they are imported, so core/api.py must not import them.
"""

from django.contrib.auth.views import redirect_to_login
from drf_spectacular.views import SpectacularSwaggerSplitView
from rest_framework import exceptions


class ApiDocsView(SpectacularSwaggerSplitView):
    """Swagger UI, its script served as a file for the CSP; when the schema is not public, a person
    not signed in is sent to the login page and back."""

    def handle_exception(self, exc):
        if isinstance(exc, exceptions.NotAuthenticated) and self.request.GET.get("script") is None:
            return redirect_to_login(self.request.get_full_path())
        return super().handle_exception(exc)

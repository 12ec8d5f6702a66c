"""API plumbing shared by every app: scoped permissions, pagination, clear error messages."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils.translation import gettext as _
from rest_framework import exceptions, negotiation, pagination, permissions
from rest_framework.renderers import BrowsableAPIRenderer

from treem.core.scope import ScopeError, permission_name


class ScopedModelPermissions(permissions.DjangoModelPermissions):
    """Model permission for every method (reads too); rows are limited by ``restrict``.

    Views must take their queryset from ``Model.objects.restrict(request.user, action)``:
    ``ScopedViewSetMixin`` does it.
    """

    perms_map = {
        "GET": ["%(app_label)s.view_%(model_name)s"],
        "OPTIONS": [],
        "HEAD": ["%(app_label)s.view_%(model_name)s"],
        "POST": ["%(app_label)s.add_%(model_name)s"],
        "PUT": ["%(app_label)s.change_%(model_name)s"],
        "PATCH": ["%(app_label)s.change_%(model_name)s"],
        "DELETE": ["%(app_label)s.delete_%(model_name)s"],
    }


ACTION_BY_METHOD = {
    "GET": "view",
    "HEAD": "view",
    "OPTIONS": "view",
    "POST": "add",
    "PUT": "change",
    "PATCH": "change",
    "DELETE": "delete",
}


class ScopedViewSetMixin:
    """Takes the queryset from the model's restricted manager for the request's action."""

    select_related: tuple[str, ...] = ()

    def get_queryset(self):
        action = ACTION_BY_METHOD.get(self.request.method, "view")
        qs = self.queryset.model.objects.restrict(self.request.user, action)
        return qs.select_related(*self.select_related) if self.select_related else qs


def has_model_perm(user, model, action: str) -> bool:
    return bool(user and user.is_authenticated and user.has_perm(permission_name(model, action)))


class ContentNegotiation(negotiation.DefaultContentNegotiation):
    """DRF's negotiation, without the browsable API unless ``TREEM_API_BROWSABLE`` (debug mode).

    In production a request that would have got the browsable page (a browser's ``Accept:
    text/html``, ``?format=api``) gets the JSON instead: the HTML pages and their forms are for
    development, not for the server.
    """

    def select_renderer(self, request, renderers, format_suffix=None):
        renderer, media_type = super().select_renderer(request, renderers, format_suffix)
        if settings.TREEM_API_BROWSABLE or not isinstance(renderer, BrowsableAPIRenderer):
            return renderer, media_type
        data_renderers = [r for r in renderers if not isinstance(r, BrowsableAPIRenderer)]
        if not data_renderers:
            raise exceptions.NotAcceptable()
        try:
            return super().select_renderer(request, data_renderers, format_suffix)
        except (exceptions.NotAcceptable, Http404):
            return data_renderers[0], data_renderers[0].media_type


class SchemaAccess(permissions.BasePermission):
    """The OpenAPI schema and its Swagger page: for anyone when ``TREEM_API_SCHEMA_PUBLIC`` (the
    default in debug mode), for signed-in users only otherwise (production's default)."""

    def has_permission(self, request, view):
        return settings.TREEM_API_SCHEMA_PUBLIC or bool(request.user and request.user.is_authenticated)


class Pagination(pagination.PageNumberPagination):
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 500


def exception_handler(exc, context):
    """DRF's handler, plus: scope refusals are 404 (never reveal a record) and Django
    validation errors are 400 with their messages."""
    from django.core.exceptions import ValidationError as DjangoValidationError
    from rest_framework.views import exception_handler as drf_exception_handler  # circular at import time

    if isinstance(exc, ScopeError | Http404):
        exc = exceptions.NotFound(_("Not found."))
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied(_("You do not have permission to do this."))
    elif isinstance(exc, DjangoValidationError):
        detail = exc.message_dict if hasattr(exc, "error_dict") else {"detail": exc.messages}
        exc = exceptions.ValidationError(detail)
    return drf_exception_handler(exc, context)

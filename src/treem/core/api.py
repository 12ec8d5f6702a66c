"""API plumbing shared by every app: scoped permissions, pagination, clear error messages."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils.translation import gettext as _
from rest_framework import exceptions, pagination, permissions

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

"""View mixins that route every page through the user's scope, and the shared pages."""

from __future__ import annotations

import csv
import logging

from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.http import Http404, HttpResponse, HttpResponseServerError, JsonResponse, StreamingHttpResponse
from django.shortcuts import render
from django.template import loader
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import DetailView, ListView

from treem.audit import context as audit_context
from treem.audit.services import audit_record, audit_view
from treem.core.scope import permission_name


class ScopedQuerysetMixin(LoginRequiredMixin):
    """Pages start from ``Model.objects.restrict(user, action)``; no permission is 403."""

    model = None
    action = "view"
    select_related: tuple[str, ...] = ()

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and not request.user.has_perm(
            permission_name(self.model, self.action)
        ):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get_queryset(self):
        qs = self.model.objects.restrict(self.request.user, self.action)
        return qs.select_related(*self.select_related) if self.select_related else qs


class ScopedListView(ScopedQuerysetMixin, ListView):
    """A list filtered by a django-filter FilterSet (the same one the API uses)."""

    filterset_class = None
    paginate_by = 50

    def get_queryset(self):
        qs = super().get_queryset()
        if self.filterset_class is not None:
            self.filterset = self.filterset_class(self.request.GET or None, queryset=qs, request=self.request)
            return self.filterset.qs
        self.filterset = None
        return qs

    def get_template_names(self):
        names = super().get_template_names()
        if getattr(self.request, "htmx", False):
            return [n.replace(".html", "_rows.html") for n in names] + names
        return names

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["filterset"] = self.filterset
        query = self.request.GET.copy()
        query.pop("page", None)
        ctx["query_string"] = query.urlencode()
        return ctx


class ScopedDetailView(ScopedQuerysetMixin, DetailView):
    """A record page: out of scope is 404. Sensitive records write a view event."""

    audit_views = False

    def get_object(self, queryset=None):
        try:
            obj = super().get_object(queryset)
        except (ValueError, ValidationError) as exc:  # forged ids in URLs
            raise Http404 from exc
        if self.audit_views:
            audit_view(self.request.user, obj)
        return obj


class ScopedCsvExportView(ScopedQuerysetMixin, View):
    """A CSV export of what the user may see, audited as one event."""

    filterset_class = None
    filename = "export.csv"
    columns: tuple[tuple[str, str], ...] = ()

    def rows(self, qs):
        for obj in qs.iterator(chunk_size=2000):
            yield [self.value(obj, key) for key, _label in self.columns]

    def value(self, obj, key):
        value = obj
        for part in key.split("__"):
            value = getattr(value, part, None) if value is not None else None
        return "" if value is None else value

    def get(self, request, *args, **kwargs):
        qs = self.get_queryset()
        if self.filterset_class is not None:
            qs = self.filterset_class(request.GET or None, queryset=qs, request=request).qs
        count = qs.count()
        audit_record(
            request.user,
            f"{self.model._meta.app_label}.{self.model._meta.model_name}.exported",
            None,
            object_label=self.filename,
            changes={"rows": count, "filters": request.GET.dict()},
        )

        class Echo:
            def write(self, value):
                return value

        writer = csv.writer(Echo())

        def stream():
            yield "\ufeff"  # Excel opens UTF-8 CSV correctly only with a BOM
            yield writer.writerow([str(label) for _key, label in self.columns])
            for row in self.rows(qs):
                yield writer.writerow(row)

        response = StreamingHttpResponse(stream(), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="{self.filename}"'
        return response


def healthz(request):
    """Liveness and database check for load balancers and monitoring."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception:
        return JsonResponse({"status": "error", "database": "unreachable"}, status=503)
    from treem.core.db import autovacuum_off

    warnings = []
    if autovacuum_off():
        # Without it the planner's statistics go stale and pages slow down by orders of magnitude.
        warnings.append("PostgreSQL autovacuum is off: turn it on (docs/operations.md).")
    return JsonResponse({"status": "ok", "database": connection.vendor, "warnings": warnings})


def _for_api(request) -> bool:
    """API callers get errors as JSON ``{"detail": …}``, like the API's own answers."""
    return request.path.startswith("/api/")


def error_400(request, exception=None):
    if _for_api(request):
        return JsonResponse({"detail": _("The request could not be understood.")}, status=400)
    return render(request, "400.html", status=400)


def error_404(request, exception=None):
    message = _("The page was not found, or you may not see it.")
    if _for_api(request):
        return JsonResponse({"detail": message}, status=404)
    return render(request, "404.html", {"message": message}, status=404)


def error_403(request, exception=None):
    message = _("You do not have permission to do this.")
    if _for_api(request):
        return JsonResponse({"detail": message}, status=403)
    return render(request, "403.html", {"message": message}, status=403)


logger = logging.getLogger(__name__)

SERVER_ERROR_TEXT = (
    "Đã xảy ra lỗi trên máy chủ. Vui lòng thử lại sau ít phút.\n"
    "A server error occurred. Please try again in a few minutes.\n"
)


def error_500(request):
    """The 500 page in Vietnamese and English, with the request id to quote to an administrator.

    The id is the one of the request's audit events, and it is logged here next to Django's own
    report of the error. The page is rendered without the request, context processors or the
    database (any of them may be what failed); if even that fails, plain text.
    """
    request_id = audit_context.current().request_id
    logger.error("Server error, request id %s: %s %s", request_id or "-", request.method, request.path)
    if _for_api(request):
        detail = _("A server error occurred. Please try again later; if it persists, quote the request id.")
        return JsonResponse({"detail": detail, "request_id": request_id}, status=500)
    try:
        body = loader.get_template("500.html").render({"request_id": request_id})
    except Exception:
        logger.exception("The 500 page could not be rendered")
        return plain_text(SERVER_ERROR_TEXT + (f"Request id: {request_id}\n" if request_id else ""), 500)
    return HttpResponseServerError(body)


def plain_text(message: str, status: int) -> HttpResponse:
    return HttpResponse(message, status=status, content_type="text/plain; charset=utf-8")

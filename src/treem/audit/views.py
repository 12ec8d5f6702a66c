from django.contrib.auth.mixins import LoginRequiredMixin
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404, render
from django.views import View

from treem.audit.filtersets import AuditEventFilterSet
from treem.audit.models import AuditEvent
from treem.audit.selectors import audit_history
from treem.core.views import ScopedListView

# Record types whose history can be opened from a page (a record type not listed is 404).
HISTORY_MODELS = {
    "geo.unit",
    "accounts.agency",
    "accounts.user",
    "accounts.apiclient",
    "geo.placementreview",
    "children.child",
}


class AuditEventListView(ScopedListView):
    model = AuditEvent
    filterset_class = AuditEventFilterSet
    select_related = ("actor", "content_type", "unit")
    template_name = "audit/event_list.html"


class RecordHistoryView(LoginRequiredMixin, View):
    """Field-level history of one record: the record must be in the user's scope."""

    def get(self, request, app_label, model_name, pk):
        label = f"{app_label}.{model_name}"
        if label not in HISTORY_MODELS:
            raise Http404
        ct = get_object_or_404(ContentType, app_label=app_label, model=model_name)
        model = ct.model_class()
        if not request.user.has_perm("audit.view_auditevent"):
            raise PermissionDenied
        obj = get_object_or_404(model.objects.restrict(request.user, "view"), pk=pk)
        events = audit_history(user=request.user, obj=obj)[:500]
        return render(request, "audit/history.html", {"object": obj, "events": events})

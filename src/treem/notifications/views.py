"""The inbox page: one's own notifications, newest first; open one (marks it read), mark all read;
and one's e-mail preferences (per kind of event; in-app notifications are always on)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import ListView

from treem.notifications import selectors, services
from treem.notifications.events import kinds


class NotificationListView(LoginRequiredMixin, ListView):
    """Every signed-in user has an inbox (it holds only their own notifications)."""

    template_name = "notifications/notification_list.html"
    context_object_name = "notifications"
    paginate_by = 50

    def get_queryset(self):
        return selectors.inbox(user=self.request.user, unread_only=self.request.GET.get("unread") == "1")

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["unread_only"] = self.request.GET.get("unread") == "1"
        ctx["unread_total"] = selectors.unread_count(self.request.user)
        ctx["query_string"] = "unread=1" if ctx["unread_only"] else ""
        return ctx


class NotificationOpenView(LoginRequiredMixin, View):
    """POST: mark the notification read and go to its page (someone else's: 404)."""

    def post(self, request, pk):
        notification = get_object_or_404(selectors.inbox(user=request.user), pk=pk)
        services.notification_mark_read(acting_user=request.user, notification=notification)
        link = notification.link
        if link and url_has_allowed_host_and_scheme(link, allowed_hosts={request.get_host()}):
            return redirect(link)
        return redirect("notifications:list")


class NotificationReadAllView(LoginRequiredMixin, View):
    def post(self, request):
        count = services.notifications_mark_all_read(acting_user=request.user)
        messages.success(request, _("%(count)s notifications marked read.") % {"count": count})
        return redirect("notifications:list")


class EmailPreferencesView(LoginRequiredMixin, View):
    """Every signed-in user chooses, per kind of event, whether it also comes by e-mail."""

    template_name = "notifications/preferences.html"

    def get(self, request):
        return self.render(request)

    def post(self, request):
        chosen = set(request.POST.getlist("email"))
        choices = {kind: kind in chosen for kind, _label in kinds()}
        changes = services.email_preferences_save(acting_user=request.user, choices=choices)
        if changes:
            messages.success(request, _("Your e-mail preferences were saved."))
        else:
            messages.info(request, _("Nothing changed."))
        return redirect("notifications:preferences")

    def render(self, request):
        email = selectors.email_choices(user=request.user)
        rows = [{"kind": kind, "label": label, "email": email[kind]} for kind, label in kinds()]
        return TemplateResponse(
            request, self.template_name, {"rows": rows, "has_address": bool(request.user.email)}
        )

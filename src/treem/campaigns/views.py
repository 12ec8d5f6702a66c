"""Campaign pages: the yearly calendar of peak dates, campaigns of agencies, the yearly summary,
and the recurring events the calendar is made of.

Every page starts from a restricted queryset: a campaign outside the user's units is 404. Writes
go through ``campaigns.services``; a refused write re-renders the page with the service's
messages (status 400) and writes nothing.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views import View

from treem.campaigns import selectors, services
from treem.campaigns.filtersets import CampaignFilterSet
from treem.campaigns.forms import CampaignForm, EventCreateForm, EventForm
from treem.campaigns.lunar import FIRST_YEAR, LAST_YEAR
from treem.campaigns.models import Campaign, Channel, RecurringEvent
from treem.core.forms import apply_service_errors
from treem.core.scope import ScopeError
from treem.core.views import ScopedDetailView, ScopedListView, ScopedQuerysetMixin


class FormPage(ScopedQuerysetMixin, View):
    """A create or edit page: the form collects, the service decides; refusals are 400."""

    form_class = None
    template_name = ""
    success_message = ""

    def get_object(self, pk):
        return None

    def form_kwargs(self):
        return {"user": self.request.user}

    def initial(self, obj) -> dict:
        return {}

    def save(self, obj, data):
        raise NotImplementedError

    def get(self, request, pk=None):
        obj = self.get_object(pk)
        form = self.form_class(initial=self.initial(obj), **self.form_kwargs())
        return render(request, self.template_name, {"form": form, "object": obj})

    def post(self, request, pk=None):
        obj = self.get_object(pk)
        form = self.form_class(request.POST, initial=self.initial(obj), **self.form_kwargs())
        if form.is_valid():
            try:
                saved = self.save(obj, form.cleaned_data)
            except ScopeError as exc:
                raise Http404 from exc
            except ValidationError as exc:
                apply_service_errors(form, exc)
            else:
                messages.success(request, self.success_message)
                return redirect(saved)
        return render(request, self.template_name, {"form": form, "object": obj}, status=400)


def _year(request) -> tuple[int | None, str]:
    """The year asked for (this year by default), or None and the reason it is refused."""
    raw = (request.GET.get("year") or "").strip()
    if not raw:
        return timezone.localdate().year, ""
    if raw.isdigit() and FIRST_YEAR <= int(raw) <= LAST_YEAR:
        return int(raw), ""
    return None, _("Choose a year from %(first)s to %(last)s.") % {"first": FIRST_YEAR, "last": LAST_YEAR}


class CalendarView(ScopedQuerysetMixin, View):
    """The peak dates of a year, month by month, with the user's campaigns."""

    model = RecurringEvent
    template_name = "campaigns/calendar.html"

    def get(self, request):
        year, error = _year(request)
        if year is None:
            this_year = timezone.localdate().year
            ctx = {"error": error, "year": this_year, "months": [], "asked": request.GET.get("year", "")}
            return render(request, self.template_name, ctx, status=400)
        ctx = {
            "year": year,
            "previous": year - 1 if year > FIRST_YEAR else None,
            "next": year + 1 if year < LAST_YEAR else None,
            "months": selectors.calendar_year(user=request.user, year=year),
            "today": timezone.localdate(),
        }
        return render(request, self.template_name, ctx)


class SummaryView(ScopedQuerysetMixin, View):
    """Per agency, the campaigns of a year: how many, whom they reached, what they cost."""

    model = Campaign
    template_name = "campaigns/summary.html"

    def get(self, request):
        year, error = _year(request)
        if year is None:
            ctx = {"error": error, "year": timezone.localdate().year, "rows": [], "channels": Channel.choices}
            return render(request, self.template_name, ctx, status=400)
        rows, total = selectors.yearly_summary(user=request.user, year=year)
        ctx = {"year": year, "rows": rows, "total": total, "channels": Channel.choices}
        return render(request, self.template_name, ctx)


class CampaignListView(ScopedListView):
    model = Campaign
    filterset_class = CampaignFilterSet
    select_related = ("unit", "agency", "event")
    template_name = "campaigns/campaign_list.html"

    def get_template_names(self):
        return [self.template_name]


class CampaignDetailView(ScopedDetailView):
    model = Campaign
    select_related = ("unit", "agency", "event")
    template_name = "campaigns/campaign_detail.html"
    context_object_name = "campaign"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["can_change"] = (
            Campaign.objects.restrict(self.request.user, "change").filter(pk=self.object.pk).exists()
        )
        return ctx


class CampaignCreateView(FormPage):
    model = Campaign
    action = "add"
    form_class = CampaignForm
    template_name = "campaigns/campaign_form.html"

    def initial(self, obj):
        event = self.request.GET.get("event", "")
        return {"event": event} if event.isdigit() else {}

    def save(self, obj, data):
        self.success_message = _("The campaign is saved.")
        return services.campaign_create(acting_user=self.request.user, **data)


class CampaignUpdateView(FormPage):
    model = Campaign
    action = "change"
    form_class = CampaignForm
    template_name = "campaigns/campaign_form.html"

    def get_object(self, pk):
        return get_object_or_404(
            Campaign.objects.restrict(self.request.user, "change").select_related("unit"), pk=pk
        )

    def initial(self, obj):
        return CampaignForm.initial_for(obj)

    def save(self, obj, data):
        self.success_message = _("The campaign is saved.")
        return services.campaign_update(acting_user=self.request.user, campaign=obj, **data)


class EventListView(ScopedListView):
    model = RecurringEvent
    template_name = "campaigns/event_list.html"

    def get_template_names(self):
        return [self.template_name]

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        year = timezone.localdate().year
        ctx["years"] = [year, year + 1, year + 2, year + 3]
        ctx["rows"] = [(event, [event.dates_in(y) for y in ctx["years"]]) for event in ctx["object_list"]]
        return ctx


class EventCreateView(FormPage):
    model = RecurringEvent
    action = "add"
    form_class = EventCreateForm
    template_name = "campaigns/event_form.html"

    def form_kwargs(self):
        return {}

    def save(self, obj, data):
        services.event_create(acting_user=self.request.user, **data)
        self.success_message = _("The event is saved.")
        return reverse("campaigns:event_list")


class EventUpdateView(FormPage):
    model = RecurringEvent
    action = "change"
    form_class = EventForm
    template_name = "campaigns/event_form.html"

    def get_object(self, pk):
        return get_object_or_404(RecurringEvent.objects.restrict(self.request.user, "change"), pk=pk)

    def form_kwargs(self):
        return {}

    def initial(self, obj):
        return EventForm.initial_for(obj)

    def save(self, obj, data):
        services.event_update(acting_user=self.request.user, event=obj, **data)
        self.success_message = _("The event is saved.")
        return reverse("campaigns:event_list")

"""Forms of the campaign pages. They collect input; the services decide what is allowed."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from treem.accounts.models import Agency
from treem.campaigns.models import CalendarKind, Campaign, Channel, RecurringEvent
from treem.core.forms import DATE_ATTRS
from treem.geo.models import Unit, UnitLevel

DATE_WIDGET = DATE_ATTRS
CHECK = {"class": "form-check-input"}
UNIT_CHOICES_LIMIT = 600


class UnitChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return obj.label


class AgencyChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return obj.name


class CampaignForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=255)
    agency = AgencyChoiceField(label=_("Agency"), queryset=Agency.objects.none())
    unit = UnitChoiceField(label=_("Unit"), queryset=Unit.objects.none())
    event = forms.ModelChoiceField(
        label=_("Peak date"),
        queryset=RecurringEvent.objects.none(),
        required=False,
        help_text=_("The yearly event the campaign is part of, if any."),
    )
    starts_on = forms.DateField(label=_("First day"), widget=forms.DateInput(attrs=DATE_WIDGET))
    ends_on = forms.DateField(label=_("Last day"), widget=forms.DateInput(attrs=DATE_WIDGET))
    channels = forms.MultipleChoiceField(
        label=_("Channels"), choices=Channel.choices, widget=forms.CheckboxSelectMultiple(attrs=CHECK)
    )
    reach_people = forms.IntegerField(label=_("People reached"), initial=0)
    reach_children = forms.IntegerField(label=_("Of whom children"), initial=0)
    materials = forms.CharField(
        label=_("Materials"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("For example: 500 leaflets, 20 posters, a radio spot."),
    )
    budget_used = forms.IntegerField(label=_("Budget used (VND)"), initial=0)
    notes = forms.CharField(label=_("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        units = (
            Unit.objects.restrict(user, "view")
            .current()
            .filter(level__in=[UnitLevel.PROVINCE, UnitLevel.COMMUNE, UnitLevel.VILLAGE])
            .order_by("path")
        )
        if units.count() > UNIT_CHOICES_LIMIT:
            units = units.exclude(level=UnitLevel.VILLAGE)
        self.fields["unit"].queryset = units
        self.fields["agency"].queryset = (
            Agency.objects.restrict(user, "view").current().order_by("name", "id")
        )
        self.fields["event"].queryset = RecurringEvent.objects.restrict(user, "view").filter(active=True)

    @staticmethod
    def initial_for(campaign: Campaign) -> dict:
        skip = ("unit", "agency", "event")
        data = {name: getattr(campaign, name) for name in CampaignForm.base_fields if name not in skip}
        return data | {"unit": campaign.unit_id, "agency": campaign.agency_id, "event": campaign.event_id}


class EventForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200)
    calendar = forms.ChoiceField(label=_("Calendar"), choices=CalendarKind.choices)
    month = forms.IntegerField(label=_("Month"))
    day = forms.IntegerField(label=_("Day"))
    duration_days = forms.IntegerField(label=_("Lasts (days)"), initial=1)
    note = forms.CharField(label=_("Note"), max_length=255, required=False)
    order = forms.IntegerField(label=_("Order on the list"), initial=100, min_value=0, max_value=32767)
    active = forms.BooleanField(label=_("Shown on the calendar"), required=False, initial=True)

    @staticmethod
    def initial_for(event: RecurringEvent) -> dict:
        return {name: getattr(event, name) for name in EventForm.base_fields}


class EventCreateForm(EventForm):
    code = forms.SlugField(
        label=_("Code"), max_length=40, help_text=_("A short name for the system: letters, digits, hyphens.")
    )

    field_order = ["code", "name"]

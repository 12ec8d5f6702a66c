"""Forms of the register. They collect input; the services decide what is allowed."""

from __future__ import annotations

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from treem.accounts.models import Agency
from treem.complaints.choices import ComplaintKind, SenderKind
from treem.complaints.models import Complaint
from treem.core.forms import DATE_ATTRS
from treem.geo.models import Unit, UnitLevel

DATE_WIDGET = {
    **DATE_ATTRS,
    "class": "form-control",
}
TEXT = {"class": "form-control"}
SELECT = {"class": "form-select"}
UNIT_CHOICES_LIMIT = 400


class UnitChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return obj.label


def complaint_units_for(user):
    """Provinces and communes in force that the user may register an entry for."""
    units = (
        Unit.objects.restrict(user, "view")
        .current()
        .filter(level__in=[UnitLevel.PROVINCE, UnitLevel.COMMUNE])
    )
    if units.count() > UNIT_CHOICES_LIMIT:
        units = units.filter(level=UnitLevel.PROVINCE)
    return units.order_by("path")


class ComplaintForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("Kind"), choices=ComplaintKind.choices, widget=forms.Select(attrs=SELECT)
    )
    unit = UnitChoiceField(
        label=_("Unit receiving it"), queryset=Unit.objects.none(), widget=forms.Select(attrs=SELECT)
    )
    received_on = forms.DateField(label=_("Received on"), widget=forms.DateInput(attrs=DATE_WIDGET))
    sender_kind = forms.ChoiceField(
        label=_("Sent by"), choices=SenderKind.choices, widget=forms.Select(attrs=SELECT)
    )
    sender_name = forms.CharField(
        label=_("Sender's name"),
        required=False,
        max_length=200,
        widget=forms.TextInput(attrs=TEXT),
        help_text=_("Optional; kept encrypted."),
    )
    sender_contact = forms.CharField(
        label=_("Sender's address or phone"),
        required=False,
        max_length=300,
        widget=forms.TextInput(attrs=TEXT),
    )
    subject = forms.CharField(
        label=_("Subject"),
        required=False,
        max_length=255,
        widget=forms.TextInput(attrs=TEXT),
        help_text=_("A short subject, shown in lists: no names, no details."),
    )
    details = forms.CharField(
        label=_("Details"), required=False, widget=forms.Textarea(attrs={"rows": 4, "class": "form-control"})
    )
    agency = forms.ModelChoiceField(
        label=_("Agency assigned"),
        required=False,
        queryset=Agency.objects.none(),
        widget=forms.Select(attrs=SELECT),
    )
    complex_matter = forms.BooleanField(
        label=_("Complex matter (longer legal deadline)"),
        required=False,
        widget=forms.CheckboxInput(attrs={"class": "form-check-input"}),
    )

    def __init__(self, *args, user, complaint: Complaint | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = complaint_units_for(user)
        self.fields["agency"].queryset = Agency.objects.restrict(user, "view").current().order_by("name")
        if complaint is not None:
            # The unit stays (a reorganisation moves it); everything else can be corrected.
            del self.fields["unit"]

    @classmethod
    def initial_for(cls, complaint: Complaint) -> dict:
        return {
            "kind": complaint.kind,
            "received_on": complaint.received_on,
            "sender_kind": complaint.sender_kind,
            "sender_name": complaint.sender_name,
            "sender_contact": complaint.sender_contact,
            "subject": complaint.subject,
            "details": complaint.details,
            "agency": complaint.agency_id,
            "complex_matter": complaint.complex_matter,
        }


class AnswerForm(forms.Form):
    prefix = "answer"

    answer = forms.CharField(
        label=_("Answer given"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3, "class": "form-control"}),
    )
    answered_on = forms.DateField(
        label=_("Answered on"), initial=timezone.localdate, widget=forms.DateInput(attrs=DATE_WIDGET)
    )


class CloseForm(forms.Form):
    prefix = "close"

    closed_on = forms.DateField(
        label=_("Closed on"), initial=timezone.localdate, widget=forms.DateInput(attrs=DATE_WIDGET)
    )

"""The form of the consolidated report page: which plan, year and period, and who issues it."""

from __future__ import annotations

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from treem.reporting import document, selectors

PERIOD_CHOICES = [
    ("year", _("The whole year")),
    ("S1", _("First six months")),
    ("S2", _("Last six months")),
    ("Q1", _("Quarter 1")),
    ("Q2", _("Quarter 2")),
    ("Q3", _("Quarter 3")),
    ("Q4", _("Quarter 4")),
    ("preliminary", _("Preliminary review (sơ kết)")),
    ("final", _("Final review (tổng kết)")),
]


class ReportForm(forms.Form):
    plan = forms.ModelChoiceField(
        label=_("Plan"), queryset=None, empty_label=None, widget=forms.Select(attrs={"class": "form-select"})
    )
    year = forms.IntegerField(
        label=_("Year"),
        min_value=2000,
        max_value=2100,
        widget=forms.NumberInput(attrs={"class": "form-control"}),
    )
    period = forms.ChoiceField(
        label=_("Period"), choices=PERIOD_CHOICES, widget=forms.Select(attrs={"class": "form-select"})
    )
    issuer = forms.ChoiceField(
        label=_("Issued by"),
        choices=[
            (document.COMMITTEE, _("The People's Committee of the plan's unit")),
            (document.DEPARTMENT, _("My agency (the lead department)")),
        ],
        initial=document.COMMITTEE,
        widget=forms.RadioSelect(attrs={"class": "form-check-input"}),
    )
    number = forms.CharField(
        label=_("Number"),
        required=False,
        max_length=20,
        help_text=_("Leave empty for the clerk to number the signed report."),
        widget=forms.TextInput(attrs={"class": "form-control"}),
    )
    signer = forms.CharField(
        label=_("Signed by"),
        required=False,
        max_length=100,
        widget=forms.TextInput(attrs={"class": "form-control"}),
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["plan"].queryset = selectors.reportable_plans(user)
        self.fields["year"].initial = timezone.localdate().year


def _text_field(label, help_text):
    return forms.CharField(
        label=label,
        required=False,
        help_text=help_text,
        widget=forms.Textarea(attrs={"class": "form-control", "rows": 6}),
    )


class PeriodChoiceForm(forms.Form):
    """Which plan, year and period: the part the report's form and the texts' form share."""

    plan = forms.ModelChoiceField(
        label=_("Plan"), queryset=None, empty_label=None, widget=forms.Select(attrs={"class": "form-select"})
    )
    year = forms.IntegerField(
        label=_("Year"),
        min_value=2000,
        max_value=2100,
        widget=forms.NumberInput(attrs={"class": "form-control"}),
    )
    period = forms.ChoiceField(
        label=_("Period"), choices=PERIOD_CHOICES, widget=forms.Select(attrs={"class": "form-select"})
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["plan"].queryset = selectors.reportable_plans(user)
        self.fields["year"].initial = timezone.localdate().year


class ReportTextsForm(PeriodChoiceForm):
    """The coordinator's texts of a period's consolidated report, written before generating it."""

    assessment = _text_field(_("General assessment"), _("What went well and what did not, in the period."))
    difficulties = _text_field(
        _("Difficulties and obstacles"), _("Printed before the difficulties the agencies reported.")
    )
    proposals = _text_field(
        _("Proposals and recommendations"), _("Printed before the proposals the agencies made.")
    )
    next_steps = _text_field(_("Directions and tasks for the next period"), "")

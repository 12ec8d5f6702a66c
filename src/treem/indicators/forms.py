"""Forms of the indicator pages; the rules live in services.py."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from treem.children.forms import UnitChoiceField
from treem.geo.models import Unit, UnitLevel
from treem.indicators.choices import Programme
from treem.indicators.models import Indicator

UNDER_CHOICES = (("period", _("under the units of the period")), ("today", _("under today's units")))
SELECT = {"class": "form-select"}
INPUT = {"class": "form-control"}


def units_for(user, levels=(UnitLevel.PROVINCE, UnitLevel.DISTRICT, UnitLevel.COMMUNE)):
    """Units the user may see, of the levels figures and targets are kept for (ended ones too)."""
    return Unit.objects.restrict(user, "view").filter(level__in=levels).order_by("path")


class SelectionForm(forms.Form):
    """Which unit, year and reading a dashboard shows (a GET form)."""

    unit = UnitChoiceField(label=_("Unit"), queryset=Unit.objects.none(), widget=forms.Select(attrs=SELECT))
    year = forms.IntegerField(
        label=_("Year"), min_value=2000, max_value=2100, widget=forms.NumberInput(attrs=INPUT)
    )
    under = forms.ChoiceField(label=_("Count"), choices=UNDER_CHOICES, widget=forms.Select(attrs=SELECT))
    programme = forms.ChoiceField(
        label=_("Programme"),
        choices=(("", _("All")), *Programme.choices),
        required=False,
        widget=forms.Select(attrs=SELECT),
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = units_for(user)

    @classmethod
    def read(cls, request):
        """The form bound to the query string, with the user's first unit and this year by default."""
        user = request.user
        units = units_for(user)
        default_unit = (
            units.filter(pk__in=user.unit_assignments.values("unit")).first() or units.current().first()
        )
        data = {
            "unit": request.GET.get("unit") or (default_unit.pk if default_unit else ""),
            "year": request.GET.get("year") or timezone.localdate().year,
            "under": request.GET.get("under") or "period",
            "programme": request.GET.get("programme", ""),
        }
        return cls(data, user=user)


class TargetForm(forms.Form):
    indicator = forms.ModelChoiceField(
        label=_("Indicator"),
        queryset=Indicator.objects.filter(is_active=True),
        widget=forms.Select(attrs=SELECT),
    )
    unit = UnitChoiceField(label=_("Unit"), queryset=Unit.objects.none(), widget=forms.Select(attrs=SELECT))
    year = forms.IntegerField(
        label=_("Year"), min_value=2000, max_value=2100, widget=forms.NumberInput(attrs=INPUT)
    )
    target = forms.CharField(label=_("Target"), max_length=30, widget=forms.TextInput(attrs=INPUT))
    baseline = forms.CharField(
        label=_("Baseline"), max_length=30, required=False, widget=forms.TextInput(attrs=INPUT)
    )
    baseline_year = forms.IntegerField(
        label=_("Baseline year"),
        min_value=2000,
        max_value=2100,
        required=False,
        widget=forms.NumberInput(attrs=INPUT),
    )
    note = forms.CharField(
        label=_("Note"), max_length=255, required=False, widget=forms.TextInput(attrs=INPUT)
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = units_for(user, (UnitLevel.PROVINCE, UnitLevel.COMMUNE))


class EntryStartForm(forms.Form):
    unit = UnitChoiceField(
        label=_("Commune"), queryset=Unit.objects.none(), widget=forms.Select(attrs=SELECT)
    )
    period = forms.CharField(
        label=_("Period"),
        max_length=8,
        help_text=_("2025 (year), 2025S1 (half-year) or 2025Q3 (quarter)."),
        widget=forms.TextInput(attrs=INPUT),
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = units_for(user, (UnitLevel.COMMUNE,))


class ImportForm(forms.Form):
    file = forms.FileField(
        label=_("Excel file (.xlsx)"),
        help_text=_("Columns: indicator, unit, period, numerator, denominator, comment (codes, not names)."),
        widget=forms.ClearableFileInput(attrs={"class": "form-control", "accept": ".xlsx"}),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        limit = settings.TREEM_MAX_IMPORT_BYTES
        if upload.size > limit:
            raise forms.ValidationError(
                _("The file is larger than %(limit)s MB.") % {"limit": limit // (1024 * 1024)}
            )
        return upload


class UnlockForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason for unlocking"), max_length=500, widget=forms.TextInput(attrs=INPUT)
    )

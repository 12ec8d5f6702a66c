from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from treem.geo.models import Unit, UnitLevel
from treem.geo.services import VILLAGE_KINDS


class VillageForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200)
    kind = forms.ChoiceField(label=_("Kind"), choices=[(k, k) for k in VILLAGE_KINDS])
    code = forms.CharField(label=_("Code (optional)"), max_length=10, required=False)


class PlacementForm(forms.Form):
    new_unit = forms.ModelChoiceField(label=_("New unit"), queryset=Unit.objects.none(), empty_label=None)

    def __init__(self, *args, candidates=None, **kwargs):
        super().__init__(*args, **kwargs)
        if candidates is not None:
            self.fields["new_unit"].queryset = candidates


class UnitStatisticsForm(forms.Form):
    """Which units to count under: those in force on a past day, or today's."""

    under = forms.ChoiceField(
        label=_("Count under"),
        choices=[("today", _("today's units")), ("period", _("the units in force on the day"))],
        initial="today",
    )
    day = forms.DateField(
        label=_("Day"), required=False, widget=forms.DateInput(attrs={"placeholder": "dd/mm/yyyy"})
    )
    level = forms.ChoiceField(
        label=_("Level"),
        choices=[(v, lbl) for v, lbl in UnitLevel.choices if v != UnitLevel.VILLAGE],
        initial=UnitLevel.COMMUNE,
    )

    def clean(self):
        data = super().clean()
        if data.get("under") == "period" and not data.get("day"):
            self.add_error("day", _("Choose the day whose units you want."))
        return data


class UnitImportForm(forms.Form):
    file = forms.FileField(
        label=_("File"),
        help_text=_(
            "The General Statistics Office list (JSON): three levels, or the 2025 list with its merges."
        ),
    )
    effective = forms.DateField(
        label=_("Reorganisation date"),
        required=False,
        widget=forms.DateInput(attrs={"placeholder": "dd/mm/yyyy"}),
        help_text=_("Leave empty for 01/07/2025."),
    )
    dry_run = forms.BooleanField(label=_("Check only (write nothing)"), required=False, initial=True)

    def clean_file(self):
        upload = self.cleaned_data["file"]
        limit = settings.TREEM_MAX_IMPORT_BYTES
        if upload.size > limit:
            raise forms.ValidationError(
                _("The file is larger than %(limit)s MB.") % {"limit": limit // (1024 * 1024)}
            )
        return upload

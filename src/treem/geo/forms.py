from django import forms
from django.utils.translation import gettext_lazy as _

from treem.geo.models import Unit
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

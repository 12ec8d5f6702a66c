from django import forms
from django.conf import settings
from django.core.validators import MaxValueValidator
from django.utils.translation import gettext_lazy as _

from treem.accounts.models import Agency, AgencyKind
from treem.accounts.roles import ROLES, TWO_FACTOR_ROLES
from treem.geo.models import Unit


class UnitChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj):
        return obj.label


class UserForm(forms.Form):
    username = forms.RegexField(
        label=_("User name"),
        max_length=150,
        regex=r"^[\w.@+-]+$",
        error_messages={"invalid": _("Use letters, digits and . @ + - _ only.")},
    )
    full_name = forms.CharField(label=_("Full name"), max_length=150)
    email = forms.EmailField(label=_("E-mail"), required=False)
    phone = forms.CharField(label=_("Phone"), max_length=20, required=False)
    password = forms.CharField(label=_("Password"), widget=forms.PasswordInput, required=False)
    roles = forms.MultipleChoiceField(
        label=_("Roles"),
        choices=[(r.slug, r.label) for r in ROLES if not r.machine],  # machine roles: API clients' only
        widget=forms.CheckboxSelectMultiple,
    )
    units = UnitChoiceField(label=_("Units"), queryset=Unit.objects.none(), required=False)
    agency = forms.ModelChoiceField(label=_("Agency"), queryset=Agency.objects.none(), required=False)
    is_active = forms.BooleanField(label=_("Active"), required=False, initial=True)

    def __init__(self, *args, user, editing=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["units"].queryset = (
            Unit.objects.restrict(user, "view").current().exclude(level="village").order_by("level", "name")
        )
        self.fields["agency"].queryset = Agency.objects.restrict(user, "view").current()
        if editing:
            self.fields["username"].disabled = True
            del self.fields["password"]
        else:
            self.fields["password"].required = True
            del self.fields["is_active"]


class AgencyForm(forms.ModelForm):
    class Meta:
        model = Agency
        fields = ["name", "short_name", "kind", "unit", "valid_from", "valid_to", "email", "phone"]
        widgets = {
            "valid_from": forms.DateInput(attrs={"placeholder": "dd/mm/yyyy"}),
            "valid_to": forms.DateInput(attrs={"placeholder": "dd/mm/yyyy"}),
        }

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = Unit.objects.restrict(user, "view").current().exclude(level="village")
        self.fields["kind"].choices = AgencyKind.choices


class AgencySuccessionForm(forms.Form):
    successors = forms.ModelMultipleChoiceField(label=_("Successor agencies"), queryset=Agency.objects.none())
    effective = forms.DateField(
        label=_("Effective from"), widget=forms.DateInput(attrs={"placeholder": "dd/mm/yyyy"})
    )
    note = forms.CharField(label=_("Note"), max_length=255, required=False)

    def __init__(self, *args, user, agency, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["successors"].queryset = Agency.objects.restrict(user, "view").exclude(pk=agency.pk)


class OneTimeCodeForm(forms.Form):
    """The 6-digit code of an authenticator app (checked by the service, which counts failures)."""

    token = forms.CharField(
        label=_("Code from your authenticator app"),
        max_length=12,
        widget=forms.TextInput(
            attrs={
                "autocomplete": "one-time-code",
                "inputmode": "numeric",
                "autofocus": True,
                "class": "form-control",
                "placeholder": "123456",
            }
        ),
    )


class ApiClientForm(forms.Form):
    name = forms.CharField(
        label=_("Name"), max_length=100, help_text=_("The system or script that will call the API.")
    )
    description = forms.CharField(
        label=_("Description"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )
    roles = forms.MultipleChoiceField(
        label=_("Roles"),
        choices=[(r.slug, r.label) for r in ROLES if r.slug not in TWO_FACTOR_ROLES and not r.sees_all_units],
        widget=forms.CheckboxSelectMultiple,
    )
    units = UnitChoiceField(label=_("Units"), queryset=Unit.objects.none(), required=False)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["units"].queryset = (
            Unit.objects.restrict(user, "view").current().exclude(level="village").order_by("level", "name")
        )


class ApiTokenForm(forms.Form):
    days = forms.IntegerField(label=_("Valid for (days)"), min_value=1, initial=90)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["days"].max_value = settings.TREEM_API_TOKEN_MAX_DAYS
        self.fields["days"].validators.append(MaxValueValidator(settings.TREEM_API_TOKEN_MAX_DAYS))

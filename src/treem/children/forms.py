"""Forms of the child registry pages. They collect input; the services decide what is allowed."""

from __future__ import annotations

from django import forms
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from treem.accounts.models import Agency
from treem.children.choices import (
    CaregiverRelationship,
    ConsentPurpose,
    DisabilityLevel,
    LegalBasis,
    SchoolingStatus,
    Sex,
)
from treem.children.models import Child, CircumstanceGroup, Ethnicity, Household
from treem.core.forms import DATE_ATTRS
from treem.geo.models import Unit, UnitLevel

DATE_WIDGET = DATE_ATTRS


def date_field(label, *, required: bool = True) -> forms.DateField:
    return forms.DateField(label=label, required=required, widget=forms.DateInput(attrs=DATE_WIDGET))


class UnitChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return obj.label


class FieldGroup:
    """Some fields of a form, rendered by ``_form.html`` (which iterates a form)."""

    def __init__(self, form: forms.Form, names: tuple[str, ...], *, with_form_errors: bool = False):
        self.form, self.names, self.with_form_errors = form, names, with_form_errors

    def __iter__(self):
        return (self.form[name] for name in self.names if name in self.form.fields)

    def non_field_errors(self):
        return self.form.non_field_errors() if self.with_form_errors else []


def communes_for(user):
    """Communes in force today in which ``user`` may register children."""
    return Unit.objects.restrict(user, "view").current().filter(level=UnitLevel.COMMUNE).order_by("name")


class ChildForm(forms.Form):
    """Register a child (with ``commune``) or change one (``child`` given: the commune stays)."""

    PLACE_FIELDS = ("commune", "village", "household")
    PERSON_FIELDS = (
        "full_name",
        "sex",
        "birth_date",
        "birth_year",
        "personal_id",
        "ethnicity",
        "nationality",
        "birth_registered",
        "birth_registration_place",
    )
    LIFE_FIELDS = (
        "school",
        "grade",
        "schooling_status",
        "health_insurance",
        "disability_type",
        "disability_level",
        "notes",
    )

    commune = UnitChoiceField(label=_("Commune of residence"), queryset=Unit.objects.none())
    village = forms.ModelChoiceField(label=_("Village"), queryset=Unit.objects.none(), required=False)
    household = forms.ModelChoiceField(
        label=_("Household"), queryset=Household.objects.none(), required=False
    )
    full_name = forms.CharField(label=_("Full name"), max_length=150)
    sex = forms.ChoiceField(label=_("Sex"), choices=Sex.choices)
    birth_date = date_field(_("Date of birth"), required=False)
    birth_year = forms.IntegerField(
        label=_("Year of birth"),
        required=False,
        min_value=1900,
        max_value=2200,
        help_text=_("Only where the date of birth is unknown (an estimate)."),
    )
    personal_id = forms.CharField(
        label=_("Personal identification number"),
        max_length=20,
        required=False,
        help_text=_("12 digits (số định danh cá nhân), if the child has one."),
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )
    ethnicity = forms.ModelChoiceField(
        label=_("Ethnic group"), queryset=Ethnicity.objects.all(), required=False
    )
    nationality = forms.CharField(label=_("Nationality (country code)"), max_length=2, initial="VN")
    birth_registered = forms.NullBooleanField(label=_("Birth registered"), required=False)
    birth_registration_place = forms.CharField(
        label=_("Place of birth registration"), max_length=255, required=False
    )
    school = forms.CharField(label=_("School"), max_length=200, required=False)
    grade = forms.CharField(label=_("Grade"), max_length=20, required=False)
    schooling_status = forms.ChoiceField(
        label=_("Schooling"), choices=SchoolingStatus.choices, initial=SchoolingStatus.UNKNOWN
    )
    health_insurance = forms.NullBooleanField(label=_("Health insurance card"), required=False)
    disability_type = forms.CharField(label=_("Type of disability"), max_length=100, required=False)
    disability_level = forms.ChoiceField(
        label=_("Level of disability"), choices=DisabilityLevel.choices, required=False
    )
    notes = forms.CharField(label=_("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, user, child: Child | None = None, commune: Unit | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.user, self.child = user, child
        if child is not None:
            del self.fields["commune"]
            self.commune = child.commune
        else:
            communes = communes_for(user)
            field = self.fields["commune"]
            field.queryset = communes
            # Choosing another commune reloads the village and household choices (htmx).
            field.widget.attrs.update(
                {
                    "hx-get": reverse("children:child_add"),
                    "hx-target": "#child-place",
                    "hx-select": "#child-place",
                    "hx-swap": "outerHTML",
                }
            )
            self.commune = self._chosen_commune(communes, commune)
            if self.commune is not None:
                self.initial.setdefault("commune", self.commune.pk)
        self.fields["village"].queryset = (
            Unit.objects.restrict(user, "view").current().filter(level=UnitLevel.VILLAGE, parent=self.commune)
            if self.commune
            else Unit.objects.none()
        )
        self.fields["household"].queryset = (
            Household.objects.restrict(user, "view").filter(commune=self.commune)
            if self.commune
            else Household.objects.none()
        )

    def _chosen_commune(self, communes, commune: Unit | None) -> Unit | None:
        """The commune the place choices depend on: the one posted, given, or the user's only one."""
        if self.is_bound:
            value = self.data.get(self.add_prefix("commune"))
            try:
                return communes.filter(pk=int(value)).first() if value else None
            except (TypeError, ValueError):
                return None
        if commune is not None and communes.filter(pk=commune.pk).exists():
            return commune
        only = list(communes[:2])
        return only[0] if len(only) == 1 else None

    def groups(self) -> list[tuple[str, FieldGroup]]:
        return [
            (_("Where the child lives"), FieldGroup(self, self.PLACE_FIELDS, with_form_errors=True)),
            (_("The child"), FieldGroup(self, self.PERSON_FIELDS)),
            (_("School, health and notes"), FieldGroup(self, self.LIFE_FIELDS)),
        ]

    def service_fields(self) -> dict:
        """The cleaned values, as keyword arguments of ``child_register`` / ``child_update``."""
        data = {name: value for name, value in self.cleaned_data.items() if name != "commune"}
        for name in (
            "personal_id",
            "birth_registration_place",
            "school",
            "grade",
            "disability_type",
            "notes",
        ):
            data[name] = (data.get(name) or "").strip()
        data["disability_level"] = data.get("disability_level") or ""
        data["nationality"] = (data.get("nationality") or "").strip().upper()
        return data

    @classmethod
    def initial_for(cls, child: Child) -> dict:
        names = (*cls.PLACE_FIELDS, *cls.PERSON_FIELDS, *cls.LIFE_FIELDS)
        initial = {name: getattr(child, name) for name in names if name != "commune"}
        initial.update(village=child.village_id, household=child.household_id, ethnicity=child.ethnicity_id)
        if child.birth_date:
            initial["birth_year"] = None
        return initial


class DeactivateForm(forms.Form):
    reason = forms.CharField(
        label=_("Why does the child leave the registry?"),
        max_length=255,
        help_text=_("For example: moved out of the province, died, now an adult."),
    )


class CaregiverForm(forms.Form):
    relationship = forms.ChoiceField(label=_("Relationship"), choices=CaregiverRelationship.choices)
    full_name = forms.CharField(label=_("Full name"), max_length=150)
    birth_year = forms.IntegerField(label=_("Year of birth"), required=False, min_value=1900, max_value=2200)
    phone = forms.CharField(label=_("Phone"), max_length=20, required=False)
    occupation = forms.CharField(label=_("Occupation"), max_length=100, required=False)
    lives_with_child = forms.BooleanField(label=_("Lives with the child"), required=False, initial=True)


class CircumstanceEnterForm(forms.Form):
    group = forms.ModelChoiceField(label=_("Group"), queryset=CircumstanceGroup.objects.none())
    entered_on = date_field(_("Since"))
    reason = forms.CharField(label=_("Reason"), max_length=255, required=False)
    source = forms.CharField(
        label=_("Source"),
        max_length=100,
        required=False,
        help_text=_("Who reported it or which document shows it."),
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        today = timezone.localdate()
        self.fields["group"].queryset = (
            CircumstanceGroup.objects.restrict(user, "view")
            .exclude(valid_to__lt=today)
            .exclude(valid_from__gt=today)
        )


class CircumstanceLeaveForm(forms.Form):
    left_on = date_field(_("Left on"))
    left_reason = forms.CharField(label=_("Reason for leaving"), max_length=255, required=False)


class SupportForm(forms.Form):
    kind = forms.CharField(
        label=_("Kind of support"),
        max_length=100,
        help_text=_("For example: monthly social allowance, school fees, health insurance card, gifts."),
    )
    given_on = date_field(_("Given on"))
    description = forms.CharField(label=_("Description"), max_length=255, required=False)
    agency = forms.ModelChoiceField(label=_("Agency"), queryset=Agency.objects.none(), required=False)
    amount_vnd = forms.IntegerField(label=_("Amount (VND)"), required=False, min_value=0)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["agency"].queryset = Agency.objects.restrict(user, "view").current()


class ConsentForm(forms.Form):
    purpose = forms.ChoiceField(label=_("Purpose"), choices=ConsentPurpose.choices)
    legal_basis = forms.ChoiceField(
        label=_("Legal basis"), choices=LegalBasis.choices, initial=LegalBasis.CONSENT
    )
    given_by = forms.CharField(label=_("Given by (parent or guardian)"), max_length=150, required=False)
    given_by_relationship = forms.ChoiceField(
        label=_("Relationship to the child"),
        choices=[("", "---------"), *CaregiverRelationship.choices],
        required=False,
    )
    child_agreed = forms.NullBooleanField(label=_("The child agreed (aged 7 or older)"), required=False)
    given_on = date_field(_("Date"))
    note = forms.CharField(label=_("Note"), max_length=255, required=False)


class ConsentWithdrawForm(forms.Form):
    withdrawn_on = date_field(_("Withdrawn on"))

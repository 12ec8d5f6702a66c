"""Forms of the workforce pages. They collect input; the services decide what is allowed."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from treem.accounts.models import Agency
from treem.core.forms import DATE_ATTRS
from treem.geo.models import Unit, UnitLevel
from treem.workforce.models import (
    Employment,
    ParticipantKind,
    StaffingNorm,
    StaffMember,
    StaffPosition,
    TrainingCourse,
)

DATE_WIDGET = DATE_ATTRS
UNIT_CHOICES_LIMIT = 600


class UnitChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return obj.label


class AgencyChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return obj.name


def units_for(user, levels) -> object:
    units = Unit.objects.restrict(user, "view").current().filter(level__in=levels).order_by("path")
    return units if units.count() <= UNIT_CHOICES_LIMIT else units.filter(level=UnitLevel.COMMUNE)


def agencies_for(user):
    return Agency.objects.restrict(user, "view").current().order_by("name", "id")


class StaffForm(forms.Form):
    full_name = forms.CharField(label=_("Full name"), max_length=150)
    phone = forms.CharField(label=_("Phone"), max_length=20, required=False)
    position = forms.ChoiceField(label=_("Position"), choices=StaffPosition.choices)
    title = forms.CharField(
        label=_("Title or function"),
        max_length=150,
        required=False,
        help_text=_("For example: Vice-chairman, Women's Union, school principal."),
    )
    unit = UnitChoiceField(
        label=_("Commune or village"),
        queryset=Unit.objects.none(),
        help_text=_("Officers and inter-agency members: the commune. Collaborators: their village."),
    )
    agency = AgencyChoiceField(label=_("Agency"), queryset=Agency.objects.none(), required=False)
    employment = forms.ChoiceField(label=_("Working time"), choices=Employment.choices)
    since = forms.DateField(label=_("Since"), widget=forms.DateInput(attrs=DATE_WIDGET))
    until = forms.DateField(
        label=_("Until"),
        required=False,
        widget=forms.DateInput(attrs=DATE_WIDGET),
        help_text=_("Leave empty while the person still works in this position."),
    )
    notes = forms.CharField(label=_("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = units_for(user, [UnitLevel.COMMUNE, UnitLevel.VILLAGE])
        self.fields["agency"].queryset = agencies_for(user)

    @staticmethod
    def initial_for(staff: StaffMember) -> dict:
        return {
            name: getattr(staff, name) for name in StaffForm.base_fields if name not in ("unit", "agency")
        } | {
            "unit": staff.unit_id,
            "agency": staff.agency_id,
        }


class NormForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200)
    legal_basis = forms.CharField(label=_("Legal basis"), max_length=200, required=False)
    minimum = forms.IntegerField(label=_("Minimum number"), min_value=0, max_value=50)
    active = forms.BooleanField(label=_("In force"), required=False)

    @staticmethod
    def initial_for(norm: StaffingNorm) -> dict:
        return {name: getattr(norm, name) for name in NormForm.base_fields}


class CourseForm(forms.Form):
    topic = forms.CharField(label=_("Topic"), max_length=255)
    organiser = AgencyChoiceField(label=_("Organiser"), queryset=Agency.objects.none())
    unit = UnitChoiceField(label=_("Unit"), queryset=Unit.objects.none())
    starts_on = forms.DateField(label=_("First day"), widget=forms.DateInput(attrs=DATE_WIDGET))
    ends_on = forms.DateField(label=_("Last day"), widget=forms.DateInput(attrs=DATE_WIDGET))
    place = forms.CharField(label=_("Place"), max_length=255, required=False)
    evaluation_score = forms.TypedChoiceField(
        label=_("Evaluation score"),
        choices=[("", "—"), *[(str(n), str(n)) for n in range(1, 6)]],
        coerce=int,
        empty_value=None,
        required=False,
        help_text=_("From 1 (poor) to 5 (very good)."),
    )
    evaluation = forms.CharField(
        label=_("Evaluation"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = units_for(
            user, [UnitLevel.PROVINCE, UnitLevel.COMMUNE, UnitLevel.VILLAGE]
        )
        self.fields["organiser"].queryset = agencies_for(user)

    @staticmethod
    def initial_for(course: TrainingCourse) -> dict:
        data = {
            name: getattr(course, name)
            for name in CourseForm.base_fields
            if name not in ("unit", "organiser")
        }
        return data | {"unit": course.unit_id, "organiser": course.organiser_id}


class StaffChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.full_name} — {obj.get_position_display()}, {obj.unit.name}"


class ParticipantForm(forms.Form):
    """Add a staff member, or a person by name and kind (a parent, a child, a guest)."""

    staff = StaffChoiceField(label=_("Staff member"), queryset=StaffMember.objects.none(), required=False)
    full_name = forms.CharField(label=_("Or a name"), max_length=150, required=False)
    kind = forms.ChoiceField(
        label=_("Kind of participant"),
        choices=[("", "—"), *ParticipantKind.choices],
        required=False,
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["staff"].queryset = (
            StaffMember.objects.restrict(user, "view").active().select_related("unit")
        )

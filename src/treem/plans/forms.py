"""Forms of the plan pages. They collect input; the services decide what is allowed."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from treem.accounts.models import Agency
from treem.geo.models import Unit, UnitLevel
from treem.plans.models import (
    STORED_TASK_STATUSES,
    InspectionKind,
    InspectionStatus,
    PeriodKind,
    Plan,
    PlanAgency,
)

DATE_WIDGET = {"placeholder": "dd/mm/yyyy", "inputmode": "numeric", "autocomplete": "off"}
TEXT = {"rows": 3}


def agencies_for(user):
    return Agency.objects.restrict(user, "view").current().select_related("unit").order_by("name")


class PlanLoadForm(forms.Form):
    """Load a plan from a YAML or JSON file, or the plan bundled with treem."""

    bundled = forms.BooleanField(
        label=_("Load the province's plan bundled with treem (Kế hoạch 7947/KH-UBND)"),
        required=False,
        initial=True,
    )
    file = forms.FileField(
        label=_("Or a plan file (YAML or JSON)"),
        required=False,
        help_text=_("In the layout of the bundled file: plans/data/ke-hoach-7947-kh-ubnd.yaml."),
    )

    def clean_file(self):
        from treem.plans.loader import MAX_FILE_BYTES

        upload = self.cleaned_data.get("file")
        if upload and upload.size > MAX_FILE_BYTES:  # refused before it is read into memory
            raise forms.ValidationError(_("The plan file is too large (at most 2 MB)."))
        return upload

    def clean(self):
        data = super().clean()
        if not data.get("bundled") and not data.get("file"):
            raise forms.ValidationError(_("Choose the bundled plan or a file."))
        return data


class TaskStatusForm(forms.Form):
    status = forms.ChoiceField(label=_("Status"), choices=STORED_TASK_STATUSES)
    note = forms.CharField(label=_("Note"), required=False, max_length=300)


class PeriodForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=PeriodKind.choices)
    year = forms.IntegerField(label=_("Year"), min_value=2000, max_value=2100)
    number = forms.IntegerField(label=_("Number in the year"), min_value=1, max_value=4, initial=1)
    starts_on = forms.DateField(label=_("First day"), widget=forms.DateInput(attrs=DATE_WIDGET))
    ends_on = forms.DateField(label=_("Last day"), widget=forms.DateInput(attrs=DATE_WIDGET))
    opens_on = forms.DateField(label=_("Reports open on"), widget=forms.DateInput(attrs=DATE_WIDGET))
    due_on = forms.DateField(label=_("Reports due on"), widget=forms.DateInput(attrs=DATE_WIDGET))


class ReportForm(forms.Form):
    activities = forms.CharField(label=_("What was done"), required=False, widget=forms.Textarea(attrs=TEXT))
    results = forms.CharField(label=_("Results"), required=False, widget=forms.Textarea(attrs=TEXT))
    figures = forms.CharField(
        label=_("Figures"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Numbers that show the results (people reached, events, children helped)."),
    )
    difficulties = forms.CharField(label=_("Difficulties"), required=False, widget=forms.Textarea(attrs=TEXT))
    proposals = forms.CharField(label=_("Proposals"), required=False, widget=forms.Textarea(attrs=TEXT))


class DecideForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("Decision"), choices=[("accept", _("Accept")), ("return", _("Return for changes"))]
    )
    comment = forms.CharField(label=_("Comments"), required=False, widget=forms.Textarea(attrs=TEXT))


class AgencyChooseForm(forms.Form):
    """The coordinator binds a name of the plan that waits to an agency of the register."""

    named = forms.ModelChoiceField(
        label=_("Name in the plan"), queryset=PlanAgency.objects.none(), widget=forms.HiddenInput
    )
    agency = forms.ModelChoiceField(
        label=_("Agency"), queryset=Agency.objects.none(), required=False, empty_label=_("— choose —")
    )

    def __init__(self, *args, user=None, plan=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["named"].queryset = PlanAgency.objects.restrict(user, "change").filter(plan=plan)
        self.fields["agency"].queryset = agencies_for(user)


class PassTasksForm(forms.Form):
    predecessor = forms.ModelChoiceField(label=_("Former agency"), queryset=Agency.objects.none())
    successor = forms.ModelChoiceField(label=_("Successor agency"), queryset=Agency.objects.none())

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["predecessor"].queryset = Agency.objects.restrict(user, "view")
        self.fields["successor"].queryset = Agency.objects.restrict(user, "view")


class InspectionForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=InspectionKind.choices)
    title = forms.CharField(label=_("Title"), max_length=300)
    unit = forms.ModelChoiceField(label=_("Organising unit"), queryset=Unit.objects.none())
    plan = forms.ModelChoiceField(label=_("Plan"), queryset=Plan.objects.none(), required=False)
    inspecting_agency = forms.ModelChoiceField(
        label=_("Inspecting agency"), queryset=Agency.objects.none(), required=False
    )
    inspected_agency = forms.ModelChoiceField(
        label=_("Inspected agency"), queryset=Agency.objects.none(), required=False
    )
    inspected_unit = forms.ModelChoiceField(
        label=_("Inspected commune"), queryset=Unit.objects.none(), required=False
    )
    starts_on = forms.DateField(label=_("From"), widget=forms.DateInput(attrs=DATE_WIDGET))
    ends_on = forms.DateField(label=_("To"), required=False, widget=forms.DateInput(attrs=DATE_WIDGET))

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        units = Unit.objects.restrict(user, "view").current()
        self.fields["unit"].queryset = units.filter(level__in=[UnitLevel.PROVINCE, UnitLevel.COMMUNE])
        self.fields["inspected_unit"].queryset = units.filter(level=UnitLevel.COMMUNE)
        self.fields["plan"].queryset = Plan.objects.restrict(user, "change")
        for name in ("inspecting_agency", "inspected_agency"):
            self.fields[name].queryset = agencies_for(user)


class FindingsForm(forms.Form):
    status = forms.ChoiceField(label=_("Status"), choices=InspectionStatus.choices)
    findings = forms.CharField(label=_("Findings"), required=False, widget=forms.Textarea(attrs=TEXT))
    ends_on = forms.DateField(label=_("To"), required=False, widget=forms.DateInput(attrs=DATE_WIDGET))


class RecommendationForm(forms.Form):
    text = forms.CharField(label=_("Recommendation"), widget=forms.Textarea(attrs=TEXT))
    owner = forms.ModelChoiceField(
        label=_("Responsible agency"), queryset=Agency.objects.none(), required=False
    )
    deadline = forms.DateField(label=_("Deadline"), required=False, widget=forms.DateInput(attrs=DATE_WIDGET))

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = agencies_for(user)


class FollowUpForm(forms.Form):
    follow_up = forms.CharField(label=_("Follow-up"), widget=forms.Textarea(attrs={"rows": 2}))
    close = forms.BooleanField(label=_("Carried out: close the recommendation"), required=False)

"""Forms of the funding pages. They read what was typed; the services decide what is allowed."""

from __future__ import annotations

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from treem.accounts.models import Agency
from treem.children.models import Child
from treem.core.forms import DATE_ATTRS
from treem.funding import money
from treem.funding.choices import (
    CURRENCIES,
    DonationKind,
    DonorKind,
    EntryKind,
    Purpose,
    SettlementStatus,
    Source,
    SponsorshipStatus,
)
from treem.funding.models import MANAGE_BUDGET_PERMISSION, Donor, PriorityArea, Programme
from treem.geo.models import Unit, UnitLevel

DATE_WIDGET = DATE_ATTRS
AMOUNT_WIDGET = {"inputmode": "numeric", "autocomplete": "off", "placeholder": "1.500.000"}
CHECK = {"class": "form-check-input"}
CHILD_CHOICES_LIMIT = 1500


def date_field(label, *, required: bool = True) -> forms.DateField:
    return forms.DateField(label=label, required=required, widget=forms.DateInput(attrs=DATE_WIDGET))


class UnitChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return obj.label


class UnitMultipleChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj):
        return obj.label


def units_for(user, levels=(UnitLevel.PROVINCE, UnitLevel.COMMUNE)):
    """Provinces and communes in force today within the user's units."""
    return Unit.objects.restrict(user, "view").current().filter(level__in=levels).order_by("path")


class VndField(forms.CharField):
    """A whole number of dong as people type it ("1.500.000", "1 500 000", "1500000")."""

    default_error_messages = {"invalid": _("Enter a whole number of dong, e.g. 1.500.000.")}

    def __init__(self, **kwargs):
        kwargs.setdefault("widget", forms.TextInput(attrs=AMOUNT_WIDGET))
        super().__init__(**kwargs)

    def to_python(self, value):
        value = super().to_python(value)
        try:
            return money.parse_vnd(value)
        except ValueError as exc:
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid") from exc


class MoneyFormMixin(forms.Form):
    """Currency, amount and exchange rate; the amount is read as dong or as a foreign amount."""

    currency = forms.ChoiceField(label=_("Currency"), choices=CURRENCIES, initial="VND")
    amount = forms.CharField(
        label=_("Amount"),
        widget=forms.TextInput(attrs=AMOUNT_WIDGET),
        help_text=_("In dong: a whole number (1.500.000). In another currency: e.g. 1250,50."),
    )
    exchange_rate = forms.CharField(
        label=_("Exchange rate (dong per unit)"),
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}),
        help_text=_("Required for any currency other than dong, e.g. 25400."),
    )

    def clean(self):
        data = super().clean()
        currency = data.get("currency") or money.VND
        raw = data.get("amount")
        if raw not in (None, ""):
            try:
                data["amount"] = money.parse_vnd(raw) if currency == money.VND else money.parse_decimal(raw)
            except ValueError:
                self.add_error(
                    "amount",
                    _("Enter a whole number of dong, e.g. 1.500.000.")
                    if currency == money.VND
                    else _("Enter the amount as digits without thousands separators, e.g. 1250,50."),
                )
        try:
            data["exchange_rate"] = money.parse_decimal(data.get("exchange_rate"))
        except ValueError:
            self.add_error(
                "exchange_rate", _("Enter the rate as digits without thousands separators, e.g. 25400.")
            )
        return data


# --- priority areas ---------------------------------------------------------------------------


class PriorityAreaForm(forms.Form):
    unit = UnitChoiceField(label=_("Commune"), queryset=Unit.objects.none())
    reason = forms.CharField(label=_("Reason"), max_length=255, required=False)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        flagged = PriorityArea.objects.values("unit_id")
        self.fields["unit"].queryset = units_for(user, (UnitLevel.COMMUNE,)).exclude(pk__in=flagged)


# --- budget -----------------------------------------------------------------------------------


class BudgetLineForm(forms.Form):
    agency = forms.ModelChoiceField(label=_("Agency"), queryset=Agency.objects.none())
    unit = UnitChoiceField(
        label=_("Unit where it is spent"),
        queryset=Unit.objects.none(),
        required=False,
        help_text=_("Leave empty for the agency's own unit."),
    )
    programme = forms.ModelChoiceField(
        label=_("Programme"),
        queryset=Programme.objects.all(),
        required=False,
        empty_label=_("Not tied to a programme"),
    )
    year = forms.IntegerField(label=_("Year"), min_value=2000, max_value=2100)
    source = forms.ChoiceField(label=_("Source"), choices=Source.choices)
    title = forms.CharField(label=_("Title"), max_length=255)
    planned_vnd = VndField(label=_("Planned amount (VND)"), required=False)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        agencies = Agency.objects.restrict(user, "view").current()
        if not user.has_perm(MANAGE_BUDGET_PERMISSION):
            agencies = agencies.filter(pk=user.agency_id)
        self.fields["agency"].queryset = agencies.order_by("name")
        self.fields["unit"].queryset = units_for(user)
        if not self.is_bound and "year" not in self.initial:
            self.initial["year"] = timezone.localdate().year

    def clean_planned_vnd(self):
        value = self.cleaned_data.get("planned_vnd")
        return 0 if value is None else value


class BudgetEntryForm(MoneyFormMixin):
    kind = forms.ChoiceField(label=_("Kind"), choices=EntryKind.choices)
    document_number = forms.CharField(label=_("Document number"), max_length=100)
    document_date = date_field(_("Document date"))
    description = forms.CharField(label=_("Description"), max_length=500, required=False)
    decision_number = forms.CharField(
        label=_("Decision number"),
        max_length=100,
        required=False,
        help_text=_("Only for spending above the allocation: the decision that allows it."),
    )
    decision_date = date_field(_("Decision date"), required=False)
    decision_reason = forms.CharField(
        label=_("Reason of the decision"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    field_order = [
        "kind",
        "currency",
        "amount",
        "exchange_rate",
        "document_number",
        "document_date",
        "description",
    ]


class SettlementForm(forms.Form):
    status = forms.ChoiceField(label=_("Settlement"), choices=SettlementStatus.choices)
    settlement_number = forms.CharField(label=_("Settlement document number"), max_length=100, required=False)
    settlement_date = date_field(_("Settlement document date"), required=False)


# --- donors and donations ---------------------------------------------------------------------


class DonorForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=DonorKind.choices)
    name = forms.CharField(label=_("Name"), max_length=255)
    anonymous = forms.BooleanField(
        label=_("Does not want to be named publicly"),
        required=False,
        widget=forms.CheckboxInput(attrs=CHECK),
        help_text=_("Public reports show “Anonymous donor” instead of the name."),
    )
    unit = UnitChoiceField(label=_("Unit keeping the record"), queryset=Unit.objects.none())
    contact = forms.CharField(label=_("Contact"), max_length=255, required=False)
    notes = forms.CharField(label=_("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = units_for(user)


class DonationForm(MoneyFormMixin):
    donor = forms.ModelChoiceField(label=_("Donor"), queryset=Donor.objects.none())
    unit = UnitChoiceField(label=_("Receiving unit"), queryset=Unit.objects.none())
    received_on = date_field(_("Received on"))
    kind = forms.ChoiceField(label=_("Cash or in kind"), choices=DonationKind.choices)
    description = forms.CharField(
        label=_("Description"), max_length=500, required=False, help_text=_("For goods: what was given.")
    )
    purpose = forms.ChoiceField(label=_("Intended use"), choices=Purpose.choices)
    document_number = forms.CharField(label=_("Receipt number"), max_length=100, required=False)

    field_order = [
        "donor",
        "unit",
        "received_on",
        "kind",
        "description",
        "currency",
        "amount",
        "exchange_rate",
    ]

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["donor"].queryset = Donor.objects.restrict(user, "view").order_by("name")
        self.fields["unit"].queryset = units_for(user)
        self.fields["amount"].help_text = _(
            "For goods, their estimated value. In dong: a whole number (1.500.000)."
        )


class DonationUseForm(forms.Form):
    used_on = date_field(_("Used on"))
    amount_vnd = VndField(label=_("Amount (VND)"))
    description = forms.CharField(label=_("What it was used for"), max_length=500)


# --- sponsorships -----------------------------------------------------------------------------


class ChildChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.full_name} ({obj.birth_year}, {obj.commune.name})"


class SponsorshipForm(forms.Form):
    sponsor = forms.ModelChoiceField(label=_("Sponsor"), queryset=Donor.objects.none())
    child = ChildChoiceField(label=_("Child"), queryset=Child.objects.none())
    starts_on = date_field(_("Starts on"))
    ends_on = date_field(_("Ends on"), required=False)
    monthly_amount_vnd = VndField(label=_("Monthly amount (VND)"), required=False)
    commitment = forms.CharField(
        label=_("Commitment"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("What the sponsor undertakes (money, schooling, visits…)."),
    )
    purpose = forms.ChoiceField(label=_("Purpose"), choices=Purpose.choices, initial=Purpose.SPONSORSHIP)

    def __init__(self, *args, user, editing: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["sponsor"].queryset = Donor.objects.restrict(user, "view").order_by("name")
        if editing:
            del self.fields["child"]
            self.fields["status"] = forms.ChoiceField(label=_("Status"), choices=SponsorshipStatus.choices)
        else:
            children = Child.objects.restrict(user, "view").filter(is_active=True)
            if children.count() > CHILD_CHOICES_LIMIT:
                # A province's whole registry is too long for a list: keep the children in
                # special circumstances, whom the plan's sponsorships are for.
                children = children.filter(
                    circumstances__isnull=False, circumstances__left_on__isnull=True
                ).distinct()
                self.fields["child"].help_text = _(
                    "Children now in a special-circumstance group; a commune officer sees all of "
                    "the commune's children."
                )
            self.fields["child"].queryset = children.select_related("commune").order_by("full_name", "id")


class PaymentForm(forms.Form):
    paid_on = date_field(_("Paid on"))
    amount_vnd = VndField(label=_("Amount (VND)"))
    kind = forms.ChoiceField(label=_("Cash or in kind"), choices=DonationKind.choices)
    description = forms.CharField(label=_("Description"), max_length=500, required=False)


class VisitForm(forms.Form):
    visited_on = date_field(_("Visited on"))
    visitor = forms.CharField(label=_("Visitor"), max_length=255)
    notes = forms.CharField(label=_("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 2}))


# --- international projects -------------------------------------------------------------------


class ProjectForm(MoneyFormMixin):
    title = forms.CharField(label=_("Title"), max_length=255)
    partner = forms.CharField(label=_("Partner organisation"), max_length=255)
    unit = UnitChoiceField(label=_("Managing unit"), queryset=Unit.objects.none())
    agency = forms.ModelChoiceField(
        label=_("Managing agency"), queryset=Agency.objects.none(), required=False
    )
    starts_on = date_field(_("Starts on"))
    ends_on = date_field(_("Ends on"))
    target_units = UnitMultipleChoiceField(
        label=_("Target units"), queryset=Unit.objects.none(), required=False
    )
    linked_tasks = forms.CharField(
        label=_("Linked plan tasks"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    linked_indicators = forms.CharField(
        label=_("Linked indicators"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    field_order = [
        "title",
        "partner",
        "unit",
        "agency",
        "starts_on",
        "ends_on",
        "currency",
        "amount",
        "exchange_rate",
    ]

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = units_for(user)
        self.fields["agency"].queryset = Agency.objects.restrict(user, "view").current().order_by("name")
        self.fields["target_units"].queryset = units_for(user)


class ProjectReportForm(forms.Form):
    title = forms.CharField(label=_("Report"), max_length=255)
    due_on = date_field(_("Due on"))


class ReportSubmitForm(forms.Form):
    submitted_on = date_field(_("Submitted on"))


# --- transparency -----------------------------------------------------------------------------


class PublishForm(forms.Form):
    unit = UnitChoiceField(label=_("Province or commune"), queryset=Unit.objects.none())
    year = forms.IntegerField(label=_("Year"), min_value=2000, max_value=2100)
    quarter = forms.TypedChoiceField(
        label=_("Quarter"),
        choices=[("", _("Whole year")), (1, "I"), (2, "II"), (3, "III"), (4, "IV")],
        coerce=int,
        empty_value=None,
        required=False,
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = units_for(user)

"""Forms of the case pages. They collect input; the services decide what is allowed."""

from __future__ import annotations

from django import forms
from django.contrib.auth.models import Permission
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from treem.accounts.models import Agency, User
from treem.cases.choices import (
    AssessmentKind,
    Channel,
    ChildSex,
    HarmSetting,
    ProtectionLevel,
    ReferralService,
    RiskLevel,
)
from treem.cases.models import CaseTransition, HarmKind, RiskFactor
from treem.core.forms import DATE_ATTRS
from treem.geo.models import Unit, UnitLevel

DATETIME_WIDGET = {"placeholder": "dd/mm/yyyy hh:mm", "autocomplete": "off"}
DATE_WIDGET = DATE_ATTRS
UNIT_CHOICES_LIMIT = 500


def text_area(rows: int = 3) -> forms.Textarea:
    return forms.Textarea(attrs={"rows": rows})


class UnitChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return obj.label


def report_units_for(user):
    """Provinces and communes in force in which ``user`` may record a report."""
    units = (
        Unit.objects.restrict(user, "view")
        .current()
        .filter(level__in=[UnitLevel.PROVINCE, UnitLevel.COMMUNE])
    )
    return units.order_by("path")


def communes_for(user):
    return Unit.objects.restrict(user, "view").current().filter(level=UnitLevel.COMMUNE).order_by("name")


def users_for(commune: Unit, perm: str):
    """Active users whose units cover ``commune`` and who hold ``perm`` (for assignment choices).

    Who holds the permission is asked of the database in the same query (as Django's model
    backend answers ``has_perm``: a superuser, a role or the user's own permission), not user by
    user."""
    ancestors = [int(pk) for pk in commune.path.strip("/").split("/") if pk]
    app_label, codename = perm.split(".", 1)
    permission = Permission.objects.filter(content_type__app_label=app_label, codename=codename)
    holders = User.objects.filter(
        Q(is_superuser=True) | Q(groups__permissions__in=permission) | Q(user_permissions__in=permission)
    )
    covering = User.objects.filter(Q(unit_assignments__unit_id__in=ancestors) | Q(sees_all_units=True))
    return User.objects.filter(
        is_active=True, pk__in=holders.values("pk"), id__in=covering.values("pk")
    ).order_by("full_name", "username")


class ReportIntakeForm(forms.Form):
    """The hotline's short form: what a call-taker fills in while on the phone."""

    channel = forms.ChoiceField(label=_("Channel"), choices=Channel.choices)
    unit = UnitChoiceField(
        label=_("Where (commune, or the province if not known)"), queryset=Unit.objects.none()
    )
    summary = forms.CharField(label=_("What is it about, in a few words"), max_length=200)
    child_name = forms.CharField(label=_("Child's name"), max_length=150, required=False)
    child_sex = forms.ChoiceField(
        label=_("Sex"), choices=ChildSex.choices, initial=ChildSex.UNKNOWN, widget=forms.RadioSelect
    )
    child_age = forms.IntegerField(label=_("Age (estimate)"), min_value=0, max_value=30, required=False)
    child_description = forms.CharField(
        label=_("Or describe the child"),
        max_length=255,
        required=False,
        help_text=_("When the name is not known: who the child is, where to find them."),
    )
    narrative = forms.CharField(label=_("What happened"), required=False, widget=text_area(4))
    reporter_anonymous = forms.BooleanField(label=_("The caller stays anonymous"), required=False)
    reporter_name = forms.CharField(label=_("Caller's name"), max_length=150, required=False)
    reporter_contact = forms.CharField(label=_("Caller's phone or address"), max_length=255, required=False)
    received_at = forms.DateTimeField(
        label=_("Received at"),
        required=False,
        widget=forms.DateTimeInput(attrs=DATETIME_WIDGET),
        help_text=_("Empty: now."),
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        units = report_units_for(user)
        self.fields["unit"].queryset = units
        if len(choices := list(units[:2])) == 1:  # one unit: nothing to choose on the phone
            self.fields["unit"].initial = choices[0].pk
        if "hotline_officer" in user.role_names:
            self.fields["channel"].initial = Channel.HOTLINE_PROVINCE


class ReportDetailsForm(forms.Form):
    """The rest of Mẫu 01, filled in after the call."""

    place = forms.CharField(label=_("Place of the incident"), max_length=255, required=False)
    narrative = forms.CharField(label=_("What happened"), required=False, widget=text_area(5))
    child_condition = forms.CharField(
        label=_("Child's current condition"), required=False, widget=text_area()
    )
    family_details = forms.CharField(
        label=_("Father, mother, current carer, family situation"), required=False, widget=text_area()
    )
    abuser_details = forms.CharField(label=_("Suspected abuser"), required=False, widget=text_area())
    actions_taken = forms.CharField(label=_("Actions already taken"), required=False, widget=text_area())
    child_birth_year = forms.IntegerField(label=_("Child's year of birth"), min_value=1900, required=False)

    FIELDS = (
        "place",
        "narrative",
        "child_condition",
        "family_details",
        "abuser_details",
        "actions_taken",
        "child_birth_year",
    )


class LinkChildForm(forms.Form):
    child = forms.IntegerField(widget=forms.HiddenInput)


class CreateChildForm(forms.Form):
    commune = UnitChoiceField(label=_("Commune of residence"), queryset=Unit.objects.none())
    full_name = forms.CharField(label=_("Full name"), max_length=150, required=False)
    birth_year = forms.IntegerField(label=_("Year of birth"), min_value=1900, max_value=2200, required=False)
    sex = forms.ChoiceField(label=_("Sex"), choices=ChildSex.choices)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["commune"].queryset = communes_for(user)


class CaseOpenForm(forms.Form):
    commune = UnitChoiceField(
        label=_("Commune handling the case"),
        queryset=Unit.objects.none(),
        required=False,
        help_text=_("Empty: the child's commune."),
    )
    supervisor = forms.ModelChoiceField(label=_("Supervisor"), queryset=User.objects.none(), required=False)
    protection_level = forms.ChoiceField(
        label=_("Protection level"), choices=ProtectionLevel.choices, initial=ProtectionLevel.SUPPORT
    )
    harm_kinds = forms.ModelMultipleChoiceField(
        label=_("Kinds of harm"),
        queryset=HarmKind.objects.all(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    emergency = forms.BooleanField(
        label=_("Emergency (life, health or dignity at serious risk)"), required=False
    )
    setting = forms.ChoiceField(
        label=_("Where the harm happened"),
        choices=[("", _("Not known yet")), *HarmSetting.choices],
        required=False,
    )

    def __init__(self, *args, user, commune: Unit | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["commune"].queryset = communes_for(user)
        if commune is not None:
            self.fields["supervisor"].queryset = users_for(commune, "cases.approve_case")
        else:
            self.fields["supervisor"].queryset = User.objects.filter(is_active=True)


class VerifyForm(forms.Form):
    note = forms.CharField(label=_("Note (what was checked)"), required=False, widget=text_area())


class AssessmentForm(forms.Form):
    kind = forms.ChoiceField(label=_("Assessment"), choices=AssessmentKind.choices)
    assessed_at = forms.DateTimeField(
        label=_("Assessed at"),
        required=False,
        widget=forms.DateTimeInput(attrs=DATETIME_WIDGET),
        help_text=_("Empty: now."),
    )
    findings = forms.CharField(label=_("Findings"), widget=text_area(4), required=False)
    medical_findings = forms.CharField(label=_("Medical findings"), widget=text_area(), required=False)
    emergency_measures = forms.CharField(
        label=_("Emergency measures taken"), widget=text_area(), required=False
    )
    meeting_minutes = forms.CharField(
        label=_("Case meeting minutes (specific assessment)"), widget=text_area(), required=False
    )
    protection_level = forms.ChoiceField(
        label=_("Protection level"), choices=[("", "—"), *ProtectionLevel.choices], required=False
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.factor_fields = []
        for factor in RiskFactor.objects.all():
            name = f"risk_{factor.code}"
            self.fields[name] = forms.ChoiceField(
                label=factor.name, choices=[("", "—"), *RiskLevel.choices], required=False
            )
            self.factor_fields.append((name, factor.code))

    def service_fields(self) -> dict:
        data = self.cleaned_data
        fields = {
            k: data[k]
            for k in (
                "kind",
                "assessed_at",
                "findings",
                "medical_findings",
                "emergency_measures",
                "meeting_minutes",
            )
        }
        fields["ratings"] = {code: data[name] for name, code in self.factor_fields if data.get(name)}
        fields["protection_level"] = data.get("protection_level") or None
        return fields


class PlanForm(forms.Form):
    goals = forms.CharField(label=_("Goals"), widget=text_area(3), required=False)
    actions = forms.CharField(
        label=_("Services, referrals and who does what"), widget=text_area(5), required=False
    )
    review_on = forms.DateField(
        label=_("Review on"), widget=forms.DateInput(attrs=DATE_WIDGET), required=False
    )


class EmptyForm(forms.Form):
    """For actions that take no input (submitting the plan)."""


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("Decision"),
        choices=[("approve", _("Approve")), ("reject", _("Return with comments"))],
        widget=forms.RadioSelect,
    )
    comments = forms.CharField(label=_("Comments"), required=False, widget=text_area())


class AdvanceForm(forms.Form):
    target = forms.ModelChoiceField(label=_("Move the case to"), queryset=CaseTransition.objects.none())

    def __init__(self, *args, case, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["target"].queryset = CaseTransition.objects.filter(source=case.step, how="advance")
        self.fields["target"].label_from_instance = lambda t: t.target.name


class CloseRequestForm(forms.Form):
    note = forms.CharField(label=_("Why the case can be closed"), widget=text_area(), required=False)


class AssignForm(forms.Form):
    workers = forms.ModelMultipleChoiceField(
        label=_("Assigned workers"), queryset=User.objects.none(), widget=forms.CheckboxSelectMultiple
    )
    supervisor = forms.ModelChoiceField(label=_("Supervisor"), queryset=User.objects.none(), required=False)

    def __init__(self, *args, case, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["workers"].queryset = users_for(case.commune, "cases.change_case")
        self.fields["supervisor"].queryset = users_for(case.commune, "cases.approve_case")


class ShareForm(forms.Form):
    user = forms.ModelChoiceField(label=_("Share with"), queryset=User.objects.none())
    reason = forms.CharField(label=_("Why they need to see it"), max_length=500, required=False)

    def __init__(self, *args, case, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["user"].queryset = users_for(case.commune, "cases.view_case")


class NoteForm(forms.Form):
    text = forms.CharField(label=_("Note"), widget=text_area(3), required=False)


class BreakGlassForm(forms.Form):
    reason = forms.CharField(
        label=_("Why do you need to open this case?"),
        widget=text_area(3),
        required=False,
        help_text=_("Your name, the time and this reason are recorded and shown to the case's supervisor."),
    )


def now_local():
    return timezone.localtime()


# --- referrals, transfers, attachments --------------------------------------------------------


class AgencyChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.name} ({obj.unit.name})"


class ReferralForm(forms.Form):
    service = forms.ChoiceField(label=_("Service"), choices=[("", "—"), *ReferralService.choices])
    agency = AgencyChoiceField(label=_("Agency"), queryset=Agency.objects.none(), required=False)
    agency_name = forms.CharField(
        label=_("Or the agency's name and address (not in the list)"), max_length=255, required=False
    )
    request = forms.CharField(label=_("What is asked of the service"), required=False, widget=text_area(3))

    def __init__(self, *args, case, **kwargs):
        from treem.cases.selectors import referral_agencies

        super().__init__(*args, **kwargs)
        self.fields["agency"].queryset = referral_agencies(case.commune)


class ReferralAnswerForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("The agency's answer"),
        choices=[
            ("accepted", _("Accepted")),
            ("rejected", _("Rejected")),
            ("done", _("Service done")),
        ],
        widget=forms.RadioSelect,
    )
    text = forms.CharField(
        label=_("Reason for a rejection, or the outcome"), required=False, widget=text_area(2)
    )


class TransferRequestForm(forms.Form):
    """The commune the child moved to: a province, then its communes (loaded by htmx)."""

    province = UnitChoiceField(label=_("Province or city"), queryset=Unit.objects.none(), required=False)
    to_commune = UnitChoiceField(
        label=_("Commune where the child lives now"),
        queryset=Unit.objects.filter(level=UnitLevel.COMMUNE),
    )
    reason = forms.CharField(label=_("Why the case moves"), required=False, widget=text_area(2))

    def __init__(self, *args, communes_url: str = "", **kwargs):
        from treem.cases.selectors import public_communes, public_provinces

        super().__init__(*args, **kwargs)
        self.fields["province"].queryset = public_provinces()
        province_field = self.fields["province"]
        province_field.widget.attrs.update(
            {
                "hx-get": communes_url,
                "hx-target": f"#id_{self.add_prefix('to_commune')}",
                "hx-trigger": "change",
                "data-testid": "transfer-province",
            }
        )
        province = None
        if self.is_bound:
            try:
                province = Unit.objects.filter(
                    pk=int(self.data.get(self.add_prefix("province")) or 0)
                ).first()
            except ValueError:
                province = None
        # Any commune is a valid value (the service names the successor of one that ended); the
        # list offers today's communes of the chosen province.
        self.fields["to_commune"].widget.choices = [("", "—")] + [
            (u.pk, u.label) for u in public_communes(province)
        ]


class TransferDecisionForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("Decision"),
        choices=[("accept", _("Accept the case")), ("refuse", _("Refuse, with the reason"))],
        widget=forms.RadioSelect,
    )
    workers = forms.ModelMultipleChoiceField(
        label=_("Assigned workers"),
        queryset=User.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Empty: you."),
    )
    supervisor = forms.ModelChoiceField(label=_("Supervisor"), queryset=User.objects.none(), required=False)
    reason = forms.CharField(label=_("Reason for refusing"), required=False, widget=text_area(2))

    def __init__(self, *args, commune: Unit, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["workers"].queryset = users_for(commune, "cases.change_case")
        self.fields["supervisor"].queryset = users_for(commune, "cases.approve_case")


class AttachmentForm(forms.Form):
    file = forms.FileField(
        label=_("File"),
        required=False,
        help_text=_("PDF, JPEG, PNG, Word (.docx), Excel (.xlsx) or text (.txt), at most %(mb)s MB."),
    )
    description = forms.CharField(label=_("What it is"), max_length=500, required=False)

    def __init__(self, *args, **kwargs):
        from treem.cases.attachments import max_bytes

        super().__init__(*args, **kwargs)
        self.fields["file"].help_text = self.fields["file"].help_text % {"mb": max_bytes() // (1024 * 1024)}

    def clean_file(self):
        from treem.core.uploads import check_upload

        upload = self.cleaned_data.get("file")
        if upload is not None:
            check_upload(upload, name=upload.name)  # a .docx / .xlsx measured before it is opened
        return upload


# --- the public web form ----------------------------------------------------------------------

PUBLIC_SIGNING_SALT = "treem.cases.public_report"


class PublicReportForm(forms.Form):
    """The public form: no sign-in, anonymous unless the reporter leaves a contact."""

    province = UnitChoiceField(label=_("Province or city"), queryset=Unit.objects.none())
    commune = UnitChoiceField(
        label=_("Commune or ward, if you know it"), queryset=Unit.objects.none(), required=False
    )
    summary = forms.CharField(
        label=_("What is happening to the child, in a few words"), max_length=200, required=False
    )
    narrative = forms.CharField(
        label=_("Tell us more: what happened, when, who is involved"),
        max_length=4000,
        required=False,
        widget=text_area(5),
    )
    place = forms.CharField(label=_("Where (address, village, school…)"), max_length=255, required=False)
    child_name = forms.CharField(label=_("Child's name, if you know it"), max_length=150, required=False)
    child_age = forms.IntegerField(
        label=_("Child's age (estimate)"), min_value=0, max_value=17, required=False
    )
    child_sex = forms.ChoiceField(
        label=_("Sex"), choices=ChildSex.choices, initial=ChildSex.UNKNOWN, widget=forms.RadioSelect
    )
    child_description = forms.CharField(
        label=_("Or describe the child (so that they can be found)"), max_length=255, required=False
    )
    reporter_name = forms.CharField(label=_("Your name (optional)"), max_length=150, required=False)
    reporter_contact = forms.CharField(
        label=_("Your phone or e-mail (optional)"),
        max_length=255,
        required=False,
        help_text=_("Leave your name and contact empty to stay anonymous."),
    )
    # Bots fill every field: a person never sees this one.
    leave_empty = forms.CharField(label=_("Leave this field empty"), required=False)
    started = forms.CharField(widget=forms.HiddenInput, required=False)

    # Checked by the service (so that the typed text comes back with the message), marked for people.
    required_for_people = ("province", "summary")

    def __init__(self, *args, communes_url: str = "", **kwargs):
        from treem.cases.selectors import public_communes, public_provinces

        super().__init__(*args, **kwargs)
        for name in ("summary", "narrative", "place", "child_name", "child_description", "reporter_name"):
            self.fields[name].widget.attrs["autocomplete"] = "off"
        self.fields["child_age"].widget.attrs["inputmode"] = "numeric"
        self.fields["leave_empty"].widget.attrs.update({"autocomplete": "off", "tabindex": "-1"})
        self.fields["province"].queryset = public_provinces()
        self.fields["province"].widget.attrs.update(
            {"hx-get": communes_url, "hx-target": "#id_commune", "hx-trigger": "change"}
        )
        province = None
        if self.is_bound:
            try:
                province = public_provinces().filter(pk=int(self.data.get("province") or 0)).first()
            except ValueError:
                province = None
        self.fields["commune"].queryset = public_communes(province)
        self.fields["commune"].empty_label = str(_("— not known —"))
        if not self.is_bound or not self.data.get("started"):
            self.initial["started"] = self.stamp()

    @staticmethod
    def stamp() -> str:
        from django.core import signing

        return signing.dumps(timezone.now().timestamp(), salt=PUBLIC_SIGNING_SALT)

    def visible_fields_for_people(self):
        return [f for f in self.visible_fields() if f.name != "leave_empty"]

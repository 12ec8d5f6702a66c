"""Forms of the survey pages. They collect input; the services decide what is allowed."""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from treem.core.forms import DATE_ATTRS
from treem.geo.models import Unit, UnitLevel
from treem.surveys.choices import QuestionKind, SubjectKind
from treem.surveys.exporters import EXACT, PUBLICATION
from treem.surveys.models import Question, Survey, SurveyResponse, show_number
from treem.surveys.services import AMBIGUOUS_NUMBER_RE, LOCKED_WHEN_OPEN

DATE_WIDGET = DATE_ATTRS
CHECK = {"class": "form-check-input"}
# A unit list longer than this keeps the provinces only (a system administrator sees all).
UNIT_CHOICES_LIMIT = 400


class UnitChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return obj.label


def survey_units_for(user):
    """Provinces and communes in force today that the user may define a survey for."""
    units = (
        Unit.objects.restrict(user, "view")
        .current()
        .filter(level__in=[UnitLevel.PROVINCE, UnitLevel.COMMUNE])
    )
    if units.count() > UNIT_CHOICES_LIMIT:
        units = units.filter(level=UnitLevel.PROVINCE)
    return units.order_by("path")


class SurveyForm(forms.Form):
    """Define a survey, or change one (``survey`` given: once open, some fields are fixed)."""

    title = forms.CharField(label=_("Title"), max_length=200)
    description = forms.CharField(
        label=_("Description"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("What the survey is for and how to answer it; shown to the officers who answer."),
    )
    subject_kind = forms.ChoiceField(
        label=_("Each response is about"), choices=SubjectKind.choices, widget=forms.RadioSelect(attrs=CHECK)
    )
    unit = UnitChoiceField(
        label=_("Unit covered"),
        queryset=Unit.objects.none(),
        help_text=_("A province: all its communes answer. A commune: that commune only."),
    )
    starts_on = forms.DateField(label=_("First day of answers"), widget=forms.DateInput(attrs=DATE_WIDGET))
    ends_on = forms.DateField(label=_("Last day of answers"), widget=forms.DateInput(attrs=DATE_WIDGET))

    def __init__(self, *args, user, survey: Survey | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = survey_units_for(user)
        if survey is not None and not survey.is_draft:
            for name in LOCKED_WHEN_OPEN:
                self.fields[name].disabled = True
                if name == "unit":
                    # The unit may lie outside today's list (a unit since ended): keep it shown.
                    self.fields[name].queryset = Unit.objects.filter(pk=survey.unit_id)

    @classmethod
    def initial_for(cls, survey: Survey) -> dict:
        return {
            "title": survey.title,
            "description": survey.description,
            "subject_kind": survey.subject_kind,
            "unit": survey.unit_id,
            "starts_on": survey.starts_on,
            "ends_on": survey.ends_on,
        }


class QuestionForm(forms.Form):
    text = forms.CharField(label=_("Question"), max_length=500, widget=forms.Textarea(attrs={"rows": 2}))
    help_text = forms.CharField(
        label=_("Hint"), max_length=255, required=False, help_text=_("Shown under the question, optional.")
    )
    kind = forms.ChoiceField(label=_("Type of answer"), choices=QuestionKind.choices)
    required = forms.BooleanField(
        label=_("An answer is required"),
        required=False,
        initial=True,
        widget=forms.CheckboxInput(attrs={"class": "form-check-input"}),
    )
    choices = forms.CharField(
        label=_("Choices"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("For choice questions: one choice per line, in the order to show them."),
    )
    min_value = forms.DecimalField(
        label=_("Smallest number allowed"),
        required=False,
        localize=True,
        help_text=_("For numbers, optional."),
    )
    max_value = forms.DecimalField(
        label=_("Largest number allowed"),
        required=False,
        localize=True,
        help_text=_("For numbers, optional."),
    )
    position = forms.IntegerField(
        label=_("Place in the survey"),
        required=False,
        min_value=1,
        help_text=_("1 for the first question; empty to keep it (or, for a new question, to add it last)."),
    )

    def service_fields(self) -> dict:
        data = dict(self.cleaned_data)
        data["choices"] = (data.get("choices") or "").splitlines()
        return data

    @classmethod
    def initial_for(cls, question: Question) -> dict:
        return {
            "text": question.text,
            "help_text": question.help_text,
            "kind": question.kind,
            "required": question.required,
            "choices": "\n".join(question.choices.values_list("label", flat=True)),
            "min_value": question.min_value,
            "max_value": question.max_value,
            "position": question.position,
        }


def _input_number(value: Decimal) -> str:
    """A stored number as typed back into the form (never in the ambiguous "1.500" shape)."""
    value = value.quantize(Decimal(1)) if value == value.to_integral_value() else value.normalize()
    text = format(value, "f")
    return text.replace(".", ",") if AMBIGUOUS_NUMBER_RE.match(text) else text


class ResponseForm(forms.Form):
    """One field per question of a survey, named ``q<id>``. The fields only collect text and the
    choices shown; reading and checking the answers is the service's (``check_answers``)."""

    def __init__(self, *args, survey: Survey, response: SurveyResponse | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.questions = list(survey.questions.prefetch_related("choices").order_by("position", "id"))
        for question in self.questions:
            self.fields[question.field_name] = self._field(question)
        if response is not None and not self.is_bound:
            self.initial.update(self.initial_for(response))

    def _field(self, question: Question) -> forms.Field:
        label = f"{question.position}. {question.text}" + (
            "" if question.required else " " + str(_("(optional)"))
        )
        hints = [question.help_text] if question.help_text else []
        common = {"label": label, "required": False}
        kind = question.kind
        if kind == QuestionKind.NUMBER:
            if question.min_value is not None and question.max_value is not None:
                hints.append(
                    str(_("From %(min)s to %(max)s."))
                    % {"min": show_number(question.min_value), "max": show_number(question.max_value)}
                )
            elif question.min_value is not None:
                hints.append(str(_("At least %(min)s.")) % {"min": show_number(question.min_value)})
            elif question.max_value is not None:
                hints.append(str(_("At most %(max)s.")) % {"max": show_number(question.max_value)})
            field = forms.CharField(widget=forms.TextInput(attrs={"inputmode": "decimal"}), **common)
        elif kind == QuestionKind.DATE:
            field = forms.CharField(widget=forms.TextInput(attrs=DATE_WIDGET), **common)
        elif kind == QuestionKind.YES_NO:
            choices = [("yes", _("Yes")), ("no", _("No"))]
            if not question.required:
                choices.append(("", _("No answer")))
            field = forms.ChoiceField(choices=choices, widget=forms.RadioSelect(attrs=CHECK), **common)
        elif kind == QuestionKind.SINGLE_CHOICE:
            choices = [(str(c.pk), c.label) for c in question.choices.all()]
            if not question.required:
                choices.append(("", _("No answer")))
            field = forms.ChoiceField(choices=choices, widget=forms.RadioSelect(attrs=CHECK), **common)
        elif kind == QuestionKind.MULTIPLE_CHOICE:
            choices = [(str(c.pk), c.label) for c in question.choices.all()]
            field = forms.MultipleChoiceField(
                choices=choices, widget=forms.CheckboxSelectMultiple(attrs=CHECK), **common
            )
        else:
            field = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), **common)
        field.help_text = " ".join(hints)
        return field

    def answers(self) -> dict[Question, object]:
        return {q: self.cleaned_data.get(q.field_name) for q in self.questions}

    def initial_for(self, response: SurveyResponse) -> dict:
        initial = {}
        for answer in response.answers.select_related("question").prefetch_related("choices"):
            question, name = answer.question, answer.question.field_name
            if question.kind == QuestionKind.TEXT:
                initial[name] = answer.text_value
            elif question.kind == QuestionKind.NUMBER and answer.number_value is not None:
                initial[name] = _input_number(answer.number_value)
            elif question.kind == QuestionKind.DATE and answer.date_value:
                initial[name] = answer.date_value.strftime("%d/%m/%Y")
            elif question.kind == QuestionKind.YES_NO and answer.bool_value is not None:
                initial[name] = "yes" if answer.bool_value else "no"
            elif question.kind == QuestionKind.SINGLE_CHOICE:
                chosen = [str(c.pk) for c in answer.choices.all()]
                initial[name] = chosen[0] if chosen else ""
            elif question.kind == QuestionKind.MULTIPLE_CHOICE:
                initial[name] = [str(c.pk) for c in answer.choices.all()]
        return initial


class ResultsExportForm(forms.Form):
    mode = forms.ChoiceField(
        label=_("Export"),
        choices=[
            (PUBLICATION, _("Summary for publication (counts under 5 hidden)")),
            (EXACT, _("Exact summary and every answer (not for publication)")),
        ],
        initial=PUBLICATION,
        widget=forms.RadioSelect(attrs=CHECK),
        required=False,
    )
    deidentified = forms.BooleanField(
        label=_(
            "Leave out identifying fields from the answers (name, date of birth — the year stays —, "
            "village, head of household, address, response number, text answers)"
        ),
        required=False,
        initial=True,
        widget=forms.CheckboxInput(attrs={"class": "form-check-input"}),
    )

    def __init__(self, *args, exact_allowed: bool, **kwargs):
        super().__init__(*args, **kwargs)
        self.exact_allowed = exact_allowed

    def clean_mode(self):
        mode = self.cleaned_data.get("mode") or PUBLICATION
        if mode == EXACT and not self.exact_allowed:
            raise forms.ValidationError(_("Exact results are only for users who may open the responses."))
        return mode

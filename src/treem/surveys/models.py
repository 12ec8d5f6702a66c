"""Surveys (khảo sát): a questionnaire defined for a unit and a period, answered once per child or
per household of the communes under that unit.

Who sees what
    A survey covers its unit and every unit below it. It is visible (``restrict(user, "view")``)
    to the users of those units — a commune officer sees the province's surveys — and to the
    users above it; changing it needs the unit in the user's own scope (as for any record).
    A response belongs to the commune of its child or household, read through that record, so a
    child who moves takes its answers to the new commune's officers.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import gettext_lazy as _

from treem.core.models import TrackedModel
from treem.core.scope import CoveringQuerySet, RestrictedQuerySet, may, scope_q
from treem.surveys.choices import CHOICE_KINDS, QuestionKind, SubjectKind, SurveyStatus

RESULTS_PERMISSION = "surveys.view_results"
NUMBER_DIGITS = 18
NUMBER_DECIMALS = 4


def show_number(value: Decimal) -> str:
    """A stored number as people write it in the current language (no trailing zeros)."""
    value = value.quantize(Decimal(1)) if value == value.to_integral_value() else value.normalize()
    return formats.number_format(value, use_l10n=True)


def subject_scope_q(user, prefix: str = "") -> Q | None:
    """Q limiting responses (through ``prefix``) to those whose child or household lives in the
    user's units; None means unlimited."""
    by_child = scope_q(user, f"{prefix}child__commune__path")
    if by_child is None:
        return None
    return by_child | scope_q(user, f"{prefix}household__commune__path")


class SubjectQuerySet(RestrictedQuerySet):
    """Responses and answers: scoped by the commune of the child or household answered for.

    ``scope_path_lookup`` names the child's path (for the system check and readers); the filter
    also takes the household's, since a response is about one or the other.
    """

    subject_prefix = ""

    def restrict(self, user, action: str = "view") -> RestrictedQuerySet:
        if not may(user, self.model, action):
            return self.none()
        q = subject_scope_q(user, self.subject_prefix)
        return self if q is None else self.filter(q)


class AnswerQuerySet(SubjectQuerySet):
    subject_prefix = "response__"


class Survey(TrackedModel):
    """A questionnaire for the children or households of a unit, answered within a period."""

    scope_path_lookup = "unit__path"

    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    subject_kind = models.CharField(
        _("each response is about"), max_length=10, choices=SubjectKind.choices, default=SubjectKind.CHILD
    )
    unit = models.ForeignKey(
        "geo.Unit",
        verbose_name=_("unit covered"),
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("The communes of this unit answer the survey."),
    )
    starts_on = models.DateField(_("first day of answers"))
    ends_on = models.DateField(_("last day of answers"))
    status = models.CharField(
        _("status"), max_length=10, choices=SurveyStatus.choices, default=SurveyStatus.DRAFT
    )
    opened_at = models.DateTimeField(_("opened at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)

    objects = CoveringQuerySet.as_manager()

    class Meta:
        verbose_name = _("survey")
        verbose_name_plural = _("surveys")
        ordering = ["-starts_on", "title", "id"]
        permissions = [("view_results", _("Can see aggregate results of surveys (no individual answers)"))]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__gte=models.F("starts_on")), name="surveys_survey_period_ordered"
            ),
        ]
        indexes = [models.Index(fields=["status", "ends_on"], name="surveys_status_end_idx")]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("surveys:survey_detail", args=[self.pk])

    def audit_unit(self):
        return self.unit

    @property
    def is_draft(self) -> bool:
        return self.status == SurveyStatus.DRAFT

    @property
    def about_children(self) -> bool:
        return self.subject_kind == SubjectKind.CHILD

    def in_period(self, day: dt.date | None = None) -> bool:
        day = day or timezone.localdate()
        return self.starts_on <= day <= self.ends_on

    def accepts_answers(self, day: dt.date | None = None) -> bool:
        return self.status == SurveyStatus.OPEN and self.in_period(day)


class Question(models.Model):
    """One question of a survey, in its place; choice questions have their choices."""

    scope_path_lookup = "survey__unit__path"

    survey = models.ForeignKey(
        Survey, verbose_name=_("survey"), on_delete=models.CASCADE, related_name="questions"
    )
    position = models.PositiveSmallIntegerField(_("order"))
    text = models.CharField(_("question"), max_length=500)
    help_text = models.CharField(_("hint"), max_length=255, blank=True)
    kind = models.CharField(_("type of answer"), max_length=20, choices=QuestionKind.choices)
    required = models.BooleanField(_("an answer is required"), default=True)
    min_value = models.DecimalField(
        _("smallest number allowed"),
        max_digits=NUMBER_DIGITS,
        decimal_places=NUMBER_DECIMALS,
        null=True,
        blank=True,
    )
    max_value = models.DecimalField(
        _("largest number allowed"),
        max_digits=NUMBER_DIGITS,
        decimal_places=NUMBER_DECIMALS,
        null=True,
        blank=True,
    )

    objects = CoveringQuerySet.as_manager()

    class Meta:
        verbose_name = _("question")
        verbose_name_plural = _("questions")
        ordering = ["survey_id", "position", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(min_value__isnull=True)
                | Q(max_value__isnull=True)
                | Q(max_value__gte=models.F("min_value")),
                name="surveys_question_range_ordered",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.position}. {self.text}"

    def get_absolute_url(self) -> str:
        return self.survey.get_absolute_url() + f"#question-{self.pk}"

    def audit_unit(self):
        return self.survey.unit

    @property
    def has_choices(self) -> bool:
        return self.kind in CHOICE_KINDS

    @property
    def range_text(self) -> str:
        """The numbers allowed, as shown to people ("≥ 0 ≤ 24"); empty when any number goes."""
        parts = []
        if self.min_value is not None:
            parts.append(f"≥ {show_number(self.min_value)}")
        if self.max_value is not None:
            parts.append(f"≤ {show_number(self.max_value)}")
        return " ".join(parts)

    @property
    def field_name(self) -> str:
        """The name of this question's field in a response form (and its key in errors)."""
        return f"q{self.pk}"


class Choice(models.Model):
    """One of the choices of a choice question, in its place."""

    scope_path_lookup = "question__survey__unit__path"

    question = models.ForeignKey(
        Question, verbose_name=_("question"), on_delete=models.CASCADE, related_name="choices"
    )
    position = models.PositiveSmallIntegerField(_("order"))
    label = models.CharField(_("choice"), max_length=200)

    objects = CoveringQuerySet.as_manager()

    class Meta:
        verbose_name = _("choice")
        verbose_name_plural = _("choices")
        ordering = ["question_id", "position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["question", "label"], name="surveys_choice_label_unique"),
        ]

    def __str__(self) -> str:
        return self.label


class SurveyResponse(TrackedModel):
    """The answers given for one child or one household to one survey (one response each)."""

    scope_path_lookup = "child__commune__path"  # or the household's: see SubjectQuerySet

    survey = models.ForeignKey(
        Survey, verbose_name=_("survey"), on_delete=models.PROTECT, related_name="responses"
    )
    child = models.ForeignKey(
        "children.Child",
        verbose_name=_("child"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="survey_responses",
    )
    household = models.ForeignKey(
        "children.Household",
        verbose_name=_("household"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="survey_responses",
    )

    objects = SubjectQuerySet.as_manager()

    class Meta:
        verbose_name = _("survey response")
        verbose_name_plural = _("survey responses")
        ordering = ["survey_id", "id"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(child__isnull=False) & Q(household__isnull=True))
                | (Q(child__isnull=True) & Q(household__isnull=False)),
                name="surveys_response_one_subject",
            ),
            models.UniqueConstraint(
                fields=["survey", "child"],
                condition=Q(child__isnull=False),
                name="surveys_response_child_unique",
            ),
            models.UniqueConstraint(
                fields=["survey", "household"],
                condition=Q(household__isnull=False),
                name="surveys_response_household_unique",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.survey} — {self.subject_label}"

    def get_absolute_url(self) -> str:
        return reverse("surveys:response_detail", args=[self.pk])

    @property
    def subject(self):
        return self.child if self.child_id else self.household

    @property
    def subject_label(self) -> str:
        if self.child_id:
            return self.child.full_name
        return self.household.head_name if self.household_id else ""

    @property
    def commune(self):
        return self.subject.commune if self.subject is not None else None

    def audit_unit(self):
        return self.commune


class Answer(models.Model):
    """The answer to one question in a response; the value sits in the column of its type."""

    scope_path_lookup = "response__child__commune__path"  # or the household's: see SubjectQuerySet

    response = models.ForeignKey(
        SurveyResponse, verbose_name=_("response"), on_delete=models.CASCADE, related_name="answers"
    )
    question = models.ForeignKey(
        Question, verbose_name=_("question"), on_delete=models.PROTECT, related_name="answers"
    )
    text_value = models.TextField(_("text"), blank=True)
    number_value = models.DecimalField(
        _("number"), max_digits=NUMBER_DIGITS, decimal_places=NUMBER_DECIMALS, null=True, blank=True
    )
    bool_value = models.BooleanField(_("yes or no"), null=True, blank=True)
    date_value = models.DateField(_("date"), null=True, blank=True)
    choices = models.ManyToManyField(Choice, verbose_name=_("choices"), blank=True, related_name="answers")

    objects = AnswerQuerySet.as_manager()

    class Meta:
        verbose_name = _("answer")
        verbose_name_plural = _("answers")
        ordering = ["response_id", "question__position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["response", "question"], name="surveys_answer_once"),
        ]

    def __str__(self) -> str:
        return f"{self.question} — {self.response}"

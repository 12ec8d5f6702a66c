"""Reads of surveys, always from what the user may see, and the results of a survey.

Results
    Counted over the responses the user may see (``SurveyResponse.objects.restrict``) or, for
    users who may see results only (``surveys.view_results``: leadership), over the responses of
    the children and households of their units without access to the answers themselves. The
    answers are then read only through those responses.

    * responses by unit: the commune of the child or household answered for;
    * yes/no and one-choice questions: a count per answer, and "no answer" (the rows add up to the
      responses);
    * several-choice questions: a count per choice (a response may pick several: rows do not add
      up);
    * numbers: how many answered, the smallest, the mean and the largest; dates: the earliest and
      the latest; text: how many answered.

Suppression for publication
    The count tables are children.statistics ``Table`` objects and go through its ``suppress``
    (counts 1–4 shown as "<5", and a further count hidden where a total would give one away).
    A number or date summary over fewer than 5 answers is hidden whole (a smallest or largest
    value of so few children could single one out).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import Avg, Count, Exists, Max, Min, OuterRef, QuerySet
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _

from treem.children.models import Child, Household
from treem.children.search import ranked_queryset
from treem.children.statistics import HIDDEN_SMALL, SMALL_COUNT, Shown, Table, suppress
from treem.geo.models import Unit, UnitLevel
from treem.surveys.choices import QuestionKind, SurveyStatus
from treem.surveys.models import (
    RESULTS_PERMISSION,
    Answer,
    Question,
    Survey,
    SurveyResponse,
    subject_scope_q,
)

NO_ANSWER = None  # the row key of "no answer" in a question's table


# --- lists --------------------------------------------------------------------------------------


def visible_surveys(user, action: str = "view") -> QuerySet[Survey]:
    """Surveys the user may ``action``. Drafts are shown only to those who define surveys: the
    others cannot answer them yet, and their questions may still change."""
    qs = Survey.objects.restrict(user, action)
    if action == "view" and not user.has_perm("surveys.change_survey"):
        qs = qs.exclude(status=SurveyStatus.DRAFT)
    return qs


def survey_responses(*, user, survey: Survey) -> QuerySet[SurveyResponse]:
    """The responses to ``survey`` the user may open, with their child or household."""
    return (
        SurveyResponse.objects.restrict(user, "view")
        .filter(survey=survey)
        .select_related("child__commune", "household__commune", "updated_by")
    )


def child_responses(*, user, child: Child) -> QuerySet[SurveyResponse]:
    """The responses given for a child, in the surveys the user may see."""
    return (
        SurveyResponse.objects.restrict(user, "view")
        .filter(child=child, survey__in=visible_surveys(user))
        .select_related("survey__unit")
        .order_by("-survey__starts_on", "survey_id")
    )


def subjects_to_answer(*, user, survey: Survey, text: str = "") -> QuerySet:
    """Children (or households) the user may see under the survey's unit, each marked ``answered``.

    ``text`` searches names without diacritics (as the children list does).
    """
    answered = SurveyResponse.objects.filter(survey=survey)
    if survey.about_children:
        qs = Child.objects.restrict(user, "view").filter(
            is_active=True, commune__path__startswith=survey.unit.path
        )
        qs = qs.annotate(answered=Exists(answered.filter(child=OuterRef("pk")))).select_related(
            "commune", "village"
        )
        if text.strip():
            # The registry's ranked search, its order kept (children.search).
            return ranked_queryset(queryset=qs, text=text, user=user)
        return qs.order_by("commune__name", "name_folded", "pk")
    qs = Household.objects.restrict(user, "view").filter(commune__path__startswith=survey.unit.path)
    for word in text.split():
        # Households keep no name without diacritics: the words are matched as typed.
        qs = qs.filter(head_name__icontains=word)
    qs = qs.annotate(answered=Exists(answered.filter(household=OuterRef("pk"))))
    return qs.select_related("commune", "village").order_by("commune__name", "head_name", "pk")


# --- results ------------------------------------------------------------------------------------


def may_see_results(user) -> bool:
    return bool(
        user
        and user.is_authenticated
        and (user.has_perm("surveys.view_surveyresponse") or user.has_perm(RESULTS_PERMISSION))
    )


def may_see_answers(user) -> bool:
    """Exact counts and the raw answers are for users who may open the responses themselves."""
    return bool(
        user
        and user.is_authenticated
        and user.has_perm("surveys.view_surveyresponse")
        and user.has_perm("surveys.view_answer")
    )


def results_responses(*, user, survey: Survey) -> QuerySet[SurveyResponse]:
    """The responses counted in the results the user sees (see the module docstring)."""
    if user is None or not user.is_authenticated or not user.is_active:
        return SurveyResponse.objects.none()
    if user.has_perm("surveys.view_surveyresponse"):
        return SurveyResponse.objects.restrict(user, "view").filter(survey=survey)
    if not user.has_perm(RESULTS_PERMISSION):
        return SurveyResponse.objects.none()
    q = subject_scope_q(user)
    qs = SurveyResponse.objects.filter(survey=survey)
    return qs if q is None else qs.filter(q)


@dataclass
class QuestionResult:
    """The results of one question: a count table (choices, yes/no) or a summary (numbers, dates)."""

    question: Question
    answered: int
    table: Table | None = None
    summary: dict[str, Any] | None = None  # low, mean (numbers), high


@dataclass
class SurveyResults:
    survey: Survey
    responses: int
    by_unit: Table
    questions: list[QuestionResult] = field(default_factory=list)

    def tables(self) -> list[Table]:
        return [self.by_unit] + [r.table for r in self.questions if r.table is not None]

    def hidden(self, publication: bool) -> dict[frozenset, str]:
        """The counts to hide (none unless ``publication``)."""
        return suppress(self.tables()) if publication else {}


def small(n: int, publication: bool) -> Shown:
    """A count outside the tables (answered, summary sizes), hidden when 1–4 in publication."""
    return Shown(n, HIDDEN_SMALL if publication and 0 < n < SMALL_COUNT else "")


def summary_hidden(result: QuestionResult, publication: bool) -> bool:
    return publication and result.answered < SMALL_COUNT


def _unit_rows(user, survey: Survey, counts: dict[int | None, int]) -> tuple[list, dict, dict]:
    """The communes to list (those of the user under the survey's unit, and any counted)."""
    if survey.unit.level in (UnitLevel.COMMUNE, UnitLevel.VILLAGE):
        listed = {survey.unit.pk: survey.unit}
    else:
        communes = (
            Unit.objects.restrict(user, "view")
            .current()
            .filter(level=UnitLevel.COMMUNE, path__startswith=survey.unit.path)
        )
        listed = {u.pk: u for u in communes}
    missing = {pk for pk in counts if pk is not None and pk not in listed}
    listed.update(Unit.objects.in_bulk(missing) if missing else {})
    order = sorted(listed, key=lambda pk: (listed[pk].code or "~", listed[pk].name, pk))
    return order, {pk: listed[pk].label for pk in order}, listed


def survey_results(*, user, survey: Survey) -> SurveyResults:
    """Counts and summaries of ``survey`` over the responses the user may count."""
    responses = results_responses(user=user, survey=survey).order_by()
    today = timezone.localdate()
    by_commune = {
        row["k_commune"]: row["n"]
        for row in responses.annotate(k_commune=Coalesce("child__commune", "household__commune"))
        .values("k_commune")
        .annotate(n=Count("pk"))
        .order_by()
    }
    total = sum(by_commune.values())
    order, labels, units = _unit_rows(user, survey, by_commune)
    by_unit = Table(
        title=_("Responses by unit"),
        row_dims=("unit",),
        col_dim=None,
        rows=[(pk,) for pk in order],
        columns=[],
        labels={"unit": labels},
        cells={},
        row_totals={(pk,): by_commune.get(pk, 0) for pk in order},
        col_totals=None,
        total=total,
        day=today,
        unit=survey.unit,
        units=units,
    )
    results = SurveyResults(survey=survey, responses=total, by_unit=by_unit)

    questions = list(survey.questions.prefetch_related("choices").order_by("position", "id"))
    answers = Answer.objects.filter(response__in=responses.values("pk")).order_by()
    answered = dict(answers.values_list("question").annotate(n=Count("pk")).order_by())
    choice_counts = dict(
        Answer.choices.through.objects.filter(answer__in=answers.values("pk"))
        .values_list("choice")
        .annotate(n=Count("pk"))
        .order_by()
    )
    yes_no = {
        (q, value): n
        for q, value, n in answers.filter(bool_value__isnull=False)
        .values_list("question", "bool_value")
        .annotate(n=Count("pk"))
        .order_by()
    }
    numbers = {
        row["question"]: row
        for row in answers.filter(number_value__isnull=False)
        .values("question")
        .annotate(low=Min("number_value"), high=Max("number_value"), mean=Avg("number_value"))
        .order_by()
    }
    dates = {
        row["question"]: row
        for row in answers.filter(date_value__isnull=False)
        .values("question")
        .annotate(low=Min("date_value"), high=Max("date_value"))
        .order_by()
    }
    for question in questions:
        n = answered.get(question.pk, 0)
        result = QuestionResult(question=question, answered=n)
        if question.kind == QuestionKind.YES_NO:
            result.table = _question_table(
                question,
                total=total,
                answered=n,
                options=[(True, _("Yes")), (False, _("No"))],
                values={value: yes_no.get((question.pk, value), 0) for value in (True, False)},
            )
        elif question.has_choices:
            choices = list(question.choices.all())
            result.table = _question_table(
                question,
                total=total,
                answered=n,
                options=[(c.pk, c.label) for c in choices],
                values={c.pk: choice_counts.get(c.pk, 0) for c in choices},
            )
        elif question.kind == QuestionKind.NUMBER and question.pk in numbers:
            row = numbers[question.pk]
            result.summary = {
                "low": Decimal(row["low"]),
                "mean": Decimal(str(row["mean"])).quantize(Decimal("0.01")),
                "high": Decimal(row["high"]),
            }
        elif question.kind == QuestionKind.DATE and question.pk in dates:
            row = dates[question.pk]
            result.summary = {"low": row["low"], "high": row["high"]}
        results.questions.append(result)
    return results


def _question_table(
    question: Question,
    *,
    total: int,
    answered: int,
    options: list[tuple[Any, str]],
    values: dict[Any, int],
) -> Table:
    """A question's counts as a one-column table (its own breakdown ``q<id>``), "no answer" last.

    With one answer per response (yes/no, one choice) the rows add up to the responses, the same
    count as the units table's total. Several-choice rows do not add up, so that table carries no
    total, and no line for ``suppress`` to work from.
    """
    dim = question.field_name
    adds_up = question.kind != QuestionKind.MULTIPLE_CHOICE
    keys = [key for key, _label in options] + [NO_ANSWER]
    labels = {**dict(options), NO_ANSWER: _("No answer")}
    row_totals = {(key,): values.get(key, 0) for key, _label in options}
    row_totals[(NO_ANSWER,)] = total - answered
    return Table(
        title=str(question),
        row_dims=(dim,),
        col_dim=None,
        rows=[(key,) for key in keys],
        columns=[],
        labels={dim: labels},
        cells={},
        row_totals=row_totals,
        col_totals=None,
        total=total if adds_up else None,
        day=timezone.localdate(),
        unit=question.survey.unit,
    )

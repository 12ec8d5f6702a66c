"""Writes on surveys. Each function is one audited transaction; bad input raises ValidationError
naming the field (a response's fields are named after their question: ``q<id>``) and leaves nothing
written.

A survey goes draft → open → closed. Its questions change only while it is a draft; answers are
accepted only while it is open and within its period, for a child (or household) the user may
see, living under the survey's unit. A second response for the same child edits the first.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Mapping
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from treem.audit.services import REDACTED, audit_record, diff, snapshot
from treem.children.models import Child, Household
from treem.core.scope import ScopeError, scope_require
from treem.geo.models import Unit, UnitLevel
from treem.surveys.choices import CHOICE_KINDS, QuestionKind, SubjectKind, SurveyStatus
from treem.surveys.models import (
    NUMBER_DECIMALS,
    NUMBER_DIGITS,
    Answer,
    Choice,
    Question,
    Survey,
    SurveyResponse,
    show_number,
)

SURVEY_FIELDS = ("title", "description", "subject_kind", "unit", "starts_on", "ends_on")
# Once answers may exist, what a response means must not change under them.
LOCKED_WHEN_OPEN = ("subject_kind", "unit", "starts_on")
QUESTION_FIELDS = ("text", "help_text", "kind", "required", "min_value", "max_value", "choices", "position")
TEXT_ANSWER_MAX = 2000
NUMBER_RE = re.compile(r"^[+-]?\d+(?:[.,]\d+)?$")
# "1.500" is one and a half in English and one thousand five hundred in Vietnamese.
AMBIGUOUS_NUMBER_RE = re.compile(r"^[+-]?\d{1,3}\.\d{3}$")
DMY_RE = re.compile(r"^(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})$")
ISO_RE = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")
YES_WORDS = {"yes", "true", "1", "co", "có", "on"}
NO_WORDS = {"no", "false", "0", "khong", "không"}


def _lock(survey: Survey) -> None:
    """Serialise the writes on one survey (state checks then see the latest state)."""
    list(Survey.objects.select_for_update().filter(pk=survey.pk).values_list("pk"))
    survey.refresh_from_db()


# --- surveys ------------------------------------------------------------------------------------


def _check_survey(survey: Survey, errors: dict[str, list[str]]) -> None:
    survey.title = " ".join((survey.title or "").split())
    survey.description = (survey.description or "").strip()
    if not survey.title:
        errors.setdefault("title", []).append(_("Enter the survey's title."))
    if survey.subject_kind not in SubjectKind.values:
        errors.setdefault("subject_kind", []).append(
            _("Choose whether the survey is about children or households.")
        )
    if survey.starts_on and survey.ends_on and survey.ends_on < survey.starts_on:
        errors.setdefault("ends_on", []).append(_("The survey cannot end before it starts."))
    unit = survey.unit if survey.unit_id else None
    if unit is not None and unit.level == UnitLevel.VILLAGE:
        errors.setdefault("unit", []).append(
            _("Choose a province or a commune: villages answer through their commune.")
        )
    elif unit is not None and not unit.is_valid_on(timezone.localdate()):
        errors.setdefault("unit", []).append(_("Choose a unit in force today."))


@transaction.atomic
def survey_create(
    *,
    acting_user,
    unit: Unit,
    title: str,
    subject_kind: str,
    starts_on: dt.date,
    ends_on: dt.date,
    description: str = "",
) -> Survey:
    """Define a survey (a draft) for ``unit`` and the units below it."""
    scope_require(acting_user, unit, "surveys.add_survey")
    survey = Survey(
        unit=unit,
        title=title,
        description=description,
        subject_kind=subject_kind,
        starts_on=starts_on,
        ends_on=ends_on,
        created_by=acting_user,
        updated_by=acting_user,
    )
    errors: dict[str, list[str]] = {}
    _check_survey(survey, errors)
    if errors:
        raise ValidationError(errors)
    survey.full_clean()
    survey.save()
    audit_record(acting_user, "surveys.survey.created", survey, changes=diff(None, snapshot(survey)))
    return survey


@transaction.atomic
def survey_update(*, acting_user, survey: Survey, **fields) -> Survey:
    """Change a survey: anything while a draft; the title, description and end once open."""
    unknown = set(fields) - set(SURVEY_FIELDS)
    if unknown:
        raise TypeError(f"Unknown survey fields: {sorted(unknown)}")
    scope_require(acting_user, survey.unit, "surveys.change_survey")
    _lock(survey)
    if "unit" in fields:
        scope_require(acting_user, fields["unit"], "surveys.change_survey")
    if survey.status == SurveyStatus.CLOSED:
        raise ValidationError(_("A closed survey cannot be changed."))
    errors: dict[str, list[str]] = {}
    if survey.status == SurveyStatus.OPEN:
        for name in LOCKED_WHEN_OPEN:
            current = survey.unit if name == "unit" else getattr(survey, name)
            if name in fields and fields[name] != current:
                errors.setdefault(name, []).append(_("This cannot change once the survey is open."))
    before = snapshot(survey)
    for name, value in fields.items():
        setattr(survey, name, value)
    _check_survey(survey, errors)
    if survey.status == SurveyStatus.OPEN and "ends_on" in fields and survey.ends_on < timezone.localdate():
        errors.setdefault("ends_on", []).append(_("An open survey cannot end in the past: close it instead."))
    if errors:
        survey.refresh_from_db()
        raise ValidationError(errors)
    survey.updated_by = acting_user
    survey.full_clean()
    survey.save()
    audit_record(acting_user, "surveys.survey.updated", survey, changes=diff(before, snapshot(survey)))
    return survey


@transaction.atomic
def survey_open(*, acting_user, survey: Survey) -> Survey:
    """Open a draft survey for answers: its questions are fixed from now on."""
    scope_require(acting_user, survey.unit, "surveys.change_survey")
    _lock(survey)
    if survey.status != SurveyStatus.DRAFT:
        raise ValidationError(_("Only a draft survey can be opened."))
    if not survey.questions.exists():
        raise ValidationError(_("Add at least one question before opening the survey."))
    if survey.ends_on < timezone.localdate():
        raise ValidationError(
            {"ends_on": [_("The survey's period has already ended: change its last day first.")]}
        )
    before = snapshot(survey)
    survey.status, survey.opened_at, survey.updated_by = SurveyStatus.OPEN, timezone.now(), acting_user
    survey.save(update_fields=["status", "opened_at", "updated_by", "updated_at"])
    audit_record(acting_user, "surveys.survey.opened", survey, changes=diff(before, snapshot(survey)))
    return survey


@transaction.atomic
def survey_close(*, acting_user, survey: Survey) -> Survey:
    """Close an open survey: no more answers; its results stay."""
    scope_require(acting_user, survey.unit, "surveys.change_survey")
    _lock(survey)
    if survey.status != SurveyStatus.OPEN:
        raise ValidationError(_("Only an open survey can be closed."))
    before = snapshot(survey)
    survey.status, survey.closed_at, survey.updated_by = SurveyStatus.CLOSED, timezone.now(), acting_user
    survey.save(update_fields=["status", "closed_at", "updated_by", "updated_at"])
    audit_record(acting_user, "surveys.survey.closed", survey, changes=diff(before, snapshot(survey)))
    return survey


# --- questions ----------------------------------------------------------------------------------


def _require_draft(survey: Survey) -> None:
    if survey.status != SurveyStatus.DRAFT:
        raise ValidationError(_("Questions can be changed only while the survey is a draft."))


def _clean_choices(kind: str, choices: Iterable[str] | None, errors: dict[str, list[str]]) -> list[str]:
    labels = [" ".join(str(c).split()) for c in (choices or ())]
    labels = [label for label in labels if label]
    if kind not in CHOICE_KINDS:
        if labels:
            errors.setdefault("choices", []).append(_("Only choice questions have choices."))
        return []
    seen: set[str] = set()
    for label in labels:
        if label.casefold() in seen:
            errors.setdefault("choices", []).append(
                _("The choice “%(label)s” is given twice.") % {"label": label}
            )
        seen.add(label.casefold())
        if len(label) > Choice._meta.get_field("label").max_length:
            errors.setdefault("choices", []).append(
                _("The choice “%(label)s” is too long (200 characters at most).") % {"label": label[:40]}
            )
    if len(labels) < 2:
        errors.setdefault("choices", []).append(_("Give at least two choices, one per line."))
    return labels


def _check_question(question: Question, errors: dict[str, list[str]]) -> None:
    question.text = " ".join((question.text or "").split())
    question.help_text = " ".join((question.help_text or "").split())
    if not question.text:
        errors.setdefault("text", []).append(_("Enter the question."))
    if question.kind not in QuestionKind.values:
        errors.setdefault("kind", []).append(_("Choose the type of answer."))
    if question.kind != QuestionKind.NUMBER:
        if question.min_value is not None or question.max_value is not None:
            errors.setdefault("min_value", []).append(
                _("Only number questions have a smallest and a largest number.")
            )
    elif (
        question.min_value is not None
        and question.max_value is not None
        and question.min_value > question.max_value
    ):
        errors.setdefault("max_value", []).append(_("The largest number cannot be below the smallest."))


def _place(survey: Survey, question: Question, position: int | None) -> None:
    """Put ``question`` at ``position`` (1 = first; None or beyond the end = last); renumber all."""
    others = [q for q in survey.questions.order_by("position", "id") if q.pk != question.pk]
    index = len(others) if position is None else min(max(int(position), 1), len(others) + 1) - 1
    others.insert(index, question)
    for number, q in enumerate(others, start=1):
        if q.position != number or q.pk is None:
            q.position = number
            if q.pk is not None and q is not question:
                q.save(update_fields=["position"])


def _set_choices(question: Question, labels: list[str]) -> None:
    question.choices.all().delete()
    Choice.objects.bulk_create(
        Choice(question=question, position=n, label=label) for n, label in enumerate(labels, start=1)
    )


def _question_snapshot(question: Question) -> dict[str, Any]:
    data = snapshot(question)
    data["choices"] = list(question.choices.order_by("position").values_list("label", flat=True))
    return data


@transaction.atomic
def question_add(
    *,
    acting_user,
    survey: Survey,
    text: str,
    kind: str,
    required: bool = True,
    help_text: str = "",
    min_value: Decimal | None = None,
    max_value: Decimal | None = None,
    choices: Iterable[str] | None = None,
    position: int | None = None,
) -> Question:
    """Add a question to a draft survey (last unless ``position`` says where)."""
    scope_require(acting_user, survey.unit, "surveys.add_question")
    _lock(survey)
    _require_draft(survey)
    question = Question(
        survey=survey,
        text=text,
        kind=kind,
        required=bool(required),
        help_text=help_text,
        min_value=min_value,
        max_value=max_value,
        position=0,
    )
    errors: dict[str, list[str]] = {}
    _check_question(question, errors)
    labels = _clean_choices(kind, choices, errors)
    if errors:
        raise ValidationError(errors)
    _place(survey, question, position)
    question.full_clean()
    question.save()
    _set_choices(question, labels)
    audit_record(
        acting_user, "surveys.question.added", question, changes=diff(None, _question_snapshot(question))
    )
    return question


@transaction.atomic
def question_update(*, acting_user, question: Question, **fields) -> Question:
    """Change a question of a draft survey (only the fields given; ``choices`` replaces them all)."""
    unknown = set(fields) - set(QUESTION_FIELDS)
    if unknown:
        raise TypeError(f"Unknown question fields: {sorted(unknown)}")
    survey = question.survey
    scope_require(acting_user, survey.unit, "surveys.change_question")
    _lock(survey)
    _require_draft(survey)
    before = _question_snapshot(question)
    current_choices = before["choices"]
    position = fields.pop("position", None)
    labels_given = fields.pop("choices", None)
    for name, value in fields.items():
        setattr(question, name, value)
    question.required = bool(question.required)
    errors: dict[str, list[str]] = {}
    _check_question(question, errors)
    if labels_given is None:  # a question that stops being a choice question loses its choices
        labels_given = current_choices if question.kind in CHOICE_KINDS else []
    labels = _clean_choices(question.kind, labels_given, errors)
    if errors:
        question.refresh_from_db()
        raise ValidationError(errors)
    if position is not None:
        _place(survey, question, position)
    question.full_clean()
    question.save()
    if labels != current_choices:
        _set_choices(question, labels)
    audit_record(
        acting_user,
        "surveys.question.updated",
        question,
        changes=diff(before, _question_snapshot(question)),
    )
    return question


@transaction.atomic
def question_delete(*, acting_user, question: Question) -> None:
    """Remove a question (and its choices) from a draft survey; the others close up."""
    survey = question.survey
    scope_require(acting_user, survey.unit, "surveys.delete_question")
    _lock(survey)
    _require_draft(survey)
    before = _question_snapshot(question)
    audit_record(
        acting_user,
        "surveys.question.deleted",
        question,
        changes=diff(before, None),
        object_label=str(question),
    )
    question.delete()
    for number, q in enumerate(survey.questions.order_by("position", "id"), start=1):
        if q.position != number:
            q.position = number
            q.save(update_fields=["position"])


# --- answers ------------------------------------------------------------------------------------


class _Refused(Exception):
    """An answer that cannot be read; carries the message for its question."""


def _read_number(raw) -> Decimal | None:
    if raw is None:
        return None
    if isinstance(raw, bool):
        raise _Refused(_("Enter a number, for example 12 or 2,5."))
    if isinstance(raw, int | Decimal):
        value = Decimal(raw)
    elif isinstance(raw, float):
        value = Decimal(repr(raw))
    else:
        text = str(raw).strip().replace(" ", "").replace("\u00a0", "")
        if not text:
            return None
        if AMBIGUOUS_NUMBER_RE.match(text):
            raise _Refused(
                _(
                    "“%(value)s” is unclear: write thousands without a dot and decimals with a comma "
                    "(1500 or 1,5)."
                )
                % {"value": text}
            )
        if not NUMBER_RE.match(text):
            raise _Refused(_("Enter a number, for example 12 or 2,5 (no thousands separators)."))
        value = Decimal(text.replace(",", "."))
    if not value.is_finite():
        raise _Refused(_("Enter a number, for example 12 or 2,5."))
    if abs(value) >= Decimal(10) ** (NUMBER_DIGITS - NUMBER_DECIMALS):
        raise _Refused(_("The number is too large."))
    exponent = value.normalize().as_tuple().exponent
    if isinstance(exponent, int) and exponent < -NUMBER_DECIMALS:
        raise _Refused(_("Use at most %(n)s decimals.") % {"n": NUMBER_DECIMALS})
    return value


def _read_yes_no(raw) -> bool | None:
    if raw is None or isinstance(raw, bool):
        return raw
    text = str(raw).strip().casefold()
    if not text:
        return None
    if text in YES_WORDS:
        return True
    if text in NO_WORDS:
        return False
    raise _Refused(_("Answer yes or no."))


def _read_date(raw) -> dt.date | None:
    if raw is None:
        return None
    if isinstance(raw, dt.datetime):
        return raw.date()
    if isinstance(raw, dt.date):
        return raw
    text = str(raw).strip()
    if not text:
        return None
    match = DMY_RE.match(text)
    if match:
        day, month, year = (int(g) for g in match.groups())
    else:
        match = ISO_RE.match(text)
        if not match:
            raise _Refused(_("Enter a date as dd/mm/yyyy."))
        year, month, day = (int(g) for g in match.groups())
    try:
        return dt.date(year, month, day)
    except ValueError as exc:
        raise _Refused(_("%(value)s is not a real date.") % {"value": text}) from exc


def _read_choices(question: Question, raw) -> list[Choice]:
    if raw is None or raw == "":
        return []
    items = raw if isinstance(raw, list | tuple | set | frozenset) else [raw]
    by_pk = {c.pk: c for c in question.choices.all()}
    chosen: list[Choice] = []
    for item in items:
        if item is None or item == "":
            continue
        if isinstance(item, bool):  # True is 1 to int(): never a choice's number
            raise _Refused(_("Choose among the question's choices."))
        pk = item.pk if isinstance(item, Choice) else item
        try:
            choice = by_pk.get(int(pk))
        except (TypeError, ValueError):
            choice = None
        if choice is None:
            raise _Refused(_("Choose among the question's choices."))
        if choice not in chosen:
            chosen.append(choice)
    if question.kind == QuestionKind.SINGLE_CHOICE and len(chosen) > 1:
        raise _Refused(_("Choose only one answer."))
    return sorted(chosen, key=lambda c: (c.position, c.pk))


def _read_answer(question: Question, raw) -> Any:
    """The stored value of one answer (None: not answered); _Refused with the reason."""
    kind = question.kind
    if kind == QuestionKind.TEXT:
        text = "" if raw is None else str(raw).strip()
        if len(text) > TEXT_ANSWER_MAX:
            raise _Refused(_("Keep the answer under %(n)s characters.") % {"n": TEXT_ANSWER_MAX})
        return text or None
    if kind == QuestionKind.NUMBER:
        value = _read_number(raw)
        if value is not None and question.min_value is not None and value < question.min_value:
            raise _Refused(
                _("The number must be at least %(min)s.") % {"min": show_number(question.min_value)}
            )
        if value is not None and question.max_value is not None and value > question.max_value:
            raise _Refused(
                _("The number must be at most %(max)s.") % {"max": show_number(question.max_value)}
            )
        return value
    if kind == QuestionKind.YES_NO:
        return _read_yes_no(raw)
    if kind == QuestionKind.DATE:
        return _read_date(raw)
    return _read_choices(question, raw) or None


def check_answers(survey: Survey, answers: Mapping[Question | int, Any]) -> dict[Question, Any]:
    """Read and check every answer of a response; ValidationError naming each wrong question."""
    questions = list(survey.questions.prefetch_related("choices").order_by("position", "id"))
    by_pk = {q.pk: q for q in questions}
    given: dict[int, Any] = {}
    for key, raw in answers.items():
        pk = key.pk if isinstance(key, Question) else key
        if pk not in by_pk:
            raise ValidationError(_("Some answers are for questions that are not in this survey."))
        given[pk] = raw
    errors: dict[str, list[str]] = {}
    values: dict[Question, Any] = {}
    for question in questions:
        try:
            value = _read_answer(question, given.get(question.pk))
        except _Refused as exc:
            errors[question.field_name] = [str(exc)]
            continue
        if value is None:
            if question.required:
                errors[question.field_name] = [_("Answer this question.")]
            continue
        values[question] = value
    if errors:
        raise ValidationError(errors)
    return values


def answer_value(answer: Answer, *, redact_text: bool = False) -> Any:
    """An answer's value as plain data (text, number as text, bool, ISO date, list of choices)."""
    kind = answer.question.kind
    if kind == QuestionKind.TEXT:
        return REDACTED if redact_text and answer.text_value else answer.text_value
    if kind == QuestionKind.NUMBER:
        return None if answer.number_value is None else show_number(answer.number_value)
    if kind == QuestionKind.YES_NO:
        return answer.bool_value
    if kind == QuestionKind.DATE:
        return answer.date_value.isoformat() if answer.date_value else None
    return [c.label for c in answer.choices.all()]


def _answers_snapshot(response: SurveyResponse | None) -> dict[str, Any]:
    """What a response says, for the audit log (free text is redacted, as the child's notes are)."""
    if response is None or response.pk is None:
        return {}
    answers = response.answers.select_related("question").prefetch_related("choices")
    return {f"q{a.question_id}": answer_value(a, redact_text=True) for a in answers}


def _subject_of(survey: Survey, child: Child | None, household: Household | None):
    if (child is None) == (household is None):
        raise TypeError("Give either a child or a household.")
    if survey.about_children and child is None:
        raise ValidationError(_("This survey is answered for children, not for households."))
    if not survey.about_children and household is None:
        raise ValidationError(_("This survey is answered for households, not for children."))
    return child if child is not None else household


def _check_open(survey: Survey) -> None:
    if survey.status == SurveyStatus.CLOSED:
        raise ValidationError(_("This survey is closed: no more answers are accepted."))
    if survey.status != SurveyStatus.OPEN:
        raise ValidationError(_("This survey is not open for answers yet."))
    if not survey.in_period():
        raise ValidationError(
            _("Answers to this survey are accepted from %(start)s to %(end)s.")
            % {"start": survey.starts_on.strftime("%d/%m/%Y"), "end": survey.ends_on.strftime("%d/%m/%Y")}
        )


@transaction.atomic
def response_save(
    *,
    acting_user,
    survey: Survey,
    answers: Mapping[Question | int, Any],
    child: Child | None = None,
    household: Household | None = None,
) -> SurveyResponse:
    """Record the answers for a child (or household): the first time, or again to change them."""
    subject = _subject_of(survey, child, household)
    # The record must be one the user may see, and the survey one given to their units.
    if not type(subject).objects.restrict(acting_user, "view").filter(pk=subject.pk).exists():
        raise ScopeError("surveys.add_surveyresponse")
    if not Survey.objects.restrict(acting_user, "view").filter(pk=survey.pk).exists():
        raise ScopeError("surveys.add_surveyresponse")
    _lock(survey)  # orders concurrent first answers for the same child: the second one edits
    existing = SurveyResponse.objects.filter(survey=survey, child=child, household=household).first()
    perm = "surveys.change_surveyresponse" if existing else "surveys.add_surveyresponse"
    scope_require(acting_user, subject.commune, perm)
    _check_open(survey)
    if not subject.commune.path.startswith(survey.unit.path):
        raise ValidationError(
            _("%(name)s lives outside %(unit)s, the unit this survey covers.")
            % {"name": str(subject), "unit": survey.unit.name}
        )
    if child is not None and not child.is_active:
        raise ValidationError(_("This child is no longer in the registry."))
    values = check_answers(survey, answers)
    before = _answers_snapshot(existing)
    response = existing or SurveyResponse(
        survey=survey, child=child, household=household, created_by=acting_user
    )
    response.updated_by = acting_user
    response.full_clean()
    response.save()
    if existing is not None:
        response.answers.all().delete()
    for question, value in values.items():
        answer = Answer(response=response, question=question)
        if question.kind == QuestionKind.TEXT:
            answer.text_value = value
        elif question.kind == QuestionKind.NUMBER:
            answer.number_value = value
        elif question.kind == QuestionKind.YES_NO:
            answer.bool_value = value
        elif question.kind == QuestionKind.DATE:
            answer.date_value = value
        answer.save()
        if question.has_choices:
            answer.choices.set(value)
    audit_record(
        acting_user,
        "surveys.response.updated" if existing else "surveys.response.created",
        response,
        changes=diff(before, _answers_snapshot(response)),
    )
    return response

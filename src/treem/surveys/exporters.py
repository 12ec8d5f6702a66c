"""The results of a survey as ``.xlsx``: a summary sheet, and the answers sheet for exact exports.

``publication`` (the default, and the only one for users who see results only): the summary with
counts under 5 hidden (``selectors`` explains how), no individual answers.
``exact`` (users who may open the responses): the exact summary and one row per response. As in
the children export (``children.exporters``), identifying fields can be left out: the response
number, the child's name, date of birth (the year stays) and village, the head of household, the
address, and the answers to text questions (free text may name anyone).

Every export writes one audit event (``surveys.survey.results_exported``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import BinaryIO

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Prefetch, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from treem.audit.services import audit_record
from treem.children.exporters import XLSX_MAX_ROWS
from treem.children.statistics import HIDDEN_SECONDARY, HIDDEN_SMALL, Shown
from treem.core.scope import ScopeError
from treem.surveys.choices import QuestionKind
from treem.surveys.models import Answer, Question, Survey, SurveyResponse
from treem.surveys.selectors import (
    SurveyResults,
    may_see_answers,
    may_see_results,
    small,
    summary_hidden,
    survey_responses,
    survey_results,
)

PUBLICATION, EXACT = "publication", "exact"
MODES = (PUBLICATION, EXACT)
CHUNK = 1000


@dataclass
class ResultsExport:
    """An export that was allowed and audited: what to write."""

    survey: Survey
    results: SurveyResults
    mode: str
    identifying: bool
    filename: str
    exported_by: str
    responses: QuerySet[SurveyResponse] | None  # the answers sheet (exact exports only)
    questions: list[Question]

    @property
    def publication(self) -> bool:
        return self.mode == PUBLICATION

    def answer_questions(self) -> list[Question]:
        """The questions with a column in the answers sheet."""
        if self.identifying:
            return self.questions
        return [q for q in self.questions if q.kind != QuestionKind.TEXT]

    def subject_columns(self) -> list[tuple[str, str]]:
        """(key, header) of the columns describing the child or household."""
        columns = [("commune_code", _("Commune code")), ("commune", _("Commune"))]
        if self.identifying:
            columns.insert(0, ("record", _("Response number")))
        if self.survey.about_children:
            if self.identifying:
                columns += [
                    ("name", _("Full name")),
                    ("birth_date", _("Date of birth")),
                    ("village", _("Village")),
                ]
            columns += [("sex", _("Sex")), ("birth_year", _("Year of birth"))]
        else:
            if self.identifying:
                columns += [
                    ("name", _("Head of household")),
                    ("address", _("Address")),
                    ("village", _("Village")),
                ]
            columns += [("poverty", _("Poverty status"))]
        return [*columns, ("updated", _("Last changed on"))]

    def rows(self) -> Iterator[list]:
        keys = [key for key, _header in self.subject_columns()]
        questions = self.answer_questions()
        for response in self.responses.iterator(chunk_size=CHUNK):
            by_question = {a.question_id: a for a in response.answers.all()}
            subject = response.subject
            yield [_subject_value(response, subject, key) for key in keys] + [
                _answer_cell(by_question.get(q.pk)) for q in questions
            ]


def _subject_value(response: SurveyResponse, subject, key: str):
    if key == "record":
        return response.pk
    if key == "commune_code":
        return subject.commune.code
    if key == "commune":
        return subject.commune.name
    if key == "village":
        return subject.village.name if subject.village_id else ""
    if key == "updated":
        return timezone.localtime(response.updated_at).date()
    if key == "name":
        return subject.full_name if response.child_id else subject.head_name
    if key == "birth_date":
        return subject.birth_date
    if key == "birth_year":
        return subject.birth_year
    if key == "sex":
        return subject.get_sex_display()
    if key == "address":
        return subject.address
    if key == "poverty":
        return subject.get_poverty_status_display()
    raise ValueError(key)


def _answer_cell(answer: Answer | None):
    if answer is None:
        return ""
    kind = answer.question.kind
    if kind == QuestionKind.TEXT:
        return answer.text_value
    if kind == QuestionKind.NUMBER:
        return answer.number_value
    if kind == QuestionKind.YES_NO:
        return "" if answer.bool_value is None else (_("Yes") if answer.bool_value else _("No"))
    if kind == QuestionKind.DATE:
        return answer.date_value
    return "; ".join(c.label for c in answer.choices.all())


@transaction.atomic
def results_export(*, acting_user, survey: Survey, mode: str, identifying: bool) -> ResultsExport:
    """Allow, prepare and audit an export of ``survey``'s results as ``acting_user`` may see them."""
    if not may_see_results(acting_user):
        raise ScopeError("surveys.view_results")
    if not Survey.objects.restrict(acting_user, "view").filter(pk=survey.pk).exists():
        raise ScopeError("surveys.view_survey")
    if mode not in MODES:
        raise ValidationError({"mode": [_("Choose a summary for publication or exact results.")]})
    if mode == EXACT and not may_see_answers(acting_user):
        raise ValidationError({"mode": [_("Exact results are only for users who may open the responses.")]})
    identifying = identifying and mode == EXACT
    results = survey_results(user=acting_user, survey=survey)
    responses = None
    if mode == EXACT:
        if results.responses > XLSX_MAX_ROWS:
            raise ValidationError(
                {
                    "mode": [
                        _("%(count)s responses do not fit in an Excel sheet.") % {"count": results.responses}
                    ]
                }
            )
        responses = (
            survey_responses(user=acting_user, survey=survey)
            .select_related("child__commune", "child__village", "household__commune", "household__village")
            .prefetch_related(
                Prefetch(
                    "answers",
                    queryset=Answer.objects.restrict(acting_user, "view")
                    .select_related("question")
                    .prefetch_related("choices"),
                )
            )
            .order_by("id")
        )
    suffix = "" if mode == PUBLICATION else ("-chinh-xac" if identifying else "-chinh-xac-an-danh")
    filename = f"khao-sat-{survey.pk}-{timezone.localdate():%Y%m%d}{suffix}.xlsx"
    audit_record(
        acting_user,
        "surveys.survey.results_exported",
        survey,
        object_label=filename,
        changes={"mode": mode, "identifying": identifying, "responses": results.responses},
    )
    return ResultsExport(
        survey=survey,
        results=results,
        mode=mode,
        identifying=identifying,
        filename=filename,
        exported_by=acting_user.get_username(),
        responses=responses,
        questions=[r.question for r in results.questions],
    )


def write_results_xlsx(export: ResultsExport, destination: Path | BinaryIO) -> None:
    """Write the export: the summary sheet, then the answers sheet for exact exports."""
    import xlsxwriter

    book = xlsxwriter.Workbook(
        str(destination) if isinstance(destination, Path) else destination,
        {"constant_memory": True, "strings_to_formulas": False, "strings_to_numbers": False},
    )
    try:
        styles = {
            "title": book.add_format({"bold": True, "font_size": 13}),
            "bold": book.add_format({"bold": True}),
            "head": book.add_format({"bold": True, "bottom": 1, "text_wrap": True, "valign": "top"}),
            "number": book.add_format({"num_format": "#,##0"}),
            "decimal": book.add_format({"num_format": "#,##0.##"}),
            "date": book.add_format({"num_format": "dd/mm/yyyy"}),
            "mark": book.add_format({"align": "right", "font_color": "#7f0000"}),
        }
        _write_summary(book, export, styles)
        if export.responses is not None:
            _write_answers(book, export, styles)
    finally:
        book.close()


def _header_lines(export: ResultsExport) -> list[str]:
    survey = export.survey
    lines = [
        _("Unit covered: %(unit)s") % {"unit": survey.unit.label},
        _("Answers from %(start)s to %(end)s (%(status)s)")
        % {
            "start": survey.starts_on.strftime("%d/%m/%Y"),
            "end": survey.ends_on.strftime("%d/%m/%Y"),
            "status": survey.get_status_display(),
        },
        _("Responses counted: those of the children or households of the units you may see."),
    ]
    if export.publication:
        lines += [
            _("Suppressed: counts under 5 shown as <5."),
            _("x: a further count hidden so that those under 5 cannot be worked out from the totals."),
            _("Smallest, mean and largest values over fewer than 5 answers are hidden."),
        ]
    else:
        lines.append(_("Exact counts: not for publication."))
        if not export.identifying:
            lines.append(_("Identifying fields and text answers are left out of the answers sheet."))
    lines.append(
        _("Exported by %(user)s on %(when)s.")
        % {"user": export.exported_by, "when": timezone.localtime().strftime("%d/%m/%Y %H:%M")}
    )
    return lines


def _write_summary(book, export: ResultsExport, styles) -> None:
    sheet = book.add_worksheet(_("Summary")[:31])
    sheet.set_column(0, 0, 60)
    sheet.set_column(1, 2, 14)
    results = export.results
    hidden = results.hidden(export.publication)

    def count(row: int, shown: Shown) -> None:
        if shown.hidden:
            sheet.write_string(row, 1, shown.hidden, styles["mark"])
        else:
            sheet.write_number(row, 1, shown.value, styles["number"])

    sheet.write_string(0, 0, export.survey.title, styles["title"])
    row = 1
    for line in _header_lines(export):
        sheet.write_string(row, 0, line)
        row += 1
    row += 1
    sheet.write_string(row, 0, _("Responses by unit"), styles["bold"])
    row += 1
    sheet.write_string(row, 0, _("Unit"), styles["head"])
    sheet.write_string(row, 1, _("Responses"), styles["head"])
    row += 1
    grid = results.by_unit.grid(hidden)
    for line in grid["rows"]:
        sheet.write_string(row, 0, line["label"])
        count(row, line["total"])
        row += 1
    sheet.write_string(row, 0, _("Total"), styles["bold"])
    count(row, grid["footer"]["total"])
    row += 2
    for result in results.questions:
        question = result.question
        sheet.write_string(row, 0, str(question), styles["bold"])
        sheet.write_string(row, 1, question.get_kind_display())
        row += 1
        if result.table is not None:
            sheet.write_string(row, 0, _("Answer"), styles["head"])
            sheet.write_string(row, 1, _("Responses"), styles["head"])
            row += 1
            table_grid = result.table.grid(hidden)
            for line in table_grid["rows"]:
                sheet.write_string(row, 0, line["label"])
                count(row, line["total"])
                row += 1
            if table_grid["footer"]:
                sheet.write_string(row, 0, _("Total"), styles["bold"])
                count(row, table_grid["footer"]["total"])
                row += 1
            if question.kind == QuestionKind.MULTIPLE_CHOICE:
                sheet.write_string(row, 0, _("A response may pick several choices: the rows do not add up."))
                row += 1
        else:
            sheet.write_string(row, 0, _("Answered"))
            count(row, small(result.answered, export.publication))
            row += 1
            for key, label in _summary_labels(question):
                sheet.write_string(row, 0, label)
                value = (result.summary or {}).get(key)
                if summary_hidden(result, export.publication) and result.answered:
                    sheet.write_string(row, 1, HIDDEN_SMALL, styles["mark"])
                elif value is None:
                    sheet.write_blank(row, 1, None)
                elif question.kind == QuestionKind.DATE:
                    sheet.write_datetime(row, 1, value, styles["date"])
                else:
                    sheet.write_number(row, 1, float(value), styles["decimal"])
                row += 1
        row += 1
    if HIDDEN_SECONDARY in hidden.values():
        sheet.write_string(row, 0, _("x: hidden so that a count under 5 cannot be worked out."))


def _summary_labels(question: Question) -> list[tuple[str, str]]:
    if question.kind == QuestionKind.NUMBER:
        return [("low", _("Smallest")), ("mean", _("Mean")), ("high", _("Largest"))]
    if question.kind == QuestionKind.DATE:
        return [("low", _("Earliest")), ("high", _("Latest"))]
    return []


def _write_answers(book, export: ResultsExport, styles) -> None:
    sheet = book.add_worksheet(_("Answers")[:31])
    headers = [header for _key, header in export.subject_columns()] + [
        str(q) for q in export.answer_questions()
    ]
    for col, header in enumerate(headers):
        sheet.write_string(0, col, header, styles["head"])
        sheet.set_column(col, col, 18 if col < len(export.subject_columns()) else 24)
    sheet.freeze_panes(1, 0)
    for line, values in enumerate(export.rows(), start=1):
        for col, value in enumerate(values):
            if value is None or value == "":
                continue
            if isinstance(value, dt.date):
                sheet.write_datetime(line, col, value, styles["date"])
            elif isinstance(value, int) and not isinstance(value, bool):
                sheet.write_number(line, col, value)
            elif isinstance(value, Decimal):
                sheet.write_number(line, col, float(value), styles["decimal"])
            else:
                sheet.write_string(line, col, str(value))

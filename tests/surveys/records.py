"""Surveys built through the services, for the survey tests and the access matrix."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from treem.surveys import services
from treem.surveys.models import Survey


def today() -> dt.date:
    return timezone.localdate()


def open_child_survey(*, definer, unit, title: str, questions: bool = True) -> Survey:
    """An open survey about children of ``unit`` (answers accepted today), with three questions:
    yes/no (required), one choice (required) and a number from 0 to 24 (optional)."""
    survey = services.survey_create(
        acting_user=definer,
        unit=unit,
        title=title,
        subject_kind="child",
        starts_on=today() - dt.timedelta(days=10),
        ends_on=today() + dt.timedelta(days=30),
    )
    if questions:
        services.question_add(acting_user=definer, survey=survey, text="Trẻ có thẻ BHYT?", kind="yes_no")
        services.question_add(
            acting_user=definer,
            survey=survey,
            text="Trẻ đi học bằng phương tiện gì?",
            kind="single_choice",
            choices=["Đi bộ", "Xe đạp", "Xe máy"],
        )
        services.question_add(
            acting_user=definer,
            survey=survey,
            text="Số giờ ngủ mỗi ngày",
            kind="number",
            required=False,
            min_value=0,
            max_value=24,
        )
        services.survey_open(acting_user=definer, survey=survey)
    return survey


def survey_records(side, *, definer, tag: str) -> None:
    """For one side of the access matrix: an open survey of its commune answered for its child,
    and a draft survey with one question (the draft is what question pages can change)."""
    side.survey = open_child_survey(definer=definer, unit=side.commune, title=f"Khảo sát tiêm chủng {tag}")
    questions = list(side.survey.questions.order_by("position"))
    side.survey_answers = {
        questions[0].field_name: "yes",
        questions[1].field_name: str(questions[1].choices.first().pk),
    }
    side.response = services.response_save(
        acting_user=side.user,
        survey=side.survey,
        child=side.child,
        answers={questions[0]: True, questions[1]: questions[1].choices.first()},
    )
    side.draft = services.survey_create(
        acting_user=definer,
        unit=side.commune,
        title=f"Khảo sát nháp {tag}",
        subject_kind="child",
        starts_on=today(),
        ends_on=today() + dt.timedelta(days=30),
    )
    side.draft_question = services.question_add(
        acting_user=definer, survey=side.draft, text=f"Câu hỏi nháp {tag}", kind="text"
    )

"""The results as .xlsx: the published summary (small counts hidden), the exact export with every
answer (identifying fields or not), who may have which, and the audit event of each export."""

import datetime as dt
import io

import openpyxl
import pytest
from django.urls import reverse

from treem.audit.models import AuditEvent
from treem.children.models import Household
from treem.surveys import services

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@pytest.fixture
def answered(survey, questions, officer_a, officer_b, child_a, child_b):
    yes_no, choice, number = questions
    walk, bike, _moto = choice.choices.all()
    services.response_save(
        acting_user=officer_a,
        survey=survey,
        child=child_a,
        answers={yes_no: True, choice: walk, number: "7,5"},
    )
    services.response_save(
        acting_user=officer_b, survey=survey, child=child_b, answers={yes_no: False, choice: bike}
    )
    return survey


def workbook(response):
    assert response.status_code == 200, response.content[:500]
    assert response["Content-Type"] == XLSX
    return openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content)))


def rows(sheet):
    return [[cell for cell in row] for row in sheet.iter_rows(values_only=True)]


def find(sheet_rows, label):
    """The row whose first cell is ``label`` (the first one after the question's title)."""
    return next(row for row in sheet_rows if row and row[0] == label)


def exports():
    return AuditEvent.objects.filter(action="surveys.survey.results_exported")


def test_published_summary_hides_small_counts(client, answered, coordinator, geo):
    client.force_login(coordinator)
    book = workbook(client.get(reverse("surveys:results_export", args=[answered.pk])))
    assert book.sheetnames == ["Summary"]
    summary = rows(book["Summary"])
    assert summary[0][0] == "Khảo sát trẻ em 2026"
    assert find(summary, geo.commune_a.label)[:2] == [geo.commune_a.label, "<5"]
    assert find(summary, geo.commune_b.label)[:2] == [geo.commune_b.label, "<5"]
    assert find(summary, "Total")[:2] == ["Total", "<5"]
    assert any(row[0] == "Suppressed: counts under 5 shown as <5." for row in summary)
    # Numbers: one answer, hidden whole.
    assert find(summary, "Smallest")[:2] == ["Smallest", "<5"]
    assert "Lò Thị Mai" not in str(summary)
    event = exports().get()
    assert event.object_id == str(answered.pk) and event.unit == geo.province
    assert event.changes == {"mode": "publication", "identifying": False, "responses": 2}


def test_exact_export_with_identifying_fields(client, answered, coordinator, geo, questions, child_a):
    client.force_login(coordinator)
    url = reverse("surveys:results_export", args=[answered.pk])
    book = workbook(client.get(url, {"mode": "exact"}))  # the box left unticked: identifying fields go out
    assert book.sheetnames == ["Summary", "Answers"]
    summary = rows(book["Summary"])
    assert find(summary, geo.commune_a.label)[:2] == [geo.commune_a.label, 1]
    assert find(summary, "Total")[:2] == ["Total", 2]
    assert find(summary, "Mean")[:2] == ["Mean", 7.5]
    answers = rows(book["Answers"])
    header = answers[0]
    assert header[:4] == ["Response number", "Commune code", "Commune", "Full name"]
    assert header[-3:] == [str(q) for q in questions]
    by_name = {row[header.index("Full name")]: row for row in answers[1:]}
    mai = by_name["Lò Thị Mai"]
    assert mai[header.index("Commune code")] == geo.commune_a.code
    assert mai[header.index("Village")] == "Thôn Một"
    assert mai[header.index("Year of birth")] == 2016
    assert mai[-3:] == ["Yes", "Đi bộ", 7.5]
    assert by_name["Vừ Văn Páo"][-3:] == ["No", "Xe đạp", None]
    event = exports().get()
    assert event.changes == {"mode": "exact", "identifying": True, "responses": 2}


def test_exact_export_without_identifying_fields(
    client, coordinator, officer_a, household_survey, household_a
):
    water, day = household_survey.questions.order_by("position")
    services.response_save(
        acting_user=officer_a,
        survey=household_survey,
        household=household_a,
        answers={water: "yes", day: "02/01/2026"},
    )
    client.force_login(coordinator)
    url = reverse("surveys:results_export", args=[household_survey.pk])
    book = workbook(client.get(url, {"mode": "exact", "deidentified": "on"}))
    answers = rows(book["Answers"])
    assert answers[0] == [
        "Commune code",
        "Commune",
        "Poverty status",
        "Last changed on",
        str(water),
        str(day),
    ]
    assert answers[1][1] == household_a.commune.name
    assert answers[1][-2:] == ["Yes", dt.datetime(2026, 1, 2)]
    assert "Nguyễn Văn Hộ" not in str(answers) and "Thôn Một" not in str(answers)
    assert Household.objects.count() == 1
    assert exports().get().changes["identifying"] is False


def test_text_answers_are_identifying(client, coordinator, officer_a, geo, child_a):
    survey = services.survey_create(
        acting_user=coordinator,
        unit=geo.commune_a,
        title="Ghi chép",
        subject_kind="child",
        starts_on=geo.commune_a.valid_from,
        ends_on=geo.commune_a.valid_from.replace(year=2030),
    )
    note = services.question_add(acting_user=coordinator, survey=survey, text="Ghi chú", kind="text")
    services.question_add(
        acting_user=coordinator, survey=survey, text="Ngày thăm", kind="date", required=False
    )
    services.survey_open(acting_user=coordinator, survey=survey)
    services.response_save(
        acting_user=officer_a,
        survey=survey,
        child=child_a,
        answers={note: '=HYPERLINK("http://x") nhà bà Tư'},
    )
    client.force_login(coordinator)
    url = reverse("surveys:results_export", args=[survey.pk])
    identified = rows(workbook(client.get(url, {"mode": "exact"}))["Answers"])
    assert identified[1][-2] == '=HYPERLINK("http://x") nhà bà Tư'  # kept as text, never a formula
    anonymous = rows(workbook(client.get(url, {"mode": "exact", "deidentified": "on"}))["Answers"])
    assert str(note) not in anonymous[0] and "nhà bà Tư" not in str(anonymous)


def test_viewer_gets_the_published_summary_only(client, answered, viewer):
    client.force_login(viewer)
    url = reverse("surveys:results_export", args=[answered.pk])
    refused = client.get(url, {"mode": "exact"})
    assert refused.status_code == 400
    assert "Exact results are only for users who may open the responses." in refused.content.decode()
    assert not exports().exists()
    book = workbook(client.get(url))
    assert book.sheetnames == ["Summary"]
    assert exports().get().changes["mode"] == "publication"


def test_export_refusals_write_nothing(client, answered, coordinator, officer_b, no_role_a):
    url = reverse("surveys:results_export", args=[answered.pk])
    client.force_login(coordinator)
    assert client.get(url, {"mode": "everything"}).status_code == 400
    client.force_login(no_role_a)
    assert client.get(url).status_code == 403
    assert not exports().exists()
    # Officer B's export counts commune B only.
    client.force_login(officer_b)
    summary = rows(workbook(client.get(url, {"mode": "exact"}))["Summary"])
    assert find(summary, "Total")[:2] == ["Total", 1]
    assert "Lò Thị Mai" not in str(summary)

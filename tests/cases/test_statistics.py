"""Statistics on abuse: abused children by harm, sex, age and unit, cases opened / closed / with a
deadline missed, time from report to plan; the publication version's suppression; scope; export."""

from __future__ import annotations

import datetime as dt
import io

import openpyxl
import pytest
from django.urls import reverse
from django.utils import timezone

from tests.cases.records import NARRATIVE, open_case, submitted_plan
from tests.factories import ChildFactory
from treem.audit.models import AuditEvent
from treem.cases import statistics
from treem.cases.models import Deadline, HarmKind

pytestmark = pytest.mark.django_db


def harm(code: str) -> HarmKind:
    return HarmKind.objects.get(code=code)


def period() -> dict:
    today = timezone.localdate()
    return {"start": today - dt.timedelta(days=30), "end": today}


def cells(table) -> dict:
    """{(row label, column label): count} and {row label: total} of a Table, without suppression."""
    grid = table.grid()
    found = {}
    for row in grid["rows"]:
        for column, cell in zip(grid["columns"], row["cells"], strict=True):
            found[(row["label"], column)] = cell.value
        if row["total"] is not None:
            found[row["label"]] = row["total"].value
    return found


@pytest.fixture
def abused(worker_a, supervisor_a, geo):
    """Three children of commune A: a girl of 10 beaten (twice) and sexually abused (an act), a boy
    of 4 neglected, a girl of 15 with a case without a recorded harm (not counted as abused)."""
    girl = ChildFactory(commune=geo.commune_a, full_name="Lò Thị Mai", sex="female", birth_year=2016)
    boy = ChildFactory(commune=geo.commune_a, full_name="Lò Văn Páo", sex="male", birth_year=2022)
    other = ChildFactory(commune=geo.commune_a, full_name="Hà Thị Lan", sex="female", birth_year=2011)
    first = open_case(
        worker_a, geo.commune_a, supervisor=supervisor_a, child=girl, harm_kinds=[harm("violence")]
    )
    second = open_case(
        worker_a, geo.commune_a, supervisor=supervisor_a, child=girl, harm_kinds=[harm("indecency")]
    )
    third = open_case(
        worker_a, geo.commune_a, supervisor=supervisor_a, child=boy, harm_kinds=[harm("neglect")]
    )
    open_case(worker_a, geo.commune_a, supervisor=supervisor_a, child=other)
    return {"girl": girl, "boy": boy, "cases": [first, second, third]}


def test_abused_children_are_counted_once_in_every_harm(worker_a, abused, geo):
    result = statistics.abuse_statistics(user=worker_a, **period())
    assert result.abused_children == 2
    by_unit, by_harm, by_age = result.children_tables[:3]
    unit = cells(by_unit)
    assert unit[(geo.commune_a.label, "Female")] == 1 and unit[(geo.commune_a.label, "Male")] == 1
    assert by_unit.total == 2
    harms = cells(by_harm)
    assert harms["Bạo lực trẻ em"] == 1
    assert harms["Xâm hại tình dục trẻ em"] == 1  # the act counts under sexual abuse
    assert harms["Bỏ mặc, sao nhãng trẻ em"] == 1
    assert harms[("Bạo lực trẻ em", "Female")] == 1
    assert by_harm.total == 2  # each child once
    ages = cells(by_age)
    assert ages["6–10"] == 1 and ages["3–5"] == 1 and ages["11–15"] == 0
    # The selector the indicators use: the same children.
    assert set(statistics.abused_children(**period())) == {abused["girl"], abused["boy"]}


def test_cases_opened_closed_and_missed(worker_a, abused, geo):
    late = abused["cases"][0].deadlines.get(kind="initial_assessment")
    Deadline.objects.filter(pk=late.pk).update(due_at=timezone.now() - dt.timedelta(hours=1))
    result = statistics.abuse_statistics(user=worker_a, **period())
    row = cells(result.cases_table)
    assert row[(geo.commune_a.label, "Cases opened")] == 4
    assert row[(geo.commune_a.label, "Cases closed")] == 0
    assert row[(geo.commune_a.label, "Cases with a deadline missed")] == 1


def test_time_from_report_to_plan(worker_a, supervisor_a, geo):
    child = ChildFactory(commune=geo.commune_a, sex="male", birth_year=2015)
    case = open_case(
        worker_a,
        geo.commune_a,
        supervisor=supervisor_a,
        child=child,
        harm_kinds=[harm("violence")],
        received_at=timezone.now() - dt.timedelta(days=2),
    )
    submitted_plan(case, worker_a)
    result = statistics.abuse_statistics(user=worker_a, **period())
    assert len(result.plan_days) == 1 and 1.9 < result.plan_days[0] < 2.1
    exact = result.plan_summary(publication=False)
    assert exact["median"] == exact["mean"] == round(result.plan_days[0], 1)
    hidden = result.plan_summary(publication=True)
    assert hidden["median"] is None and hidden["hidden"]  # fewer than 5 cases


def test_publication_hides_small_counts(worker_a, abused):
    result = statistics.abuse_statistics(user=worker_a, **period())
    hidden = result.hidden(publication=True)
    by_unit = result.children_tables[0]
    grid = by_unit.grid(hidden)
    assert grid["footer"]["total"].text == "<5"
    assert all(c.text in ("<5", "0", "x") for row in grid["rows"] for c in row["cells"])
    assert result.hidden(publication=False) == {}


def test_scope_other_commune_counts_nothing_of_commune_a(officer_b, abused):
    result = statistics.abuse_statistics(user=officer_b, **period())
    assert result.abused_children == 0
    assert result.cases_table.rows == []


def test_statistics_only_users_count_by_place_without_case_rights(viewer, abused, coordinator):
    assert statistics.may_see_abuse_statistics(viewer) and not statistics.may_see_exact_counts(viewer)
    assert statistics.abuse_statistics(user=viewer, **period()).abused_children == 2  # the province
    assert statistics.statistics_cases(None).count() == 0


def test_period_ending_before_it_starts_is_refused(worker_a):
    with pytest.raises(ValueError):
        statistics.abuse_statistics(user=worker_a, start=dt.date(2026, 5, 1), end=dt.date(2026, 4, 1))


# --- the page and the export -----------------------------------------------------------------


def test_page_exact_for_case_workers(client, worker_a, abused):
    client.force_login(worker_a)
    response = client.get(reverse("cases:statistics"))
    text = response.content.decode()
    assert response.status_code == 200
    assert 'data-testid="exact"' in text and 'data-testid="abused-total">2<' in text
    assert NARRATIVE not in text and "Lò Thị Mai" not in text


def test_page_publication_for_leadership_and_exact_refused(client, viewer, abused):
    client.force_login(viewer)
    text = client.get(reverse("cases:statistics")).content.decode()
    assert 'data-testid="publication"' in text and "&lt;5" in text
    refused = client.get(reverse("cases:statistics"), {"mode": "exact"})
    assert refused.status_code == 400


def test_page_refuses_users_without_rights_and_units_out_of_scope(client, no_role_a, officer_b, geo):
    client.force_login(no_role_a)
    assert client.get(reverse("cases:statistics")).status_code == 403
    client.force_login(officer_b)
    assert client.get(reverse("cases:statistics"), {"unit": geo.commune_a.pk}).status_code == 404
    bad = client.get(reverse("cases:statistics"), {"start": "01/05/2026", "end": "01/04/2026"})
    assert bad.status_code == 400 and "The period ends before it starts." in bad.content.decode()


def test_export_is_audited_and_suppressed_for_leadership(client, viewer, abused):
    client.force_login(viewer)
    response = client.get(reverse("cases:statistics_export"))
    assert response.status_code == 200
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    values = [str(c.value) for sheet in book.worksheets for row in sheet.iter_rows() for c in row if c.value]
    assert "<5" in values
    assert not any(NARRATIVE in v or "Lò Thị Mai" in v for v in values)
    event = AuditEvent.objects.get(action="cases.statistics.exported")
    assert event.changes["mode"] == "publication"


def test_export_exact_for_case_workers(client, worker_a, abused):
    client.force_login(worker_a)
    response = client.get(reverse("cases:statistics_export"), {"mode": "exact"})
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    first = book.worksheets[0]
    numbers = [c.value for row in first.iter_rows() for c in row if isinstance(c.value, int | float)]
    assert 2 in numbers and 1 in numbers
    assert "chinh-xac" in response["Content-Disposition"]


def test_abused_children_by_setting(worker_a, supervisor_a, geo):
    at_school = ChildFactory(commune=geo.commune_a, sex="female", birth_year=2016)
    unknown = ChildFactory(commune=geo.commune_a, sex="male", birth_year=2014)
    open_case(
        worker_a,
        geo.commune_a,
        supervisor=supervisor_a,
        child=at_school,
        harm_kinds=[harm("violence")],
        setting="school",
    )
    open_case(worker_a, geo.commune_a, supervisor=supervisor_a, child=unknown, harm_kinds=[harm("violence")])
    result = statistics.abuse_statistics(user=worker_a, **period())
    by_setting = next(t for t in result.children_tables if t.row_dims == ("setting",))
    assert by_setting.row_totals[("school",)] == 1
    assert by_setting.row_totals[(statistics.NOT_KNOWN,)] == 1
    assert by_setting.total == 2
    assert not any("not recorded in the cases" in note for note in result.notes)


def test_an_unknown_setting_is_refused_and_no_case_is_opened(worker_a, supervisor_a, geo):
    from django.core.exceptions import ValidationError

    from treem.cases.models import Case

    child = ChildFactory(commune=geo.commune_a)
    with pytest.raises(ValidationError) as caught:
        open_case(worker_a, geo.commune_a, supervisor=supervisor_a, child=child, setting="moon")
    assert "setting" in caught.value.message_dict
    assert not Case.objects.filter(child=child).exists()

""" "To do" on the home page: what waits for this person, most urgent first, nothing of anyone else."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone, translation

from tests.cases.records import open_case, receive, submitted_plan
from tests.factories import UserFactory
from treem.core.worklist import worklist

pytestmark = pytest.mark.django_db


@pytest.fixture
def worker_a(geo):
    return UserFactory(
        username="vv_work", full_name="Võ Thị Linh", roles=["case_worker"], units=[geo.commune_a]
    )


@pytest.fixture
def hotline(geo):
    return UserFactory(username="td_work", roles=["hotline_officer"], units=[geo.province])


def kinds(user) -> list[tuple[str, str, str]]:
    with translation.override("en"):  # the kinds are asserted in the source language
        items, _total = worklist(user)
        return [(str(item.kind), item.title, state) for item, state in items]


def test_a_hotline_report_waits_for_the_commune_not_for_the_other(
    client, geo, worker_a, officer_a, officer_b, hotline
):
    report = receive(hotline, geo.commune_a, received_at=timezone.now() - dt.timedelta(hours=13))
    for user in (officer_a, worker_a):
        found = [k for k in kinds(user) if report.tracking_code in k[1]]
        assert found == [("Report to screen", f"{report.tracking_code} · {geo.commune_a.label}", "overdue")]
    assert not any(report.tracking_code in k[1] for k in kinds(officer_b))
    client.force_login(officer_a)
    page = client.get(reverse("home")).content.decode()
    assert 'data-testid="worklist"' in page and report.tracking_code in page
    assert "Lò Thị Mai" not in page  # the child's name stays on the report's page


def test_a_plan_waits_for_the_supervisor_and_deadlines_for_the_workers(
    geo, worker_a, supervisor_a, officer_a
):
    case = open_case(worker_a, geo.commune_a, supervisor=supervisor_a)
    mine = kinds(worker_a)
    assert [k for k in mine if k[1] == case.number]  # its deadlines
    assert not [k for k in kinds(officer_a) if k[1] == case.number]  # not in the group
    submitted_plan(case, worker_a)
    assert ("Plan to approve", case.number, "none") in kinds(supervisor_a)
    assert ("Plan to approve", case.number, "none") not in kinds(worker_a)


def test_most_urgent_first(geo, worker_a, supervisor_a):
    late = open_case(
        worker_a, geo.commune_a, supervisor=supervisor_a, received_at=timezone.now() - dt.timedelta(days=3)
    )
    fresh = open_case(worker_a, geo.commune_a, supervisor=supervisor_a)
    items, total = worklist(worker_a)
    numbers = [item.title for item, _state in items]
    assert numbers.index(late.number) < numbers.index(fresh.number)
    states = [state for _item, state in items]
    assert states[0] == "overdue" and total == len(items)


def test_nothing_waits_for_a_user_without_roles(client, no_role_a):
    assert worklist(no_role_a) == ([], 0)
    client.force_login(no_role_a)
    assert 'data-testid="worklist-empty"' in client.get(reverse("home")).content.decode()

"""The read-only API of plans and tasks: scoped like the pages."""

import datetime as dt

from django.urls import reverse

from treem.plans import services


def test_reporter_gets_its_agencys_tasks_only(client, reporter, coordinator, plan, task, geo):
    other = services.task_create(
        acting_user=coordinator, plan=plan, code="2", content="Việc của phường", lead_agency=geo.agency_a
    )
    client.force_login(reporter)
    data = client.get(reverse("api:plantask-list")).json()
    assert [row["code"] for row in data["results"]] == ["1"]
    assert data["results"][0]["lead_agency_name"] == "Sở Y tế"
    assert client.get(reverse("api:plantask-detail", args=[other.pk])).status_code == 404
    client.force_login(coordinator)
    assert {r["code"] for r in client.get(reverse("api:plantask-list")).json()["results"]} == {"1", "2"}


def test_late_filter_and_plan_detail(client, coordinator, plan, task):
    task.deadline = dt.date.today() - dt.timedelta(days=3)
    task.save()
    client.force_login(coordinator)
    rows = client.get(reverse("api:plantask-list"), {"status": "late"}).json()["results"]
    assert [(r["code"], r["status"]) for r in rows] == [("1", "late")]
    assert client.get(reverse("api:plantask-list"), {"status": "in_progress"}).json()["results"] == []
    data = client.get(reverse("api:plan-detail", args=[plan.pk])).json()
    assert data["key"] == "KH-THU/2026" and data["issued_on"] is None


def test_anonymous_gets_401(client, plan):
    assert client.get(reverse("api:plan-list")).status_code == 401


def test_tasks_carry_their_areas_and_a_waiting_lead(client, coordinator, loaded):
    client.force_login(coordinator)
    rows = {
        r["code"]: r for r in client.get(reverse("api:plantask-list"), {"page_size": 500}).json()["results"]
    }
    assert rows["IV.8.b"]["areas"] == ["II.7"]
    police = rows["IV.10"]  # the test register has no police: the name waits for the coordinator
    assert police["lead_agency"] is None and police["lead_agency_name"] is None
    assert police["lead_label"].startswith("Công an tỉnh (waiting")

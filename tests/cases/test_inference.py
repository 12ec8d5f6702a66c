"""No child identifiable as a victim by inference (issue 19).

The attack: a user of the same ward, outside a case's group, reads on the statistics on abuse
"Phường An · Female · 6–10 · Sexual abuse: 1" and on the child's registry page that the record
came from a protection report — together they name the girl. Each role, at the commune and at the
province, tries it: the statistics page (default and ``mode=exact``), its .xlsx export and the
child's page and API record. No count from 1 to 4 may reach anyone outside the case's group, and
no registry page may say where the record came from.
"""

from __future__ import annotations

import datetime as dt
import io

import openpyxl
import pytest
from django.urls import reverse
from django.utils import timezone

from tests.cases.records import open_case, receive
from tests.factories import ChildFactory, UserFactory
from treem.accounts.roles import ROLES
from treem.audit.models import AuditEvent
from treem.cases import services, statistics
from treem.cases.models import HarmKind
from treem.children.models import Child

pytestmark = pytest.mark.django_db

# "Child protection report" in both languages: the old registry source of such records.
REVEALING = ("Child protection report", "Thông báo, tố giác về bảo vệ trẻ em", "protection report")


def period() -> dict:
    today = timezone.localdate()
    return {"start": (today - dt.timedelta(days=30)).strftime("%d/%m/%Y"), "end": today.strftime("%d/%m/%Y")}


@pytest.fixture
def victim(worker_a, supervisor_a, geo):
    """A 9-year-old girl of commune A registered from a hotline report, her case for sexual abuse
    in the family; the case's group: ``worker_a`` and ``supervisor_a``."""
    report = receive(worker_a, geo.commune_a, child_name="Lò Thị Hoa", child_sex="female", child_age=9)
    child = services.report_create_child(acting_user=worker_a, report=report, commune=geo.commune_a)
    case = services.case_open(
        acting_user=worker_a,
        reports=[report],
        supervisor=supervisor_a,
        harm_kinds=[HarmKind.objects.get(code="sexual_abuse")],
        setting="family",
    )
    return {"child": child, "case": case}


def small_counts_in_page(response) -> list:
    """Every count from 1 to 4 the statistics page shows (cells, totals, the total of children)."""
    found = []
    context = response.context
    if not context["publication"] and context["result"].abused_children in range(1, 5):
        found.append(("abused children", context["result"].abused_children))
    for table in context["tables"]:
        grid = table["grid"]
        shown = [*grid["rows"], *([grid["footer"]] if grid["footer"] else [])]
        for row in shown:
            for cell in [*row["cells"], row["total"]]:
                if cell is not None and not cell.hidden and 1 <= cell.value <= 4:
                    found.append((table["title"], row.get("label"), cell.value))
    plan = context["plan"]
    if not plan["hidden"] and plan["count"].value in range(1, 5) and plan["median"] is not None:
        found.append(("plan", plan["count"].value))
    return found


def small_counts_in_workbook(content: bytes) -> list:
    book = openpyxl.load_workbook(io.BytesIO(content))
    return [
        (sheet.title, cell.coordinate, cell.value)
        for sheet in book.worksheets
        for row in sheet.iter_rows()
        for cell in row
        if isinstance(cell.value, int | float) and 1 <= cell.value <= 4
    ]


def role_users(geo):
    """One user per role of the role table, at the commune and at the province (and the
    administrator, who sees all units)."""
    users = []
    for role in ROLES:
        if role.sees_all_units:
            users.append(
                UserFactory(username=f"x_{role.slug}", roles=[role.slug], units=[], sees_all_units=True)
            )
            continue
        for place, unit in (("commune", geo.commune_a), ("province", geo.province)):
            users.append(UserFactory(username=f"x_{role.slug}_{place}", roles=[role.slug], units=[unit]))
    return users


def test_no_role_outside_the_group_can_name_the_victim(client, victim, geo):
    attempts = 0
    for user in role_users(geo):
        client.force_login(user)
        for query in ({}, {"mode": "exact"}, {"mode": "exact", "unit": geo.commune_a.pk}):
            response = client.get(reverse("cases:statistics"), {**period(), **query})
            if response.status_code == 403:
                continue
            if response.status_code == 400:  # may not ask for exact counts at all: no figures
                assert query.get("mode") == "exact" and not statistics.may_see_exact_counts(user)
                assert "result" not in response.context
                continue
            assert response.status_code == 200, (user.username, query, response.status_code)
            attempts += 1
            assert response.context["publication"], (user.username, query)
            assert small_counts_in_page(response) == [], (user.username, query)
            export = client.get(reverse("cases:statistics_export"), {**period(), **query})
            assert export.status_code == 200
            assert "chinh-xac" not in export["Content-Disposition"]
            assert small_counts_in_workbook(export.content) == [], (user.username, query)
        # The registry: the child's page and API record say nothing of the report.
        page = client.get(reverse("children:child_detail", args=[victim["child"].pk]))
        if page.status_code == 200:
            text = page.content.decode()
            assert "Lò Thị Hoa" in text
            assert not any(word in text for word in REVEALING), user.username
        api = client.get(f"/api/v1/children/{victim['child'].pk}/")
        if api.status_code == 200:
            assert api.json()["source"] == "", user.username
    # Roles able to open the statistics tried them (the commune officer, case worker, supervisor,
    # coordinator, hotline, leadership…): the test is not vacuous.
    assert attempts >= 10
    assert not AuditEvent.objects.filter(action="cases.statistics.exact_viewed").exists()


def test_the_case_group_gets_exact_counts(client, victim, worker_a, supervisor_a):
    for member in (worker_a, supervisor_a):
        client.force_login(member)
        response = client.get(reverse("cases:statistics"), {**period(), "mode": "exact"})
        assert response.status_code == 200
        assert not response.context["publication"]
        assert response.context["result"].abused_children == 1
        assert 'data-testid="abused-total">1<' in response.content.decode()


def test_a_case_outside_the_group_turns_exact_into_publication_with_the_reason(
    client, victim, worker_a, supervisor_a, geo
):
    other = UserFactory(username="vuviec_khac", roles=["case_worker"], units=[geo.commune_a])
    open_case(
        other, geo.commune_a, supervisor=supervisor_a, harm_kinds=[HarmKind.objects.get(code="violence")]
    )
    client.force_login(worker_a)  # in the first case's group, not in the second's
    response = client.get(reverse("cases:statistics"), {**period(), "mode": "exact"})
    assert response.context["publication"]
    text = response.content.decode()
    assert 'data-testid="exact-refused"' in text and "1 case of this period is outside your groups" in text
    # The supervisor of both still gets exact counts.
    client.force_login(supervisor_a)
    response = client.get(reverse("cases:statistics"), {**period(), "mode": "exact"})
    assert not response.context["publication"] and response.context["result"].abused_children == 2


def test_break_the_glass_counts_as_seeing_the_case(victim, geo):
    officer = UserFactory(username="canbo_glass", roles=["case_supervisor"], units=[geo.commune_a])
    today = timezone.localdate()
    span = {"start": today - dt.timedelta(days=30), "end": today}
    assert not statistics.exact_counts_allowed(officer, **span).allowed
    services.case_break_glass(acting_user=officer, case=victim["case"], reason="Kiểm tra khẩn cấp")
    assert statistics.exact_counts_allowed(officer, **span).allowed


def test_the_exact_statistics_permission_is_audited(client, victim, geo):
    from django.contrib.auth.models import Permission

    analyst = UserFactory(username="thongke", roles=["provincial_coordinator"], units=[geo.province])
    analyst.user_permissions.add(Permission.objects.get(codename="view_exact_statistics"))
    client.force_login(analyst)
    response = client.get(reverse("cases:statistics"), {**period(), "mode": "exact"})
    assert not response.context["publication"] and response.context["result"].abused_children == 1
    event = AuditEvent.objects.get(action="cases.statistics.exact_viewed")
    assert event.actor == analyst and event.changes["cases_outside_group"] == 1
    export = client.get(reverse("cases:statistics_export"), {**period(), "mode": "exact"})
    assert "chinh-xac" in export["Content-Disposition"]
    assert AuditEvent.objects.filter(action="cases.statistics.exact_viewed").count() == 2


def test_a_child_registered_from_a_report_keeps_no_trace_of_it(victim):
    child = Child.objects.get(pk=victim["child"].pk)
    assert child.source == ""
    assert victim["case"].child_id == child.pk  # the case still leads to the child


def test_the_migration_forgets_the_old_source(geo):
    import importlib

    from django.apps import apps

    migration = importlib.import_module("treem.children.migrations.0007_no_case_report_source")
    old = ChildFactory(commune=geo.commune_a, source="Thông báo, tố giác về bảo vệ trẻ em")
    kept = ChildFactory(commune=geo.commune_a, source="Điều tra hộ gia đình")
    migration.forget_case_source(apps, None)
    old.refresh_from_db()
    kept.refresh_from_db()
    assert old.source == "" and kept.source == "Điều tra hộ gia đình"

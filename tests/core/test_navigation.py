"""The main menu: at most 7 menus for any role, grouped by the work, each item a real page the user
may open; the site's search box finds a child, a case number or a tracking code in scope only."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Permission
from django.test import Client
from django.urls import reverse

from tests.cases.records import open_case
from tests.factories import ChildFactory, UserFactory
from treem.accounts.roles import ROLES
from treem.core.navigation import MENUS, menu_for

pytestmark = pytest.mark.django_db


def test_every_item_names_a_real_page_and_permission(db):
    known = {
        f"{p.content_type.app_label}.{p.codename}" for p in Permission.objects.select_related("content_type")
    }
    labels = []
    for menu in MENUS:
        for item in menu.items:
            reverse(item.url)
            for _perm, url in item.alternatives:
                reverse(url)
            assert set(item.perms) <= known, item.url
            labels.append(str(item.label))
    assert len(labels) == len(set(labels)), "two items of the menu read the same"
    assert len(MENUS) <= 7


@pytest.mark.parametrize("role", [r.slug for r in ROLES if not r.machine])
def test_each_role_sees_at_most_seven_menus_and_can_open_every_item(role, geo):
    sees_all = next(r.sees_all_units for r in ROLES if r.slug == role)
    user = UserFactory(
        username=f"nav_{role}",
        roles=[role],
        units=[] if sees_all else [geo.province],
        sees_all_units=sees_all,
    )
    menus = menu_for(user)
    assert 1 <= len(menus) <= 7
    client = Client()
    client.force_login(user)
    for menu in menus:
        for item in menu.items:
            response = client.get(item.href)
            assert response.status_code == 200, (role, item.href, response.status_code)
    page = client.get(reverse("home")).content.decode()
    assert page.count('class="nav-item dropdown" data-menu=') == len(menus)


def test_a_user_without_roles_sees_no_menu(no_role_a):
    assert menu_for(no_role_a) == []


@pytest.mark.parametrize("role", [r.slug for r in ROLES if r.machine])
def test_a_machine_clients_role_sees_no_menu(role, geo):
    assert menu_for(UserFactory(username=f"nav_{role}", roles=[role], units=[geo.province])) == []


def test_the_page_marks_its_own_menu(coordinator):
    menus = menu_for(coordinator, reverse("children:statistics"))
    active = [(m.key, i.testid) for m in menus for i in m.items if i.active]
    assert active == [("reports", "nav-child-statistics")]  # not also "Child records" (/children/)


def test_search_box_finds_a_child_case_and_report_in_scope_only(
    client, geo, officer_a, officer_b, supervisor_a
):
    child = ChildFactory(commune=geo.commune_a, full_name="Đặng Thị Thu", personal_id="048316000123")
    worker = UserFactory(username="vv_search", roles=["case_worker"], units=[geo.commune_a])
    case = open_case(worker, geo.commune_a, supervisor=supervisor_a, child=child)
    report = case.reports.first()
    client.force_login(supervisor_a)
    # A name typed without accents lists the child.
    page = client.get(reverse("search"), {"q": "dang thu"})
    assert page.status_code == 200 and "Đặng Thị Thu" in page.content.decode()
    # An ID number, a case number and a tracking code open their record at once.
    assert client.get(reverse("search"), {"q": "048316000123"})["Location"] == child.get_absolute_url()
    assert client.get(reverse("search"), {"q": case.number})["Location"] == case.get_absolute_url()
    lower = report.tracking_code.lower()
    assert client.get(reverse("search"), {"q": lower})["Location"] == report.get_absolute_url()
    # Another commune's officer finds none of them.
    client.force_login(officer_b)
    for text in ("dang thu", "048316000123", case.number, report.tracking_code):
        page = client.get(reverse("search"), {"q": text})
        assert page.status_code == 200 and 'data-testid="search-none"' in page.content.decode(), text
    # A case is never found by its child's name for someone who cannot open cases.
    client.force_login(officer_a)
    text = client.get(reverse("search"), {"q": "dang thu"}).content.decode()
    assert case.number not in text


def test_search_refuses_nothing_but_bounds_the_text(client, officer_a):
    client.force_login(officer_a)
    response = client.get(reverse("search"), {"q": "x" * 5000})
    assert response.status_code == 200 and len(response.context["q"]) == 100
    assert client.get(reverse("search")).status_code == 200

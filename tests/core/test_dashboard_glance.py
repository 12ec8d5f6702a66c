"""The province at a glance on a leader's and a coordinator's home page: key figures against last
year, charts, and the map of communes coloured by a chosen figure; small counts hidden from those
who may not see the records behind them; nothing of it for a commune officer (one commune)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from tests.cases.records import open_case
from tests.factories import ChildFactory, UserFactory
from treem.cases.models import HarmKind
from treem.children import services as children_services
from treem.children.models import CircumstanceGroup

pytestmark = pytest.mark.django_db


@pytest.fixture
def province(geo, coordinator):
    for unit, (lat, lon) in ((geo.commune_a, (16.05, 108.2)), (geo.commune_b, (15.9, 108.3))):
        unit.latitude, unit.longitude = lat, lon
        unit.save(update_fields=["latitude", "longitude"])
    kids = [ChildFactory(commune=geo.commune_a, birth_year=2015) for _i in range(7)]
    kids.append(ChildFactory(commune=geo.commune_b, birth_year=2014))
    group = CircumstanceGroup.objects.order_by("pk").first()
    for child in kids[:6]:
        children_services.circumstance_enter(
            acting_user=coordinator,
            child=child,
            group=group,
            entered_on=dt.date.today() - dt.timedelta(days=30),
        )
    worker = UserFactory(username="vv_glance", roles=["case_worker"], units=[geo.commune_a])
    boss = UserFactory(username="ct_glance", roles=["case_supervisor"], units=[geo.province])
    violence = HarmKind.objects.get(code="violence")
    for child in kids[:2]:
        open_case(worker, geo.commune_a, supervisor=boss, child=child, harm_kinds=[violence])
    return {"children": kids, "group": group, "worker": worker, "boss": boss}


def test_the_coordinator_sees_the_province_at_a_glance(client, coordinator, province, geo):
    client.force_login(coordinator)
    response = client.get(reverse("home"))
    text = response.content.decode()
    for part in (
        "glance-children",
        "glance-cases",
        "commune-map",
        "chart-groups",
        "chart-months",
        "chart-harms",
    ):
        assert f'data-testid="{part}"' in text, part
    # What the page shows, not only what the view computed: the figures, the bars, the points.
    assert text.count('data-testid="figure"') == 4
    assert 'data-value="8"' in text and 'data-value="6"' in text
    assert text.count("<circle ") == 2 and f'data-name="{geo.commune_a.name}" data-value="7"' in text
    assert '<option value="cases_opened"' in text
    sections = {s["template"]: s for s in response.context["sections"]}
    children = sections["children/_dashboard_glance.html"]
    assert [f.now for f in children["figures"]] == ["8", "6"]  # exact: the coordinator sees the records
    assert [(b.label, b.text) for b in children["by_group"]] == [(province["group"].name, "6")]
    cases = sections["cases/_dashboard_glance.html"]
    # Two cases outside the coordinator's groups: the case figures are for publication.
    assert cases["publication"] and cases["figures"][0].now == "<5"
    assert all(bar.text in ("0", "<5") for bar in cases["by_month"])
    # The map: both communes, coloured by the children by default, with their numbers.
    data = sections["geo/_map.html"]["map"]
    assert data["measure"].key == "children"
    assert sorted((p.name, p.text) for p in data["points"]) == [
        (geo.commune_a.name, "7"),
        (geo.commune_b.name, "1"),
    ]
    # Coloured by cases opened: commune A's 2 cases are hidden (grey), not drawn by their number.
    data = client.get(reverse("home"), {"map": "cases_opened"}).context["sections"][-1]["map"]
    by_name = {p.name: p for p in data["points"]}
    assert by_name[geo.commune_a.name].css == "map-hidden" and by_name[geo.commune_a.name].text == "<5"
    assert by_name[geo.commune_b.name].css == "map-none"


def test_the_case_group_sees_exact_case_figures(client, province):
    client.force_login(province["boss"])
    sections = {s["template"]: s for s in client.get(reverse("home")).context["sections"]}
    cases = sections["cases/_dashboard_glance.html"]
    assert not cases["publication"] and cases["figures"][0].now == "2"
    assert [(b.label, b.text) for b in cases["by_harm"] if b.value] == [("Bạo lực trẻ em", "2")]


def test_leadership_sees_children_counts_hidden_under_five(client, viewer, province):
    client.force_login(viewer)
    sections = {s["template"]: s for s in client.get(reverse("home")).context["sections"]}
    data = sections["geo/_map.html"]["map"]
    assert sorted(p.text for p in data["points"]) == ["7", "<5"]
    children = sections["children/_dashboard_glance.html"]
    assert children["publication"] and [f.now for f in children["figures"]] == ["8", "6"]


def test_a_commune_officer_gets_the_worklist_not_the_province(client, officer_a, province):
    client.force_login(officer_a)
    text = client.get(reverse("home")).content.decode()
    assert 'data-testid="worklist"' in text
    assert 'data-testid="commune-map"' not in text and 'data-testid="glance-children"' not in text


def test_a_far_island_is_listed_beside_the_map_not_drawn(client, coordinator, province, geo):
    from tests.factories import CommuneFactory

    near = [(16.0 + i / 100, 108.2 + i / 100) for i in range(4)]
    for i, (lat, lon) in enumerate(near):
        CommuneFactory(
            name=f"Phường Gần {i}", code=f"2090{i}", parent=geo.province, latitude=lat, longitude=lon
        )
    CommuneFactory(name="Đặc khu Đảo Xa", code="20999", parent=geo.province, latitude=16.5, longitude=112.0)
    client.force_login(coordinator)
    text = client.get(reverse("home")).content.decode()
    assert 'data-name="Đặc khu Đảo Xa"' not in text
    assert text.count("<circle ") == 6  # the two communes and the four near ones
    assert 'data-testid="map-outside"' in text and "Đặc khu Đảo Xa: 0" in text

"""Statistics of the child database: hand-counted numbers, scope, suppression, the .xlsx export.

The fixture (counted on DAY = 15/10/2025, records made in 2020):

=====  ========  =========  ======  ============================  ========  ==============================
child  commune   village    sex     born                          ethnic    groups (entered – left)
=====  ========  =========  ======  ============================  ========  ==============================
a1     A         Thôn Một   female  01/01/2024 (1 → 0–2)          Kinh
a2     A         Thôn Một   male    16/10/2019 (5, 6 tomorrow)    Kinh
a3     A         –          female  2015 only (10 → 6–10)         Hmông     d 01/01/2024 –
a4     A         Thôn Một   male    15/10/2010 (15 today)         Hmông     d 01/06/2023 – 01/03/2025;
                                                                            i 01/05/2025 –
a5     A         Thôn Một   female  15/10/2008 (17 today)         Kinh
a6     A         Thôn Một   male    15/10/2007 (18 today: out)    Kinh
a7     A         Thôn Một   female  2018, left the registry       Kinh
a8     A         Thôn Một   female  16/10/2007 (17, 18 tomorrow)  –
b1     B         Thôn Hai   female  2019 only (6)                 Kinh      d 01/02/2025 –; i 01/08/2025 –;
                                                                            at risk 01/09/2025 –
b2     B         Thôn Hai   male    05/05/2012 (13)               Kinh
b3     B         –          male    01/12/2025 (not yet born)     Kinh
b4     B         Thôn Hai   female  2025 only (0)                 Kinh
c1     C (another province) female  2016                          Kinh      d 01/01/2024 –
=====  ========  =========  ======  ============================  ========  ==============================

Counted on DAY: A = a1 a2 a3 a4 a5 a8 (4 female, 2 male), B = b1 b2 b4 (2 female, 1 male): 9.
"""

import datetime as dt
import io

import openpyxl
import pytest
from django.contrib.auth.models import Permission
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation

from tests.conftest import BEFORE, REORG
from tests.factories import ChildFactory, CommuneFactory, ProvinceFactory, UserFactory, VillageFactory
from treem.audit.models import AuditEvent
from treem.children.models import Child, CircumstanceGroup, CircumstanceMembership, Ethnicity
from treem.children.statistics import (
    HIDDEN_SMALL,
    TIMES,
    ChildCounts,
    Table,
    age_q,
    check_age_bands,
    child_statistics,
    child_trend,
    statistics_children,
    suppress,
)
from treem.geo.reorganisation import reorganise

DAY = dt.date(2025, 10, 15)
MADE = timezone.make_aware(dt.datetime(2020, 1, 1, 8, 0))
URL = "children:statistics"
EXPORT = "children:statistics_export"


@pytest.fixture(autouse=True)
def _english(settings):
    settings.LANGUAGE_CODE = "en"
    with translation.override("en"):
        yield


def group(code, name, *, special=True, order=0):
    found, _created = CircumstanceGroup.objects.get_or_create(
        code=code, defaults={"name": name, "is_special_circumstance": special, "sort_order": order}
    )
    return found


@pytest.fixture
def kids(geo):
    """The children of the table above, on namespace ``geo``."""
    g = geo
    kinh, _c = Ethnicity.objects.get_or_create(code="01", defaults={"name": "Kinh"})
    hmong, _c = Ethnicity.objects.get_or_create(code="08", defaults={"name": "Hmông"})
    g.kinh, g.hmong = kinh, hmong
    g.group_d = group("d", "Trẻ em khuyết tật", order=4)
    g.group_i = group("i", "Trẻ em bị bạo lực", order=9)
    g.at_risk = group("nguy-co", "Trẻ em có nguy cơ", special=False, order=99)
    g.province_c = ProvinceFactory(name="Tỉnh Xa", code="47", valid_from=REORG)
    g.commune_c = CommuneFactory(name="Xã Xa Xôi", code="30001", parent=g.province_c, valid_from=REORG)
    a, b, va, vb = g.commune_a, g.commune_b, g.village_a, g.village_b

    def child(name, commune, village, sex, *, date=None, year=None, ethnicity=kinh, **extra):
        return ChildFactory(
            full_name=name,
            commune=commune,
            village=village,
            sex=sex,
            birth_date=date,
            birth_year=year or date.year,
            ethnicity=ethnicity,
            **extra,
        )

    g.a1 = child("Nguyễn Thị Một", a, va, "female", date=dt.date(2024, 1, 1))
    g.a2 = child("Trần Văn Hai", a, va, "male", date=dt.date(2019, 10, 16))
    g.a3 = child("Lý Thị Ba", a, None, "female", year=2015, ethnicity=hmong)
    g.a4 = child("Giàng A Bốn", a, va, "male", date=dt.date(2010, 10, 15), ethnicity=hmong)
    g.a5 = child("Lê Thị Năm", a, va, "female", date=dt.date(2008, 10, 15))
    g.a6 = child("Phạm Văn Sáu", a, va, "male", date=dt.date(2007, 10, 15))
    g.a7 = child("Đỗ Thị Bảy", a, va, "female", year=2018, is_active=False, inactive_reason="Chuyển đi")
    g.a8 = child("Vũ Thị Tám", a, va, "female", date=dt.date(2007, 10, 16), ethnicity=None)
    g.b1 = child("Hoàng Thị Chín", b, vb, "female", year=2019)
    g.b2 = child("Đặng Văn Mười", b, vb, "male", date=dt.date(2012, 5, 5))
    g.b3 = child("Bùi Văn Mới", b, None, "male", date=dt.date(2025, 12, 1))
    g.b4 = child("Ngô Thị Nhỏ", b, vb, "female", year=2025)
    g.c1 = child("Mai Thị Xa", g.commune_c, None, "female", year=2016)
    for kid, grp, entered, left in [
        (g.a3, g.group_d, dt.date(2024, 1, 1), None),
        (g.a4, g.group_d, dt.date(2023, 6, 1), dt.date(2025, 3, 1)),
        (g.a4, g.group_i, dt.date(2025, 5, 1), None),
        (g.b1, g.group_d, dt.date(2025, 2, 1), None),
        (g.b1, g.group_i, dt.date(2025, 8, 1), None),
        (g.b1, g.at_risk, dt.date(2025, 9, 1), None),
        (g.c1, g.group_d, dt.date(2024, 1, 1), None),
    ]:
        CircumstanceMembership.objects.create(child=kid, group=grp, entered_on=entered, left_on=left)
    Child.objects.update(created_at=MADE)
    return g


def counts_for(user, dims, *, day=DAY, unit=None):
    return child_statistics(queryset=statistics_children(user), group_by=dims, day=day, unit=unit)


def cells(table):
    return {(row, col): n for (row, col), n in table.cells.items() if n}


# --- hand-counted numbers -----------------------------------------------------------------------


def test_units_by_sex(kids, coordinator):
    g = kids
    table = counts_for(coordinator, ["unit", "sex"], unit=g.province)
    A, B = g.commune_a.pk, g.commune_b.pk
    assert cells(table) == {((A,), "female"): 4, ((A,), "male"): 2, ((B,), "female"): 2, ((B,), "male"): 1}
    assert table.row_totals == {(A,): 6, (B,): 3}
    assert table.col_totals == {"female": 6, "male": 3}
    assert table.total == 9
    assert table.rows == [(A,), (B,)]
    assert table.units[A] == g.commune_a


def test_age_bands_are_counted_on_the_day_from_the_date_or_the_year(kids, coordinator):
    g = kids
    table = counts_for(coordinator, ["unit", "age_band"], unit=g.province)
    A, B = g.commune_a.pk, g.commune_b.pk
    # a2 is 5 until tomorrow, a4 15 and a5 17 from today; a6 turns 18 today and a8 tomorrow.
    assert cells(table) == {
        ((A,), 0): 1,
        ((A,), 1): 1,
        ((A,), 2): 1,
        ((A,), 3): 1,
        ((A,), 4): 2,
        ((B,), 0): 1,
        ((B,), 2): 1,
        ((B,), 3): 1,
    }
    assert table.col_totals == {0: 2, 1: 1, 2: 2, 3: 2, 4: 2}
    with translation.override("en"):
        labels = [str(table.labels["age_band"][i]) for i in range(5)]
    assert labels == ["0–2", "3–5", "6–10", "11–15", "16–17 (minors, not children)"]
    # A day later a2 moves up a band and a8 leaves the statistics.
    later = counts_for(coordinator, ["age_band"], day=DAY + dt.timedelta(days=1), unit=g.province)
    assert later.row_totals == {(0,): 2, (1,): 0, (2,): 3, (3,): 2, (4,): 1}


def test_ethnicity_with_not_recorded(kids, coordinator):
    g = kids
    table = counts_for(coordinator, ["ethnicity"], unit=g.province)
    assert table.row_totals == {(g.kinh.pk,): 6, (g.hmong.pk,): 2, (None,): 1}
    assert table.rows[-1] == (None,) and table.labels["ethnicity"][None] == "Ethnic group not recorded"
    assert table.total == 9


def test_groups_count_current_memberships_and_totals_count_each_child_once(kids, coordinator):
    g = kids
    table = counts_for(coordinator, ["unit", "group"], unit=g.province)
    A, B = g.commune_a.pk, g.commune_b.pk
    d, i, risk = g.group_d.pk, g.group_i.pk, g.at_risk.pk
    # a4 left group d before the day; b1 is in three groups at once.
    assert cells(table) == {
        ((A,), d): 1,
        ((A,), i): 1,
        ((A,), None): 4,
        ((B,), d): 1,
        ((B,), i): 1,
        ((B,), risk): 1,
        ((B,), None): 2,
    }
    assert table.row_totals == {(A,): 6, (B,): 3}
    assert table.col_totals[d] == 2 and table.col_totals[i] == 2 and table.col_totals[None] == 6
    assert table.total == 9
    assert "counts in each of them" in table.notes[0]
    by_group = counts_for(coordinator, ["group", "sex"], unit=g.province)
    assert by_group.row_totals[(d,)] == 2 and by_group.row_totals[(None,)] == 6
    assert by_group.col_totals == {"female": 6, "male": 3}  # b1 once, not three times


def test_three_breakdowns(kids, coordinator):
    g = kids
    table = counts_for(coordinator, ["unit", "sex", "age_band"], unit=g.province)
    A = g.commune_a.pk
    assert table.row_dims == ("unit", "sex") and table.col_dim == "age_band"
    assert table.cells[((A, "female"), 4)] == 2  # a5, a8
    assert table.row_totals[(A, "male")] == 2
    assert table.total == 9


def test_drill_down_province_commune_village(kids, coordinator):
    g = kids
    top = counts_for(coordinator, ["unit"])
    assert top.row_totals == {(g.province.pk,): 9}  # c1's province is outside the scope
    communes = counts_for(coordinator, ["unit"], unit=g.province)
    assert communes.row_totals == {(g.commune_a.pk,): 6, (g.commune_b.pk,): 3}
    villages = counts_for(coordinator, ["unit", "sex"], unit=g.commune_a)
    assert villages.row_totals == {(g.village_a.pk,): 5, (None,): 1}
    assert villages.labels["unit"][None] == "Village not recorded"
    one = counts_for(coordinator, ["sex"], unit=g.village_a)
    assert one.row_totals == {("male",): 2, ("female",): 3}


def test_zero_rows_for_units_and_fixed_categories(kids, coordinator):
    g = kids
    empty = VillageFactory(name="Thôn Vắng", parent=g.commune_a)
    table = counts_for(coordinator, ["unit", "sex"], unit=g.commune_a)
    assert (empty.pk,) in table.rows and table.row_totals[(empty.pk,)] == 0
    assert table.columns == ["male", "female"]


def test_trend_by_year(kids, coordinator):
    g = kids
    trend = child_trend(queryset=statistics_children(coordinator), years=3, day=DAY, unit=g.province)
    assert trend.rows == [(2023,), (2024,), (2025,)]
    by_year = {(row[0], col): n for (row, col), n in trend.cells.items()}
    # 31/12/2023: a2 a3 a4 a5 a6 a8 b1 b2; 31/12/2024: a1 joins; on DAY: a6 is 18, b4 counts.
    assert [by_year[(y, "children")] for y in (2023, 2024, 2025)] == [8, 9, 9]
    assert [by_year[(y, "memberships")] for y in (2023, 2024, 2025)] == [1, 2, 5]
    # b1's at-risk membership is not a special circumstance; she counts once.
    assert [by_year[(y, "special")] for y in (2023, 2024, 2025)] == [1, 2, 3]
    assert [by_year[(y, "entered")] for y in (2023, 2024, 2025)] == [1, 1, 4]
    assert trend.labels["year"][2025] == "2025 (on 15/10/2025)"


def test_records_made_after_the_day_are_not_counted_then(kids, coordinator):
    g = kids
    Child.objects.filter(pk=g.b4.pk).update(created_at=timezone.now())
    assert counts_for(coordinator, ["unit"], unit=g.province).total == 8


def test_without_a_day_children_are_counted_today_as_age_on_reckons(kids, coordinator):
    today = timezone.localdate()
    table = child_statistics(queryset=statistics_children(coordinator), group_by=["sex"])
    assert table.day == today
    expected = [
        c
        for c in Child.objects.restrict(coordinator, "view").filter(is_active=True)
        if 0 <= c.age_on(today) < 18 and (c.birth_date or dt.date(c.birth_year, 1, 1)) <= today
    ]
    assert table.total == len(expected)
    assert table.row_totals[("male",)] == sum(c.sex == "male" for c in expected)


@pytest.mark.parametrize(
    "born",
    [
        dt.date(2016, 2, 29),
        dt.date(2016, 2, 28),
        dt.date(2016, 3, 1),
        dt.date(2015, 12, 31),
        dt.date(2017, 1, 1),
    ],
)
@pytest.mark.parametrize(
    "day", [dt.date(2027, 2, 28), dt.date(2027, 3, 1), dt.date(2028, 2, 29), dt.date(2026, 12, 31)]
)
def test_age_in_the_database_matches_age_on(geo, born, day):
    kid = ChildFactory(commune=geo.commune_a, birth_date=born, birth_year=born.year)
    year_only = ChildFactory(commune=geo.commune_a, birth_year=born.year)
    for record in (kid, year_only):
        age = record.age_on(day)
        found = {a for a in range(0, 18) if Child.objects.filter(age_q(day, a, a), pk=record.pk).exists()}
        assert found == {age}


def test_age_bands_must_cover_0_to_17():
    check_age_bands(((0, 5), (6, 15), (16, 17)))
    for bad in (((0, 5), (7, 17)), ((0, 5), (5, 17)), ((1, 17),), ((0, 15),)):
        with pytest.raises(ValueError, match="age bands"):
            check_age_bands(bad)


def test_a_band_holds_children_or_minors_of_16_and_17_never_both():
    """The Law on Children counts a child under 16: a band across 16 could not say which it is."""
    for bad in (((0, 5), (6, 17)), ((0, 16), (17, 17)), ((0, 17),)):
        with pytest.raises(ValueError, match="not both"):
            check_age_bands(bad)


def test_configured_bands_are_used(kids, coordinator, settings):
    settings.TREEM_STATISTICS_AGE_BANDS = [(0, 5), (6, 15), (16, 17)]
    table = counts_for(coordinator, ["age_band"], unit=kids.province)
    assert table.row_totals == {(0,): 3, (1,): 4, (2,): 2}
    with translation.override("en"):
        assert table.labels["age_band"] == {0: "0–5", 1: "6–15", 2: "16–17 (minors, not children)"}


# --- reorganisation: units in force on the day --------------------------------------------------


def test_children_count_under_the_units_in_force_on_the_day(kids, admin):
    g = kids
    moved = ChildFactory(commune=g.old_1, sex="male", birth_year=2014)  # Xã Cũ Một → Phường An
    waiting = ChildFactory(commune=g.old_2, sex="male", birth_year=2014)  # Xã Cũ Hai was split
    Child.objects.filter(pk__in=[moved.pk, waiting.pk]).update(created_at=MADE)
    reorganise(effective=REORG)
    moved.refresh_from_db()
    assert moved.commune == g.commune_a
    after = counts_for(admin, ["unit"])
    assert after.row_totals[(g.province.pk,)] == 10
    assert after.row_totals[(None,)] == 1  # the child of the split commune waits for a placement
    assert "split" in after.labels["unit"][None]
    communes = counts_for(admin, ["unit"], unit=g.province)
    assert communes.row_totals[(g.commune_a.pk,)] == 7
    before = counts_for(admin, ["unit"], day=BEFORE)
    assert before.row_totals[(g.old_province.pk,)] == 2  # both counted under the old province
    old = counts_for(admin, ["unit"], day=BEFORE, unit=g.old_district)
    assert old.row_totals == {(g.old_1.pk,): 1, (g.old_2.pk,): 1}


# --- scope --------------------------------------------------------------------------------------


def test_out_of_scope_children_are_never_counted(kids, officer_b, coordinator):
    g = kids
    table = counts_for(officer_b, ["unit", "group"], unit=g.commune_b)
    assert table.total == 3
    assert sum(table.row_totals.values()) == 3
    trend = child_trend(queryset=statistics_children(officer_b), years=2, day=DAY, unit=g.commune_b)
    assert {(r[0], c): n for (r, c), n in trend.cells.items()}[(2025, "memberships")] == 3
    # The coordinator's province: c1 (another province) is in none of the counts.
    assert counts_for(coordinator, ["unit"]).total == 9
    assert statistics_children(coordinator).filter(pk=g.c1.pk).count() == 0


def test_no_permission_or_no_unit_counts_nothing(kids, no_role_a, officer_no_unit):
    assert statistics_children(no_role_a).count() == 0
    assert statistics_children(officer_no_unit).count() == 0
    assert counts_for(officer_no_unit, ["sex"]).total == 0


# --- suppression --------------------------------------------------------------------------------


def grid_table(cells_by_row: dict, columns: list, *, dims=("unit", "sex")) -> Table:
    rows = [(r,) for r in cells_by_row]
    table_cells = {
        ((r,), c): n for r, values in cells_by_row.items() for c, n in zip(columns, values, strict=True)
    }
    return Table(
        title="t",
        row_dims=dims[:1],
        col_dim=dims[1],
        rows=rows,
        columns=columns,
        labels={dims[0]: {r: str(r) for r in cells_by_row}, dims[1]: {c: c for c in columns}},
        cells=table_cells,
        row_totals={(r,): sum(v) for r, v in cells_by_row.items()},
        col_totals={c: sum(v[i] for v in cells_by_row.values()) for i, c in enumerate(columns)},
        total=sum(sum(v) for v in cells_by_row.values()),
        day=DAY,
        unit=None,
    )


def shown_grid(table, hidden):
    grid = table.grid(hidden)
    return [[c.text for c in r["cells"]] + [r["total"].text] for r in grid["rows"]] + [
        [c.text for c in grid["footer"]["cells"]] + [grid["footer"]["total"].text]
    ]


def test_one_small_cell_hides_a_second_in_its_row_and_column():
    table = grid_table({"A": [3, 10], "B": [20, 30]}, ["m", "f"])
    hidden = suppress([table])
    # 3 alone in its row would be 13 - 10: 10 goes; alone in its column 23 - 20: 20 goes; then 30.
    assert shown_grid(table, hidden) == [["<5", "x", "13"], ["x", "x", "50"], ["23", "40", "63"]]


def test_zeros_are_shown_and_never_picked():
    table = grid_table({"A": [3, 0, 8], "B": [6, 0, 9]}, ["m", "f", "u"])
    assert shown_grid(table, suppress([table])) == [
        ["<5", "0", "x", "11"],
        ["x", "0", "x", "15"],
        ["9", "0", "17", "26"],
    ]


def test_small_totals_are_hidden_and_the_totals_line_too():
    table = grid_table({"A": [2, 1], "B": [20, 30]}, ["m", "f"])
    # Row A's total 3 is small: with the grand total it would give B's 50, so 50 goes too, and
    # then 20 and 30 (each alone in its column otherwise).
    assert shown_grid(table, suppress([table])) == [["<5", "<5", "<5"], ["x", "x", "x"], ["22", "31", "53"]]


def test_no_line_is_left_with_exactly_one_hidden_count(kids, coordinator):
    counts = ChildCounts(queryset=statistics_children(coordinator), day=DAY, unit=kids.province)
    tables = [counts.table(["unit", d]) for d in ("sex", "age_band", "ethnicity", "group")]
    tables.append(counts.trend(3))
    hidden = suppress(tables)
    for table in tables:
        for members, total in table.lines():
            assert sum(c in hidden for c in (*members, total)) != 1
    # Counts shared by tables (a unit's total) are hidden alike everywhere.
    totals = {tuple(r["total"].text for r in t.grid(hidden)["rows"]) for t in tables[:4]}
    assert totals == {("x", "<5")}
    assert {t.grid(hidden)["footer"]["total"].text for t in tables[:4]} == {"9"}


# --- pages --------------------------------------------------------------------------------------


def test_page_shows_exact_counts_with_totals_chart_trend_and_drill_down(client, kids, coordinator):
    g = kids
    client.force_login(coordinator)
    response = client.get(reverse(URL), {"day": "15/10/2025", "rows": "unit", "columns": "sex"})
    assert response.status_code == 200
    grid = response.context["grid"]
    assert [[c.text for c in r["cells"]] + [r["total"].text] for r in grid["rows"]] == [
        ["2", "4", "6"],
        ["1", "2", "3"],
    ]
    assert grid["footer"]["total"].text == "9"
    body = response.content.decode()
    assert "Phường An" in body and "Xã Xa Xôi" not in body
    assert f"unit={g.commune_a.pk}" in grid["rows"][0]["url"]
    assert [b["percent"] for b in response.context["bars"]] == [100, 50]
    assert 'id="chart-main"' in body and "<svg" in body and "<script>" not in body.split("<main")[1]
    assert response.context["trend_grid"]["rows"][-1]["cells"][0].text == "9"
    assert "publication-note" not in body
    # Children as the law counts them (under 16) and, apart, minors of 16-17: 7 + 2 of the 9.
    assert [r["total"].text for r in response.context["in_law"]] == ["7", "2"]
    in_law = body.split('data-testid="in-law"')[1].split("</dl>")[0]
    assert ">7<" in in_law and ">2<" in in_law


def test_publication_view_hides_small_counts(client, kids, coordinator):
    client.force_login(coordinator)
    response = client.get(reverse(URL), {"day": "15/10/2025", "columns": "sex", "publication": "on"})
    grid = response.context["grid"]
    assert [[c.text for c in r["cells"]] + [r["total"].text] for r in grid["rows"]] == [
        ["<5", "<5", "x"],
        ["<5", "<5", "<5"],
    ]
    assert [b["percent"] for b in response.context["bars"]] == [0, 0]  # no bar betrays a hidden count
    assert "publication-note" in response.content.decode()


def test_officer_defaults_to_their_commune_and_drills_to_villages(client, kids, officer_a):
    client.force_login(officer_a)
    response = client.get(reverse(URL), {"day": "15/10/2025"})
    assert response.status_code == 200
    assert response.context["unit"] == kids.commune_a
    assert [r["label"] for r in response.context["grid"]["rows"]] == ["Thôn Một", "Village not recorded"]
    assert all(not r["url"] for r in response.context["grid"]["rows"])  # villages are the last level


def test_rows_only_and_a_user_of_several_units(client, kids):
    both = UserFactory(
        username="canbo_hai_xa", roles=["commune_officer"], units=[kids.commune_a, kids.commune_b]
    )
    client.force_login(both)
    response = client.get(reverse(URL), {"day": "15/10/2025", "columns": ""})
    assert response.status_code == 200
    grid = response.context["grid"]
    assert grid["columns"] == []
    # No single unit of theirs: counted by province, which is above their units (no link to it).
    assert [(r["label"], r["total"].text, r["url"]) for r in grid["rows"]] == [
        ("Thành phố Thử (48)", "9", "")
    ]
    assert sorted(u["label"] for u in response.context["my_units"]) == ["Phường An", "Xã Bình"]
    assert 'data-testid="my-units"' in response.content.decode()


def test_query_count_does_not_grow_with_the_children(client, kids, coordinator):
    client.force_login(coordinator)
    params = {"day": "15/10/2025", "rows": "unit", "columns": "group"}
    client.get(reverse(URL), params)  # warm the content-type and permission caches
    with CaptureQueriesContext(connection) as small:
        assert client.get(reverse(URL), params).status_code == 200
    for n in range(40):
        commune = kids.commune_a if n % 2 else kids.commune_b
        ChildFactory(commune=commune, sex="male", birth_year=2012, ethnicity=kids.kinh)
    VillageFactory(name="Thôn Ba", parent=kids.commune_a)
    Child.objects.update(created_at=MADE)
    with CaptureQueriesContext(connection) as large:
        assert client.get(reverse(URL), params).status_code == 200
    assert len(large) == len(small)
    # 20 for the page itself, and the navbar's count of unread notifications (on every page).
    bell = [q for q in small.captured_queries if "notifications_notification" in q["sql"]]
    assert len(bell) == 1
    assert len(small) - len(bell) <= 20


@pytest.mark.parametrize(
    ("params", "field", "message"),
    [
        ({"rows": "height"}, "rows", "Unknown breakdown “height”."),
        ({"columns": "colour"}, "columns", "Unknown breakdown “colour”."),
        ({"rows": "sex", "columns": "sex"}, "columns", "a breakdown other than the rows'"),
        ({"day": "31/02/2025"}, "day", "Enter the date as day/month/year, for example 15/03/2020."),
        ({"day": "01/01/2099"}, "day", "The day cannot be in the future."),
        ({"years": "50"}, "years", "less than or equal to 20"),
        ({"unit": "abc"}, "unit", "The unit must be given by its number."),
    ],
)
def test_bad_parameters_are_explained(client, kids, coordinator, params, field, message):
    client.force_login(coordinator)
    response = client.get(reverse(URL), params)
    assert response.status_code == 400
    assert any(message in e for e in response.context["form"].errors[field])
    assert message in response.content.decode().replace("&#x27;", "'").replace("&quot;", '"')
    assert "grid" not in response.context


def test_a_unit_not_in_force_on_the_day_is_explained(client, kids, coordinator):
    client.force_login(coordinator)
    response = client.get(reverse(URL), {"unit": kids.province.pk, "day": "30/06/2025"})
    assert response.status_code == 400
    assert "Thành phố Thử was not in force on 30/06/2025" in response.context["form"].errors["day"][0]


@pytest.mark.parametrize("which", ["commune_b", "province", "commune_c"])
def test_unit_out_of_scope_is_404(client, kids, officer_a, which):
    client.force_login(officer_a)
    before = AuditEvent.objects.count()
    assert client.get(reverse(URL), {"unit": getattr(kids, which).pk}).status_code == 404
    assert client.get(reverse(EXPORT), {"unit": getattr(kids, which).pk}).status_code == 404
    assert client.get(reverse(URL), {"unit": 999999}).status_code == 404
    assert AuditEvent.objects.count() == before


def test_a_user_with_no_unit_sees_an_empty_table(client, kids, officer_no_unit):
    client.force_login(officer_no_unit)
    response = client.get(reverse(URL), {"day": "15/10/2025"})
    assert response.status_code == 200
    assert response.context["grid"]["rows"] == []
    assert response.context["grid"]["footer"]["total"].text == "0"
    assert "Nothing to count." in response.content.decode()


def test_anonymous_and_without_permission(client, kids, no_role_a):
    assert client.get(reverse(URL)).status_code == 302
    assert client.get(reverse(EXPORT)).status_code == 302
    client.force_login(no_role_a)
    assert client.get(reverse(URL)).status_code == 403
    assert client.get(reverse(EXPORT)).status_code == 403


# --- export -------------------------------------------------------------------------------------


def workbook(response):
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    return openpyxl.load_workbook(io.BytesIO(response.content), read_only=True)


def sheet_rows(book, name):
    return [list(r) for r in book[name].iter_rows(values_only=True)]


def find_row(rows, label):
    return next(r for r in rows if r and r[0] == label)


def test_export_is_for_publication_by_default_and_audited(client, kids, coordinator):
    client.force_login(coordinator)
    before = AuditEvent.objects.count()
    response = client.get(reverse(EXPORT), {"day": "15/10/2025"})
    assert response.status_code == 200
    assert 'filename="thong-ke-tre-em-48-2025-10-15.xlsx"' in response["Content-Disposition"]
    book = workbook(response)
    assert book.sheetnames == [
        f"Unit {TIMES} Sex",
        f"Unit {TIMES} Age",
        f"Unit {TIMES} Ethnic group",
        f"Unit {TIMES} Special circumstance",
        "Children by year",
        "Children and minors of 16–17",
    ]
    rows = sheet_rows(book, f"Unit {TIMES} Sex")
    assert rows[0][0] == f"Children by Unit {TIMES} Sex"
    header = [r[0] for r in rows[1:8]]
    assert "Unit: Thành phố Thử (48)" in header
    assert "On the day: 15/10/2025" in header
    assert "Suppressed: counts under 5 shown as <5." in header
    assert find_row(rows, "Unit")[:4] == ["Unit", "Male", "Female", "Total"]
    assert find_row(rows, "Phường An (20001)")[:4] == ["Phường An (20001)", "<5", "<5", "x"]
    assert find_row(rows, "Total")[:4] == ["Total", "<5", "x", 9]
    event = AuditEvent.objects.get(action="children.statistics.exported")
    assert AuditEvent.objects.count() == before + 1
    assert event.actor == coordinator and event.unit == kids.province
    assert event.changes["mode"] == "publication" and event.changes["day"] == "2025-10-15"


def test_exact_export_has_the_numbers(client, kids, coordinator):
    client.force_login(coordinator)
    response = client.get(reverse(EXPORT), {"day": "15/10/2025", "mode": "exact", "columns": "age_band"})
    book = workbook(response)
    rows = sheet_rows(book, f"Unit {TIMES} Sex")
    assert "Exact counts: not for publication." in [r[0] for r in rows[1:8]]
    assert find_row(rows, "Phường An (20001)")[:4] == ["Phường An (20001)", 2, 4, 6]
    age = sheet_rows(book, f"Unit {TIMES} Age")
    assert find_row(age, "Xã Bình (20002)")[:7] == ["Xã Bình (20002)", 1, 0, 1, 1, 0, 3]
    trend = sheet_rows(book, "Children by year")
    assert find_row(trend, "2025 (on 15/10/2025)")[:5] == ["2025 (on 15/10/2025)", 9, 3, 5, 4]
    assert AuditEvent.objects.get(action="children.statistics.exported").changes["mode"] == "exact"


def test_export_of_a_chosen_table_adds_its_sheet(client, kids, officer_a):
    client.force_login(officer_a)
    response = client.get(reverse(EXPORT), {"day": "15/10/2025", "rows": "sex", "columns": "age_band"})
    book = workbook(response)
    assert book.sheetnames[0] == f"Sex {TIMES} Age"
    rows = sheet_rows(book, f"Sex {TIMES} Age")
    assert "Unit: Phường An (20001)" in [r[0] for r in rows[1:8]]
    assert find_row(rows, "Total")[-1] == 6


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"rows": "height"}, "Rows: Unknown breakdown “height”."),
        ({"day": "01/01/2099"}, "The day cannot be in the future."),
        ({"mode": "raw"}, "Select a valid choice."),
    ],
)
def test_bad_export_parameters_are_explained_and_not_audited(client, kids, coordinator, params, message):
    client.force_login(coordinator)
    before = AuditEvent.objects.count()
    response = client.get(reverse(EXPORT), params)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert AuditEvent.objects.count() == before


# --- the statistics-only permission (read-only viewers) -----------------------------------------


@pytest.fixture
def statistics_viewer(kids, viewer):
    permission = Permission.objects.filter(
        content_type__app_label="children", codename="view_statistics"
    ).first()
    if permission is None:
        pytest.skip("children.view_statistics does not exist yet (Child.Meta.permissions, asked of the lead)")
    viewer.user_permissions.add(permission)
    return type(viewer).objects.get(pk=viewer.pk)  # fresh permission cache


def test_viewer_sees_statistics_but_only_for_publication(client, kids, statistics_viewer):
    assert not statistics_viewer.has_perm("children.view_child")
    client.force_login(statistics_viewer)
    response = client.get(reverse(URL), {"day": "15/10/2025", "columns": "sex"})
    assert response.status_code == 200
    assert response.context["publication"] is True
    assert response.context["grid"]["footer"]["total"].text == "9"
    assert response.context["grid"]["rows"][0]["cells"][0].text == HIDDEN_SMALL
    exact = client.get(reverse(EXPORT), {"mode": "exact"})
    assert exact.status_code == 400
    assert "Exact counts are only for users who may see the children's records." in exact.content.decode()
    assert client.get(reverse(EXPORT), {"day": "15/10/2025"}).status_code == 200
    # Their scope is the province: the child of another province is not counted.
    assert statistics_children(statistics_viewer).count() == Child.objects.exclude(pk=kids.c1.pk).count()


def test_statistics_only_user_without_a_unit_counts_nothing(kids, statistics_viewer):
    lonely = UserFactory(username="lanhdao_moi", roles=["viewer"])
    lonely.user_permissions.add(Permission.objects.get(codename="view_statistics"))
    lonely = type(lonely).objects.get(pk=lonely.pk)
    assert lonely.has_perm("children.view_statistics")
    assert statistics_children(lonely).count() == 0

"""The data-quality numbers (aggregate queries) and pages: a commune's findings, the summary by
commune for the province, scope and bad input."""

import datetime as dt
import random

import pytest
from django.urls import reverse
from django.utils import timezone, translation

from tests.factories import ChildFactory
from treem.audit.models import AuditEvent
from treem.children import quality
from treem.children.identity import personal_id_findings
from treem.children.models import Child, Ethnicity
from treem.children.models_duplicates import DuplicateCandidate, DuplicateStatus

TODAY = dt.date(2026, 3, 15)


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


@pytest.fixture
def client(client, settings):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def counts(user, unit, today=TODAY):
    return quality.quality_report(user=user, unit=unit, today=today).counts


def test_completeness_counts_each_key_field(officer_a, geo):
    kinh = Ethnicity.objects.get(code="01")
    ChildFactory(
        commune=geo.commune_a,
        birth_date=dt.date(2015, 3, 2),
        birth_year=2015,
        personal_id="048315000123",
        ethnicity=kinh,
        village=geo.village_a,
        birth_registered=True,
    )
    ChildFactory(commune=geo.commune_a, birth_registered=False)
    ChildFactory(commune=geo.commune_a, ethnicity=kinh)
    ChildFactory(commune=geo.commune_a, is_active=False, ethnicity=kinh)  # history: not counted
    ChildFactory(commune=geo.commune_b, ethnicity=kinh)  # another commune
    report = quality.quality_report(user=officer_a, unit=geo.commune_a, today=TODAY)
    assert report.counts["total"] == 3
    assert {item["key"]: (item["count"], item["percent"]) for item in report.completeness} == {
        "with_birth_date": (1, 33.3),
        "with_personal_id": (1, 33.3),
        "with_ethnicity": (2, 66.7),
        "with_village": (1, 33.3),
        "with_birth_registration": (2, 66.7),
    }
    assert report.counts["not_registered"] == 1


def test_an_empty_commune_has_no_percentages(officer_a, geo):
    report = quality.quality_report(user=officer_a, unit=geo.commune_a, today=TODAY)
    assert report.counts["total"] == 0 and {item["percent"] for item in report.completeness} == {None}


def test_aged_out_by_date_of_birth_or_year(officer_a, geo):
    ChildFactory(commune=geo.commune_a, birth_date=dt.date(2010, 3, 15), birth_year=2010)  # 16 today
    ChildFactory(commune=geo.commune_a, birth_date=dt.date(2010, 3, 16), birth_year=2010)  # 15 until tomorrow
    ChildFactory(commune=geo.commune_a, birth_date=dt.date(2008, 3, 15), birth_year=2008)  # 18 today
    ChildFactory(commune=geo.commune_a, birth_date=None, birth_year=2009)  # 17 by year
    ChildFactory(commune=geo.commune_a, birth_date=None, birth_year=2008)  # 18 by year
    c = counts(officer_a, geo.commune_a)
    assert (c["aged_minor"], c["aged_adult"]) == (2, 2)
    for child in Child.objects.all():  # the SQL agrees with Child.age_on
        age = child.age_on(TODAY)
        assert (16 <= age < 18) == Child.objects.filter(pk=child.pk).filter(
            quality.aged_at_least(16, TODAY) & ~quality.aged_at_least(18, TODAY)
        ).exists()


def test_the_29th_of_february_cutoff():
    assert quality.cutoff_birth_date(16, dt.date(2028, 2, 29)) == dt.date(2012, 2, 29)
    assert quality.cutoff_birth_date(17, dt.date(2028, 2, 29)) == dt.date(2011, 2, 28)


def test_stale_records_are_those_nobody_changed_for_a_year(officer_a, geo):
    old, recent = ChildFactory(commune=geo.commune_a), ChildFactory(commune=geo.commune_a)
    Child.objects.filter(pk=old.pk).update(updated_at=timezone.now() - dt.timedelta(days=400))
    Child.objects.filter(pk=recent.pk).update(updated_at=timezone.now() - dt.timedelta(days=300))
    assert counts(officer_a, geo.commune_a)["stale"] == 1
    assert quality.finding_lists(user=officer_a, unit=geo.commune_a)["stale"] == [old]


def test_id_findings_in_sql_agree_with_the_identity_rules(officer_a, geo):
    rng = random.Random(2026)
    # Digits chosen so that province, century/sex and year digits are right or wrong in turn.
    for _n in range(250):
        year = rng.randint(2008, 2026)
        sex = rng.choice(["male", "female", "unknown"])
        province = rng.choice(["048", "049", "001", "096", "099", "148", "948", "000"])
        digit = rng.choice("0123456789")
        yy = rng.choice([f"{year % 100:02d}", f"{(year + 1) % 100:02d}"])
        ChildFactory(
            commune=geo.commune_a,
            sex=sex,
            birth_year=year,
            personal_id=f"{province}{digit}{yy}{rng.randint(0, 999999):06d}",
        )
    expected = {
        c.pk
        for c in Child.objects.all()
        if personal_id_findings(c.personal_id, sex=c.sex, birth_year=c.birth_year)
    }
    findings = quality.id_findings_q(birth_years=set(Child.objects.values_list("birth_year", flat=True)))
    assert set(Child.objects.filter(findings).values_list("pk", flat=True)) == expected
    assert 30 < len(expected) < 250  # both kinds are present
    assert counts(officer_a, geo.commune_a)["id_findings"] == len(expected)


def test_malformed_numbers_from_old_data_are_counted_and_listed(officer_a, geo):
    # The services refuse them; records loaded by other means may still hold them.
    ChildFactory(commune=geo.commune_a, full_name="Bùi Văn Lộc", personal_id="04831500")
    ChildFactory(
        commune=geo.commune_a,
        full_name="Bùi Thị Ngân",
        sex="male",
        birth_year=2015,
        personal_id="048315000123",
    )
    c = counts(officer_a, geo.commune_a)
    assert (c["malformed_id"], c["id_findings"]) == (1, 1)
    invalid = dict(
        (child.full_name, reasons)
        for child, reasons in quality.finding_lists(user=officer_a, unit=geo.commune_a)["invalid_ids"]
    )
    assert invalid["Bùi Văn Lộc"] == ["The number does not have 12 digits."]
    assert invalid["Bùi Thị Ngân"] == ["Digit 4 says Female but the record says otherwise."]


def test_lists_are_bounded(officer_a, geo):
    for _n in range(quality.LIST_LIMIT + 5):
        ChildFactory(commune=geo.commune_a, birth_registered=False)
    lists = quality.finding_lists(user=officer_a, unit=geo.commune_a)
    assert len(lists["not_registered"]) == quality.LIST_LIMIT
    assert counts(officer_a, geo.commune_a)["not_registered"] == quality.LIST_LIMIT + 5


def test_id_check_statuses_are_counted(officer_a, geo):
    ChildFactory(commune=geo.commune_a, id_check_status="verified")
    ChildFactory(commune=geo.commune_a, id_check_status="mismatch")
    ChildFactory(commune=geo.commune_a)
    report = quality.quality_report(user=officer_a, unit=geo.commune_a, today=TODAY)
    assert dict((str(label), n) for label, n in report.id_check) == {
        "Not checked": 1,
        "Verified": 1,
        "Does not match": 1,
        "Not found": 0,
        "Service unavailable": 0,
    }


def _pair(a, b, status=DuplicateStatus.PENDING):
    return DuplicateCandidate.objects.create(
        child_a=min(a, b, key=lambda c: c.pk), child_b=max(a, b, key=lambda c: c.pk), score=0.9, status=status
    )


def test_pending_duplicates_count_in_each_commune_they_touch(officer_a, officer_b, coordinator, geo):
    a1, a2, a3 = (ChildFactory(commune=geo.commune_a) for _n in range(3))
    b1 = ChildFactory(commune=geo.commune_b)
    _pair(a1, a2)
    _pair(a2, a3, status=DuplicateStatus.NOT_DUPLICATE)
    _pair(a3, b1)
    assert quality.quality_report(user=officer_a, unit=geo.commune_a).duplicates_pending == 2
    assert quality.quality_report(user=officer_b, unit=geo.commune_b).duplicates_pending == 1
    assert quality.quality_report(user=coordinator, unit=geo.province).duplicates_pending == 2
    rows = {
        r.unit: r.duplicates_pending for r in quality.quality_by_commune(user=coordinator, unit=geo.province)
    }
    assert rows == {geo.commune_a: 2, geo.commune_b: 1}


def test_summary_by_commune_adds_up_to_the_province(coordinator, geo):
    ChildFactory(commune=geo.commune_a, birth_registered=False, personal_id="048215000123")  # female, digit 2
    ChildFactory(commune=geo.commune_a, birth_date=dt.date(2009, 1, 1), birth_year=2009)
    ChildFactory(commune=geo.commune_b, village=geo.village_b)
    rows = quality.quality_by_commune(user=coordinator, unit=geo.province, today=TODAY)
    assert [r.unit for r in rows] == [
        geo.commune_a,
        geo.commune_b,
    ]  # ended communes without children left out
    for row in rows:
        single = quality.quality_report(user=coordinator, unit=row.unit, today=TODAY)
        assert {k: v for k, v in row.counts.items()} == single.counts
    province = counts(coordinator, geo.province)
    assert quality.quality_total(unit=geo.province, rows=rows, user=coordinator).counts == province
    assert (province["total"], province["id_findings"], province["aged_minor"]) == (3, 1, 1)


# --- pages ------------------------------------------------------------------------------------------------


def test_commune_page_shows_findings_with_links(client, officer_a, geo):
    child = ChildFactory(
        commune=geo.commune_a, full_name="Bùi Thị Ngân", sex="male", personal_id="048318000123"
    )
    ChildFactory(commune=geo.commune_a, full_name="Hà Văn Tư", birth_registered=False)
    other = ChildFactory(commune=geo.commune_b, full_name="Lò Văn Pá", birth_registered=False)
    _pair(child, ChildFactory(commune=geo.commune_a))
    client.force_login(officer_a)
    response = client.get(reverse("children:quality"))  # the officer's own commune by default
    page = response.content.decode()
    assert response.status_code == 200 and "Data quality · Phường An" in page
    assert reverse("children:child_detail", args=[child.pk]) in page
    assert "Digit 4 says Female but the record says otherwise." in page
    assert "Hà Văn Tư" in page and other.full_name not in page
    assert f"{reverse('children:duplicate_list')}?unit={geo.commune_a.pk}" in page
    assert "Look for duplicates now" in page


def test_province_summary_for_the_coordinator(client, coordinator, geo):
    ChildFactory(commune=geo.commune_a)
    ChildFactory(commune=geo.commune_b)
    client.force_login(coordinator)
    page = client.get(reverse("children:quality")).content.decode()
    assert 'id="quality-summary"' in page
    assert f"?unit={geo.commune_a.pk}" in page and f"?unit={geo.commune_b.pk}" in page
    page = client.get(reverse("children:quality"), {"unit": geo.commune_b.pk}).content.decode()
    assert "Data quality · Xã Bình" in page


def test_a_village_shows_its_commune(client, officer_a, geo):
    client.force_login(officer_a)
    page = client.get(reverse("children:quality"), {"unit": geo.village_a.pk}).content.decode()
    assert "Data quality · Phường An" in page


@pytest.mark.parametrize("unit", ["commune_b", "province", "abc", "999999"])
def test_units_outside_the_officers_scope_are_404(client, officer_a, geo, unit):
    client.force_login(officer_a)
    value = getattr(geo, unit).pk if hasattr(geo, unit) else unit
    assert client.get(reverse("children:quality"), {"unit": value}).status_code == 404


def test_who_may_open_the_page(client, viewer, officer_no_unit, admin, geo):
    url = reverse("children:quality")
    response = client.get(url)
    assert response.status_code == 302 and "login" in response.url
    client.force_login(viewer)  # leadership: figures elsewhere, not children's records
    assert client.get(url).status_code == 403
    client.force_login(officer_no_unit)
    assert "You have no unit yet" in client.get(url).content.decode()
    client.force_login(admin)
    page = client.get(url).content.decode()
    assert "Choose a province:" in page and "Thành phố Thử" in page


def test_the_page_reads_nothing_child_by_child(client, officer_a, geo, django_assert_max_num_queries):
    for n in range(120):
        ChildFactory(commune=geo.commune_a, birth_registered=n % 2 == 0, personal_id=f"04821{n:07d}")
    client.force_login(officer_a)
    assert client.get(reverse("children:quality")).status_code == 200  # the session's first page
    # A later page: the idle-timeout clock is not written again within the minute.
    with django_assert_max_num_queries(20):
        assert client.get(reverse("children:quality")).status_code == 200
    assert AuditEvent.objects.count() == 0  # reading the page writes nothing


def test_a_commune_without_children_shows_zeros(client, coordinator, geo):
    ChildFactory(commune=geo.commune_a, birth_registered=False)
    rows = {r.unit: r.counts for r in quality.quality_by_commune(user=coordinator, unit=geo.province)}
    assert set(rows[geo.commune_b].values()) == {0} and rows[geo.commune_a]["not_registered"] == 1
    client.force_login(coordinator)
    page = client.get(reverse("children:quality"), {"unit": geo.province.pk}).content.decode()
    row = page.split(f'data-testid="commune-{geo.commune_b.code}"')[1].split("</tr>")[0]
    assert row.count('<td class="text-end">0</td>') == 6  # children, five findings, duplicates

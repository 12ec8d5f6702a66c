"""Funding pages: forms show the services' messages and write nothing on bad input; the public
transparency page needs no sign-in and names no child."""

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse

from treem.audit.models import AuditEvent
from treem.funding import services
from treem.funding.models import BudgetEntry, Donation, ProjectReport, Sponsorship, TransparencyReport


def text(response) -> str:
    return response.content.decode()


def test_spending_above_allocation_shows_the_message_and_writes_nothing(client, coordinator, line):
    client.force_login(coordinator)
    before = (BudgetEntry.objects.count(), AuditEvent.objects.count())
    response = client.post(
        reverse("funding:entry_add", args=[line.pk]),
        {
            "kind": "spending",
            "currency": "VND",
            "amount": "10.000.001",
            "document_number": "PC-9",
            "document_date": "01/03/2026",
        },
    )
    assert response.status_code == 400
    assert "above the allocation of 10,000,000 đ" in text(response)
    assert "Required for spending above the allocation." in text(response)
    assert (BudgetEntry.objects.count(), AuditEvent.objects.count()) == before


@pytest.mark.parametrize(
    ("amount", "message"),
    [
        ("1,5", "Enter a whole number of dong, e.g. 1.500.000."),
        ("1.500.00", "Enter a whole number of dong, e.g. 1.500.000."),
        ("-200.000", "An amount cannot be negative."),
    ],
)
def test_bad_amounts_typed_in_the_form(client, coordinator, line, amount, message):
    client.force_login(coordinator)
    before = BudgetEntry.objects.count()
    response = client.post(
        reverse("funding:entry_add", args=[line.pk]),
        {
            "kind": "allocation",
            "currency": "VND",
            "amount": amount,
            "document_number": "1",
            "document_date": "01/03/2026",
        },
    )
    assert response.status_code == 400
    assert message in text(response)
    assert BudgetEntry.objects.count() == before


def test_grouped_amount_is_read_as_whole_dong(client, coordinator, line):
    client.force_login(coordinator)
    response = client.post(
        reverse("funding:entry_add", args=[line.pk]),
        {
            "kind": "commitment",
            "currency": "VND",
            "amount": "1.500.000",
            "document_number": "HĐ-1",
            "document_date": "01/03/2026",
        },
    )
    assert response.status_code == 302
    assert BudgetEntry.objects.get(kind="commitment").amount_vnd == 1_500_000


def test_donation_in_foreign_currency_needs_a_rate(client, officer_a, donor_a, geo):
    client.force_login(officer_a)
    data = {
        "donor": donor_a.pk,
        "unit": geo.commune_a.pk,
        "received_on": "01/05/2026",
        "kind": "cash",
        "purpose": "health",
        "currency": "USD",
        "amount": "500,50",
    }
    before = (Donation.objects.count(), AuditEvent.objects.count())
    response = client.post(reverse("funding:donation_add"), data)
    assert response.status_code == 400
    assert "An amount in USD needs the exchange rate to dong: enter the rate used." in text(response)
    assert (Donation.objects.count(), AuditEvent.objects.count()) == before
    response = client.post(reverse("funding:donation_add"), {**data, "exchange_rate": "25400"})
    assert response.status_code == 302
    donation = Donation.objects.get()
    assert (donation.original_amount, donation.amount_vnd) == (Decimal("500.50"), 12_712_700)


def test_sponsorship_of_an_adult_through_the_page(client, officer_a, donor_a, adult_a):
    client.force_login(officer_a)
    before = (Sponsorship.objects.count(), AuditEvent.objects.count())
    response = client.post(
        reverse("funding:sponsorship_add"),
        {"sponsor": donor_a.pk, "child": adult_a.pk, "starts_on": "01/06/2026", "purpose": "sponsorship"},
    )
    assert response.status_code == 400
    assert "a sponsorship is for a child, a person under 16" in text(response)
    assert (Sponsorship.objects.count(), AuditEvent.objects.count()) == before


def test_sponsorship_page_opening_is_audited(client, officer_a, donor_a, child_a):
    sponsorship = services.sponsorship_create(
        acting_user=officer_a, sponsor=donor_a, child=child_a, starts_on=dt.date(2026, 1, 1)
    )
    client.force_login(officer_a)
    response = client.get(sponsorship.get_absolute_url())
    assert "Lò Thị Mai" in text(response)
    event = AuditEvent.objects.latest("id")
    assert event.action == "funding.sponsorship.viewed"
    assert event.actor == officer_a
    assert "Lò Thị Mai" not in event.object_label


@pytest.fixture
def published(coordinator, officer_a, donor_a, anonymous_donor, child_a, geo):
    for donor, amount in ((donor_a, 7_000_000), (anonymous_donor, 1_000_000)):
        services.donation_record(
            acting_user=officer_a,
            donor=donor,
            unit=geo.commune_a,
            received_on=dt.date(2026, 4, 2),
            kind="cash",
            purpose="health",
            amount=amount,
        )
    sponsorship = services.sponsorship_create(
        acting_user=officer_a, sponsor=donor_a, child=child_a, starts_on=dt.date(2026, 4, 1)
    )
    services.sponsorship_payment_record(
        acting_user=officer_a, sponsorship=sponsorship, paid_on=dt.date(2026, 4, 5), amount_vnd=500_000
    )
    return services.transparency_publish(acting_user=coordinator, unit=geo.province, year=2026, quarter=2)


def test_public_transparency_page_needs_no_login_and_names_no_child(
    client, published, child_a, anonymous_donor
):
    response = client.get(reverse("funding:transparency"))
    assert response.status_code == 200
    page = text(response)
    assert "Thành phố Thử" in page
    assert "Công ty Sao Mai" in page
    assert "Anonymous donor" in page
    assert anonymous_donor.name not in page
    assert child_a.full_name not in page
    assert "8,000,000 đ" in page  # received for health care
    assert "500,000 đ" in page  # the sponsorship, counted by purpose only


def test_public_page_shows_only_published_periods(client, coordinator, officer_a, donor_a, geo):
    services.donation_record(
        acting_user=officer_a,
        donor=donor_a,
        unit=geo.commune_a,
        received_on=dt.date(2026, 1, 2),
        kind="cash",
        purpose="general",
        amount=1_000_000,
    )
    response = client.get(reverse("funding:transparency"))
    assert "No report has been published yet." in text(response)
    assert "Công ty Sao Mai" not in text(response)


def test_public_page_ignores_forged_parameters(client, published):
    for query in ({"report": "9" * 25}, {"unit": "abc"}, {"report": "0"}):
        assert client.get(reverse("funding:transparency"), query).status_code == 200


def test_coordinator_previews_then_publishes(client, coordinator, officer_a, donor_a, geo):
    services.donation_record(
        acting_user=officer_a,
        donor=donor_a,
        unit=geo.commune_a,
        received_on=dt.date(2026, 1, 2),
        kind="cash",
        purpose="general",
        amount=3_000_000,
    )
    client.force_login(coordinator)
    preview = client.get(reverse("funding:transparency_manage"), {"unit": geo.province.pk, "year": 2026})
    assert "3,000,000 đ" in text(preview)
    assert not TransparencyReport.objects.exists()
    response = client.post(reverse("funding:transparency_publish"), {"unit": geo.province.pk, "year": 2026})
    assert response.status_code == 302
    report = TransparencyReport.objects.get()
    assert report.quarter is None and report.figures["totals"]["received"] == 3_000_000


def test_totals_page(client, viewer, coordinator, line, geo):
    services.priority_area_add(acting_user=coordinator, unit=geo.commune_a)
    client.force_login(viewer)
    response = client.get(reverse("funding:totals"), {"year": 2026})
    assert response.status_code == 200
    page = text(response)
    assert "Sở Y tế" in page and "Priority area" in page
    assert "10,000,000 đ" in page and "12,000,000 đ" in page


def test_overdue_project_report_is_flagged(client, coordinator, geo):
    project = services.project_create(
        acting_user=coordinator,
        title="Dự án trẻ em vùng cao",
        partner="World Vision",
        unit=geo.province,
        starts_on=dt.date(2025, 1, 1),
        ends_on=dt.date(2027, 1, 1),
        amount=1_000_000_000,
    )
    services.project_report_add(
        acting_user=coordinator, project=project, title="Báo cáo năm", due_on=dt.date(2025, 12, 31)
    )
    client.force_login(coordinator)
    assert "Report overdue" in text(client.get(reverse("funding:project_list")))
    assert "Overdue" in text(client.get(project.get_absolute_url()))
    response = client.post(
        reverse("funding:report_submit", args=[ProjectReport.objects.get().pk]),
        {"submitted_on": "01/01/2099"},
    )
    assert response.status_code == 400
    assert "A report cannot be submitted in the future." in text(response)
    assert ProjectReport.objects.get().submitted_on is None


def test_long_registries_offer_children_in_special_circumstances(monkeypatch, officer_a, child_a, geo):
    from tests.factories import ChildFactory
    from treem.children.models import CircumstanceGroup, CircumstanceMembership
    from treem.funding import forms

    other = ChildFactory(commune=geo.commune_a, full_name="Trẻ Không Thuộc Nhóm")
    CircumstanceMembership.objects.create(
        child=child_a, group=CircumstanceGroup.objects.get(code="a"), entered_on=dt.date(2025, 1, 1)
    )
    assert set(forms.SponsorshipForm(user=officer_a).fields["child"].queryset) == {child_a, other}
    monkeypatch.setattr(forms, "CHILD_CHOICES_LIMIT", 1)
    assert list(forms.SponsorshipForm(user=officer_a).fields["child"].queryset) == [child_a]

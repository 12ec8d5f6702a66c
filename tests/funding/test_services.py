"""Funding services: what they write and audit, and every refusal — its message, and that nothing
was written."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from treem.audit.models import AuditEvent
from treem.core.scope import ScopeError
from treem.funding import money, services
from treem.funding.models import (
    BudgetEntry,
    BudgetLine,
    Donation,
    DonationUse,
    Donor,
    InternationalProject,
    PriorityArea,
    Programme,
    Sponsorship,
    SponsorshipPayment,
    TransparencyReport,
)
from treem.funding.reference import PROGRAMMES


class Unchanged:
    """Counts rows of the given models and audit events, and checks none were added."""

    def __init__(self, *models):
        self.models = (*models, AuditEvent)
        self.before = [m.objects.count() for m in self.models]

    def check(self):
        assert [m.objects.count() for m in self.models] == self.before


def refused(call, **kwargs) -> ValidationError:
    with pytest.raises(ValidationError) as info:
        call(**kwargs)
    return info.value


def messages_of(exc: ValidationError) -> str:
    return " ".join(exc.messages)


# --- reference data ---------------------------------------------------------------------------


def test_the_five_programmes_of_the_plan_are_loaded(db):
    documents = list(Programme.objects.values_list("document", flat=True))
    assert len(documents) == 5 == len(PROGRAMMES)
    for number in ("1175/QĐ-UBND", "7401/KH-UBND", "7677/KH-UBND", "7085/KH-UBND", "811/KH-UBND"):
        assert any(number in d for d in documents), number


# --- budget -----------------------------------------------------------------------------------


def test_budget_line_and_entries_are_written_and_audited(coordinator, line):
    assert line.unit.name == "Phường An"
    assert line.totals() == {"allocation": 10_000_000, "commitment": 0, "spending": 0}
    actions = list(AuditEvent.objects.order_by("id").values_list("action", flat=True))
    assert actions[-2:] == ["funding.budgetline.created", "funding.budgetentry.allocation"]
    services.budget_entry_add(
        acting_user=coordinator,
        line=line,
        kind="spending",
        amount=money.parse_vnd("9.999.999"),
        document_number="PC-01",
        document_date=dt.date(2026, 2, 1),
    )
    assert line.totals()["spending"] == 9_999_999


def test_negative_amount_is_refused_and_nothing_written(coordinator, line):
    unchanged = Unchanged(BudgetEntry)
    exc = refused(
        services.budget_entry_add,
        acting_user=coordinator,
        line=line,
        kind="allocation",
        amount=-500_000,
        document_number="1/QĐ",
        document_date=dt.date(2026, 1, 1),
    )
    assert exc.message_dict["amount"] == ["An amount cannot be negative."]
    unchanged.check()


def test_negative_planned_amount_is_refused(coordinator, geo):
    unchanged = Unchanged(BudgetLine)
    exc = refused(
        services.budget_line_create,
        acting_user=coordinator,
        agency=geo.department,
        programme=None,
        year=2026,
        source="state_provincial",
        title="Âm",
        planned_vnd=-1,
    )
    assert exc.message_dict["planned_vnd"] == ["An amount cannot be negative."]
    unchanged.check()


def test_spending_above_allocation_is_refused_without_a_decision(coordinator, line):
    unchanged = Unchanged(BudgetEntry)
    exc = refused(
        services.budget_entry_add,
        acting_user=coordinator,
        line=line,
        kind="spending",
        amount=10_000_001,
        document_number="PC-02",
        document_date=dt.date(2026, 3, 1),
        decision_number="45/QĐ-UBND",  # a number alone is not a decision
    )
    assert "above the allocation of 10,000,000 đ" in exc.message_dict["amount"][0]
    assert "10,000,001 đ" in exc.message_dict["amount"][0]
    assert set(exc.message_dict) == {"amount", "decision_date", "decision_reason"}
    unchanged.check()


def test_spending_above_allocation_message_in_vietnamese(coordinator, line):
    with translation.override("vi"):
        exc = refused(
            services.budget_entry_add,
            acting_user=coordinator,
            line=line,
            kind="spending",
            amount=12_000_000,
            document_number="PC-02",
            document_date=dt.date(2026, 3, 1),
        )
        assert "12.000.000 đ" in exc.message_dict["amount"][0]


def test_spending_above_allocation_with_a_decision_is_recorded(coordinator, line):
    entry = services.budget_entry_add(
        acting_user=coordinator,
        line=line,
        kind="spending",
        amount=11_000_000,
        document_number="PC-03",
        document_date=dt.date(2026, 3, 2),
        decision_number="45/QĐ-UBND",
        decision_date=dt.date(2026, 3, 1),
        decision_reason="Bổ sung kinh phí cứu trợ sau lũ",
    )
    assert entry.amount_vnd == 11_000_000
    event = AuditEvent.objects.latest("id")
    assert event.action == "funding.budgetentry.spending"
    assert event.reason == "Bổ sung kinh phí cứu trợ sau lũ"


def test_foreign_currency_without_rate_is_refused(coordinator, line):
    unchanged = Unchanged(BudgetEntry)
    exc = refused(
        services.budget_entry_add,
        acting_user=coordinator,
        line=line,
        kind="allocation",
        currency="USD",
        amount=Decimal("1000"),
        document_number="UNICEF-1",
        document_date=dt.date(2026, 1, 20),
    )
    assert exc.message_dict["exchange_rate"] == [
        "An amount in USD needs the exchange rate to dong: enter the rate used."
    ]
    unchanged.check()


def test_foreign_currency_with_rate_keeps_the_original(coordinator, line):
    entry = services.budget_entry_add(
        acting_user=coordinator,
        line=line,
        kind="allocation",
        currency="usd",
        amount=Decimal("1250.50"),
        exchange_rate=Decimal("25400"),
        document_number="UNICEF-1",
        document_date=dt.date(2026, 1, 20),
    )
    entry.refresh_from_db()
    assert (entry.currency, entry.original_amount, entry.exchange_rate) == ("USD", Decimal("1250.50"), 25400)
    assert entry.amount_vnd == 31_762_700  # 1250.50 times 25400


def test_fractional_dong_is_refused(coordinator, line):
    unchanged = Unchanged(BudgetEntry)
    exc = refused(
        services.budget_entry_add,
        acting_user=coordinator,
        line=line,
        kind="allocation",
        amount=Decimal("1000.5"),
        document_number="X",
        document_date=dt.date(2026, 1, 20),
    )
    assert exc.message_dict["amount"] == ["Dong have no fractions: enter a whole number."]
    unchanged.check()


def test_entry_without_document_is_refused(coordinator, line):
    unchanged = Unchanged(BudgetEntry)
    exc = refused(
        services.budget_entry_add,
        acting_user=coordinator,
        line=line,
        kind="commitment",
        amount=1_000_000,
        document_number="  ",
        document_date=dt.date(2026, 1, 20),
    )
    assert "document_number" in exc.message_dict
    unchanged.check()


def test_settled_line_takes_no_entry(coordinator, line):
    exc = refused(
        services.budget_line_settle,
        acting_user=coordinator,
        line=line,
        status="settled",
        settlement_number="",
    )
    assert "settlement document" in messages_of(exc)
    services.budget_line_settle(
        acting_user=coordinator,
        line=line,
        status="settled",
        settlement_number="QT-2026/01",
        settlement_date=dt.date(2027, 3, 31),
    )
    assert line.settlement_status == "settled"
    unchanged = Unchanged(BudgetEntry)
    exc = refused(
        services.budget_entry_add,
        acting_user=coordinator,
        line=line,
        kind="spending",
        amount=1,
        document_number="late",
        document_date=dt.date(2027, 4, 1),
    )
    assert exc.messages == ["The budget line is settled: no entry can be added."]
    unchanged.check()


def test_line_unit_must_be_below_the_agency(coordinator, geo):
    exc = refused(
        services.budget_line_create,
        acting_user=coordinator,
        agency=geo.agency_a,
        unit=geo.commune_b,
        programme=Programme.objects.first(),
        year=2026,
        source="state_commune",
        title="Sai đơn vị",
    )
    assert exc.message_dict["unit"] == ["The unit must be the agency's unit or a unit below it."]


def test_agency_reporter_keeps_only_their_own_agency(reporter, geo):
    line = services.budget_line_create(
        acting_user=reporter,
        agency=geo.department,
        programme=Programme.objects.get(code="injury-prevention"),
        year=2026,
        source="state_provincial",
        title="Dạy bơi cho trẻ em",
        planned_vnd=50_000_000,
    )
    assert line.unit == geo.province
    unchanged = Unchanged(BudgetLine)
    with pytest.raises(ScopeError):
        services.budget_line_create(
            acting_user=reporter,
            agency=geo.agency_a,  # in the reporter's province, but another agency's
            programme=None,
            year=2026,
            source="state_commune",
            title="Không phải của mình",
        )
    unchanged.check()


def test_officer_may_not_keep_a_budget(officer_a, geo):
    with pytest.raises(ScopeError):
        services.budget_line_create(
            acting_user=officer_a,
            agency=geo.agency_a,
            programme=None,
            year=2026,
            source="state_commune",
            title="x",
        )


# --- priority areas ---------------------------------------------------------------------------


def test_priority_area_added_once(coordinator, geo):
    area = services.priority_area_add(acting_user=coordinator, unit=geo.commune_b, reason="Xã miền núi")
    assert area.unit == geo.commune_b
    unchanged = Unchanged(PriorityArea)
    exc = refused(services.priority_area_add, acting_user=coordinator, unit=geo.commune_b)
    assert exc.message_dict["unit"] == ["This unit is already a priority area."]
    unchanged.check()
    services.priority_area_remove(acting_user=coordinator, area=area)
    assert not PriorityArea.objects.exists()


# --- donations --------------------------------------------------------------------------------


def test_donation_in_kind_needs_description(officer_a, donor_a, geo):
    unchanged = Unchanged(Donation)
    exc = refused(
        services.donation_record,
        acting_user=officer_a,
        donor=donor_a,
        unit=geo.commune_a,
        received_on=dt.date(2026, 5, 1),
        kind="in_kind",
        purpose="festivals",
        amount=3_000_000,
    )
    assert exc.message_dict["description"] == ["Describe the goods given."]
    unchanged.check()
    donation = services.donation_record(
        acting_user=officer_a,
        donor=donor_a,
        unit=geo.commune_a,
        received_on=dt.date(2026, 5, 1),
        kind="in_kind",
        purpose="festivals",
        amount=3_000_000,
        description="200 hộp bánh Trung thu",
    )
    assert donation.amount_vnd == 3_000_000


@pytest.mark.parametrize(
    ("kwargs", "field", "message"),
    [
        ({"amount": -1}, "amount", "An amount cannot be negative."),
        ({"amount": 0}, "amount", "An amount of zero records nothing."),
        (
            {"amount": Decimal("100"), "currency": "EUR"},
            "exchange_rate",
            "An amount in EUR needs the exchange rate to dong: enter the rate used.",
        ),
        (
            {"amount": Decimal("100"), "currency": "EUR", "exchange_rate": Decimal("0")},
            "exchange_rate",
            "The exchange rate must be more than zero.",
        ),
        ({"amount": 5, "currency": "dollars"}, "currency", "Give the currency as its three-letter code"),
    ],
)
def test_bad_donation_amounts_are_refused(officer_a, donor_a, geo, kwargs, field, message):
    unchanged = Unchanged(Donation)
    exc = refused(
        services.donation_record,
        acting_user=officer_a,
        donor=donor_a,
        unit=geo.commune_a,
        received_on=dt.date(2026, 5, 1),
        kind="cash",
        purpose="general",
        **kwargs,
    )
    assert exc.message_dict[field][0].startswith(message)
    unchanged.check()


def test_donation_outside_scope_is_refused(officer_b, donor_a, geo):
    unchanged = Unchanged(Donation)
    with pytest.raises(ScopeError):  # officer B's commune, but commune A's donor
        services.donation_record(
            acting_user=officer_b,
            donor=donor_a,
            unit=geo.commune_b,
            received_on=dt.date(2026, 5, 1),
            kind="cash",
            purpose="general",
            amount=1_000_000,
        )
    unchanged.check()


def test_use_never_exceeds_what_is_left(officer_a, donor_a, geo):
    donation = services.donation_record(
        acting_user=officer_a,
        donor=donor_a,
        unit=geo.commune_a,
        received_on=dt.date(2026, 5, 1),
        kind="cash",
        purpose="education",
        amount=5_000_000,
    )
    services.donation_use_record(
        acting_user=officer_a,
        donation=donation,
        used_on=dt.date(2026, 5, 10),
        amount_vnd=3_000_000,
        description="Học bổng cho 6 em",
    )
    unchanged = Unchanged(DonationUse)
    exc = refused(
        services.donation_use_record,
        acting_user=officer_a,
        donation=donation,
        used_on=dt.date(2026, 5, 11),
        amount_vnd=2_000_001,
        description="Quá số còn lại",
    )
    assert exc.message_dict["amount_vnd"] == [
        "Only 2,000,000 đ of this donation is left: 2,000,001 đ is more than that."
    ]
    exc = refused(
        services.donation_use_record,
        acting_user=officer_a,
        donation=donation,
        used_on=dt.date(2026, 4, 1),
        amount_vnd=-5,
        description="Âm",
    )
    assert exc.message_dict["amount_vnd"] == ["An amount cannot be negative."]
    exc = refused(
        services.donation_use_record,
        acting_user=officer_a,
        donation=donation,
        used_on=dt.date(2026, 4, 1),
        amount_vnd=5,
        description="Trước khi nhận",
    )
    assert exc.message_dict["used_on"] == ["A donation cannot be used before it was received."]
    unchanged.check()


def test_anonymous_donor_public_name(anonymous_donor, donor_a):
    assert anonymous_donor.public_name == "Anonymous donor"
    assert donor_a.public_name == "Công ty Sao Mai"


# --- sponsorships -----------------------------------------------------------------------------


def test_sponsorship_of_a_child_is_written_with_a_label_without_the_name(officer_a, donor_a, child_a):
    sponsorship = services.sponsorship_create(
        acting_user=officer_a,
        sponsor=donor_a,
        child=child_a,
        starts_on=dt.date(2026, 6, 1),
        monthly_amount_vnd=500_000,
        commitment="Hỗ trợ học phí đến hết lớp 9",
    )
    event = AuditEvent.objects.latest("id")
    assert event.action == "funding.sponsorship.created"
    assert event.unit == child_a.commune
    assert "Lò Thị Mai" not in event.object_label
    assert "Lò Thị Mai" not in str(sponsorship)


def test_sponsorship_of_an_adult_is_refused(officer_a, donor_a, adult_a):
    unchanged = Unchanged(Sponsorship)
    exc = refused(
        services.sponsorship_create,
        acting_user=officer_a,
        sponsor=donor_a,
        child=adult_a,
        starts_on=dt.date(2026, 5, 10),  # the sixteenth birthday
    )
    assert exc.message_dict["child"] == [
        "This person is 16 years old on 10/05/2026: a sponsorship is for a child, a person under 16 "
        "(Law on Children, Article 1)."
    ]
    unchanged.check()
    # The day before, still a child.
    services.sponsorship_create(
        acting_user=officer_a, sponsor=donor_a, child=adult_a, starts_on=dt.date(2026, 5, 9)
    )


def test_sponsorship_period_and_amount_checked(officer_a, donor_a, child_a):
    unchanged = Unchanged(Sponsorship)
    exc = refused(
        services.sponsorship_create,
        acting_user=officer_a,
        sponsor=donor_a,
        child=child_a,
        starts_on=dt.date(2026, 6, 1),
        ends_on=dt.date(2026, 5, 1),
        monthly_amount_vnd=-100,
    )
    assert exc.message_dict["ends_on"] == ["The sponsorship cannot end before it starts."]
    assert exc.message_dict["monthly_amount_vnd"] == ["An amount cannot be negative."]
    exc = refused(
        services.sponsorship_create,
        acting_user=officer_a,
        sponsor=donor_a,
        child=child_a,
        starts_on=dt.date(2015, 1, 1),
    )
    assert exc.message_dict["starts_on"] == ["The sponsorship cannot start before the child was born."]
    unchanged.check()


def test_sponsorship_of_a_child_of_another_commune_is_refused(officer_b, child_a, geo):
    donor_b = services.donor_create(
        acting_user=officer_b, unit=geo.commune_b, kind="individual", name="Ông Bình"
    )
    unchanged = Unchanged(Sponsorship)
    with pytest.raises(ScopeError):
        services.sponsorship_create(
            acting_user=officer_b, sponsor=donor_b, child=child_a, starts_on=dt.date(2026, 6, 1)
        )
    unchanged.check()


def test_payments_and_visits(officer_a, donor_a, child_a):
    sponsorship = services.sponsorship_create(
        acting_user=officer_a, sponsor=donor_a, child=child_a, starts_on=dt.date(2026, 1, 1)
    )
    services.sponsorship_payment_record(
        acting_user=officer_a, sponsorship=sponsorship, paid_on=dt.date(2026, 2, 1), amount_vnd=500_000
    )
    unchanged = Unchanged(SponsorshipPayment)
    exc = refused(
        services.sponsorship_payment_record,
        acting_user=officer_a,
        sponsorship=sponsorship,
        paid_on=dt.date(2026, 2, 1),
        amount_vnd=-500_000,
    )
    assert exc.message_dict["amount_vnd"] == ["An amount cannot be negative."]
    exc = refused(
        services.sponsorship_payment_record,
        acting_user=officer_a,
        sponsorship=sponsorship,
        paid_on=dt.date(2025, 12, 1),
        amount_vnd=500_000,
    )
    assert exc.message_dict["paid_on"] == ["A payment cannot be made before the sponsorship starts."]
    unchanged.check()
    visit = services.sponsorship_visit_record(
        acting_user=officer_a,
        sponsorship=sponsorship,
        visited_on=dt.date(2026, 3, 1),
        visitor="Đại diện công ty",
    )
    assert visit.sponsorship == sponsorship
    assert sponsorship.paid_vnd() == 500_000


def test_ending_a_sponsorship_needs_its_last_day(officer_a, donor_a, child_a):
    sponsorship = services.sponsorship_create(
        acting_user=officer_a, sponsor=donor_a, child=child_a, starts_on=dt.date(2026, 1, 1)
    )
    exc = refused(services.sponsorship_update, acting_user=officer_a, sponsorship=sponsorship, status="ended")
    assert exc.message_dict["ends_on"] == ["An ended sponsorship needs its last day."]
    sponsorship.refresh_from_db()
    assert sponsorship.status == "active"
    services.sponsorship_update(
        acting_user=officer_a, sponsorship=sponsorship, status="ended", ends_on=dt.date(2026, 12, 31)
    )
    assert sponsorship.status == "ended"


# --- international projects -------------------------------------------------------------------


def test_project_with_reports(coordinator, geo):
    project = services.project_create(
        acting_user=coordinator,
        title="Bảo vệ trẻ em vùng cao",
        partner="UNICEF Việt Nam",
        unit=geo.province,
        starts_on=dt.date(2025, 1, 1),
        ends_on=dt.date(2027, 12, 31),
        currency="USD",
        amount=Decimal("200000"),
        exchange_rate=Decimal("25000"),
        target_units=[geo.commune_a, geo.commune_b],
        linked_tasks="II.7.a",
    )
    assert project.amount_vnd == 5_000_000_000
    assert set(project.target_units.all()) == {geo.commune_a, geo.commune_b}
    report = services.project_report_add(
        acting_user=coordinator, project=project, title="Báo cáo 6 tháng", due_on=dt.date(2025, 7, 31)
    )
    assert report.is_overdue()
    services.project_report_submit(acting_user=coordinator, report=report, submitted_on=dt.date(2025, 8, 2))
    assert not report.is_overdue()
    exc = refused(
        services.project_report_submit,
        acting_user=coordinator,
        report=report,
        submitted_on=dt.date(2025, 8, 3),
    )
    assert exc.messages == ["This report was already submitted."]


def test_project_bad_input(coordinator, geo, officer_a):
    unchanged = Unchanged(InternationalProject)
    base = {
        "acting_user": coordinator,
        "title": "Dự án",
        "partner": "Plan International",
        "unit": geo.province,
        "starts_on": dt.date(2026, 1, 1),
        "ends_on": dt.date(2026, 12, 31),
    }
    exc = refused(services.project_create, **{**base, "currency": "GBP", "amount": Decimal("1000")})
    assert "exchange_rate" in exc.message_dict
    exc = refused(services.project_create, **{**base, "amount": 1_000_000, "ends_on": dt.date(2025, 12, 31)})
    assert exc.message_dict["ends_on"] == ["The project cannot end before it starts."]
    exc = refused(services.project_create, **{**base, "amount": -1})
    assert exc.message_dict["amount"] == ["An amount cannot be negative."]
    with pytest.raises(ScopeError):
        services.project_create(**{**base, "acting_user": officer_a, "unit": geo.commune_a, "amount": 1})
    unchanged.check()


# --- transparency -----------------------------------------------------------------------------


def test_transparency_figures_by_purpose_and_donor(
    coordinator, officer_a, donor_a, anonymous_donor, child_a, geo
):
    for donor, amount, purpose in (
        (donor_a, 10_000_000, "education"),
        (anonymous_donor, 2_000_000, "education"),
    ):
        services.donation_record(
            acting_user=officer_a,
            donor=donor,
            unit=geo.commune_a,
            received_on=dt.date(2026, 2, 1),
            kind="cash",
            purpose=purpose,
            amount=amount,
        )
    donation = Donation.objects.get(donor=donor_a)
    services.donation_use_record(
        acting_user=officer_a,
        donation=donation,
        used_on=dt.date(2026, 3, 1),
        amount_vnd=4_000_000,
        description="Sách",
    )
    sponsorship = services.sponsorship_create(
        acting_user=officer_a, sponsor=donor_a, child=child_a, starts_on=dt.date(2026, 1, 1)
    )
    services.sponsorship_payment_record(
        acting_user=officer_a, sponsorship=sponsorship, paid_on=dt.date(2026, 2, 15), amount_vnd=600_000
    )
    report = services.transparency_publish(acting_user=coordinator, unit=geo.province, year=2026, quarter=1)
    figures = report.figures
    assert figures["purposes"] == [
        {"purpose": "education", "received": 12_000_000, "used": 4_000_000, "balance": 8_000_000},
        {"purpose": "sponsorship", "received": 600_000, "used": 600_000, "balance": 0},
    ]
    assert figures["donors"] == [
        {"name": "Công ty Sao Mai", "anonymous": False, "total": 10_600_000},
        {"name": None, "anonymous": True, "total": 2_000_000},
    ]
    text = str(figures)
    assert "Lò Thị Mai" not in text and "Bà Nguyễn Thị Kín" not in text
    assert str(child_a.pk) not in [str(v) for v in figures.values()]
    # Publishing again replaces the figures of the same period.
    again = services.transparency_publish(acting_user=coordinator, unit=geo.province, year=2026, quarter=1)
    assert again.pk == report.pk
    assert TransparencyReport.objects.count() == 1
    assert AuditEvent.objects.latest("id").action == "funding.transparencyreport.republished"


def test_transparency_publish_refusals(coordinator, officer_a, geo):
    unchanged = Unchanged(TransparencyReport)
    with pytest.raises(ScopeError):
        services.transparency_publish(acting_user=officer_a, unit=geo.commune_a, year=2026)
    exc = refused(
        services.transparency_publish, acting_user=coordinator, unit=geo.province, year=2026, quarter=5
    )
    assert exc.message_dict["quarter"] == ["A quarter is 1, 2, 3 or 4."]
    exc = refused(services.transparency_publish, acting_user=coordinator, unit=geo.province, year=2099)
    assert exc.message_dict["year"] == ["The period has not started yet."]
    unchanged.check()


def test_donor_update_is_audited(officer_a, donor_a):
    services.donor_update(acting_user=officer_a, donor=donor_a, anonymous=True)
    event = AuditEvent.objects.latest("id")
    assert event.changes == {"anonymous": [False, True]}
    assert Donor.objects.get(pk=donor_a.pk).anonymous

"""The funding app's lines of the access table (tests/core/test_access_matrix.py collects them).

Each side gets a budget line of its agency with an allocation, a priority area (its village), a
donor of its commune with a donation, a sponsorship of the side's child, and an international
project with a report due. Budget, priority areas, projects and publication belong to the
provincial coordinator (side "c" is another province); donors, donations and sponsorships to the
commune officer (side "b" is the other commune).
"""

from __future__ import annotations

import datetime as dt

from tests.matrix import Endpoint
from treem.funding.models import (
    BudgetEntry,
    BudgetLine,
    Donation,
    Donor,
    InternationalProject,
    PriorityArea,
    ProjectReport,
    Sponsorship,
)

NAMES = {"a": "An", "b": "Bình", "c": "Xa"}


def records(side, tag: str, personas: dict) -> None:
    name = NAMES[tag]
    side.line = BudgetLine.objects.create(
        agency=side.agency,
        unit=side.commune,
        year=2026,
        source="state_commune",
        title=f"Kinh phí bảo vệ trẻ em {name}",
        planned_vnd=20_000_000,
    )
    BudgetEntry.objects.create(
        line=side.line,
        kind="allocation",
        amount_vnd=15_000_000,
        document_number=f"{tag}-01/QĐ",
        document_date=dt.date(2026, 1, 10),
    )
    side.priority = PriorityArea.objects.create(unit=side.village, reason="Vùng sâu")
    side.donor = Donor.objects.create(kind="business", name=f"Nhà hảo tâm {name}", unit=side.commune)
    side.donation = Donation.objects.create(
        donor=side.donor,
        unit=side.commune,
        received_on=dt.date(2026, 2, 1),
        kind="cash",
        purpose="education",
        amount_vnd=8_000_000,
    )
    side.sponsorship = Sponsorship.objects.create(
        sponsor=side.donor, child=side.child, starts_on=dt.date(2026, 1, 1), monthly_amount_vnd=500_000
    )
    side.project = InternationalProject.objects.create(
        title=f"Dự án hợp tác {name}",
        partner="UNICEF",
        unit=side.commune,
        starts_on=dt.date(2025, 1, 1),
        ends_on=dt.date(2027, 12, 31),
        amount_vnd=100_000_000,
    )
    side.project_report = ProjectReport.objects.create(
        project=side.project, title=f"Báo cáo giữa kỳ {name}", due_on=dt.date(2026, 6, 30)
    )


def marker(obj) -> str | None:
    if isinstance(obj, BudgetLine | InternationalProject | ProjectReport):
        return obj.title
    if isinstance(obj, PriorityArea):
        return obj.unit.name
    if isinstance(obj, Donation):
        return obj.donor.name
    if isinstance(obj, Sponsorship):
        return obj.child.full_name  # in scope the child is named; out of scope never
    if isinstance(obj, Donor):
        return obj.name
    return None


def _line_form(side) -> dict:
    return {
        "agency": side.agency.pk,
        "year": "2026",
        "source": "state_commune",
        "title": "Kinh phí mới",
        "planned_vnd": "5.000.000",
    }


def _donor_form(side) -> dict:
    return {"kind": "individual", "name": "Ông Mới Cho", "unit": side.commune.pk}


def _donation_form(side) -> dict:
    return {
        "donor": side.donor.pk,
        "unit": side.commune.pk,
        "received_on": "01/05/2026",
        "kind": "cash",
        "purpose": "general",
        "currency": "VND",
        "amount": "2.000.000",
    }


def _sponsorship_form(side) -> dict:
    return {
        "sponsor": side.donor.pk,
        "child": side.child.pk,
        "starts_on": "01/06/2026",
        "purpose": "sponsorship",
    }


def _sponsorship_edit_form(side) -> dict:
    return {
        "sponsor": side.donor.pk,
        "starts_on": "01/01/2026",
        "monthly_amount_vnd": "600.000",
        "purpose": "sponsorship",
        "status": "active",
    }


def _project_form(side) -> dict:
    return {
        "title": "Dự án mới",
        "partner": "Plan International",
        "unit": side.commune.pk,
        "starts_on": "01/01/2026",
        "ends_on": "31/12/2026",
        "currency": "VND",
        "amount": "100.000.000",
    }


COORD = {"permitted": "coordinator", "denied": "officer_a"}
OFFICER = {"permitted": "officer_a", "denied": "supervisor_a"}

ENDPOINTS: tuple[Endpoint, ...] = (
    Endpoint(
        "funding:transparency",
        permitted=None,
        anonymous=200,
        public="the published transparency report: sums by purpose and donors' public names, no child",
    ),
    # --- budget (coordinator: the province's agencies) ---
    Endpoint("funding:budget_list", **COORD, shown=lambda side: [side.line]),
    Endpoint("funding:budget_add", **COORD),
    Endpoint(
        "funding:budget_add", "post", **COORD, data=_line_form, ok=302, events=1, out_status=400
    ),  # another province's agency is not among the form's choices
    Endpoint("funding:budget_detail", **COORD, record="line"),
    Endpoint("funding:budget_edit", **COORD, record="line"),
    Endpoint("funding:budget_edit", "post", **COORD, record="line", data=_line_form, ok=302, events=1),
    Endpoint(
        "funding:entry_add",
        "post",
        **COORD,
        record="line",
        data=lambda side: {
            "kind": "spending",
            "currency": "VND",
            "amount": "1.000.000",
            "document_number": "PC-01",
            "document_date": "15/02/2026",
        },
        ok=302,
        events=1,
    ),
    Endpoint(
        "funding:budget_settle",
        "post",
        **COORD,
        record="line",
        data=lambda side: {"status": "submitted"},
        ok=302,
        events=1,
    ),
    Endpoint("funding:totals", **COORD, query={"year": "2026"}, shown=lambda side: [side.agency]),
    # --- priority areas ---
    Endpoint(
        "funding:priority_list", permitted="coordinator", denied="supervisor_a", shown=lambda s: [s.priority]
    ),
    Endpoint(
        "funding:priority_add",
        "post",
        **COORD,
        data=lambda side: {"unit": side.commune.pk, "reason": "Xã đặc biệt khó khăn"},
        ok=302,
        events=1,
        out_status=400,  # a commune of another province is not among the form's choices
    ),
    Endpoint("funding:priority_remove", "post", **COORD, record="priority", ok=302, events=1),
    # --- donors and donations (commune officer) ---
    Endpoint("funding:donor_list", **OFFICER, shown=lambda side: [side.donor]),
    Endpoint("funding:donor_add", **OFFICER),
    Endpoint("funding:donor_add", "post", **OFFICER, data=_donor_form, ok=302, events=1, out_status=400),
    Endpoint("funding:donor_detail", **OFFICER, record="donor", events=1),
    Endpoint("funding:donor_edit", **OFFICER, record="donor"),
    Endpoint("funding:donor_edit", "post", **OFFICER, record="donor", data=_donor_form, ok=302, events=1),
    Endpoint("funding:donation_list", **OFFICER, shown=lambda side: [side.donation]),
    Endpoint("funding:donation_add", **OFFICER),
    Endpoint(
        "funding:donation_add", "post", **OFFICER, data=_donation_form, ok=302, events=1, out_status=400
    ),
    Endpoint("funding:donation_detail", **OFFICER, record="donation"),
    Endpoint(
        "funding:donation_use",
        "post",
        **OFFICER,
        record="donation",
        data=lambda side: {"used_on": "02/02/2026", "amount_vnd": "100.000", "description": "Mua sách vở"},
        ok=302,
        events=1,
    ),
    # --- sponsorships: scoped by the child's commune; every opening audited ---
    Endpoint(
        "funding:sponsorship_list", permitted="officer_a", denied="viewer", shown=lambda s: [s.sponsorship]
    ),
    Endpoint("funding:sponsorship_add", permitted="officer_a", denied="viewer"),
    Endpoint(
        "funding:sponsorship_add",
        "post",
        permitted="officer_a",
        denied="viewer",
        data=_sponsorship_form,
        ok=302,
        events=1,
        out_status=400,  # a child of another commune is not among the form's choices
    ),
    Endpoint(
        "funding:sponsorship_detail", permitted="officer_a", denied="viewer", record="sponsorship", events=1
    ),
    Endpoint("funding:sponsorship_edit", permitted="officer_a", denied="viewer", record="sponsorship"),
    Endpoint(
        "funding:sponsorship_edit",
        "post",
        permitted="officer_a",
        denied="viewer",
        record="sponsorship",
        data=_sponsorship_edit_form,
        ok=302,
        events=1,
    ),
    Endpoint(
        "funding:payment_add",
        "post",
        permitted="officer_a",
        denied="viewer",
        record="sponsorship",
        data=lambda side: {"paid_on": "01/02/2026", "amount_vnd": "500.000", "kind": "cash"},
        ok=302,
        events=1,
    ),
    Endpoint(
        "funding:visit_add",
        "post",
        permitted="officer_a",
        denied="viewer",
        record="sponsorship",
        data=lambda side: {"visited_on": "01/03/2026", "visitor": "Cán bộ xã và nhà tài trợ"},
        ok=302,
        events=1,
    ),
    # --- international projects ---
    Endpoint("funding:project_list", **COORD, shown=lambda side: [side.project]),
    Endpoint("funding:project_add", **COORD),
    Endpoint("funding:project_add", "post", **COORD, data=_project_form, ok=302, events=1, out_status=400),
    Endpoint("funding:project_detail", **COORD, record="project"),
    Endpoint("funding:project_edit", **COORD, record="project"),
    Endpoint("funding:project_edit", "post", **COORD, record="project", data=_project_form, ok=302, events=1),
    Endpoint(
        "funding:report_add",
        "post",
        **COORD,
        record="project",
        data=lambda side: {"title": "Báo cáo quý", "due_on": "30/09/2026"},
        ok=302,
        events=1,
    ),
    Endpoint(
        "funding:report_submit",
        "post",
        **COORD,
        record="project_report",
        data=lambda side: {"submitted_on": "01/07/2026"},
        ok=302,
        events=1,
    ),
    # --- transparency: preview and publish ---
    Endpoint("funding:transparency_manage", **COORD),
    Endpoint(
        "funding:transparency_publish",
        "post",
        **COORD,
        data=lambda side: {"unit": side.commune.pk, "year": "2026"},
        ok=302,
        events=1,
        out_status=400,  # a unit of another province is not among the form's choices
    ),
)

"""`treem demo --no-serve`: loads the real units, synthetic records, one user per role and a year of
activity through the apps' services (at a small scale here); twice is safe and adds nothing."""

from io import StringIO

import pytest
from django.apps import apps
from django.contrib.auth import authenticate
from django.core.management import call_command
from django.db.models import F
from django.urls import reverse
from django.utils import timezone

from treem.accounts.models import Agency, User
from treem.accounts.roles import ROLES
from treem.cases.models import Case, CaseStep, Deadline, HotlineCall, Report, Transfer
from treem.cases.models import Plan as CasePlan
from treem.children.models import Child
from treem.core.demo import seed
from treem.core.demo.seed import DEMO_CHILDREN, DEMO_PASSWORD
from treem.geo.models import PlacementReview, Unit

# The records a second run must not add to (and that the activity fills).
COUNTED = [
    "geo.Unit",
    "accounts.Agency",
    "accounts.User",
    "audit.AuditEvent",
    "notifications.Notification",
    "children.Child",
    "children.CircumstanceMembership",
    "children.Support",
    "cases.Report",
    "cases.Case",
    "cases.Assessment",
    "cases.Plan",
    "cases.Referral",
    "cases.Transfer",
    "complaints.Complaint",
    "indicators.IndicatorValue",
    "indicators.Target",
    "indicators.Approval",
    "funding.BudgetLine",
    "funding.BudgetEntry",
    "funding.Donor",
    "funding.Donation",
    "funding.Sponsorship",
    "funding.TransparencyReport",
    "campaigns.Campaign",
    "workforce.StaffMember",
    "workforce.Participant",
    "plans.Plan",
    "plans.Task",
    "plans.ProgressReport",
    "plans.AgencyReport",
    "plans.Inspection",
    "plans.Recommendation",
]


def _counts() -> dict[str, int]:
    return {label: apps.get_model(label).objects.count() for label in COUNTED}


@pytest.mark.django_db(transaction=True)
def test_demo_loads_a_year_of_activity_once_and_twice_changes_nothing(settings, monkeypatch, client):
    settings.DEBUG = True  # pytest-django turns debug off; the demo runs only in debug mode
    monkeypatch.setattr(seed, "DEMO_SCALE", 0.04)  # the full demo takes minutes: a small one here
    out = StringIO()
    call_command("demo", no_serve=True, stdout=out, verbosity=0)
    text = out.getvalue()
    for role in ROLES:
        if role.machine:  # an API client's account (a hotline system) is set up by the administrator
            continue
        assert User.objects.filter(groups__name=role.slug).count() >= 1, role.slug
    assert "canbo.banthach" in text and DEMO_PASSWORD in text
    assert authenticate(username="canbo.banthach", password=DEMO_PASSWORD) is not None
    da_nang = Unit.objects.get(level="province", code="48", valid_from__isnull=False)
    assert Unit.objects.filter(parent=da_nang, level="commune").count() == 94
    assert Child.objects.count() > DEMO_CHILDREN * 1.1
    assert PlacementReview.objects.filter(status="pending").count() == 3  # the villages of Hòa Liên

    # Cases at every step in the demo's ward; reports still to screen; deadlines late and overdue.
    steps = set(Case.objects.values_list("step__code", flat=True))
    assert steps == set(CaseStep.objects.values_list("code", flat=True))
    for code, least in (("20335", 15), ("20194", 1)):  # Bàn Thạch (every step), Hải Vân (a transfer)
        assert Case.objects.filter(commune__code=code, commune__valid_from__isnull=False).count() >= least
    assert Report.objects.filter(case__isnull=True).exists()
    assert {"hotline_18001581", "online"} <= set(Report.objects.values_list("channel", flat=True))
    # The national hotline's system pushed its calls through the API, as its own account.
    calls = HotlineCall.objects.select_related("report", "account__api_client")
    assert calls.exists() and {c.report.channel for c in calls} == {"hotline_111"}
    assert {c.account.api_client.name for c in calls} == {"Tổng đài quốc gia 111"}
    assert CasePlan.objects.filter(status="rejected").exists()
    assert Deadline.objects.filter(met_at__gt=F("due_at")).exists()  # met late
    assert Deadline.objects.filter(met_at__isnull=True, due_at__lt=timezone.now()).exists()  # overdue
    assert Transfer.objects.filter(status="accepted").exists()
    # A year of it, not a day: cases opened in at least six different months.
    assert len({(d.year, d.month) for d in Case.objects.values_list("opened_at", flat=True)}) >= 6

    counts = _counts()
    for label in COUNTED:
        assert counts[label] > 0, label

    # One report per agency and period, at every step; the periods still being reported leave the
    # demo's reporter (its department's quarterly tasks) and commune chairman their own to write.
    from treem.plans.models import AgencyReport, ProgressReport, ReportingPeriod
    from treem.plans.services import agency_report_tasks

    statuses = set(AgencyReport.objects.values_list("status", flat=True))
    assert {"submitted", "returned", "accepted"} <= statuses, statuses
    assert not ProgressReport.objects.filter(agency_report__isnull=True).exists()
    reporter = User.objects.get(username="baocao")
    chairman_pc = Agency.objects.get(unit__code="20335", unit__valid_from__isnull=False, kind="commune_pc")
    open_now = ReportingPeriod.objects.filter(
        opens_on__lte=timezone.localdate(), due_on__gte=timezone.localdate()
    )
    quarter = open_now.filter(kind="quarter").first()
    if quarter is not None:
        assert agency_report_tasks(period=quarter, agency=reporter.agency).count() >= 2
        assert not AgencyReport.objects.filter(period=quarter, agency=reporter.agency).exists()
    for period in open_now:
        assert not AgencyReport.objects.filter(period=period, agency=chairman_pc).exists()

    # The coordinator's home page: the province at a glance, with figures.
    client.force_login(User.objects.get(username="dieuphoi"))
    response = client.get(reverse("home"))
    page = response.content.decode()
    for part in ("glance-children", "glance-cases", "commune-map", "chart-months", "chart-harms"):
        assert f'data-testid="{part}"' in page, part
    sections = {s["template"]: s for s in response.context["sections"]}
    children = sections["children/_dashboard_glance.html"]
    assert int(children["figures"][0].now.replace(".", "")) > 0
    cases = sections["cases/_dashboard_glance.html"]
    assert cases["figures"][0].now not in ("0", "<5")
    assert any(bar.text not in ("0", "<5") for bar in cases["by_month"])

    # The consolidated report of the last period that has ended (a year's is built from 15/12).
    from treem.reporting.figures import figure_tables
    from treem.reporting.selectors import report_data

    period = ReportingPeriod.objects.filter(ends_on__lt=timezone.localdate()).order_by("-ends_on").first()
    data = report_data(user=User.objects.get(username="dieuphoi"), period=period)
    tables = figure_tables(data)
    with_figures = [t.key for t in tables if any(str(c) not in ("0", "", "—") for r in t.rows for c in r[1:])]
    assert len(with_figures) >= len(tables) - 2, with_figures

    call_command("demo", no_serve=True, stdout=StringIO(), verbosity=0)
    assert _counts() == counts


def test_demo_refuses_production_mode(settings):
    from django.core.management import CommandError

    settings.DEBUG = False
    with pytest.raises(CommandError, match="TREEM_DEBUG=0"):
        call_command("demo", no_serve=True, stdout=StringIO())

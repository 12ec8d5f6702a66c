"""A small plan with its 2026 periods, reports and indicator figures, for the report's tests.

Hand-computed figures of the indicator table (province "Thành phố Thử" = communes A and B):
* RP_TY_LE (percentage): A 45/50, B 40/60 → (45 + 40) / (50 + 60) = 85 / 110 = 77,27 % against a
  target of 80 % → 96,6 % of the target, "Gần đạt" (within 10 %). Never the mean of 90 % and
  66,67 % (78,33 %).
* RP_SO_VU (count, lower is better): A 3, B 4 → 7 against a target of at most 10 → 70 %, "Đạt".
A figure of another province's commune (100/100) must not count.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from types import SimpleNamespace

from django.utils import timezone

from treem.indicators.choices import TargetStatus
from treem.indicators.models import Indicator, IndicatorValue, Target
from treem.plans.models import (
    PeriodKind,
    Plan,
    ProgressReport,
    ReportingPeriod,
    ReportStatus,
    Section,
    Task,
    TaskStatus,
)

YEAR = 2026
# The annual period of this plan closes on 15/11 (the usual cut-off of a year's figures).
YEAR_ENDS = dt.date(YEAR, 11, 15)


def build_plan(
    *, unit, lead, cooperating, key: str = "KH-BC-2026", number: str = "12/KH-UBND"
) -> SimpleNamespace:
    """A plan of ``unit``: sections II.1 and II.2 with three tasks, the closed year 2026 and the open
    fourth quarter; an accepted report with difficulties and proposals, a submitted one (not yet
    accepted: left out of the report)."""
    s = SimpleNamespace()
    s.plan = Plan.objects.create(
        key=key,
        number=number,
        title="Kế hoạch thực hiện công tác trẻ em",
        unit=unit,
        issued_on=dt.date(2025, 12, 20),
    )
    s.section_1 = Section.objects.create(plan=s.plan, code="II.1", position=1, title="Lãnh đạo, chỉ đạo")
    s.section_2 = Section.objects.create(plan=s.plan, code="II.2", position=2, title="Truyền thông, giáo dục")
    s.task_1 = Task.objects.create(
        plan=s.plan,
        section=s.section_1,
        code="II.1.a",
        position=1,
        content="Ban hành kế hoạch năm của các sở, ngành",
        lead_agency=lead,
        status=TaskStatus.DONE,
    )
    s.task_1.cooperating_agencies.set([cooperating])
    s.task_2 = Task.objects.create(
        plan=s.plan,
        section=s.section_2,
        code="II.2.a",
        position=2,
        content="Tổ chức Tháng hành động vì trẻ em",
        lead_agency=lead,
        status=TaskStatus.IN_PROGRESS,
    )
    s.task_3 = Task.objects.create(
        plan=s.plan,
        section=s.section_2,
        code="II.2.b",
        position=3,
        content="Tập huấn cộng tác viên thôn",
        lead_agency=cooperating,
        status=TaskStatus.NOT_STARTED,
        deadline=dt.date(YEAR, 9, 30),  # open past its deadline at the period's end: late
    )
    s.year = ReportingPeriod.objects.create(
        plan=s.plan,
        kind=PeriodKind.YEAR,
        year=YEAR,
        number=1,
        starts_on=dt.date(YEAR, 1, 1),
        ends_on=YEAR_ENDS,
        opens_on=dt.date(YEAR, 11, 1),
        due_on=dt.date(YEAR, 11, 20),
    )
    s.q4 = ReportingPeriod.objects.create(
        plan=s.plan,
        kind=PeriodKind.QUARTER,
        year=YEAR,
        number=4,
        starts_on=dt.date(YEAR, 10, 1),
        ends_on=dt.date(YEAR, 12, 31),
        opens_on=dt.date(YEAR, 12, 1),
        due_on=dt.date(YEAR + 1, 1, 10),
    )
    submitted = timezone.make_aware(dt.datetime(YEAR, 11, 18, 9, 0))
    s.accepted = ProgressReport.objects.create(
        period=s.year,
        task=s.task_1,
        agency=lead,
        status=ReportStatus.ACCEPTED,
        activities="Đã ban hành 15 kế hoạch của các sở, ngành và địa phương.",
        results="100% sở, ngành có kế hoạch năm.",
        difficulties="Thiếu cán bộ chuyên trách ở cấp xã.",
        proposals="Đề nghị bố trí thêm biên chế cho công tác trẻ em.",
        submitted_at=submitted,
        first_submitted_at=submitted,
        decided_at=submitted,
    )
    s.pending = ProgressReport.objects.create(
        period=s.year,
        task=s.task_2,
        agency=lead,
        status=ReportStatus.SUBMITTED,
        activities="Báo cáo chưa duyệt: không được đưa vào tổng hợp.",
        difficulties="Khó khăn chưa duyệt.",
        submitted_at=submitted,
        first_submitted_at=submitted,
    )
    return s


def build_indicators(*, province, commune_a, commune_b, commune_elsewhere=None) -> SimpleNamespace:
    """Two indicators with the province's 2026 targets and the communes' figures (see the module)."""
    s = SimpleNamespace()
    s.ratio = Indicator.objects.create(
        code="RP_TY_LE",
        name="Tỷ lệ trẻ em được đăng ký khai sinh đúng hạn",
        programme="province",
        kind="percentage",
        unit_of_measure="%",
        multiplier=100,
    )
    s.count = Indicator.objects.create(
        code="RP_SO_VU",
        name="Số vụ xâm hại trẻ em",
        programme="province",
        kind="count",
        unit_of_measure="vụ",
        higher_is_better=False,
    )
    # Approved targets (a draft would compare with nothing): approved by a second person, as the
    # real flow requires (indicators.services.target_approve).
    approved = {"status": TargetStatus.APPROVED, "approved_at": timezone.now()}
    Target.objects.create(
        indicator=s.ratio,
        unit=province,
        scope_unit=province,
        year=YEAR,
        target=Decimal(80),
        baseline=Decimal(70),
        baseline_year=2025,
        **approved,
    )
    Target.objects.create(
        indicator=s.count, unit=province, scope_unit=province, year=YEAR, target=Decimal(10), **approved
    )
    figures = [
        (s.ratio, commune_a, 45, 50),
        (s.ratio, commune_b, 40, 60),
        (s.count, commune_a, 3, None),
        (s.count, commune_b, 4, None),
    ]
    if commune_elsewhere is not None:
        figures.append((s.ratio, commune_elsewhere, 100, 100))
    for indicator, unit, numerator, denominator in figures:
        IndicatorValue.objects.create(
            indicator=indicator,
            unit=unit,
            scope_unit=unit,
            period=str(YEAR),
            year=YEAR,
            numerator=Decimal(numerator),
            denominator=None if denominator is None else Decimal(denominator),
        )
    return s


def build_activity(*, geo, coordinator, officer_a, officer_b) -> SimpleNamespace:
    """A year of what treem records beside the plan, in province 48, through the apps' services
    where they exist: children in special-circumstance groups (seven with a disability, enough to be
    published exactly; two harmed by violence, hidden as "<5"), complaints and a child's petition,
    two campaigns, a training course, a budget line, donations, an inspection with recommendations,
    child-friendly scores."""
    from tests.complaints.records import register
    from tests.factories import ChildFactory
    from treem.campaigns import services as campaign_services
    from treem.children.models import Child, CircumstanceGroup, CircumstanceMembership
    from treem.funding import services as funding_services
    from treem.plans.models import Inspection, Recommendation
    from treem.workforce import services as workforce_services
    from treem.workforce.models import Participant

    s = SimpleNamespace()
    disability, _c = CircumstanceGroup.objects.get_or_create(
        code="d", defaults={"name": "Trẻ em khuyết tật", "is_special_circumstance": True, "sort_order": 4}
    )
    violence, _c = CircumstanceGroup.objects.get_or_create(
        code="i", defaults={"name": "Trẻ em bị bạo lực", "is_special_circumstance": True, "sort_order": 9}
    )
    for n in range(9):
        child = ChildFactory(
            full_name=f"Trẻ Thử {n}",
            commune=geo.commune_a if n % 2 else geo.commune_b,
            sex="female" if n % 3 else "male",
            birth_date=dt.date(2015, 1 + n, 1),
            birth_year=2015,
        )
        # Five with a disability before the year, two more who entered it in the year.
        if n < 7:
            entered = dt.date(2024, 5, 1) if n < 5 else dt.date(YEAR, 3, 1)
            CircumstanceMembership.objects.create(child=child, group=disability, entered_on=entered)
        else:
            CircumstanceMembership.objects.create(child=child, group=violence, entered_on=dt.date(YEAR, 4, 1))
    Child.objects.update(created_at=timezone.make_aware(dt.datetime(2024, 1, 1)))

    for kind, received, closed in (
        ("complaint", dt.date(YEAR, 3, 2), dt.date(YEAR, 3, 20)),
        ("complaint", dt.date(YEAR, 5, 4), None),
        ("petition", dt.date(YEAR, 6, 1), None),
    ):
        entry = register(officer_a, geo.commune_a, kind=kind, received_on=received)
        if closed:
            type(entry).objects.filter(pk=entry.pk).update(answered_on=closed, closed_on=closed)

    campaign_common = {
        "channels": ["direct"],
        "materials": "",
    }
    campaign_services.campaign_create(
        acting_user=officer_a,
        unit=geo.commune_a,
        agency=geo.agency_a,
        title="Tháng hành động vì trẻ em",
        starts_on=dt.date(YEAR, 6, 1),
        ends_on=dt.date(YEAR, 6, 30),
        reach_people=1200,
        reach_children=800,
        budget_used=15_000_000,
        **campaign_common,
    )
    campaign_services.campaign_create(
        acting_user=officer_b,
        unit=geo.commune_b,
        agency=geo.agency_b,
        title="Trung thu cho em",
        starts_on=dt.date(YEAR, 9, 20),
        ends_on=dt.date(YEAR, 9, 25),
        reach_people=300,
        reach_children=250,
        budget_used=4_500_000,
        **campaign_common,
    )

    course = workforce_services.course_create(
        acting_user=officer_a,
        unit=geo.commune_a,
        topic="Kỹ năng phòng chống xâm hại trẻ em",
        organiser=geo.agency_a,
        starts_on=dt.date(YEAR, 4, 10),
        ends_on=dt.date(YEAR, 4, 11),
    )
    for n, (kind, attended) in enumerate(
        (("staff", True), ("staff", True), ("parent", True), ("child", False))
    ):
        Participant.objects.create(course=course, full_name=f"Học viên {n}", kind=kind, attended=attended)

    line = funding_services.budget_line_create(
        acting_user=coordinator,
        agency=geo.department,
        unit=geo.commune_a,
        programme=None,
        year=YEAR,
        source="state_provincial",
        title="Tập huấn cán bộ xã",
        planned_vnd=12_000_000,
    )
    for kind, amount in (("allocation", 10_000_000), ("spending", 7_500_000)):
        funding_services.budget_entry_add(
            acting_user=coordinator,
            line=line,
            kind=kind,
            amount=amount,
            document_number="123/QĐ-UBND",
            document_date=dt.date(YEAR, 1, 15),
        )
    donor = funding_services.donor_create(
        acting_user=officer_a, unit=geo.commune_a, kind="business", name="Công ty Sao Mai"
    )
    gift = funding_services.donation_record(
        acting_user=officer_a,
        donor=donor,
        unit=geo.commune_a,
        received_on=dt.date(YEAR, 2, 1),
        kind="cash",
        purpose="education",
        amount=20_000_000,
    )
    funding_services.donation_use_record(
        acting_user=officer_a,
        donation=gift,
        used_on=dt.date(YEAR, 8, 15),
        amount_vnd=8_000_000,
        description="Học bổng cho 16 em",
    )

    inspection = Inspection.objects.create(
        unit=geo.province,
        title="Kiểm tra công tác trẻ em tại Phường An",
        inspected_unit=geo.commune_a,
        starts_on=dt.date(YEAR, 5, 10),
        ends_on=dt.date(YEAR, 5, 12),
        status="done",
    )
    for deadline, closed in (
        (dt.date(YEAR, 7, 1), dt.date(YEAR, 6, 20)),
        (dt.date(YEAR, 8, 1), dt.date(YEAR, 9, 1)),
        (dt.date(YEAR, 9, 1), None),
    ):
        Recommendation.objects.create(
            inspection=inspection,
            text="Bố trí cộng tác viên",
            owner=geo.agency_a,
            deadline=deadline,
            closed_on=closed,
        )
    s.course, s.line, s.gift, s.inspection = course, line, gift, inspection

    # Six children harmed by violence (published exactly): cases opened on 01/06, deadlines due
    # that evening, met in time in five cases and missed in one.
    from tests.cases.records import open_case
    from tests.factories import UserFactory
    from treem.cases.models import Case, Deadline, HarmKind

    worker = UserFactory(username="vuviec_bc", roles=["case_worker"], units=[geo.commune_a])
    violence_harm = HarmKind.objects.get(code="violence")
    cases = [
        open_case(
            worker,
            geo.commune_a,
            child=ChildFactory(full_name=f"Trẻ Vụ Việc {n}", commune=geo.commune_a, birth_year=2014),
            harm_kinds=[violence_harm],
        )
        for n in range(6)
    ]
    opened = timezone.make_aware(dt.datetime(YEAR, 6, 1, 9, 0))
    Case.objects.filter(pk__in=[c.pk for c in cases]).update(opened_at=opened)
    Deadline.objects.filter(case__in=cases).update(due_at=opened + dt.timedelta(hours=12), met_at=None)
    Deadline.objects.filter(case__in=cases[:5]).update(met_at=opened + dt.timedelta(hours=10))
    Child.objects.update(created_at=timezone.make_aware(dt.datetime(2024, 1, 1)))
    s.cases = cases
    return s

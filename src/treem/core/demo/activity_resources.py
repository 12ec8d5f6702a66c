"""The demo's year of indicators, money, communication, workforce and inspections.

All through the apps' services, by the people whose work it is (the provincial coordinator for
the province, the ward's officers for their ward), on the days it would have happened.
"""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal

from treem.core.demo import data

SEED = 7947  # the plan's number


def _last(today: dt.date, month: int, day: int) -> dt.date:
    """The latest (month, day) on or before ``today``."""
    this_year = dt.date(today.year, month, day)
    return this_year if this_year <= today else dt.date(today.year - 1, month, day)


def _communes(ctx, share: int = 94) -> list:
    """``share`` of the 94 communes (fewer in a small demo), always with the two demo wards."""
    wards = [ctx.ban_thach, ctx.hai_van]
    others = [c for c in ctx.communes if c not in wards]
    return [*others[: max(0, ctx.n(share, 6) - len(wards))], *wards]


# --- indicators -------------------------------------------------------------------------------


def _figures(rng: random.Random, code: str, children: int) -> tuple[int | None, int | None]:
    """Plausible (numerator, denominator) of an indicator entered by hand, for a commune."""

    def share(den: int, low: float, high: float) -> tuple[int, int]:
        return round(den * rng.uniform(low, high)), den

    births = max(40, round(children * rng.uniform(0.07, 0.09)))
    table = {
        "PAC_INJURY": lambda: (round(children * rng.uniform(0.003, 0.008)), children),
        "PAC_INJURY_DEATH": lambda: (rng.choice([0, 0, 0, 0, 1]), children),
        "PAC_IMMUNISED": lambda: share(births, 0.93, 1.0),
        "PAC_KINDERGARTEN5": lambda: share(births, 0.97, 1.0),
        "PAC_PRIMARY": lambda: share(births, 0.95, 1.0),
        "PAC_ECD": lambda: share(round(children * 0.5), 0.84, 0.96),
        "PAC_PLAY_SPACES": lambda: (int(rng.random() < 0.45), 1),
        "PAC_CFC": lambda: (int(rng.random() < 0.7), 1),
        "PAC_DROWNING": lambda: (rng.choice([0] * 8 + [1]), None),
        "TT13_SEX_RATIO": lambda: (round(births * rng.uniform(0.5, 0.55)), round(births * 0.47)),
        "TT13_NEONATAL_MORT": lambda: (rng.choice([0, 0, 0, 1]), births),
        "TT13_U1_MORT": lambda: (rng.choice([0, 0, 1, 1, 2]), births),
        "TT13_U5_MORT": lambda: (rng.choice([0, 1, 1, 2, 3]), births * 5),
        "TT13_CRECHE": lambda: share(round(births * 2.6), 0.25, 0.5),
        "TT13_KINDERGARTEN": lambda: share(round(births * 3), 0.88, 0.99),
        "TT13_VILLAGE_FACILITIES": lambda: share(rng.randrange(6, 22), 0.4, 0.9),
        "TT13_CONSULTED": lambda: share(round(children * 0.55), 0.35, 0.75),
        "TT13_0605": lambda: share(round(children * 0.55), 0.3, 0.6),
    }
    if code.startswith("CFC_"):
        return rng.randrange(58, 78), None
    make = table.get(code)
    return make() if make else (None, None)


def indicators(ctx) -> None:
    """Figures of the year for every commune (some approved), computed ones, province targets."""
    from treem.indicators import services
    from treem.indicators.models import Indicator, IndicatorValue

    period = str(ctx.today.year)
    if IndicatorValue.objects.filter(period=period).exists():
        return
    rng = random.Random(SEED)
    coordinator = ctx.users["dieuphoi"]
    entered = [i for i in Indicator.objects.filter(is_active=True) if not i.numerator_formula]
    # Figures are entered early in December, for the year's report.
    ctx.on(ctx.today - dt.timedelta(days=min(5, ctx.today.day - 1)), 9)
    saved = 0
    # In December about forty communes have entered their figures; the others have yet to.
    communes = _communes(ctx, 40)
    for commune in communes:
        if commune.name.startswith("Phường"):
            services.category_set(acting_user=coordinator, unit=commune, category="city_ward")
        children = rng.randrange(3500, 12000)
        rows = []
        for indicator in entered:
            numerator, denominator = _figures(rng, indicator.code, children)
            if numerator is None:  # an indicator the demo has no figures for: say why
                rows.append(services.Row(indicator=indicator, comment="Chưa có số liệu của ngành"))
                continue
            rows.append(services.Row(indicator=indicator, numerator=numerator, denominator=denominator))
        saved += services.values_save(acting_user=coordinator, unit=commune, period=period, rows=rows).saved
    saved += services.values_compute(acting_user=coordinator, unit=ctx.province, period=period).saved
    # About half the communes' figures checked and approved (locked) by the province.
    ctx.on(ctx.today, 8)
    for commune in communes[::2]:
        services.approval_approve(acting_user=coordinator, unit=commune, period=period)
    indicators_by_code = {i.code: i for i in Indicator.objects.all()}
    targets = []
    for code, target, baseline, note in data.PROVINCE_TARGETS:
        indicator = indicators_by_code.get(code)
        if indicator is None:
            continue
        # Drowning is measured against the province's own count of 2020 (its programme's base year).
        baseline_year = 2020 if code == "PAC_DROWNING" else ctx.today.year - 1
        targets.append(
            services.target_set(
                acting_user=coordinator,
                indicator=indicator,
                unit=ctx.province,
                year=ctx.today.year,
                target=Decimal(target),
                baseline=Decimal(baseline) if baseline is not None else None,
                baseline_year=baseline_year if baseline is not None else None,
                note=note,
            )
        )
    # A second person approves the targets entered by the coordinator (four eyes): the demo's other
    # holder of indicators.approve_target is the administrator (the leader "lanhdao" only reads).
    # Two stay drafts, awaiting approval, so the list shows both states.
    ctx.on(ctx.today, 15)
    waiting = {"PAC_PLAY_SPACES", "PAC_ECD"}
    services.target_approve_many(
        acting_user=ctx.users["quantri"], targets=[t for t in targets if t.indicator.code not in waiting]
    )
    ctx.counts["indicators"] = saved


# --- money ------------------------------------------------------------------------------------


def funding(ctx) -> None:
    """Budget lines with allocations and spending, donors and donations, a sponsorship, a project."""
    from treem.funding import services
    from treem.funding.models import BudgetLine, Programme

    year = ctx.today.year
    if BudgetLine.objects.filter(year=year).exists():
        return
    rng = random.Random(SEED + 1)
    coordinator = ctx.users["dieuphoi"]
    reporter = ctx.users["baocao"]
    programmes = {p.code: p for p in Programme.objects.all()}
    start = dt.date(year, 1, 1)
    made = 0
    for agency_short, programme_code, source, title, planned in data.BUDGET_LINES:
        agency = ctx.agencies[agency_short]
        user = reporter if agency.pk == reporter.agency_id else coordinator
        ctx.on(max(start + dt.timedelta(days=10), ctx.today - dt.timedelta(days=340)), 9)
        line = services.budget_line_create(
            acting_user=user,
            agency=agency,
            unit=agency.unit,
            programme=programmes.get(programme_code),
            year=year,
            source=source,
            title=title,
            planned_vnd=planned,
        )
        allocated_on = min(ctx.today, start + dt.timedelta(days=40))
        ctx.on(allocated_on, 10)
        services.budget_entry_add(
            acting_user=user,
            line=line,
            kind="allocation",
            amount=planned,
            document_number=f"{rng.randrange(100, 999)}/QĐ-UBND",
            document_date=allocated_on,
            description="Giao dự toán năm",
        )
        spent = 0
        for month in range(3, 12, 2):
            day = dt.date(year, month, 20)
            if day > ctx.today:
                break
            amount = round(planned * rng.uniform(0.08, 0.2), -5)
            if spent + amount > planned:
                break
            spent += amount
            ctx.on(day, 15)
            services.budget_entry_add(
                acting_user=user,
                line=line,
                kind="spending",
                amount=amount,
                document_number=f"{rng.randrange(10, 99)}/PC-{month:02d}",
                document_date=day,
                description=rng.choice(data.SPENDING),
            )
        made += 1
    donors = {}
    for key, kind, name, anonymous in data.DONORS:
        ctx.on(ctx.today - dt.timedelta(days=330), 9)
        donors[key] = services.donor_create(
            acting_user=coordinator, unit=ctx.province, kind=kind, name=name, anonymous=anonymous
        )
    for key, days_ago, kind, purpose, amount, description in data.DONATIONS:
        received = ctx.today - dt.timedelta(days=days_ago)
        ctx.on(received, 10)
        donation = services.donation_record(
            acting_user=coordinator,
            donor=donors[key],
            unit=ctx.province,
            received_on=received,
            kind=kind,
            purpose=purpose,
            amount=amount,
            description=description,
            document_number=f"PT-{received:%m%d}",
        )
        used = received + dt.timedelta(days=12)
        if used <= ctx.today:
            ctx.on(used, 14)
            services.donation_use_record(
                acting_user=coordinator,
                donation=donation,
                unit=ctx.ban_thach if days_ago % 2 else ctx.hai_van,
                used_on=used,
                amount_vnd=round(amount * 0.7, -3),
                description="Trao tặng cho trẻ em có hoàn cảnh khó khăn",
            )
        made += 1
    _sponsorship(ctx, donors["sponsor"])
    ctx.on(ctx.today - dt.timedelta(days=300), 9)
    project = services.project_create(
        acting_user=coordinator,
        title="Dự án Môi trường an toàn cho trẻ em vùng cao",
        partner="Tổ chức Plan International tại Việt Nam",
        unit=ctx.province,
        starts_on=ctx.today - dt.timedelta(days=300),
        ends_on=ctx.today + dt.timedelta(days=430),
        amount=Decimal("120000"),
        currency="USD",
        exchange_rate=Decimal("25400"),
        agency=ctx.agencies["Sở Y tế"],
        target_units=[ctx.hai_van],
        linked_tasks="Nhiệm vụ phòng, chống xâm hại trẻ em",
    )
    first = services.project_report_add(
        acting_user=coordinator,
        project=project,
        title="Báo cáo 6 tháng",
        due_on=ctx.today - dt.timedelta(days=120),
    )
    ctx.on(ctx.today - dt.timedelta(days=125), 10)
    services.project_report_submit(
        acting_user=coordinator, report=first, submitted_on=ctx.today - dt.timedelta(days=125)
    )
    services.project_report_add(
        acting_user=coordinator,
        project=project,
        title="Báo cáo năm",
        due_on=ctx.today + dt.timedelta(days=20),
    )
    # The transparency report of the last finished quarter, published by the coordinator.
    quarter = (ctx.today.month - 1) // 3  # the quarter before this one
    quarter_year = year if quarter else year - 1
    quarter = quarter or 4
    ctx.on(ctx.today - dt.timedelta(days=ctx.today.day), 10)
    services.transparency_publish(
        acting_user=coordinator, unit=ctx.province, year=quarter_year, quarter=quarter
    )
    ctx.counts["funding"] = made


def _sponsorship(ctx, sponsor) -> None:
    from treem.children.models import Child
    from treem.funding import services

    cutoff = ctx.today.replace(year=ctx.today.year - 13)  # under 16 for years to come
    child = (
        Child.objects.filter(commune=ctx.ban_thach, is_active=True, birth_date__gt=cutoff)
        .order_by("pk")
        .first()
    )
    if child is None:
        return
    starts = ctx.today - dt.timedelta(days=280)
    ctx.on(starts, 9)
    sponsorship = services.sponsorship_create(
        acting_user=ctx.users["dieuphoi"],
        sponsor=sponsor,
        child=child,
        starts_on=starts,
        monthly_amount_vnd=1_000_000,
        commitment="Hỗ trợ 1.000.000 đồng mỗi tháng đến khi trẻ đủ 16 tuổi, cùng học phí và sách vở.",
    )
    for month in range(0, 9):
        paid = starts + dt.timedelta(days=30 * month + 5)
        if paid > ctx.today:
            break
        ctx.on(paid, 10)
        services.sponsorship_payment_record(
            acting_user=ctx.users["dieuphoi"], sponsorship=sponsorship, paid_on=paid, amount_vnd=1_000_000
        )
    visited = starts + dt.timedelta(days=120)
    ctx.on(visited, 15)
    services.sponsorship_visit_record(
        acting_user=ctx.users["dieuphoi"],
        sponsorship=sponsorship,
        visited_on=visited,
        visitor="Đại diện nhà tài trợ và cán bộ phường",
        notes="Trẻ đi học đều, kết quả học kỳ I loại khá.",
    )


# --- communication ----------------------------------------------------------------------------


def campaigns(ctx) -> None:
    """The year's campaigns on the peak dates (Month of Action, Mid-Autumn, Tết, back to school)."""
    from treem.campaigns import lunar, services
    from treem.campaigns.models import Campaign, RecurringEvent

    if Campaign.objects.exists():
        return
    rng = random.Random(SEED + 2)
    events = {e.code: e for e in RecurringEvent.objects.all()}
    made = 0
    for code, title, agency_short, where, channels, materials in data.CAMPAIGNS:
        if code == "mid_autumn":
            days = [d for y in (ctx.today.year - 1, ctx.today.year) for d in lunar.occurrences_in(y, 8, 15)]
            starts = max(d for d in days if d <= ctx.today) - dt.timedelta(days=7)
            ends = starts + dt.timedelta(days=7)
        elif code == "lunar_new_year":
            days = [d for y in (ctx.today.year - 1, ctx.today.year) for d in lunar.occurrences_in(y, 1, 1)]
            starts = max(d for d in days if d <= ctx.today) - dt.timedelta(days=14)
            ends = starts + dt.timedelta(days=14)
        elif code == "action_month":
            starts = _last(ctx.today - dt.timedelta(days=30), 6, 1)
            ends = starts.replace(day=30)
        elif code == "back_to_school":
            starts = _last(ctx.today, 9, 5) - dt.timedelta(days=10)
            ends = starts + dt.timedelta(days=10)
        else:  # the children's forum, this autumn
            starts = ctx.today - dt.timedelta(days=40)
            ends = starts
        unit = {"province": ctx.province, "ban_thach": ctx.ban_thach, "hai_van": ctx.hai_van}[where]
        user = ctx.users["baocao"] if agency_short == "Sở GD&ĐT" else ctx.users["dieuphoi"]
        ctx.on(starts - dt.timedelta(days=10), 9)
        campaign = services.campaign_create(
            acting_user=user,
            unit=unit,
            agency=ctx.agencies.get(agency_short),
            title=title,
            starts_on=starts,
            ends_on=ends,
            event=events.get(code),
            channels=channels,
            materials=materials,
        )
        if ends < ctx.today:
            ctx.on(ends + dt.timedelta(days=5), 16)
            people = rng.randrange(2, 40) * 1000 if where == "province" else rng.randrange(300, 2500)
            services.campaign_update(
                acting_user=user,
                campaign=campaign,
                reach_people=people,
                reach_children=round(people * rng.uniform(0.3, 0.6)),
                budget_used=rng.randrange(10, 400) * 1_000_000
                if where == "province"
                else rng.randrange(5, 40) * 1_000_000,
            )
        made += 1
    ctx.counts["campaigns"] = made


# --- workforce --------------------------------------------------------------------------------


def workforce(ctx) -> None:
    """A child-protection officer in every commune, collaborators in the demo wards, a course."""
    from treem.children.synthetic import FAMILY_NAMES
    from treem.geo.models import Unit, UnitLevel
    from treem.workforce import services
    from treem.workforce.models import StaffMember

    if StaffMember.objects.exists():
        return
    rng = random.Random(SEED + 3)
    coordinator = ctx.users["dieuphoi"]
    start = ctx.today - dt.timedelta(days=360)
    staff = []

    def person() -> str:
        from treem.core.demo.activity_cases import _new_name

        return _new_name(rng)

    ctx.on(start, 9)
    communes = _communes(ctx)
    for commune in communes:
        # A few communes still have no officer at the end of the year (the norm is one).
        if rng.random() < 0.06:
            continue
        since = start - dt.timedelta(days=rng.randrange(0, 1500))
        staff.append(
            services.staff_create(
                acting_user=coordinator,
                unit=commune,
                full_name=person(),
                position="commune_officer",
                title="Công chức Văn hóa - Xã hội",
                employment="full_time" if rng.random() < 0.4 else "part_time",
                since=since,
            )
        )
    for commune, officer_user in ((ctx.ban_thach, "canbo.banthach"), (ctx.hai_van, "canbo.haivan")):
        user = ctx.users[officer_user]
        for village in Unit.objects.filter(parent=commune, level=UnitLevel.VILLAGE).order_by("name"):
            staff.append(
                services.staff_create(
                    acting_user=user,
                    unit=village,
                    full_name=person(),
                    position="village_collaborator",
                    title=f"Cộng tác viên {village.name}",
                    employment="part_time",
                    since=start,
                )
            )
        for title in data.INTERAGENCY_MEMBERS:
            staff.append(
                services.staff_create(
                    acting_user=user,
                    unit=commune,
                    full_name=person(),
                    position="interagency_member",
                    title=title,
                    employment="part_time",
                    since=start,
                )
            )
    del FAMILY_NAMES
    # The province's yearly course for commune officers and collaborators.
    starts = _last(ctx.today - dt.timedelta(days=7), 8, 12)
    ctx.on(starts - dt.timedelta(days=20), 9)
    course = services.course_create(
        acting_user=coordinator,
        unit=ctx.province,
        topic="Tập huấn kỹ năng quản lý trường hợp và phòng, chống xâm hại trẻ em",
        organiser=ctx.agencies["Sở Y tế"],
        starts_on=starts,
        ends_on=starts + dt.timedelta(days=2),
        place="Hội trường Trung tâm Công tác xã hội thành phố Đà Nẵng",
    )
    participants = [
        services.participant_add(acting_user=coordinator, course=course, staff=member)
        for member in staff[: ctx.n(40, 6)]
    ]
    participants.append(
        services.participant_add(
            acting_user=coordinator, course=course, full_name="Nguyễn Thị Hồng Nhung", kind="other"
        )
    )
    ctx.on(starts + dt.timedelta(days=2), 16)
    services.attendance_record(
        acting_user=coordinator,
        course=course,
        entries={
            p.pk: (
                {"attended": True, "score": rng.randrange(70, 100), "comment": ""}
                if rng.random() < 0.9
                else {"attended": False, "score": "", "comment": "Vắng có lý do"}
            )
            for p in participants
        },
    )
    services.course_update(
        acting_user=coordinator,
        course=course,
        evaluation_score=4,
        evaluation=(
            "Học viên nắm được quy trình can thiệp theo Nghị định 56; "
            "đề nghị tổ chức thêm lớp về tư vấn tâm lý."
        ),
    )
    # The ward's own course for its village collaborators, in the spring.
    local = [m for m in staff if m.unit.parent_id == ctx.ban_thach.pk or m.unit_id == ctx.ban_thach.pk]
    officer = ctx.users["canbo.banthach"]
    spring = _last(ctx.today - dt.timedelta(days=30), 4, 16)
    ctx.on(spring - dt.timedelta(days=7), 9)
    ward_course = services.course_create(
        acting_user=officer,
        unit=ctx.ban_thach,
        topic="Kỹ năng phát hiện, thông báo và hỗ trợ trẻ em bị xâm hại cho cộng tác viên khối phố",
        organiser=ctx.agencies.get("UBND Phường Bàn Thạch"),
        starts_on=spring,
        ends_on=spring,
        place="Hội trường UBND phường Bàn Thạch",
    )
    added = [services.participant_add(acting_user=officer, course=ward_course, staff=m) for m in local]
    ctx.on(spring, 17)
    services.attendance_record(
        acting_user=officer,
        course=ward_course,
        entries={p.pk: {"attended": True, "score": rng.randrange(75, 100), "comment": ""} for p in added},
    )
    ctx.counts["workforce"] = len(staff)


# --- inspections ------------------------------------------------------------------------------


def inspections(ctx) -> None:
    """Two inspections of the demo wards; recommendations carried out, under way, one overdue."""
    from treem.plans import services
    from treem.plans.models import Inspection

    if Inspection.objects.exists():
        return
    coordinator = ctx.users["dieuphoi"]
    starts = ctx.today - dt.timedelta(days=150)
    ctx.on(starts - dt.timedelta(days=14), 9)
    inspection = services.inspection_create(
        acting_user=coordinator,
        unit=ctx.province,
        title="Kiểm tra công tác bảo vệ trẻ em tại Phường Bàn Thạch",
        starts_on=starts,
        inspecting_agency=ctx.agencies["Sở Y tế"],
        inspected_unit=ctx.ban_thach,
    )
    ctx.on(starts + dt.timedelta(days=2), 16)
    services.inspection_record_findings(
        acting_user=coordinator,
        inspection=inspection,
        findings=(
            "Phường đã kiện toàn Ban bảo vệ trẻ em, cập nhật cơ sở dữ liệu trẻ em đầy đủ; "
            "một số hồ sơ trường hợp lập kế hoạch chậm so với thời hạn; chưa bố trí đủ cộng tác viên thôn."
        ),
        status="done",
        ends_on=starts + dt.timedelta(days=2),
    )
    owner = ctx.agencies.get("UBND Phường Bàn Thạch") or ctx.agencies["Sở Y tế"]
    made = []
    for text, days in data.RECOMMENDATIONS:
        made.append(
            services.recommendation_add(
                acting_user=coordinator,
                inspection=inspection,
                text=text,
                owner=owner,
                deadline=starts + dt.timedelta(days=days),
            )
        )
    ctx.on(starts + dt.timedelta(days=40), 10)
    services.recommendation_follow_up(
        acting_user=coordinator,
        recommendation=made[0],
        follow_up="Đã bổ sung 02 cộng tác viên thôn theo Quyết định của UBND phường.",
        close=True,
    )
    ctx.on(starts + dt.timedelta(days=80), 10)
    services.recommendation_follow_up(
        acting_user=coordinator,
        recommendation=made[1],
        follow_up="Đang rà soát các hồ sơ chậm, đã nhắc cán bộ phụ trách.",
    )
    # The third is past its deadline without a follow-up: overdue.
    # Earlier in the year, a check of the other demo ward, its one recommendation carried out.
    earlier = ctx.today - dt.timedelta(days=250)
    ctx.on(earlier - dt.timedelta(days=10), 9)
    check = services.inspection_create(
        acting_user=coordinator,
        unit=ctx.province,
        title="Giám sát việc quản lý trường hợp tại Phường Hải Vân",
        starts_on=earlier,
        kind="check",
        inspecting_agency=ctx.agencies["Sở Y tế"],
        inspected_unit=ctx.hai_van,
    )
    ctx.on(earlier + dt.timedelta(days=1), 16)
    services.inspection_record_findings(
        acting_user=coordinator,
        inspection=check,
        findings="Hồ sơ trường hợp lưu trữ đầy đủ; cần cập nhật kịp thời đánh giá ban đầu trên hệ thống.",
        status="done",
        ends_on=earlier + dt.timedelta(days=1),
    )
    recommendation = services.recommendation_add(
        acting_user=coordinator,
        inspection=check,
        text="Nhập đánh giá ban đầu vào hệ thống trong 12 giờ kể từ khi nhận tin báo",
        owner=ctx.agencies.get("UBND Phường Hải Vân") or owner,
        deadline=earlier + dt.timedelta(days=30),
    )
    ctx.on(earlier + dt.timedelta(days=20), 10)
    services.recommendation_follow_up(
        acting_user=coordinator,
        recommendation=recommendation,
        follow_up="Đã quán triệt cán bộ; các trường hợp mới đều nhập đúng thời hạn.",
        close=True,
    )
    ctx.counts["inspections"] = 2


PARTS = [
    ("indicators", indicators),
    ("funding", funding),
    ("campaigns", campaigns),
    ("workforce", workforce),
    ("inspections", inspections),
]

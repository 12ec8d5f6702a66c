"""The demo's plan (Kế hoạch 7947/KH-UBND) and a year of agencies' reports on it.

The plan is loaded by the plans app's own loader (bound to today's agencies and shared out to the
communes); reports are written, submitted, returned and accepted through the plans services, in
each reporting period's window. The coordinator writes for agencies that have no demo user.
"""

from __future__ import annotations

import datetime as dt
import random

from treem.core.demo import data

SEED = 28  # Chỉ thị 28-CT/TW


def plan(ctx) -> None:
    from treem.plans import services
    from treem.plans.loader import BUNDLED_PLAN, plan_load_file
    from treem.plans.models import Plan

    if Plan.objects.exists():
        return
    coordinator = ctx.users["dieuphoi"]
    ctx.on(ctx.today - dt.timedelta(days=360), 8)
    result = plan_load_file(acting_user=coordinator, path=BUNDLED_PLAN)
    the_plan = result.plan
    rng = random.Random(SEED)
    window_start = ctx.today - dt.timedelta(days=365)
    periods = [
        p for p in the_plan.periods.order_by("opens_on", "kind") if window_start <= p.opens_on <= ctx.today
    ]
    reporters = {ctx.users["baocao"].agency_id: ctx.users["baocao"]}
    chairman = ctx.users["chutich"]
    made = 0
    for period in periods:
        tasks = _chosen(list(services.expected_tasks(period).select_related("lead_agency")), ctx)
        last = period == periods[-1] or period.kind == "year"
        for task in tasks:
            agency = task.lead_agency
            if agency is None:
                continue
            # The latest period is still being reported: some agencies have not written yet.
            if last and rng.random() < 0.3:
                continue
            user = chairman if agency.unit_id == ctx.ban_thach.pk else reporters.get(agency.pk, coordinator)
            written = min(ctx.today, period.opens_on + dt.timedelta(days=rng.randrange(0, 12)))
            ctx.on(written, 9 + rng.randrange(7))
            report = services.report_save(
                acting_user=user,
                period=period,
                task=task,
                agency=agency,
                today=written,
                activities=rng.choice(data.PLAN_ACTIVITIES),
                results=rng.choice(data.PLAN_RESULTS),
                figures="",
                difficulties=rng.choice(data.PLAN_DIFFICULTIES),
                proposals="",
            )
            made += 1
            if last and rng.random() < 0.15:
                continue  # a draft, not yet sent
            ctx.on(written, 16)
            services.report_submit(acting_user=user, report=report)
            decided = written + dt.timedelta(days=rng.randrange(1, 6))
            if decided > ctx.today or (last and rng.random() < 0.4):
                continue  # waiting for the coordinator
            ctx.on(decided, 10)
            if rng.random() < 0.12:
                services.report_return(
                    acting_user=coordinator, report=report, comment=data.PLAN_RETURN_COMMENT
                )
                corrected = decided + dt.timedelta(days=2)
                if corrected > ctx.today:
                    continue
                ctx.on(corrected, 9)
                services.report_save(
                    acting_user=user,
                    period=period,
                    task=task,
                    agency=agency,
                    today=corrected,
                    figures="Tổ chức 08 hoạt động; 1.950 lượt người tham gia; kinh phí 85.000.000 đồng.",
                )
                services.report_submit(acting_user=user, report=report)
                if last:
                    continue
                decided = corrected + dt.timedelta(days=1)
                if decided > ctx.today:
                    continue
                ctx.on(decided, 10)
            services.report_accept(acting_user=coordinator, report=report, comment="")
    ctx.counts["plan"] = made


def _chosen(tasks: list, ctx) -> list:
    """The tasks of ``tasks`` the demo reports on: every provincial agency's; of the communes'
    shares, the demo ward's and about a third of the others' (the rest have not reported)."""
    keep = max(1, round(30 * ctx.scale))
    chosen, communes = [], []
    for task in sorted(tasks, key=lambda t: (t.lead_agency.unit_id, t.code)):
        if task.lead_agency.kind != "commune_pc":
            chosen.append(task)
            continue
        unit_id = task.lead_agency.unit_id
        if unit_id not in communes and (unit_id == ctx.ban_thach.pk or len(communes) < keep):
            communes.append(unit_id)
        if unit_id in communes:
            chosen.append(task)
    return chosen

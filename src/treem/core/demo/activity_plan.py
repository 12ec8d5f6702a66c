"""The demo's plan (Kế hoạch 7947/KH-UBND) and a year of agencies' reports on it.

The plan is loaded by the plans app's own loader (bound to today's agencies and shared out to the
communes); each agency (or commune) writes one report per period covering the tasks it leads, which
is submitted, returned and accepted through the plans services in the period's window. The
coordinator writes for agencies that have no demo user. The periods still being reported leave the
demo's own reporter and commune chairman their report to write.
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
    reporter = ctx.users["baocao"]
    chairman = ctx.users["chutich"]
    made = 0
    for period in periods:
        # A period whose reports are not yet due is still being written: some agencies have not
        # started, some hold a draft, and the coordinator has not read every one that came in.
        current = period.due_on >= ctx.today
        agencies = {}
        for task in _chosen(list(services.expected_tasks(period).select_related("lead_agency")), ctx):
            if task.lead_agency is not None:
                agencies.setdefault(task.lead_agency.pk, task.lead_agency)
        for agency in agencies.values():
            own = agency.pk == reporter.agency_id or agency.unit_id == ctx.ban_thach.pk
            if current and (own or rng.random() < 0.3):
                # The demo's own reporter and commune chairman write theirs in the app (the guide
                # and the browser tests show it); others have not begun.
                continue
            user = chairman if agency.unit_id == ctx.ban_thach.pk else reporter if own else coordinator
            made += _report(services, ctx, rng, period, agency, user, coordinator, current=current)
    ctx.counts.pop("plan_returned", None)
    ctx.counts["plan"] = made


def _report(services, ctx, rng, period, agency, user, coordinator, *, current: bool) -> int:
    """One agency's report for ``period``: written, sent, and accepted or returned (and sent
    again) as the days of its reporting window go by."""
    written = min(ctx.today, period.opens_on + dt.timedelta(days=rng.randrange(0, 12)))
    ctx.on(written, 9 + rng.randrange(7))
    report = services.agency_report_open(acting_user=user, period=period, agency=agency, today=written)
    done_share = 0.5 if period.kind == "year" else 0.0  # quarterly work goes on all year
    rows = {
        row.task_id: {
            "task_status": "done" if rng.random() < done_share else "in_progress",
            "activities": rng.choice(data.PLAN_ACTIVITIES),
            "results": rng.choice(data.PLAN_RESULTS),
            "difficulties": rng.choice(data.PLAN_DIFFICULTIES),
        }
        for row in report.rows.all()
    }
    services.agency_report_save(
        acting_user=user, report=report, summary=rng.choice(data.PLAN_SUMMARIES), rows=rows
    )
    if current and rng.random() < 0.15:
        return 1  # a draft, not yet sent
    ctx.on(written, 16)
    services.agency_report_submit(acting_user=user, report=report)
    decided = written + dt.timedelta(days=rng.randrange(1, 6))
    if decided > ctx.today or (current and rng.random() < 0.4):
        return 1  # waiting for the coordinator
    ctx.on(decided, 10)
    left_returned = current and not ctx.counts.get("plan_returned")
    if left_returned or rng.random() < 0.12:
        services.agency_report_return(
            acting_user=coordinator, report=report, comment=data.PLAN_RETURN_COMMENT
        )
        corrected = decided + dt.timedelta(days=2)
        if left_returned:
            # One report of the periods still open waits for its agency's corrections.
            ctx.counts["plan_returned"] = 1
            return 1
        if corrected > ctx.today:
            return 1
        ctx.on(corrected, 9)
        services.agency_report_save(
            acting_user=user,
            report=report,
            rows={task_id: {"figures": data.PLAN_FIGURES} for task_id in rows},
        )
        services.agency_report_submit(acting_user=user, report=report)
        decided = corrected + dt.timedelta(days=1)
        if current or decided > ctx.today:
            return 1
        ctx.on(decided, 10)
    services.agency_report_accept(acting_user=coordinator, report=report, comment="")
    return 1


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

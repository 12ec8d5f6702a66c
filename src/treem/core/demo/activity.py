"""A year of activity for the demo, written through the apps' own services.

Everything is dated relative to today (``timezone.localdate()``): the year runs from the same day
a year ago up to now, so the demo always shows "the last twelve months". A simulated clock
(``clock.py``) stands at the moment of each action while its service runs, so opening dates,
deadlines met in time or late, audit events and notifications read as they would have happened.
A fixed random seed makes the data the same on every run of a day. Each part is skipped when its
records exist already, so running ``treem demo`` again adds nothing.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from treem.accounts.models import Agency, User
from treem.core.demo import data
from treem.core.demo.clock import simulated_clock
from treem.geo.models import Unit, UnitLevel

SEED = 2026


@dataclass
class Context:
    """What every part of the activity needs: the people, the places and the clock."""

    today: dt.date
    now: dt.datetime
    scale: float
    clock: object
    province: Unit
    communes: list[Unit]
    ban_thach: Unit
    hai_van: Unit
    users: dict[str, User]
    agencies: dict[str, Agency]
    counts: dict[str, int] = field(default_factory=dict)

    def n(self, full: int, least: int = 1) -> int:
        """``full`` scaled down for a small demo (the tests), never below ``least``."""
        return max(least, round(full * self.scale))

    def moment(self, day: dt.date, hour: int = 9, minute: int = 0) -> dt.datetime:
        return timezone.make_aware(dt.datetime.combine(day, dt.time(hour, minute)))

    def at(self, moment: dt.datetime) -> dt.datetime:
        return self.clock.at(moment)

    def on(self, day: dt.date, hour: int = 9) -> dt.datetime:
        return self.clock.at(self.moment(day, hour))


def seed_activity(*, scale: float = 1.0, stdout=None) -> dict[str, int]:
    """Load the year of activity; returns how many records of each kind were added."""
    from treem.core.demo.seed import _unit

    province = _unit(UnitLevel.PROVINCE, data.NEW_PROVINCE, current=True)
    communes = list(Unit.objects.filter(parent=province, level=UnitLevel.COMMUNE).order_by("code"))
    with simulated_clock() as clock:
        now = clock.present
        ctx = Context(
            today=timezone.localdate(now),
            now=now,
            scale=scale,
            clock=clock,
            province=province,
            communes=communes,
            ban_thach=_unit(UnitLevel.COMMUNE, data.COMMUNE_BAN_THACH, current=True),
            hai_van=_unit(UnitLevel.COMMUNE, data.COMMUNE_HAI_VAN, current=True),
            users={u.username: u for u in User.objects.filter(username__in=[p[0] for p in data.PEOPLE])},
            agencies={a.short_name: a for a in Agency.objects.filter(valid_to__isnull=True)},
        )
        from treem.core.demo import activity_cases, activity_plan, activity_resources

        parts: list[tuple[str, Callable[[Context], None]]] = [
            ("children", _children),
            ("cases", activity_cases.cases),
            ("complaints", activity_cases.complaints),
            *activity_resources.PARTS,
            ("plan", activity_plan.plan),
        ]
        for name, part in parts:
            started = clock.present
            with transaction.atomic():
                part(ctx)
            clock.reset()
            if stdout is not None and ctx.counts.get(name):
                seconds = (timezone.now() - started).total_seconds()
                stdout.write(f"  demo: {name} {ctx.counts[name]} ({seconds:.0f} s)")
            clock.present = timezone.now()
            ctx.now = clock.present
    _send_the_years_emails(ctx, stdout)
    return ctx.counts


def _send_the_years_emails(ctx: Context, stdout) -> None:
    """The notifications of the year queued their e-mails as jobs: they went out at the time, so
    the worker sends them now, into memory (nothing leaves the machine), rather than printing a
    year of e-mails on the console when the demo server starts."""
    from django.test import override_settings

    from treem.jobs.models import Job
    from treem.jobs.worker import Worker
    from treem.notifications.tasks import EMAIL_KIND

    if not Job.objects.filter(kind=EMAIL_KIND, status="queued").exists():
        return
    with override_settings(EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend"):
        sent = Worker(name="demo-seed", heartbeat=False).run(burst=True)
    ctx.counts["e-mail jobs"] = sent
    if stdout is not None:
        stdout.write(f"  demo: e-mail jobs {sent}")


# --- children ---------------------------------------------------------------------------------

KEY_PREFIX = "DN"  # source keys of the children spread over the province (the first 240 have none)


def _children(ctx: Context) -> None:
    """Children in every commune, some in special-circumstance groups with the support they got."""
    from treem.children import reference
    from treem.children import services as child_services
    from treem.children.models import Child, CircumstanceGroup, Ethnicity
    from treem.children.synthetic import generate

    if Child.objects.filter(source="demo", source_key__startswith=KEY_PREFIX).exists():
        return
    reference.ensure_loaded(Ethnicity, CircumstanceGroup)
    rng = random.Random(SEED)
    coordinator = ctx.users["dieuphoi"]
    officers = {ctx.ban_thach.pk: ctx.users["canbo.banthach"], ctx.hai_van.pk: ctx.users["canbo.haivan"]}
    villages = {
        commune.pk: {v.name: v for v in Unit.objects.filter(parent=commune, level=UnitLevel.VILLAGE)}
        for commune in ctx.communes
    }
    by_code = {c.code: c for c in ctx.communes}
    # The two demo wards have more children on the registry than a commune chosen at random.
    weighted = [(c.code, list(villages[c.pk])) for c in ctx.communes]
    for commune in (ctx.ban_thach, ctx.hai_van):
        weighted += [(commune.code, list(villages[commune.pk]))] * 6
    ethnicities = {e.code: e for e in Ethnicity.objects.all()}
    groups = {g.code: g for g in CircumstanceGroup.objects.all()}
    # Rough shares of the groups on a provincial registry: disabilities and poverty-related
    # illness first, then violence, orphans; the rest rare.
    group_weights = [
        ("d", 30), ("n", 14), ("a", 8), ("i", 8), ("c", 6), ("h", 6), ("l", 5), ("k", 4), ("e", 4),
        ("b", 2), ("đ", 2), ("g", 1), ("m", 1), ("o", 1), ("nguy-co", 20),
    ]  # fmt: skip
    group_weights = [(code, w) for code, w in group_weights if code in groups]
    group_codes, weights = zip(*group_weights, strict=True)
    made = 0
    for index, item in enumerate(
        generate(ctx.n(1200, 60), communes=weighted, seed=SEED + 1, today=ctx.today, duplicate_share=0.01)
    ):
        commune = by_code[item.commune_code]
        officer = officers.get(commune.pk, coordinator)
        # Registered on some day since the new communes began (01/07/2025, the registry rebuilt
        # on them): about half before the year shown, the rest month by month through it.
        since = max(data.REORG, ctx.today - dt.timedelta(days=730))
        registered = since + dt.timedelta(days=rng.randrange(0, (ctx.today - since).days + 1))
        if item.birth_date and item.birth_date > registered:
            registered = item.birth_date
        ctx.on(registered, 8 + rng.randrange(9))
        try:
            child = child_services.child_register(
                acting_user=officer,
                commune=commune,
                full_name=item.full_name,
                sex=item.sex,
                birth_date=item.birth_date,
                birth_year=item.birth_year,
                personal_id=item.personal_id,
                ethnicity=ethnicities.get(item.ethnicity_code),
                village=villages[commune.pk].get(item.village_name),
                birth_registered=bool(item.personal_id) or index % 9 != 0,
                source="demo",
                source_key=KEY_PREFIX + item.source_key,
            )
        except ValidationError:
            continue  # a generated record the rules refuse (a repeated ID number…) is left out
        made += 1
        if rng.random() < 0.13:
            code = rng.choices(group_codes, weights)[0]
            entered = registered - dt.timedelta(days=rng.randrange(0, 700))
            child_services.circumstance_enter(
                acting_user=officer,
                child=child,
                group=groups[code],
                entered_on=max(entered, item.birth_date or dt.date(item.birth_year, 1, 1)),
                reason=rng.choice(data.CIRCUMSTANCE_REASONS),
                source="Rà soát của xã",
            )
            for _i in range(rng.randrange(0, 3)):
                kind, description, amount = rng.choice(data.SUPPORTS)
                given = registered + dt.timedelta(days=rng.randrange(0, 200))
                if given > ctx.today:
                    continue
                ctx.on(given, 10)
                child_services.support_record(
                    acting_user=officer,
                    child=child,
                    kind=kind,
                    given_on=given,
                    description=description,
                    amount_vnd=amount,
                )
            # A few left their group during the year (recovered, turned 16, moved to a family).
            if rng.random() < 0.1:
                left = min(ctx.today, registered + dt.timedelta(days=rng.randrange(30, 300)))
                membership = child.circumstances.get(left_on__isnull=True)
                if left >= membership.entered_on:
                    ctx.on(left, 15)
                    child_services.circumstance_leave(
                        acting_user=officer,
                        membership=membership,
                        left_on=left,
                        left_reason="Đã ổn định, không còn thuộc nhóm",
                    )
    ctx.counts["children"] = made

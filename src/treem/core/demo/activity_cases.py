"""The demo's year of child protection work: reports, cases at every step, complaints.

Each case is a scenario (where, when its first report came, which step it reached, whether its
deadlines were met late) played through the case services at the moments it would have
happened. Most cases are in the two wards where the demo's case users work; a few are elsewhere,
handled by the provincial coordinator.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass

from treem.core.demo import data

SEED = 561  # Decree 56

# The steps a scenario may stop at, in the order a case goes through them.
STAGES = [
    "report",  # a report waiting to be screened, no case yet
    "received",
    "verified",
    "initial",
    "initial_closed",
    "specific",
    "plan_drafted",
    "plan_submitted",
    "plan_returned",
    "plan_approved",
    "in_progress",
    "review_overdue",
    "closure_requested",
    "closed",
]
# Hours from the first report to each step (a case that meets its deadlines).
HOURS = {
    "open": 2,
    "verified": 3,
    "initial": 8,
    "specific": 50,
    "plan_drafted": 74,
    "plan_submitted": 96,
    "plan_returned": 110,
    "plan_redrafted": 130,
    "plan_resubmitted": 140,
    "plan_approved": 160,
    "in_progress": 184,
}
REVIEW_AFTER_DAYS = 45


@dataclass
class Scenario:
    where: str  # "ban_thach", "hai_van" or "other"
    stage: str
    received: dt.datetime
    channel: str
    story: tuple
    late: bool = False  # the initial assessment and the plan came after their deadlines
    returned: bool = False  # the plan was returned once before its approval
    new_child: bool = False  # the child was not on the registry: registered from the report
    transfer: bool = False


def _span_hours(stage: str, returned: bool, late: bool) -> float:
    """How long a case needs to reach ``stage`` (so that its first report is early enough)."""
    extra = 140 if late else 0
    if returned:
        extra += 60
    table = {
        "report": 1,
        "received": 2,
        "verified": 3,
        "initial": 30 if late else 8,
        "initial_closed": 30 if late else 8,
        "specific": 50 + extra,
        "plan_drafted": 74 + extra,
        "plan_submitted": 96 + extra,
        "plan_returned": 110 + extra,
        "plan_approved": 160 + extra,
        "in_progress": 190 + extra,
        "review_overdue": 190 + extra + 24 * (REVIEW_AFTER_DAYS + 5),
        "closure_requested": 190 + extra + 24 * (REVIEW_AFTER_DAYS + 2),
        "closed": 190 + extra + 24 * (REVIEW_AFTER_DAYS + 4),
    }
    return table[stage]


def _scenarios(ctx, rng: random.Random) -> list[Scenario]:
    """Every step at least once in each demo ward, then a year of cases by the age they have."""
    now = ctx.now
    channels = [
        ("hotline_18001581", 30),
        ("hotline_111", 12),
        ("online", 12),
        ("in_person", 22),
        ("school", 12),
        ("police", 7),
        ("health", 5),
    ]
    names, weights = zip(*channels, strict=True)
    scenarios: list[Scenario] = []

    def add(where: str, stage: str, *, age_hours: float | None = None, **flags) -> None:
        late = flags.get("late", False)
        span = _span_hours(stage, flags.get("returned", False), late)
        if age_hours is None:
            if stage in ("closed", "initial_closed", "review_overdue"):
                slack = rng.uniform(0, max(24, 360 * 24 - span))
            elif stage == "in_progress":  # under way, its review still to come
                slack = rng.uniform(0, 24 * (REVIEW_AFTER_DAYS - 10))
            else:  # cases still early in the process are recent (a few overdue)
                slack = rng.uniform(0, 24 * 6)
            age_hours = span + slack
        received = (now - dt.timedelta(hours=age_hours)).replace(second=0, microsecond=0)
        # Reports come in by day more than by night.
        local = received.astimezone(dt.timezone(dt.timedelta(hours=7)))
        if local.hour < 7 or local.hour > 21:
            received -= dt.timedelta(hours=local.hour - (7 + local.hour % 14))
        stories = data.CASE_STORIES
        scenarios.append(
            Scenario(
                where=where,
                stage=stage,
                received=min(received, now - dt.timedelta(hours=span)),
                channel=rng.choices(names, weights)[0],
                story=stories[rng.randrange(len(stories))],
                **flags,
            )
        )

    # Every step, in both wards (in the first only for a small demo); some deadlines met late,
    # some overdue right now.
    for where in ("ban_thach", "hai_van") if ctx.scale >= 0.5 else ("ban_thach",):
        add(where, "report", age_hours=5)
        add(where, "received", age_hours=20)  # initial assessment overdue now
        add(where, "verified", age_hours=6)
        add(where, "initial", age_hours=30)
        add(where, "initial_closed")
        add(where, "specific", age_hours=60)
        add(where, "plan_drafted", age_hours=24 * 9)  # plan deadline overdue now
        add(where, "plan_submitted")
        add(where, "plan_returned", returned=True)
        add(where, "plan_approved", late=True)
        add(where, "in_progress")
        add(where, "review_overdue")
        add(where, "closure_requested")
        add(where, "closed", late=True, returned=True)
        add(where, "closed", new_child=True)
    add("ban_thach", "in_progress", transfer=True)
    # Then a year of cases: most closed, some under way, the rest at the early steps.
    stage_weights = [
        ("closed", 40), ("initial_closed", 10), ("in_progress", 14), ("review_overdue", 4),
        ("plan_approved", 4), ("closure_requested", 3), ("plan_submitted", 3), ("specific", 3),
        ("initial", 2), ("verified", 2), ("received", 1), ("report", 4), ("plan_drafted", 2),
        ("plan_returned", 1),
    ]  # fmt: skip
    stages, stage_w = zip(*stage_weights, strict=True)
    for where, full in (("ban_thach", 50), ("hai_van", 30), ("other", 25)):
        for _i in range(ctx.n(full, 2)):
            stage = rng.choices(stages, stage_w)[0]
            add(
                where,
                stage,
                late=rng.random() < 0.2,
                returned=stage != "plan_returned" and rng.random() < 0.1,
                new_child=rng.random() < 0.15,
            )
    for scenario in scenarios:
        if scenario.stage == "plan_returned":
            scenario.returned = True
    return scenarios


class _Player:
    """Plays scenarios through the case services, the clock at each step's moment."""

    def __init__(self, ctx, rng: random.Random):
        from treem.cases.models import HarmKind, RiskFactor
        from treem.children.models import Child

        self.ctx, self.rng = ctx, rng
        self.harms = {h.code: h for h in HarmKind.objects.all()}
        self.factors = [f.code for f in RiskFactor.objects.order_by("sort_order")]
        users = ctx.users
        self.teams = {
            "ban_thach": (
                [users["vuviec"], users["canbo.banthach"]],
                users["chutich"],
                users["canbo.banthach"],
            ),
            "hai_van": ([users["canbo.haivan"]], users["dieuphoi"], users["canbo.haivan"]),
        }
        self.coordinator = users["dieuphoi"]
        self.hotline = users["tongdai"]
        # The national hotline 111's own system pushes its calls through the API (issue 16).
        self.national_hotline = _national_hotline(ctx)
        self.calls = 0
        self.others = [c for c in ctx.communes if c.pk not in (ctx.ban_thach.pk, ctx.hai_van.pk)]
        self.children: dict[int, list] = {}
        self.child_model = Child
        self.agencies = ctx.agencies

    def _children_of(self, commune):
        if commune.pk not in self.children:
            self.children[commune.pk] = list(
                self.child_model.objects.filter(commune=commune, is_active=True).order_by("pk")
            )
        return self.children[commune.pk]

    def play(self, s: Scenario) -> str:
        from treem.cases import services

        ctx, rng = self.ctx, self.rng
        if s.where == "other":
            commune = self.others[rng.randrange(len(self.others))]
            workers, supervisor, receiver = [self.coordinator], self.coordinator, self.coordinator
        else:
            commune = ctx.ban_thach if s.where == "ban_thach" else ctx.hai_van
            workers, supervisor, receiver = self.teams[s.where]
            workers = workers[:1] if rng.random() < 0.6 else workers
        worker = workers[0]
        registered = self._children_of(commune)
        child = None if s.new_child or not registered else registered[rng.randrange(len(registered))]
        harm, setting, summary, narrative = s.story
        t0 = s.received

        def at(hours: float) -> dt.datetime:
            return ctx.at(t0 + dt.timedelta(hours=hours))

        at(0)
        child_fields = (
            {"child_name": child.full_name, "child_sex": child.sex}
            if child is not None
            else {
                "child_name": "",
                "child_description": rng.choice(data.CASE_CHILD_DESCRIPTIONS),
                "child_age": rng.randrange(4, 15),
            }
        )
        if s.new_child:
            child_fields["child_name"] = _new_name(rng)
            child_fields["child_sex"] = rng.choice(["male", "female"])
        if s.channel == "online":
            report = services.report_receive_online(
                unit=commune, summary=summary, narrative=narrative, **child_fields
            )
        elif s.channel == "hotline_111":
            from treem.cases.api.services import hotline_call_receive

            self.calls += 1
            call, _created = hotline_call_receive(
                acting_user=self.national_hotline,
                external_id=f"111-{t0.year}-{self.calls:06d}",
                unit=commune,
                caller_relation=rng.choice(CALLER_RELATIONS),
                urgency=rng.choices(["emergency", "urgent", "normal"], weights=[2, 5, 5])[0],
                channel=s.channel,
                summary=summary,
                received_at=t0,
                narrative=narrative,
                reporter_anonymous=rng.random() < 0.4,
                **child_fields,
            )
            report = call.report
        else:
            receiving = self.hotline if s.channel.startswith("hotline") else receiver
            report = services.report_receive(
                acting_user=receiving,
                unit=commune,
                channel=s.channel,
                summary=summary,
                received_at=t0,
                narrative=narrative,
                reporter_anonymous=s.channel.startswith("hotline") and rng.random() < 0.4,
                **child_fields,
            )
        if s.stage == "report":
            return "report"
        at(1)
        if child is None:
            if not child_fields.get("child_name"):
                child_fields["child_name"] = _new_name(rng)
            child = services.report_create_child(
                acting_user=worker,
                report=report,
                commune=commune,
                full_name=child_fields["child_name"],
                birth_year=ctx.today.year - child_fields.get("child_age", rng.randrange(3, 15)),
                sex=child_fields.get("child_sex") or rng.choice(["male", "female"]),
            )
        else:
            services.report_link_child(acting_user=worker, report=report, child=child)
        at(HOURS["open"])
        harm_kinds = [self.harms[harm]]
        if harm in ("indecency", "rape"):
            harm_kinds.append(self.harms["sexual_abuse"])
        case = services.case_open(
            acting_user=worker,
            reports=[report],
            commune=commune,
            workers=workers,
            supervisor=supervisor,
            protection_level="intervention" if harm in ("rape", "indecency", "trafficking") else "support",
            harm_kinds=harm_kinds,
            emergency=harm in ("rape", "trafficking", "abandonment"),
            setting=setting,
        )
        if s.stage == "received":
            return "received"
        at(HOURS["verified"])
        services.case_verify(acting_user=worker, case=case, note=data.CASE_TEXTS["verify"])
        if s.stage == "verified":
            return "verified"
        initial_at = at(30 if s.late else HOURS["initial"])
        closing_early = s.stage == "initial_closed"
        services.assessment_record(
            acting_user=worker,
            case=case,
            kind="initial",
            assessed_at=initial_at,
            findings=data.CASE_TEXTS["initial_closed" if closing_early else "initial"],
            emergency_measures=data.CASE_TEXTS["emergency"] if case.emergency else "",
            ratings={code: rng.choice(["high", "medium", "low"]) for code in self.factors[:2]},
        )
        if s.stage == "initial":
            return "initial"
        if closing_early:
            self._close(case, worker, supervisor, t0 + dt.timedelta(hours=30))
            return "closed"
        delay = 140 if s.late else 0
        specific_at = at(HOURS["specific"] + delay / 2)
        services.assessment_record(
            acting_user=worker,
            case=case,
            kind="specific",
            assessed_at=specific_at,
            findings=data.CASE_TEXTS["specific"],
            meeting_minutes=data.CASE_TEXTS["minutes"],
            ratings={code: rng.choice(["high", "medium", "low"]) for code in self.factors},
        )
        if s.stage == "specific":
            return "specific"
        review_on = (t0 + dt.timedelta(hours=HOURS["in_progress"] + delay, days=REVIEW_AFTER_DAYS)).date()
        at(HOURS["plan_drafted"] + delay)
        services.plan_draft(
            acting_user=worker,
            case=case,
            goals=data.CASE_TEXTS["goals"],
            actions=data.CASE_TEXTS["actions"],
            review_on=review_on,
        )
        if s.stage == "plan_drafted":
            return "plan_drafted"
        at(HOURS["plan_submitted"] + delay)
        services.plan_submit(acting_user=worker, case=case)
        if s.stage == "plan_submitted":
            return "plan_submitted"
        if s.returned:
            at(HOURS["plan_returned"] + delay)
            services.plan_reject(acting_user=supervisor, case=case, comments=data.CASE_TEXTS["reject"])
            if s.stage == "plan_returned":
                return "plan_returned"
            at(HOURS["plan_redrafted"] + delay)
            services.plan_draft(
                acting_user=worker,
                case=case,
                goals=data.CASE_TEXTS["goals"],
                actions=data.CASE_TEXTS["actions"] + " Phân công cụ thể theo từng tuần.",
                review_on=review_on,
            )
            at(HOURS["plan_resubmitted"] + delay)
            services.plan_submit(acting_user=worker, case=case)
        at(HOURS["plan_approved"] + delay + (60 if s.returned else 0))
        services.plan_approve(acting_user=supervisor, case=case, comments=data.CASE_TEXTS["approve"])
        if s.stage == "plan_approved":
            return "plan_approved"
        from treem.cases.models import CaseStep

        start = t0 + dt.timedelta(hours=HOURS["in_progress"] + delay + (60 if s.returned else 0))
        ctx.at(start)
        services.case_step_advance(
            acting_user=worker, case=case, target=CaseStep.objects.get(code="plan_in_progress")
        )
        self._referrals(case, worker, start)
        if s.transfer:
            self._transfer(case, worker, start + dt.timedelta(days=3))
            return "in_progress"
        if s.stage in ("in_progress", "review_overdue"):
            ctx.at(start + dt.timedelta(days=2))
            services.note_add(acting_user=worker, case=case, text=data.CASE_TEXTS["note"])
            return s.stage
        review_at = ctx.moment(review_on, 9)
        ctx.at(review_at)
        services.assessment_record(
            acting_user=worker,
            case=case,
            kind="review",
            assessed_at=review_at,
            findings=data.CASE_TEXTS["review"],
            ratings={code: "low" for code in self.factors},
        )
        ctx.at(review_at + dt.timedelta(days=1))
        services.case_close_request(acting_user=worker, case=case, note=data.CASE_TEXTS["close_note"])
        if s.stage == "closure_requested":
            return "closure_requested"
        self._close(case, None, supervisor, review_at + dt.timedelta(days=2))
        return "closed"

    def _close(self, case, worker, supervisor, moment: dt.datetime) -> None:
        from treem.cases import services

        if worker is not None:
            self.ctx.at(moment - dt.timedelta(hours=2))
            services.case_close_request(acting_user=worker, case=case, note=data.CASE_TEXTS["close_note"])
        moment = self.ctx.at(moment)
        services.case_close(
            acting_user=supervisor, case=case, comments=data.CASE_TEXTS["close"], closed_at=moment
        )

    def _referrals(self, case, worker, start: dt.datetime) -> None:
        from treem.cases import services

        rng, ctx = self.rng, self.ctx
        for index in range(rng.randrange(0, 3)):
            service, agency_short = data.REFERRALS[rng.randrange(len(data.REFERRALS))]
            moment = start + dt.timedelta(hours=2 + index)
            ctx.at(moment)
            referral = services.referral_create(
                acting_user=worker,
                case=case,
                service=service,
                agency=self.agencies.get(agency_short) if agency_short else None,
                agency_name="" if agency_short else _local_service(service, case.commune.name),
                request=data.CASE_TEXTS["referral"],
            )
            answer = start + dt.timedelta(days=1 + index)
            if answer >= ctx.now:
                continue
            ctx.at(answer)
            if rng.random() < 0.1:
                services.referral_reject(
                    acting_user=worker,
                    referral=referral,
                    reason="Không đúng chức năng, đề nghị chuyển đơn vị khác",
                )
                continue
            services.referral_accept(acting_user=worker, referral=referral)
            done = start + dt.timedelta(days=20 + index)
            if done < ctx.now:
                ctx.at(done)
                services.referral_done(
                    acting_user=worker, referral=referral, outcome=data.CASE_TEXTS["referral_done"]
                )

    def _transfer(self, case, worker, moment: dt.datetime) -> None:
        from treem.cases import services

        ctx = self.ctx
        ctx.at(moment)
        transfer = services.transfer_request(
            acting_user=worker, case=case, to_commune=ctx.hai_van, reason=data.CASE_TEXTS["transfer"]
        )
        ctx.at(moment + dt.timedelta(days=1))
        services.transfer_accept(
            acting_user=ctx.users["canbo.haivan"],
            transfer=transfer,
            workers=[ctx.users["canbo.haivan"]],
            supervisor=ctx.users["dieuphoi"],
        )


def _local_service(service: str, commune: str) -> str:
    return {
        "health": f"Trạm Y tế {commune}",
        "school": f"Trường Tiểu học {commune.replace('Phường ', '').replace('Xã ', '')}",
        "legal_aid": "Trung tâm Trợ giúp pháp lý nhà nước thành phố Đà Nẵng",
    }.get(service, f"Công an {commune}")


def _new_name(rng: random.Random) -> str:
    from treem.children.synthetic import FAMILY_NAMES, GIVEN_FEMALE, GIVEN_MALE, MIDDLE_FEMALE, MIDDLE_MALE

    family = rng.choice(FAMILY_NAMES)[0]
    if rng.random() < 0.5:
        return f"{family} {rng.choice(MIDDLE_MALE)} {rng.choice(GIVEN_MALE)}"
    return f"{family} {rng.choice(MIDDLE_FEMALE)} {rng.choice(GIVEN_FEMALE)}"


CALLER_RELATIONS = ("neighbour", "parent", "relative", "school", "child", "health")
NATIONAL_HOTLINE = "Tổng đài quốc gia 111"


def _national_hotline(ctx):
    """The account of the national hotline's system: an API client with the hotline role for the
    province, set up by the administrator as on the API clients page (made once)."""
    from treem.accounts.models import ApiClient
    from treem.accounts.services import api_client_create

    client = ApiClient.objects.filter(name=NATIONAL_HOTLINE).select_related("account").first()
    if client is None:
        client = api_client_create(
            acting_user=ctx.users["quantri"],
            name=NATIONAL_HOTLINE,
            roles=["hotline_client"],
            units=[ctx.province],
            description="Hệ thống của Tổng đài điện thoại quốc gia bảo vệ trẻ em 111 gửi cuộc gọi sang.",
        )
    return client.account


def cases(ctx) -> None:
    """Reports and cases of the year, at every step of Decree 56's process."""
    from treem.cases.models import Report

    if Report.objects.exists():
        return
    rng = random.Random(SEED)
    player = _Player(ctx, rng)
    scenarios = sorted(_scenarios(ctx, rng), key=lambda s: s.received)
    reached: dict[str, int] = {}
    for scenario in scenarios:
        stage = player.play(scenario)
        reached[stage] = reached.get(stage, 0) + 1
    ctx.counts["cases"] = len(scenarios)
    ctx.counts.update({f"cases.{k}": v for k, v in reached.items()})


def complaints(ctx) -> None:
    """Complaints, denunciations and children's petitions; most settled, a few overdue."""
    from treem.complaints import services
    from treem.complaints.models import Complaint

    if Complaint.objects.exists():
        return
    rng = random.Random(SEED + 1)
    made = 0
    for index in range(ctx.n(36, 4)):
        kind, sender, subject = data.COMPLAINTS[index % len(data.COMPLAINTS)]
        if index % 3 == 0:
            unit, user = ctx.ban_thach, ctx.users["chutich"]
        elif index % 3 == 1:
            unit, user = ctx.province, ctx.users["dieuphoi"]
        else:
            unit, user = ctx.communes[rng.randrange(len(ctx.communes))], ctx.users["dieuphoi"]
        received = ctx.today - dt.timedelta(days=rng.randrange(2, 360))
        ctx.on(received, 10)
        complaint = services.complaint_register(
            acting_user=user,
            unit=unit,
            kind=kind,
            received_on=received,
            sender_kind=sender,
            subject=subject,
            sender_name="" if sender == "child" else _new_name(rng),
            details="Đơn gửi trực tiếp tại bộ phận tiếp nhận và trả kết quả.",
        )
        made += 1
        # Most are answered in time; the last third of the year leaves some open, a few late.
        if rng.random() < 0.8 and complaint.due_on:
            answered = min(complaint.due_on - dt.timedelta(days=rng.randrange(0, 10)), ctx.today)
            if rng.random() < 0.15:
                answered = complaint.due_on + dt.timedelta(days=rng.randrange(1, 12))
            if received <= answered <= ctx.today:
                ctx.on(answered, 14)
                services.complaint_answer(
                    acting_user=user,
                    complaint=complaint,
                    answer="Đã trả lời bằng văn bản, hướng dẫn người gửi thực hiện theo quy định.",
                    answered_on=answered,
                )
                closed = answered + dt.timedelta(days=rng.randrange(1, 15))
                if closed <= ctx.today:
                    ctx.on(closed, 16)
                    services.complaint_close(acting_user=user, complaint=complaint, closed_on=closed)
    ctx.counts["complaints"] = made

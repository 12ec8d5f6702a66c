"""Writes of the case process. Each function is one audited transaction: all or nothing.

Every service checks scope (``scope_require``) and the confidentiality group: only assigned
workers act on a case, only its supervisor approves plans and closures. Steps move only along
the transitions stored as data (``CaseTransition``). Bad input raises ``ValidationError`` with a
message for the person at the keyboard, and nothing is written.

Timeline lines (``CaseEvent.message``) and audit events never carry narrative text: they say
what happened ("Plan v2 returned with comments"), the content stays in the encrypted fields.
"""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Iterable

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from treem.audit.services import REDACTED, audit_record, diff, snapshot
from treem.cases.choices import (
    AssessmentKind,
    CaseStatus,
    Channel,
    ChildSex,
    DeadlineKind,
    PlanStatus,
    ProtectionLevel,
    PublicStatus,
    ReferralService,
    ReferralStatus,
    TransferStatus,
)
from treem.cases.deadlines import due_by_rule, end_of_day
from treem.cases.models import (
    Assessment,
    Attachment,
    Case,
    CaseAccess,
    CaseEvent,
    CaseStep,
    CaseTransition,
    Deadline,
    HarmKind,
    Note,
    Plan,
    Referral,
    Report,
    RiskFactor,
    RiskRating,
    Transfer,
)
from treem.cases.selectors import is_member, is_worker, working_calendar
from treem.children.models import MINOR_AGE_LIMIT, Child
from treem.core.scope import ScopeError, scope_require, unit_in_scope
from treem.geo.models import Unit, UnitLevel
from treem.notifications.events import announce

CLOCK_SKEW = dt.timedelta(minutes=5)  # a received time this far ahead of the server is still "now"
TRACKING_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: read out over the phone
TRACKING_LENGTH = 10
MIN_REASON_LENGTH = 10

REPORT_DETAIL_FIELDS = (
    "place",
    "narrative",
    "child_condition",
    "family_details",
    "abuser_details",
    "actions_taken",
    "reporter_anonymous",
    "reporter_name",
    "reporter_contact",
    "child_name",
    "child_sex",
    "child_birth_year",
    "child_age",
    "child_description",
    "summary",
)


# --- helpers ----------------------------------------------------------------------------------


def _now() -> dt.datetime:
    return timezone.now()


def _text(value) -> str:
    return (value or "").strip()


def _event(case: Case, actor, kind: str, message: str, *, step: CaseStep | None = None, at=None) -> CaseEvent:
    return CaseEvent.objects.create(
        case=case, actor=actor, kind=kind, message=message[:255], step=step, at=at or _now()
    )


def _step(code: str) -> CaseStep:
    return CaseStep.objects.get(code=code)


def _require_open(case: Case) -> None:
    if case.status != CaseStatus.OPEN:
        raise ValidationError(_("Case %(number)s is closed.") % {"number": case.number})


def _require_worker(acting_user, case: Case, perm: str = "cases.change_case") -> None:
    scope_require(acting_user, case.commune, perm)
    if not is_worker(acting_user, case):
        raise ValidationError(
            _("Only the workers assigned to case %(number)s may do this.") % {"number": case.number}
        )


def _require_supervisor(acting_user, case: Case) -> None:
    scope_require(acting_user, case.commune, "cases.approve_case")
    if case.supervisor_id != acting_user.pk:
        raise ValidationError(
            _("Only the supervisor of case %(number)s may decide this.") % {"number": case.number}
        )


def _require_group(acting_user, case: Case) -> None:
    """Workers and the supervisor (not users the case was only shared with)."""
    scope_require(acting_user, case.commune, "cases.change_case")
    if not (is_worker(acting_user, case) or case.supervisor_id == acting_user.pk):
        raise ValidationError(
            _("Only the workers and the supervisor of case %(number)s may do this.") % {"number": case.number}
        )


def transition_allowed(case: Case, target: CaseStep) -> CaseTransition | None:
    return CaseTransition.objects.filter(source=case.step, target=target).first()


def _check_move(case: Case, target_code: str, *, how: str = "service") -> CaseStep:
    """The step ``target_code`` if an allowed transition (data) leads there, else refuse.

    Nothing changes here: callers set ``case.step`` once every other check has passed, so that a
    refusal leaves the object as it was, not only the database.
    """
    _require_open(case)
    target = _step(target_code)
    transition = transition_allowed(case, target)
    if transition is None or (how == "advance" and transition.how != "advance"):
        raise ValidationError(
            {
                "step": [
                    _(
                        "Case %(number)s is at the step “%(current)s”: "
                        "it cannot move to “%(target)s” from there."
                    )
                    % {"number": case.number, "current": case.step.name, "target": target.name}
                ]
            }
        )
    return target


def _set_step(case: Case, step: CaseStep, acting_user) -> CaseStep:
    case.step, case.updated_by = step, acting_user
    return step


def _check_moment(
    value: dt.datetime | None, field: str, label: str, *, not_before=None, not_before_label=""
) -> dt.datetime:
    """A moment given by a person: aware, not in the future, not before ``not_before``."""
    now = _now()
    if value is None:
        return now
    if timezone.is_naive(value):
        value = timezone.make_aware(value)
    if value > now + CLOCK_SKEW:
        raise ValidationError({field: [_("%(what)s cannot be in the future.") % {"what": label}]})
    if not_before is not None and value < not_before:
        raise ValidationError(
            {field: [_("%(what)s cannot be before %(other)s.") % {"what": label, "other": not_before_label}]}
        )
    return value


def _check_worker_candidate(user, commune: Unit, field: str) -> None:
    if not (user.is_active and user.has_perm("cases.change_case") and unit_in_scope(user, commune)):
        raise ValidationError(
            {
                field: [
                    _("%(name)s cannot work on cases of %(commune)s.")
                    % {"name": user, "commune": commune.name}
                ]
            }
        )


def _check_supervisor_candidate(user, commune: Unit) -> None:
    if not (user.is_active and user.has_perm("cases.approve_case") and unit_in_scope(user, commune)):
        raise ValidationError(
            {
                "supervisor": [
                    _("%(name)s cannot supervise cases of %(commune)s.")
                    % {"name": user, "commune": commune.name}
                ]
            }
        )


def _new_tracking_code() -> str:
    for _attempt in range(10):
        code = "".join(secrets.choice(TRACKING_ALPHABET) for _i in range(TRACKING_LENGTH))
        if not Report.objects.filter(tracking_code=code).exists():
            return code
    raise RuntimeError("Could not find a free tracking code")  # 32^10 codes: never in practice


def _estimated_birth_year(*, birth_year: int | None, age: int | None, on: dt.date) -> int | None:
    if birth_year is not None:
        return birth_year
    if age is not None:
        return on.year - age
    return None


# --- reports ----------------------------------------------------------------------------------


def _check_report_child(data: dict, *, on: dt.date, errors: dict) -> None:
    if not data["child_name"] and not data["child_description"] and data.get("child") is None:
        errors.setdefault("child_name", []).append(
            _("Give the child's name, or describe the child so that they can be found.")
        )
    age, year = data.get("child_age"), data.get("child_birth_year")
    if age is not None and age >= MINOR_AGE_LIMIT:
        errors.setdefault("child_age", []).append(
            _("A child is under %(limit)s: check the age.") % {"limit": MINOR_AGE_LIMIT}
        )
    if year is not None:
        if year > on.year:
            errors.setdefault("child_birth_year", []).append(_("The year of birth cannot be in the future."))
        elif on.year - year >= MINOR_AGE_LIMIT:
            errors.setdefault("child_birth_year", []).append(
                _("A child is under %(limit)s: check the year of birth.") % {"limit": MINOR_AGE_LIMIT}
            )
        elif age is not None and abs((on.year - year) - age) > 1:
            errors.setdefault("child_age", []).append(
                _("The age and the year of birth contradict each other: give one, or correct them.")
            )


def _check_reporter(data: dict, errors: dict) -> None:
    if data["reporter_anonymous"] and (data["reporter_name"] or data["reporter_contact"]):
        errors.setdefault("reporter_anonymous", []).append(
            _("The reporter stays anonymous: leave their name and contact empty, or untick “anonymous”.")
        )


@transaction.atomic
def report_receive(
    *,
    acting_user,
    unit: Unit,
    channel: str,
    summary: str,
    received_at: dt.datetime | None = None,
    child: Child | None = None,
    child_name: str = "",
    child_sex: str = ChildSex.UNKNOWN,
    child_age: int | None = None,
    child_birth_year: int | None = None,
    child_description: str = "",
    reporter_anonymous: bool = False,
    reporter_name: str = "",
    reporter_contact: str = "",
    **details,
) -> Report:
    """Record a report (the hotline's short form; Mẫu 01's other fields may come now or later)."""
    scope_require(acting_user, unit, "cases.add_report")
    unknown = set(details) - set(REPORT_DETAIL_FIELDS)
    if unknown:
        raise TypeError(f"Unknown report fields: {sorted(unknown)}")
    errors: dict[str, list[str]] = {}
    today = timezone.localdate()
    if unit.level not in (UnitLevel.COMMUNE, UnitLevel.PROVINCE) or not unit.is_valid_on(today):
        errors.setdefault("unit", []).append(_("Choose a commune or a province in force today."))
    data = {
        "child_name": " ".join(_text(child_name).split()),
        "child_description": _text(child_description),
        "child_age": child_age,
        "child_birth_year": child_birth_year,
        "child": child,
        "reporter_anonymous": bool(reporter_anonymous),
        "reporter_name": _text(reporter_name),
        "reporter_contact": _text(reporter_contact),
    }
    _check_report_child(data, on=today, errors=errors)
    _check_reporter(data, errors)
    if not _text(summary):
        errors.setdefault("summary", []).append(_("Say in a few words what the report is about."))
    if child is not None and not Child.objects.restrict(acting_user, "view").filter(pk=child.pk).exists():
        raise ScopeError("children.view_child")
    try:
        received_at = _check_moment(received_at, "received_at", _("The time the report was received"))
    except ValidationError as exc:
        for field, messages in exc.message_dict.items():
            errors.setdefault(field, []).extend(messages)
    if errors:
        raise ValidationError(errors)
    report = Report(
        unit=unit,
        channel=channel,
        received_at=received_at,
        received_by=acting_user,
        tracking_code=_new_tracking_code(),
        summary=_text(summary),
        child_sex=child_sex or ChildSex.UNKNOWN,
        created_by=acting_user,
        updated_by=acting_user,
        **data,
        **{k: (_text(v) if isinstance(v, str) else v) for k, v in details.items()},
    )
    report.full_clean()
    report.save()
    audit_record(acting_user, "cases.report.received", report, changes=diff(None, snapshot(report)))
    announce("cases.report.received", report, actor=acting_user)
    return report


def _check_public_unit(unit: Unit | None, errors: dict) -> None:
    if unit is None or unit.level not in (UnitLevel.COMMUNE, UnitLevel.PROVINCE):
        errors.setdefault("province", []).append(_("Choose the province, and the commune if you know it."))
    elif not unit.is_valid_on(timezone.localdate()):
        errors.setdefault("commune", []).append(
            _("This commune no longer exists since the reorganisation: choose the commune of today.")
        )


@transaction.atomic
def report_receive_online(
    *,
    unit: Unit,
    summary: str,
    child_name: str = "",
    child_sex: str = ChildSex.UNKNOWN,
    child_age: int | None = None,
    child_description: str = "",
    place: str = "",
    narrative: str = "",
    reporter_name: str = "",
    reporter_contact: str = "",
) -> Report:
    """A report sent by anyone through the public web form (no sign-in; channel "online").

    The reporter stays anonymous unless they leave a name or a contact. The text is stored as
    typed (encrypted like every report): pages escape it, nothing in it is ever run.
    """
    errors: dict[str, list[str]] = {}
    _check_public_unit(unit, errors)
    data = {
        "child_name": " ".join(_text(child_name).split()),
        "child_description": _text(child_description),
        "child_age": child_age,
        "child_birth_year": None,
        "child": None,
        "reporter_name": _text(reporter_name),
        "reporter_contact": _text(reporter_contact),
    }
    data["reporter_anonymous"] = not (data["reporter_name"] or data["reporter_contact"])
    _check_report_child(data, on=timezone.localdate(), errors=errors)
    if not _text(summary):
        errors.setdefault("summary", []).append(_("Say in a few words what the report is about."))
    if errors:
        raise ValidationError(errors)
    now = _now()
    report = Report(
        unit=unit,
        channel=Channel.ONLINE,
        received_at=now,
        tracking_code=_new_tracking_code(),
        summary=_text(summary),
        child_sex=child_sex or ChildSex.UNKNOWN,
        place=_text(place),
        narrative=_text(narrative),
        **data,
    )
    report.full_clean()
    report.save()
    audit_record(None, "cases.report.received_online", report, changes=diff(None, snapshot(report)))
    announce("cases.report.received", report)
    return report


def report_public_status(tracking_code: str) -> str | None:
    """What the public may know of a report: received, being handled or closed (None: no such code)."""
    code = "".join(_text(tracking_code).upper().split())
    if not code or len(code) > TRACKING_LENGTH * 2:
        return None
    report = Report.objects.filter(tracking_code=code).select_related("case").first()
    if report is None:
        return None
    if report.case_id is None:
        return PublicStatus.RECEIVED
    return PublicStatus.CLOSED if report.case.status == CaseStatus.CLOSED else PublicStatus.HANDLED


def _require_report_content(acting_user, report: Report, perm: str) -> None:
    """A report joined to a case is the case's content: only its group may change it."""
    scope_require(acting_user, report.unit, perm)
    if report.case_id and not is_member(acting_user, report.case):
        raise ValidationError(
            _("This report is part of case %(number)s: only the case's group may change it.")
            % {"number": report.case.number}
        )


@transaction.atomic
def report_update(*, acting_user, report: Report, **fields) -> Report:
    """Complete or correct a report (the rest of Mẫu 01 after the short form)."""
    _require_report_content(acting_user, report, "cases.change_report")
    unknown = set(fields) - set(REPORT_DETAIL_FIELDS) - {"channel"}
    if unknown:
        raise TypeError(f"Unknown report fields: {sorted(unknown)}")
    before = snapshot(report)
    for name, value in fields.items():
        setattr(report, name, _text(value) if isinstance(value, str) else value)
    errors: dict[str, list[str]] = {}
    data = {
        "child_name": report.child_name,
        "child_description": report.child_description,
        "child_age": report.child_age,
        "child_birth_year": report.child_birth_year,
        "child": report.child,
        "reporter_anonymous": report.reporter_anonymous,
        "reporter_name": report.reporter_name,
        "reporter_contact": report.reporter_contact,
    }
    _check_report_child(data, on=timezone.localdate(), errors=errors)
    _check_reporter(data, errors)
    if not report.summary:
        errors.setdefault("summary", []).append(_("Say in a few words what the report is about."))
    if errors:
        raise ValidationError(errors)
    report.updated_by = acting_user
    report.full_clean()
    report.save()
    audit_record(acting_user, "cases.report.updated", report, changes=diff(before, snapshot(report)))
    return report


@transaction.atomic
def report_link_child(*, acting_user, report: Report, child: Child) -> Report:
    """Match the report to a child of the registry (found by search)."""
    _require_report_content(acting_user, report, "cases.change_report")
    if not Child.objects.restrict(acting_user, "view").filter(pk=child.pk).exists():
        raise ScopeError("children.view_child")
    if report.case_id and report.case.child_id != child.pk:
        raise ValidationError(
            {
                "child": [
                    _("This report is part of case %(number)s, about another child.")
                    % {"number": report.case.number}
                ]
            }
        )
    if not child.is_active:
        raise ValidationError(
            {"child": [_("This child is no longer in the registry: choose the current record.")]}
        )
    before = snapshot(report)
    report.child, report.updated_by = child, acting_user
    report.save(update_fields=["child", "updated_by", "updated_at"])
    audit_record(acting_user, "cases.report.child_linked", report, changes=diff(before, snapshot(report)))
    return report


@transaction.atomic
def report_create_child(
    *,
    acting_user,
    report: Report,
    commune: Unit,
    full_name: str = "",
    birth_year: int | None = None,
    sex: str = "",
) -> Child:
    """Register the reported child in the registry (from the report's data) and link the report."""
    from treem.children.services import child_register

    _require_report_content(acting_user, report, "cases.change_report")
    if report.child_id:
        raise ValidationError(_("This report is already linked to a child of the registry."))
    name = " ".join(_text(full_name or report.child_name).split())
    year = birth_year or _estimated_birth_year(
        birth_year=report.child_birth_year, age=report.child_age, on=timezone.localdate()
    )
    errors: dict[str, list[str]] = {}
    if not name:
        errors["full_name"] = [
            _("The child's name is not known yet: find it out before registering the child.")
        ]
    if year is None:
        errors["birth_year"] = [
            _(
                "The child's age is unknown: give a year of birth or an estimated age "
                "before registering the child."
            )
        ]
    if errors:
        raise ValidationError(errors)
    child = child_register(
        acting_user=acting_user,
        commune=commune,
        full_name=name,
        sex=sex or report.child_sex or ChildSex.UNKNOWN,
        birth_year=year,
        # No source: a registry record must not say that it came from a protection report to
        # someone outside the case's group (the case links to the child, not the other way).
    )
    before = snapshot(report)
    report.child, report.updated_by = child, acting_user
    report.save(update_fields=["child", "updated_by", "updated_at"])
    audit_record(acting_user, "cases.report.child_linked", report, changes=diff(before, snapshot(report)))
    return child


# --- cases ------------------------------------------------------------------------------------


def _create_deadlines(case: Case, received_at: dt.datetime) -> None:
    calendar = working_calendar(case.commune)
    for kind in (DeadlineKind.INITIAL_ASSESSMENT, DeadlineKind.PLAN):
        rule = settings.TREEM_CASE_DEADLINES[kind.value]
        due = due_by_rule(received_at, rule, calendar)
        label = ", ".join(f"{key}={value}" for key, value in rule.items())
        Deadline.objects.create(case=case, kind=kind, due_at=due, rule=label)


def _meet_deadline(case: Case, kind: str, at: dt.datetime) -> None:
    case.deadlines.filter(kind=kind, met_at__isnull=True).update(met_at=at)


@transaction.atomic
def case_open(
    *,
    acting_user,
    reports: Iterable[Report],
    commune: Unit | None = None,
    workers: Iterable = (),
    supervisor=None,
    protection_level: str = ProtectionLevel.SUPPORT,
    harm_kinds: Iterable[HarmKind] = (),
    emergency: bool = False,
    setting: str = "",
) -> Case:
    """Open a case from one or more reports about the same (registered) child."""
    # Read again, locked: the objects passed in may be stale, and two officers may open a case
    # from the same report at the same moment.
    reports = list(Report.objects.select_for_update().filter(pk__in=[r.pk for r in reports]).order_by("pk"))
    if not reports:
        raise ValidationError({"reports": [_("A case is opened from at least one report.")]})
    visible = Report.objects.restrict(acting_user, "view")
    for report in reports:
        if not visible.filter(pk=report.pk).exists():
            raise ScopeError("cases.view_report")
    errors: dict[str, list[str]] = {}
    taken = [r for r in reports if r.case_id]
    if taken:
        errors.setdefault("reports", []).append(
            _("Report %(code)s is already part of case %(number)s.")
            % {"code": taken[0].tracking_code, "number": taken[0].case.number}
        )
    if any(r.child_id is None for r in reports):
        errors.setdefault("reports", []).append(
            _("Link each report to a child of the registry (or register the child) before opening the case.")
        )
    children = {r.child_id for r in reports if r.child_id}
    if len(children) > 1:
        errors.setdefault("reports", []).append(
            _("The reports are about different children: open one case per child.")
        )
    if errors:
        raise ValidationError(errors)
    child = reports[0].child
    commune = commune or child.commune
    scope_require(acting_user, commune, "cases.add_case")
    if commune.level != UnitLevel.COMMUNE or not commune.is_valid_on(timezone.localdate()):
        raise ValidationError({"commune": [_("Choose a commune in force today.")]})
    workers = list(workers) or [acting_user]
    for worker in workers:
        _check_worker_candidate(worker, commune, "workers")
    if supervisor is not None:
        _check_supervisor_candidate(supervisor, commune)
    now = _now()
    case = Case(
        number=f"TMP-{secrets.token_hex(6)}",
        commune=commune,
        child=child,
        protection_level=protection_level,
        emergency=emergency,
        setting=setting,
        step=_step("received"),
        status=CaseStatus.OPEN,
        supervisor=supervisor,
        opened_at=now,
        created_by=acting_user,
        updated_by=acting_user,
    )
    case.full_clean(exclude=["number"])
    case.save()
    case.number = f"{now.astimezone(timezone.get_current_timezone()).year}-{case.pk:06d}"
    case.save(update_fields=["number"])
    case.workers.set(workers)
    case.harm_kinds.set(list(harm_kinds))
    Report.objects.filter(pk__in=[r.pk for r in reports]).update(case=case)
    first = min(r.received_at for r in reports)
    _create_deadlines(case, first)
    _event(case, acting_user, "opened", _("Case opened"), step=case.step)
    audit_record(
        acting_user,
        "cases.case.opened",
        case,
        changes={
            **diff(None, snapshot(case)),
            "reports": [None, sorted(r.tracking_code for r in reports)],
            "workers": [None, sorted(w.get_username() for w in workers)],
        },
    )
    announce("cases.case.assigned", case, actor=acting_user, added=workers, supervisor=supervisor)
    return case


@transaction.atomic
def case_add_report(*, acting_user, case: Case, report: Report) -> Report:
    """Join a later report about the same child to an open case."""
    _require_group(acting_user, case)
    _require_open(case)
    if not Report.objects.restrict(acting_user, "view").filter(pk=report.pk).exists():
        raise ScopeError("cases.view_report")
    report = Report.objects.select_for_update().get(pk=report.pk)
    if report.case_id:
        raise ValidationError(
            {
                "report": [
                    _("This report is already part of case %(number)s.") % {"number": report.case.number}
                ]
            }
        )
    if report.child_id != case.child_id:
        raise ValidationError({"report": [_("Link the report to the case's child first.")]})
    report.case = case
    report.save(update_fields=["case", "updated_at"])
    _event(
        case,
        acting_user,
        "report_added",
        _("Report %(code)s joined the case") % {"code": report.tracking_code},
    )
    audit_record(
        acting_user, "cases.case.report_added", case, changes={"report": [None, report.tracking_code]}
    )
    return report


@transaction.atomic
def case_verify(*, acting_user, case: Case, note: str = "") -> Case:
    """Facts, safety and risk checked (kiểm tra, xác minh)."""
    _require_worker(acting_user, case)
    step = _set_step(case, _check_move(case, "verified"), acting_user)
    case.save(update_fields=["step", "updated_by", "updated_at"])
    if _text(note):
        Note.objects.create(case=case, author=acting_user, written_at=_now(), text=_text(note))
    _event(case, acting_user, "verified", _("Report verified"), step=step)
    audit_record(acting_user, "cases.case.verified", case, changes={"step": ["received", "verified"]})
    return case


ASSESSMENT_STEPS = {
    AssessmentKind.INITIAL: "initial_assessment",
    AssessmentKind.SPECIFIC: "specific_assessment",
    AssessmentKind.REVIEW: "review",
}


@transaction.atomic
def assessment_record(
    *,
    acting_user,
    case: Case,
    kind: str,
    findings: str,
    assessed_at: dt.datetime | None = None,
    medical_findings: str = "",
    emergency_measures: str = "",
    meeting_minutes: str = "",
    ratings: dict[str, str] | None = None,
    protection_level: str | None = None,
    harm_kinds: Iterable[HarmKind] | None = None,
) -> Assessment:
    """Record an initial (Mẫu 02), specific (Mẫu 03) or review (Mẫu 06) assessment; moves the step."""
    _require_worker(acting_user, case)
    if kind not in ASSESSMENT_STEPS:
        raise ValidationError({"kind": [_("Choose the kind of assessment.")]})
    previous = case.step.code
    step = _check_move(case, ASSESSMENT_STEPS[kind])
    first_report = case.reports.order_by("received_at").first()
    errors: dict[str, list[str]] = {}
    try:
        assessed_at = _check_moment(
            assessed_at,
            "assessed_at",
            _("The time of the assessment"),
            not_before=first_report.received_at if first_report else case.opened_at,
            not_before_label=_("the time the report was received"),
        )
    except ValidationError as exc:
        errors.update(exc.message_dict)
    if not _text(findings):
        errors.setdefault("findings", []).append(_("Write down what the assessment found."))
    if kind == AssessmentKind.SPECIFIC and not _text(meeting_minutes):
        errors.setdefault("meeting_minutes", []).append(
            _("A specific assessment records the case meeting: write its minutes (Mẫu 03).")
        )
    factors = {f.code: f for f in RiskFactor.objects.all()}
    ratings = {code: level for code, level in (ratings or {}).items() if level}
    bad = sorted(set(ratings) - set(factors))
    if bad:
        errors.setdefault("ratings", []).append(
            _("Unknown risk factor: %(codes)s") % {"codes": ", ".join(bad)}
        )
    if any(level not in ("high", "medium", "low") for level in ratings.values()):
        errors.setdefault("ratings", []).append(_("Rate each risk factor high, medium or low."))
    if kind == AssessmentKind.REVIEW and len(ratings) < len(factors):
        errors.setdefault("ratings", []).append(_("A review rates every risk factor (Mẫu 06)."))
    if errors:
        raise ValidationError(errors)
    assessment = Assessment(
        case=case,
        kind=kind,
        assessed_at=assessed_at,
        assessed_by=acting_user,
        findings=_text(findings),
        medical_findings=_text(medical_findings),
        emergency_measures=_text(emergency_measures),
        meeting_minutes=_text(meeting_minutes),
    )
    assessment.full_clean()
    assessment.save()
    _set_step(case, step, acting_user)
    RiskRating.objects.bulk_create(
        RiskRating(assessment=assessment, case=case, factor=factors[code], level=level)
        for code, level in ratings.items()
    )
    fields = ["step", "updated_by", "updated_at"]
    if protection_level:
        case.protection_level = protection_level
        fields.append("protection_level")
    case.full_clean(exclude=["number"])
    case.save(update_fields=fields)
    if harm_kinds is not None:
        case.harm_kinds.set(list(harm_kinds))
    if kind == AssessmentKind.INITIAL:
        _meet_deadline(case, DeadlineKind.INITIAL_ASSESSMENT, assessed_at)
    if kind == AssessmentKind.REVIEW:
        _meet_deadline(case, DeadlineKind.REVIEW, assessed_at)
    _event(
        case, acting_user, f"assessment_{kind}", str(assessment.get_kind_display()), step=step, at=assessed_at
    )
    audit_record(
        acting_user,
        "cases.assessment.recorded",
        assessment,
        changes={
            **diff(None, snapshot(assessment)),
            "step": [previous, step.code],
            "ratings": [None, ratings],
        },
    )
    return assessment


def _latest_plan(case: Case) -> Plan | None:
    return case.plans.order_by("-version").first()


@transaction.atomic
def plan_draft(*, acting_user, case: Case, goals: str, actions: str, review_on: dt.date) -> Plan:
    """Draft the support or intervention plan (Mẫu 04), or a new version after a return or review."""
    _require_worker(acting_user, case)
    _require_open(case)
    latest = _latest_plan(case)
    if latest is not None and latest.status == PlanStatus.SUBMITTED:
        raise ValidationError(_("The plan is waiting for the supervisor's decision: it cannot change now."))
    errors: dict[str, list[str]] = {}
    if not _text(goals):
        errors["goals"] = [_("Write the plan's goals.")]
    if not _text(actions):
        errors["actions"] = [_("Write the services, referrals and who does what.")]
    if review_on is None:
        errors["review_on"] = [_("Give the date of the plan's review.")]
    elif review_on <= timezone.localdate():
        errors["review_on"] = [_("The review date must be after today.")]
    previous = case.step.code
    redraft = (
        case.step.code == "plan_drafted"
        and latest is not None
        and latest.status
        in (
            PlanStatus.DRAFT,
            PlanStatus.REJECTED,
        )
    )
    step = case.step
    if not redraft:
        try:
            step = _check_move(case, "plan_drafted")
        except ValidationError as exc:
            errors.update(exc.message_dict)
    if errors:
        raise ValidationError(errors)
    _set_step(case, step, acting_user)
    now = _now()
    if latest is not None and latest.status == PlanStatus.DRAFT:
        plan, before = latest, snapshot(latest)
        plan.goals, plan.actions, plan.review_on = _text(goals), _text(actions), review_on
        plan.drafted_by, plan.drafted_at = acting_user, now
    else:
        plan, before = (
            Plan(
                case=case,
                version=(latest.version + 1) if latest else 1,
                goals=_text(goals),
                actions=_text(actions),
                review_on=review_on,
                drafted_by=acting_user,
                drafted_at=now,
            ),
            None,
        )
    plan.full_clean()
    plan.save()
    case.save(update_fields=["step", "updated_by", "updated_at"])
    _event(
        case,
        acting_user,
        "plan_drafted",
        _("Plan v%(version)s drafted") % {"version": plan.version},
        step=case.step,
    )
    audit_record(
        acting_user,
        "cases.plan.drafted",
        plan,
        changes={**diff(before, snapshot(plan)), "step": [previous, case.step.code]},
    )
    return plan


@transaction.atomic
def plan_submit(*, acting_user, case: Case) -> Plan:
    """Submit the drafted plan to the supervisor (the plan deadline is met on submission)."""
    _require_worker(acting_user, case)
    _require_open(case)
    plan = _latest_plan(case)
    if plan is None or plan.status != PlanStatus.DRAFT or case.step.code != "plan_drafted":
        raise ValidationError(_("There is no drafted plan to submit."))
    if case.supervisor_id is None:
        raise ValidationError({"supervisor": [_("Assign the case's supervisor before submitting the plan.")]})
    before = snapshot(plan)
    plan.status, plan.submitted_at = PlanStatus.SUBMITTED, _now()
    plan.save(update_fields=["status", "submitted_at"])
    _meet_deadline(case, DeadlineKind.PLAN, plan.submitted_at)
    _event(
        case,
        acting_user,
        "plan_submitted",
        _("Plan v%(version)s submitted for approval") % {"version": plan.version},
    )
    audit_record(acting_user, "cases.plan.submitted", plan, changes=diff(before, snapshot(plan)))
    announce("cases.plan.submitted", plan, actor=acting_user)
    return plan


def _submitted_plan(case: Case) -> Plan:
    plan = _latest_plan(case)
    if plan is None or plan.status != PlanStatus.SUBMITTED:
        raise ValidationError(_("No plan is waiting for a decision."))
    return plan


@transaction.atomic
def plan_approve(*, acting_user, case: Case, comments: str = "") -> Plan:
    """The supervisor approves the plan (Mẫu 05); its review date becomes a deadline."""
    _require_supervisor(acting_user, case)
    plan = _submitted_plan(case)
    step = _set_step(case, _check_move(case, "plan_approved"), acting_user)
    before = snapshot(plan)
    plan.status, plan.decided_at, plan.decided_by = PlanStatus.APPROVED, _now(), acting_user
    plan.decision_comments = _text(comments)
    plan.save(update_fields=["status", "decided_at", "decided_by", "decision_comments"])
    case.save(update_fields=["step", "updated_by", "updated_at"])
    case.deadlines.filter(kind=DeadlineKind.REVIEW, met_at__isnull=True).update(met_at=plan.decided_at)
    Deadline.objects.create(
        case=case, kind=DeadlineKind.REVIEW, due_at=end_of_day(plan.review_on), rule=f"plan v{plan.version}"
    )
    _event(
        case,
        acting_user,
        "plan_approved",
        _("Plan v%(version)s approved") % {"version": plan.version},
        step=step,
    )
    audit_record(
        acting_user,
        "cases.plan.approved",
        plan,
        changes={**diff(before, snapshot(plan)), "step": ["plan_drafted", step.code]},
    )
    announce("cases.plan.approved", plan, actor=acting_user)
    return plan


@transaction.atomic
def plan_reject(*, acting_user, case: Case, comments: str) -> Plan:
    """The supervisor returns the plan with the reason: the case goes back to planning."""
    _require_supervisor(acting_user, case)
    plan = _submitted_plan(case)
    if not _text(comments):
        raise ValidationError({"comments": [_("Say why the plan is returned, so that it can be corrected.")]})
    before = snapshot(plan)
    plan.status, plan.decided_at, plan.decided_by = PlanStatus.REJECTED, _now(), acting_user
    plan.decision_comments = _text(comments)
    plan.save(update_fields=["status", "decided_at", "decided_by", "decision_comments"])
    _event(
        case,
        acting_user,
        "plan_rejected",
        _("Plan v%(version)s returned with comments") % {"version": plan.version},
        step=case.step,
    )
    audit_record(acting_user, "cases.plan.rejected", plan, changes=diff(before, snapshot(plan)))
    announce("cases.plan.rejected", plan, actor=acting_user)
    return plan


@transaction.atomic
def case_step_advance(*, acting_user, case: Case, target: CaseStep) -> Case:
    """Move the case along a transition that has no action of its own (e.g. the plan is under way)."""
    _require_worker(acting_user, case)
    previous = case.step.code
    step = _set_step(case, _check_move(case, target.code, how="advance"), acting_user)
    case.save(update_fields=["step", "updated_by", "updated_at"])
    _event(case, acting_user, "advanced", step.name, step=step)
    audit_record(acting_user, "cases.case.advanced", case, changes={"step": [previous, step.code]})
    return case


@transaction.atomic
def case_close_request(*, acting_user, case: Case, note: str) -> Case:
    """A worker asks the supervisor to close the case, saying why (no longer at risk, stable…)."""
    _require_worker(acting_user, case)
    _require_open(case)
    if transition_allowed(case, _step("closed")) is None:
        raise ValidationError(
            _("Case %(number)s is at the step “%(current)s”: it cannot be closed from there.")
            % {"number": case.number, "current": case.step.name}
        )
    if case.closure_requested_at is not None:
        raise ValidationError(_("Closing this case was already requested."))
    if not _text(note):
        raise ValidationError({"note": [_("Say why the case can be closed.")]})
    if case.supervisor_id is None:
        raise ValidationError({"supervisor": [_("Assign the case's supervisor before asking to close it.")]})
    case.closure_requested_at, case.closure_requested_by = _now(), acting_user
    case.closure_note = _text(note)
    case.save(update_fields=["closure_requested_at", "closure_requested_by", "closure_note", "updated_at"])
    _event(case, acting_user, "closure_requested", _("Closing the case requested"))
    audit_record(acting_user, "cases.case.closure_requested", case)
    announce("cases.case.closure_requested", case, actor=acting_user)
    return case


@transaction.atomic
def case_close(*, acting_user, case: Case, comments: str = "", closed_at: dt.datetime | None = None) -> Case:
    """The supervisor approves the closing (Art. 30)."""
    _require_supervisor(acting_user, case)
    _require_open(case)
    if case.closure_requested_at is None:
        raise ValidationError(_("No worker has asked to close this case."))
    closed_at = _check_moment(
        closed_at,
        "closed_at",
        _("The closing date"),
        not_before=case.opened_at,
        not_before_label=_("the opening of the case"),
    )
    previous = case.step.code
    step = _set_step(case, _check_move(case, "closed"), acting_user)
    case.status, case.closed_at = CaseStatus.CLOSED, closed_at
    case.full_clean(exclude=["number"])
    case.save(update_fields=["step", "status", "closed_at", "updated_by", "updated_at"])
    if _text(comments):
        Note.objects.create(case=case, author=acting_user, written_at=_now(), text=_text(comments))
    _event(case, acting_user, "closed", _("Case closed"), step=step, at=closed_at)
    audit_record(
        acting_user,
        "cases.case.closed",
        case,
        changes={"step": [previous, step.code], "status": ["open", "closed"], "closed_at": [None, closed_at]},
    )
    return case


@transaction.atomic
def case_close_reject(*, acting_user, case: Case, comments: str) -> Case:
    """The supervisor refuses to close the case, with the reason; work goes on."""
    _require_supervisor(acting_user, case)
    _require_open(case)
    if case.closure_requested_at is None:
        raise ValidationError(_("No worker has asked to close this case."))
    if not _text(comments):
        raise ValidationError({"comments": [_("Say why the case stays open.")]})
    case.closure_requested_at, case.closure_requested_by, case.closure_note = None, None, ""
    case.save(update_fields=["closure_requested_at", "closure_requested_by", "closure_note", "updated_at"])
    Note.objects.create(case=case, author=acting_user, written_at=_now(), text=_text(comments))
    _event(case, acting_user, "closure_refused", _("Closing the case refused"))
    audit_record(acting_user, "cases.case.closure_refused", case)
    announce("cases.case.closure_refused", case, actor=acting_user)
    return case


@transaction.atomic
def case_assign(*, acting_user, case: Case, workers: Iterable | None = None, supervisor=None) -> Case:
    """Change the assigned workers and/or the supervisor (by the case's workers or supervisor)."""
    _require_group(acting_user, case)
    _require_open(case)
    changes: dict[str, list] = {}
    added: list = []
    if workers is not None:
        workers = list(workers)
        if not workers:
            raise ValidationError({"workers": [_("A case needs at least one assigned worker.")]})
        for worker in workers:
            _check_worker_candidate(worker, case.commune, "workers")
        old = sorted(u.get_username() for u in case.workers.all())
        previous = set(case.workers.values_list("pk", flat=True))
        added = [w for w in workers if w.pk not in previous]
        case.workers.set(workers)
        changes["workers"] = [old, sorted(u.get_username() for u in workers)]
    if supervisor is not None and supervisor.pk != case.supervisor_id:
        _check_supervisor_candidate(supervisor, case.commune)
        changes["supervisor"] = [
            case.supervisor.get_username() if case.supervisor else None,
            supervisor.get_username(),
        ]
        case.supervisor = supervisor
        case.save(update_fields=["supervisor", "updated_at"])
    if not changes:
        raise ValidationError(_("Nothing to change."))
    _event(case, acting_user, "assigned", _("Assignment changed"))
    audit_record(acting_user, "cases.case.assigned", case, changes=changes)
    new_supervisor = supervisor if "supervisor" in changes else None
    announce("cases.case.assigned", case, actor=acting_user, added=added, supervisor=new_supervisor)
    return case


@transaction.atomic
def case_share(*, acting_user, case: Case, user, reason: str) -> Case:
    """Let one more user (in the case's scope) see the case, with the reason."""
    _require_group(acting_user, case)
    reason = _text(reason)
    if len(reason) < MIN_REASON_LENGTH:
        raise ValidationError({"reason": [_("Say why this person needs to see the case.")]})
    if not (user.is_active and user.has_perm("cases.view_case") and unit_in_scope(user, case.commune)):
        raise ValidationError(
            {
                "user": [
                    _("%(name)s cannot see cases of %(commune)s.")
                    % {"name": user, "commune": case.commune.name}
                ]
            }
        )
    if is_member(user, case):
        raise ValidationError({"user": [_("%(name)s already sees this case.") % {"name": user}]})
    case.shared_with.add(user)
    _event(case, acting_user, "shared", _("Shared with %(name)s") % {"name": user})
    audit_record(
        acting_user,
        "cases.case.shared",
        case,
        changes={"shared_with": [None, user.get_username()]},
        reason=reason,
    )
    announce("cases.case.shared", case, actor=acting_user, user=user)
    return case


@transaction.atomic
def note_add(*, acting_user, case: Case, text: str) -> Note:
    """Add a note (encrypted) to the case."""
    _require_group(acting_user, case)
    if not _text(text):
        raise ValidationError({"text": [_("The note is empty.")]})
    note = Note(case=case, author=acting_user, written_at=_now(), text=_text(text))
    note.full_clean()
    note.save()
    _event(case, acting_user, "note", _("Note added"))
    audit_record(acting_user, "cases.note.added", note, changes=diff(None, snapshot(note)))
    return note


@transaction.atomic
def case_break_glass(*, acting_user, case: Case, reason: str) -> CaseAccess:
    """Open a case from outside its group, stating why: audited and shown to the supervisor."""
    scope_require(acting_user, case.commune, "cases.view_case")
    if is_member(acting_user, case):
        raise ValidationError(_("You are in this case's group already: open it directly."))
    reason = _text(reason)
    if len(reason) < MIN_REASON_LENGTH:
        raise ValidationError(
            {
                "reason": [
                    _("State why you need to open this case (at least %(n)s characters).")
                    % {"n": MIN_REASON_LENGTH}
                ]
            }
        )
    now = _now()
    grant = CaseAccess(
        case=case,
        user=acting_user,
        reason=reason,
        opened_at=now,
        expires_at=now + dt.timedelta(hours=settings.TREEM_CASE_GLASS_HOURS),
    )
    grant.full_clean()
    grant.save()
    _event(
        case,
        acting_user,
        "glass_broken",
        _("Opened outside the case's group by %(name)s") % {"name": acting_user},
    )
    audit_record(acting_user, "cases.case.glass_broken", case, reason=reason)
    return grant


# --- referrals (chuyển gửi dịch vụ) -----------------------------------------------------------


def _check_referral_agency(case: Case, agency, agency_name: str, errors: dict) -> None:
    from treem.cases.selectors import referral_agencies

    if agency is None and not agency_name:
        errors.setdefault("agency", []).append(_("Choose the agency, or write its name and address."))
    elif agency is not None and not referral_agencies(case.commune).filter(pk=agency.pk).exists():
        errors.setdefault("agency", []).append(
            _("%(agency)s does not serve %(commune)s or no longer exists: choose another agency.")
            % {"agency": agency, "commune": case.commune.name}
        )


@transaction.atomic
def referral_create(
    *, acting_user, case: Case, service: str, agency=None, agency_name: str = "", request: str = ""
) -> Referral:
    """Refer the case to a service (health, police, legal aid, shelter, school, social protection)."""
    _require_worker(acting_user, case)
    _require_open(case)
    errors: dict[str, list[str]] = {}
    if service not in ReferralService.values:
        errors["service"] = [_("Choose the service the case is referred to.")]
    agency_name = _text(agency_name)
    _check_referral_agency(case, agency, agency_name, errors)
    if errors:
        raise ValidationError(errors)
    referral = Referral(
        case=case,
        service=service,
        agency=agency,
        agency_name="" if agency is not None else agency_name,
        request=_text(request),
        referred_at=_now(),
        referred_by=acting_user,
    )
    referral.full_clean()
    referral.save()
    _event(
        case,
        acting_user,
        "referral_sent",
        _("Referred to %(service)s: %(agency)s")
        % {"service": referral.get_service_display(), "agency": referral.agency_label},
    )
    audit_record(acting_user, "cases.referral.sent", referral, changes=diff(None, snapshot(referral)))
    announce("cases.referral.sent", referral, actor=acting_user)
    return referral


def _locked_referral(acting_user, referral: Referral) -> Referral:
    _require_worker(acting_user, referral.case)
    _require_open(referral.case)
    return Referral.objects.select_for_update().get(pk=referral.pk)


def _refuse_referral_state(referral: Referral, *expected: str) -> None:
    if referral.status not in expected:
        raise ValidationError(
            _("This referral is “%(status)s”: it cannot change that way.")
            % {"status": referral.get_status_display()}
        )


@transaction.atomic
def referral_accept(*, acting_user, referral: Referral) -> Referral:
    """The agency accepted the referral (recorded by the case's worker)."""
    referral = _locked_referral(acting_user, referral)
    _refuse_referral_state(referral, ReferralStatus.SENT)
    before = snapshot(referral)
    referral.status, referral.answered_at = ReferralStatus.ACCEPTED, _now()
    referral.save(update_fields=["status", "answered_at"])
    _event(
        referral.case,
        acting_user,
        "referral_accepted",
        _("%(agency)s accepted the referral (%(service)s)")
        % {"agency": referral.agency_label, "service": referral.get_service_display()},
    )
    audit_record(acting_user, "cases.referral.accepted", referral, changes=diff(before, snapshot(referral)))
    announce("cases.referral.accepted", referral, actor=acting_user)
    return referral


@transaction.atomic
def referral_reject(*, acting_user, referral: Referral, reason: str) -> Referral:
    """The agency rejected the referral, with its reason (the worker may refer elsewhere)."""
    referral = _locked_referral(acting_user, referral)
    _refuse_referral_state(referral, ReferralStatus.SENT)
    if not _text(reason):
        raise ValidationError({"reason": [_("Write the reason the agency gave for rejecting the referral.")]})
    before = snapshot(referral)
    referral.status, referral.answered_at = ReferralStatus.REJECTED, _now()
    referral.rejection_reason = _text(reason)
    referral.save(update_fields=["status", "answered_at", "rejection_reason"])
    _event(
        referral.case,
        acting_user,
        "referral_rejected",
        _("%(agency)s rejected the referral (%(service)s)")
        % {"agency": referral.agency_label, "service": referral.get_service_display()},
    )
    audit_record(acting_user, "cases.referral.rejected", referral, changes=diff(before, snapshot(referral)))
    announce("cases.referral.rejected", referral, actor=acting_user)
    return referral


@transaction.atomic
def referral_done(*, acting_user, referral: Referral, outcome: str = "") -> Referral:
    """The service was given."""
    referral = _locked_referral(acting_user, referral)
    _refuse_referral_state(referral, ReferralStatus.ACCEPTED)
    before = snapshot(referral)
    referral.status, referral.done_at, referral.outcome = ReferralStatus.DONE, _now(), _text(outcome)
    referral.save(update_fields=["status", "done_at", "outcome"])
    _event(
        referral.case,
        acting_user,
        "referral_done",
        _("Service done: %(service)s, %(agency)s")
        % {"agency": referral.agency_label, "service": referral.get_service_display()},
    )
    audit_record(acting_user, "cases.referral.done", referral, changes=diff(before, snapshot(referral)))
    return referral


# --- transfers to another commune -------------------------------------------------------------


def _refuse_ended_commune(commune: Unit, field: str) -> None:
    """A commune that no longer exists (2025 reorganisation): say which commune took it over."""
    from treem.geo.models import UnitSuccession

    successors = [
        s.successor
        for s in UnitSuccession.objects.filter(predecessor=commune)
        .select_related("successor")
        .order_by("successor__name")
        if s.successor.is_valid_on(timezone.localdate())
    ]
    ended = commune.valid_to.strftime("%d/%m/%Y") if commune.valid_to else ""
    if successors:
        message = _(
            "%(commune)s no longer exists (ended %(ended)s): it is now part of %(successors)s. "
            "Transfer the case there."
        ) % {"commune": commune.name, "ended": ended, "successors": ", ".join(u.name for u in successors)}
    else:
        message = _(
            "%(commune)s no longer exists (ended %(ended)s): choose the commune where the child lives today."
        ) % {"commune": commune.name, "ended": ended}
    raise ValidationError({field: [message]})


@transaction.atomic
def transfer_request(*, acting_user, case: Case, to_commune: Unit, reason: str) -> Transfer:
    """Ask another commune to take the case over because the child moved there."""
    _require_worker(acting_user, case)
    _require_open(case)
    if to_commune is None or to_commune.level != UnitLevel.COMMUNE:
        raise ValidationError({"to_commune": [_("Choose the commune where the child lives now.")]})
    if not to_commune.is_valid_on(timezone.localdate()):
        _refuse_ended_commune(to_commune, "to_commune")
    if to_commune.pk == case.commune_id:
        raise ValidationError({"to_commune": [_("The case is already handled by this commune.")]})
    pending = case.transfers.filter(status=TransferStatus.REQUESTED).select_related("to_commune").first()
    if pending is not None:
        raise ValidationError(
            _("A transfer of this case to %(commune)s is already waiting for an answer.")
            % {"commune": pending.to_commune.name}
        )
    if not _text(reason):
        raise ValidationError({"reason": [_("Say why the case moves (where the child lives now).")]})
    transfer = Transfer(
        case=case,
        from_commune=case.commune,
        to_commune=to_commune,
        reason=_text(reason),
        requested_at=_now(),
        requested_by=acting_user,
    )
    transfer.full_clean()
    transfer.save()
    _event(
        case,
        acting_user,
        "transfer_requested",
        _("Transfer to %(commune)s requested") % {"commune": to_commune.name},
    )
    audit_record(
        acting_user,
        "cases.transfer.requested",
        transfer,
        changes={"to_commune": [None, to_commune.name], "reason": [None, REDACTED]},
    )
    announce("cases.transfer.requested", transfer, actor=acting_user)
    return transfer


def _pending_transfer(acting_user, transfer: Transfer) -> Transfer:
    scope_require(acting_user, transfer.to_commune, "cases.add_case")
    transfer = Transfer.objects.select_for_update().get(pk=transfer.pk)
    if transfer.status != TransferStatus.REQUESTED:
        raise ValidationError(
            _("This transfer was already decided: %(status)s.") % {"status": transfer.get_status_display()}
        )
    return transfer


@transaction.atomic
def transfer_accept(*, acting_user, transfer: Transfer, workers: Iterable = (), supervisor=None) -> Case:
    """The receiving commune takes the case over: the case, its reports and its workers move there."""
    transfer = _pending_transfer(acting_user, transfer)
    case = Case.objects.select_for_update().get(pk=transfer.case_id)
    _require_open(case)
    commune = transfer.to_commune
    if not commune.is_valid_on(timezone.localdate()):
        _refuse_ended_commune(commune, "workers")
    workers = list(workers) or [acting_user]
    for worker in workers:
        _check_worker_candidate(worker, commune, "workers")
    if supervisor is not None:
        _check_supervisor_candidate(supervisor, commune)
    old_commune = case.commune
    changes = {
        "commune": [old_commune.name, commune.name],
        "workers": [
            sorted(u.get_username() for u in case.workers.all()),
            sorted(u.get_username() for u in workers),
        ],
        "supervisor": [
            case.supervisor.get_username() if case.supervisor else None,
            supervisor.get_username() if supervisor else None,
        ],
        "shared_with": [sorted(u.get_username() for u in case.shared_with.all()), []],
    }
    case.commune, case.supervisor, case.updated_by = commune, supervisor, acting_user
    case.closure_requested_at, case.closure_requested_by = None, None
    case.save(
        update_fields=[
            "commune",
            "supervisor",
            "updated_by",
            "updated_at",
            "closure_requested_at",
            "closure_requested_by",
        ]
    )
    case.workers.set(workers)
    case.shared_with.clear()  # shared by the old commune's workers: they decide no longer
    moved = Report.objects.filter(case=case).update(unit=commune)
    changes["reports_moved"] = [None, moved]
    # The child moved: their registry record follows, so the new commune can open it.
    child = Child.objects.select_for_update().get(pk=case.child_id)
    if child.commune_id == old_commune.pk:
        from treem.children.services import child_move_with_case

        child_move_with_case(
            acting_user=acting_user,
            child=child,
            commune=commune,
            reason=_("Case %(number)s transferred from %(old)s")
            % {"number": case.number, "old": old_commune.name},
        )
        changes["child_moved"] = [old_commune.name, commune.name]
    transfer.status, transfer.decided_at, transfer.decided_by = TransferStatus.ACCEPTED, _now(), acting_user
    transfer.save(update_fields=["status", "decided_at", "decided_by"])
    _event(
        case,
        acting_user,
        "transferred",
        _("Transferred from %(old)s to %(new)s") % {"old": old_commune.name, "new": commune.name},
    )
    audit_record(acting_user, "cases.case.transferred", case, changes=changes)
    announce("cases.transfer.accepted", transfer, actor=acting_user)
    announce("cases.case.assigned", case, actor=acting_user, added=workers, supervisor=supervisor)
    return case


@transaction.atomic
def transfer_refuse(*, acting_user, transfer: Transfer, reason: str) -> Transfer:
    """The receiving commune refuses the case, with the reason; the case stays where it was."""
    transfer = _pending_transfer(acting_user, transfer)
    if not _text(reason):
        raise ValidationError({"reason": [_("Say why your commune does not take the case over.")]})
    transfer.status, transfer.decided_at, transfer.decided_by = TransferStatus.REFUSED, _now(), acting_user
    transfer.refusal_reason = _text(reason)
    transfer.save(update_fields=["status", "decided_at", "decided_by", "refusal_reason"])
    _event(
        transfer.case,
        acting_user,
        "transfer_refused",
        _("%(commune)s refused the transfer") % {"commune": transfer.to_commune.name},
    )
    audit_record(
        acting_user, "cases.transfer.refused", transfer, changes={"status": ["requested", "refused"]}
    )
    announce("cases.transfer.refused", transfer, actor=acting_user)
    return transfer


# --- attachments ------------------------------------------------------------------------------


@transaction.atomic
def attachment_add(*, acting_user, case: Case, upload, description: str = "") -> Attachment:
    """Attach a file (checked from its content, stored encrypted in the private upload folder)."""
    from treem.cases import attachments
    from treem.core import files

    _require_group(acting_user, case)
    _require_open(case)
    if upload is None:
        raise ValidationError({"file": [_("Choose a file.")]})
    checked = attachments.check_upload(upload)
    relative = attachments.store(checked.content, case.pk)
    try:
        attachment = Attachment(
            case=case,
            file_name=checked.name,
            description=_text(description),
            content_type=checked.kind.mime,
            size=checked.size,
            sha256=checked.sha256,
            stored_path=relative,
            uploaded_at=_now(),
            uploaded_by=acting_user,
        )
        attachment.full_clean()
        attachment.save()
        _event(
            case,
            acting_user,
            "attachment_added",
            _("File attached (%(kind)s)") % {"kind": checked.kind.label},
        )
        audit_record(
            acting_user, "cases.attachment.added", attachment, changes=diff(None, snapshot(attachment))
        )
    except BaseException:
        files.remove(relative)
        raise
    return attachment

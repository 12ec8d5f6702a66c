"""Writes on the workforce. Each function is one audited transaction; bad input raises
ValidationError naming the field and leaves nothing written.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from treem.accounts.models import Agency, User
from treem.audit.services import audit_record, diff, snapshot
from treem.core.scope import ScopeError, scope_require
from treem.geo.models import Unit, UnitLevel
from treem.workforce.models import (
    Employment,
    NormScope,
    Participant,
    ParticipantKind,
    StaffingNorm,
    StaffMember,
    StaffPosition,
    TrainingCourse,
)

STAFF_FIELDS = (
    "full_name",
    "phone",
    "unit",
    "agency",
    "position",
    "title",
    "employment",
    "since",
    "until",
    "user",
    "notes",
)
COURSE_FIELDS = (
    "topic",
    "organiser",
    "unit",
    "starts_on",
    "ends_on",
    "place",
    "evaluation_score",
    "evaluation",
)
NORM_FIELDS = ("name", "legal_basis", "minimum", "active")
PHONE_RE = re.compile(r"^\+?[\d .-]+$")
SCORE_MAX = 100


def _add(errors: dict[str, list[str]], field: str, message: str) -> None:
    errors.setdefault(field, []).append(message)


def _clean_text(value: str | None) -> str:
    return " ".join((value or "").split())


def _check_agency(acting_user, agency: Agency | None, field: str, errors, *, required: bool = False) -> None:
    if agency is None:
        if required:
            _add(errors, field, _("Choose the agency."))
        return
    if not Agency.objects.restrict(acting_user, "view").filter(pk=agency.pk).exists():
        raise ScopeError("accounts.view_agency")


# --- staff --------------------------------------------------------------------------------------


def _check_staff(acting_user, staff: StaffMember, errors: dict[str, list[str]]) -> None:
    staff.full_name = _clean_text(staff.full_name)
    staff.phone = (staff.phone or "").strip()
    staff.title = _clean_text(staff.title)
    staff.notes = (staff.notes or "").strip()
    if not staff.full_name:
        _add(errors, "full_name", _("Enter the person's full name."))
    if staff.phone:
        digits = re.sub(r"\D", "", staff.phone)
        if not PHONE_RE.match(staff.phone) or not 8 <= len(digits) <= 15:
            _add(errors, "phone", _("Enter a phone number of 8 to 15 digits."))
    if staff.position not in StaffPosition.values:
        _add(errors, "position", _("Choose the position."))
    if staff.employment not in Employment.values:
        _add(errors, "employment", _("Choose full-time or part-time."))
    unit = staff.unit if staff.unit_id else None
    if unit is None:
        _add(errors, "unit", _("Choose the commune or village."))
    elif unit.level not in (UnitLevel.COMMUNE, UnitLevel.VILLAGE):
        _add(errors, "unit", _("Choose a commune or a village."))
    elif staff.position == StaffPosition.VILLAGE_COLLABORATOR and unit.level != UnitLevel.VILLAGE:
        _add(errors, "unit", _("A village collaborator works in a village: choose the village."))
    elif staff.position in (StaffPosition.COMMUNE_OFFICER, StaffPosition.INTERAGENCY_MEMBER) and (
        unit.level != UnitLevel.COMMUNE
    ):
        _add(errors, "unit", _("This position belongs to a commune: choose the commune."))
    if staff.since is None:
        _add(errors, "since", _("Enter the date the person started."))
    elif staff.until is not None and staff.until < staff.since:
        _add(errors, "until", _("The end date cannot be before the start date."))
    _check_agency(acting_user, staff.agency if staff.agency_id else None, "agency", errors)
    if (
        staff.user_id
        and staff.user_id != acting_user.pk
        and not User.objects.restrict(acting_user, "view").filter(pk=staff.user_id).exists()
    ):
        raise ScopeError("accounts.view_user")


@transaction.atomic
def staff_create(
    *, acting_user, unit: Unit, full_name: str, position: str, since: dt.date, **fields
) -> StaffMember:
    """Register a staff member or collaborator of a commune or village."""
    unknown = set(fields) - set(STAFF_FIELDS)
    if unknown:
        raise TypeError(f"Unknown staff fields: {sorted(unknown)}")
    scope_require(acting_user, unit, "workforce.add_staffmember")
    staff = StaffMember(
        unit=unit,
        full_name=full_name,
        position=position,
        since=since,
        created_by=acting_user,
        updated_by=acting_user,
        **fields,
    )
    errors: dict[str, list[str]] = {}
    _check_staff(acting_user, staff, errors)
    if errors:
        raise ValidationError(errors)
    staff.full_clean()
    staff.save()
    audit_record(acting_user, "workforce.staff.created", staff, changes=diff(None, snapshot(staff)))
    return staff


@transaction.atomic
def staff_update(*, acting_user, staff: StaffMember, **fields) -> StaffMember:
    """Change a staff record (ending it is setting ``until``)."""
    unknown = set(fields) - set(STAFF_FIELDS)
    if unknown:
        raise TypeError(f"Unknown staff fields: {sorted(unknown)}")
    scope_require(acting_user, staff.unit, "workforce.change_staffmember")
    if "unit" in fields:
        scope_require(acting_user, fields["unit"], "workforce.change_staffmember")
    before = snapshot(staff)
    for name, value in fields.items():
        setattr(staff, name, value)
    errors: dict[str, list[str]] = {}
    try:
        _check_staff(acting_user, staff, errors)
        if errors:
            raise ValidationError(errors)
        staff.updated_by = acting_user
        staff.full_clean()
    except (ValidationError, ScopeError):
        staff.refresh_from_db()
        raise
    staff.save()
    audit_record(acting_user, "workforce.staff.updated", staff, changes=diff(before, snapshot(staff)))
    return staff


# --- norms --------------------------------------------------------------------------------------


@transaction.atomic
def norm_update(*, acting_user, norm: StaffingNorm, **fields) -> StaffingNorm:
    """Change a staffing norm (the coordinator's configuration of the provincial rules)."""
    unknown = set(fields) - set(NORM_FIELDS)
    if unknown:
        raise TypeError(f"Unknown norm fields: {sorted(unknown)}")
    if not (
        acting_user and acting_user.is_authenticated and acting_user.has_perm("workforce.change_staffingnorm")
    ):
        raise ScopeError("workforce.change_staffingnorm")
    before = snapshot(norm)
    for name, value in fields.items():
        setattr(norm, name, value)
    errors: dict[str, list[str]] = {}
    norm.name = _clean_text(norm.name)
    norm.legal_basis = _clean_text(norm.legal_basis)
    if not norm.name:
        _add(errors, "name", _("Enter the norm's name."))
    if norm.minimum is None or norm.minimum < 0 or norm.minimum > 50:
        _add(errors, "minimum", _("Enter a number from 0 to 50."))
    if norm.per not in NormScope.values:
        _add(errors, "per", _("Choose whether the norm applies per commune or per village."))
    if errors:
        norm.refresh_from_db()
        raise ValidationError(errors)
    norm.full_clean()
    norm.save()
    audit_record(acting_user, "workforce.norm.updated", norm, changes=diff(before, snapshot(norm)))
    return norm


# --- training courses ---------------------------------------------------------------------------


def _check_course(acting_user, course: TrainingCourse, errors: dict[str, list[str]]) -> None:
    course.topic = _clean_text(course.topic)
    course.place = _clean_text(course.place)
    course.evaluation = (course.evaluation or "").strip()
    if not course.topic:
        _add(errors, "topic", _("Enter the course's topic."))
    if course.starts_on is None:
        _add(errors, "starts_on", _("Enter the first day of the course."))
    if course.ends_on is None:
        _add(errors, "ends_on", _("Enter the last day of the course."))
    if course.starts_on and course.ends_on and course.ends_on < course.starts_on:
        _add(errors, "ends_on", _("The course cannot end before it starts."))
    if course.evaluation_score is not None and not 1 <= course.evaluation_score <= 5:
        _add(errors, "evaluation_score", _("Give a score from 1 to 5."))
    unit = course.unit if course.unit_id else None
    if unit is not None and unit.level == UnitLevel.DISTRICT:
        _add(errors, "unit", _("Choose a province, a commune or a village."))
    _check_agency(
        acting_user, course.organiser if course.organiser_id else None, "organiser", errors, required=True
    )


@transaction.atomic
def course_create(
    *, acting_user, unit: Unit, topic: str, organiser: Agency | None, starts_on, ends_on, **fields
) -> TrainingCourse:
    """Record a training course held for ``unit``."""
    unknown = set(fields) - set(COURSE_FIELDS)
    if unknown:
        raise TypeError(f"Unknown course fields: {sorted(unknown)}")
    scope_require(acting_user, unit, "workforce.add_trainingcourse")
    course = TrainingCourse(
        unit=unit,
        topic=topic,
        organiser=organiser,
        starts_on=starts_on,
        ends_on=ends_on,
        created_by=acting_user,
        updated_by=acting_user,
        **fields,
    )
    errors: dict[str, list[str]] = {}
    _check_course(acting_user, course, errors)
    if errors:
        raise ValidationError(errors)
    course.full_clean()
    course.save()
    audit_record(acting_user, "workforce.course.created", course, changes=diff(None, snapshot(course)))
    return course


@transaction.atomic
def course_update(*, acting_user, course: TrainingCourse, **fields) -> TrainingCourse:
    """Change a course, including its evaluation."""
    unknown = set(fields) - set(COURSE_FIELDS)
    if unknown:
        raise TypeError(f"Unknown course fields: {sorted(unknown)}")
    scope_require(acting_user, course.unit, "workforce.change_trainingcourse")
    if "unit" in fields:
        scope_require(acting_user, fields["unit"], "workforce.change_trainingcourse")
    before = snapshot(course)
    for name, value in fields.items():
        setattr(course, name, value)
    errors: dict[str, list[str]] = {}
    try:
        _check_course(acting_user, course, errors)
        if errors:
            raise ValidationError(errors)
        course.updated_by = acting_user
        course.full_clean()
    except (ValidationError, ScopeError):
        course.refresh_from_db()
        raise
    course.save()
    audit_record(acting_user, "workforce.course.updated", course, changes=diff(before, snapshot(course)))
    return course


@transaction.atomic
def participant_add(
    *,
    acting_user,
    course: TrainingCourse,
    staff: StaffMember | None = None,
    full_name: str = "",
    kind: str = "",
) -> Participant:
    """Add a participant: a staff record the user may see, or a name with its kind."""
    scope_require(acting_user, course.unit, "workforce.add_participant")
    errors: dict[str, list[str]] = {}
    if staff is not None:
        if not StaffMember.objects.restrict(acting_user, "view").filter(pk=staff.pk).exists():
            raise ScopeError("workforce.view_staffmember")
        if course.participants.filter(staff=staff).exists():
            _add(errors, "staff", _("This person is already a participant of the course."))
        full_name, kind = staff.full_name, ParticipantKind.STAFF
    else:
        full_name = _clean_text(full_name)
        if not full_name:
            _add(errors, "full_name", _("Choose a staff member or enter the participant's name."))
        if kind not in ParticipantKind.values:
            _add(errors, "kind", _("Choose the kind of participant."))
    if errors:
        raise ValidationError(errors)
    participant = Participant(course=course, staff=staff, full_name=full_name, kind=kind)
    participant.full_clean()
    participant.save()
    audit_record(
        acting_user, "workforce.participant.added", participant, changes=diff(None, snapshot(participant))
    )
    return participant


@transaction.atomic
def participant_remove(*, acting_user, participant: Participant) -> None:
    """Remove a participant from a course."""
    scope_require(acting_user, participant.course.unit, "workforce.delete_participant")
    before = snapshot(participant)
    audit_record(acting_user, "workforce.participant.removed", participant, changes=diff(before, None))
    participant.delete()


def _parse_score(raw) -> int | None:
    if raw in (None, ""):
        return None
    if isinstance(raw, int):
        value = raw
    else:
        text = str(raw).strip()
        if not text.isdigit():
            raise ValueError
        value = int(text)
    if not 0 <= value <= SCORE_MAX:
        raise ValueError
    return value


@transaction.atomic
def attendance_record(
    *, acting_user, course: TrainingCourse, entries: Mapping[int, Mapping[str, object]]
) -> list[Participant]:
    """Record attendance, score and comment per participant: ``{participant_id: {"attended":
    bool, "score": int | "" , "comment": str}}``. All or nothing."""
    scope_require(acting_user, course.unit, "workforce.change_participant")
    if course.starts_on > timezone.localdate():
        raise ValidationError(_("Attendance can be recorded once the course has started."))
    participants = {p.pk: p for p in course.participants.select_for_update().all()}
    errors: dict[str, list[str]] = {}
    changed = []
    for pk, entry in entries.items():
        participant = participants.get(pk)
        if participant is None:
            raise ValidationError(_("A participant does not belong to this course."))
        try:
            score = _parse_score(entry.get("score"))
        except ValueError:
            _add(errors, f"score_{pk}", _("Give a score from 0 to 100 (or leave it empty)."))
            continue
        attended = bool(entry.get("attended"))
        if score is not None and not attended:
            _add(errors, f"score_{pk}", _("Only a participant who attended can have a score."))
            continue
        before = snapshot(participant)
        participant.attended = attended
        participant.score = score
        participant.comment = _clean_text(str(entry.get("comment") or ""))[:255]
        if snapshot(participant) != before:
            changed.append((participant, before))
    if errors:
        raise ValidationError(errors)
    for participant, _before in changed:
        participant.full_clean()
        participant.save()
    audit_record(
        acting_user,
        "workforce.attendance.recorded",
        course,
        changes={str(p.pk): diff(before, snapshot(p)) for p, before in changed},
    )
    return [p for p, _before in changed]


def certificate_issue_record(*, acting_user, course: TrainingCourse, participants: list[Participant]) -> None:
    """Record that certificates were issued (downloaded) for ``participants`` of ``course``."""
    scope_require(acting_user, course.unit, "workforce.view_participant")
    audit_record(
        acting_user,
        "workforce.certificate.issued",
        course,
        changes={"participants": [p.pk for p in participants]},
    )

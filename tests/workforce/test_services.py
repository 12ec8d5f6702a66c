"""Workforce services: the happy paths, and every bad input with its message and nothing written."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from tests.factories import AgencyFactory, CommuneFactory, ProvinceFactory
from tests.workforce.conftest import today
from treem.audit.models import AuditEvent
from treem.core.scope import ScopeError
from treem.workforce import services
from treem.workforce.models import Participant, StaffingNorm, StaffMember, TrainingCourse


def state():
    """Every row a workforce service could write."""
    return (
        StaffMember.objects.count(),
        TrainingCourse.objects.count(),
        Participant.objects.count(),
        list(StaffingNorm.objects.values_list("code", "minimum", "active", "name").order_by("code")),
        AuditEvent.objects.count(),
    )


def messages_of(exc) -> dict:
    return exc.value.message_dict


# --- norms --------------------------------------------------------------------------------------


def test_default_norms_are_seeded(db):
    norms = {n.code: n for n in StaffingNorm.objects.all()}
    assert norms["commune_officer"].per == "commune" and norms["commune_officer"].minimum == 1
    assert "12/2023/NQ-HĐND" in norms["commune_officer"].legal_basis
    assert norms["village_collaborator"].per == "village" and norms["village_collaborator"].minimum == 1
    assert "694/QĐ-UBND" in norms["village_collaborator"].legal_basis


def test_coordinator_changes_a_norm_audited(coordinator):
    norm = StaffingNorm.objects.get(code="village_collaborator")
    services.norm_update(acting_user=coordinator, norm=norm, minimum=2)
    norm.refresh_from_db()
    assert norm.minimum == 2
    event = AuditEvent.objects.get(action="workforce.norm.updated")
    assert event.changes == {"minimum": [1, 2]}


def test_officer_cannot_change_a_norm(officer_a):
    norm = StaffingNorm.objects.get(code="commune_officer")
    before = state()
    with pytest.raises(ScopeError):
        services.norm_update(acting_user=officer_a, norm=norm, minimum=0)
    assert state() == before


def test_bad_norm_is_refused_and_nothing_changes(coordinator):
    norm = StaffingNorm.objects.get(code="commune_officer")
    before = state()
    with pytest.raises(ValidationError) as exc:
        services.norm_update(acting_user=coordinator, norm=norm, minimum=-1, name="  ")
    assert messages_of(exc) == {
        "name": ["Enter the norm's name."],
        "minimum": ["Enter a number from 0 to 50."],
    }
    assert state() == before
    assert norm.minimum == 1  # the object passed in is restored too


# --- staff --------------------------------------------------------------------------------------


def test_officer_registers_staff_of_own_commune(officer_staff_a, collaborator_a):
    assert officer_staff_a.unit.name == "Phường An"
    assert officer_staff_a.phone == "0905 123 456"
    assert collaborator_a.unit.level == "village"
    events = AuditEvent.objects.filter(action="workforce.staff.created")
    assert events.count() == 2
    assert events.first().changes["full_name"][1] in {"Nguyễn Thị Hoa", "Trần Văn Thôn"}


@pytest.mark.parametrize(
    ("fields", "expected"),
    [
        ({"full_name": "   "}, {"full_name": ["Enter the person's full name."]}),
        ({"phone": "090-abc"}, {"phone": ["Enter a phone number of 8 to 15 digits."]}),
        ({"phone": "123"}, {"phone": ["Enter a phone number of 8 to 15 digits."]}),
        (
            {"until": dt.date(2023, 12, 31)},
            {"until": ["The end date cannot be before the start date."]},
        ),
        (
            {"position": "village_collaborator"},
            {"unit": ["A village collaborator works in a village: choose the village."]},
        ),
        ({"position": "chairman"}, {"position": ["Choose the position."]}),
    ],
)
def test_bad_staff_is_refused_and_nothing_written(officer_a, geo, fields, expected):
    data = {
        "full_name": "Lê Văn Mới",
        "position": "commune_officer",
        "since": dt.date(2024, 1, 1),
        **fields,
    }
    before = state()
    with pytest.raises(ValidationError) as exc:
        services.staff_create(acting_user=officer_a, unit=geo.commune_a, **data)
    assert messages_of(exc) == expected
    assert state() == before


def test_officer_in_commune_cannot_be_placed_in_a_village(officer_a, geo):
    before = state()
    with pytest.raises(ValidationError) as exc:
        services.staff_create(
            acting_user=officer_a,
            unit=geo.village_a,
            full_name="Lê Văn Mới",
            position="commune_officer",
            since=dt.date(2024, 1, 1),
        )
    assert messages_of(exc) == {"unit": ["This position belongs to a commune: choose the commune."]}
    assert state() == before


def test_officer_cannot_register_staff_in_another_commune(officer_a, geo):
    before = state()
    with pytest.raises(ScopeError):
        services.staff_create(
            acting_user=officer_a,
            unit=geo.commune_b,
            full_name="Lê Văn Mới",
            position="commune_officer",
            since=dt.date(2024, 1, 1),
        )
    assert state() == before


def test_agency_out_of_scope_is_refused(officer_a, geo):
    before = state()
    with pytest.raises(ScopeError):
        services.staff_create(
            acting_user=officer_a,
            unit=geo.commune_a,
            full_name="Lê Văn Mới",
            position="interagency_member",
            since=dt.date(2024, 1, 1),
            agency=geo.agency_b,
        )
    assert state() == before


def test_staff_update_ends_a_position_and_a_bad_update_restores(officer_a, officer_staff_a):
    services.staff_update(acting_user=officer_a, staff=officer_staff_a, until=dt.date(2026, 6, 30))
    officer_staff_a.refresh_from_db()
    assert officer_staff_a.until == dt.date(2026, 6, 30)
    assert AuditEvent.objects.filter(action="workforce.staff.updated").count() == 1
    before = state()
    with pytest.raises(ValidationError):
        services.staff_update(
            acting_user=officer_a, staff=officer_staff_a, full_name="", until=dt.date(2020, 1, 1)
        )
    assert state() == before
    assert officer_staff_a.full_name == "Nguyễn Thị Hoa"
    assert officer_staff_a.until == dt.date(2026, 6, 30)


def test_officer_b_cannot_change_staff_of_commune_a(officer_b, officer_staff_a):
    before = state()
    with pytest.raises(ScopeError):
        services.staff_update(acting_user=officer_b, staff=officer_staff_a, full_name="Kẻ Lạ")
    assert state() == before


# --- courses ------------------------------------------------------------------------------------


def test_course_that_ends_before_it_starts_is_refused(officer_a, geo):
    before = state()
    with pytest.raises(ValidationError) as exc:
        services.course_create(
            acting_user=officer_a,
            unit=geo.commune_a,
            topic="Tập huấn kỹ năng",
            organiser=geo.agency_a,
            starts_on=dt.date(2026, 5, 10),
            ends_on=dt.date(2026, 5, 9),
        )
    assert messages_of(exc) == {"ends_on": ["The course cannot end before it starts."]}
    assert state() == before


def test_course_needs_topic_organiser_and_a_real_score(officer_a, geo):
    before = state()
    with pytest.raises(ValidationError) as exc:
        services.course_create(
            acting_user=officer_a,
            unit=geo.commune_a,
            topic=" ",
            organiser=None,
            starts_on=dt.date(2026, 5, 10),
            ends_on=dt.date(2026, 5, 10),
            evaluation_score=9,
        )
    assert messages_of(exc) == {
        "topic": ["Enter the course's topic."],
        "organiser": ["Choose the agency."],
        "evaluation_score": ["Give a score from 1 to 5."],
    }
    assert state() == before


def test_course_update_to_end_before_start_changes_nothing(officer_a, course_a):
    before = state()
    start = course_a.starts_on
    with pytest.raises(ValidationError) as exc:
        services.course_update(acting_user=officer_a, course=course_a, ends_on=start - dt.timedelta(days=1))
    assert messages_of(exc) == {"ends_on": ["The course cannot end before it starts."]}
    assert state() == before
    assert course_a.ends_on >= course_a.starts_on


def test_course_in_another_province_is_refused_for_coordinator(coordinator):
    province = ProvinceFactory(name="Tỉnh Khác", code="46")
    commune = CommuneFactory(name="Xã Khác", parent=province)
    agency = AgencyFactory(unit=commune)
    before = state()
    with pytest.raises(ScopeError):
        services.course_create(
            acting_user=coordinator,
            unit=commune,
            topic="Tập huấn",
            organiser=agency,
            starts_on=dt.date(2026, 5, 10),
            ends_on=dt.date(2026, 5, 11),
        )
    assert state() == before


def test_participants_attendance_and_evaluation(officer_a, course_a, officer_staff_a, collaborator_a):
    staff = services.participant_add(acting_user=officer_a, course=course_a, staff=officer_staff_a)
    parent = services.participant_add(
        acting_user=officer_a, course=course_a, full_name="Phạm Thị Mẹ", kind="parent"
    )
    child = services.participant_add(acting_user=officer_a, course=course_a, full_name="Em Bé", kind="child")
    assert staff.kind == "staff" and staff.full_name == "Nguyễn Thị Hoa"
    services.attendance_record(
        acting_user=officer_a,
        course=course_a,
        entries={
            staff.pk: {"attended": True, "score": "90", "comment": "Tích cực"},
            parent.pk: {"attended": True, "score": ""},
            child.pk: {"attended": False},
        },
    )
    staff.refresh_from_db()
    parent.refresh_from_db()
    child.refresh_from_db()
    assert (staff.attended, staff.score, staff.comment) == (True, 90, "Tích cực")
    assert (parent.attended, parent.score) == (True, None)
    assert child.attended is False
    event = AuditEvent.objects.get(action="workforce.attendance.recorded")
    assert set(event.changes) == {str(staff.pk), str(parent.pk)}
    services.course_update(acting_user=officer_a, course=course_a, evaluation_score=4, evaluation="Tốt")
    course_a.refresh_from_db()
    assert course_a.evaluation_score == 4


def test_same_staff_twice_is_refused(officer_a, course_a, officer_staff_a):
    services.participant_add(acting_user=officer_a, course=course_a, staff=officer_staff_a)
    before = state()
    with pytest.raises(ValidationError) as exc:
        services.participant_add(acting_user=officer_a, course=course_a, staff=officer_staff_a)
    assert messages_of(exc) == {"staff": ["This person is already a participant of the course."]}
    assert state() == before


def test_participant_needs_a_name_and_kind(officer_a, course_a):
    before = state()
    with pytest.raises(ValidationError) as exc:
        services.participant_add(acting_user=officer_a, course=course_a, full_name=" ", kind="alien")
    assert messages_of(exc) == {
        "full_name": ["Choose a staff member or enter the participant's name."],
        "kind": ["Choose the kind of participant."],
    }
    assert state() == before


def test_staff_of_another_commune_cannot_be_added_by_officer(officer_a, officer_b, course_a, geo):
    other = services.staff_create(
        acting_user=officer_b,
        unit=geo.commune_b,
        full_name="Bình Staff",
        position="commune_officer",
        since=today(),
    )
    before = state()
    with pytest.raises(ScopeError):
        services.participant_add(acting_user=officer_a, course=course_a, staff=other)
    assert state() == before


def test_bad_attendance_writes_nothing(officer_a, course_a):
    one = services.participant_add(
        acting_user=officer_a, course=course_a, full_name="Người Một", kind="parent"
    )
    two = services.participant_add(
        acting_user=officer_a, course=course_a, full_name="Người Hai", kind="parent"
    )
    before = state()
    with pytest.raises(ValidationError) as exc:
        services.attendance_record(
            acting_user=officer_a,
            course=course_a,
            entries={one.pk: {"attended": True, "score": "80"}, two.pk: {"attended": True, "score": "1,5"}},
        )
    assert messages_of(exc) == {f"score_{two.pk}": ["Give a score from 0 to 100 (or leave it empty)."]}
    assert state() == before
    one.refresh_from_db()
    assert one.attended is False
    with pytest.raises(ValidationError) as exc:
        services.attendance_record(
            acting_user=officer_a, course=course_a, entries={one.pk: {"attended": False, "score": "50"}}
        )
    assert messages_of(exc) == {f"score_{one.pk}": ["Only a participant who attended can have a score."]}
    assert state() == before


def test_attendance_of_a_future_course_is_refused(officer_a, geo):
    course = services.course_create(
        acting_user=officer_a,
        unit=geo.commune_a,
        topic="Tập huấn sắp tới",
        organiser=geo.agency_a,
        starts_on=today() + dt.timedelta(days=10),
        ends_on=today() + dt.timedelta(days=11),
    )
    p = services.participant_add(acting_user=officer_a, course=course, full_name="Người Một", kind="parent")
    before = state()
    with pytest.raises(ValidationError) as exc:
        services.attendance_record(acting_user=officer_a, course=course, entries={p.pk: {"attended": True}})
    assert exc.value.messages == ["Attendance can be recorded once the course has started."]
    assert state() == before


def test_attendance_for_a_participant_of_another_course_is_refused(officer_a, course_a, geo):
    other = services.course_create(
        acting_user=officer_a,
        unit=geo.commune_a,
        topic="Khóa khác",
        organiser=geo.agency_a,
        starts_on=course_a.starts_on,
        ends_on=course_a.ends_on,
    )
    stranger = services.participant_add(
        acting_user=officer_a, course=other, full_name="Người Lạ", kind="other"
    )
    before = state()
    with pytest.raises(ValidationError) as exc:
        services.attendance_record(
            acting_user=officer_a, course=course_a, entries={stranger.pk: {"attended": True}}
        )
    assert exc.value.messages == ["A participant does not belong to this course."]
    assert state() == before


def test_remove_participant_audited(officer_a, course_a):
    p = services.participant_add(acting_user=officer_a, course=course_a, full_name="Người Một", kind="parent")
    services.participant_remove(acting_user=officer_a, participant=p)
    assert not Participant.objects.filter(pk=p.pk).exists()
    assert AuditEvent.objects.filter(action="workforce.participant.removed").count() == 1

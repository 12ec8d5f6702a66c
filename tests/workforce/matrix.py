"""The workforce's lines of the access table (tests/core/test_access_matrix.py collects them)."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from tests.matrix import Endpoint
from treem.workforce import services
from treem.workforce.models import Participant, StaffingNorm, StaffMember, TrainingCourse

STAFF_NAMES = {"a": "Đinh Thị Cán An", "b": "Mạc Văn Cán Bình", "c": "Tô Thị Cán Xa"}
TOPICS = {"a": "Tập huấn kỹ năng An", "b": "Tập huấn kỹ năng Bình", "c": "Tập huấn kỹ năng Xa"}
PARTICIPANTS = {"a": "Phụ Huynh Ánh", "b": "Phụ Huynh Bích", "c": "Phụ Huynh Xuyến"}


def records(side, tag: str, personas: dict) -> None:
    """A commune officer, a course of the side's commune with one participant who attended."""
    today = timezone.localdate()
    side.staff = services.staff_create(
        acting_user=side.user,
        unit=side.commune,
        full_name=STAFF_NAMES[tag],
        position="commune_officer",
        since=dt.date(2024, 1, 1),
    )
    side.course = services.course_create(
        acting_user=side.user,
        unit=side.commune,
        topic=TOPICS[tag],
        organiser=side.agency,
        starts_on=today - dt.timedelta(days=7),
        ends_on=today - dt.timedelta(days=6),
    )
    side.participant = services.participant_add(
        acting_user=side.user, course=side.course, full_name=PARTICIPANTS[tag], kind="parent"
    )
    services.attendance_record(
        acting_user=side.user, course=side.course, entries={side.participant.pk: {"attended": True}}
    )
    side.norm = StaffingNorm.objects.get(code="commune_officer")


def marker(obj) -> str | None:
    if isinstance(obj, (StaffMember, Participant)):
        return obj.full_name
    if isinstance(obj, TrainingCourse):
        return obj.topic
    return None


def _staff_form(side) -> dict:
    return {
        "full_name": "Cộng Tác Viên Mới",
        "position": "interagency_member",
        "unit": side.commune.pk,
        "employment": "part_time",
        "since": "01/01/2025",
    }


def _course_form(side) -> dict:
    return {
        "topic": "Tập huấn mới",
        "organiser": side.agency.pk,
        "unit": side.commune.pk,
        "starts_on": "01/03/2026",
        "ends_on": "02/03/2026",
    }


def _norm(side) -> dict:
    return {"pk": side.norm.pk}


ENDPOINTS = (
    Endpoint("workforce:dashboard", denied="no_role_a", shown=lambda side: [side.commune]),
    Endpoint("workforce:staff_list", denied="no_role_a", shown=lambda side: [side.staff]),
    Endpoint("workforce:staff_add", denied="viewer"),
    Endpoint(
        "workforce:staff_add", "post", denied="viewer", data=_staff_form, ok=302, events=1, out_status=400
    ),
    Endpoint("workforce:staff_detail", denied="no_role_a", record="staff"),
    Endpoint("workforce:staff_edit", denied="viewer", record="staff"),
    Endpoint(
        "workforce:staff_edit", "post", denied="viewer", record="staff", data=_staff_form, ok=302, events=1
    ),
    Endpoint("workforce:norm_list", denied="no_role_a"),
    Endpoint("workforce:norm_edit", permitted="coordinator", denied="officer_a", kwargs=_norm),
    # Norms are the province's configuration, not records of a place: the empty form is refused
    # (400) here; tests/workforce/test_services.py changes one.
    Endpoint(
        "workforce:norm_edit", "post", permitted="coordinator", denied="officer_a", kwargs=_norm, ok=400
    ),
    Endpoint("workforce:course_list", denied="no_role_a", shown=lambda side: [side.course]),
    Endpoint("workforce:course_add", denied="viewer"),
    Endpoint(
        "workforce:course_add", "post", denied="viewer", data=_course_form, ok=302, events=1, out_status=400
    ),
    Endpoint("workforce:course_detail", denied="no_role_a", record="course"),
    Endpoint("workforce:course_edit", denied="viewer", record="course"),
    Endpoint(
        "workforce:course_edit", "post", denied="viewer", record="course", data=_course_form, ok=302, events=1
    ),
    Endpoint(
        "workforce:participant_add",
        "post",
        denied="viewer",
        record="course",
        data=lambda side: {"full_name": "Khách Mời", "kind": "parent"},
        ok=302,
        events=1,
    ),
    # An empty form marks every participant absent: one event for the course.
    Endpoint("workforce:attendance", "post", denied="viewer", record="course", ok=302, events=1),
    Endpoint("workforce:participant_remove", "post", denied="viewer", record="participant", ok=302, events=1),
    Endpoint("workforce:certificate", denied="viewer", record="participant", events=1),
    Endpoint("workforce:certificates_zip", denied="viewer", record="course", events=1),
)

"""Every workforce list holds only the records of the user's units."""

import datetime as dt

from treem.workforce import selectors, services
from treem.workforce.models import Participant, StaffMember, TrainingCourse


def test_lists_are_scoped(
    officer_a, officer_b, coordinator, officer_no_unit, viewer, geo, officer_staff_a, course_a
):
    staff_b = services.staff_create(
        acting_user=officer_b,
        unit=geo.commune_b,
        full_name="Lê Thị Bình",
        position="commune_officer",
        since=dt.date(2024, 1, 1),
    )
    services.participant_add(acting_user=officer_a, course=course_a, full_name="Em Nhỏ", kind="child")
    assert list(selectors.staff_list(user=officer_a)) == [officer_staff_a]
    assert list(selectors.staff_list(user=officer_b)) == [staff_b]
    assert set(selectors.staff_list(user=coordinator)) == {officer_staff_a, staff_b}
    assert list(selectors.course_list(user=officer_b)) == []
    assert list(selectors.course_list(user=viewer)) == [course_a]
    for model in (StaffMember, TrainingCourse, Participant):
        assert not model.objects.restrict(officer_no_unit, "view").exists()
    assert Participant.objects.restrict(officer_b, "view").count() == 0
    assert Participant.objects.restrict(viewer, "view").count() == 0  # leadership: no names
    assert Participant.objects.restrict(officer_a, "view").count() == 1


def test_filters(officer_a, officer_staff_a, collaborator_a):
    assert list(selectors.staff_list(user=officer_a, filters={"position": "village_collaborator"})) == [
        collaborator_a
    ]
    assert list(selectors.staff_list(user=officer_a, filters={"q": "hoa"})) == [officer_staff_a]
    services.staff_update(acting_user=officer_a, staff=officer_staff_a, until=dt.date(2025, 1, 1))
    assert list(selectors.staff_list(user=officer_a, filters={"current": "true"})) == [collaborator_a]
    assert list(selectors.staff_list(user=officer_a, filters={"current": "false"})) == [officer_staff_a]

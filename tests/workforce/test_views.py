"""Workforce pages: the dashboard, staff and course forms, attendance and certificates."""

import datetime as dt
import io
import zipfile

import pytest
from django.urls import reverse
from docx import Document

from treem.audit.models import AuditEvent
from treem.workforce import services
from treem.workforce.models import Participant, StaffMember, TrainingCourse


def docx_text(data: bytes) -> str:
    return "\n".join(p.text for p in Document(io.BytesIO(data)).paragraphs)


@pytest.fixture
def attended(officer_a, course_a, officer_staff_a):
    """Two participants who attended (a staff member and a parent) and one who did not."""
    staff = services.participant_add(acting_user=officer_a, course=course_a, staff=officer_staff_a)
    parent = services.participant_add(
        acting_user=officer_a, course=course_a, full_name="Phạm Thị Mẹ", kind="parent"
    )
    absent = services.participant_add(
        acting_user=officer_a, course=course_a, full_name="Vắng Mặt", kind="parent"
    )
    services.attendance_record(
        acting_user=officer_a,
        course=course_a,
        entries={staff.pk: {"attended": True}, parent.pk: {"attended": True}, absent.pk: {"attended": False}},
    )
    return staff, parent, absent


def test_dashboard_flags_commune_without_officer(client, coordinator, geo, officer_staff_a, collaborator_a):
    client.force_login(coordinator)
    response = client.get(reverse("workforce:dashboard"))
    text = response.content.decode()
    assert response.status_code == 200
    assert f'data-testid="commune-{geo.commune_b.pk}"' in text
    assert f'data-testid="commune-{geo.commune_a.pk}"' not in text  # fully staffed: not in the flagged list
    assert response.context["without_officer"] == 1
    everything = client.get(reverse("workforce:dashboard") + "?show=all").content.decode()
    assert f'data-testid="commune-{geo.commune_a.pk}"' in everything


def test_staff_form_creates_and_shows_messages(client, officer_a, geo):
    client.force_login(officer_a)
    data = {
        "full_name": "Hồ Văn Cộng",
        "phone": "0912345678",
        "position": "village_collaborator",
        "unit": geo.village_a.pk,
        "employment": "part_time",
        "since": "01/03/2025",
    }
    response = client.post(reverse("workforce:staff_add"), data)
    assert response.status_code == 302
    staff = StaffMember.objects.get(full_name="Hồ Văn Cộng")
    assert staff.since == dt.date(2025, 3, 1)
    before = (StaffMember.objects.count(), AuditEvent.objects.count())
    response = client.post(reverse("workforce:staff_add"), {**data, "unit": geo.commune_a.pk})
    assert response.status_code == 400
    assert "A village collaborator works in a village: choose the village." in response.content.decode()
    assert (StaffMember.objects.count(), AuditEvent.objects.count()) == before


def test_course_form_refuses_end_before_start(client, officer_a, geo):
    client.force_login(officer_a)
    before = (TrainingCourse.objects.count(), AuditEvent.objects.count())
    response = client.post(
        reverse("workforce:course_add"),
        {
            "topic": "Tập huấn kỹ năng",
            "organiser": geo.agency_a.pk,
            "unit": geo.commune_a.pk,
            "starts_on": "10/05/2026",
            "ends_on": "09/05/2026",
        },
    )
    assert response.status_code == 400
    assert "The course cannot end before it starts." in response.content.decode()
    assert (TrainingCourse.objects.count(), AuditEvent.objects.count()) == before


def test_attendance_page_records_and_refuses(client, officer_a, course_a):
    one = services.participant_add(
        acting_user=officer_a, course=course_a, full_name="Người Một", kind="parent"
    )
    client.force_login(officer_a)
    url = reverse("workforce:attendance", args=[course_a.pk])
    before = AuditEvent.objects.count()
    response = client.post(url, {f"attended_{one.pk}": "", f"score_{one.pk}": "70"})
    assert response.status_code == 400
    assert "Only a participant who attended can have a score." in response.content.decode()
    assert AuditEvent.objects.count() == before
    response = client.post(url, {f"attended_{one.pk}": "on", f"score_{one.pk}": "70"})
    assert response.status_code == 302
    one.refresh_from_db()
    assert (one.attended, one.score) == (True, 70)


def test_certificate_of_one_participant(client, officer_a, course_a, attended, geo):
    staff, _parent, absent = attended
    client.force_login(officer_a)
    before = AuditEvent.objects.count()
    response = client.get(reverse("workforce:certificate", args=[staff.pk]))
    assert response.status_code == 200
    assert response["Content-Type"].startswith(
        "application/vnd.openxmlformats-officedocument.wordprocessingml"
    )
    assert ".docx" in response["Content-Disposition"]
    text = docx_text(response.content)
    assert "Nguyễn Thị Hoa" in text
    assert "Kỹ năng phòng chống xâm hại trẻ em" in text
    assert course_a.starts_on.strftime("%d/%m/%Y") in text
    assert course_a.ends_on.strftime("%d/%m/%Y") in text
    assert geo.agency_a.name in text
    assert "Hội trường UBND phường" in text
    assert AuditEvent.objects.count() == before + 1
    # Someone who did not attend gets no certificate.
    assert client.get(reverse("workforce:certificate", args=[absent.pk])).status_code == 404


def test_all_certificates_in_one_zip(client, officer_a, course_a, attended):
    client.force_login(officer_a)
    response = client.get(reverse("workforce:certificates_zip", args=[course_a.pk]))
    assert response.status_code == 200
    archive = zipfile.ZipFile(io.BytesIO(response.content))
    names = archive.namelist()
    assert len(names) == 2
    texts = [docx_text(archive.read(n)) for n in names]
    assert any("Nguyễn Thị Hoa" in t for t in texts)
    assert any("Phạm Thị Mẹ" in t for t in texts)
    assert not any("Vắng Mặt" in t for t in texts)
    event = AuditEvent.objects.filter(action="workforce.certificate.issued").get()
    assert len(event.changes["participants"]) == 2


def test_zip_without_attendance_redirects_with_message(client, officer_a, course_a):
    client.force_login(officer_a)
    response = client.get(reverse("workforce:certificates_zip", args=[course_a.pk]), follow=True)
    assert "No participant has attended yet" in response.content.decode()
    assert not AuditEvent.objects.filter(action="workforce.certificate.issued").exists()


def test_other_commune_cannot_download_certificates(client, officer_b, course_a, attended):
    client.force_login(officer_b)
    staff, _parent, _absent = attended
    assert client.get(reverse("workforce:certificate", args=[staff.pk])).status_code == 404
    assert client.get(reverse("workforce:certificates_zip", args=[course_a.pk])).status_code == 404
    assert client.get(reverse("workforce:course_detail", args=[course_a.pk])).status_code == 404


def test_viewer_sees_course_but_not_participants(client, viewer, course_a, attended):
    client.force_login(viewer)
    response = client.get(reverse("workforce:course_detail", args=[course_a.pk]))
    assert response.status_code == 200
    assert "Phạm Thị Mẹ" not in response.content.decode()
    staff, _parent, _absent = attended
    assert client.get(reverse("workforce:certificate", args=[staff.pk])).status_code == 403


def test_staff_page_lists_training_received(client, officer_a, officer_staff_a, course_a, attended):
    client.force_login(officer_a)
    text = client.get(reverse("workforce:staff_detail", args=[officer_staff_a.pk])).content.decode()
    assert "Kỹ năng phòng chống xâm hại trẻ em" in text


def test_participant_form_adds_and_refuses_empty(client, officer_a, course_a):
    client.force_login(officer_a)
    url = reverse("workforce:participant_add", args=[course_a.pk])
    response = client.post(url, {"full_name": "", "kind": ""})
    assert response.status_code == 400
    assert "Choose a staff member or enter the participant" in response.content.decode()
    assert Participant.objects.count() == 0
    assert client.post(url, {"full_name": "Em Nhỏ", "kind": "child"}).status_code == 302
    assert Participant.objects.get().kind == "child"


def test_norm_page_for_coordinator(client, coordinator):
    client.force_login(coordinator)
    response = client.get(reverse("workforce:norm_list"))
    assert "694/QĐ-UBND" in response.content.decode()

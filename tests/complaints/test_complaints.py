"""The register of complaints, denunciations and petitions: deadlines, overdue, answer and close,
bad input (a message, nothing written), scope."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from tests.complaints.records import register
from treem.audit.models import AuditEvent
from treem.cases.deadlines import WorkingCalendar
from treem.cases.models import CalendarOverride
from treem.complaints import deadlines, services
from treem.complaints.models import Complaint
from treem.core.scope import ScopeError

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate


def test_deadlines_by_kind_in_working_days():
    calendar = WorkingCalendar()
    received = dt.date(2026, 3, 2)  # a Monday
    assert deadlines.due_on("complaint", received, calendar)[0] == calendar.nth_working_day_after(
        received, 30
    )
    assert deadlines.due_on("complaint", received, calendar, complex_matter=True)[0] == (
        calendar.nth_working_day_after(received, 45)
    )
    assert deadlines.due_on("denunciation", received, calendar)[0] == calendar.nth_working_day_after(
        received, 30
    )
    assert deadlines.due_on("denunciation", received, calendar, complex_matter=True)[0] == (
        calendar.nth_working_day_after(received, 60)
    )
    due, rule = deadlines.due_on("petition", received, calendar)
    assert due == calendar.nth_working_day_after(received, 15) and rule == "petition: working_days=15"
    # Counted by hand: 21 working days left in March after the 2nd, then 9 in April.
    assert deadlines.due_on("complaint", received, calendar)[0] == dt.date(2026, 4, 13)
    # From 15 April the Hùng Kings' day (Monday 27 April, for Sunday 26), 30 April and 1 May are skipped.
    assert deadlines.due_on("petition", dt.date(2026, 4, 15), calendar)[0] == dt.date(2026, 5, 11)


def test_deadlines_are_configurable(settings):
    settings.TREEM_COMPLAINT_DEADLINES = {"petition": {"days": 10}}
    due, rule = deadlines.due_on("petition", dt.date(2026, 3, 2), WorkingCalendar())
    assert due == dt.date(2026, 3, 12) and rule == "petition: days=10"
    settings.TREEM_COMPLAINT_DEADLINES = {"petition": {"weeks": 2}}
    with pytest.raises(ValueError):
        deadlines.due_on("petition", dt.date(2026, 3, 2), WorkingCalendar())


def test_register_computes_the_deadline_with_local_days_off(officer_a, geo):
    CalendarOverride.objects.create(day=dt.date(2026, 3, 3), kind="day_off", unit=geo.province)
    complaint = register(officer_a, geo.commune_a, kind="petition", sender_kind="child", sender_name="")
    calendar = WorkingCalendar.with_overrides(days_off=[dt.date(2026, 3, 3)])
    assert complaint.due_on == calendar.nth_working_day_after(dt.date(2026, 3, 2), 15)
    assert complaint.number == f"KNTE-2026-{complaint.pk:06d}"
    event = AuditEvent.objects.get(action="complaints.complaint.registered")
    assert event.changes["sender_name"] == [None, ""] or "••••" in str(event.changes)
    assert "Nguyễn Thị Hoa" not in str(event.changes)


def test_sender_and_details_are_encrypted_at_rest(officer_a, geo):
    complaint = register(officer_a, geo.commune_a)
    with connection.cursor() as cursor:
        cursor.execute("SELECT sender_name, details FROM complaints_complaint WHERE id = %s", [complaint.pk])
        name, details = cursor.fetchone()
    assert "Hoa" not in name and "hộ khẩu" not in details
    assert Complaint.objects.get(pk=complaint.pk).sender_name == "Nguyễn Thị Hoa"


def test_overdue_when_open_past_the_deadline(officer_a, geo):
    old = register(officer_a, geo.commune_a, received_on=TODAY() - dt.timedelta(days=120))
    new = register(officer_a, geo.commune_a, received_on=TODAY())
    assert old.overdue and not new.overdue
    from treem.complaints.selectors import overdue_complaints

    assert list(overdue_complaints(user=officer_a)) == [old]


def test_answer_then_close(officer_a, geo):
    complaint = register(officer_a, geo.commune_a, received_on=TODAY() - dt.timedelta(days=120))
    complaint = services.complaint_answer(
        acting_user=officer_a, complaint=complaint, answer="Đã chỉ đạo trường nhận trẻ", answered_on=TODAY()
    )
    assert complaint.status == "answered" and complaint.overdue
    complaint = services.complaint_close(acting_user=officer_a, complaint=complaint, closed_on=TODAY())
    assert complaint.status == "closed" and not complaint.overdue and complaint.closed_late
    assert list(
        AuditEvent.objects.filter(object_id=str(complaint.pk), action__startswith="complaints.")
        .values_list("action", flat=True)
        .order_by("id")
    ) == ["complaints.complaint.registered", "complaints.complaint.answered", "complaints.complaint.closed"]
    with pytest.raises(ValidationError, match="already closed"):
        services.complaint_close(acting_user=officer_a, complaint=complaint, closed_on=TODAY())
    with pytest.raises(ValidationError, match="closed entry"):
        services.complaint_update(acting_user=officer_a, complaint=complaint, subject="Khác")


def test_closing_before_received_is_refused_and_writes_nothing(officer_a, geo):
    complaint = register(officer_a, geo.commune_a)
    complaint = services.complaint_answer(
        acting_user=officer_a, complaint=complaint, answer="Trả lời", answered_on=dt.date(2026, 3, 5)
    )
    events = AuditEvent.objects.count()
    with pytest.raises(ValidationError) as refused:
        services.complaint_close(acting_user=officer_a, complaint=complaint, closed_on=dt.date(2026, 3, 1))
    assert "closed before it was received" in str(refused.value)
    complaint.refresh_from_db()
    assert complaint.closed_on is None
    assert AuditEvent.objects.count() == events


def test_closing_without_an_answer_is_refused(officer_a, geo):
    complaint = register(officer_a, geo.commune_a)
    with pytest.raises(ValidationError, match="Record the answer before closing"):
        services.complaint_close(acting_user=officer_a, complaint=complaint, closed_on=TODAY())


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"subject": "   "}, "Say what it is about."),
        ({"received_on": dt.date(2099, 1, 1)}, "cannot be in the future"),
        ({"kind": "rumour"}, "Choose the kind"),
    ],
)
def test_bad_input_is_refused_and_nothing_is_written(officer_a, geo, fields, message):
    with pytest.raises(ValidationError, match=message):
        register(officer_a, geo.commune_a, **fields)
    assert not Complaint.objects.exists()
    assert not AuditEvent.objects.filter(action__startswith="complaints.").exists()


def test_out_of_scope_is_refused(officer_a, officer_b, viewer, geo):
    with pytest.raises(ScopeError):
        register(officer_b, geo.commune_a)
    with pytest.raises(ScopeError):
        register(viewer, geo.commune_a)
    complaint = register(officer_a, geo.commune_a)
    with pytest.raises(ScopeError):
        services.complaint_answer(acting_user=officer_b, complaint=complaint, answer="x", answered_on=TODAY())
    with pytest.raises(ScopeError):
        register(officer_a, geo.commune_a, agency=geo.agency_b)
    assert Complaint.objects.count() == 1


def test_update_recomputes_the_deadline(officer_a, geo):
    complaint = register(officer_a, geo.commune_a)
    before = complaint.due_on
    complaint = services.complaint_update(acting_user=officer_a, complaint=complaint, complex_matter=True)
    assert complaint.due_on > before and complaint.deadline_rule.startswith("complaint_complex")


# --- pages --------------------------------------------------------------------------------------


def _form(geo, **fields) -> dict:
    data = {
        "kind": "denunciation",
        "unit": geo.commune_a.pk,
        "received_on": "02/03/2026",
        "sender_kind": "organisation",
        "sender_name": "",
        "subject": "Tố cáo cơ sở sử dụng lao động trẻ em",
        "details": "",
        "agency": "",
    }
    data.update(fields)
    return data


def test_register_through_the_page(client, officer_a, geo):
    client.force_login(officer_a)
    assert client.get(reverse("complaints:complaint_add")).status_code == 200
    response = client.post(reverse("complaints:complaint_add"), _form(geo))
    complaint = Complaint.objects.get()
    assert response.status_code == 302 and response["Location"] == complaint.get_absolute_url()
    assert complaint.kind == "denunciation" and complaint.number.startswith("TC-2026-")


def test_page_bad_input_shows_the_message_and_writes_nothing(client, officer_a, geo):
    client.force_login(officer_a)
    response = client.post(reverse("complaints:complaint_add"), _form(geo, subject=""))
    assert response.status_code == 400
    assert "Say what it is about." in response.content.decode()
    assert not Complaint.objects.exists()
    response = client.post(reverse("complaints:complaint_add"), _form(geo, unit=geo.commune_b.pk))
    assert response.status_code == 400  # not among the officer's units
    assert not Complaint.objects.exists()


def test_page_close_before_received_shows_the_message(client, officer_a, geo):
    complaint = register(officer_a, geo.commune_a)
    services.complaint_answer(
        acting_user=officer_a, complaint=complaint, answer="Đã trả lời", answered_on=TODAY()
    )
    client.force_login(officer_a)
    events = AuditEvent.objects.count()
    response = client.post(
        reverse("complaints:complaint_close", args=[complaint.pk]), {"close-closed_on": "01/03/2026"}
    )
    assert response.status_code == 400
    assert "It cannot be closed before it was received." in response.content.decode()
    complaint.refresh_from_db()
    assert complaint.closed_on is None and AuditEvent.objects.count() == events


def test_list_flags_overdue_and_hides_other_communes(client, officer_a, officer_b, geo):
    old = register(officer_a, geo.commune_a, received_on=TODAY() - dt.timedelta(days=200))
    other = register(officer_b, geo.commune_b, subject="Kiến nghị của trẻ em xã Bình")
    client.force_login(officer_a)
    text = client.get(reverse("complaints:complaint_list")).content.decode()
    assert old.number in text and 'data-testid="overdue"' in text
    assert other.number not in text and "xã Bình" not in text
    assert "Nguyễn Thị Hoa" not in text  # lists never show the sender
    filtered = client.get(reverse("complaints:complaint_list"), {"state": "overdue"})
    assert list(filtered.context["complaints"]) == [old]
    assert client.get(other.get_absolute_url()).status_code == 404


def test_detail_is_audited(client, officer_a, geo):
    complaint = register(officer_a, geo.commune_a)
    client.force_login(officer_a)
    text = client.get(complaint.get_absolute_url()).content.decode()
    assert "Nguyễn Thị Hoa" in text
    assert AuditEvent.objects.filter(action="complaints.complaint.viewed").count() == 1


def test_dashboard_counts_open_and_overdue_in_scope(client, officer_a, officer_b, viewer, geo):
    register(officer_a, geo.commune_a, received_on=TODAY() - dt.timedelta(days=200))
    register(officer_a, geo.commune_a, received_on=TODAY())
    register(officer_b, geo.commune_b, received_on=TODAY() - dt.timedelta(days=200))
    client.force_login(officer_a)
    page = client.get(reverse("home"))
    section = next(s for s in page.context["sections"] if s["template"] == "complaints/_dashboard.html")
    assert (section["open_count"], section["overdue_count"]) == (2, 1)
    assert 'data-testid="complaints-overdue"' in page.content.decode()
    client.force_login(viewer)
    assert 'data-testid="complaints-dashboard"' not in client.get(reverse("home")).content.decode()

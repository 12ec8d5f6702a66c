import datetime as dt

from django.urls import reverse

from treem.accounts.models import Agency, AgencySuccession
from treem.audit.models import AuditEvent


def test_coordinator_records_a_department_merger(client, coordinator, geo):
    successor = Agency.objects.create(name="Sở Nội vụ", kind="department", unit=geo.province)
    client.force_login(coordinator)
    url = reverse("accounts:agency_succeed", args=[geo.department.pk])
    response = client.post(url, {"successors": [successor.pk], "effective": "01/07/2025", "note": "Sáp nhập"})
    assert response.status_code == 302
    geo.department.refresh_from_db()
    assert geo.department.valid_to == dt.date(2025, 6, 30)
    assert AgencySuccession.objects.filter(predecessor=geo.department, successor=successor).exists()
    assert (
        AuditEvent.objects.filter(
            action="accounts.agency.succeeded", object_id=str(geo.department.pk)
        ).count()
        == 1
    )


def test_merger_without_successor_is_refused_and_writes_nothing(client, coordinator, geo):
    client.force_login(coordinator)
    url = reverse("accounts:agency_succeed", args=[geo.department.pk])
    events = AuditEvent.objects.count()
    response = client.post(url, {"effective": "31/02/2025"})
    assert response.status_code == 400
    form = response.context["form"]
    assert "successors" in form.errors and "effective" in form.errors
    geo.department.refresh_from_db()
    assert geo.department.valid_to is None
    assert AuditEvent.objects.count() == events


def test_officer_of_another_commune_gets_404(client, officer_b, geo):
    client.force_login(officer_b)
    assert client.get(reverse("accounts:agency_succeed", args=[geo.agency_a.pk])).status_code in (403, 404)

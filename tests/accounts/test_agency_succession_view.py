import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import translation

from tests.factories import AgencyFactory, ProvinceFactory
from treem.accounts.models import Agency, AgencySuccession, User
from treem.accounts.services import agency_succeed
from treem.audit.models import AuditEvent


@pytest.fixture(autouse=True)
def _english():
    # Messages are asserted in their English source; the site's default language is Vietnamese.
    with translation.override("en"):
        yield


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


def test_successor_outside_the_users_scope_is_refused(coordinator, geo):
    elsewhere = AgencyFactory(name="Sở ở tỉnh khác", unit=ProvinceFactory(name="Tỉnh Khác", code="47"))
    events = AuditEvent.objects.count()
    with pytest.raises(ValidationError) as caught:
        agency_succeed(
            acting_user=coordinator,
            predecessor=geo.department,
            successors=[elsewhere],
            effective=dt.date(2025, 7, 1),
        )
    assert "Choose successor agencies among those you can see." in caught.value.messages
    geo.department.refresh_from_db()
    assert geo.department.valid_to is None and AuditEvent.objects.count() == events


def test_create_user_without_email_stores_an_empty_address(db):
    assert User.objects.create_user("khong_email", password="x-Strong-Pass-1").email == ""

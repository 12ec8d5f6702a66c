"""Uploading an official list of units through the web page (administrators only)."""

import json

import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation

from tests.geo.test_importers import three_levels
from treem.audit.models import AuditEvent
from treem.geo.importers import parse_gso, units_import
from treem.geo.models import Unit


@pytest.fixture(autouse=True)
def _english(settings):
    settings.LANGUAGE_CODE = "en"
    with translation.override("en"):
        yield


def upload(content: bytes, name: str = "dvhcvn.json") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="application/json")


def state():
    return Unit.objects.count(), AuditEvent.objects.count()


def test_dry_run_checks_and_writes_nothing(client, admin):
    client.force_login(admin)
    before = state()
    body = json.dumps(three_levels()).encode()
    response = client.post(reverse("geo:unit_import"), {"file": upload(body), "dry_run": "on"})
    assert response.status_code == 200
    assert response.context["result"].created > 0
    assert "checked, nothing written." in response.content.decode()
    assert state() == before


def test_import_writes_the_units_and_one_event(client, admin):
    client.force_login(admin)
    units, events = state()
    body = json.dumps(three_levels()).encode()
    response = client.post(reverse("geo:unit_import"), {"file": upload(body)})
    assert response.status_code == 200
    created = response.context["result"].created
    assert created > 0 and Unit.objects.count() == units + created
    assert AuditEvent.objects.count() == events + 1
    assert AuditEvent.objects.filter(action="geo.units.imported").count() == 1
    assert Unit.objects.filter(code="20194", name="Phường Hải").exists()


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "is empty."),
        (b"\x00\x01PK not json", "is not a JSON file"),
        (b'{"rows": []}', 'expected an object whose "data" is a non-empty list of provinces.'),
    ],
)
def test_bad_files_are_explained_and_nothing_is_written(client, admin, content, message):
    client.force_login(admin)
    before = state()
    response = client.post(reverse("geo:unit_import"), {"file": upload(content)})
    assert response.status_code == 400
    errors = " ".join(response.context["form"].errors["file"])
    assert message in errors or (content == b"" and "The submitted file is empty." in errors)
    assert state() == before


def test_oversized_upload_is_refused(client, admin, settings):
    settings.TREEM_MAX_IMPORT_BYTES = 1024 * 1024
    client.force_login(admin)
    before = state()
    big = b" " * (1024 * 1024 + 1)
    response = client.post(reverse("geo:unit_import"), {"file": upload(big)})
    assert response.status_code == 400
    assert "The file is larger than 1 MB." in response.context["form"].errors["file"]
    assert state() == before


def test_coordinator_may_not_import(client, coordinator):
    client.force_login(coordinator)
    assert client.get(reverse("geo:unit_import")).status_code == 403
    before = state()
    response = client.post(reverse("geo:unit_import"), {"file": upload(json.dumps(three_levels()).encode())})
    assert response.status_code == 403
    assert state() == before


def test_service_refuses_a_scoped_user(coordinator):
    snapshot = parse_gso(json.dumps(three_levels()), name="x.json")
    before = state()
    with pytest.raises(PermissionDenied):
        units_import(snapshot=snapshot, acting_user=coordinator)
    assert state() == before

"""The units import page against JSON nested too deeply (issue 19): json would recurse into it
until RecursionError (a 500); the nesting is measured first. 400, nothing written."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation

from tests import uploads as hostile
from treem.audit.models import AuditEvent
from treem.geo.models import Unit


@pytest.fixture(autouse=True)
def _english(settings):
    settings.LANGUAGE_CODE = "en"
    with translation.override("en"):
        yield


@pytest.mark.parametrize(
    "content",
    [
        b'{"data": ' + b"[" * 100_000 + b"]" * 100_000 + b"}",
        b'{"data": [' + b'{"a": ' * 70 + b"1" + b"}" * 70 + b"]}",
    ],
    ids=["recursion", "past-the-limit"],
)
def test_deep_json_is_refused(client, admin, content):
    client.force_login(admin)
    before = Unit.objects.count(), AuditEvent.objects.count()
    client.get(reverse("geo:unit_import"))
    with hostile.timed() as took:
        response = client.post(
            reverse("geo:unit_import"), {"file": SimpleUploadedFile("dvhcvn.json", content)}
        )
    assert took() < 1.0
    assert response.status_code == 400
    assert "The file cannot be read safely" in response.content.decode()
    assert (Unit.objects.count(), AuditEvent.objects.count()) == before

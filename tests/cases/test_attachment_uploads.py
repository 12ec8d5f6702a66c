"""Case attachments against hostile Office files (issue 19): a .docx or .xlsx is measured before
its content types are read; 400 with the message, nothing stored or written."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from tests import uploads as hostile
from tests.cases.records import open_case
from treem.audit.models import AuditEvent
from treem.cases.models import Attachment


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "uploads"


@pytest.mark.parametrize(
    ("kind", "content"), hostile.hostile_workbooks(), ids=lambda v: v if isinstance(v, str) else ""
)
def test_a_hostile_office_file_is_refused(client, geo, officer_a, supervisor_a, settings, kind, content):
    case = open_case(officer_a, geo.commune_a, supervisor=supervisor_a)
    client.force_login(officer_a)
    client.get(case.get_absolute_url())
    events = AuditEvent.objects.count()
    with hostile.timed() as took:
        response = client.post(
            reverse("cases:attachment_add", args=[case.pk]),
            {"attach-file": SimpleUploadedFile("bien-ban.xlsx", content), "attach-description": "x"},
        )
    assert took() < 1.0
    assert response.status_code == 400
    assert "The file cannot be read safely" in response.content.decode()
    assert not Attachment.objects.exists() and AuditEvent.objects.count() == events
    uploads = settings.MEDIA_ROOT
    assert not uploads.exists() or not [p for p in uploads.rglob("*") if p.is_file()]

"""The indicators import page against hostile and malformed workbooks (issue 19): 400 with the
upload checks' message, never 500, in under a second, nothing written."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from tests import uploads as hostile
from treem.audit.models import AuditEvent
from treem.indicators import services
from treem.indicators.models import IndicatorValue

MESSAGE = "The file cannot be read safely"


@pytest.mark.parametrize(
    ("kind", "content"), hostile.hostile_workbooks(), ids=lambda v: v if isinstance(v, str) else ""
)
def test_a_hostile_workbook_is_a_400_with_the_message(client, coordinator, geo, kind, content):
    client.force_login(coordinator)
    events = AuditEvent.objects.count()
    client.get(reverse("indicators:import"))  # the page's templates loaded once: what is timed is the upload
    with hostile.timed() as took:
        response = client.post(
            reverse("indicators:import"), {"file": SimpleUploadedFile("chi-tieu.xlsx", content)}
        )
    assert took() < 1.0
    assert response.status_code == 400
    assert MESSAGE in response.content.decode()
    assert not IndicatorValue.objects.exists() and AuditEvent.objects.count() == events


@pytest.mark.parametrize("kind", ["billion-laughs", "malformed-strings"])
def test_openpyxl_errors_behind_the_check_are_a_validation_error_too(
    coordinator, geo, tmp_path, kind, monkeypatch
):
    # Should a file pass the check, what openpyxl raises on its XML is still the same refusal.
    monkeypatch.setattr(services, "check_upload", lambda path: None)
    path = tmp_path / "chi-tieu.xlsx"
    path.write_bytes(dict(hostile.hostile_workbooks())[kind])
    with pytest.raises(services.ValidationError) as caught:
        services.values_import(acting_user=coordinator, path=path)
    assert MESSAGE in caught.value.messages[0]


def test_the_file_size_is_limited(client, coordinator, geo, settings):
    settings.TREEM_MAX_IMPORT_BYTES = 1024 * 1024
    client.force_login(coordinator)
    response = client.post(
        reverse("indicators:import"),
        {"file": SimpleUploadedFile("chi-tieu.xlsx", b"PK" + b"x" * (1024 * 1024))},
    )
    assert response.status_code == 400 and "The file is larger than 1 MB." in response.content.decode()

"""The plan upload against hostile files (issue 19): size refused before the file is read, YAML
and JSON nesting and YAML aliases refused before the parser builds anything; 400, nothing written."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from tests import uploads as hostile
from treem.audit.models import AuditEvent
from treem.plans.models import Plan

MESSAGE = "The file cannot be read safely"
LAUGHS = "a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n" + "".join(
    f"{chr(98 + n)}: &{chr(98 + n)} [{', '.join(['*' + chr(97 + n)] * 9)}]\n" for n in range(8)
)


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        (
            "ke-hoach.yaml",
            b"key: K\n" + b"# padding\n" * 300_000,
            "The plan file is too large (at most 2 MB).",
        ),
        ("ke-hoach.yaml", b"key: K\ntitle: T\nx: " + b"[" * 100_000 + b"]" * 100_000, MESSAGE),
        ("ke-hoach.yaml", ("key: K\ntitle: T\n" + LAUGHS).encode(), MESSAGE),
        (
            "ke-hoach.json",
            b'{"key": "K", "title": "T", "x": ' + b"[" * 100_000 + b"]" * 100_000 + b"}",
            MESSAGE,
        ),
    ],
    ids=["too-large", "deep-yaml", "yaml-aliases", "deep-json"],
)
def test_a_hostile_plan_file_is_refused(client, coordinator, geo, name, content, message):
    client.force_login(coordinator)
    events = AuditEvent.objects.count()
    client.get(reverse("plans:plan_load"))
    with hostile.timed() as took:
        response = client.post(reverse("plans:plan_load"), {"file": SimpleUploadedFile(name, content)})
    assert took() < 1.0
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not Plan.objects.exists() and AuditEvent.objects.count() == events

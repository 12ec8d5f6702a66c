"""The API in production mode (issue 19): JSON only, the schema for signed-in users unless published.

Production's values come from the settings module itself, read in a subprocess with
``TREEM_DEBUG=0``; the requests below run with those values set in this process.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest
from django.urls import reverse


def production_settings(tmp_path, **extra) -> dict:
    """``TREEM_API_BROWSABLE`` and ``TREEM_API_SCHEMA_PUBLIC`` as a production server reads them."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TREEM_", "DJANGO_"))}
    env.update(TREEM_DEBUG="0", TREEM_SECRET_KEY="s" * 50, TREEM_DATA_DIR=str(tmp_path), **extra)
    code = (
        "import json, treem.settings as s; "
        "print(json.dumps({'TREEM_API_BROWSABLE': s.TREEM_API_BROWSABLE, "
        "'TREEM_API_SCHEMA_PUBLIC': s.TREEM_API_SCHEMA_PUBLIC}))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=60, check=False
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


@pytest.fixture(scope="module")
def production(tmp_path_factory) -> dict:
    return production_settings(tmp_path_factory.mktemp("production"))


@pytest.fixture
def production_mode(settings, production):
    for name, value in production.items():
        setattr(settings, name, value)
    return settings


def test_production_turns_the_browsable_api_and_the_public_schema_off(production, tmp_path):
    assert production == {"TREEM_API_BROWSABLE": False, "TREEM_API_SCHEMA_PUBLIC": False}
    published = production_settings(tmp_path, TREEM_API_SCHEMA_PUBLIC="1")
    assert published == {"TREEM_API_BROWSABLE": False, "TREEM_API_SCHEMA_PUBLIC": True}


# --- JSON only ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "accept",
    ["text/html", "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"],
)
def test_a_browser_gets_json_in_production(client, officer_a, production_mode, accept):
    client.force_login(officer_a)
    response = client.get(reverse("api:unit-list"), HTTP_ACCEPT=accept)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert "results" in response.json()
    assert b"<html" not in response.content


def test_the_browsable_format_gives_json_in_production(client, officer_a, production_mode):
    client.force_login(officer_a)
    for url in (reverse("api:unit-list"), reverse("api:me"), reverse("api:api-root")):
        response = client.get(url, {"format": "api"})
        assert response.status_code == 200, url
        assert response["Content-Type"] == "application/json", url
        response.json()


def test_errors_are_json_in_production(client, db, production_mode):
    response = client.get(reverse("api:unit-list"), HTTP_ACCEPT="text/html")
    assert response.status_code == 401
    assert response["Content-Type"] == "application/json"
    assert "detail" in response.json()


def test_json_is_still_chosen_when_asked_for(client, officer_a, production_mode):
    client.force_login(officer_a)
    response = client.get(reverse("api:unit-list"), HTTP_ACCEPT="application/json")
    assert response.status_code == 200 and response["Content-Type"] == "application/json"


def test_debug_mode_keeps_the_browsable_api(client, officer_a, settings):
    settings.TREEM_API_BROWSABLE = True
    client.force_login(officer_a)
    response = client.get(reverse("api:unit-list"), HTTP_ACCEPT="text/html")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/html")


# --- the schema and its documentation page -------------------------------------------------------


def test_the_schema_needs_a_signed_in_user_in_production(client, db, production_mode):
    schema = client.get(reverse("schema"))
    assert schema.status_code == 401
    assert "/api/v1/units/" not in schema.content.decode()
    docs = client.get(reverse("api-docs"))
    assert docs.status_code == 302
    assert docs["Location"] == f"{reverse('login')}?next={reverse('api-docs')}"
    script = client.get(reverse("api-docs"), {"script": ""})
    assert script.status_code in (401, 403)


def test_a_signed_in_user_reads_the_schema_in_production(client, viewer, production_mode):
    client.force_login(viewer)
    schema = client.get(reverse("schema"), {"format": "json"})
    assert schema.status_code == 200
    assert "/api/v1/units/" in schema.json()["paths"]
    assert client.get(reverse("api-docs")).status_code == 200


def test_the_setting_publishes_the_schema(client, db, production_mode):
    production_mode.TREEM_API_SCHEMA_PUBLIC = True
    schema = client.get(reverse("schema"), {"format": "json"})
    assert schema.status_code == 200
    assert "/api/v1/units/" in schema.json()["paths"]
    assert client.get(reverse("api-docs")).status_code == 200
    # Publishing the schema opens no endpoint.
    assert client.get(reverse("api:unit-list")).status_code == 401

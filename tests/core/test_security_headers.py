"""Web hardening: the Content-Security-Policy, pages without inline scripts, the proxy's address."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.test import override_settings
from django.urls import reverse

import treem

TEMPLATES = Path(treem.__file__).parent / "templates"


def policy(response) -> dict[str, list[str]]:
    header = response["Content-Security-Policy"]
    return {part.split()[0]: part.split()[1:] for part in header.split(";") if part.strip()}


@pytest.mark.django_db
def test_every_page_carries_a_policy_without_inline_scripts(client, officer_a):
    for response in (client.get(reverse("login")), client.get(reverse("healthz"))):
        directives = policy(response)
        assert directives["script-src"] == ["'self'"]
        assert directives["object-src"] == ["'none'"] and directives["frame-ancestors"] == ["'none'"]
        assert "'unsafe-inline'" not in directives["style-src-elem"]
    client.force_login(officer_a)
    assert policy(client.get(reverse("children:child_list")))["script-src"] == ["'self'"]


def test_templates_hold_no_inline_script_or_event_handler():
    """The policy would refuse them: scripts come from files only."""
    offenders = []
    for path in TEMPLATES.rglob("*.html"):
        text = path.read_text(encoding="utf-8")
        for match in re.finditer(r"<script\b[^>]*>", text):
            if "src=" not in match.group(0):
                offenders.append(f"{path.relative_to(TEMPLATES)}: {match.group(0)}")
        offenders += [f"{path.relative_to(TEMPLATES)}: {m}" for m in re.findall(r"\son[a-z]+=", text)]
        offenders += [f"{path.relative_to(TEMPLATES)}: {m}" for m in re.findall(r"javascript:", text)]
    assert offenders == []


@pytest.mark.django_db
def test_the_api_documentation_loads_its_script_from_a_file(client, admin):
    client.force_login(admin)
    page = client.get(reverse("api-docs"))
    assert page.status_code == 200
    html = page.content.decode()
    assert re.findall(r"<script(?![^>]*\bsrc=)[^>]*>\s*\S", html) == []  # no inline code
    script = client.get(reverse("api-docs"), {"script": ""})
    assert script.status_code == 200 and "SwaggerUIBundle" in script.content.decode()


@pytest.mark.django_db
def test_the_client_address_comes_from_a_trusted_proxy_only(client, officer_a, geo):
    login = reverse("login")
    with override_settings(TREEM_TRUSTED_PROXIES=["10.0.0.5"]):
        # Through our nginx: the client's address is the one it names.
        client.post(
            login,
            {"username": officer_a.username, "password": "wrong"},
            REMOTE_ADDR="10.0.0.5",
            HTTP_X_REAL_IP="203.0.113.7",
        )
        # From elsewhere, the header is anyone's invention: the connection's address counts.
        client.post(
            login,
            {"username": officer_a.username, "password": "wrong"},
            REMOTE_ADDR="198.51.100.9",
            HTTP_X_REAL_IP="203.0.113.99",
        )
        # A trusted proxy with a malformed header: its own address, not the text.
        client.post(
            login,
            {"username": officer_a.username, "password": "wrong"},
            REMOTE_ADDR="10.0.0.5",
            HTTP_X_REAL_IP="not-an-address",
        )
    from axes.models import AccessAttempt, AccessFailureLog

    seen = set(AccessFailureLog.objects.values_list("ip_address", flat=True)) | set(
        AccessAttempt.objects.values_list("ip_address", flat=True)
    )
    assert seen == {"203.0.113.7", "198.51.100.9", "10.0.0.5"}

"""Error pages: the branded 500 page in Vietnamese and English, and the branded 400/403/404 (issue 19)."""

from __future__ import annotations

import logging
import re
from pathlib import Path

import pytest
from django.template import loader
from django.test import Client, RequestFactory
from django.urls import reverse
from django.views.defaults import server_error

import treem

TEMPLATES = Path(treem.__file__).parent / "templates"
VIETNAMESE = "Đã xảy ra lỗi trên máy chủ"
ENGLISH = "A server error occurred"


@pytest.fixture
def failing_site(settings):
    settings.ROOT_URLCONF = "tests.core.urls_server_error"
    settings.DEBUG = False
    return Client(raise_request_exception=False)


def request_id_shown(html: str) -> str:
    return re.search(r'data-testid="request-id">([0-9a-f]{32})<', html).group(1)


@pytest.mark.django_db
def test_a_failing_view_gives_the_branded_bilingual_page(failing_site, caplog):
    with caplog.at_level(logging.ERROR):
        response = failing_site.get(reverse("test_broken"))
    assert response.status_code == 500
    assert response["Content-Type"].startswith("text/html")
    html = response.content.decode()
    assert html.index(VIETNAMESE) < html.index(ENGLISH)  # Vietnamese first
    assert "bootstrap/css/bootstrap.min.css" in html and "treem/treem.css" in html
    assert 'class="navbar-brand fw-bold" href="/">treem<' in html
    assert re.search(r'<a href="/"[^>]*>Về trang chủ</a>', html)
    assert "deliberate failure" not in html  # nothing of the error itself
    assert "<script" not in html and "<style" not in html  # the CSP would refuse them
    assert "script-src 'self'" in response["Content-Security-Policy"]
    # The id shown is the one logged with the error, so an administrator can find it.
    request_id = request_id_shown(html)
    assert any(request_id in record.getMessage() for record in caplog.records)


@pytest.mark.django_db
def test_the_page_is_the_same_for_a_signed_in_user_in_english(failing_site, officer_a, settings):
    failing_site.force_login(officer_a)
    failing_site.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    response = failing_site.get(reverse("test_broken"))
    assert response.status_code == 500
    html = response.content.decode()
    assert VIETNAMESE in html and ENGLISH in html
    assert officer_a.username not in html and officer_a.full_name not in html


@pytest.mark.django_db
def test_a_failing_api_call_gives_json_with_the_request_id(failing_site):
    response = failing_site.get(reverse("test_broken_api"))
    assert response.status_code == 500
    body = response.json()
    assert re.fullmatch(r"[0-9a-f]{32}", body["request_id"])
    assert body["detail"]


def test_the_500_page_renders_without_context_processors_or_database():
    """Django's own handler renders it with an empty context; no database access is allowed here."""
    html = loader.get_template("500.html").render()
    assert VIETNAMESE in html and ENGLISH in html
    assert "request-id" not in html  # no id to show, no empty line for it
    response = server_error(RequestFactory().get("/"))
    assert response.status_code == 500 and VIETNAMESE in response.content.decode()


def test_the_500_page_stands_alone():
    """No base template, {% url %}, translation or request-dependent tag: only what cannot fail."""
    text = (TEMPLATES / "500.html").read_text(encoding="utf-8")
    body = re.sub(r"{% comment %}.*?{% endcomment %}", "", text, flags=re.S)
    tags = {tag.split()[0] for tag in re.findall(r"{%\s*(.*?)\s*%}", body)}
    assert tags <= {"load", "get_static_prefix", "if", "endif"}
    assert set(re.findall(r"{{\s*(.*?)\s*}}", body)) == {"request_id"}


def test_a_failing_500_template_falls_back_to_plain_text(failing_site, db, monkeypatch):
    def broken_template(name, *args, **kwargs):
        raise RuntimeError("the template itself fails")

    monkeypatch.setattr("treem.core.views.loader.get_template", broken_template)
    response = failing_site.get(reverse("test_broken"))
    assert response.status_code == 500
    assert response["Content-Type"].startswith("text/plain")
    text = response.content.decode()
    assert VIETNAMESE in text and ENGLISH in text and "Request id: " in text


@pytest.mark.parametrize("status", [400, 403, 404])
def test_the_other_error_pages_are_branded(status):
    text = (TEMPLATES / f"{status}.html").read_text(encoding="utf-8")
    assert '{% extends "base.html" %}' in text and "{% translate" in text


@pytest.mark.django_db
def test_a_missing_page_is_branded(client, settings):
    settings.DEBUG = False
    response = client.get("/khong-co-trang-nay/")
    assert response.status_code == 404
    html = response.content.decode()
    assert 'class="navbar-brand fw-bold"' in html and "treem/treem.css" in html

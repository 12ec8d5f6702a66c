"""The pages' own stylesheet and the vendored Bootstrap and htmx are served locally (no CDN)."""

import re

import pytest
from django.contrib.staticfiles import finders


def test_every_static_file_a_page_links_to_exists(client, officer_a):
    client.force_login(officer_a)
    html = client.get("/").content.decode()
    links = re.findall(r'(?:href|src)="/static/([^"]+)"', html)
    assert {
        "treem/treem.css",
        "bootstrap/css/bootstrap.min.css",
        "bootstrap/js/bootstrap.bundle.min.js",
    } <= set(links)
    missing = [path for path in links if finders.find(path) is None]
    assert missing == []
    assert not re.search(r'(?:href|src)="https?://', html), "no page may load assets from another host"


@pytest.mark.parametrize("path", ["treem/treem.css", "bootstrap/css/bootstrap.min.css"])
def test_static_files_are_served_by_the_app(client, path):
    response = client.get(f"/static/{path}")
    assert response.status_code == 200

"""Fixtures of the notifications tests."""

from __future__ import annotations

import pytest
from django.utils import translation


@pytest.fixture(autouse=True)
def _english(client, settings):
    """These tests check the messages in English, the source language (the Vietnamese pages are
    checked by the browser tests): the services and the pages answer in English here, and the
    notifications, written in the site's language, are written in English."""
    settings.LANGUAGE_CODE = "en"
    client.cookies["django_language"] = "en"
    with translation.override("en"):
        yield

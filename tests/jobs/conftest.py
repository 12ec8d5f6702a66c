"""Fixtures of the background-job tests: a real queue (no inline run) and throw-away kinds of job."""

from __future__ import annotations

import pytest
from django.utils import translation

from treem.jobs import registry


@pytest.fixture(autouse=True)
def _english(settings):
    settings.LANGUAGE_CODE = "en"
    with translation.override("en"):
        yield


@pytest.fixture
def queue(settings, tmp_path):
    """Jobs wait in the queue for a worker, as in production; uploads go to a temporary folder."""
    settings.TREEM_JOBS_INLINE = False
    settings.MEDIA_ROOT = tmp_path / "uploads"
    return settings


@pytest.fixture
def kinds():
    """Register throw-away kinds of job for one test: ``kinds("name", func, atomic=…)``."""
    names = []

    def add(name, func, **options):
        registry.register(name, label=f"Test {name}", **options)(func)
        names.append(name)
        return func

    yield add
    for name in names:
        registry.unregister(name)

"""Fixtures of the consolidated report's tests: the small plan of records.py in province 48, and a
second province with its own coordinator."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from django.utils import translation

from tests.conftest import REORG
from tests.factories import CommuneFactory, ProvinceFactory, UserFactory
from tests.reporting.records import build_indicators, build_plan


@pytest.fixture(autouse=True)
def _private_files(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "uploads"


@pytest.fixture
def elsewhere(db):
    """Province 47 with a commune and its own coordinator."""
    province = ProvinceFactory(name="Tỉnh Xa", code="47", kind="Tỉnh", valid_from=REORG)
    commune = CommuneFactory(name="Xã Xa Xôi", code="30001", parent=province, valid_from=REORG)
    coordinator = UserFactory(username="dieuphoi_xa", roles=["provincial_coordinator"], units=[province])
    return SimpleNamespace(province=province, commune=commune, coordinator=coordinator)


@pytest.fixture
def plan(geo):
    return build_plan(unit=geo.province, lead=geo.department, cooperating=geo.agency_a)


@pytest.fixture
def figures(geo, elsewhere):
    return build_indicators(
        province=geo.province,
        commune_a=geo.commune_a,
        commune_b=geo.commune_b,
        commune_elsewhere=elsewhere.commune,
    )


@pytest.fixture(autouse=True)
def _english(client):
    """These tests check the messages in English, the source language (the Vietnamese pages are
    checked by the browser tests): the services and the pages answer in English here."""
    client.cookies["django_language"] = "en"
    with translation.override("en"):
        yield

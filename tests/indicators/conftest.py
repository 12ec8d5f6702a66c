"""Indicator tests: English messages, the catalogue (loaded after migrate), a second approver and
small helpers."""

import pytest
from django.utils import translation

from tests.factories import UserFactory
from treem.indicators import services
from treem.indicators.models import Indicator


@pytest.fixture(autouse=True)
def _english(settings):
    settings.LANGUAGE_CODE = "en"  # pages answer in the site language; messages are asserted in English
    with translation.override("en"):
        yield


@pytest.fixture
def ind(db):
    """Indicators by code."""

    class ByCode:
        def __getattr__(self, code):
            return Indicator.objects.get(code=code)

    return ByCode()


@pytest.fixture
def approver(geo):
    """A second coordinator of the province: approves what ``coordinator`` enters (four eyes)."""
    return UserFactory(
        username="duyet", full_name="Lý Người Duyệt", roles=["provincial_coordinator"], units=[geo.province]
    )


def enter(user, unit, period, **figures):
    """Save figures: ``CODE=(numerator, denominator)`` or ``CODE=count``."""
    rows = []
    for code, figure in figures.items():
        num, den = figure if isinstance(figure, tuple) else (figure, None)
        rows.append(services.Row(Indicator.objects.get(code=code), num, den, ""))
    return services.values_save(acting_user=user, unit=unit, period=period, rows=rows)

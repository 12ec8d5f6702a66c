import pytest
from django.utils import translation

from tests.factories import ChildFactory, UserFactory


@pytest.fixture(autouse=True)
def _english(settings):
    settings.LANGUAGE_CODE = "en"
    with translation.override("en"):
        yield


@pytest.fixture
def worker_a(geo):
    """A case worker of commune A (not a commune officer)."""
    return UserFactory(
        username="vuviec_a", full_name="Võ Thị Linh", roles=["case_worker"], units=[geo.commune_a]
    )


@pytest.fixture
def hotline(geo):
    """A provincial hotline officer (scope: the province)."""
    return UserFactory(
        username="tongdai", full_name="Bùi Thị Oanh", roles=["hotline_officer"], units=[geo.province]
    )


@pytest.fixture
def child_a(geo):
    return ChildFactory(commune=geo.commune_a, full_name="Lò Thị Mai", birth_year=2016)

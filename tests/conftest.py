"""Named personas and a small geography every test can use.

Geography (after 01/07/2025): Thành phố Thử (province, code 48) with communes A and B, each with
a village. Before: Tỉnh Cũ (49) → Huyện Cũ → communes Old-1 (went wholly into A) and Old-2 (split
between A and B).
"""

import datetime as dt
import os
from pathlib import Path

import pytest

from tests import fast_flush
from tests.factories import (
    AgencyFactory,
    CommuneFactory,
    ProvinceFactory,
    SuccessionFactory,
    UnitFactory,
    UserFactory,
    VillageFactory,
)
from treem.geo.models import UnitLevel

REORG = dt.date(2025, 7, 1)
BEFORE = dt.date(2025, 6, 30)
GEO_DATA = Path(__file__).resolve().parents[2] / "shared" / "data" / "geo"


def geo_data_dir() -> Path | None:
    """The national lists of ../shared/data/geo, or None where they are absent."""
    path = Path(os.environ.get("TREEM_GEO_DATA", GEO_DATA))
    return path if (path / "dvhcvn-2025-03-01.json").exists() else None


def pytest_configure(config):
    fast_flush.install()  # the tests that commit end by deleting their rows (tests/fast_flush.py)


class Geography:
    """The small test geography: a namespace of units and agencies."""


def build_geo() -> Geography:
    g = Geography()
    g.province = ProvinceFactory(name="Thành phố Thử", code="48", kind="Thành phố", valid_from=REORG)
    g.commune_a = CommuneFactory(
        name="Phường An", code="20001", kind="Phường", parent=g.province, valid_from=REORG
    )
    g.commune_b = CommuneFactory(name="Xã Bình", code="20002", parent=g.province, valid_from=REORG)
    g.village_a = VillageFactory(name="Thôn Một", parent=g.commune_a)
    g.village_b = VillageFactory(name="Thôn Hai", parent=g.commune_b)
    g.old_province = ProvinceFactory(name="Tỉnh Cũ", code="49", valid_to=BEFORE)
    g.old_district = UnitFactory(
        name="Huyện Cũ",
        code="500",
        kind="Huyện",
        level=UnitLevel.DISTRICT,
        parent=g.old_province,
        valid_to=BEFORE,
    )
    g.old_1 = CommuneFactory(name="Xã Cũ Một", code="20001", parent=g.old_district, valid_to=BEFORE)
    g.old_2 = CommuneFactory(name="Xã Cũ Hai", code="20005", parent=g.old_district, valid_to=BEFORE)
    SuccessionFactory(predecessor=g.old_province, successor=g.province, kind="full")
    SuccessionFactory(predecessor=g.old_1, successor=g.commune_a, kind="full")
    SuccessionFactory(predecessor=g.old_2, successor=g.commune_a, kind="partial")
    SuccessionFactory(predecessor=g.old_2, successor=g.commune_b, kind="partial")
    g.agency_a = AgencyFactory(name="UBND Phường An", kind="commune_pc", unit=g.commune_a)
    g.agency_b = AgencyFactory(name="UBND Xã Bình", kind="commune_pc", unit=g.commune_b)
    g.department = AgencyFactory(name="Sở Y tế", kind="department", unit=g.province)
    return g


# The named personas: (user name, full name, roles, units of the geography, sees all units).
PERSONAS = {
    "admin": ("quantri", "Quản Trị Hệ Thống", ["system_admin"], [], True),
    "coordinator": ("dieuphoi", "Trần Thị Điều Phối", ["provincial_coordinator"], ["province"], False),
    "officer_a": ("canbo_a", "Nguyễn Văn An", ["commune_officer"], ["commune_a"], False),
    "officer_b": ("canbo_b", "Lê Thị Bình", ["commune_officer"], ["commune_b"], False),
    "viewer": ("lanhdao", "Phạm Lãnh Đạo", ["viewer"], ["province"], False),
    "supervisor_a": ("chutich_a", "Hoàng Chủ Tịch", ["case_supervisor"], ["commune_a"], False),
    # A commune officer nobody has given a unit yet: sees nothing.
    "officer_no_unit": ("chuaco", "Đỗ Chưa Có", ["commune_officer"], [], False),
    # Scoped to commune A but holding no role: may open nothing.
    "no_role_a": ("khongvaitro", "Vũ Không Vai Trò", [], ["commune_a"], False),
}


def build_persona(name: str, geo: Geography):
    username, full_name, roles, units, sees_all = PERSONAS[name]
    extra = {"sees_all_units": True} if sees_all else {}
    return UserFactory(
        username=username, full_name=full_name, roles=roles, units=[getattr(geo, u) for u in units], **extra
    )


@pytest.fixture
def geo(db):
    """The small test geography, as a namespace of units."""
    return build_geo()


@pytest.fixture
def admin(geo):
    return build_persona("admin", geo)


@pytest.fixture
def coordinator(geo):
    return build_persona("coordinator", geo)


@pytest.fixture
def officer_a(geo):
    return build_persona("officer_a", geo)


@pytest.fixture
def officer_b(geo):
    return build_persona("officer_b", geo)


@pytest.fixture
def viewer(geo):
    return build_persona("viewer", geo)


@pytest.fixture
def supervisor_a(geo):
    return build_persona("supervisor_a", geo)


@pytest.fixture
def officer_no_unit(geo):
    """A commune officer nobody has given a unit yet: sees nothing."""
    return build_persona("officer_no_unit", geo)


@pytest.fixture
def no_role_a(geo):
    """Scoped to commune A but holding no role: may open nothing."""
    return build_persona("no_role_a", geo)


@pytest.fixture(autouse=True)
def _jobs_inline(settings):
    """Background jobs run at once inside the request; tests/jobs runs the worker itself."""
    settings.TREEM_JOBS_INLINE = True


@pytest.fixture(autouse=True)
def _statistics_counted_anew(settings):
    """Records change from one test to the next: the statistics page's cache would show stale
    counts (tests/children/test_statistics_cache.py turns it on)."""
    settings.TREEM_STATISTICS_CACHE_SECONDS = 0


@pytest.fixture(autouse=True)
def _fast_password_hasher(settings):
    """Hashing with the production hasher makes each persona cost ~0.3 s; tests don't need it."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _force_login_passes_two_factor(monkeypatch):
    """``client.force_login`` skips the password page, so it skips the one-time code too.

    A user whose roles require two-factor authentication gets a confirmed authenticator and the
    session counts as verified with it, as ``django_otp.login`` does after a right code. The real
    login, enrolment and code pages are tested in tests/accounts/ and tests/browser/.
    """
    from django.test.client import ClientMixin

    original = ClientMixin.force_login

    def force_login(self, user, backend=None):
        original(self, user, backend)
        from django_otp import DEVICE_ID_SESSION_KEY
        from django_otp.plugins.otp_totp.models import TOTPDevice

        from treem.accounts.two_factor import two_factor_required

        if two_factor_required(user):
            device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
            if device is None:
                device = TOTPDevice.objects.create(user=user, name="test", confirmed=True)
            session = self.session
            session[DEVICE_ID_SESSION_KEY] = device.persistent_id
            session.save()

    monkeypatch.setattr(ClientMixin, "force_login", force_login)

"""The user guide's screenshots (docs/huong-dan/), taken from the demo by this test, so that the
guide shows the pages as they are: the demo is loaded into the live server's database, each
persona of the guide logs in as a person would and the pages the guide describes are captured.

The images go to ``TREEM_GUIDE_SHOTS`` when set (``TREEM_GUIDE_SHOTS=docs/huong-dan/anh uv run
pytest tests/browser/test_guide.py`` refreshes the guide's images), otherwise to a temporary
folder. The test fails when the guide names an image the run did not produce, or the run
produces one the guide does not show — the guide and its pictures stay in step.
"""

import os
import re
from pathlib import Path

import pytest

from tests.browser.test_platform import go_to

try:
    from playwright.sync_api import expect
except ImportError:  # the `browser` fixture skips these tests, or fails them in CI
    expect = None

pytestmark = pytest.mark.browser

GUIDE = Path(__file__).resolve().parents[2] / "docs" / "huong-dan"
LAPTOP = {"viewport": {"width": 1280, "height": 800}}


def guide_images() -> set[str]:
    names = set()
    for page in GUIDE.glob("*.md"):
        names |= set(re.findall(r"\]\(anh/([a-z0-9-]+\.png)\)", page.read_text(encoding="utf-8")))
    return names


@pytest.fixture
def demo(transactional_db):
    """The demo at a small scale (the full one takes minutes): the same kinds of records."""
    from treem.core.demo.seed import seed_demo

    seed_demo(verbosity=0, scale=0.05)


def test_the_guide_screenshots_come_from_the_demo(new_page, login, demo, tmp_path):
    from treem.accounts.models import User
    from treem.core.demo.seed import DEMO_PASSWORD

    folder = Path(os.environ.get("TREEM_GUIDE_SHOTS") or tmp_path)
    folder.mkdir(parents=True, exist_ok=True)
    taken: set[str] = set()

    def shot(page, name: str, *, full: bool = False) -> None:
        page.wait_for_load_state("networkidle")
        page.screenshot(path=str(folder / name), full_page=full)
        taken.add(name)

    def as_demo(username: str):
        page = new_page(**LAPTOP)
        login(page, User.objects.get(username=username), DEMO_PASSWORD)
        return page

    # The commune officer (cán bộ bảo vệ trẻ em cấp xã).
    page = as_demo("canbo.banthach")
    expect(page.get_by_test_id("worklist")).to_be_visible()
    shot(page, "xa-trang-chu.png")
    page.get_by_test_id("site-search").fill("nguyen")
    with page.expect_navigation():
        page.get_by_test_id("site-search").press("Enter")
    shot(page, "xa-tim-kiem.png")
    go_to(page, "nav-children")
    with page.expect_navigation():
        page.get_by_test_id("child-add").click()
    shot(page, "xa-dang-ky-tre.png", full=True)
    go_to(page, "nav-children")
    with page.expect_navigation():
        page.locator("main table a").first.click()
    shot(page, "xa-ho-so-tre.png", full=True)
    page.goto("/children/import/")
    shot(page, "xa-nhap-excel.png")
    go_to(page, "nav-quality")
    shot(page, "xa-chat-luong.png")
    go_to(page, "nav-case-reports")
    shot(page, "xa-tin-bao.png")
    page.goto("/notifications/")
    shot(page, "xa-thong-bao.png")

    # The case worker (người quản lý trường hợp).
    page = as_demo("vuviec")
    go_to(page, "nav-cases")
    shot(page, "qltr-danh-sach.png")
    mine = page.locator("#cases tbody tr", has=page.get_by_test_id("waiting-for")).first
    with page.expect_navigation():
        mine.locator("a").first.click()
    shot(page, "qltr-vu-viec.png", full=True)

    # The agency reporter (cán bộ báo cáo của cơ quan).
    page = as_demo("baocao")
    go_to(page, "nav-tasks")
    shot(page, "cq-nhiem-vu.png")
    go_to(page, "nav-progress")
    shot(page, "cq-bao-cao.png")

    # The provincial coordinator (cán bộ điều phối cấp tỉnh).
    page = as_demo("dieuphoi")
    # The province at a glance, with the demo's figures: charts, the map of its 94 communes.
    for part in ("commune-map", "chart-groups", "chart-months", "chart-harms", "chart-rates"):
        expect(page.get_by_test_id(part)).to_be_visible()
    assert page.locator("#commune-map circle").count() >= 90
    assert page.locator('[data-testid="chart-months"] .chart-bar').count() == 12
    shot(page, "dp-trang-chu.png", full=True)
    go_to(page, "nav-plans")
    shot(page, "dp-ke-hoach.png")
    go_to(page, "nav-progress")
    shot(page, "dp-bao-cao-dinh-ky.png")
    go_to(page, "nav-reports")
    shot(page, "dp-bao-cao-tong-hop.png")
    go_to(page, "nav-abuse-statistics")
    shot(page, "dp-thong-ke.png")

    named = guide_images()
    assert named - taken == set(), f"the guide shows images this test does not take: {sorted(named - taken)}"
    assert taken - named == set(), f"images taken that the guide does not show: {sorted(taken - named)}"
    for name in taken:
        assert (folder / name).stat().st_size > 10_000, name

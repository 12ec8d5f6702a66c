"""Accessibility: axe-core over the main pages of every role, no serious or critical violation.

axe-core is the npm package pinned in package.json / package-lock.json (``npm ci`` at the root,
or CI's copy outside the work tree named by ``TREEM_AXE``). It is added to each page before the
page's own scripts by the browser (an init script, so the Content-Security-Policy does not apply
to it) and run once the page has loaded. Where it is missing the tests are skipped, except under
``TREEM_REQUIRE_BROWSER=1`` (CI), where that is a failure.

Pages: the home page and every page of the role's menu (``core.navigation.menu_for``), a child's
page and a case's page for the roles that may open them, and, signed out, the login page and
the public report form (/bao-tin/, on a phone too).
"""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from tests.browser.conftest import browser_unavailable
from tests.browser.test_platform import PHONE
from tests.cases.records import open_case
from tests.factories import ChildFactory, UserFactory
from treem.accounts.roles import ROLES
from treem.children import services as children_services
from treem.children.models import CircumstanceGroup
from treem.core.navigation import menu_for

ROOT = Path(__file__).resolve().parents[2]
AXE = Path(os.environ.get("TREEM_AXE", ROOT / "node_modules" / "axe-core" / "axe.min.js"))
BLOCKING = {"serious", "critical"}


@pytest.fixture
def axe_source() -> str:
    if not AXE.is_file():
        browser_unavailable(f"axe-core not found at {AXE}: run `npm ci` at the repository root")
    return AXE.read_text(encoding="utf-8")


def violations(page) -> list[dict]:
    """axe-core's serious and critical violations of the page as it stands."""
    page.wait_for_load_state("load")
    result = page.evaluate(
        """async () => {
            const r = await axe.run(document, {resultTypes: ["violations"]});
            return r.violations.map(v => ({
                id: v.id, impact: v.impact, help: v.help,
                nodes: v.nodes.slice(0, 4).map(
                    n => n.target.join(" ") + " — " + n.failureSummary.split("\\n").slice(1, 2).join("")
                ),
            }));
        }"""
    )
    return [v for v in result if v["impact"] in BLOCKING]


def audit_pages(
    new_page, axe_source, paths, *, session: str = "", base_url: str = "", **options
) -> list[str]:
    """Open each path in one browser context and return what axe-core found, one line each."""
    page = new_page(**options)
    page.context.add_init_script(script=axe_source)
    if session:
        page.context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "value": session, "url": base_url}])
    found = []
    for path in paths:
        response = page.goto(path)
        assert response is not None and response.status < 400, (path, response and response.status)
        for v in violations(page):
            found.append(
                f"{path}: [{v['impact']}] {v['id']}: {v['help']}\n      " + "\n      ".join(v["nodes"])
            )
    return found


def session_of(user) -> str:
    """A signed-in session for ``user`` (past the one-time code), as the browser's cookie."""
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from treem.accounts.two_factor import two_factor_required

    client = Client()
    client.force_login(user)
    if two_factor_required(user):
        device = TOTPDevice.objects.filter(user=user, confirmed=True).first() or TOTPDevice.objects.create(
            user=user, name="test", confirmed=True
        )
        session = client.session
        session[DEVICE_ID_SESSION_KEY] = device.persistent_id
        session.save()
    return client.cookies[settings.SESSION_COOKIE_NAME].value


@pytest.fixture
def records(geo, officer_a, supervisor_a):
    """A child in a special-circumstance group and a case about it, in commune A."""
    worker = UserFactory(
        username="ktv_axe", full_name="Mai Công Tác", roles=["case_worker"], units=[geo.commune_a]
    )
    child = ChildFactory(commune=geo.commune_a, full_name="Lò Thị Mai")
    children_services.circumstance_enter(
        acting_user=officer_a,
        child=child,
        group=CircumstanceGroup.objects.get(code="a"),
        entered_on=dt.date(2025, 1, 15),
    )
    case = open_case(worker, geo.commune_a, supervisor=supervisor_a, child=child)
    return {"worker": worker, "officer": officer_a, "child": child, "case": case}


def role_user(slug: str, geo, records, supervisor_a):
    role = next(r for r in ROLES if r.slug == slug)
    if slug == "case_worker":
        return records["worker"]
    if slug == "case_supervisor":
        return supervisor_a
    if slug == "commune_officer":
        return records["officer"]
    units = [] if role.sees_all_units else [geo.province]
    extra = {"agency": geo.department} if slug == "agency_reporter" else {}
    return UserFactory(
        username=f"axe_{slug}", roles=[slug], units=units, sees_all_units=role.sees_all_units, **extra
    )


@pytest.mark.parametrize("slug", [r.slug for r in ROLES])
def test_main_pages_of_each_role_have_no_serious_violation(
    axe_source, slug, new_page, live_server, geo, records, supervisor_a
):
    user = role_user(slug, geo, records, supervisor_a)
    paths = [reverse("home")] + [item.href for menu in menu_for(user) for item in menu.items]
    if user.has_perm("children.view_child"):
        paths.append(records["child"].get_absolute_url())
    if user.has_perm("cases.view_case"):
        paths.append(records["case"].get_absolute_url())
    found = audit_pages(
        new_page, axe_source, list(dict.fromkeys(paths)), session=session_of(user), base_url=live_server.url
    )
    assert not found, f"{len(found)} serious or critical violations for {slug}:\n" + "\n".join(found)


def test_public_pages_have_no_serious_violation(axe_source, new_page, geo):
    paths = [reverse("login"), "/bao-tin/"]
    found = audit_pages(new_page, axe_source, paths)
    found += [f"(phone) {f}" for f in audit_pages(new_page, axe_source, ["/bao-tin/"], **PHONE)]
    assert not found, f"{len(found)} serious or critical violations:\n" + "\n".join(found)


@pytest.mark.parametrize("size", ["desktop", "phone"])
def test_open_menus_have_no_serious_violation(axe_source, size, new_page, live_server, admin):
    """The navbar's menus, each opened in turn (closed, axe-core does not see their items), with
    the menu button of a phone first."""
    page = new_page(**(PHONE if size == "phone" else {}))
    page.context.add_init_script(script=axe_source)
    page.context.add_cookies(
        [{"name": settings.SESSION_COOKIE_NAME, "value": session_of(admin), "url": live_server.url}]
    )
    page.goto(reverse("home"))
    toggler = page.locator(".navbar-toggler")
    if toggler.is_visible():
        toggler.click()
        page.locator("#nav").wait_for(state="visible")
    found = []
    for menu in menu_for(admin):
        page.get_by_test_id(f"menu-{menu.key}").click()
        page.locator(f'[data-menu="{menu.key}"] .dropdown-menu').wait_for(state="visible")
        found += [
            f"{menu.key}: [{v['impact']}] {v['id']}: {v['help']}\n      " + "\n      ".join(v["nodes"])
            for v in violations(page)
        ]
    assert not found, f"{len(found)} serious or critical violations in the open menus:\n" + "\n".join(found)

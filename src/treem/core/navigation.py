"""The main menu: a handful of menus grouped by the work, each role seeing only its own.

The whole menu is this one table, so that "where is X in the menu" has one answer. Items name
their page by URL name and their right by permission name (strings: core imports no domain app).
An item is shown when the user holds any of its permissions; a menu is shown when one of its
items is; an item with ``alternatives`` links to the first page the user may open (the funding
pages differ by role). ``menu_for(user, path)`` builds what the base template draws.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.urls import NoReverseMatch, reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


@dataclass(frozen=True)
class Item:
    label: str | Promise
    url: str
    perms: tuple[str, ...] = ()  # any of them; none: every signed-in user
    testid: str = ""
    query: str = ""
    alternatives: tuple[tuple[str, str], ...] = ()  # (permission, URL name), the first held wins


@dataclass(frozen=True)
class Menu:
    key: str
    label: str | Promise
    items: tuple[Item, ...] = field(default_factory=tuple)


MENUS: tuple[Menu, ...] = (
    Menu(
        "children",
        pgettext_lazy("menu", "Children"),
        (
            Item(_("Child records"), "children:child_list", ("children.view_child",), "nav-children"),
            Item(_("Data quality"), "children:quality", ("children.view_child",), "nav-quality"),
            Item(_("Surveys"), "surveys:survey_list", ("surveys.view_survey",), "nav-surveys"),
        ),
    ),
    Menu(
        "protection",
        pgettext_lazy("menu", "Child protection"),
        (
            Item(_("Cases"), "cases:case_list", ("cases.view_case",), "nav-cases"),
            Item(_("Reports received"), "cases:report_list", ("cases.view_report",), "nav-case-reports"),
            Item(_("Transfers"), "cases:transfer_list", ("cases.view_transfer",), "nav-transfers"),
            Item(
                _("Cases opened outside the group"),
                "cases:glass_list",
                ("cases.view_caseaccess",),
                "nav-glass",
            ),
            Item(
                _("Complaints and petitions"),
                "complaints:complaint_list",
                ("complaints.view_complaint",),
                "nav-complaints",
            ),
        ),
    ),
    Menu(
        "plans",
        pgettext_lazy("menu", "Plans & targets"),
        (
            Item(
                pgettext_lazy("plan of action", "Plans"), "plans:plan_list", ("plans.view_plan",), "nav-plans"
            ),
            Item(_("Tasks"), "plans:task_list", ("plans.view_task",), "nav-tasks"),
            Item(_("Progress reports"), "plans:report_list", ("plans.view_progressreport",), "nav-progress"),
            Item(_("Inspections"), "plans:inspection_list", ("plans.view_inspection",), "nav-inspections"),
            Item(
                _("Indicators"), "indicators:dashboard", ("indicators.view_indicatorvalue",), "nav-indicators"
            ),
        ),
    ),
    Menu(
        "resources",
        pgettext_lazy("menu", "Resources"),
        (
            Item(
                _("Funding"),
                "funding:donation_list",
                ("funding.view_donation", "funding.view_budgetline", "funding.view_totals"),
                "nav-funding",
                alternatives=(
                    ("funding.view_donation", "funding:donation_list"),
                    ("funding.view_budgetline", "funding:budget_list"),
                    ("funding.view_totals", "funding:totals"),
                ),
            ),
            Item(_("Workforce"), "workforce:dashboard", ("workforce.view_staffmember",), "nav-workforce"),
            Item(
                _("Training courses"),
                "workforce:course_list",
                ("workforce.view_trainingcourse",),
                "nav-courses",
            ),
            Item(
                _("Communication"), "campaigns:calendar", ("campaigns.view_recurringevent",), "nav-campaigns"
            ),
        ),
    ),
    Menu(
        "reports",
        pgettext_lazy("menu", "Reports"),
        (
            Item(
                _("Consolidated reports"), "reporting:report_form", ("plans.coordinate_plan",), "nav-reports"
            ),
            Item(
                _("Child statistics"),
                "children:statistics",
                ("children.view_child", "children.view_statistics"),
                "nav-child-statistics",
            ),
            Item(
                _("Statistics on abuse"),
                "cases:statistics",
                ("cases.view_case", "children.view_statistics"),
                "nav-abuse-statistics",
            ),
            Item(_("Records by unit"), "geo:unit_statistics", ("geo.view_unit",), "nav-unit-statistics"),
        ),
    ),
    Menu(
        "admin",
        pgettext_lazy("menu", "Administration"),
        (
            Item(_("Administrative units"), "geo:unit_list", ("geo.view_unit",), "nav-units"),
            Item(
                _("Placement reviews"),
                "geo:review_list",
                ("geo.view_placementreview",),
                "nav-reviews",
                query="status=pending",
            ),
            Item(_("Agencies"), "accounts:agency_list", ("accounts.view_agency",), "nav-agencies"),
            Item(_("Users"), "accounts:user_list", ("accounts.view_user",), "nav-users"),
            Item(_("Audit log"), "audit:event_list", ("audit.view_auditevent",), "nav-audit"),
        ),
    ),
)


@dataclass
class ShownItem:
    label: str
    href: str
    testid: str
    active: bool


@dataclass
class ShownMenu:
    key: str
    label: str
    items: list[ShownItem]
    active: bool


def _href(item: Item, user) -> str | None:
    url = item.url
    for perm, alternative in item.alternatives:
        if user.has_perm(perm):
            url = alternative
            break
    try:
        href = reverse(url)
    except NoReverseMatch:  # an app that is not installed: its items are not shown
        return None
    return f"{href}?{item.query}" if item.query else href


def menu_for(user, path: str = "") -> list[ShownMenu]:
    """The menus ``user`` may open, each with the items they may open (empty menus left out)."""
    if not (user and user.is_authenticated):
        return []
    shown = []
    for menu in MENUS:
        items = []
        for item in menu.items:
            if item.perms and not any(user.has_perm(p) for p in item.perms):
                continue
            href = _href(item, user)
            if href is not None:
                items.append(ShownItem(str(item.label), href, item.testid, False))
        if items:
            shown.append(ShownMenu(menu.key, str(menu.label), items, False))
    # The page is under the item whose address is the longest beginning of its own.
    matches = [
        (len(base), item, menu)
        for menu in shown
        for item in menu.items
        if path.startswith(base := item.href.split("?", 1)[0])
    ]
    if path and matches:
        _length, item, menu = max(matches, key=lambda m: m[0])
        item.active = menu.active = True
    return shown

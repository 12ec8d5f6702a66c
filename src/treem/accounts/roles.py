"""Roles (vai trò) as Django groups, with their permissions declared here, in one place.

Groups are named by a stable slug; people see the translated label. ``sync_roles`` makes the
groups' permissions exactly what this table says (run after every migration and by
``treem sync_roles``). Modules add their own permissions to the table as they land.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.apps import apps
from django.contrib.auth.models import Group, Permission
from django.db import transaction
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class Role:
    slug: str
    label: str
    description: str
    permissions: tuple[str, ...]
    sees_all_units: bool = False


_VIEW_REFERENCE = ("geo.view_unit", "geo.view_unitsuccession", "accounts.view_agency")
_VIEW_CHILDREN = (
    "children.view_child",
    "children.view_statistics",
    "children.view_household",
    "children.view_householdmember",
    "children.view_caregiver",
    "children.view_circumstancemembership",
    "children.view_support",
    "children.view_consent",
    "children.view_ethnicity",
    "children.view_circumstancegroup",
)
_KEEP_CHILDREN = (
    *_VIEW_CHILDREN,
    "children.add_child",
    "children.change_child",
    "children.add_household",
    "children.change_household",
    "children.add_householdmember",
    "children.change_householdmember",
    "children.add_caregiver",
    "children.change_caregiver",
    "children.add_circumstancemembership",
    "children.change_circumstancemembership",
    "children.add_support",
    "children.change_support",
    "children.add_consent",
    "children.change_consent",
)

# Surveys: the province defines them, communes answer for their children and households,
# supervisors read the answers, leadership sees aggregate results only (surveys.view_results).
# The coordinator holds the officers' rights too, as for children (one grants only what one holds).
_VIEW_SURVEYS = ("surveys.view_survey", "surveys.view_question", "surveys.view_choice")
_READ_SURVEY_ANSWERS = (
    *_VIEW_SURVEYS,
    "surveys.view_results",
    "surveys.view_surveyresponse",
    "surveys.view_answer",
)
_ANSWER_SURVEYS = (
    *_READ_SURVEY_ANSWERS,
    "surveys.add_surveyresponse",
    "surveys.change_surveyresponse",
    "surveys.add_answer",
    "surveys.change_answer",
    "surveys.delete_answer",
)
_DEFINE_SURVEYS = (
    *_ANSWER_SURVEYS,
    "surveys.add_survey",
    "surveys.change_survey",
    "surveys.add_question",
    "surveys.change_question",
    "surveys.delete_question",
    "surveys.add_choice",
    "surveys.change_choice",
    "surveys.delete_choice",
)

# Child protection cases: hotlines receive reports; commune officers and case workers work on the
# cases assigned to them; supervisors (commune chairmen) approve plans and closures and see who
# broke the glass. Who sees a case's content is decided per case (cases/selectors.py), not here.
_VIEW_CASE_REFERENCE = (
    "cases.view_casestep",
    "cases.view_casetransition",
    "cases.view_harmkind",
    "cases.view_riskfactor",
    "cases.view_calendaroverride",
)
_RECEIVE_REPORTS = (*_VIEW_CASE_REFERENCE, "cases.view_report", "cases.add_report", "cases.change_report")
_WORK_ON_CASES = (
    *_RECEIVE_REPORTS,
    "cases.view_case",
    "cases.add_case",
    "cases.change_case",
    "cases.view_caseevent",
    "cases.view_deadline",
    "cases.view_assessment",
    "cases.view_riskrating",
    "cases.view_plan",
    "cases.view_note",
)
_SUPERVISE_CASES = (*_WORK_ON_CASES, "cases.approve_case", "cases.view_caseaccess")
_KEEP_CASE_CALENDAR = (
    "cases.add_calendaroverride",
    "cases.change_calendaroverride",
    "cases.delete_calendaroverride",
)

ROLES: tuple[Role, ...] = (
    Role(
        "system_admin",
        _("System administrator"),
        _("Manages users, units and the system; not limited by place."),
        ("*",),
        sees_all_units=True,
    ),
    Role(
        "provincial_coordinator",
        _("Provincial coordinator"),
        _("Child-affairs department: coordinates the province, manages its users and units."),
        (
            *_VIEW_REFERENCE,
            "geo.add_unit",
            "geo.change_unit",
            "geo.delete_unit",
            "geo.view_placementreview",
            "geo.change_placementreview",
            "geo.view_unitmove",
            "accounts.add_agency",
            "accounts.change_agency",
            "accounts.view_user",
            "accounts.add_user",
            "accounts.change_user",
            "accounts.view_unitassignment",
            "accounts.add_unitassignment",
            "accounts.delete_unitassignment",
            "audit.view_auditevent",
            *_KEEP_CHILDREN,
            *_DEFINE_SURVEYS,
            *_SUPERVISE_CASES,
            *_KEEP_CASE_CALENDAR,
        ),
    ),
    Role(
        "agency_reporter",
        _("Agency reporter"),
        _("Staff of a department or organisation who report on their tasks in the plan."),
        _VIEW_REFERENCE,
    ),
    Role(
        "commune_officer",
        _("Commune child protection officer"),
        _("Keeps the commune's children, villages and cases."),
        (
            *_VIEW_REFERENCE,
            "geo.add_unit",
            "geo.change_unit",
            "geo.view_placementreview",
            "geo.change_placementreview",
            "geo.view_unitmove",
            *_KEEP_CHILDREN,
            *_ANSWER_SURVEYS,
            *_WORK_ON_CASES,
        ),
    ),
    Role(
        "case_worker",
        _("Case worker"),
        _("Works on the child protection cases assigned to them."),
        (*_VIEW_REFERENCE, *_VIEW_CHILDREN, "children.add_child", *_WORK_ON_CASES),
    ),
    Role(
        "case_supervisor",
        _("Case supervisor"),
        _("Approves case plans and closures (the commune chairman or delegate)."),
        (
            *_VIEW_REFERENCE,
            *_VIEW_CHILDREN,
            "audit.view_auditevent",
            *_READ_SURVEY_ANSWERS,
            *_SUPERVISE_CASES,
        ),
    ),
    Role(
        "hotline_officer",
        _("Hotline intake officer"),
        _("Records reports from the hotlines 111 and 18001581."),
        (*_VIEW_REFERENCE, *_RECEIVE_REPORTS),
    ),
    Role(
        "viewer",
        _("Read-only viewer"),
        _("Leadership and the ministry: sees figures, changes nothing."),
        (*_VIEW_REFERENCE, "children.view_statistics", *_VIEW_SURVEYS, "surveys.view_results"),
    ),
)
ROLES_BY_SLUG = {r.slug: r for r in ROLES}

# Roles whose holders must confirm a one-time code (TOTP) after their password: administrators
# and every role that can open case details (abuse reports, case files). A role that is given
# case permissions is added here too; tests/accounts/test_two_factor.py checks the two agree.
TWO_FACTOR_ROLES: frozenset[str] = frozenset(
    {
        "system_admin",
        "case_worker",
        "case_supervisor",
        "hotline_officer",
        "commune_officer",  # works the commune's cases (Decree 56)
        "provincial_coordinator",  # supervises and may open cases of the province
    }
)


def role_label(slug: str) -> str:
    role = ROLES_BY_SLUG.get(slug)
    return str(role.label) if role else slug


def _permissions_for(role: Role) -> list[Permission]:
    if role.permissions == ("*",):
        return list(Permission.objects.all())
    wanted = [p.split(".", 1) for p in role.permissions]
    perms = list(
        Permission.objects.filter(content_type__app_label__in={a for a, _ in wanted}).select_related(
            "content_type"
        )
    )
    index = {(p.content_type.app_label, p.codename): p for p in perms}
    missing = [f"{a}.{c}" for a, c in wanted if (a, c) not in index]
    if missing:
        raise LookupError(f"Role {role.slug} names unknown permissions: {', '.join(missing)}")
    return [index[(a, c)] for a, c in wanted]


@transaction.atomic
def sync_roles() -> list[Group]:
    """Create the role groups and give each exactly its declared permissions."""
    groups = []
    for role in ROLES:
        group, _created = Group.objects.get_or_create(name=role.slug)
        group.permissions.set(_permissions_for(role))
        groups.append(group)
    return groups


def sync_roles_after_migrate(sender, **kwargs) -> None:
    """post_migrate hook: sync once, after the last app's permissions exist."""
    if sender.label != list(apps.get_app_configs())[-1].label:
        return
    sync_roles()

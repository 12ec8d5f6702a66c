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
    machine: bool = False  # for API clients' accounts only: no pages, no menu


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
    "cases.view_referral",  # referrals, transfers and files: the case page decides who sees them
    "cases.view_transfer",
    "cases.view_attachment",
)
_SUPERVISE_CASES = (*_WORK_ON_CASES, "cases.approve_case", "cases.view_caseaccess")
_KEEP_CASE_CALENDAR = (
    "cases.add_calendaroverride",
    "cases.change_calendaroverride",
    "cases.delete_calendaroverride",
)

# Plans: the coordinator manages the province's plans, periods and inspections and accepts
# reports; agency reporters fill their own agency's reports (the querysets keep them to it).
_VIEW_PLANS = ("plans.view_plan", "plans.view_legalbasis", "plans.view_section", "plans.view_reportingperiod")
_REPORT_ON_PLANS = (
    *_VIEW_PLANS,
    "plans.view_task",
    "plans.change_task",
    "plans.view_taskhistory",
    "plans.view_progressreport",
    "plans.add_progressreport",
    "plans.change_progressreport",
    "plans.view_agencyreport",
    "plans.add_agencyreport",
    "plans.change_agencyreport",
    "plans.view_reminder",
)
_COORDINATE_PLANS = (
    *_REPORT_ON_PLANS,
    "plans.coordinate_plan",
    "plans.add_plan",
    "plans.change_plan",
    "plans.add_task",
    "plans.add_reportingperiod",
    "plans.change_reportingperiod",
    "plans.view_inspection",
    "plans.add_inspection",
    "plans.change_inspection",
    "plans.view_recommendation",
    "plans.add_recommendation",
    "plans.change_recommendation",
)

# Complaints, denunciations and petitions: the commune and the province register and settle them;
# the chairman (case supervisor) answers and closes them too.
_KEEP_COMPLAINTS = ("complaints.view_complaint", "complaints.add_complaint", "complaints.change_complaint")

# Indicators and targets: communes enter their figures, the commune chairman approves them, the
# province sets targets, approves the province's figures and unlocks them; leadership reads.
# Targets count once another holder of approve_target approves them (four eyes, not one's own).
_VIEW_INDICATORS = (
    "indicators.view_indicator",
    "indicators.view_target",
    "indicators.view_indicatorvalue",
    "indicators.view_approval",
    "indicators.view_communeclass",
)
_ENTER_INDICATORS = (
    *_VIEW_INDICATORS,
    "indicators.add_indicatorvalue",
    "indicators.change_indicatorvalue",
    "indicators.delete_indicatorvalue",
)
_MANAGE_INDICATORS = (
    *_ENTER_INDICATORS,
    "indicators.add_target",
    "indicators.change_target",
    "indicators.approve_target",
    "indicators.approve_figures",
    "indicators.add_communeclass",
    "indicators.change_communeclass",
)

# Funding: the coordinator keeps the province's budget, donations, sponsorships, international
# projects and publishes the transparency report; agency reporters keep their own agency's budget
# lines (services refuse another agency's); communes record donations and sponsorships of their
# children; leadership sees totals (funding.view_totals) without opening records.
_VIEW_FUNDING_REFERENCE = ("funding.view_programme", "funding.view_priorityarea")
_KEEP_AGENCY_BUDGET = (
    *_VIEW_FUNDING_REFERENCE,
    "funding.view_totals",
    "funding.view_budgetline",
    "funding.add_budgetline",
    "funding.change_budgetline",
    "funding.view_budgetentry",
    "funding.add_budgetentry",
)
_KEEP_DONATIONS = (
    *_VIEW_FUNDING_REFERENCE,
    "funding.view_donor",
    "funding.add_donor",
    "funding.change_donor",
    "funding.view_donation",
    "funding.add_donation",
    "funding.view_donationuse",
    "funding.add_donationuse",
    "funding.view_sponsorship",
    "funding.add_sponsorship",
    "funding.change_sponsorship",
    "funding.view_sponsorshippayment",
    "funding.add_sponsorshippayment",
    "funding.view_sponsorshipvisit",
    "funding.add_sponsorshipvisit",
)
_MANAGE_FUNDING = (
    *_KEEP_AGENCY_BUDGET,
    *_KEEP_DONATIONS,
    "funding.manage_budget",
    "funding.add_priorityarea",
    "funding.delete_priorityarea",
    "funding.view_internationalproject",
    "funding.add_internationalproject",
    "funding.change_internationalproject",
    "funding.view_projectreport",
    "funding.add_projectreport",
    "funding.change_projectreport",
    "funding.view_transparencyreport",
    "funding.add_transparencyreport",
    "funding.publish_report",
)
_VIEW_FUNDING_TOTALS = (
    *_VIEW_FUNDING_REFERENCE,
    "funding.view_totals",
    "funding.view_internationalproject",
    "funding.view_projectreport",
)

# Workforce: communes keep their staff, collaborators and training courses; the coordinator also
# sets the staffing norms; leadership and chairmen read them (participants' names only the chairmen).
_VIEW_WORKFORCE = (
    "workforce.view_staffmember",
    "workforce.view_staffingnorm",
    "workforce.view_trainingcourse",
)
_KEEP_WORKFORCE = (
    *_VIEW_WORKFORCE,
    "workforce.view_participant",
    "workforce.add_staffmember",
    "workforce.change_staffmember",
    "workforce.add_trainingcourse",
    "workforce.change_trainingcourse",
    "workforce.add_participant",
    "workforce.change_participant",
    "workforce.delete_participant",
)
# Communication campaigns: agencies and communes record theirs; the coordinator keeps the calendar.
_VIEW_CAMPAIGNS = ("campaigns.view_recurringevent", "campaigns.view_campaign")
_REPORT_CAMPAIGNS = (*_VIEW_CAMPAIGNS, "campaigns.add_campaign", "campaigns.change_campaign")
_KEEP_CAMPAIGN_CALENDAR = ("campaigns.add_recurringevent", "campaigns.change_recurringevent")

# Permissions a role holds only by naming them ("*" does not give them): seeing exact case
# statistics beyond one's case groups would let an administrator name a victim by inference.
NAMED_ONLY = frozenset({"cases.view_exact_statistics"})

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
            *_KEEP_WORKFORCE,
            "workforce.change_staffingnorm",
            *_REPORT_CAMPAIGNS,
            *_KEEP_CAMPAIGN_CALENDAR,
            *_SUPERVISE_CASES,
            *_KEEP_CASE_CALENDAR,
            *_KEEP_COMPLAINTS,
            *_COORDINATE_PLANS,
            *_MANAGE_INDICATORS,
            *_MANAGE_FUNDING,
        ),
    ),
    Role(
        "agency_reporter",
        _("Agency reporter"),
        _("Staff of a department or organisation who report on their tasks in the plan."),
        (*_VIEW_REFERENCE, *_REPORT_CAMPAIGNS, *_REPORT_ON_PLANS, *_KEEP_AGENCY_BUDGET),
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
            *_KEEP_WORKFORCE,
            *_REPORT_CAMPAIGNS,
            *_WORK_ON_CASES,
            *_KEEP_COMPLAINTS,
            *_ENTER_INDICATORS,
            *_KEEP_DONATIONS,
            *_REPORT_ON_PLANS,  # the commune's share of the plans' tasks (plans/models.py)
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
            *_VIEW_WORKFORCE,
            "workforce.view_participant",
            *_VIEW_CAMPAIGNS,
            *_SUPERVISE_CASES,
            *_KEEP_COMPLAINTS,
            *_VIEW_INDICATORS,
            "indicators.approve_figures",
            *_REPORT_ON_PLANS,  # the chairman reports on the commune's share of the plans' tasks
        ),
    ),
    Role(
        "hotline_officer",
        _("Hotline intake officer"),
        _("Records reports from the hotlines 111 and 18001581."),
        (*_VIEW_REFERENCE, *_RECEIVE_REPORTS),
    ),
    Role(
        "hotline_client",
        _("Hotline system (machine client)"),
        _(
            "A hotline's own system pushing the calls it records as reports (POST /api/v1/reports/) "
            "and reading the status of those reports; it reads nothing else."
        ),
        # Submitting is all it holds: the status of the reports it sent is read under the same
        # right (cases/api/views.py), so it never sees a report, a case or a child it did not send.
        ("cases.add_report",),
        machine=True,
    ),
    Role(
        "viewer",
        _("Read-only viewer"),
        _("Leadership and the ministry: sees figures, changes nothing."),
        (
            *_VIEW_REFERENCE,
            "children.view_statistics",
            *_VIEW_SURVEYS,
            "surveys.view_results",
            *_VIEW_WORKFORCE,
            *_VIEW_CAMPAIGNS,
            *_VIEW_PLANS,
            *_VIEW_INDICATORS,
            *_VIEW_FUNDING_TOTALS,
        ),
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
        return [
            p
            for p in Permission.objects.select_related("content_type")
            if f"{p.content_type.app_label}.{p.codename}" not in NAMED_ONLY
        ]
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
    """post_migrate hook: sync once, after the last app's permissions exist.

    Django sends post_migrate only for apps with a models module, so the last of those is the
    one to wait for (an app without models may well come last in INSTALLED_APPS).
    """
    with_models = [config for config in apps.get_app_configs() if config.models_module is not None]
    if sender.label != with_models[-1].label:
        return
    sync_roles()

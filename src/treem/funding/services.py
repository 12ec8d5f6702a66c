"""Writes of the funding app: one function per state change, each checking permission and scope,
validating everything before it saves, and writing its audit event in the same transaction.

A refusal (``ValidationError`` with translated messages, or ``ScopeError``) leaves nothing written
and leaves the objects passed in unchanged.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from treem.accounts.models import Agency
from treem.audit.services import audit_record, diff, snapshot
from treem.children.models import Child
from treem.core.scope import ScopeError, scope_require, unit_in_scope
from treem.funding import money
from treem.funding.choices import DonationKind, EntryKind, SettlementStatus, SponsorshipStatus
from treem.funding.models import (
    MANAGE_BUDGET_PERMISSION,
    PUBLISH_PERMISSION,
    BudgetEntry,
    BudgetLine,
    Donation,
    DonationUse,
    Donor,
    InternationalProject,
    PriorityArea,
    Programme,
    ProjectReport,
    Sponsorship,
    SponsorshipPayment,
    SponsorshipVisit,
    TransparencyReport,
)
from treem.geo.models import Unit

CHILD_AGE_LIMIT = 16  # Law on Children 102/2016/QH13, Article 1: a child is a person under 16


def show_vnd(amount: int) -> str:
    """An amount of dong as people write it in the current language (1.500.000 đ)."""
    return f"{formats.number_format(amount, use_l10n=True, force_grouping=True)} đ"


def _below(unit: Unit, top: Unit) -> bool:
    return unit.path.startswith(top.path)


def _save(obj, acting_user, *, creating: bool) -> None:
    if creating:
        obj.created_by = acting_user
    obj.updated_by = acting_user
    obj.full_clean()
    obj.save()


def _require_donor_visible(acting_user, donor: Donor) -> None:
    if not Donor.objects.restrict(acting_user, "view").filter(pk=donor.pk).exists():
        raise ScopeError("funding.view_donor")


# --- priority areas ---------------------------------------------------------------------------


@transaction.atomic
def priority_area_add(*, acting_user, unit: Unit, reason: str = "") -> PriorityArea:
    """Flag a unit as a hard-to-reach area the budget gives priority to."""
    scope_require(acting_user, unit, "funding.add_priorityarea")
    if PriorityArea.objects.filter(unit=unit).exists():
        raise ValidationError({"unit": _("This unit is already a priority area.")})
    area = PriorityArea(unit=unit, reason=reason.strip())
    _save(area, acting_user, creating=True)
    audit_record(acting_user, "funding.priorityarea.added", area, changes=diff(None, snapshot(area)))
    return area


@transaction.atomic
def priority_area_remove(*, acting_user, area: PriorityArea) -> None:
    scope_require(acting_user, area.unit, "funding.delete_priorityarea")
    audit_record(acting_user, "funding.priorityarea.removed", area, changes=diff(snapshot(area), None))
    area.delete()


# --- budget -----------------------------------------------------------------------------------


def _require_budget(acting_user, agency: Agency, perm: str) -> None:
    """Scope of the agency's unit; an agency's reporter keeps only their own agency's budget."""
    scope_require(acting_user, agency.unit, perm)
    if not acting_user.has_perm(MANAGE_BUDGET_PERMISSION) and acting_user.agency_id != agency.pk:
        raise ScopeError(perm)


LINE_FIELDS = ("agency", "unit", "programme", "year", "source", "title", "planned_vnd")


def _check_line(line: BudgetLine) -> None:
    errors = {}
    if line.unit_id and line.agency_id and not _below(line.unit, line.agency.unit):
        errors["unit"] = _("The unit must be the agency's unit or a unit below it.")
    try:
        money.check_vnd(line.planned_vnd, "planned_vnd", allow_zero=True)
    except ValidationError as exc:
        errors.update(exc.message_dict)
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def budget_line_create(
    *,
    acting_user,
    agency: Agency,
    unit: Unit | None = None,
    programme: Programme | None,
    year: int,
    source: str,
    title: str,
    planned_vnd: int = 0,
) -> BudgetLine:
    """Open a budget line of an agency for a year, programme and source, with its planned amount."""
    _require_budget(acting_user, agency, "funding.add_budgetline")
    line = BudgetLine(
        agency=agency,
        unit=unit or agency.unit,
        programme=programme,
        year=year,
        source=source,
        title=title,
        planned_vnd=planned_vnd,
    )
    _check_line(line)
    _save(line, acting_user, creating=True)
    audit_record(acting_user, "funding.budgetline.created", line, changes=diff(None, snapshot(line)))
    return line


@transaction.atomic
def budget_line_update(*, acting_user, line: BudgetLine, **fields) -> BudgetLine:
    """Change a budget line; a settled line no longer changes."""
    unknown = set(fields) - set(LINE_FIELDS)
    if unknown:
        raise TypeError(f"Unknown budget line fields: {sorted(unknown)}")
    _require_budget(acting_user, line.agency, "funding.change_budgetline")
    if "agency" in fields and fields["agency"] != line.agency:
        _require_budget(acting_user, fields["agency"], "funding.change_budgetline")
    if line.is_settled:
        raise ValidationError(_("The budget line is settled: it can no longer change."))
    before = snapshot(line)
    changed = BudgetLine.objects.get(pk=line.pk)
    for name, value in fields.items():
        setattr(changed, name, value)
    if changed.unit_id is None:
        changed.unit = changed.agency.unit
    _check_line(changed)
    _save(changed, acting_user, creating=False)
    audit_record(acting_user, "funding.budgetline.changed", changed, changes=diff(before, snapshot(changed)))
    line.refresh_from_db()
    return line


@transaction.atomic
def budget_entry_add(
    *,
    acting_user,
    line: BudgetLine,
    kind: str,
    amount: int | Decimal | None,
    document_number: str,
    document_date: dt.date,
    currency: str = money.VND,
    exchange_rate: Decimal | None = None,
    description: str = "",
    decision_number: str = "",
    decision_date: dt.date | None = None,
    decision_reason: str = "",
) -> BudgetEntry:
    """Record an allocation, commitment or spending with its document.

    Spending that would take the line above its allocation is refused unless the decision that
    allows it (number, date and reason) is recorded with it.
    """
    _require_budget(acting_user, line.agency, "funding.add_budgetentry")
    # Lock the line so two spendings recorded at once cannot both pass the allocation check.
    locked = BudgetLine.objects.select_for_update().get(pk=line.pk)
    if locked.is_settled:
        raise ValidationError(_("The budget line is settled: no entry can be added."))
    if kind not in EntryKind.values:
        raise ValidationError({"kind": _("Choose allocation, commitment or spending.")})
    fields = money.resolve(currency=currency, amount=amount, exchange_rate=exchange_rate)
    entry = BudgetEntry(
        line=locked,
        kind=kind,
        document_number=document_number.strip(),
        document_date=document_date,
        description=description.strip(),
        decision_number=decision_number.strip(),
        decision_date=decision_date,
        decision_reason=decision_reason.strip(),
        **fields,
    )
    if kind == EntryKind.SPENDING:
        totals = locked.totals()
        spent = totals[EntryKind.SPENDING] + entry.amount_vnd
        allocated = totals[EntryKind.ALLOCATION]
        if spent > allocated:
            missing = {
                name: _("Required for spending above the allocation.")
                for name in ("decision_number", "decision_date", "decision_reason")
                if not getattr(entry, name)
            }
            if missing:
                raise ValidationError(
                    {
                        **missing,
                        "amount": _(
                            "This spending brings the total spent to %(spent)s, above the allocation "
                            "of %(allocated)s: record the decision (number, date and reason) that allows it."
                        )
                        % {"spent": show_vnd(spent), "allocated": show_vnd(allocated)},
                    }
                )
    _save(entry, acting_user, creating=True)
    audit_record(
        acting_user,
        f"funding.budgetentry.{entry.kind}",
        entry,
        changes=diff(None, snapshot(entry)),
        reason=entry.decision_reason,
    )
    return entry


@transaction.atomic
def budget_line_settle(
    *, acting_user, line: BudgetLine, status: str, settlement_number: str = "", settlement_date=None
) -> BudgetLine:
    """Set the settlement (quyết toán) status; "settled" needs the settlement document."""
    _require_budget(acting_user, line.agency, "funding.change_budgetline")
    if status not in SettlementStatus.values:
        raise ValidationError({"status": _("Choose a settlement status.")})
    settlement_number = settlement_number.strip()
    if status == SettlementStatus.SETTLED and not (settlement_number and settlement_date):
        raise ValidationError(
            {"settlement_number": _("A settled line needs the settlement document's number and date.")}
        )
    before = snapshot(line)
    changed = BudgetLine.objects.get(pk=line.pk)
    changed.settlement_status = status
    changed.settlement_number = settlement_number
    changed.settlement_date = settlement_date
    _save(changed, acting_user, creating=False)
    audit_record(
        acting_user, "funding.budgetline.settlement", changed, changes=diff(before, snapshot(changed))
    )
    line.refresh_from_db()
    return line


# --- donors and donations ---------------------------------------------------------------------

DONOR_FIELDS = ("kind", "name", "anonymous", "unit", "contact", "notes")


@transaction.atomic
def donor_create(
    *, acting_user, unit: Unit, kind: str, name: str, anonymous: bool = False, **fields
) -> Donor:
    scope_require(acting_user, unit, "funding.add_donor")
    donor = Donor(unit=unit, kind=kind, name=name.strip(), anonymous=anonymous, **fields)
    _save(donor, acting_user, creating=True)
    audit_record(acting_user, "funding.donor.created", donor, changes=diff(None, snapshot(donor)))
    return donor


@transaction.atomic
def donor_update(*, acting_user, donor: Donor, **fields) -> Donor:
    unknown = set(fields) - set(DONOR_FIELDS)
    if unknown:
        raise TypeError(f"Unknown donor fields: {sorted(unknown)}")
    scope_require(acting_user, donor.unit, "funding.change_donor")
    if "unit" in fields:
        scope_require(acting_user, fields["unit"], "funding.change_donor")
    before = snapshot(donor)
    changed = Donor.objects.get(pk=donor.pk)
    for name, value in fields.items():
        setattr(changed, name, value)
    _save(changed, acting_user, creating=False)
    audit_record(acting_user, "funding.donor.changed", changed, changes=diff(before, snapshot(changed)))
    donor.refresh_from_db()
    return donor


@transaction.atomic
def donation_record(
    *,
    acting_user,
    donor: Donor,
    unit: Unit,
    received_on: dt.date,
    kind: str,
    purpose: str,
    amount: int | Decimal | None,
    currency: str = money.VND,
    exchange_rate: Decimal | None = None,
    description: str = "",
    document_number: str = "",
) -> Donation:
    """Record a gift received by a unit: cash, or goods described with their estimated value."""
    scope_require(acting_user, unit, "funding.add_donation")
    _require_donor_visible(acting_user, donor)
    description = description.strip()
    if kind == DonationKind.IN_KIND and not description:
        raise ValidationError({"description": _("Describe the goods given.")})
    fields = money.resolve(currency=currency, amount=amount, exchange_rate=exchange_rate)
    donation = Donation(
        donor=donor,
        unit=unit,
        received_on=received_on,
        kind=kind,
        purpose=purpose,
        description=description,
        document_number=document_number.strip(),
        **fields,
    )
    _save(donation, acting_user, creating=True)
    audit_record(acting_user, "funding.donation.recorded", donation, changes=diff(None, snapshot(donation)))
    return donation


@transaction.atomic
def donation_use_record(
    *,
    acting_user,
    donation: Donation,
    unit: Unit | None = None,
    used_on: dt.date,
    amount_vnd: int | None,
    description: str,
) -> DonationUse:
    """Record what part of a donation was used for; never more than what is left of it."""
    scope_require(acting_user, donation.unit, "funding.add_donationuse")
    unit = unit or donation.unit
    locked = Donation.objects.select_for_update().get(pk=donation.pk)
    money.check_vnd(amount_vnd)
    errors = {}
    if not _below(unit, locked.unit):
        errors["unit"] = _("The unit must be the receiving unit or a unit below it.")
    if used_on and used_on < locked.received_on:
        errors["used_on"] = _("A donation cannot be used before it was received.")
    left = locked.amount_vnd - locked.used_vnd()
    if amount_vnd > left:
        errors["amount_vnd"] = _("Only %(left)s of this donation is left: %(amount)s is more than that.") % {
            "left": show_vnd(left),
            "amount": show_vnd(amount_vnd),
        }
    if errors:
        raise ValidationError(errors)
    use = DonationUse(
        donation=locked, unit=unit, used_on=used_on, amount_vnd=amount_vnd, description=description.strip()
    )
    _save(use, acting_user, creating=True)
    audit_record(acting_user, "funding.donationuse.recorded", use, changes=diff(None, snapshot(use)))
    return use


# --- sponsorship of children ------------------------------------------------------------------

SPONSORSHIP_FIELDS = (
    "sponsor",
    "starts_on",
    "ends_on",
    "monthly_amount_vnd",
    "commitment",
    "purpose",
    "status",
)


def _check_sponsorship(sponsorship: Sponsorship) -> None:
    """A sponsorship is for a child: under 16 on its first day (Law on Children, Article 1)."""
    errors = {}
    child = sponsorship.child
    start = sponsorship.starts_on
    if start:
        age = child.age_on(start)
        if age < 0 or (child.birth_date and child.birth_date > start):
            errors["starts_on"] = _("The sponsorship cannot start before the child was born.")
        elif age >= CHILD_AGE_LIMIT:
            errors["child"] = _(
                "This person is %(age)s years old on %(date)s: a sponsorship is for a child, a person "
                "under 16 (Law on Children, Article 1)."
            ) % {"age": age, "date": formats.date_format(start, "SHORT_DATE_FORMAT")}
    if sponsorship.ends_on and start and sponsorship.ends_on < start:
        errors["ends_on"] = _("The sponsorship cannot end before it starts.")
    if sponsorship.monthly_amount_vnd is not None:
        try:
            money.check_vnd(sponsorship.monthly_amount_vnd, "monthly_amount_vnd")
        except ValidationError as exc:
            errors.update(exc.message_dict)
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def sponsorship_create(
    *,
    acting_user,
    sponsor: Donor,
    child: Child,
    starts_on: dt.date,
    ends_on: dt.date | None = None,
    monthly_amount_vnd: int | None = None,
    commitment: str = "",
    purpose: str = "sponsorship",
) -> Sponsorship:
    """A sponsor takes on a child of the user's communes (nhận đỡ đầu)."""
    scope_require(acting_user, child.commune, "funding.add_sponsorship")
    _require_donor_visible(acting_user, sponsor)
    sponsorship = Sponsorship(
        sponsor=sponsor,
        child=child,
        starts_on=starts_on,
        ends_on=ends_on,
        monthly_amount_vnd=monthly_amount_vnd,
        commitment=commitment.strip(),
        purpose=purpose,
    )
    _check_sponsorship(sponsorship)
    _save(sponsorship, acting_user, creating=True)
    audit_record(
        acting_user, "funding.sponsorship.created", sponsorship, changes=diff(None, snapshot(sponsorship))
    )
    return sponsorship


@transaction.atomic
def sponsorship_update(*, acting_user, sponsorship: Sponsorship, **fields) -> Sponsorship:
    unknown = set(fields) - set(SPONSORSHIP_FIELDS)
    if unknown:
        raise TypeError(f"Unknown sponsorship fields: {sorted(unknown)}")
    scope_require(acting_user, sponsorship.child.commune, "funding.change_sponsorship")
    if "sponsor" in fields:
        _require_donor_visible(acting_user, fields["sponsor"])
    before = snapshot(sponsorship)
    changed = Sponsorship.objects.select_related("child").get(pk=sponsorship.pk)
    for name, value in fields.items():
        setattr(changed, name, value)
    if changed.status == SponsorshipStatus.ENDED and not changed.ends_on:
        raise ValidationError({"ends_on": _("An ended sponsorship needs its last day.")})
    _check_sponsorship(changed)
    _save(changed, acting_user, creating=False)
    audit_record(acting_user, "funding.sponsorship.changed", changed, changes=diff(before, snapshot(changed)))
    sponsorship.refresh_from_db()
    return sponsorship


@transaction.atomic
def sponsorship_payment_record(
    *,
    acting_user,
    sponsorship: Sponsorship,
    paid_on: dt.date,
    amount_vnd: int | None,
    kind: str = "cash",
    description: str = "",
) -> SponsorshipPayment:
    scope_require(acting_user, sponsorship.child.commune, "funding.add_sponsorshippayment")
    money.check_vnd(amount_vnd)
    if paid_on < sponsorship.starts_on:
        raise ValidationError({"paid_on": _("A payment cannot be made before the sponsorship starts.")})
    if kind == DonationKind.IN_KIND and not description.strip():
        raise ValidationError({"description": _("Describe the goods given.")})
    payment = SponsorshipPayment(
        sponsorship=sponsorship,
        paid_on=paid_on,
        amount_vnd=amount_vnd,
        kind=kind,
        description=description.strip(),
    )
    _save(payment, acting_user, creating=True)
    audit_record(
        acting_user, "funding.sponsorshippayment.recorded", payment, changes=diff(None, snapshot(payment))
    )
    return payment


@transaction.atomic
def sponsorship_visit_record(
    *, acting_user, sponsorship: Sponsorship, visited_on: dt.date, visitor: str, notes: str = ""
) -> SponsorshipVisit:
    scope_require(acting_user, sponsorship.child.commune, "funding.add_sponsorshipvisit")
    if visited_on > timezone.localdate():
        raise ValidationError({"visited_on": _("A visit cannot be recorded before it happens.")})
    visit = SponsorshipVisit(
        sponsorship=sponsorship, visited_on=visited_on, visitor=visitor.strip(), notes=notes.strip()
    )
    _save(visit, acting_user, creating=True)
    audit_record(acting_user, "funding.sponsorshipvisit.recorded", visit, changes=diff(None, snapshot(visit)))
    return visit


# --- international cooperation ----------------------------------------------------------------

PROJECT_FIELDS = (
    "title",
    "partner",
    "unit",
    "agency",
    "starts_on",
    "ends_on",
    "linked_tasks",
    "linked_indicators",
)


def _check_project_scope(
    acting_user, perm: str, unit: Unit, agency: Agency | None, target_units: Iterable[Unit]
):
    scope_require(acting_user, unit, perm)
    if agency is not None and not unit_in_scope(acting_user, agency.unit):
        raise ScopeError(perm)
    for target in target_units:
        if not unit_in_scope(acting_user, target):
            raise ScopeError(perm)


def _check_project(project: InternationalProject) -> None:
    if project.starts_on and project.ends_on and project.ends_on < project.starts_on:
        raise ValidationError({"ends_on": _("The project cannot end before it starts.")})


@transaction.atomic
def project_create(
    *,
    acting_user,
    title: str,
    partner: str,
    unit: Unit,
    starts_on: dt.date,
    ends_on: dt.date,
    amount: int | Decimal | None,
    currency: str = money.VND,
    exchange_rate: Decimal | None = None,
    agency: Agency | None = None,
    target_units: Iterable[Unit] = (),
    linked_tasks: str = "",
    linked_indicators: str = "",
) -> InternationalProject:
    """Record an international project or grant with its partner, amount, period and targets."""
    target_units = list(target_units)
    _check_project_scope(acting_user, "funding.add_internationalproject", unit, agency, target_units)
    fields = money.resolve(currency=currency, amount=amount, exchange_rate=exchange_rate)
    project = InternationalProject(
        title=title.strip(),
        partner=partner.strip(),
        unit=unit,
        agency=agency,
        starts_on=starts_on,
        ends_on=ends_on,
        linked_tasks=linked_tasks.strip(),
        linked_indicators=linked_indicators.strip(),
        **fields,
    )
    _check_project(project)
    _save(project, acting_user, creating=True)
    project.target_units.set(target_units)
    changes = diff(None, snapshot(project))
    changes["target_units"] = [None, sorted(u.pk for u in target_units)]
    audit_record(acting_user, "funding.internationalproject.created", project, changes=changes)
    return project


@transaction.atomic
def project_update(
    *,
    acting_user,
    project: InternationalProject,
    amount: int | Decimal | None = None,
    currency: str | None = None,
    exchange_rate: Decimal | None = None,
    target_units: Iterable[Unit] | None = None,
    **fields,
) -> InternationalProject:
    unknown = set(fields) - set(PROJECT_FIELDS)
    if unknown:
        raise TypeError(f"Unknown project fields: {sorted(unknown)}")
    scope_require(acting_user, project.unit, "funding.change_internationalproject")
    changed = InternationalProject.objects.get(pk=project.pk)
    before = snapshot(changed)
    before_targets = sorted(changed.target_units.values_list("pk", flat=True))
    for name, value in fields.items():
        setattr(changed, name, value)
    targets = list(target_units) if target_units is not None else list(changed.target_units.all())
    _check_project_scope(
        acting_user, "funding.change_internationalproject", changed.unit, changed.agency, targets
    )
    if amount is not None or currency is not None:
        money_fields = money.resolve(
            currency=currency or changed.currency, amount=amount, exchange_rate=exchange_rate
        )
        for name, value in money_fields.items():
            setattr(changed, name, value)
    _check_project(changed)
    _save(changed, acting_user, creating=False)
    changed.target_units.set(targets)
    changes = diff(before, snapshot(changed))
    after_targets = sorted(u.pk for u in targets)
    if after_targets != before_targets:
        changes["target_units"] = [before_targets, after_targets]
    audit_record(acting_user, "funding.internationalproject.changed", changed, changes=changes)
    project.refresh_from_db()
    return project


@transaction.atomic
def project_report_add(
    *, acting_user, project: InternationalProject, title: str, due_on: dt.date
) -> ProjectReport:
    """A report the partner expects by a date."""
    scope_require(acting_user, project.unit, "funding.add_projectreport")
    report = ProjectReport(project=project, title=title.strip(), due_on=due_on)
    _save(report, acting_user, creating=True)
    audit_record(acting_user, "funding.projectreport.added", report, changes=diff(None, snapshot(report)))
    return report


@transaction.atomic
def project_report_submit(*, acting_user, report: ProjectReport, submitted_on: dt.date) -> ProjectReport:
    scope_require(acting_user, report.project.unit, "funding.change_projectreport")
    if report.submitted:
        raise ValidationError(_("This report was already submitted."))
    if submitted_on > timezone.localdate():
        raise ValidationError({"submitted_on": _("A report cannot be submitted in the future.")})
    before = snapshot(report)
    report.submitted_on = submitted_on
    report.updated_by = acting_user
    try:
        report.full_clean()
    except ValidationError:
        report.submitted_on = None
        raise
    report.save()
    audit_record(
        acting_user, "funding.projectreport.submitted", report, changes=diff(before, snapshot(report))
    )
    return report


# --- the transparency report ------------------------------------------------------------------


@transaction.atomic
def transparency_publish(
    *, acting_user, unit: Unit, year: int, quarter: int | None = None
) -> TransparencyReport:
    """Publish (or publish again) the public report of a unit for a year or quarter.

    The figures are computed now and frozen: sums by purpose and donors' public names only.
    """
    from treem.funding.selectors import period_bounds, transparency_figures

    scope_require(acting_user, unit, PUBLISH_PERMISSION)
    if quarter is not None and quarter not in (1, 2, 3, 4):
        raise ValidationError({"quarter": _("A quarter is 1, 2, 3 or 4.")})
    start, _end = period_bounds(year, quarter)
    if start > timezone.localdate():
        raise ValidationError({"year": _("The period has not started yet.")})
    figures = transparency_figures(unit=unit, year=year, quarter=quarter)
    report = TransparencyReport.objects.filter(unit=unit, year=year, quarter=quarter).first()
    action = "funding.transparencyreport.republished" if report else "funding.transparencyreport.published"
    if report is None:
        report = TransparencyReport(unit=unit, year=year, quarter=quarter, created_by=acting_user)
    report.figures = figures
    report.published_at = timezone.now()
    report.published_by = acting_user
    report.updated_by = acting_user
    report.full_clean(validate_constraints=False)
    report.save()
    audit_record(acting_user, action, report, changes={"totals": figures["totals"]})
    return report

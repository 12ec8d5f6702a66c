"""Writes on the child database. Each function is one audited transaction."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from treem.audit.services import audit_record, diff, snapshot
from treem.children.identity import normalise_personal_id, validate_personal_id
from treem.children.models import (
    MINOR_AGE_LIMIT,
    Caregiver,
    Child,
    CircumstanceGroup,
    CircumstanceMembership,
    Consent,
    Household,
    Support,
)
from treem.core.scope import scope_require
from treem.geo.models import Unit, UnitLevel

CHILD_FIELDS = (
    "full_name",
    "sex",
    "birth_date",
    "birth_year",
    "personal_id",
    "ethnicity",
    "nationality",
    "birth_registered",
    "birth_registration_place",
    "household",
    "school",
    "grade",
    "schooling_status",
    "health_insurance",
    "disability_type",
    "disability_level",
    "notes",
    "village",
    "source",
    "source_key",
)


def check_child_fields(
    *, commune: Unit, fields: dict[str, Any], today: dt.date | None = None
) -> dict[str, Any]:
    """Normalise and check a child's fields; raise ValidationError naming each wrong field."""
    today = today or timezone.localdate()
    errors: dict[str, list[str]] = {}
    data = dict(fields)
    data["full_name"] = " ".join((data.get("full_name") or "").split())
    if not data["full_name"]:
        errors.setdefault("full_name", []).append(_("Enter the child's full name."))
    birth_date = data.get("birth_date")
    birth_year = data.get("birth_year")
    if birth_date:
        if birth_date > today:
            errors.setdefault("birth_date", []).append(_("The date of birth cannot be in the future."))
        birth_year = birth_date.year
    if birth_year is None:
        errors.setdefault("birth_year", []).append(
            _("Enter the date of birth, or at least the year of birth.")
        )
    elif birth_year > today.year:
        errors.setdefault("birth_year", []).append(_("The year of birth cannot be in the future."))
    elif today.year - birth_year > MINOR_AGE_LIMIT:
        errors.setdefault("birth_year", []).append(
            _("The person is over %(age)s years old: the child database keeps children and minors only.")
            % {"age": MINOR_AGE_LIMIT}
        )
    data["birth_year"] = birth_year
    data["personal_id"] = normalise_personal_id(data.get("personal_id"))
    try:
        validate_personal_id(data["personal_id"])
    except ValidationError as exc:
        errors.setdefault("personal_id", []).extend(exc.messages)
    village = data.get("village")
    if village is not None and (village.level != UnitLevel.VILLAGE or village.parent_id != commune.pk):
        errors.setdefault("village", []).append(_("Choose a village of the child's commune."))
    household = data.get("household")
    if household is not None and household.commune_id != commune.pk:
        errors.setdefault("household", []).append(_("Choose a household of the child's commune."))
    if commune.level != UnitLevel.COMMUNE or not commune.is_valid_on(today):
        errors.setdefault("commune", []).append(_("Choose a commune in force today."))
    if errors:
        raise ValidationError(errors)
    return data


def _check_personal_id_free(*, acting_user, personal_id: str, exclude_pk: int | None = None) -> None:
    """The same number may be on one active record only; say where it is if the user may see it."""
    if not personal_id:
        return
    # The partial unique index's own condition, so that PostgreSQL uses it.
    existing = (
        Child.objects.filter(personal_id=personal_id, is_active=True)
        .exclude(personal_id="")
        .exclude(pk=exclude_pk)
        .first()
    )
    if existing is None:
        return
    if Child.objects.restrict(acting_user, "view").filter(pk=existing.pk).exists():
        message = _(
            "This personal identification number is already recorded for %(name)s in %(commune)s."
        ) % {
            "name": existing.full_name,
            "commune": existing.commune.name,
        }
    else:
        message = _(
            "This personal identification number is already recorded for a child outside your units; "
            "ask the province to check it."
        )
    raise ValidationError({"personal_id": [message]})


@transaction.atomic
def child_register(*, acting_user, commune: Unit, **fields) -> Child:
    """Register a child resident in ``commune`` (a commune the user works in)."""
    scope_require(acting_user, commune, "children.add_child")
    unknown = set(fields) - set(CHILD_FIELDS)
    if unknown:
        raise TypeError(f"Unknown child fields: {sorted(unknown)}")
    data = check_child_fields(commune=commune, fields=fields)
    _check_personal_id_free(acting_user=acting_user, personal_id=data["personal_id"])
    child = Child(commune=commune, created_by=acting_user, updated_by=acting_user, **data)
    child.full_clean(exclude=["name_folded"])
    child.save()
    audit_record(acting_user, "children.child.registered", child, changes=diff(None, snapshot(child)))
    return child


@transaction.atomic
def child_update(*, acting_user, child: Child, **fields) -> Child:
    """Change a child's record (only the fields given); field-level changes are audited."""
    scope_require(acting_user, child.commune, "children.change_child")
    unknown = set(fields) - set(CHILD_FIELDS)
    if unknown:
        raise TypeError(f"Unknown child fields: {sorted(unknown)}")
    before = snapshot(child)
    current = {name: getattr(child, name) for name in CHILD_FIELDS}
    current.update(fields)
    if "birth_date" in fields and fields["birth_date"] is None and "birth_year" not in fields:
        current["birth_year"] = child.birth_year
    data = check_child_fields(commune=child.commune, fields=current)
    _check_personal_id_free(acting_user=acting_user, personal_id=data["personal_id"], exclude_pk=child.pk)
    for name, value in data.items():
        setattr(child, name, value)
    child.updated_by = acting_user
    child.full_clean(exclude=["name_folded"])
    child.save()
    audit_record(acting_user, "children.child.updated", child, changes=diff(before, snapshot(child)))
    return child


@transaction.atomic
def child_move(*, acting_user, child: Child, commune: Unit, village: Unit | None = None) -> Child:
    """Record that a child now lives in another commune the user works in."""
    scope_require(acting_user, child.commune, "children.change_child")
    scope_require(acting_user, commune, "children.change_child")
    before = snapshot(child)
    check_child_fields(
        commune=commune,
        fields={**{n: getattr(child, n) for n in CHILD_FIELDS}, "village": village, "household": None},
    )
    child.commune, child.village, child.household = commune, village, None
    child.save()
    audit_record(acting_user, "children.child.moved", child, changes=diff(before, snapshot(child)))
    return child


@transaction.atomic
def child_move_with_case(*, acting_user, child: Child, commune: Unit, reason: str) -> Child:
    """The child of a protection case transferred to ``commune`` moves there with it.

    The sending commune asked for the transfer and the receiving commune's ``acting_user``
    accepted it (cases.services.transfer_accept): that decision, not a scope over the old commune,
    is what allows the move. The village and household are the old commune's: they are cleared
    for the new commune to record.
    """
    scope_require(acting_user, commune, "cases.view_case")
    if child.commune_id == commune.pk:
        return child
    before = snapshot(child)
    child.commune, child.village, child.household = commune, None, None
    child.updated_by = acting_user
    child.save(update_fields=["commune", "village", "household", "updated_by", "updated_at"])
    audit_record(
        acting_user, "children.child.moved", child, changes=diff(before, snapshot(child)), reason=reason
    )
    return child


@transaction.atomic
def child_deactivate(*, acting_user, child: Child, reason: str) -> Child:
    """Take a child out of the registry (moved out of the province, died, aged out), with the reason."""
    scope_require(acting_user, child.commune, "children.change_child")
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": [_("Say why the child leaves the registry.")]})
    if not child.is_active:
        raise ValidationError(_("This child is already out of the registry."))
    before = snapshot(child)
    child.is_active, child.inactive_reason, child.updated_by = False, reason, acting_user
    child.save(update_fields=["is_active", "inactive_reason", "updated_by", "updated_at"])
    audit_record(
        acting_user, "children.child.deactivated", child, changes=diff(before, snapshot(child)), reason=reason
    )
    return child


@transaction.atomic
def household_create(*, acting_user, commune: Unit, head_name: str, **fields) -> Household:
    scope_require(acting_user, commune, "children.add_household")
    household = Household(
        commune=commune, head_name=(head_name or "").strip(), created_by=acting_user, **fields
    )
    if household.village_id and (household.village.parent_id != commune.pk):
        raise ValidationError({"village": [_("Choose a village of the household's commune.")]})
    household.full_clean()
    household.save()
    audit_record(
        acting_user, "children.household.created", household, changes=diff(None, snapshot(household))
    )
    return household


@transaction.atomic
def caregiver_add(*, acting_user, child: Child, relationship: str, full_name: str, **fields) -> Caregiver:
    scope_require(acting_user, child.commune, "children.change_child")
    caregiver = Caregiver(
        child=child, relationship=relationship, full_name=(full_name or "").strip(), **fields
    )
    caregiver.full_clean()
    caregiver.save()
    audit_record(
        acting_user,
        "children.caregiver.added",
        caregiver,
        unit=child.commune,
        changes=diff(None, snapshot(caregiver)),
    )
    return caregiver


@transaction.atomic
def circumstance_enter(
    *,
    acting_user,
    child: Child,
    group: CircumstanceGroup,
    entered_on: dt.date,
    reason: str = "",
    source: str = "",
) -> CircumstanceMembership:
    """Record that a child entered a special-circumstance (or at-risk) group on a date."""
    scope_require(acting_user, child.commune, "children.add_circumstancemembership")
    if entered_on > timezone.localdate():
        raise ValidationError({"entered_on": [_("The date cannot be in the future.")]})
    if child.circumstances.filter(group=group, left_on__isnull=True).exists():
        raise ValidationError({"group": [_("The child is already in this group.")]})
    membership = CircumstanceMembership(
        child=child, group=group, entered_on=entered_on, reason=reason, source=source, created_by=acting_user
    )
    membership.full_clean()
    membership.save()
    audit_record(
        acting_user, "children.circumstance.entered", membership, changes=diff(None, snapshot(membership))
    )
    return membership


@transaction.atomic
def circumstance_leave(
    *, acting_user, membership: CircumstanceMembership, left_on: dt.date, left_reason: str
) -> CircumstanceMembership:
    """Record that a child left a group (the membership is kept as history)."""
    scope_require(acting_user, membership.child.commune, "children.change_circumstancemembership")
    if membership.left_on is not None:
        raise ValidationError(_("The child has already left this group."))
    if left_on < membership.entered_on:
        raise ValidationError({"left_on": [_("The child cannot leave a group before entering it.")]})
    if left_on > timezone.localdate():
        raise ValidationError({"left_on": [_("The date cannot be in the future.")]})
    before = snapshot(membership)
    membership.left_on, membership.left_reason = left_on, (left_reason or "").strip()
    membership.save(update_fields=["left_on", "left_reason", "updated_at"])
    audit_record(
        acting_user, "children.circumstance.left", membership, changes=diff(before, snapshot(membership))
    )
    return membership


@transaction.atomic
def support_record(*, acting_user, child: Child, kind: str, given_on: dt.date, **fields) -> Support:
    """Record support a child received; money in whole VND."""
    scope_require(acting_user, child.commune, "children.add_support")
    amount = fields.get("amount_vnd")
    if amount is not None and amount < 0:
        raise ValidationError({"amount_vnd": [_("The amount cannot be negative.")]})
    support = Support(
        child=child, kind=(kind or "").strip(), given_on=given_on, created_by=acting_user, **fields
    )
    support.full_clean()
    support.save()
    audit_record(acting_user, "children.support.recorded", support, changes=diff(None, snapshot(support)))
    return support


@transaction.atomic
def consent_record(*, acting_user, child: Child, purpose: str, given_on: dt.date, **fields) -> Consent:
    """Record consent (or the legal basis for processing without it)."""
    scope_require(acting_user, child.commune, "children.add_consent")
    consent = Consent(child=child, purpose=purpose, given_on=given_on, created_by=acting_user, **fields)
    errors: dict[str, list[str]] = {}
    if consent.legal_basis == "consent":
        if not (consent.given_by or "").strip():
            errors["given_by"] = [_("Name the parent or guardian who consented.")]
        if child.age_on(given_on) >= 7 and consent.child_agreed is not True:
            errors["child_agreed"] = [_("A child aged 7 or older must agree too (Decree 13/2023, Art. 20).")]
    if errors:
        raise ValidationError(errors)
    consent.full_clean()
    consent.save()
    audit_record(acting_user, "children.consent.recorded", consent, changes=diff(None, snapshot(consent)))
    return consent


@transaction.atomic
def consent_withdraw(*, acting_user, consent: Consent, withdrawn_on: dt.date) -> Consent:
    """Withdraw consent: the uses that need it stop from that day."""
    scope_require(acting_user, consent.child.commune, "children.change_consent")
    if consent.withdrawn_on is not None:
        raise ValidationError(_("This consent was already withdrawn."))
    if withdrawn_on < consent.given_on:
        raise ValidationError({"withdrawn_on": [_("Consent cannot be withdrawn before it was given.")]})
    if withdrawn_on > timezone.localdate():
        raise ValidationError({"withdrawn_on": [_("Consent cannot be withdrawn on a day still to come.")]})
    before = snapshot(consent)
    consent.withdrawn_on = withdrawn_on
    consent.save(update_fields=["withdrawn_on", "updated_at"])
    audit_record(acting_user, "children.consent.withdrawn", consent, changes=diff(before, snapshot(consent)))
    return consent

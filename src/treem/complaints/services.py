"""Writes on the register of complaints, denunciations and petitions: register, change, answer,
close. Each checks permission and scope, validates, and writes its audit event in the same
transaction; a refusal (a ValidationError with a message for the user) writes nothing.
"""

from __future__ import annotations

import datetime as dt
import secrets

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from treem.accounts.models import Agency
from treem.audit.services import audit_record, diff, snapshot
from treem.cases.selectors import working_calendar
from treem.complaints import deadlines
from treem.complaints.choices import ComplaintKind
from treem.complaints.models import NUMBER_PREFIX, Complaint
from treem.core.scope import ScopeError, scope_require
from treem.geo.models import Unit

EDITABLE = (
    "kind",
    "received_on",
    "sender_kind",
    "sender_name",
    "sender_contact",
    "subject",
    "details",
    "agency",
    "complex_matter",
)


def _check_agency(acting_user, agency: Agency | None) -> None:
    if agency is not None and not Agency.objects.restrict(acting_user, "view").filter(pk=agency.pk).exists():
        raise ScopeError("accounts.view_agency")


def _check_dates(complaint: Complaint) -> None:
    today = timezone.localdate()
    errors: dict[str, list[str]] = {}
    if complaint.received_on and complaint.received_on > today:
        errors["received_on"] = [_("The day it was received cannot be in the future.")]
    if complaint.answered_on and complaint.received_on and complaint.answered_on < complaint.received_on:
        errors["answered_on"] = [_("It cannot be answered before it was received.")]
    if complaint.answered_on and complaint.answered_on > today:
        errors["answered_on"] = [_("The day of the answer cannot be in the future.")]
    if complaint.closed_on and complaint.received_on and complaint.closed_on < complaint.received_on:
        errors["closed_on"] = [_("It cannot be closed before it was received.")]
    elif complaint.closed_on and complaint.answered_on and complaint.closed_on < complaint.answered_on:
        errors["closed_on"] = [_("It cannot be closed before it was answered.")]
    if complaint.closed_on and complaint.closed_on > today:
        errors["closed_on"] = [_("The day it was closed cannot be in the future.")]
    if errors:
        raise ValidationError(errors)


def _set_deadline(complaint: Complaint) -> None:
    complaint.due_on, complaint.deadline_rule = deadlines.due_on(
        complaint.kind,
        complaint.received_on,
        working_calendar(complaint.unit),
        complex_matter=complaint.complex_matter,
    )


def _require_subject(subject: str) -> str:
    subject = (subject or "").strip()
    if not subject:
        raise ValidationError({"subject": [_("Say what it is about.")]})
    return subject


def _new_number(complaint: Complaint) -> str:
    return f"{NUMBER_PREFIX.get(complaint.kind, 'KN')}-{complaint.received_on:%Y}-{complaint.pk:06d}"


@transaction.atomic
def complaint_register(
    *,
    acting_user,
    unit: Unit,
    kind: str,
    received_on: dt.date,
    sender_kind: str,
    subject: str,
    sender_name: str = "",
    sender_contact: str = "",
    details: str = "",
    agency: Agency | None = None,
    complex_matter: bool = False,
) -> Complaint:
    """Enter a complaint, denunciation or petition in the register; its deadline is computed."""
    scope_require(acting_user, unit, "complaints.add_complaint")
    _check_agency(acting_user, agency)
    if kind not in ComplaintKind.values:
        raise ValidationError({"kind": [_("Choose the kind: complaint, denunciation or petition.")]})
    complaint = Complaint(
        unit=unit,
        kind=kind,
        received_on=received_on,
        sender_kind=sender_kind,
        subject=_require_subject(subject),
        sender_name=sender_name or "",
        sender_contact=sender_contact or "",
        details=details or "",
        agency=agency,
        complex_matter=complex_matter,
        number=f"TMP-{secrets.token_hex(6)}",  # the real number needs the primary key
        created_by=acting_user,
        updated_by=acting_user,
    )
    _check_dates(complaint)
    _set_deadline(complaint)
    complaint.full_clean()
    complaint.save()
    complaint.number = _new_number(complaint)
    complaint.save(update_fields=["number"])
    audit_record(
        acting_user, "complaints.complaint.registered", complaint, changes=diff(None, snapshot(complaint))
    )
    return complaint


def _locked(acting_user, complaint: Complaint) -> Complaint:
    """The complaint, locked for the change, if the user may change it (else ScopeError)."""
    found = (
        Complaint.objects.restrict(acting_user, "change")
        .select_for_update(of=("self",))
        .filter(pk=complaint.pk)
        .first()
    )
    if found is None:
        raise ScopeError("complaints.change_complaint")
    scope_require(acting_user, found.unit, "complaints.change_complaint")
    return found


@transaction.atomic
def complaint_update(*, acting_user, complaint: Complaint, **fields) -> Complaint:
    """Change what was registered (not once closed); the deadline follows the kind and dates."""
    unknown = set(fields) - set(EDITABLE)
    if unknown:
        raise TypeError(f"complaint_update: cannot change {sorted(unknown)}")
    current = _locked(acting_user, complaint)
    if current.closed_on:
        raise ValidationError(_("A closed entry can no longer be changed."))
    if "agency" in fields:
        _check_agency(acting_user, fields["agency"])
    if "subject" in fields:
        fields["subject"] = _require_subject(fields["subject"])
    before = snapshot(current)
    for name, value in fields.items():
        setattr(
            current,
            name,
            "" if value is None and name in ("sender_name", "sender_contact", "details") else value,
        )
    current.updated_by = acting_user
    _check_dates(current)
    _set_deadline(current)
    current.full_clean()
    current.save()
    audit_record(
        acting_user, "complaints.complaint.changed", current, changes=diff(before, snapshot(current))
    )
    return current


@transaction.atomic
def complaint_answer(*, acting_user, complaint: Complaint, answer: str, answered_on: dt.date) -> Complaint:
    """Record the answer (the settlement decision or the reply) and its day."""
    current = _locked(acting_user, complaint)
    if current.closed_on:
        raise ValidationError(_("A closed entry can no longer be changed."))
    answer = (answer or "").strip()
    if not answer:
        raise ValidationError({"answer": [_("Write the answer that was given.")]})
    if answered_on is None:
        raise ValidationError({"answered_on": [_("Give the day of the answer.")]})
    before = snapshot(current)
    current.answer, current.answered_on, current.updated_by = answer, answered_on, acting_user
    _check_dates(current)
    current.full_clean()
    current.save()
    audit_record(
        acting_user, "complaints.complaint.answered", current, changes=diff(before, snapshot(current))
    )
    return current


@transaction.atomic
def complaint_close(*, acting_user, complaint: Complaint, closed_on: dt.date) -> Complaint:
    """Close an answered entry on ``closed_on`` (not before it was received or answered)."""
    current = _locked(acting_user, complaint)
    if current.closed_on:
        raise ValidationError(_("This entry is already closed."))
    if not current.answered_on:
        raise ValidationError(_("Record the answer before closing."))
    if closed_on is None:
        raise ValidationError({"closed_on": [_("Give the day it was closed.")]})
    before = snapshot(current)
    current.closed_on, current.updated_by = closed_on, acting_user
    _check_dates(current)
    current.full_clean()
    current.save()
    audit_record(acting_user, "complaints.complaint.closed", current, changes=diff(before, snapshot(current)))
    return current

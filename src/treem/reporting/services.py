"""Writes of the consolidated report: asking for one (a background job) and making it (audited).

Only the plan's coordinator makes its consolidated report (``plans.coordinate_plan`` over the
plan's unit). The request is checked before anything is queued (a year without a plan or a period
not yet closed is refused with a message and writes nothing), and again when the job runs, with
the requester's rights at that moment.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from treem.accounts.models import User
from treem.audit.services import audit_record
from treem.core.scope import scope_require
from treem.jobs.models import Job
from treem.jobs.services import job_enqueue
from treem.plans.models import COORDINATE, Plan, ReportingPeriod
from treem.reporting import document, selectors, workbook
from treem.reporting.models import TEXT_FIELDS, ReportTexts

KIND = "reporting.consolidated"


@dataclass
class GeneratedReport:
    data: selectors.ReportData
    docx: bytes
    xlsx: bytes
    docx_name: str
    xlsx_name: str


def issuer_for(*, acting_user: User, kind: str, number: str = "", signer: str = "") -> document.Issuer:
    """Who signs: the People's Committee, or the user's own department (the lead agency)."""
    if kind == document.DEPARTMENT:
        agency = getattr(acting_user, "agency", None)
        if agency is None:
            raise ValidationError(
                {
                    "issuer": _(
                        "Your account names no agency: only the People's Committee can issue the report."
                    )
                }
            )
        return document.Issuer(
            kind=kind, agency_name=agency.name, number=number.strip(), signer=signer.strip()
        )
    if kind != document.COMMITTEE:
        raise ValidationError({"issuer": _("Choose who issues the report.")})
    return document.Issuer(kind=kind, number=number.strip(), signer=signer.strip())


def file_stem(period: ReportingPeriod) -> str:
    suffix = {"quarter": f"Q{period.number}", "half_year": f"S{period.number}"}.get(period.kind, period.kind)
    return f"bao-cao-{period.year}-{suffix}".replace("_", "-")


def report_request(
    *,
    acting_user: User,
    year: int,
    period: str = "year",
    plan: Plan | None = None,
    unit=None,
    issuer: str = document.COMMITTEE,
    number: str = "",
    signer: str = "",
) -> Job:
    """Queue the consolidated report of a closed period: a job the user follows on its page.

    Nothing is queued (and nothing written) when the request is refused.
    """
    if plan is not None:
        scope_require(acting_user, plan.unit, COORDINATE)
    elif unit is not None:
        scope_require(acting_user, unit, COORDINATE)
    elif not acting_user.has_perm(COORDINATE):
        scope_require(acting_user, None, COORDINATE)
    found = selectors.period_find(user=acting_user, year=year, period=period, unit=unit, plan=plan)
    scope_require(acting_user, found.plan.unit, COORDINATE)
    issuer_for(acting_user=acting_user, kind=issuer, number=number, signer=signer)  # refuse before queuing
    label = found.plan.number or found.plan.key
    return job_enqueue(
        acting_user=acting_user,
        kind=KIND,
        subject=f"{found.label} — {label}",
        arguments={"period": found.pk, "issuer": issuer, "number": number, "signer": signer},
        unit=found.plan.unit,
    )


@transaction.atomic
def report_generate(
    *,
    acting_user: User,
    period: ReportingPeriod,
    issuer: document.Issuer,
    progress=None,
    today: dt.date | None = None,
) -> GeneratedReport:
    """Make the consolidated report of ``period`` (.docx and .xlsx) as ``acting_user`` sees it (audited)."""
    progress = progress or (lambda stage, done, total=None: None)
    progress("check", 0, 1)
    scope_require(acting_user, period.plan.unit, COORDINATE)
    today = today or timezone.localdate()
    # The same checks as the request: the period may have changed since it was queued.
    selectors.period_find(
        user=acting_user,
        year=period.year,
        period=_choice_of(period),
        plan=period.plan,
        today=today,
    )
    progress("check", 1, 1)
    data = selectors.report_data(user=acting_user, period=period, progress=progress)
    progress("docx", 0, 1)
    docx = document.report_docx(data, issuer, issued_on=today)
    progress("docx", 1, 1)
    progress("xlsx", 0, 1)
    xlsx = workbook.report_xlsx(data)
    progress("xlsx", 1, 1)
    stem = file_stem(period)
    audit_record(
        acting_user,
        "reporting.report.generated",
        period,
        unit=period.plan.unit,
        changes={
            "plan": period.plan.key,
            "period": period.label,
            "issuer": issuer.kind,
            "tasks": len(data.tasks),
            "indicators": len(data.indicators),
            "reports_accepted": data.reports_accepted,
        },
    )
    return GeneratedReport(data, docx, xlsx, f"{stem}.docx", f"{stem}.xlsx")


TEXT_LIMIT = 20_000  # characters per text: about eight pages of the report


@transaction.atomic
def report_texts_save(*, acting_user: User, period: ReportingPeriod, **texts: str) -> ReportTexts:
    """Write the coordinator's texts of ``period``'s consolidated report (audited, with the diff).

    ``texts`` holds any of ``assessment``, ``difficulties``, ``proposals``, ``next_steps``; the
    others keep their value. Refused whole (nothing written) when a text is too long or unknown.
    """
    scope_require(acting_user, period.plan.unit, COORDINATE)
    unknown = sorted(set(texts) - set(TEXT_FIELDS))
    if unknown:
        raise ValidationError(_("Unknown text: %(names)s.") % {"names": ", ".join(unknown)}, code="unknown")
    errors = {}
    for name, value in texts.items():
        if value is None:
            texts[name] = ""
        elif not isinstance(value, str):
            errors[name] = _("Write text.")
        elif len(value) > TEXT_LIMIT:
            errors[name] = _("At most %(limit)s characters (this text has %(length)s).") % {
                "limit": TEXT_LIMIT,
                "length": len(value),
            }
    if errors:
        raise ValidationError(errors)
    key = selectors.period_key(period)
    record = ReportTexts.objects.select_for_update().filter(plan=period.plan, period_key=key).first()
    created = record is None
    if created:
        record = ReportTexts(plan=period.plan, period_key=key, created_by=acting_user)
    before = {name: getattr(record, name) for name in TEXT_FIELDS}
    for name, value in texts.items():
        setattr(record, name, value.strip().replace("\r\n", "\n"))
    changed = {
        name: [before[name], getattr(record, name)]
        for name in TEXT_FIELDS
        if before[name] != getattr(record, name)
    }
    if not changed and not created:
        return record
    record.updated_by = acting_user
    record.full_clean()
    record.save()
    audit_record(
        acting_user,
        "reporting.texts.created" if created else "reporting.texts.changed",
        record,
        unit=period.plan.unit,
        changes={"period": period.label, **changed},
    )
    return record


def _choice_of(period: ReportingPeriod) -> str:
    return {
        "quarter": f"Q{period.number}",
        "half_year": f"S{period.number}",
        "year": "year",
        "preliminary": "preliminary",
        "final": "final",
    }[period.kind]

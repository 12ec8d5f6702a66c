"""The write behind the hotline push (``POST /api/v1/reports/``): a call becomes a report through
the app's own ``report_receive`` (same rules, audit event, notifications and worklist), once per
call id of the sending account."""

from __future__ import annotations

from django.db import IntegrityError, transaction

from treem.audit.services import audit_record, diff, snapshot
from treem.cases.models import HotlineCall
from treem.cases.services import report_receive
from treem.geo.models import Unit


def hotline_call_find(*, account, external_id: str) -> HotlineCall | None:
    """The call ``account`` already sent with this id, if any."""
    return (
        HotlineCall.objects.filter(account=account, external_id=external_id)
        .select_related("report__unit", "report__case")
        .first()
    )


@transaction.atomic
def _receive(
    *,
    acting_user,
    external_id: str,
    unit: Unit,
    caller_relation: str,
    urgency: str,
    child_id_number: str,
    **report,
) -> HotlineCall:
    created = report_receive(acting_user=acting_user, unit=unit, **report)
    call = HotlineCall(
        account=acting_user,
        external_id=external_id,
        report=created,
        caller_relation=caller_relation,
        urgency=urgency,
        child_id_number=child_id_number,
    )
    # The unique constraint is left to the database: checked here, a call sent twice at once
    # would be refused with a message instead of answered with the first one (below).
    call.full_clean(validate_unique=False, validate_constraints=False)
    call.save()
    audit_record(acting_user, "cases.hotline_call.received", call, changes=diff(None, snapshot(call)))
    return call


def hotline_call_receive(
    *,
    acting_user,
    external_id: str,
    unit: Unit,
    caller_relation: str,
    urgency: str,
    child_id_number: str = "",
    **report,
) -> tuple[HotlineCall, bool]:
    """Record a call pushed by a hotline's system as a report; ``(call, True)`` the first time.

    The same call id sent again by the same account returns the call it already became,
    ``(call, False)``, and writes nothing: the sending system may retry after a timeout. Its
    content is not compared with the first sending's, nor changed. Two sendings of one call at
    the same moment meet at the unique constraint: the second's report is rolled back with it.
    """
    existing = hotline_call_find(account=acting_user, external_id=external_id)
    if existing is not None:
        return existing, False
    try:
        call = _receive(
            acting_user=acting_user,
            external_id=external_id,
            unit=unit,
            caller_relation=caller_relation,
            urgency=urgency,
            child_id_number=child_id_number,
            **report,
        )
    except IntegrityError:
        existing = hotline_call_find(account=acting_user, external_id=external_id)
        if existing is None:
            raise
        return existing, False
    return call, True

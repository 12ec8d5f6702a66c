"""Reading the audit log, and checking that nobody has tampered with it."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db import models

from treem.audit.models import AuditChainHead, AuditEvent
from treem.audit.services import GENESIS_HASH, event_hash


@dataclass
class ChainReport:
    checked: int = 0
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def audit_chain_verify(*, batch_size: int = 5000) -> ChainReport:
    """Recompute every event's hash in order; report edited, inserted or deleted events."""
    report = ChainReport()
    expected_prev = GENESIS_HASH
    last_id = 0
    qs = AuditEvent.objects.order_by("id")
    last_seen_id = 0
    while True:
        batch = list(qs.filter(id__gt=last_seen_id)[:batch_size])
        if not batch:
            break
        for event in batch:
            report.checked += 1
            if event.prev_hash != expected_prev:
                report.problems.append(
                    f"event {event.pk}: previous-hash link broken (an event before it was deleted or edited)"
                )
            if event_hash(event.prev_hash, event) != event.hash:
                report.problems.append(f"event {event.pk}: content does not match its hash (edited)")
            expected_prev = event.hash
            last_id = event.pk
        last_seen_id = batch[-1].pk
        if len(batch) < batch_size:  # the last batch: no query to find nothing after it
            break
    head = AuditChainHead.objects.filter(pk=1).first()
    if head is not None and (head.last_event_id != last_id or head.last_hash != expected_prev):
        report.problems.append(
            f"the chain ends at event {last_id} but its head records event {head.last_event_id} "
            "(events at the end were deleted)"
        )
    if head is None and report.checked:
        report.problems.append("the chain head is missing")
    return report


def audit_history(*, user, obj: models.Model):
    """Field-level history of ``obj``, for a user who may open ``obj`` and read the audit log.

    The caller has already fetched ``obj`` through its restricted queryset; events about it are
    shown whole, even those written while it belonged to another unit.
    """
    if not user.has_perm("audit.view_auditevent"):
        return AuditEvent.objects.none()
    return AuditEvent.objects.for_object(obj).select_related("actor")

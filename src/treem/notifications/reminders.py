"""Periodic announcements that no single change triggers: recommendations of inspections coming
due or overdue, told to their owners once per state and deadline (a moved deadline is told again).

``recommendations_remind`` is meant to run where ``treem plan_reminders`` runs (daily); it is
idempotent, so running it more often sends nothing twice.
"""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from treem.notifications.events import announce_once


def recommendations_remind(*, day: dt.date | None = None, within_days: int = 7) -> int:
    """Announce open recommendations due within ``within_days`` of ``day`` or overdue; returns how
    many notifications were written."""
    from treem.plans.models import Recommendation

    day = day or timezone.localdate()
    due = (
        Recommendation.objects.filter(
            closed_on__isnull=True, deadline__lte=day + dt.timedelta(days=within_days)
        )
        .select_related("inspection")
        .order_by("deadline", "pk")
    )
    written = 0
    for recommendation in due:
        overdue = recommendation.deadline < day
        state = "overdue" if overdue else "due"
        key = f"{recommendation.pk}:{recommendation.deadline.isoformat()}:{state}"
        sent = announce_once("plans.recommendation.due", recommendation, key=key, overdue=overdue)
        written += len(sent or [])
    return written

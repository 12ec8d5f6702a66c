"""Reads of the register: always from what the user may see."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Count, F, Q, QuerySet
from django.utils import timezone

from treem.complaints.choices import ComplaintKind
from treem.complaints.filtersets import ComplaintFilterSet
from treem.complaints.models import Complaint


def complaint_list(*, user, filters: dict | None = None) -> QuerySet[Complaint]:
    qs = Complaint.objects.restrict(user, "view").select_related("unit", "agency")
    return ComplaintFilterSet(filters or None, queryset=qs).qs


def overdue_complaints(*, user, today: dt.date | None = None) -> QuerySet[Complaint]:
    """Open entries in the user's units past their legal deadline."""
    today = today or timezone.localdate()
    return Complaint.objects.restrict(user, "view").filter(closed_on__isnull=True, due_on__lt=today)


def dashboard_section(request) -> dict | None:
    """The home page's line on the register: open entries and those past their legal deadline."""
    user = request.user
    if not user.has_perm("complaints.view_complaint"):
        return None
    open_entries = Complaint.objects.restrict(user, "view").filter(closed_on__isnull=True)
    return {
        "template": "complaints/_dashboard.html",
        "open_count": open_entries.count(),
        "overdue_count": overdue_complaints(user=user).count(),
    }


@dataclass
class KindSummary:
    """The register's figures of one kind of entry over a period (the consolidated report's line)."""

    kind: str
    label: str
    received: int = 0
    closed: int = 0
    closed_in_time: int = 0
    open_overdue: int = 0


def complaint_summary(*, user, start: dt.date, end: dt.date) -> list[KindSummary]:
    """Per kind: entries received from ``start`` to ``end``, entries closed in the period (and how
    many by their legal deadline), and entries still open on ``end`` past their deadline.

    One grouped query per figure over what the user may see."""
    qs = Complaint.objects.restrict(user, "view")
    rows = {kind: KindSummary(kind, str(label)) for kind, label in ComplaintKind.choices}

    def add(figure: str, filtered) -> None:
        for row in filtered.values("kind").annotate(n=Count("id")).order_by():
            if row["kind"] in rows:
                setattr(rows[row["kind"]], figure, row["n"])

    add("received", qs.filter(received_on__gte=start, received_on__lte=end))
    closed = qs.filter(closed_on__gte=start, closed_on__lte=end)
    add("closed", closed)
    add("closed_in_time", closed.filter(closed_on__lte=F("due_on")))
    add(
        "open_overdue",
        qs.filter(received_on__lte=end, due_on__lt=end).filter(
            Q(closed_on__isnull=True) | Q(closed_on__gt=end)
        ),
    )
    return list(rows.values())

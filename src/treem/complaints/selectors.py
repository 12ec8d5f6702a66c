"""Reads of the register: always from what the user may see."""

from __future__ import annotations

import datetime as dt

from django.db.models import QuerySet
from django.utils import timezone

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

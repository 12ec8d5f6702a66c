"""Reads of notifications: a user's own inbox only."""

from __future__ import annotations

from django.db.models import QuerySet

from treem.notifications.models import Notification


def inbox(*, user, unread_only: bool = False) -> QuerySet[Notification]:
    qs = Notification.objects.restrict(user, "view")
    return qs.unread() if unread_only else qs


def unread_count(user) -> int:
    if user is None or not user.is_authenticated:
        return 0
    return Notification.objects.restrict(user, "view").unread().count()

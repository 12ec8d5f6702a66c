"""Reads of notifications: a user's own inbox only."""

from __future__ import annotations

from django.db.models import QuerySet

from treem.notifications.models import EmailPreference, Notification


def inbox(*, user, unread_only: bool = False) -> QuerySet[Notification]:
    qs = Notification.objects.restrict(user, "view")
    return qs.unread() if unread_only else qs


def unread_count(user) -> int:
    if user is None or not user.is_authenticated:
        return 0
    return Notification.objects.restrict(user, "view").unread().count()


def email_choices(*, user) -> dict[str, bool]:
    """Per kind of event (the table's), whether ``user`` gets it by e-mail."""
    from treem.notifications.events import EVENTS

    chosen = dict(EmailPreference.objects.restrict(user, "view").values_list("kind", "email"))
    return {kind: chosen.get(kind, entry.email_default) for kind, entry in EVENTS.items()}

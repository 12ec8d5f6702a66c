"""Writes of notifications: ``notify`` (for every app), e-mail preferences, marking read.

``notify(user, text, link)`` is the low-level call (the deadline checks use it); services announce
what they did through ``events.announce``, which finds the recipients in the event table and calls
it. The text is shown as it is: callers pass a translated sentence that names a record by its
number or title, never a case's content. The e-mail follows the user's preference for the kind
(``category``) and is queued as a background job when the caller's transaction commits
(``on_commit``): work that is rolled back sends nothing.
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from treem.audit.services import audit_record
from treem.core.scope import ScopeError
from treem.notifications.models import EmailPreference, Notification

logger = logging.getLogger(__name__)
TEXT_LIMIT = 255


def wants_email(user, kind: str) -> bool:
    """The user's choice for ``kind`` (no choice made: the kind's default, on unless declared off)."""
    choice = EmailPreference.objects.filter(user=user, kind=kind).values_list("email", flat=True).first()
    return choice if choice is not None else _email_default(kind)


def notify(user, text: str, link: str = "", *, email: bool = True, category: str = "") -> Notification | None:
    """Put ``text`` (with a ``link`` to the page concerned) in ``user``'s inbox, and e-mail it.

    Inactive users and users without an account get nothing (returns None). The e-mail goes only
    to users with an address who did not turn e-mail off for ``category``, through the job queue
    after the surrounding transaction commits.
    """
    notification = _notification_write(user, text, link, email=email, category=category)
    if notification is not None and notification.emailed:
        _email_on_commit([notification.pk])
    return notification


def notify_many(users, text: str, link: str = "", *, category: str = "") -> list[Notification]:
    """``notify`` for several users, written in one insert, with one e-mail job for them all."""
    users = [u for u in users if u is not None and getattr(u, "pk", None) and u.is_active]
    if not users:
        return []
    text = str(text)
    fields = {"text": text[:TEXT_LIMIT], "link": link or "", "category": category[:40]}
    # The same text, link and category for all: checked once, on the first recipient's row.
    Notification(recipient=users[0], **fields).full_clean()
    choices = dict(
        EmailPreference.objects.filter(user__in=users, kind=category).values_list("user_id", "email")
    )
    default = _email_default(category)
    rows = [
        Notification(recipient=user, emailed=bool(user.email and choices.get(user.pk, default)), **fields)
        for user in users
    ]
    written = Notification.objects.bulk_create(rows)
    _email_on_commit([n.pk for n in written if n.emailed])
    return written


def _email_default(kind: str) -> bool:
    from treem.notifications.events import EVENTS

    entry = EVENTS.get(kind)
    return entry.email_default if entry else True


def _notification_write(user, text, link, *, email: bool, category: str) -> Notification | None:
    if user is None or not getattr(user, "pk", None) or not user.is_active:
        return None
    text = str(text)
    notification = Notification(
        recipient=user, text=text[:TEXT_LIMIT], link=link or "", category=category[:40]
    )
    notification.full_clean()
    notification.emailed = bool(email and user.email and wants_email(user, category))
    notification.save()
    return notification


def _email_on_commit(ids: list[int]) -> None:
    if ids:
        transaction.on_commit(lambda: _email_job_enqueue(ids))


def _email_job_enqueue(ids: list[int]) -> None:
    from treem.jobs.services import job_enqueue_system
    from treem.notifications.tasks import EMAIL_KIND

    # No subject: the job's label says what it does (the notifications are its arguments).
    job_enqueue_system(kind=EMAIL_KIND, arguments={"notifications": ids})


def email_body(text: str, link: str) -> str:
    base = getattr(settings, "TREEM_SITE_URL", "").rstrip("/")
    lines = [text, ""]
    if link:
        lines.append(f"{base}{link}" if base and link.startswith("/") else link)
        lines.append("")
    lines.append(_("This message was sent by treem, the child protection information system."))
    return "\n".join(lines)


def notifications_email(ids: list[int]) -> tuple[int, int]:
    """Send the e-mails of these notifications not sent yet (the job's work); returns (sent, failed)."""
    sent = failed = 0
    pending = (
        Notification.objects.filter(pk__in=ids, emailed=True, emailed_at__isnull=True)
        .select_related("recipient")
        .order_by("pk")
    )
    for notification in pending:
        address = notification.recipient.email
        if not address or not notification.recipient.is_active:
            continue
        subject = f"[treem] {notification.text}"[:150].replace("\n", " ")
        try:
            send_mail(
                subject,
                email_body(notification.text, notification.link),
                settings.DEFAULT_FROM_EMAIL,
                [address],
            )
        except Exception:  # the inbox holds the notification; the job fails and may be retried
            logger.exception("could not send the e-mail of notification %s", notification.pk)
            failed += 1
            continue
        Notification.objects.filter(pk=notification.pk).update(emailed_at=timezone.now())
        sent += 1
    return sent, failed


@transaction.atomic
def email_preferences_save(*, acting_user, choices: dict[str, bool]) -> dict[str, list]:
    """Record the user's own e-mail choice per kind of event (audited); returns the changes."""
    from treem.notifications.events import EVENTS

    if not (acting_user and acting_user.is_authenticated and acting_user.is_active):
        raise ScopeError("notifications.change_emailpreference")
    unknown = sorted(set(choices) - set(EVENTS))
    if unknown:
        raise ValidationError(_("Unknown kinds of event: %(kinds)s.") % {"kinds": ", ".join(unknown)})
    own = EmailPreference.objects.restrict(acting_user, "change")
    current = {p.kind: p for p in own.select_for_update()}
    changes: dict[str, list] = {}
    for kind, email in choices.items():
        email = bool(email)
        before = current[kind].email if kind in current else EVENTS[kind].email_default
        if before == email:
            continue
        EmailPreference.objects.update_or_create(user=acting_user, kind=kind, defaults={"email": email})
        changes[kind] = [before, email]
    if changes:
        audit_record(acting_user, "notifications.preferences.changed", acting_user, changes=changes)
    return changes


def notifications_mark_opened(*, acting_user, paths: list[str]) -> tuple[int, int]:
    """The user opened a page: mark read their unread notifications that link to it.

    One indexed query (recipient, read_at) counts the unread and those linking here; a second
    marks these read, only when there are any. Returns (unread left, marked read).
    """
    from django.db.models import Count, Q

    unread = Notification.objects.restrict(acting_user, "change").unread()
    if not paths:
        return unread.count(), 0
    counts = unread.aggregate(total=Count("pk"), here=Count("pk", filter=Q(link__in=paths)))
    here = counts["here"] or 0
    if here:
        here = unread.filter(link__in=paths).update(read_at=timezone.now())
    return (counts["total"] or 0) - here, here


def notification_mark_read(*, acting_user, notification: Notification) -> Notification:
    """Mark one of the user's own notifications read (someone else's: refused)."""
    if not Notification.objects.restrict(acting_user, "change").filter(pk=notification.pk).exists():
        raise ScopeError("notifications.change_notification")
    if notification.read_at is None:
        notification.read_at = timezone.now()
        notification.save(update_fields=["read_at"])
    return notification


def notifications_mark_all_read(*, acting_user) -> int:
    """Mark every unread notification of the user read; returns how many."""
    return Notification.objects.restrict(acting_user, "change").unread().update(read_at=timezone.now())

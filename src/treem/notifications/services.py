"""Writes of notifications: ``notify`` (for every app), marking read.

``notify(user, text, link)`` is the one call other apps make (the deadline checks, later the
plans' reminders). The text is shown as it is: callers pass a translated sentence that names a
record by its number or title, never a case's content. The e-mail leaves when the caller's
transaction commits (``on_commit``): work that is rolled back sends nothing.
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from treem.core.scope import ScopeError
from treem.notifications.models import Notification

logger = logging.getLogger(__name__)
TEXT_LIMIT = 255


def notify(user, text: str, link: str = "", *, email: bool = True, category: str = "") -> Notification | None:
    """Put ``text`` (with a ``link`` to the page concerned) in ``user``'s inbox, and e-mail it.

    Inactive users and users without an account get nothing (returns None). The e-mail goes only
    to users with an address, after the surrounding transaction commits.
    """
    if user is None or not getattr(user, "pk", None) or not user.is_active:
        return None
    text = str(text)
    notification = Notification(
        recipient=user, text=text[:TEXT_LIMIT], link=link or "", category=category[:40]
    )
    notification.full_clean()
    send = bool(email and user.email)
    notification.emailed = send
    notification.save()
    if send:
        transaction.on_commit(lambda: _send_email(user.email, text, link))
    return notification


def email_body(text: str, link: str) -> str:
    base = getattr(settings, "TREEM_SITE_URL", "").rstrip("/")
    lines = [text, ""]
    if link:
        lines.append(f"{base}{link}" if base and link.startswith("/") else link)
        lines.append("")
    lines.append(_("This message was sent by treem, the child protection information system."))
    return "\n".join(lines)


def _send_email(address: str, text: str, link: str) -> None:
    subject = f"[treem] {text}"[:150].replace("\n", " ")
    try:
        send_mail(subject, email_body(text, link), settings.DEFAULT_FROM_EMAIL, [address])
    except Exception:  # the inbox holds the notification; a mail server that is down is logged
        logger.exception("could not send a notification e-mail to %s", address)


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

"""In-app notifications (thông báo) and the record of deadline alerts already sent.

A ``Notification`` is one line in a user's inbox: a short text that never holds a case's content
(a case shows by its number), a link to the page it is about, read or not. ``notify`` writes it
and, unless told otherwise, sends the same text by e-mail.

An ``EmailPreference`` says whether a user wants e-mail for one kind of event (the kinds are the
entries of ``events.EVENTS``); without one, the kind's default applies. In-app is always on.

A ``DeadlineAlert`` remembers that a deadline of a case was announced in a state (due soon,
overdue, escalated to the supervisor), so that the periodic check sends each alert once.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from treem.core.scope import ACTIONS, RestrictedQuerySet


class OwnQuerySet(RestrictedQuerySet):
    """Records that are one user's only (``owner_field``): nobody else sees them, whatever their role."""

    def restrict(self, user, action: str = "view") -> RestrictedQuerySet:
        if action not in ACTIONS:
            raise ValueError(f"Unknown action {action!r}")
        if user is None or not user.is_authenticated or not user.is_active:
            return self.none()
        if action not in ("view", "change"):
            return self.none()
        return self.filter(**{self.model.owner_field: user})


class NotificationQuerySet(OwnQuerySet):
    """A notification is its recipient's only."""

    def unread(self):
        return self.filter(read_at__isnull=True)


class Notification(models.Model):
    """One message to one user: what happened (no narrative), where to look, read or not."""

    # The recipient's units (declared for the system check); ``restrict`` limits to the recipient.
    scope_path_lookup = "recipient__unit_assignments__unit__path"
    owner_field = "recipient"

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recipient"),
        on_delete=models.CASCADE,
        related_name="notifications",
    )
    text = models.CharField(_("text"), max_length=255)
    link = models.CharField(_("link"), max_length=500, blank=True)
    category = models.CharField(_("category"), max_length=40, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)
    emailed = models.BooleanField(_("sent by e-mail"), default=False)
    emailed_at = models.DateTimeField(
        _("e-mailed at"), null=True, blank=True, help_text=_("Empty while the e-mail waits in the job queue.")
    )

    objects = NotificationQuerySet.as_manager()

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["recipient", "read_at"], name="notifications_recipient_read")]

    def __str__(self) -> str:
        return self.text

    @property
    def is_read(self) -> bool:
        return self.read_at is not None


class EmailPreference(models.Model):
    """Whether a user wants e-mail for one kind of event (no row: the kind's default)."""

    scope_path_lookup = "user__unit_assignments__unit__path"
    owner_field = "user"

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        related_name="notification_email_preferences",
    )
    kind = models.CharField(_("kind of event"), max_length=64)
    email = models.BooleanField(_("send by e-mail"), default=True)

    objects = OwnQuerySet.as_manager()

    class Meta:
        verbose_name = _("e-mail preference")
        verbose_name_plural = _("e-mail preferences")
        ordering = ["user_id", "kind"]
        constraints = [
            models.UniqueConstraint(fields=["user", "kind"], name="notifications_preference_once_per_kind")
        ]

    def __str__(self) -> str:
        return f"{self.user} {self.kind}: {'e-mail' if self.email else 'in-app only'}"


class Announcement(models.Model):
    """An event announced once for a record by a periodic check (a recommendation due soon or
    overdue): the check runs every day, the owners hear of each state once."""

    scope_path_lookup = ""  # bookkeeping of the checks: no page lists it

    kind = models.CharField(_("kind of event"), max_length=64)
    key = models.CharField(_("record and state"), max_length=100)
    announced_at = models.DateTimeField(_("announced at"))
    recipients = models.PositiveIntegerField(_("recipients"), default=0)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        verbose_name = _("announcement")
        verbose_name_plural = _("announcements")
        ordering = ["-announced_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["kind", "key"], name="notifications_announced_once")]

    def __str__(self) -> str:
        return f"{self.kind} {self.key}"


class AlertState(models.TextChoices):
    DUE_SOON = "due_soon", _("Due soon")
    OVERDUE = "overdue", _("Overdue")
    ESCALATED = "escalated", _("Escalated to the supervisor")


class DeadlineAlert(models.Model):
    """A deadline of a case announced in one state (sent once: the periodic check is idempotent)."""

    scope_path_lookup = "deadline__case__commune__path"

    deadline = models.ForeignKey(
        "cases.Deadline", verbose_name=_("deadline"), on_delete=models.CASCADE, related_name="+"
    )
    state = models.CharField(_("state"), max_length=12, choices=AlertState.choices)
    due_at = models.DateTimeField(
        _("due at"), help_text=_("The deadline's date when announced: a moved deadline is announced again.")
    )
    sent_at = models.DateTimeField(_("sent at"))
    recipients = models.PositiveIntegerField(_("recipients"), default=0)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        verbose_name = _("deadline alert")
        verbose_name_plural = _("deadline alerts")
        ordering = ["-sent_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["deadline", "state", "due_at"], name="notifications_alert_once_per_state"
            ),
            models.CheckConstraint(
                condition=Q(state__in=AlertState.values), name="notifications_alert_state_known"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.deadline} {self.get_state_display()}"

    def audit_unit(self):
        return self.deadline.case.commune

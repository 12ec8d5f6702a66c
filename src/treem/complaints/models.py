"""The register of complaints, denunciations and petitions (sổ tiếp nhận khiếu nại, tố cáo; ý kiến,
kiến nghị của trẻ em) about children's rights and protection.

Each entry: its kind, when it was received, from whom (a child, a parent, a guardian, an
organisation; the name is optional and, with the contact and the details, encrypted at rest: the
Law on Denunciations protects the identity of whoever denounces), what it is about (a short
subject, shown in lists), the unit that received it, the agency assigned to settle it, the legal
deadline (``deadlines.due_on``), the answer and the day it was closed. An open entry past its
deadline is overdue.
"""

from __future__ import annotations

from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from treem.cases.encryption import EncryptedTextField
from treem.complaints.choices import ComplaintKind, ComplaintStatus, SenderKind
from treem.core.models import TrackedModel

NUMBER_PREFIX = {"complaint": "KN", "denunciation": "TC", "petition": "KNTE"}


class Complaint(TrackedModel):
    """One complaint, denunciation or petition, from receipt to closure."""

    scope_path_lookup = "unit__path"
    audit_redact_fields = ("sender_name", "sender_contact", "details", "answer")

    number = models.CharField(_("register number"), max_length=30, unique=True, editable=False)
    kind = models.CharField(_("kind"), max_length=20, choices=ComplaintKind.choices)
    received_on = models.DateField(_("received on"))
    sender_kind = models.CharField(_("sent by"), max_length=20, choices=SenderKind.choices)
    sender_name = EncryptedTextField(_("sender's name"), blank=True, help_text=_("Optional."))
    sender_contact = EncryptedTextField(_("sender's address or phone"), blank=True)
    subject = models.CharField(
        _("subject"), max_length=255, help_text=_("A short subject, shown in lists: no names, no details.")
    )
    details = EncryptedTextField(_("details"), blank=True)
    unit = models.ForeignKey(
        "geo.Unit", verbose_name=_("unit receiving it"), on_delete=models.PROTECT, related_name="+"
    )
    agency = models.ForeignKey(
        "accounts.Agency",
        verbose_name=_("agency assigned"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    complex_matter = models.BooleanField(
        _("complex matter"),
        default=False,
        help_text=_("A complex complaint has 45 days; a complex denunciation's deadline is extended."),
    )
    due_on = models.DateField(_("legal deadline"), editable=False)
    deadline_rule = models.CharField(_("deadline rule"), max_length=80, blank=True, editable=False)
    answer = EncryptedTextField(_("answer"), blank=True)
    answered_on = models.DateField(_("answered on"), null=True, blank=True)
    closed_on = models.DateField(_("closed on"), null=True, blank=True)

    class Meta:
        verbose_name = _("complaint or petition")
        verbose_name_plural = _("complaints and petitions")
        ordering = ["-received_on", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(closed_on__isnull=True) | Q(closed_on__gte=F("received_on")),
                name="complaints_closed_after_received",
            ),
            models.CheckConstraint(
                condition=Q(answered_on__isnull=True) | Q(answered_on__gte=F("received_on")),
                name="complaints_answered_after_received",
            ),
            models.CheckConstraint(
                condition=Q(closed_on__isnull=True) | Q(answered_on__isnull=False),
                name="complaints_closed_only_answered",
            ),
            models.CheckConstraint(condition=Q(kind__in=ComplaintKind.values), name="complaints_kind_known"),
        ]
        indexes = [models.Index(fields=["unit", "closed_on", "due_on"], name="complaints_open_due_idx")]

    def __str__(self) -> str:
        return self.number

    def get_absolute_url(self) -> str:
        return reverse("complaints:complaint_detail", args=[self.pk])

    def audit_unit(self):
        return self.unit

    @property
    def status(self) -> str:
        if self.closed_on:
            return ComplaintStatus.CLOSED
        if self.answered_on:
            return ComplaintStatus.ANSWERED
        return ComplaintStatus.OPEN

    def get_status_display(self) -> str:
        return ComplaintStatus(self.status).label

    def is_overdue(self, today=None) -> bool:
        """Still open (not closed) after its legal deadline."""
        today = today or timezone.localdate()
        return self.closed_on is None and today > self.due_on

    @property
    def overdue(self) -> bool:
        return self.is_overdue()

    @property
    def closed_late(self) -> bool:
        return self.closed_on is not None and self.closed_on > self.due_on

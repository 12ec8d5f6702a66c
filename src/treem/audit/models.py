"""The audit log: append-only, hash-chained events written in the same transaction as the change."""

from __future__ import annotations

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils.translation import gettext_lazy as _

from treem.core.scope import RestrictedQuerySet


class AuditEventQuerySet(RestrictedQuerySet):
    def for_object(self, obj: models.Model) -> AuditEventQuerySet:
        return self.filter(content_type=ContentType.objects.get_for_model(obj), object_id=str(obj.pk))

    def update(self, **kwargs):
        raise PermissionError("Audit events are append-only")

    def delete(self):
        raise PermissionError("Audit events are append-only")


class AuditEvent(models.Model):
    """One thing that happened: who did what to which record, when, from where, and why.

    ``hash`` is SHA-256 over the previous event's hash and this event's content, so editing or
    deleting any event breaks the chain (``treem audit_verify``).
    """

    scope_path_lookup = "unit__path"

    at = models.DateTimeField(_("at"), db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    actor_label = models.CharField(_("user name"), max_length=150, blank=True)
    action = models.CharField(_("action"), max_length=80, db_index=True)
    content_type = models.ForeignKey(
        ContentType, verbose_name=_("record type"), null=True, blank=True, on_delete=models.PROTECT
    )
    object_id = models.CharField(_("record id"), max_length=64, blank=True)
    object_label = models.CharField(_("record"), max_length=255, blank=True)
    unit = models.ForeignKey(
        "geo.Unit", verbose_name=_("unit"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    changes = models.JSONField(_("changes"), default=dict, blank=True)
    reason = models.TextField(_("reason"), blank=True)
    ip_address = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    request_id = models.CharField(_("request id"), max_length=64, blank=True)
    prev_hash = models.CharField(_("previous hash"), max_length=64)
    hash = models.CharField(_("hash"), max_length=64, unique=True)

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        verbose_name = _("audit event")
        verbose_name_plural = _("audit events")
        ordering = ["-id"]
        indexes = [models.Index(fields=["content_type", "object_id"], name="audit_event_object_idx")]

    def __str__(self) -> str:
        return f"{self.at:%d/%m/%Y %H:%M} {self.actor_label} {self.action} {self.object_label}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise PermissionError("Audit events are append-only")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PermissionError("Audit events are append-only")


class AuditChainHead(models.Model):
    """A single row holding the last event's hash; locking it orders concurrent writers."""

    last_event_id = models.BigIntegerField(_("last event"), default=0)
    last_hash = models.CharField(_("last hash"), max_length=64, default="0" * 64)

    class Meta:
        verbose_name = _("audit chain head")
        verbose_name_plural = _("audit chain heads")
        ordering = ["id"]

    def __str__(self) -> str:
        return f"#{self.last_event_id} {self.last_hash[:12]}"

"""Base models shared by every app: timestamps, authorship, and the restricted queryset."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from treem.core.scope import RestrictedQuerySet


class TrackedModel(models.Model):
    """A model that knows when and by whom it was created and last changed."""

    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("updated by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        abstract = True


class RateCounter(models.Model):
    """Requests counted for one key (``scope:client``) in one fixed time window (core/ratelimit.py).

    Kept in the database rather than a cache so that every web node counts the same requests with
    nothing but PostgreSQL (or SQLite for the demo) to run, and so that the increment is atomic.
    """

    key = models.CharField(max_length=200)
    window = models.BigIntegerField()  # the window's start, in periods since the epoch
    hits = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["key", "window"], name="core_ratecounter_key_window")]

    def __str__(self) -> str:
        return f"{self.key} @ {self.window}: {self.hits}"

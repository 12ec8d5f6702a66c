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

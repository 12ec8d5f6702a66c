"""Communication campaigns (truyền thông): the yearly peak dates and the activities of agencies.

Who sees what
    Recurring events are reference data: anyone holding the permission reads them, the
    coordinator changes them. A campaign belongs to the unit where it takes place and is seen by
    the users of that unit and those above it.
"""

from __future__ import annotations

import datetime as dt

from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from treem.campaigns import lunar
from treem.core.models import TrackedModel
from treem.core.scope import RestrictedQuerySet


class CalendarKind(models.TextChoices):
    SOLAR = "solar", _("Solar (Gregorian) date")
    LUNAR = "lunar", _("Lunar date (Vietnamese calendar)")


class Channel(models.TextChoices):
    RADIO_TV = "radio_tv", _("Radio and television")
    PRESS = "press", _("Press")
    ONLINE = "online", _("Online and social networks")
    DIRECT = "direct", _("Direct (meetings, events, home visits)")


class RecurringEvent(models.Model):
    """A day (or period) that comes back every year: 01/6, Tết Trung thu (15/8 lunar), …"""

    scope_path_lookup = ""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=200)
    calendar = models.CharField(_("calendar"), max_length=10, choices=CalendarKind.choices)
    month = models.PositiveSmallIntegerField(_("month"))
    day = models.PositiveSmallIntegerField(_("day"))
    duration_days = models.PositiveSmallIntegerField(_("lasts (days)"), default=1)
    note = models.CharField(_("note"), max_length=255, blank=True)
    order = models.PositiveSmallIntegerField(_("order"), default=100)
    active = models.BooleanField(_("shown on the calendar"), default=True)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        verbose_name = _("recurring event")
        verbose_name_plural = _("recurring events")
        ordering = ["order", "code"]
        constraints = [
            models.CheckConstraint(
                condition=Q(month__gte=1, month__lte=12, day__gte=1, day__lte=31),
                name="campaigns_event_day_range",
            ),
            models.CheckConstraint(
                condition=Q(duration_days__gte=1, duration_days__lte=366),
                name="campaigns_event_duration_range",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_lunar(self) -> bool:
        return self.calendar == CalendarKind.LUNAR

    def dates_in(self, year: int) -> list[dt.date]:
        """The first day of each occurrence in the solar ``year``."""
        if self.is_lunar:
            return lunar.occurrences_in(year, self.month, self.day)
        try:
            return [dt.date(year, self.month, self.day)]
        except ValueError:  # 29/02 in a common year
            return [dt.date(year, self.month, 28)]


class Campaign(TrackedModel):
    """A communication campaign or activity of an agency in a unit, with its reach and cost."""

    scope_path_lookup = "unit__path"

    title = models.CharField(_("title"), max_length=255)
    agency = models.ForeignKey(
        "accounts.Agency", verbose_name=_("agency"), on_delete=models.PROTECT, related_name="+"
    )
    unit = models.ForeignKey("geo.Unit", verbose_name=_("unit"), on_delete=models.PROTECT, related_name="+")
    event = models.ForeignKey(
        RecurringEvent,
        verbose_name=_("peak date"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="campaigns",
    )
    starts_on = models.DateField(_("first day"))
    ends_on = models.DateField(_("last day"))
    channels = models.JSONField(_("channels"), default=list)
    reach_people = models.PositiveIntegerField(_("people reached"), default=0)
    reach_children = models.PositiveIntegerField(_("children reached"), default=0)
    materials = models.TextField(_("materials"), blank=True)
    budget_used = models.PositiveBigIntegerField(_("budget used (VND)"), default=0)
    notes = models.TextField(_("notes"), blank=True)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        verbose_name = _("campaign")
        verbose_name_plural = _("campaigns")
        ordering = ["-starts_on", "title", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__gte=F("starts_on")), name="campaigns_campaign_period_ordered"
            ),
            models.CheckConstraint(
                condition=Q(reach_children__lte=F("reach_people")),
                name="campaigns_campaign_children_in_people",
            ),
        ]
        indexes = [models.Index(fields=["starts_on"], name="campaigns_start_idx")]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("campaigns:campaign_detail", args=[self.pk])

    def channel_labels(self) -> list[str]:
        labels = dict(Channel.choices)
        return [str(labels.get(c, c)) for c in self.channels]

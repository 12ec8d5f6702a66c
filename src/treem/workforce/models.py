"""The child-protection workforce (đội ngũ): staff and collaborators, staffing norms, and the
training courses (tập huấn) they and the community attend.

Who sees what
    Staff and courses belong to a unit (a commune or a village; a course may also belong to the
    province) and are seen by the users of that unit and those above it, like every record.
    Participants are read through their course. Norms are reference data of the province: any
    holder of the permission reads them; the coordinator changes them.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from treem.core.models import TrackedModel
from treem.core.scope import RestrictedQuerySet


class StaffPosition(models.TextChoices):
    COMMUNE_OFFICER = "commune_officer", _("Commune child protection officer")
    VILLAGE_COLLABORATOR = "village_collaborator", _("Village collaborator")
    INTERAGENCY_MEMBER = "interagency_member", _("Member of the commune inter-agency group")
    OTHER = "other", _("Other")


class Employment(models.TextChoices):
    FULL_TIME = "full_time", _("Full-time")
    PART_TIME = "part_time", _("Part-time")


class NormScope(models.TextChoices):
    COMMUNE = "commune", _("per commune")
    VILLAGE = "village", _("per village")


class ParticipantKind(models.TextChoices):
    STAFF = "staff", _("Staff or collaborator")
    PARENT = "parent", _("Parent or carer")
    CHILD = "child", _("Child")
    OTHER = "other", _("Other")


class StaffingNorm(models.Model):
    """How many people of a position a commune (or each of its villages) must have.

    Seeded from Resolution 12/2023/NQ-HĐND and Decision 694/QĐ-UBND (``workforce/reference.py``);
    the coordinator edits the figures.
    """

    scope_path_lookup = ""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=200)
    legal_basis = models.CharField(_("legal basis"), max_length=200, blank=True)
    position = models.CharField(_("position"), max_length=30, choices=StaffPosition.choices)
    per = models.CharField(_("applies"), max_length=10, choices=NormScope.choices)
    minimum = models.PositiveSmallIntegerField(_("minimum number"))
    active = models.BooleanField(_("in force"), default=True)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        verbose_name = _("staffing norm")
        verbose_name_plural = _("staffing norms")
        ordering = ["per", "code"]

    def __str__(self) -> str:
        return self.name


class StaffQuerySet(RestrictedQuerySet):
    def active_on(self, day: dt.date) -> StaffQuerySet:
        return self.filter(
            Q(since__isnull=True) | Q(since__lte=day), Q(until__isnull=True) | Q(until__gte=day)
        )

    def active(self) -> StaffQuerySet:
        return self.active_on(timezone.localdate())


class StaffMember(TrackedModel):
    """A person working on child protection in a commune or village, for a period."""

    scope_path_lookup = "unit__path"

    full_name = models.CharField(_("full name"), max_length=150)
    phone = models.CharField(_("phone"), max_length=20, blank=True)
    unit = models.ForeignKey(
        "geo.Unit", verbose_name=_("commune or village"), on_delete=models.PROTECT, related_name="+"
    )
    agency = models.ForeignKey(
        "accounts.Agency",
        verbose_name=_("agency"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    position = models.CharField(_("position"), max_length=30, choices=StaffPosition.choices)
    title = models.CharField(_("title or function"), max_length=150, blank=True)
    employment = models.CharField(
        _("working time"), max_length=10, choices=Employment.choices, default=Employment.PART_TIME
    )
    since = models.DateField(_("since"))
    until = models.DateField(_("until"), null=True, blank=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user account"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    notes = models.TextField(_("notes"), blank=True)

    objects = StaffQuerySet.as_manager()

    class Meta:
        verbose_name = _("staff member")
        verbose_name_plural = _("staff members")
        ordering = ["unit__path", "position", "full_name", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(until__isnull=True) | Q(until__gte=F("since")),
                name="workforce_staff_period_ordered",
            ),
        ]

    def __str__(self) -> str:
        return self.full_name

    def get_absolute_url(self) -> str:
        return reverse("workforce:staff_detail", args=[self.pk])

    def is_active_on(self, day: dt.date | None = None) -> bool:
        day = day or timezone.localdate()
        return self.since <= day and (self.until is None or self.until >= day)


class TrainingCourse(TrackedModel):
    """A training course (lớp tập huấn): topic, organiser, dates, place, participants."""

    scope_path_lookup = "unit__path"

    topic = models.CharField(_("topic"), max_length=255)
    organiser = models.ForeignKey(
        "accounts.Agency", verbose_name=_("organiser"), on_delete=models.PROTECT, related_name="+"
    )
    unit = models.ForeignKey("geo.Unit", verbose_name=_("unit"), on_delete=models.PROTECT, related_name="+")
    starts_on = models.DateField(_("first day"))
    ends_on = models.DateField(_("last day"))
    place = models.CharField(_("place"), max_length=255, blank=True)
    evaluation_score = models.PositiveSmallIntegerField(
        _("evaluation score"), null=True, blank=True, help_text=_("From 1 (poor) to 5 (very good).")
    )
    evaluation = models.TextField(_("evaluation"), blank=True)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        verbose_name = _("training course")
        verbose_name_plural = _("training courses")
        ordering = ["-starts_on", "topic", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__gte=F("starts_on")), name="workforce_course_period_ordered"
            ),
            models.CheckConstraint(
                condition=Q(evaluation_score__isnull=True)
                | Q(evaluation_score__gte=1, evaluation_score__lte=5),
                name="workforce_course_score_range",
            ),
        ]

    def __str__(self) -> str:
        return self.topic

    def get_absolute_url(self) -> str:
        return reverse("workforce:course_detail", args=[self.pk])


class Participant(models.Model):
    """Someone invited to a course: a staff record, or a name with a kind (parent, child…)."""

    scope_path_lookup = "course__unit__path"

    course = models.ForeignKey(
        TrainingCourse, verbose_name=_("course"), on_delete=models.CASCADE, related_name="participants"
    )
    staff = models.ForeignKey(
        StaffMember,
        verbose_name=_("staff member"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="trainings",
    )
    full_name = models.CharField(_("full name"), max_length=150)
    kind = models.CharField(_("kind"), max_length=10, choices=ParticipantKind.choices)
    attended = models.BooleanField(_("attended"), default=False)
    score = models.PositiveSmallIntegerField(_("score"), null=True, blank=True)
    comment = models.CharField(_("comment"), max_length=255, blank=True)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        verbose_name = _("participant")
        verbose_name_plural = _("participants")
        ordering = ["course_id", "full_name", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["course", "staff"],
                condition=Q(staff__isnull=False),
                name="workforce_participant_once",
            ),
            models.CheckConstraint(
                condition=Q(score__isnull=True) | Q(score__lte=100), name="workforce_participant_score_range"
            ),
        ]

    def __str__(self) -> str:
        return self.full_name

    def get_absolute_url(self) -> str:
        return self.course.get_absolute_url()

    def audit_unit(self):
        return self.course.unit

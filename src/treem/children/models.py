"""The child database (cơ sở dữ liệu về trẻ em): children, households, caregivers, special
circumstances as dated memberships, support received and consent.

A child (trẻ em) is a person under 16 (Law on Children 2016, Art. 1); records of 16–17-year-olds
are kept where a source includes them and shown as minors (người chưa thành niên).
"""

from __future__ import annotations

import datetime as dt

from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from treem.children.choices import (
    CaregiverRelationship,
    ConsentPurpose,
    DisabilityLevel,
    IdCheckStatus,
    LegalBasis,
    PovertyStatus,
    SchoolingStatus,
    Sex,
)
from treem.core.models import TrackedModel
from treem.core.scope import RestrictedQuerySet
from treem.core.text import fold

CHILD_AGE_LIMIT = 16
MINOR_AGE_LIMIT = 18


class Ethnicity(models.Model):
    """One of Vietnam's 54 ethnic groups (danh mục dân tộc, General Statistics Office codes)."""

    scope_path_lookup = ""

    code = models.CharField(_("code"), max_length=2, unique=True)
    name = models.CharField(_("name"), max_length=60)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        verbose_name = _("ethnic group")
        verbose_name_plural = _("ethnic groups")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name


class CircumstanceGroup(models.Model):
    """A group of children in special circumstances (Law on Children Art. 10, a–o), a Decree 56
    sub-group (``parent`` set), or the at-risk group. Reference data with validity dates."""

    scope_path_lookup = ""

    code = models.CharField(_("code"), max_length=10, unique=True)
    name = models.CharField(_("name"), max_length=255)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("group"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="subgroups",
    )
    legal_basis = models.CharField(_("legal basis"), max_length=255, blank=True)
    is_special_circumstance = models.BooleanField(
        _("special circumstance"), default=True, help_text=_("False for the at-risk group.")
    )
    valid_from = models.DateField(_("valid from"), null=True, blank=True)
    valid_to = models.DateField(_("valid to"), null=True, blank=True)
    sort_order = models.PositiveSmallIntegerField(_("order"), default=0)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        verbose_name = _("special circumstance group")
        verbose_name_plural = _("special circumstance groups")
        ordering = ["sort_order", "code"]

    def __str__(self) -> str:
        # The law's items are known by their letter ("l) Trẻ em bị xâm hại tình dục"); other codes
        # ("nguy-co") are the system's own and never shown.
        return f"{self.code}) {self.name}" if self.code.isalpha() and len(self.code) <= 2 else self.name


class Household(TrackedModel):
    """A household (hộ gia đình) of a commune, with its poverty status."""

    scope_path_lookup = "commune__path"

    commune = models.ForeignKey(
        "geo.Unit", verbose_name=_("commune"), on_delete=models.PROTECT, related_name="+"
    )
    village = models.ForeignKey(
        "geo.Unit",
        verbose_name=_("village"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    head_name = models.CharField(_("head of household"), max_length=150)
    address = models.CharField(_("address"), max_length=255, blank=True)
    phone = models.CharField(_("phone"), max_length=20, blank=True)
    poverty_status = models.CharField(
        _("poverty status"), max_length=10, choices=PovertyStatus.choices, default=PovertyStatus.NONE
    )
    source_key = models.CharField(_("source key"), max_length=100, blank=True)

    class Meta:
        verbose_name = _("household")
        verbose_name_plural = _("households")
        ordering = ["commune_id", "head_name", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["commune", "source_key"],
                condition=~Q(source_key=""),
                name="children_household_source_unique",
            )
        ]

    def __str__(self) -> str:
        return self.head_name

    def audit_unit(self):
        return self.commune


class HouseholdMember(models.Model):
    """A person living in a household (for context; children have their own record)."""

    scope_path_lookup = "household__commune__path"

    household = models.ForeignKey(
        Household, verbose_name=_("household"), on_delete=models.CASCADE, related_name="members"
    )
    full_name = models.CharField(_("full name"), max_length=150)
    relationship_to_head = models.CharField(_("relationship to the head"), max_length=60, blank=True)
    birth_year = models.PositiveSmallIntegerField(_("year of birth"), null=True, blank=True)
    sex = models.CharField(_("sex"), max_length=10, choices=Sex.choices, default=Sex.UNKNOWN)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        verbose_name = _("household member")
        verbose_name_plural = _("household members")
        ordering = ["household_id", "id"]

    def __str__(self) -> str:
        return self.full_name


class ChildQuerySet(RestrictedQuerySet):
    def aged_between(self, low: int, high: int, *, on: dt.date | None = None) -> ChildQuerySet:
        """Children whose age on ``on`` (today) is at least ``low`` and below ``high`` years."""
        on = on or timezone.localdate()
        return self.filter(birth_year__gt=on.year - high, birth_year__lte=on.year - low)


class Child(TrackedModel):
    """A child of the child database, resident in a commune (and village where known)."""

    scope_path_lookup = "commune__path"
    audit_redact_fields = ("notes",)

    commune = models.ForeignKey(
        "geo.Unit", verbose_name=_("commune of residence"), on_delete=models.PROTECT, related_name="+"
    )
    village = models.ForeignKey(
        "geo.Unit",
        verbose_name=_("village"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    full_name = models.CharField(_("full name"), max_length=150)
    name_folded = models.CharField(
        _("name without diacritics"), max_length=150, db_index=True, editable=False
    )
    sex = models.CharField(_("sex"), max_length=10, choices=Sex.choices)
    birth_date = models.DateField(_("date of birth"), null=True, blank=True)
    birth_year = models.PositiveSmallIntegerField(
        _("year of birth"), db_index=True, help_text=_("Estimated where the date of birth is unknown.")
    )
    personal_id = models.CharField(
        _("personal identification number"),
        max_length=12,
        blank=True,
        help_text=_("Số định danh cá nhân (12 digits)."),
    )
    ethnicity = models.ForeignKey(
        Ethnicity, verbose_name=_("ethnic group"), null=True, blank=True, on_delete=models.PROTECT
    )
    nationality = models.CharField(_("nationality"), max_length=2, default="VN")
    birth_registered = models.BooleanField(_("birth registered"), null=True, blank=True)
    birth_registration_place = models.CharField(_("place of birth registration"), max_length=255, blank=True)
    household = models.ForeignKey(
        Household,
        verbose_name=_("household"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="children",
    )
    school = models.CharField(_("school"), max_length=200, blank=True)
    grade = models.CharField(_("grade"), max_length=20, blank=True)
    schooling_status = models.CharField(
        _("schooling"), max_length=12, choices=SchoolingStatus.choices, default=SchoolingStatus.UNKNOWN
    )
    health_insurance = models.BooleanField(_("health insurance card"), null=True, blank=True)
    disability_type = models.CharField(_("type of disability"), max_length=100, blank=True)
    disability_level = models.CharField(
        _("level of disability"), max_length=20, choices=DisabilityLevel.choices, blank=True, default=""
    )
    notes = models.TextField(_("notes"), blank=True)
    id_check_status = models.CharField(
        _("national database check"),
        max_length=12,
        choices=IdCheckStatus.choices,
        default=IdCheckStatus.NOT_CHECKED,
    )
    id_checked_at = models.DateTimeField(_("checked at"), null=True, blank=True)
    source = models.CharField(_("source"), max_length=60, blank=True)
    source_key = models.CharField(_("source key"), max_length=100, blank=True)
    is_active = models.BooleanField(
        _("in the registry"),
        default=True,
        help_text=_("False once the child moved away, died or was merged."),
    )
    inactive_reason = models.CharField(_("reason for leaving the registry"), max_length=255, blank=True)
    merged_into = models.ForeignKey(
        "self",
        verbose_name=_("merged into"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    objects = ChildQuerySet.as_manager()

    class Meta:
        verbose_name = _("child")
        verbose_name_plural = _("children")
        permissions = [("view_statistics", _("Can see statistics of children (no individual records)"))]
        ordering = ["commune_id", "name_folded", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["personal_id"],
                condition=~Q(personal_id="") & Q(is_active=True),
                name="children_child_personal_id_unique",
            ),
            models.UniqueConstraint(
                # The key first: an importer looks up a batch's keys with one IN on this index.
                fields=["source_key", "source"],
                condition=~Q(source_key=""),
                name="children_child_source_key_unique",
            ),
            models.CheckConstraint(
                condition=Q(birth_year__gte=1900) & Q(birth_year__lte=2200),
                name="children_child_birth_year_range",
            ),
        ]
        indexes = [
            models.Index(fields=["commune", "birth_year"], name="children_commune_year_idx"),
            models.Index(fields=["commune", "is_active"], name="children_commune_active_idx"),
        ]

    def __str__(self) -> str:
        return self.full_name

    def save(self, *args, **kwargs):
        self.name_folded = fold(self.full_name)
        if self.birth_date:
            self.birth_year = self.birth_date.year
        if kwargs.get("update_fields") is not None:
            kwargs["update_fields"] = {*kwargs["update_fields"], "name_folded", "birth_year"}
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return reverse("children:child_detail", args=[self.pk])

    def audit_unit(self):
        return self.commune

    def age_on(self, day: dt.date | None = None) -> int:
        """Age in whole years on ``day`` (by year only when the date of birth is unknown)."""
        day = day or timezone.localdate()
        if self.birth_date:
            before_birthday = (day.month, day.day) < (self.birth_date.month, self.birth_date.day)
            return day.year - self.birth_date.year - before_birthday
        return day.year - self.birth_year

    @property
    def is_child(self) -> bool:
        return self.age_on() < CHILD_AGE_LIMIT

    @property
    def is_minor_over_child_age(self) -> bool:
        """16–17 years old: người chưa thành niên, no longer a child under the Law on Children."""
        return CHILD_AGE_LIMIT <= self.age_on() < MINOR_AGE_LIMIT


class Caregiver(models.Model):
    """A person caring for a child: father, mother, guardian or another carer."""

    scope_path_lookup = "child__commune__path"

    child = models.ForeignKey(
        Child, verbose_name=_("child"), on_delete=models.CASCADE, related_name="caregivers"
    )
    relationship = models.CharField(_("relationship"), max_length=12, choices=CaregiverRelationship.choices)
    full_name = models.CharField(_("full name"), max_length=150)
    birth_year = models.PositiveSmallIntegerField(_("year of birth"), null=True, blank=True)
    phone = models.CharField(_("phone"), max_length=20, blank=True)
    occupation = models.CharField(_("occupation"), max_length=100, blank=True)
    lives_with_child = models.BooleanField(_("lives with the child"), default=True)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        verbose_name = _("caregiver")
        verbose_name_plural = _("caregivers")
        ordering = ["child_id", "relationship", "id"]

    def __str__(self) -> str:
        return f"{self.full_name} ({self.get_relationship_display()})"


class CircumstanceMembership(TrackedModel):
    """A child's time in a special-circumstance or at-risk group: entered, left, why, per whom."""

    scope_path_lookup = "child__commune__path"

    child = models.ForeignKey(
        Child, verbose_name=_("child"), on_delete=models.CASCADE, related_name="circumstances"
    )
    group = models.ForeignKey(CircumstanceGroup, verbose_name=_("group"), on_delete=models.PROTECT)
    entered_on = models.DateField(_("entered on"))
    left_on = models.DateField(_("left on"), null=True, blank=True)
    reason = models.CharField(_("reason"), max_length=255, blank=True)
    left_reason = models.CharField(_("reason for leaving"), max_length=255, blank=True)
    source = models.CharField(_("source"), max_length=100, blank=True)

    class Meta:
        verbose_name = _("special circumstance")
        verbose_name_plural = _("special circumstances")
        ordering = ["child_id", "-entered_on", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(left_on__isnull=True) | Q(left_on__gte=models.F("entered_on")),
                name="children_membership_period_ordered",
            ),
        ]
        indexes = [models.Index(fields=["group", "left_on"], name="children_membership_group_idx")]

    def __str__(self) -> str:
        return f"{self.child} — {self.group}"

    def audit_unit(self):
        return self.child.commune

    def is_current(self, day: dt.date | None = None) -> bool:
        day = day or timezone.localdate()
        return self.entered_on <= day and (self.left_on is None or self.left_on >= day)


class Support(TrackedModel):
    """Support a child received (trợ giúp): what, when, from which agency, how much."""

    scope_path_lookup = "child__commune__path"

    child = models.ForeignKey(
        Child, verbose_name=_("child"), on_delete=models.CASCADE, related_name="supports"
    )
    kind = models.CharField(_("kind of support"), max_length=100)
    description = models.CharField(_("description"), max_length=255, blank=True)
    given_on = models.DateField(_("given on"))
    agency = models.ForeignKey(
        "accounts.Agency",
        verbose_name=_("agency"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    amount_vnd = models.BigIntegerField(_("amount (VND)"), null=True, blank=True)

    class Meta:
        verbose_name = _("support received")
        verbose_name_plural = _("support received")
        ordering = ["child_id", "-given_on", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(amount_vnd__isnull=True) | Q(amount_vnd__gte=0),
                name="children_support_amount_positive",
            )
        ]

    def __str__(self) -> str:
        return f"{self.kind} ({self.given_on:%d/%m/%Y})"

    def audit_unit(self):
        return self.child.commune


class Consent(TrackedModel):
    """Consent to process a child's data for a purpose (Decree 13/2023 Art. 20, Law 91/2025 Art. 24).

    The child's own consent is needed from age 7. Processing allowed by law without consent is
    recorded with its legal basis instead. Withdrawn consent stops the uses that need it.
    """

    scope_path_lookup = "child__commune__path"

    child = models.ForeignKey(
        Child, verbose_name=_("child"), on_delete=models.CASCADE, related_name="consents"
    )
    purpose = models.CharField(_("purpose"), max_length=20, choices=ConsentPurpose.choices)
    legal_basis = models.CharField(
        _("legal basis"), max_length=12, choices=LegalBasis.choices, default=LegalBasis.CONSENT
    )
    given_by = models.CharField(_("given by (parent or guardian)"), max_length=150, blank=True)
    given_by_relationship = models.CharField(
        _("relationship to the child"), max_length=12, choices=CaregiverRelationship.choices, blank=True
    )
    child_agreed = models.BooleanField(_("the child agreed"), null=True, blank=True)
    given_on = models.DateField(_("date"))
    withdrawn_on = models.DateField(_("withdrawn on"), null=True, blank=True)
    note = models.CharField(_("note"), max_length=255, blank=True)

    class Meta:
        verbose_name = _("consent")
        verbose_name_plural = _("consents")
        ordering = ["child_id", "purpose", "-given_on", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(withdrawn_on__isnull=True) | Q(withdrawn_on__gte=models.F("given_on")),
                name="children_consent_withdrawn_after_given",
            )
        ]

    def __str__(self) -> str:
        return f"{self.child} — {self.get_purpose_display()}"

    def audit_unit(self):
        return self.child.commune

    def is_active(self, day: dt.date | None = None) -> bool:
        day = day or timezone.localdate()
        return self.given_on <= day and (self.withdrawn_on is None or self.withdrawn_on > day)


from treem.children.models_duplicates import DuplicateCandidate  # noqa: E402, F401

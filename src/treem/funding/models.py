"""Money for children (plan sections II.5–II.7 and III): the budget (kinh phí) per agency,
programme, year and source; donors, donations and their use (xã hội hoá); sponsorship of children
(nhận đỡ đầu); international cooperation projects (hợp tác quốc tế); the public transparency
report.

Amounts are whole Vietnamese dong (``PositiveBigIntegerField``), never floats. Money received in
another currency keeps its original amount and the exchange rate beside the dong figure.

Who sees what
    A budget line belongs to its agency's unit; donations and usage records to the unit that
    received or used them; a donor is seen from its unit, the units below and those above it (a
    commune officer records a donation from a province's donor). A sponsorship is scoped through
    its child's commune, so only users with the child in scope ever see which child it is, and a
    child who moves takes it along. A sponsorship's label is its number, never the child's name.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from treem.core.models import TrackedModel
from treem.core.scope import CoveringQuerySet, RestrictedQuerySet
from treem.funding.choices import (
    DonationKind,
    DonorKind,
    EntryKind,
    Purpose,
    SettlementStatus,
    Source,
    SponsorshipStatus,
)

TOTALS_PERMISSION = "funding.view_totals"
MANAGE_BUDGET_PERMISSION = "funding.manage_budget"
PUBLISH_PERMISSION = "funding.publish_report"


class Money(models.Model):
    """An amount in dong, with the original currency, amount and rate when it was not dong."""

    currency = models.CharField(_("currency"), max_length=3, default="VND")
    original_amount = models.DecimalField(
        _("amount in the original currency"), max_digits=20, decimal_places=2, null=True, blank=True
    )
    exchange_rate = models.DecimalField(
        _("exchange rate (dong per unit)"), max_digits=18, decimal_places=6, null=True, blank=True
    )
    amount_vnd = models.PositiveBigIntegerField(_("amount (VND)"))

    class Meta:
        abstract = True

    @property
    def is_foreign(self) -> bool:
        return self.currency != "VND"


def _money_constraints(prefix: str) -> list[models.BaseConstraint]:
    return [
        models.CheckConstraint(
            condition=Q(currency="VND") | (Q(exchange_rate__gt=0) & Q(original_amount__isnull=False)),
            name=f"{prefix}_foreign_has_rate",
        ),
    ]


# --- reference data ---------------------------------------------------------------------------


class Programme(models.Model):
    """One of the provincial programmes the plan names (section II.4), loaded as reference data."""

    scope_path_lookup = ""  # reference data: the permission is enough

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=300)
    document = models.CharField(_("document"), max_length=200, blank=True)
    period = models.CharField(_("period"), max_length=40, blank=True)
    sort_order = models.PositiveSmallIntegerField(_("order"), default=0)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        verbose_name = _("programme")
        verbose_name_plural = _("programmes")
        ordering = ["sort_order", "code"]

    def __str__(self) -> str:
        return self.name


class PriorityArea(TrackedModel):
    """A hard-to-reach commune (địa bàn khó khăn) the budget gives priority to (plan II.5.d)."""

    scope_path_lookup = "unit__path"

    unit = models.OneToOneField(
        "geo.Unit", verbose_name=_("unit"), on_delete=models.PROTECT, related_name="funding_priority"
    )
    reason = models.CharField(_("reason"), max_length=255, blank=True)

    class Meta:
        verbose_name = _("priority area")
        verbose_name_plural = _("priority areas")
        ordering = ["unit__path", "id"]

    def __str__(self) -> str:
        return str(self.unit)

    def get_absolute_url(self) -> str:
        return reverse("funding:priority_list")


# --- budget -----------------------------------------------------------------------------------


class BudgetLine(TrackedModel):
    """A budget line (dòng kinh phí): an agency's money for a year, a programme and a source,
    with its planned amount (dự toán) and its settlement (quyết toán)."""

    scope_path_lookup = "agency__unit__path"

    agency = models.ForeignKey(
        "accounts.Agency", verbose_name=_("agency"), on_delete=models.PROTECT, related_name="budget_lines"
    )
    unit = models.ForeignKey(
        "geo.Unit",
        verbose_name=_("unit where it is spent"),
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("The agency's unit or a unit below it."),
    )
    programme = models.ForeignKey(
        Programme,
        verbose_name=_("programme"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="budget_lines",
    )
    year = models.PositiveSmallIntegerField(_("year"))
    source = models.CharField(_("source"), max_length=20, choices=Source.choices)
    title = models.CharField(_("title"), max_length=255)
    planned_vnd = models.PositiveBigIntegerField(_("planned amount (VND)"), default=0)
    settlement_status = models.CharField(
        _("settlement"), max_length=10, choices=SettlementStatus.choices, default=SettlementStatus.OPEN
    )
    settlement_number = models.CharField(_("settlement document number"), max_length=100, blank=True)
    settlement_date = models.DateField(_("settlement document date"), null=True, blank=True)

    class Meta:
        verbose_name = _("budget line")
        verbose_name_plural = _("budget lines")
        ordering = ["-year", "agency_id", "title", "id"]
        permissions = [
            ("view_totals", _("Can see budget totals")),
            ("manage_budget", _("Can keep the budget of every agency in scope")),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(year__gte=2000) & Q(year__lte=2100), name="funding_budgetline_year_range"
            ),
        ]
        indexes = [models.Index(fields=["year", "programme"], name="funding_line_year_prog_idx")]

    def __str__(self) -> str:
        return f"{self.title} ({self.year})"

    def get_absolute_url(self) -> str:
        return reverse("funding:budget_detail", args=[self.pk])

    def audit_unit(self):
        return self.unit

    @property
    def is_settled(self) -> bool:
        return self.settlement_status == SettlementStatus.SETTLED

    def totals(self) -> dict[str, int]:
        """Allocated, committed and spent on this line, in dong."""
        sums = dict(
            self.entries.values_list("kind")
            .annotate(total=models.Sum("amount_vnd"))
            .values_list("kind", "total")
        )
        return {kind: sums.get(kind) or 0 for kind in EntryKind.values}


class BudgetEntry(Money, TrackedModel):
    """An allocation, commitment or spending on a budget line, with its document; spending above
    the allocation carries the decision that allowed it."""

    scope_path_lookup = "line__agency__unit__path"

    line = models.ForeignKey(
        BudgetLine, verbose_name=_("budget line"), on_delete=models.PROTECT, related_name="entries"
    )
    kind = models.CharField(_("kind"), max_length=12, choices=EntryKind.choices)
    document_number = models.CharField(_("document number"), max_length=100)
    document_date = models.DateField(_("document date"))
    description = models.CharField(_("description"), max_length=500, blank=True)
    decision_number = models.CharField(_("decision number"), max_length=100, blank=True)
    decision_date = models.DateField(_("decision date"), null=True, blank=True)
    decision_reason = models.TextField(_("reason of the decision"), blank=True)

    class Meta:
        verbose_name = _("budget entry")
        verbose_name_plural = _("budget entries")
        ordering = ["line_id", "document_date", "id"]
        constraints = _money_constraints("funding_budgetentry")

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.document_number}"

    def get_absolute_url(self) -> str:
        return self.line.get_absolute_url()

    def audit_unit(self):
        return self.line.unit


# --- donors and donations ---------------------------------------------------------------------


class Donor(TrackedModel):
    """An organisation, business or person who gives money or goods for children."""

    scope_path_lookup = "unit__path"

    kind = models.CharField(_("kind"), max_length=12, choices=DonorKind.choices)
    name = models.CharField(_("name"), max_length=255)
    anonymous = models.BooleanField(
        _("not to be named publicly"),
        default=False,
        help_text=_("Public reports show “Anonymous donor” instead of the name."),
    )
    unit = models.ForeignKey(
        "geo.Unit", verbose_name=_("unit keeping the record"), on_delete=models.PROTECT, related_name="+"
    )
    contact = models.CharField(_("contact"), max_length=255, blank=True)
    notes = models.TextField(_("notes"), blank=True)

    objects = CoveringQuerySet.as_manager()

    class Meta:
        verbose_name = _("donor")
        verbose_name_plural = _("donors")
        ordering = ["name", "id"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("funding:donor_detail", args=[self.pk])

    @property
    def public_name(self) -> str:
        """The name for public outputs: "Anonymous donor" when the donor asked not to be named."""
        return str(_("Anonymous donor")) if self.anonymous else self.name


class Donation(Money, TrackedModel):
    """A gift in cash or in kind (with its estimated value) received by a unit for a purpose."""

    scope_path_lookup = "unit__path"

    donor = models.ForeignKey(
        Donor, verbose_name=_("donor"), on_delete=models.PROTECT, related_name="donations"
    )
    unit = models.ForeignKey(
        "geo.Unit", verbose_name=_("receiving unit"), on_delete=models.PROTECT, related_name="+"
    )
    received_on = models.DateField(_("received on"))
    kind = models.CharField(_("cash or in kind"), max_length=10, choices=DonationKind.choices)
    description = models.CharField(
        _("description"), max_length=500, blank=True, help_text=_("For goods: what was given.")
    )
    purpose = models.CharField(_("intended use"), max_length=20, choices=Purpose.choices)
    document_number = models.CharField(_("receipt number"), max_length=100, blank=True)

    class Meta:
        verbose_name = _("donation")
        verbose_name_plural = _("donations")
        ordering = ["-received_on", "-id"]
        constraints = [
            *_money_constraints("funding_donation"),
            models.CheckConstraint(
                condition=Q(kind="cash") | ~Q(description=""), name="funding_donation_kind_described"
            ),
        ]

    def __str__(self) -> str:
        return _("Donation no. %(number)s") % {"number": self.pk}

    def get_absolute_url(self) -> str:
        return reverse("funding:donation_detail", args=[self.pk])

    def used_vnd(self) -> int:
        return self.uses.aggregate(total=models.Sum("amount_vnd"))["total"] or 0


class DonationUse(TrackedModel):
    """What part of a donation was used for, when and where (usage record)."""

    scope_path_lookup = "donation__unit__path"

    donation = models.ForeignKey(
        Donation, verbose_name=_("donation"), on_delete=models.PROTECT, related_name="uses"
    )
    unit = models.ForeignKey(
        "geo.Unit", verbose_name=_("unit where used"), on_delete=models.PROTECT, related_name="+"
    )
    used_on = models.DateField(_("used on"))
    amount_vnd = models.PositiveBigIntegerField(_("amount (VND)"))
    description = models.CharField(_("what it was used for"), max_length=500)

    class Meta:
        verbose_name = _("usage record")
        verbose_name_plural = _("usage records")
        ordering = ["donation_id", "used_on", "id"]

    def __str__(self) -> str:
        return self.description

    def get_absolute_url(self) -> str:
        return self.donation.get_absolute_url()

    def audit_unit(self):
        return self.donation.unit


# --- sponsorship of children ------------------------------------------------------------------


class Sponsorship(TrackedModel):
    """A sponsor's commitment to a child in special circumstances (nhận đỡ đầu) for a period.

    Scoped by the child's commune: outside it the sponsorship does not exist for the user.
    """

    scope_path_lookup = "child__commune__path"

    sponsor = models.ForeignKey(
        Donor, verbose_name=_("sponsor"), on_delete=models.PROTECT, related_name="sponsorships"
    )
    child = models.ForeignKey(
        "children.Child", verbose_name=_("child"), on_delete=models.PROTECT, related_name="sponsorships"
    )
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"), null=True, blank=True)
    monthly_amount_vnd = models.PositiveBigIntegerField(_("monthly amount (VND)"), null=True, blank=True)
    commitment = models.TextField(_("commitment"), blank=True, help_text=_("What the sponsor undertakes."))
    purpose = models.CharField(
        _("purpose"), max_length=20, choices=Purpose.choices, default=Purpose.SPONSORSHIP
    )
    status = models.CharField(
        _("status"), max_length=10, choices=SponsorshipStatus.choices, default=SponsorshipStatus.ACTIVE
    )

    class Meta:
        verbose_name = _("sponsorship")
        verbose_name_plural = _("sponsorships")
        ordering = ["-starts_on", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__isnull=True) | Q(ends_on__gte=models.F("starts_on")),
                name="funding_sponsorship_period_ordered",
            ),
        ]

    def __str__(self) -> str:
        # Never the child's name: labels reach audit logs and lists.
        return _("Sponsorship no. %(number)s") % {"number": self.pk}

    def get_absolute_url(self) -> str:
        return reverse("funding:sponsorship_detail", args=[self.pk])

    def audit_unit(self):
        return self.child.commune

    def paid_vnd(self) -> int:
        return self.payments.aggregate(total=models.Sum("amount_vnd"))["total"] or 0


class SponsorshipPayment(TrackedModel):
    """Money or goods given under a sponsorship."""

    scope_path_lookup = "sponsorship__child__commune__path"

    sponsorship = models.ForeignKey(
        Sponsorship, verbose_name=_("sponsorship"), on_delete=models.PROTECT, related_name="payments"
    )
    paid_on = models.DateField(_("paid on"))
    amount_vnd = models.PositiveBigIntegerField(_("amount (VND)"))
    kind = models.CharField(
        _("cash or in kind"), max_length=10, choices=DonationKind.choices, default=DonationKind.CASH
    )
    description = models.CharField(_("description"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("sponsorship payment")
        verbose_name_plural = _("sponsorship payments")
        ordering = ["sponsorship_id", "paid_on", "id"]

    def __str__(self) -> str:
        return _("Payment of %(date)s") % {"date": self.paid_on}

    def audit_unit(self):
        return self.sponsorship.child.commune


class SponsorshipVisit(TrackedModel):
    """A sponsor's or officer's visit to the sponsored child."""

    scope_path_lookup = "sponsorship__child__commune__path"

    sponsorship = models.ForeignKey(
        Sponsorship, verbose_name=_("sponsorship"), on_delete=models.PROTECT, related_name="visits"
    )
    visited_on = models.DateField(_("visited on"))
    visitor = models.CharField(_("visitor"), max_length=255)
    notes = models.TextField(_("notes"), blank=True)

    class Meta:
        verbose_name = _("sponsorship visit")
        verbose_name_plural = _("sponsorship visits")
        ordering = ["sponsorship_id", "visited_on", "id"]

    def __str__(self) -> str:
        return _("Visit of %(date)s") % {"date": self.visited_on}

    def audit_unit(self):
        return self.sponsorship.child.commune


# --- international cooperation ----------------------------------------------------------------


class InternationalProject(Money, TrackedModel):
    """A project or grant of an international organisation or NGO (hợp tác quốc tế)."""

    scope_path_lookup = "unit__path"

    title = models.CharField(_("title"), max_length=255)
    partner = models.CharField(_("partner organisation"), max_length=255)
    unit = models.ForeignKey(
        "geo.Unit", verbose_name=_("managing unit"), on_delete=models.PROTECT, related_name="+"
    )
    agency = models.ForeignKey(
        "accounts.Agency",
        verbose_name=_("managing agency"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"))
    target_units = models.ManyToManyField(
        "geo.Unit", verbose_name=_("target units"), blank=True, related_name="+"
    )
    linked_tasks = models.TextField(
        _("linked plan tasks"), blank=True, help_text=_("The tasks of the plan this project serves.")
    )
    linked_indicators = models.TextField(
        _("linked indicators"), blank=True, help_text=_("The indicators of the plan this project serves.")
    )

    class Meta:
        verbose_name = _("international project")
        verbose_name_plural = _("international projects")
        ordering = ["-starts_on", "title", "id"]
        constraints = [
            *_money_constraints("funding_project"),
            models.CheckConstraint(
                condition=Q(ends_on__gte=models.F("starts_on")), name="funding_project_period_ordered"
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("funding:project_detail", args=[self.pk])


class ProjectReport(TrackedModel):
    """A report due to an international partner; overdue when past its date and not submitted."""

    scope_path_lookup = "project__unit__path"

    project = models.ForeignKey(
        InternationalProject, verbose_name=_("project"), on_delete=models.CASCADE, related_name="reports"
    )
    title = models.CharField(_("title"), max_length=255)
    due_on = models.DateField(_("due on"))
    submitted_on = models.DateField(_("submitted on"), null=True, blank=True)

    class Meta:
        verbose_name = _("project report")
        verbose_name_plural = _("project reports")
        ordering = ["project_id", "due_on", "id"]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return self.project.get_absolute_url()

    def audit_unit(self):
        return self.project.unit

    @property
    def submitted(self) -> bool:
        return self.submitted_on is not None

    def is_overdue(self, today: dt.date | None = None) -> bool:
        return not self.submitted and self.due_on < (today or timezone.localdate())


# --- the public transparency report -----------------------------------------------------------


class TransparencyReport(TrackedModel):
    """A published transparency report of a province for a year or a quarter.

    The figures are frozen when the coordinator publishes (``figures``, JSON of sums and public
    donor names only), so the public page reads this row and nothing else: no query of the
    public page can reach a child, and what the public sees is what was checked.
    """

    scope_path_lookup = "unit__path"

    unit = models.ForeignKey(
        "geo.Unit", verbose_name=_("province"), on_delete=models.PROTECT, related_name="+"
    )
    year = models.PositiveSmallIntegerField(_("year"))
    quarter = models.PositiveSmallIntegerField(
        _("quarter"), null=True, blank=True, choices=[(q, q) for q in range(1, 5)]
    )
    figures = models.JSONField(_("figures"), default=dict)
    published_at = models.DateTimeField(_("published at"))
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("published by"), on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("transparency report")
        verbose_name_plural = _("transparency reports")
        ordering = ["unit_id", "-year", "-quarter", "id"]
        permissions = [("publish_report", _("Can publish transparency reports"))]
        constraints = [
            models.UniqueConstraint(
                fields=["unit", "year", "quarter"], name="funding_transparency_unique_period"
            ),
            models.UniqueConstraint(
                fields=["unit", "year"],
                condition=Q(quarter__isnull=True),
                name="funding_transparency_unique_year",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.unit} {self.period_label}"

    @property
    def period_label(self) -> str:
        if self.quarter:
            return _("quarter %(quarter)s/%(year)s") % {"quarter": self.quarter, "year": self.year}
        return _("year %(year)s") % {"year": self.year}

    def get_absolute_url(self) -> str:
        return reverse("funding:transparency") + f"?report={self.pk}"

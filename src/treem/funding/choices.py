"""Choices of the funding app (sources of money, kinds of entries, purposes of donations)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Source(models.TextChoices):
    """Where a budget line's money comes from (plan section III; state budget by level)."""

    STATE_CENTRAL = "state_central", _("State budget: central")
    STATE_PROVINCIAL = "state_provincial", _("State budget: provincial")
    STATE_COMMUNE = "state_commune", _("State budget: commune")
    SOCIAL = "social", _("Social mobilisation")
    INTERNATIONAL = "international", _("International aid")


class EntryKind(models.TextChoices):
    """Allocation (phân bổ), commitment (cam kết chi) and spending (chi) on a budget line."""

    ALLOCATION = "allocation", _("Allocation")
    COMMITMENT = "commitment", _("Commitment")
    SPENDING = "spending", _("Spending")


class SettlementStatus(models.TextChoices):
    """Settlement (quyết toán) of a budget line."""

    OPEN = "open", _("Not settled")
    SUBMITTED = "submitted", _("Settlement submitted")
    SETTLED = "settled", _("Settled")


class DonorKind(models.TextChoices):
    ORGANISATION = "organisation", _("Organisation")
    BUSINESS = "business", _("Business")
    INDIVIDUAL = "individual", _("Individual")


class DonationKind(models.TextChoices):
    CASH = "cash", _("Cash")
    IN_KIND = "in_kind", _("In kind")


class Purpose(models.TextChoices):
    """What a donation is meant for; the transparency report balances money per purpose."""

    GENERAL = "general", _("Child protection and care (general)")
    EDUCATION = "education", _("Schooling and scholarships")
    HEALTH = "health", _("Health care and nutrition")
    SPONSORSHIP = "sponsorship", _("Sponsorship of children")
    FESTIVALS = "festivals", _("Gifts for Tết and the Mid-Autumn Festival")
    FACILITIES = "facilities", _("Play areas and facilities for children")
    FUND = "fund", _("Child protection fund")
    RELIEF = "relief", _("Emergency and disaster relief")
    OTHER = "other", _("Other")


class SponsorshipStatus(models.TextChoices):
    ACTIVE = "active", _("Active")
    ENDED = "ended", _("Ended")


CURRENCIES = [
    ("VND", "VND"),
    ("USD", "USD"),
    ("EUR", "EUR"),
    ("JPY", "JPY"),
    ("KRW", "KRW"),
    ("AUD", "AUD"),
    ("GBP", "GBP"),
    ("CHF", "CHF"),
    ("CAD", "CAD"),
    ("SGD", "SGD"),
    ("CNY", "CNY"),
    ("THB", "THB"),
]

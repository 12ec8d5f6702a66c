"""Choices of the child database (fixed by law or by the forms; groups are data, not here)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Sex(models.TextChoices):
    MALE = "male", _("Male")
    FEMALE = "female", _("Female")
    UNKNOWN = "unknown", _("Unknown")


class PovertyStatus(models.TextChoices):
    """Hộ nghèo / hộ cận nghèo under the national multidimensional poverty standard."""

    NONE = "none", _("Not poor")
    POOR = "poor", _("Poor household")
    NEAR_POOR = "near_poor", _("Near-poor household")


class SchoolingStatus(models.TextChoices):
    NOT_YET = "not_yet", _("Not yet of school age")
    PRESCHOOL = "preschool", _("Preschool")
    IN_SCHOOL = "in_school", _("In school")
    DROPPED_OUT = "dropped_out", _("Left school")
    NEVER = "never", _("Never attended")
    UNKNOWN = "unknown", _("Unknown")


class DisabilityLevel(models.TextChoices):
    """Mức độ khuyết tật (Law on Persons with Disabilities 2010, Art. 3)."""

    NONE = "", _("No disability")
    EXTREMELY_SEVERE = "extremely_severe", _("Extremely severe")
    SEVERE = "severe", _("Severe")
    MILD = "mild", _("Mild")


class CaregiverRelationship(models.TextChoices):
    FATHER = "father", _("Father")
    MOTHER = "mother", _("Mother")
    GUARDIAN = "guardian", _("Guardian")
    GRANDPARENT = "grandparent", _("Grandparent")
    SIBLING = "sibling", _("Sibling")
    OTHER = "other", _("Other")


class IdCheckStatus(models.TextChoices):
    """Result of the check against the national population database."""

    NOT_CHECKED = "not_checked", _("Not checked")
    VERIFIED = "verified", _("Verified")
    MISMATCH = "mismatch", _("Does not match")
    NOT_FOUND = "not_found", _("Not found")
    UNAVAILABLE = "unavailable", _("Service unavailable")


class ConsentPurpose(models.TextChoices):
    REGISTRY = "registry", _("Keeping the child's record in the child database")
    SHARING = "sharing", _("Sharing with agencies providing support")
    PUBLICATION = "publication", _("Publishing information or images of the child")
    SURVEY = "survey", _("Surveys and research")


class LegalBasis(models.TextChoices):
    """Grounds for processing without consent (Decree 13/2023 Art. 17; Law 91/2025)."""

    CONSENT = "consent", _("Consent")
    PROTECTION_EMERGENCY = "emergency", _("Emergency to protect the child's life or health")
    LEGAL_DUTY = "legal_duty", _("Duty under the Law on Children (statistics, protection)")
    COURT_ORDER = "court", _("Decision of a competent authority")

"""Choices of the indicator catalogue, values and approvals."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class IndicatorKind(models.TextChoices):
    COUNT = "count", _("count")
    PERCENTAGE = "percentage", _("percentage")
    RATE = "rate", _("rate (per a multiplier)")


class Programme(models.TextChoices):
    ACTION_2030 = "pac2030", _("Programme of Action for Children 2021–2030")
    CIRCULAR_13 = "tt13", _("Circular 13/2021 child statistics")
    CHILD_FRIENDLY = "cfc", _("Child-friendly commune criteria")
    PROVINCE = "province", _("Provincial indicator")


class PeriodType(models.TextChoices):
    YEAR = "year", _("year")
    HALF = "half", _("half-year")
    QUARTER = "quarter", _("quarter")


class ValueSource(models.TextChoices):
    ENTERED = "entered", _("entered")
    IMPORTED = "imported", _("imported from Excel")
    COMPUTED = "computed", _("computed from records")


class ApprovalStatus(models.TextChoices):
    APPROVED = "approved", _("approved (locked)")
    UNLOCKED = "unlocked", _("unlocked")


class TargetStatus(models.TextChoices):
    """A target counts only once approved by a second person (four eyes)."""

    DRAFT = "draft", _("draft (awaiting approval)")
    APPROVED = "approved", _("approved")


class Breakdown(models.TextChoices):
    SEX = "sex", _("sex")
    AGE_GROUP = "age_group", _("age group")
    ETHNICITY = "ethnicity", _("ethnicity")
    AREA = "area", _("area")
    SETTING = "setting", _("setting")


class CommuneCategory(models.TextChoices):
    """Thresholds of a child-friendly commune (QĐ 06/2019)."""

    CITY_WARD = "city_ward", _("ward of a centrally-run city (900 points)")
    DISADVANTAGED = "disadvantaged", _("mountain, island or extremely disadvantaged commune (800 points)")
    OTHER = "other", _("other commune or ward (850 points)")


PASS_THRESHOLD = {
    CommuneCategory.CITY_WARD: 900,
    CommuneCategory.DISADVANTAGED: 800,
    CommuneCategory.OTHER: 850,
}

"""Choices of the case process fixed by law or by the forms (steps, harms and risk factors are data)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Channel(models.TextChoices):
    """Where a report came in (Decree 56 Art. 26; Mẫu 01 "nguồn thông tin")."""

    HOTLINE_111 = "hotline_111", _("National hotline 111")
    HOTLINE_PROVINCE = "hotline_18001581", _("Provincial hotline 18001581")
    IN_PERSON = "in_person", _("In person")
    POLICE = "police", _("Police")
    SCHOOL = "school", _("School")
    HEALTH = "health", _("Health facility")
    ONLINE = "online", _("Online")


class ChildSex(models.TextChoices):
    """Mẫu 01: Nam / Nữ / Không biết (the registry's values)."""

    MALE = "male", _("Male")
    FEMALE = "female", _("Female")
    UNKNOWN = "unknown", _("Unknown")


class HarmSetting(models.TextChoices):
    """Where the harm happened (bối cảnh): the statistics on abuse count children by it."""

    FAMILY = "family", _("Family (gia đình)")
    SCHOOL = "school", _("School (trường học)")
    COMMUNITY = "community", _("Community (cộng đồng)")
    ONLINE = "online", _("Online (môi trường mạng)")
    WORKPLACE = "workplace", _("Workplace (nơi làm việc)")
    CARE_FACILITY = "care_facility", _("Care facility (cơ sở trợ giúp, nuôi dưỡng)")
    OTHER = "other", _("Other")


class ProtectionLevel(models.TextChoices):
    """Law on Children Art. 47–50."""

    PREVENTION = "prevention", _("Prevention (phòng ngừa)")
    SUPPORT = "support", _("Support (hỗ trợ)")
    INTERVENTION = "intervention", _("Intervention (can thiệp)")


class RiskLevel(models.TextChoices):
    """Mẫu 06: Cao / Trung bình / Thấp."""

    HIGH = "high", _("High")
    MEDIUM = "medium", _("Medium")
    LOW = "low", _("Low")


class CaseStatus(models.TextChoices):
    OPEN = "open", _("Open")
    CLOSED = "closed", _("Closed")


class AssessmentKind(models.TextChoices):
    INITIAL = "initial", _("Initial assessment (Mẫu 02)")
    SPECIFIC = "specific", _("Specific assessment and case meeting (Mẫu 03)")
    REVIEW = "review", _("Review (Mẫu 06)")


class PlanStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted for approval")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Returned with comments")


class DeadlineKind(models.TextChoices):
    INITIAL_ASSESSMENT = "initial_assessment", _("Initial assessment and emergency measures")
    PLAN = "plan", _("Support or intervention plan")
    REVIEW = "review", _("Review of the plan")


class OverrideKind(models.TextChoices):
    DAY_OFF = "day_off", _("Extra day off")
    WORKING_DAY = "working_day", _("Make-up working day")


class ReferralService(models.TextChoices):
    """Services a case is referred to (Decree 56 Art. 28–29: the plan's services and referrals)."""

    HEALTH = "health", _("Health care")
    POLICE = "police", _("Police")
    LEGAL_AID = "legal_aid", _("Legal aid")
    SHELTER = "shelter", _("Shelter, safe temporary care")
    SCHOOL = "school", _("School")
    SOCIAL_PROTECTION = "social_protection", _("Social protection centre")
    OTHER = "other", _("Other service")


class ReferralStatus(models.TextChoices):
    SENT = "sent", _("Sent, waiting for an answer")
    ACCEPTED = "accepted", _("Accepted")
    REJECTED = "rejected", _("Rejected")
    DONE = "done", _("Done")


class TransferStatus(models.TextChoices):
    REQUESTED = "requested", _("Waiting for the receiving commune")
    ACCEPTED = "accepted", _("Accepted")
    REFUSED = "refused", _("Refused")


class PublicStatus(models.TextChoices):
    """What the public status page may say about a report: nothing more than this."""

    RECEIVED = "received", _("Received")
    HANDLED = "handled", _("Being handled")
    CLOSED = "closed", _("Closed")


class CallerRelation(models.TextChoices):
    """Who called a hotline about the child (the hotline systems' "người gọi là")."""

    CHILD = "child", _("The child themself")
    PARENT = "parent", _("Parent or carer")
    RELATIVE = "relative", _("Other relative")
    NEIGHBOUR = "neighbour", _("Neighbour or acquaintance")
    SCHOOL = "school", _("Teacher or school staff")
    HEALTH = "health", _("Health worker")
    OFFICIAL = "official", _("Official or other agency")
    OTHER = "other", _("Other")
    UNKNOWN = "unknown", _("Not said")


class Urgency(models.TextChoices):
    """How urgent the hotline judged the call (an emergency: life, health or dignity at risk now)."""

    EMERGENCY = "emergency", _("Emergency")
    URGENT = "urgent", _("Urgent")
    NORMAL = "normal", _("Normal")

"""Choices of the register of complaints, denunciations and petitions."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class ComplaintKind(models.TextChoices):
    """Law on Complaints 2011 (khiếu nại), Law on Denunciations 2018 (tố cáo), and the views and
    petitions of children (ý kiến, kiến nghị của trẻ em; Law on Children Art. 34, 91)."""

    COMPLAINT = "complaint", _("Complaint (khiếu nại)")
    DENUNCIATION = "denunciation", _("Denunciation (tố cáo)")
    PETITION = "petition", _("Petition or view of a child (ý kiến, kiến nghị)")


class SenderKind(models.TextChoices):
    CHILD = "child", _("Child")
    PARENT = "parent", _("Parent")
    GUARDIAN = "guardian", _("Guardian or carer")
    ORGANISATION = "organisation", _("Organisation")
    OTHER = "other", _("Other person")


class ComplaintStatus(models.TextChoices):
    OPEN = "open", _("Being settled")
    ANSWERED = "answered", _("Answered")
    CLOSED = "closed", _("Closed")

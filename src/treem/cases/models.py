"""Child protection cases (hồ sơ vụ việc) under Decree 56/2017/NĐ-CP Art. 26–30.

A **report** (thông báo, tố giác; form Mẫu 01) comes in from a hotline, a person, the police, a
school, a health facility or online. One or more reports join a **case** about one child, which
moves through data-defined **steps** (received → verified → initial assessment → specific
assessment → plan drafted → plan approved → plan carried out → review → closed, or back to
planning) with its **deadlines**, **assessments**, **plans**, **notes** and a **timeline**.

Who sees what
    Scope (``restrict``) is by place: a case belongs to its commune, a report to its unit. Within
    scope, a case's content is seen only by its assigned workers, its supervisor and the users it
    was explicitly shared with (``selectors.case_access``); anyone else in scope sees that the case
    exists (number and status) and may open it only by stating a reason ("break the glass"),
    which is audited and listed for the supervisor. System administrators are no exception.

Narrative fields (what happened, abuser details, medical findings, notes, comments) and a
report's summary, place, child's name and description are ``EncryptedTextField``s: encrypted at
rest, never searched, and redacted from audit events (every encrypted field, listed in
``audit_redact_fields`` or not). Narratives are never shown in lists; a report's summary and
child are shown on the report list to those who may see its content.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from treem.cases.choices import (
    AssessmentKind,
    CallerRelation,
    CaseStatus,
    Channel,
    ChildSex,
    DeadlineKind,
    HarmSetting,
    OverrideKind,
    PlanStatus,
    ProtectionLevel,
    ReferralService,
    ReferralStatus,
    RiskLevel,
    TransferStatus,
    Urgency,
)
from treem.cases.encryption import EncryptedTextField
from treem.core.models import TrackedModel
from treem.core.scope import RestrictedQuerySet, scope_q

# --- reference data ---------------------------------------------------------------------------


class CaseStep(models.Model):
    """A step of the case process (data: a later decree may add or rename steps)."""

    scope_path_lookup = ""

    code = models.CharField(_("code"), max_length=30, unique=True)
    name = models.CharField(_("name"), max_length=150)
    order = models.PositiveSmallIntegerField(_("order"))
    form = models.CharField(_("form"), max_length=4, blank=True, help_text=_("Mẫu 01–06 of Decree 56."))
    is_final = models.BooleanField(_("closes the case"), default=False)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        verbose_name = _("case step")
        verbose_name_plural = _("case steps")
        ordering = ["order", "code"]

    def __str__(self) -> str:
        return self.name


class CaseTransition(models.Model):
    """An allowed move from one step to another; ``how`` says which service makes it."""

    scope_path_lookup = ""

    source = models.ForeignKey(
        CaseStep, verbose_name=_("from step"), on_delete=models.CASCADE, related_name="transitions_out"
    )
    target = models.ForeignKey(
        CaseStep, verbose_name=_("to step"), on_delete=models.CASCADE, related_name="transitions_in"
    )
    how = models.CharField(
        _("made by"),
        max_length=10,
        choices=[("service", _("its own action")), ("advance", _("moving the case on"))],
        default="service",
    )

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        verbose_name = _("case transition")
        verbose_name_plural = _("case transitions")
        ordering = ["source__order", "target__order"]
        constraints = [models.UniqueConstraint(fields=["source", "target"], name="cases_transition_unique")]

    def __str__(self) -> str:
        return f"{self.source} → {self.target}"


class HarmKind(models.Model):
    """A kind of harm (violence, sexual abuse and its five acts, exploitation…): reference data."""

    scope_path_lookup = ""

    code = models.CharField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=150)
    parent = models.ForeignKey(
        "self", verbose_name=_("kind"), null=True, blank=True, on_delete=models.PROTECT, related_name="acts"
    )
    sort_order = models.PositiveSmallIntegerField(_("order"), default=0)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        verbose_name = _("kind of harm")
        verbose_name_plural = _("kinds of harm")
        ordering = ["sort_order", "code"]

    def __str__(self) -> str:
        return f"{self.parent.name}: {self.name}" if self.parent_id else self.name


class RiskFactor(models.Model):
    """A risk factor rated Cao / Trung bình / Thấp in the assessments (Mẫu 06)."""

    scope_path_lookup = ""

    code = models.CharField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=200)
    sort_order = models.PositiveSmallIntegerField(_("order"), default=0)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        verbose_name = _("risk factor")
        verbose_name_plural = _("risk factors")
        ordering = ["sort_order", "code"]

    def __str__(self) -> str:
        return self.name


class CalendarOverride(models.Model):
    """A local change to the working calendar: an extra day off, or a make-up working day.

    Without a unit it applies everywhere; with one, to the cases of that unit and below it.
    """

    scope_path_lookup = ""

    day = models.DateField(_("day"))
    kind = models.CharField(_("kind"), max_length=12, choices=OverrideKind.choices)
    unit = models.ForeignKey(
        "geo.Unit",
        verbose_name=_("unit"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("Empty: the whole country."),
    )
    note = models.CharField(_("note"), max_length=200, blank=True)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        verbose_name = _("working calendar override")
        verbose_name_plural = _("working calendar overrides")
        ordering = ["day", "id"]
        constraints = [
            models.UniqueConstraint(fields=["day", "unit"], name="cases_override_day_unit_unique"),
            models.UniqueConstraint(
                fields=["day"], condition=Q(unit__isnull=True), name="cases_override_day_national_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.day:%d/%m/%Y} {self.get_kind_display()}"


# --- reports ----------------------------------------------------------------------------------


class Report(TrackedModel):
    """A report of a child at risk or harmed (thông báo, tố giác; Mẫu 01).

    The hotline's short form fills the first fields in under two minutes; the rest of Mẫu 01 can
    follow. ``unit`` is the commune where it happened, or a province while that is not known.
    """

    scope_path_lookup = "unit__path"
    audit_redact_fields = (
        "reporter_name",
        "reporter_contact",
        "narrative",
        "child_condition",
        "family_details",
        "abuser_details",
        "actions_taken",
    )

    unit = models.ForeignKey(
        "geo.Unit", verbose_name=_("commune or province"), on_delete=models.PROTECT, related_name="+"
    )
    channel = models.CharField(_("channel"), max_length=20, choices=Channel.choices)
    received_at = models.DateTimeField(_("received at"))
    received_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("received by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    tracking_code = models.CharField(_("tracking code"), max_length=16, unique=True, editable=False)
    reporter_anonymous = models.BooleanField(_("reporter stays anonymous"), default=False)
    reporter_name = EncryptedTextField(_("reporter's name"), blank=True)
    reporter_contact = EncryptedTextField(_("reporter's phone and address"), blank=True)
    child = models.ForeignKey(
        "children.Child",
        verbose_name=_("child"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    child_name = EncryptedTextField(_("child's name"), max_length=150, blank=True)
    child_sex = models.CharField(_("child's sex"), max_length=10, choices=ChildSex.choices, default="unknown")
    child_birth_year = models.PositiveSmallIntegerField(_("child's year of birth"), null=True, blank=True)
    child_age = models.PositiveSmallIntegerField(_("child's estimated age"), null=True, blank=True)
    child_description = EncryptedTextField(
        _("description of the child"),
        max_length=255,
        blank=True,
        help_text=_("When the name is not known: who the child is, where to find them."),
    )
    place = EncryptedTextField(_("place of the incident"), max_length=255, blank=True)
    summary = EncryptedTextField(_("short summary"), max_length=200)
    narrative = EncryptedTextField(_("what happened"), blank=True)
    child_condition = EncryptedTextField(_("child's current condition"), blank=True)
    family_details = EncryptedTextField(_("family and current carer"), blank=True)
    abuser_details = EncryptedTextField(_("suspected abuser"), blank=True)
    actions_taken = EncryptedTextField(_("actions already taken"), blank=True)
    case = models.ForeignKey(
        "cases.Case",
        verbose_name=_("case"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="reports",
    )

    class Meta:
        verbose_name = _("report")
        verbose_name_plural = _("reports")
        ordering = ["-received_at", "-id"]
        indexes = [models.Index(fields=["case", "received_at"], name="cases_report_case_idx")]

    def __str__(self) -> str:
        return str(_("Report %(code)s") % {"code": self.tracking_code})

    def get_absolute_url(self) -> str:
        return reverse("cases:report_detail", args=[self.pk])

    def audit_unit(self):
        return self.unit

    @property
    def child_label(self) -> str:
        """The child as the report names or describes them (the registry record when linked)."""
        if self.child_id:
            return self.child.full_name
        return self.child_name or self.child_description


class HotlineCall(models.Model):
    """A call a hotline's own system pushed through the API (``POST /api/v1/reports/``): the
    sending system's call id, unique per sending account so that a call sent twice is one report,
    what the hotline recorded beyond the report's fields, and the report it became."""

    scope_path_lookup = "report__unit__path"
    audit_redact_fields = ("child_id_number",)

    account = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("sent by"), on_delete=models.PROTECT, related_name="+"
    )
    external_id = models.CharField(_("call id in the sending system"), max_length=64)
    report = models.OneToOneField(
        Report, verbose_name=_("report"), on_delete=models.PROTECT, related_name="hotline_call"
    )
    caller_relation = models.CharField(
        _("caller's relation to the child"), max_length=20, choices=CallerRelation.choices
    )
    urgency = models.CharField(_("urgency"), max_length=10, choices=Urgency.choices)
    child_id_number = EncryptedTextField(_("child's ID number"), max_length=12, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        verbose_name = _("hotline call")
        verbose_name_plural = _("hotline calls")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["account", "external_id"], name="cases_hotlinecall_call_unique")
        ]

    def __str__(self) -> str:
        return str(_("Call %(call)s") % {"call": self.external_id})

    def audit_unit(self):
        return self.report.unit


# --- cases ------------------------------------------------------------------------------------


class Case(TrackedModel):
    """A child protection case: one child, one commune, the reports that led to it, its steps."""

    scope_path_lookup = "commune__path"
    audit_redact_fields = ("closure_note",)

    number = models.CharField(_("case number"), max_length=20, unique=True, editable=False)
    commune = models.ForeignKey(
        "geo.Unit", verbose_name=_("commune handling the case"), on_delete=models.PROTECT, related_name="+"
    )
    child = models.ForeignKey(
        "children.Child", verbose_name=_("child"), on_delete=models.PROTECT, related_name="protection_cases"
    )
    protection_level = models.CharField(
        _("protection level"), max_length=12, choices=ProtectionLevel.choices, default="support"
    )
    harm_kinds = models.ManyToManyField(
        HarmKind, verbose_name=_("kinds of harm"), blank=True, related_name="+"
    )
    emergency = models.BooleanField(
        _("emergency"), default=False, help_text=_("Life, health or dignity at serious risk (Art. 31–32).")
    )
    setting = models.CharField(
        _("where the harm happened"),
        max_length=16,
        choices=HarmSetting.choices,
        blank=True,
        help_text=_("Empty while not known."),
    )
    step = models.ForeignKey(
        CaseStep, verbose_name=_("current step"), on_delete=models.PROTECT, related_name="+"
    )
    status = models.CharField(_("status"), max_length=10, choices=CaseStatus.choices, default=CaseStatus.OPEN)
    workers = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("assigned workers"),
        related_name="assigned_cases",
        blank=True,
    )
    supervisor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("supervisor"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="supervised_cases",
    )
    shared_with = models.ManyToManyField(
        settings.AUTH_USER_MODEL, verbose_name=_("shared with"), related_name="shared_cases", blank=True
    )
    opened_at = models.DateTimeField(_("opened at"))
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    closure_requested_at = models.DateTimeField(_("closure requested at"), null=True, blank=True)
    closure_requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("closure requested by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    closure_note = EncryptedTextField(_("reason for closing"), blank=True)

    class Meta:
        verbose_name = _("case")
        verbose_name_plural = _("cases")
        ordering = ["-opened_at", "-id"]
        permissions = [
            ("approve_case", _("Can approve case plans and closures (supervisor)")),
            (
                "view_exact_statistics",
                _("Can see exact case statistics of cases outside one's groups (each view audited)"),
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(closed_at__isnull=True) | Q(closed_at__gte=models.F("opened_at")),
                name="cases_case_closed_after_opened",
            ),
            models.CheckConstraint(
                condition=Q(status="open", closed_at__isnull=True)
                | Q(status="closed", closed_at__isnull=False),
                name="cases_case_status_matches_closed_at",
            ),
        ]
        indexes = [models.Index(fields=["commune", "status"], name="cases_case_commune_status_idx")]

    def __str__(self) -> str:
        # The number only: audit events and lists must not link a child's name to a case.
        return self.number

    def get_absolute_url(self) -> str:
        return reverse("cases:case_detail", args=[self.pk])

    def audit_unit(self):
        return self.commune


class CaseSubrecord(models.Model):
    """Something that belongs to a case (scoped by the case's commune)."""

    scope_path_lookup = "case__commune__path"

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        abstract = True

    def audit_unit(self):
        return self.case.commune


class CaseEvent(CaseSubrecord):
    """One line of the case's timeline. ``message`` never holds narrative text."""

    case = models.ForeignKey(Case, verbose_name=_("case"), on_delete=models.CASCADE, related_name="events")
    at = models.DateTimeField(_("at"))
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("by"), null=True, on_delete=models.PROTECT, related_name="+"
    )
    kind = models.CharField(_("kind"), max_length=40)
    step = models.ForeignKey(
        CaseStep, verbose_name=_("step"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    message = models.CharField(_("what happened"), max_length=255)

    class Meta:
        verbose_name = _("case event")
        verbose_name_plural = _("case events")
        ordering = ["case_id", "at", "id"]

    def __str__(self) -> str:
        return f"{self.case} {self.at:%d/%m/%Y %H:%M} {self.kind}"


class Deadline(CaseSubrecord):
    """A deadline of the case: due at, met at (None while open)."""

    case = models.ForeignKey(Case, verbose_name=_("case"), on_delete=models.CASCADE, related_name="deadlines")
    kind = models.CharField(_("kind"), max_length=20, choices=DeadlineKind.choices)
    due_at = models.DateTimeField(_("due at"))
    met_at = models.DateTimeField(_("met at"), null=True, blank=True)
    rule = models.CharField(_("rule"), max_length=60, blank=True, help_text=_("How the date was computed."))

    class Meta:
        verbose_name = _("deadline")
        verbose_name_plural = _("deadlines")
        ordering = ["case_id", "due_at", "id"]
        indexes = [models.Index(fields=["met_at", "due_at"], name="cases_deadline_open_idx")]

    def __str__(self) -> str:
        return f"{self.case} {self.get_kind_display()} {self.due_at:%d/%m/%Y %H:%M}"


class Assessment(CaseSubrecord):
    """An assessment: initial (Mẫu 02), specific with the case meeting (Mẫu 03) or review (Mẫu 06)."""

    audit_redact_fields = ("findings", "medical_findings", "emergency_measures", "meeting_minutes")

    case = models.ForeignKey(
        Case, verbose_name=_("case"), on_delete=models.CASCADE, related_name="assessments"
    )
    kind = models.CharField(_("kind"), max_length=10, choices=AssessmentKind.choices)
    assessed_at = models.DateTimeField(_("assessed at"))
    assessed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("assessed by"), on_delete=models.PROTECT, related_name="+"
    )
    findings = EncryptedTextField(_("findings"))
    medical_findings = EncryptedTextField(_("medical findings"), blank=True)
    emergency_measures = EncryptedTextField(_("emergency measures taken"), blank=True)
    meeting_minutes = EncryptedTextField(_("case meeting minutes"), blank=True)

    class Meta:
        verbose_name = _("assessment")
        verbose_name_plural = _("assessments")
        ordering = ["case_id", "assessed_at", "id"]

    def __str__(self) -> str:
        return f"{self.case} {self.get_kind_display()}"


class RiskRating(CaseSubrecord):
    """One risk factor's rating in an assessment."""

    assessment = models.ForeignKey(
        Assessment, verbose_name=_("assessment"), on_delete=models.CASCADE, related_name="ratings"
    )
    case = models.ForeignKey(Case, verbose_name=_("case"), on_delete=models.CASCADE, related_name="+")
    factor = models.ForeignKey(RiskFactor, verbose_name=_("risk factor"), on_delete=models.PROTECT)
    level = models.CharField(_("level"), max_length=10, choices=RiskLevel.choices)

    class Meta:
        verbose_name = _("risk rating")
        verbose_name_plural = _("risk ratings")
        ordering = ["assessment_id", "factor__sort_order"]
        constraints = [
            models.UniqueConstraint(fields=["assessment", "factor"], name="cases_rating_factor_unique")
        ]

    def __str__(self) -> str:
        return f"{self.factor}: {self.get_level_display()}"


class Plan(CaseSubrecord):
    """A support or intervention plan (Mẫu 04), approved or returned by the supervisor (Mẫu 05)."""

    audit_redact_fields = ("goals", "actions", "decision_comments")

    case = models.ForeignKey(Case, verbose_name=_("case"), on_delete=models.CASCADE, related_name="plans")
    version = models.PositiveSmallIntegerField(_("version"))
    status = models.CharField(
        _("status"), max_length=10, choices=PlanStatus.choices, default=PlanStatus.DRAFT
    )
    goals = EncryptedTextField(_("goals"))
    actions = EncryptedTextField(_("services, referrals and who does what"))
    review_on = models.DateField(_("review on"))
    drafted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("drafted by"), on_delete=models.PROTECT, related_name="+"
    )
    drafted_at = models.DateTimeField(_("drafted at"))
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("decided by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    decision_comments = EncryptedTextField(_("supervisor's comments"), blank=True)

    class Meta:
        verbose_name = _("plan")
        verbose_name_plural = _("plans")
        ordering = ["case_id", "version"]
        constraints = [models.UniqueConstraint(fields=["case", "version"], name="cases_plan_version_unique")]

    def __str__(self) -> str:
        return f"{self.case} v{self.version}"


class Note(CaseSubrecord):
    """A note on a case (encrypted)."""

    audit_redact_fields = ("text",)

    case = models.ForeignKey(Case, verbose_name=_("case"), on_delete=models.CASCADE, related_name="notes")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("author"), on_delete=models.PROTECT, related_name="+"
    )
    written_at = models.DateTimeField(_("written at"))
    text = EncryptedTextField(_("text"))

    class Meta:
        verbose_name = _("note")
        verbose_name_plural = _("notes")
        ordering = ["case_id", "-written_at", "-id"]

    def __str__(self) -> str:
        return f"{self.case} {self.written_at:%d/%m/%Y %H:%M}"


class CaseAccess(CaseSubrecord):
    """A "break the glass" opening of a case by a user outside its group, with the reason."""

    case = models.ForeignKey(
        Case, verbose_name=_("case"), on_delete=models.CASCADE, related_name="glass_breaks"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("user"), on_delete=models.PROTECT, related_name="+"
    )
    reason = models.TextField(_("reason"))
    opened_at = models.DateTimeField(_("opened at"))
    expires_at = models.DateTimeField(_("valid until"))

    class Meta:
        verbose_name = _("break-the-glass access")
        verbose_name_plural = _("break-the-glass accesses")
        ordering = ["-opened_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(expires_at__gt=models.F("opened_at")), name="cases_access_expires_after_opened"
            )
        ]

    def __str__(self) -> str:
        return f"{self.case} {self.user} {self.opened_at:%d/%m/%Y %H:%M}"


class Referral(CaseSubrecord):
    """A referral of the case to a service (chuyển gửi): health, police, legal aid, shelter, school,
    social protection centre. The agency answers (accepted / rejected with its reason), then the
    service is done; the case's workers record each answer."""

    audit_redact_fields = ("request", "rejection_reason", "outcome")

    case = models.ForeignKey(Case, verbose_name=_("case"), on_delete=models.CASCADE, related_name="referrals")
    service = models.CharField(_("service"), max_length=20, choices=ReferralService.choices)
    agency = models.ForeignKey(
        "accounts.Agency",
        verbose_name=_("agency"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    agency_name = models.CharField(
        _("agency (when not in the list)"), max_length=255, blank=True, help_text=_("Name and address.")
    )
    request = EncryptedTextField(_("what is asked of the service"), blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=ReferralStatus.choices, default=ReferralStatus.SENT
    )
    referred_at = models.DateTimeField(_("referred at"))
    referred_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("referred by"), on_delete=models.PROTECT, related_name="+"
    )
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True)
    rejection_reason = EncryptedTextField(_("reason for the rejection"), blank=True)
    done_at = models.DateTimeField(_("done at"), null=True, blank=True)
    outcome = EncryptedTextField(_("outcome"), blank=True)

    class Meta:
        verbose_name = _("referral")
        verbose_name_plural = _("referrals")
        ordering = ["case_id", "referred_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(agency__isnull=False) | ~Q(agency_name=""), name="cases_referral_names_agency"
            )
        ]

    def __str__(self) -> str:
        return f"{self.case} {self.get_service_display()}"

    @property
    def agency_label(self) -> str:
        return str(self.agency) if self.agency_id else self.agency_name


class TransferQuerySet(RestrictedQuerySet):
    """Transfers are seen from the case's commune and from the receiving commune (which cannot see
    the case itself until it accepts)."""

    def restrict(self, user, action: str = "view") -> RestrictedQuerySet:
        sending = super().restrict(user, action)
        if action != "view" or not (user and user.is_authenticated and user.is_active):
            return sending
        if not user.has_perm("cases.view_transfer"):
            return self.none()
        q = scope_q(user, "to_commune__path")
        if q is None:
            return self
        return self.filter(Q(pk__in=sending.values("pk")) | q)


class Transfer(models.Model):
    """A transfer of the case to another commune when the child moves (chuyển hồ sơ).

    The receiving commune's officer or supervisor accepts it (the case then belongs to that
    commune and its workers are reassigned) or refuses it with the reason.
    """

    scope_path_lookup = "case__commune__path"
    audit_redact_fields = ("reason", "refusal_reason")

    case = models.ForeignKey(Case, verbose_name=_("case"), on_delete=models.CASCADE, related_name="transfers")
    from_commune = models.ForeignKey(
        "geo.Unit", verbose_name=_("from commune"), on_delete=models.PROTECT, related_name="+"
    )
    to_commune = models.ForeignKey(
        "geo.Unit", verbose_name=_("to commune"), on_delete=models.PROTECT, related_name="+"
    )
    reason = EncryptedTextField(_("why (where the child lives now)"))
    status = models.CharField(
        _("status"), max_length=10, choices=TransferStatus.choices, default=TransferStatus.REQUESTED
    )
    requested_at = models.DateTimeField(_("requested at"))
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("requested by"), on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("decided by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    refusal_reason = EncryptedTextField(_("reason for the refusal"), blank=True)

    objects = TransferQuerySet.as_manager()

    class Meta:
        verbose_name = _("transfer")
        verbose_name_plural = _("transfers")
        ordering = ["-requested_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["case"], condition=Q(status="requested"), name="cases_transfer_one_pending"
            ),
            models.CheckConstraint(
                condition=~Q(from_commune=models.F("to_commune")), name="cases_transfer_other_commune"
            ),
        ]

    def __str__(self) -> str:
        return str(_("Transfer of %(case)s") % {"case": self.case})

    def get_absolute_url(self) -> str:
        return reverse("cases:transfer_detail", args=[self.pk])

    def audit_unit(self):
        return self.from_commune


class Attachment(CaseSubrecord):
    """A file attached to a case, stored in the private upload folder (never under a URL).

    The name the user gave is kept encrypted (it often names the child); the file on disk has a
    random name. Its type is the one read from its content, which matched its name on upload.
    """

    audit_redact_fields = ("file_name", "description")

    case = models.ForeignKey(
        Case, verbose_name=_("case"), on_delete=models.CASCADE, related_name="attachments"
    )
    file_name = EncryptedTextField(_("file name"))
    description = EncryptedTextField(_("description"), blank=True)
    content_type = models.CharField(_("type"), max_length=100)
    size = models.PositiveBigIntegerField(_("size in bytes"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    stored_path = models.CharField(_("stored as"), max_length=255, unique=True, editable=False)
    uploaded_at = models.DateTimeField(_("uploaded at"))
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("uploaded by"), on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")
        ordering = ["case_id", "-uploaded_at", "-id"]

    def __str__(self) -> str:
        return str(_("Attachment %(id)s of %(case)s") % {"id": self.pk, "case": self.case})

    def get_absolute_url(self) -> str:
        return reverse("cases:attachment_download", args=[self.pk])

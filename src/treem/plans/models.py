"""Plans (kế hoạch), their tasks, periodic progress reports (báo cáo định kỳ) and inspections
(kiểm tra, thanh tra).

Who sees what
    A plan belongs to the unit of the agency that issued it and is seen from that unit, from the
    units below it (a commune's People's Committee carries out the province's plan) and from
    above. Holders of ``plans.coordinate_plan`` (the provincial coordinator) manage the plans of
    their units and see every task and report of them. Everyone else who may see tasks (agency
    reporters) sees only the tasks where their own agency leads or cooperates, and only their own
    agency's reports; a user without an agency sees none.
"""

from __future__ import annotations

import datetime as dt

from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from treem.core.models import TrackedModel
from treem.core.scope import ACTIONS, CoveringQuerySet, RestrictedQuerySet, covering_q, may, scope_q

COORDINATE = "plans.coordinate_plan"


def commune_paths(user) -> list[str]:
    """Paths of the communes the user is assigned to (not the province above them): the commune's
    chairman and officers report on the commune's share of a plan's tasks."""
    if not (user and user.is_authenticated and user.is_active and user.pk):
        return []
    paths = getattr(user, "_commune_paths", None)
    if paths is None:
        from treem.geo.models import UnitLevel

        paths = sorted(
            user.unit_assignments.filter(unit__level=UnitLevel.COMMUNE).values_list("unit__path", flat=True)
        )
        user._commune_paths = paths
    return paths


def is_coordinator(user) -> bool:
    return bool(user and user.is_authenticated and user.is_active and user.has_perm(COORDINATE))


class AgencyBoundQuerySet(RestrictedQuerySet):
    """Tasks and reports: coordinators see their units' plans; others their own agency's part,
    and the commune's users (chairman, child-protection officer) the commune's share of a task
    given to every commune (``commune_path_field``)."""

    agency_q_fields: tuple[str, ...] = ()
    commune_path_field = ""

    def restrict(self, user, action: str = "view") -> RestrictedQuerySet:
        if is_coordinator(user):
            return super().restrict(user, action)
        if not may(user, self.model, action):
            return self.none()
        agency_id = getattr(user, "agency_id", None)
        own_communes = None
        if self.commune_path_field and commune_paths(user):
            own_communes = Q()
            for path in commune_paths(user):
                own_communes |= Q(**{f"{self.commune_path_field}__startswith": path})
        if agency_id is None and own_communes is None:
            return self.none()
        q = covering_q(user, self.model.scope_path_lookup)
        qs = self if q is None else self.filter(q)
        agency_q = Q(pk__in=[])
        if agency_id is not None:
            for field in self.agency_q_fields:
                agency_q |= Q(**{field: agency_id})
        if own_communes is not None:
            agency_q |= own_communes
        return qs.filter(pk__in=self.model._default_manager.filter(agency_q).values("pk"))


class TaskQuerySet(AgencyBoundQuerySet):
    agency_q_fields = ("lead_agency", "cooperating_agencies")
    commune_path_field = "unit__path"


class TaskHistoryQuerySet(AgencyBoundQuerySet):
    agency_q_fields = ("task__lead_agency", "task__cooperating_agencies")
    commune_path_field = "task__unit__path"


class ReportQuerySet(AgencyBoundQuerySet):
    agency_q_fields = ("agency",)
    commune_path_field = "task__unit__path"


class CoordinatorQuerySet(RestrictedQuerySet):
    """Records only the plan's coordinator works with (the binding of a plan's agency names):
    ``plans.coordinate_plan`` and the plan's unit (or one above it) among the user's units."""

    def restrict(self, user, action: str = "view") -> RestrictedQuerySet:
        if action not in ACTIONS:
            raise ValueError(f"Unknown action {action!r}")
        if not is_coordinator(user):
            return self.none()
        q = scope_q(user, self.model.scope_path_lookup)
        return self if q is None else self.filter(q)


class Binding(models.TextChoices):
    """How a name the plan uses was bound to an agency of the register."""

    NAME = "name", _("Same name")
    ALIAS = "alias", _("Known alias")
    SUCCESSION = "succession", _("Successor of the agency named")
    HISTORY = "history", _("Ended agency, recorded for its history")
    COMMUNES = "communes", _("Every commune's People's Committee")
    CHOSEN = "chosen", _("Chosen by the coordinator")
    WAITING = "waiting", _("Waiting for the coordinator")


class Recurrence(models.TextChoices):
    NONE = "none", _("Once (by the deadline)")
    ANNUAL = "annual", _("Every year")
    SEMIANNUAL = "semiannual", _("Every six months")
    QUARTERLY = "quarterly", _("Every quarter")


class TaskStatus(models.TextChoices):
    NOT_STARTED = "not_started", _("Not started")
    IN_PROGRESS = "in_progress", _("In progress")
    DONE = "done", _("Done")
    LATE = "late", _("Late")
    CANCELLED = "cancelled", _("Cancelled")


STORED_TASK_STATUSES = [c for c in TaskStatus.choices if c[0] != TaskStatus.LATE]
OPEN_TASK_STATUSES = (TaskStatus.NOT_STARTED, TaskStatus.IN_PROGRESS)


class PeriodKind(models.TextChoices):
    QUARTER = "quarter", _("Quarter")
    HALF_YEAR = "half_year", _("Six months")
    YEAR = "year", _("Year")
    PRELIMINARY = "preliminary", _("Preliminary review (sơ kết)")
    FINAL = "final", _("Final review (tổng kết)")


# Which tasks a period asks a report on, by the task's frequency: a task is asked only for the
# periods its frequency needs (a quarterly task for each quarter, a six-monthly one for each half),
# and every task for the year and the reviews, which the annual and review reports gather.
PERIOD_EXPECTS = {
    PeriodKind.QUARTER: {Recurrence.QUARTERLY},
    PeriodKind.HALF_YEAR: {Recurrence.SEMIANNUAL},
    PeriodKind.YEAR: set(Recurrence),
    PeriodKind.PRELIMINARY: set(Recurrence),
    PeriodKind.FINAL: set(Recurrence),
}


class ReportStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted")
    RETURNED = "returned", _("Returned for changes")
    ACCEPTED = "accepted", _("Accepted")


class InspectionKind(models.TextChoices):
    CHECK = "check", _("Inspection (kiểm tra)")
    AUDIT = "audit", _("State inspection (thanh tra)")
    SUPERVISION = "supervision", _("Supervision (giám sát)")


class InspectionStatus(models.TextChoices):
    PLANNED = "planned", _("Planned")
    IN_PROGRESS = "in_progress", _("In progress")
    DONE = "done", _("Done")


class Plan(TrackedModel):
    """A plan (kế hoạch) of an agency, with its legal bases, sections and tasks.

    Departments and communes build their own plans under the province's: ``parent``.
    """

    scope_path_lookup = "unit__path"

    key = models.CharField(
        _("key"), max_length=60, unique=True, help_text=_("A stable identifier, e.g. 7947/KH-UBND/2024.")
    )
    number = models.CharField(_("number"), max_length=60, blank=True)
    title = models.CharField(_("title"), max_length=500)
    issuing_agency = models.ForeignKey(
        "accounts.Agency",
        verbose_name=_("issuing agency"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="issued_plans",
    )
    unit = models.ForeignKey(
        "geo.Unit", verbose_name=_("administrative unit"), on_delete=models.PROTECT, related_name="+"
    )
    issued_on = models.DateField(_("date issued"), null=True, blank=True)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("carries out the plan"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="sub_plans",
    )
    summary = models.TextField(_("summary"), blank=True)

    objects = CoveringQuerySet.as_manager()

    class Meta:
        verbose_name = pgettext_lazy("plan of action", "plan")
        verbose_name_plural = pgettext_lazy("plan of action", "plans")
        ordering = ["-issued_on", "title", "id"]
        permissions = [
            ("coordinate_plan", _("Can manage plans and accept the reports of the unit's agencies"))
        ]

    def __str__(self) -> str:
        return f"{self.number} — {self.title}" if self.number else self.title

    def get_absolute_url(self) -> str:
        return reverse("plans:plan_detail", args=[self.pk])

    def audit_unit(self):
        return self.unit


class LegalBasis(models.Model):
    """A document a plan is based on (căn cứ): a directive, decision or resolution."""

    scope_path_lookup = "plan__unit__path"

    plan = models.ForeignKey(
        Plan,
        verbose_name=pgettext_lazy("plan of action", "plan"),
        on_delete=models.CASCADE,
        related_name="legal_bases",
    )
    position = models.PositiveSmallIntegerField(_("order"), default=0)
    kind = models.CharField(_("kind of document"), max_length=60, blank=True)
    number = models.CharField(_("number"), max_length=60)
    issued_on = models.DateField(_("date issued"), null=True, blank=True)
    issuer = models.CharField(_("issued by"), max_length=200, blank=True)
    title = models.TextField(_("title"), blank=True)

    objects = CoveringQuerySet.as_manager()

    class Meta:
        verbose_name = _("legal basis")
        verbose_name_plural = _("legal bases")
        ordering = ["plan_id", "position", "id"]
        constraints = [models.UniqueConstraint(fields=["plan", "number"], name="plans_legalbasis_unique")]

    def __str__(self) -> str:
        return self.number


class Section(models.Model):
    """A section of a plan (II.1 … II.8, IV.1 … IV.14), its title and text."""

    scope_path_lookup = "plan__unit__path"

    plan = models.ForeignKey(
        Plan,
        verbose_name=pgettext_lazy("plan of action", "plan"),
        on_delete=models.CASCADE,
        related_name="sections",
    )
    code = models.CharField(_("code"), max_length=20)
    position = models.PositiveSmallIntegerField(_("order"), default=0)
    title = models.CharField(_("title"), max_length=500)
    text = models.TextField(_("text"), blank=True)

    objects = CoveringQuerySet.as_manager()

    class Meta:
        verbose_name = _("section")
        verbose_name_plural = _("sections")
        ordering = ["plan_id", "position", "id"]
        constraints = [models.UniqueConstraint(fields=["plan", "code"], name="plans_section_unique")]

    def __str__(self) -> str:
        return f"{self.code}. {self.title}"


class PlanAgency(models.Model):
    """An agency as a plan names it (its code and name in the plan file), and the agency of the
    register it is bound to: the one in force on the plan's dates, followed to today's through the
    agency successions, or one the coordinator chose. Unbound names wait for the coordinator, and
    so do the tasks they lead (``Task.lead_named`` with no ``lead_agency``)."""

    scope_path_lookup = "plan__unit__path"

    plan = models.ForeignKey(
        Plan,
        verbose_name=pgettext_lazy("plan of action", "plan"),
        on_delete=models.CASCADE,
        related_name="named_agencies",
    )
    code = models.CharField(_("code in the plan file"), max_length=30)
    name = models.CharField(_("name in the plan"), max_length=255)
    kind = models.CharField(_("kind"), max_length=20, blank=True)
    agency = models.ForeignKey(
        "accounts.Agency",
        verbose_name=_("agency"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    binding = models.CharField(_("bound by"), max_length=12, choices=Binding.choices, default=Binding.WAITING)
    successor = models.ForeignKey(
        "self",
        verbose_name=_("takes its tasks when it ends"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="predecessors",
    )
    chosen_by = models.ForeignKey(
        "accounts.User",
        verbose_name=_("chosen by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    chosen_at = models.DateTimeField(_("chosen at"), null=True, blank=True)

    objects = CoordinatorQuerySet.as_manager()

    class Meta:
        verbose_name = _("agency named by a plan")
        verbose_name_plural = _("agencies named by plans")
        ordering = ["plan_id", "code", "id"]
        constraints = [models.UniqueConstraint(fields=["plan", "code"], name="plans_planagency_unique")]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("plans:agency_review", args=[self.plan_id])

    def audit_unit(self):
        return self.plan.unit

    @property
    def waiting(self) -> bool:
        return self.binding == Binding.WAITING


class Task(TrackedModel):
    """A task of a plan, led by one agency (chủ trì) with others cooperating (phối hợp).

    ``section`` is the task's place in the assignment (IV.1–IV.14: who leads); ``areas`` are the
    solution areas it serves (II.1–II.8). A task given to every commune's People's Committee has
    one share per commune (``parent``, ``unit``), each with its own status, reports and deadline.
    """

    scope_path_lookup = "plan__unit__path"

    plan = models.ForeignKey(
        Plan,
        verbose_name=pgettext_lazy("plan of action", "plan"),
        on_delete=models.CASCADE,
        related_name="tasks",
    )
    section = models.ForeignKey(
        Section,
        verbose_name=_("section"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="tasks",
    )
    code = models.CharField(_("code"), max_length=30)
    position = models.PositiveSmallIntegerField(_("order"), default=0)
    content = models.TextField(_("content"))
    areas = models.ManyToManyField(
        Section,
        verbose_name=_("solution areas"),
        blank=True,
        related_name="served_by",
        help_text=_("The parts of section II (solution areas) the task serves."),
    )
    parent = models.ForeignKey(
        "self",
        verbose_name=_("share of the task"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="shares",
    )
    lead_agency = models.ForeignKey(
        "accounts.Agency",
        verbose_name=_("lead agency"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="led_tasks",
        help_text=_("Empty while the agency the plan names waits for the coordinator."),
    )
    lead_named = models.ForeignKey(
        PlanAgency,
        verbose_name=_("lead agency as the plan names it"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="led_tasks",
    )
    cooperating_agencies = models.ManyToManyField(
        "accounts.Agency",
        verbose_name=_("cooperating agencies"),
        blank=True,
        related_name="cooperating_tasks",
    )
    cooperating_named = models.ManyToManyField(
        PlanAgency,
        verbose_name=_("cooperating agencies as the plan names them"),
        blank=True,
        related_name="cooperating_tasks",
    )
    unit = models.ForeignKey(
        "geo.Unit",
        verbose_name=_("where carried out"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("Where the task is carried out; empty: the whole plan's unit."),
    )
    starts_on = models.DateField(_("start"), null=True, blank=True)
    deadline = models.DateField(_("deadline"), null=True, blank=True)
    recurrence = models.CharField(
        _("recurrence"), max_length=12, choices=Recurrence.choices, default=Recurrence.ANNUAL
    )
    expected_output = models.TextField(_("expected output"), blank=True)
    status = models.CharField(
        _("status"), max_length=12, choices=STORED_TASK_STATUSES, default=TaskStatus.NOT_STARTED
    )

    objects = TaskQuerySet.as_manager()

    class Meta:
        verbose_name = _("task")
        verbose_name_plural = _("tasks")
        ordering = ["plan_id", "position", "code", "id"]
        constraints = [models.UniqueConstraint(fields=["plan", "code"], name="plans_task_unique_code")]

    def __str__(self) -> str:
        text = self.content if len(self.content) <= 80 else self.content[:79] + "…"
        return f"{self.code}. {text}"

    def get_absolute_url(self) -> str:
        return reverse("plans:task_detail", args=[self.pk])

    def audit_unit(self):
        return self.plan.unit

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_TASK_STATUSES

    @property
    def lead_label(self) -> str:
        """Who leads the task, as every page and document says it (also while it waits)."""
        from django.utils.translation import gettext

        if self.lead_agency_id is not None:
            label = str(self.lead_agency)
            return f"{label} ({self.unit.name})" if self.parent_id and self.unit_id else label
        named = self.lead_named
        if named is not None and named.binding == Binding.COMMUNES:
            return gettext("Every commune's People's Committee")
        if named is not None:
            return gettext("%(name)s (waiting for the coordinator to choose the agency)") % {
                "name": named.name
            }
        return ""

    @property
    def waiting_for_agency(self) -> bool:
        return self.lead_agency_id is None and self.lead_named_id is not None and self.lead_named.waiting

    def is_late(self, day: dt.date | None = None) -> bool:
        day = day or timezone.localdate()
        return self.is_open and self.deadline is not None and self.deadline < day

    @property
    def display_status(self) -> str:
        """The stored status, or "late" once the deadline has passed on an open task."""
        return TaskStatus.LATE if self.is_late() else self.status

    def get_display_status_display(self) -> str:
        return TaskStatus(self.display_status).label


class TaskHistory(models.Model):
    """A line of a task's history: a change of lead agency (succession), of status, a note."""

    scope_path_lookup = "task__plan__unit__path"

    task = models.ForeignKey(Task, verbose_name=_("task"), on_delete=models.CASCADE, related_name="history")
    at = models.DateTimeField(_("at"), default=timezone.now)
    actor = models.ForeignKey(
        "accounts.User",
        verbose_name=_("by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    kind = models.CharField(_("kind"), max_length=20)
    from_agency = models.ForeignKey(
        "accounts.Agency",
        verbose_name=_("from"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    to_agency = models.ForeignKey(
        "accounts.Agency",
        verbose_name=_("to"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    note = models.CharField(_("note"), max_length=500, blank=True)

    objects = TaskHistoryQuerySet.as_manager()

    class Meta:
        verbose_name = _("task history entry")
        verbose_name_plural = _("task history")
        ordering = ["task_id", "at", "id"]

    def __str__(self) -> str:
        return f"{self.task.code} {self.kind}"

    # What each kind of entry reads as in the task's history (the kind itself is a stable key).
    KIND_LABELS = {
        "created": _("task created"),
        "assigned": _("given to the lead agency"),
        "cooperation": _("cooperating agency added"),
        "succession": _("passed to the successor agency"),
        "status": _("status changed"),
    }

    @property
    def kind_label(self) -> str:
        return str(self.KIND_LABELS.get(self.kind, self.kind))


class ReportingPeriod(models.Model):
    """A period a plan's agencies report on, with the day reports open and the day they are due."""

    scope_path_lookup = "plan__unit__path"

    plan = models.ForeignKey(
        Plan,
        verbose_name=pgettext_lazy("plan of action", "plan"),
        on_delete=models.CASCADE,
        related_name="periods",
    )
    kind = models.CharField(_("kind"), max_length=12, choices=PeriodKind.choices)
    year = models.PositiveSmallIntegerField(_("year"))
    number = models.PositiveSmallIntegerField(
        _("number in the year"), default=1, help_text=_("Quarter 1–4, half 1–2; 1 for a year or a review.")
    )
    starts_on = models.DateField(_("first day"))
    ends_on = models.DateField(_("last day"))
    opens_on = models.DateField(_("reports open on"))
    due_on = models.DateField(_("reports due on"))

    objects = CoveringQuerySet.as_manager()

    class Meta:
        verbose_name = _("reporting period")
        verbose_name_plural = _("reporting periods")
        ordering = ["plan_id", "-ends_on", "kind", "id"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "kind", "year", "number"], name="plans_period_unique"),
            models.CheckConstraint(
                condition=Q(ends_on__gte=models.F("starts_on")), name="plans_period_ordered"
            ),
            models.CheckConstraint(
                condition=Q(due_on__gte=models.F("opens_on")), name="plans_period_due_after_open"
            ),
        ]

    def __str__(self) -> str:
        return self.label

    def get_absolute_url(self) -> str:
        return reverse("plans:period_detail", args=[self.pk])

    @property
    def label(self) -> str:
        from django.utils.translation import gettext

        if self.kind == PeriodKind.QUARTER:
            return gettext("Quarter %(n)s/%(year)s") % {"n": self.number, "year": self.year}
        if self.kind == PeriodKind.HALF_YEAR:
            return gettext("Six months %(n)s/%(year)s") % {"n": self.number, "year": self.year}
        if self.kind == PeriodKind.YEAR:
            return gettext("Year %(year)s") % {"year": self.year}
        return f"{self.get_kind_display()} {self.year}"

    def audit_unit(self):
        return self.plan.unit

    def is_open(self, day: dt.date | None = None) -> bool:
        return (day or timezone.localdate()) >= self.opens_on


class AgencyReportQuerySet(AgencyBoundQuerySet):
    agency_q_fields = ("agency",)
    commune_path_field = "agency__unit__path"


class AgencyReport(TrackedModel):
    """One agency's (or one commune's People's Committee's) report for one period: a row
    (``ProgressReport``) per task it leads that the period asks for, sent and decided together
    (draft → submitted → returned / accepted)."""

    scope_path_lookup = "period__plan__unit__path"

    period = models.ForeignKey(
        ReportingPeriod, verbose_name=_("period"), on_delete=models.PROTECT, related_name="agency_reports"
    )
    agency = models.ForeignKey(
        "accounts.Agency",
        verbose_name=_("reporting agency"),
        on_delete=models.PROTECT,
        related_name="plan_agency_reports",
    )
    status = models.CharField(
        _("status"), max_length=10, choices=ReportStatus.choices, default=ReportStatus.DRAFT
    )
    summary = models.TextField(_("general assessment"), blank=True)
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    first_submitted_at = models.DateTimeField(_("first submitted at"), null=True, blank=True)
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decided_by = models.ForeignKey(
        "accounts.User",
        verbose_name=_("decided by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    review_comment = models.TextField(_("comments of the reviewer"), blank=True)

    objects = AgencyReportQuerySet.as_manager()

    class Meta:
        verbose_name = _("agency report")
        verbose_name_plural = _("agency reports")
        ordering = ["period_id", "agency__name", "id"]
        constraints = [
            models.UniqueConstraint(fields=["period", "agency"], name="plans_agencyreport_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.agency} — {self.period}"

    def get_absolute_url(self) -> str:
        return reverse("plans:agency_report_detail", args=[self.pk])

    def audit_unit(self):
        return self.period.plan.unit

    @property
    def editable(self) -> bool:
        return self.status in (ReportStatus.DRAFT, ReportStatus.RETURNED)


class ProgressReport(TrackedModel):
    """One agency's report on one task for one period (báo cáo định kỳ): a row of the agency's
    report for the period (``agency_report``) when it leads the task."""

    scope_path_lookup = "task__plan__unit__path"

    period = models.ForeignKey(
        ReportingPeriod, verbose_name=_("period"), on_delete=models.PROTECT, related_name="reports"
    )
    task = models.ForeignKey(Task, verbose_name=_("task"), on_delete=models.PROTECT, related_name="reports")
    agency = models.ForeignKey(
        "accounts.Agency",
        verbose_name=_("reporting agency"),
        on_delete=models.PROTECT,
        related_name="plan_reports",
    )
    agency_report = models.ForeignKey(
        AgencyReport,
        verbose_name=_("agency report"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="rows",
    )
    status = models.CharField(
        _("status"), max_length=10, choices=ReportStatus.choices, default=ReportStatus.DRAFT
    )
    task_status = models.CharField(
        _("where the task stands"),
        max_length=12,
        choices=[
            (TaskStatus.IN_PROGRESS, TaskStatus.IN_PROGRESS.label),
            (TaskStatus.DONE, TaskStatus.DONE.label),
        ],
        default=TaskStatus.IN_PROGRESS,
        help_text=_("Once the report is accepted, the task reads so on every page and in every document."),
    )
    activities = models.TextField(_("what was done"), blank=True)
    results = models.TextField(_("results"), blank=True)
    figures = models.TextField(_("figures"), blank=True)
    difficulties = models.TextField(_("difficulties"), blank=True)
    proposals = models.TextField(_("proposals"), blank=True)
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    first_submitted_at = models.DateTimeField(_("first submitted at"), null=True, blank=True)
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decided_by = models.ForeignKey(
        "accounts.User",
        verbose_name=_("decided by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    review_comment = models.TextField(_("comments of the reviewer"), blank=True)

    objects = ReportQuerySet.as_manager()

    class Meta:
        verbose_name = _("progress report")
        verbose_name_plural = _("progress reports")
        ordering = ["period_id", "task__position", "task_id", "agency_id", "id"]
        constraints = [
            models.UniqueConstraint(fields=["period", "task", "agency"], name="plans_report_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.task.code} — {self.agency} — {self.period}"

    def get_absolute_url(self) -> str:
        return reverse("plans:report_detail", args=[self.pk])

    def audit_unit(self):
        return self.task.plan.unit

    @property
    def on_time(self) -> bool:
        return bool(
            self.first_submitted_at and timezone.localdate(self.first_submitted_at) <= self.period.due_on
        )

    @property
    def editable(self) -> bool:
        return self.status in (ReportStatus.DRAFT, ReportStatus.RETURNED)


class Reminder(models.Model):
    """A reminder that a report is due soon or late, shown to the agency (and e-mailed)."""

    scope_path_lookup = "task__plan__unit__path"

    DUE_SOON = "due_soon"
    LATE = "late"
    KINDS = [(DUE_SOON, _("Due soon")), (LATE, _("Late"))]

    period = models.ForeignKey(
        ReportingPeriod, verbose_name=_("period"), on_delete=models.CASCADE, related_name="+"
    )
    task = models.ForeignKey(Task, verbose_name=_("task"), on_delete=models.CASCADE, related_name="reminders")
    agency = models.ForeignKey(
        "accounts.Agency", verbose_name=_("agency"), on_delete=models.CASCADE, related_name="+"
    )
    kind = models.CharField(_("kind"), max_length=10, choices=KINDS)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    emailed_to = models.CharField(_("e-mailed to"), max_length=500, blank=True)

    objects = ReportQuerySet.as_manager()

    class Meta:
        verbose_name = _("reminder")
        verbose_name_plural = _("reminders")
        ordering = ["-created_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["period", "task", "agency", "kind"], name="plans_reminder_unique")
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.task.code} — {self.period}"


class Inspection(TrackedModel):
    """An inspection (kiểm tra, thanh tra) of an agency or a commune, and what it found."""

    scope_path_lookup = "unit__path"

    unit = models.ForeignKey(
        "geo.Unit", verbose_name=_("organising unit"), on_delete=models.PROTECT, related_name="+"
    )
    plan = models.ForeignKey(
        Plan,
        verbose_name=pgettext_lazy("plan of action", "plan"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="inspections",
    )
    kind = models.CharField(
        _("kind"), max_length=12, choices=InspectionKind.choices, default=InspectionKind.CHECK
    )
    title = models.CharField(_("title"), max_length=300)
    inspecting_agency = models.ForeignKey(
        "accounts.Agency",
        verbose_name=_("inspecting agency"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    inspected_agency = models.ForeignKey(
        "accounts.Agency",
        verbose_name=_("inspected agency"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="inspections",
    )
    inspected_unit = models.ForeignKey(
        "geo.Unit",
        verbose_name=_("inspected commune"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    starts_on = models.DateField(_("from"))
    ends_on = models.DateField(_("to"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=12, choices=InspectionStatus.choices, default=InspectionStatus.PLANNED
    )
    findings = models.TextField(_("findings of the inspection"), blank=True)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        verbose_name = _("inspection")
        verbose_name_plural = _("inspections")
        ordering = ["-starts_on", "title", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(inspected_agency__isnull=False) | Q(inspected_unit__isnull=False),
                name="plans_inspection_has_subject",
            ),
            models.CheckConstraint(
                condition=Q(ends_on__isnull=True) | Q(ends_on__gte=models.F("starts_on")),
                name="plans_inspection_ordered",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("plans:inspection_detail", args=[self.pk])

    def audit_unit(self):
        return self.unit

    @property
    def subject(self) -> str:
        return str(self.inspected_agency or self.inspected_unit)


class Recommendation(models.Model):
    """A recommendation of an inspection, owned by an agency, followed up until it is closed."""

    scope_path_lookup = "inspection__unit__path"

    inspection = models.ForeignKey(
        Inspection, verbose_name=_("inspection"), on_delete=models.CASCADE, related_name="recommendations"
    )
    text = models.TextField(_("recommendation"))
    owner = models.ForeignKey(
        "accounts.Agency", verbose_name=_("responsible agency"), on_delete=models.PROTECT, related_name="+"
    )
    deadline = models.DateField(_("deadline"))
    follow_up = models.TextField(_("follow-up"), blank=True)
    closed_on = models.DateField(_("closed on"), null=True, blank=True)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        verbose_name = _("recommendation")
        verbose_name_plural = _("recommendations")
        ordering = ["inspection_id", "deadline", "id"]

    def __str__(self) -> str:
        return self.text if len(self.text) <= 80 else self.text[:79] + "…"

    def get_absolute_url(self) -> str:
        return self.inspection.get_absolute_url()

    def audit_unit(self):
        return self.inspection.unit

    @property
    def is_closed(self) -> bool:
        return self.closed_on is not None

    def is_overdue(self, day: dt.date | None = None) -> bool:
        return not self.is_closed and self.deadline < (day or timezone.localdate())

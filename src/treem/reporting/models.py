"""The coordinator's own texts of a consolidated report, written in the app before generating it.

The figures of a consolidated report come from the apps; what only a person can say — the general
assessment (đánh giá chung), the difficulties (khó khăn, vướng mắc), the proposals (đề xuất, kiến
nghị) and the directions for the next period (phương hướng, nhiệm vụ kỳ tới) — the plan's
coordinator writes here, one record per plan and period, and the report prints it.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from treem.core.models import TrackedModel
from treem.core.scope import RestrictedQuerySet, scope_q
from treem.plans.models import COORDINATE

TEXT_FIELDS = ("assessment", "difficulties", "proposals", "next_steps")


class ReportTextsQuerySet(RestrictedQuerySet):
    """Only the coordinators of the plan's unit (``plans.coordinate_plan``) read or write them."""

    def restrict(self, user, action: str = "view") -> RestrictedQuerySet:
        if not (user and user.is_authenticated and user.is_active and user.has_perm(COORDINATE)):
            return self.none()
        q = scope_q(user, self.model.scope_path_lookup)
        return self if q is None else self.filter(q)


class ReportTexts(TrackedModel):
    """The coordinator's texts for the consolidated report of one period of a plan."""

    scope_path_lookup = "plan__unit__path"

    plan = models.ForeignKey(
        "plans.Plan",
        verbose_name=pgettext_lazy("plan of action", "plan"),
        on_delete=models.CASCADE,
        related_name="report_texts",
    )
    period_key = models.CharField(
        _("period"), max_length=20, help_text=_("The year and the period: 2026-year, 2026-Q4, 2026-S1…")
    )
    assessment = models.TextField(_("general assessment"), blank=True)
    difficulties = models.TextField(_("difficulties and obstacles"), blank=True)
    proposals = models.TextField(_("proposals and recommendations"), blank=True)
    next_steps = models.TextField(_("directions and tasks for the next period"), blank=True)

    objects = ReportTextsQuerySet.as_manager()

    class Meta:
        verbose_name = _("texts of a consolidated report")
        verbose_name_plural = _("texts of consolidated reports")
        ordering = ["plan_id", "period_key", "id"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "period_key"], name="reporting_texts_one_per_period")
        ]

    def __str__(self) -> str:
        return f"{self.plan.key} {self.period_key}"

    def audit_unit(self):
        return self.plan.unit

"""Possible duplicate records of the child database, found by ``duplicates.find_duplicates`` and
decided by a person: merged (one record kept, the other kept too but out of the registry) or marked
"not a duplicate" (never proposed again).

Scope: a pair belongs to two children who may live in two communes. It is visible to the users of
**either** commune (each must know that one of their records may be a duplicate), but a decision
needs the right to change **both** children (``duplicates.duplicate_merge`` / ``duplicate_dismiss``
call ``scope_require`` for both communes): in practice the province decides pairs that cross
communes. The page never shows the fields of a child the user may not see.

A pair needs no permissions of its own: seeing one is part of seeing children
(``children.view_child``), deciding one is part of keeping them (``children.change_child``).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from treem.core.scope import ACTIONS, RestrictedQuerySet, scope_q

CHILD_PERMISSION_BY_ACTION = {
    "view": "children.view_child",
    "add": "children.change_child",
    "change": "children.change_child",
    "delete": "children.change_child",
}


class DuplicateStatus(models.TextChoices):
    PENDING = "pending", _("Waiting for a decision")
    MERGED = "merged", _("Merged")
    NOT_DUPLICATE = "not_duplicate", _("Not a duplicate")


class DuplicateCandidateQuerySet(RestrictedQuerySet):
    def restrict(self, user, action: str = "view") -> DuplicateCandidateQuerySet:
        """Pairs with at least one child the user may ``action`` (see the module docstring)."""
        if action not in ACTIONS:
            raise ValueError(f"Unknown action {action!r}")
        if user is None or not user.is_authenticated or not user.is_active:
            return self.none()
        if not user.has_perm(CHILD_PERMISSION_BY_ACTION[action]):
            return self.none()
        q_a = scope_q(user, "child_a__commune__path")
        if q_a is None:
            return self
        return self.filter(q_a | scope_q(user, "child_b__commune__path"))

    def pending(self) -> DuplicateCandidateQuerySet:
        return self.filter(status=DuplicateStatus.PENDING)

    def touching(self, unit) -> DuplicateCandidateQuerySet:
        """Pairs with a child living in ``unit`` or below it."""
        return self.filter(
            Q(child_a__commune__path__startswith=unit.path) | Q(child_b__commune__path__startswith=unit.path)
        )


class DuplicateCandidate(models.Model):
    """Two child records that may describe the same child (``child_a`` has the smaller id)."""

    # The restricted queryset also looks at child_b (see DuplicateCandidateQuerySet.restrict).
    scope_path_lookup = "child_a__commune__path"

    child_a = models.ForeignKey(
        "children.Child", verbose_name=_("first record"), on_delete=models.CASCADE, related_name="+"
    )
    child_b = models.ForeignKey(
        "children.Child", verbose_name=_("second record"), on_delete=models.CASCADE, related_name="+"
    )
    score = models.FloatField(_("similarity"), help_text=_("From 0 to 1; 1 for the same ID number."))
    reasons = models.JSONField(_("reasons"), default=list, blank=True)
    status = models.CharField(
        _("status"), max_length=16, choices=DuplicateStatus.choices, default=DuplicateStatus.PENDING
    )
    found_at = models.DateTimeField(_("found at"), auto_now_add=True)
    kept = models.ForeignKey(
        "children.Child",
        verbose_name=_("record kept"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("decided by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)

    objects = DuplicateCandidateQuerySet.as_manager()

    class Meta:
        verbose_name = _("possible duplicate")
        verbose_name_plural = _("possible duplicates")
        ordering = ["status", "-score", "id"]
        # Reading and deciding follow the children's permissions (see the module docstring).
        default_permissions = ()
        constraints = [
            models.UniqueConstraint(fields=["child_a", "child_b"], name="children_duplicate_pair_unique"),
            models.CheckConstraint(
                condition=Q(child_a__lt=F("child_b")), name="children_duplicate_pair_ordered"
            ),
            models.CheckConstraint(
                condition=Q(score__gte=0) & Q(score__lte=1), name="children_duplicate_score_range"
            ),
        ]
        indexes = [
            models.Index(fields=["status", "child_a"], name="children_dup_status_a_idx"),
            models.Index(fields=["child_b", "status"], name="children_dup_b_status_idx"),
        ]

    def __str__(self) -> str:
        return str(_("Possible duplicate #%(id)s") % {"id": self.pk})

    def get_absolute_url(self) -> str:
        return reverse("children:duplicate_detail", args=[self.pk])

    def audit_unit(self):
        return self.child_a.commune

    def other(self, child):
        """The other child of the pair."""
        return self.child_b if child.pk == self.child_a_id else self.child_a

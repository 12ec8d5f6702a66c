"""Access by administrative unit: the one place where scope is enforced.

A user is assigned one or more units and sees the records of those units and of every unit
below them. A scoped user with no unit sees nothing (fail closed). Users flagged
``sees_all_units`` (system administrators, the ministry) are not limited by place, but still
need the model permission for the action.

Every model that holds records declares ``scope_path_lookup``: the ORM path from the model to the
materialised ``path`` of the unit that owns the record (``"path"`` for units themselves,
``"unit__path"`` for a record with a ``unit`` foreign key). Views, exports and API endpoints all
start from ``Model.objects.restrict(user, action)``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied
from django.db import models
from django.db.models import Q

if TYPE_CHECKING:
    from treem.accounts.models import User
    from treem.geo.models import Unit

ACTIONS = ("view", "add", "change", "delete")


class ScopeError(PermissionDenied):
    """Raised by services when the acting user may not act on a unit or record."""


def permission_name(model: type[models.Model], action: str) -> str:
    """Return Django's permission name for ``action`` on ``model`` (``app.view_model``)."""
    opts = model._meta
    return f"{opts.app_label}.{action}_{opts.model_name}"


def user_scope_units(user: User) -> list[Unit]:
    """Return the units the user is assigned to, read once with their paths (one query) and
    cached on the user object, which lives for one request; ``_scope_paths = None`` forgets both."""
    units = getattr(user, "_scope_units", None)
    if units is None or getattr(user, "_scope_paths", None) is None:
        units = [a.unit for a in user.unit_assignments.select_related("unit")] if user.pk else []
        user._scope_units = units
        user._scope_paths = sorted(u.path for u in units)
    return units


def prime_scope_units(users) -> None:
    """``user_scope_units`` for many users in one query (the recipients of a notification)."""
    from treem.accounts.models import UnitAssignment

    pending = {u.pk: u for u in users if u.pk and getattr(u, "_scope_paths", None) is None}
    if not pending:
        return
    found: dict[int, list] = {pk: [] for pk in pending}
    for assignment in UnitAssignment.objects.filter(user_id__in=pending).select_related("unit"):
        found[assignment.user_id].append(assignment.unit)
    for pk, user in pending.items():
        user._scope_units = found[pk]
        user._scope_paths = sorted(u.path for u in found[pk])


def scope_signature(user: User) -> tuple:
    """What the unit rule of ``RestrictedQuerySet.restrict`` reads of a user: two users with the
    same signature see the same rows of any model that keeps that rule unchanged."""
    return (
        bool(user.is_authenticated and user.is_active),
        frozenset(user.get_all_permissions()),
        bool(getattr(user, "sees_all_units", False)),
        tuple(user_scope_paths(user)),
    )


def user_scope_paths(user: User) -> list[str]:
    """Return the unit paths the user is assigned to, cached on the user object."""
    paths = getattr(user, "_scope_paths", None)
    if paths is None:
        user_scope_units(user)
        paths = user._scope_paths
    return paths


def scope_q(user: User, lookup: str) -> Q | None:
    """Q object limiting ``lookup`` (a path) to the user's units; None means unlimited."""
    if getattr(user, "sees_all_units", False):
        return None
    paths = user_scope_paths(user)
    if not paths:
        return Q(pk__in=[])
    q = Q()
    for path in paths:
        q |= Q(**{f"{lookup}__startswith": path})
    return q


def _multi_valued(model: type[models.Model], lookup: str) -> bool:
    """True when ``lookup`` crosses a many-to-many or reverse foreign-key relation."""
    for part in lookup.split("__")[:-1]:
        field = model._meta.get_field(part)
        if field.many_to_many or field.one_to_many:
            return True
        model = field.related_model
    return False


class RestrictedQuerySet(models.QuerySet):
    """A queryset that can limit itself to what a user may do."""

    def restrict(self, user: User, action: str = "view") -> RestrictedQuerySet:
        """Keep only the rows ``user`` may ``action``; nothing at all when in doubt."""
        if action not in ACTIONS:
            raise ValueError(f"Unknown action {action!r}")
        if user is None or not user.is_authenticated or not user.is_active:
            return self.none()
        if not user.has_perm(permission_name(self.model, action)):
            return self.none()
        lookup = getattr(self.model, "scope_path_lookup", None)
        if lookup is None:
            # A model without a declared scope is refused rather than shown to everyone.
            raise TypeError(f"{self.model.__name__} declares no scope_path_lookup")
        if lookup == "":
            return self  # reference data with no owning unit (permission is enough)
        q = scope_q(user, lookup)
        if q is None:
            return self
        if _multi_valued(self.model, lookup):
            # Through a to-many relation a row would repeat once per matching unit: filter by a
            # subquery so callers never need distinct().
            return self.filter(pk__in=self.model._default_manager.filter(q).values("pk"))
        return self.filter(q)


def may(user: User | None, model: type[models.Model], action: str) -> bool:
    """The user is signed in, active and holds the model permission for ``action`` (place aside)."""
    if action not in ACTIONS:
        raise ValueError(f"Unknown action {action!r}")
    return bool(
        user is not None
        and user.is_authenticated
        and user.is_active
        and user.has_perm(permission_name(model, action))
    )


def covering_q(user: User, lookup: str) -> Q | None:
    """Q limiting a unit path ``lookup`` to the user's units, those below them and those above
    them (a province's plan or survey seen from its communes). None means unlimited (users not
    limited by place); a user with no unit gets nothing (fail closed)."""
    below = scope_q(user, lookup)
    if below is None:
        return None
    above: set[str] = set()
    for path in user_scope_paths(user):
        ids = path.strip("/").split("/")
        above.update("/" + "/".join(ids[:n]) + "/" for n in range(1, len(ids)))
    return below | Q(**{f"{lookup}__in": sorted(above)}) if above else below


class CoveringQuerySet(RestrictedQuerySet):
    """Records seen from their unit, the units below and those above it (plans and their periods,
    survey definitions, donors), and changed as any record: from their unit and above it."""

    def restrict(self, user: User, action: str = "view") -> RestrictedQuerySet:
        if action != "view":
            return super().restrict(user, action)
        if not may(user, self.model, action):
            return self.none()
        q = covering_q(user, self.model.scope_path_lookup)
        return self if q is None else self.filter(q)


def unit_in_scope(user: User, unit: Unit | None) -> bool:
    """True when ``unit`` is one of the user's units or below one of them."""
    if user is None or not user.is_authenticated or not user.is_active or unit is None:
        return False
    if user.sees_all_units:
        return True
    return any(unit.path.startswith(p) for p in user_scope_paths(user))


def scope_require(user: User, unit: Unit | None, perm: str) -> None:
    """Refuse (ScopeError) unless the user holds ``perm`` and ``unit`` is in their scope."""
    if not (user and user.is_authenticated and user.has_perm(perm)):
        raise ScopeError(perm)
    if not unit_in_scope(user, unit):
        raise ScopeError(perm)

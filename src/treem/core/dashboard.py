"""The home page: one dashboard, whose cards depend on the user's roles and scope."""

from django.contrib.auth.mixins import LoginRequiredMixin
from django.views.generic import TemplateView

from treem.accounts.models import Agency, User
from treem.accounts.roles import role_label
from treem.audit.models import AuditEvent
from treem.audit.selectors import audit_chain_verify
from treem.core.backends import user_role_names
from treem.core.cache import cached_parts, user_key
from treem.core.scope import user_scope_units
from treem.core.worklist import work_items, worklist
from treem.geo.models import PlacementReview, PlacementStatus, Unit, UnitLevel

# Parts of the home page that apps add (``register_section``): ``func(request)`` returns the
# part's context, with its ``template``, or None when the user has nothing to see in it.
_SECTIONS: list = []

CHAIN_CHECKED_UP_TO = 20000  # events: a larger log is checked by `treem audit_verify`, not at each visit


def register_section(func) -> None:
    if func not in _SECTIONS:
        _SECTIONS.append(func)


class HomeView(LoginRequiredMixin, TemplateView):
    """The counts, "To do" and the apps' sections come from the shared cache (``core.cache``): one
    query reads them all while nothing has been written since they were made."""

    template_name = "home.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        request, user = self.request, self.request.user
        roles = user_role_names(user)
        shown = request.GET.urlencode()  # the map's measure
        parts = {
            user_key(user, "counts"): lambda: _counts(user),
            user_key(user, "work"): lambda: work_items(user),
        }
        parts.update(
            {
                user_key(user, "section", f"{func.__module__}.{func.__qualname__}", shown): (
                    lambda func=func: func(request)
                )
                for func in _SECTIONS
            }
        )
        values = list(cached_parts(parts).values())
        counts, items, sections = values[0], values[1], values[2:]
        ctx.update(
            roles=[role_label(r) for r in roles],
            role_slugs=roles,
            my_units=user_scope_units(user),
            sees_all=user.sees_all_units,
            **counts,
        )
        if user.has_perm("audit.view_auditevent"):
            ctx["recent_events"] = list(
                AuditEvent.objects.restrict(user, "view").select_related("content_type", "actor")[:8]
            )
        ctx["work"], ctx["work_total"] = worklist(user, items=items)
        parts = [part for part in sections if part]
        ctx["sections"] = sorted(parts, key=lambda part: part.get("order", 50))  # stable: registration order
        if "system_admin" in roles or user.is_superuser:
            # Never from the cache: a check of the log against tampering says what the log is now.
            # Only a small log is read whole here; ids only grow, so the newest event's id, on the
            # page already for those who see every unit, bounds how many events there are.
            recent = ctx.get("recent_events")
            if user.sees_all_units and recent is not None:
                small = not recent or recent[0].pk <= CHAIN_CHECKED_UP_TO
            else:
                small = AuditEvent.objects.count() <= CHAIN_CHECKED_UP_TO
            ctx["chain"] = audit_chain_verify() if small else None
        return ctx


def _counts(user) -> dict:
    """The home page's counts of units, agencies, users and pending placement reviews."""
    units = Unit.objects.restrict(user, "view").current()
    found = {
        "counts": {
            "communes": units.filter(level=UnitLevel.COMMUNE).count(),
            "villages": units.filter(level=UnitLevel.VILLAGE).count(),
            "agencies": Agency.objects.restrict(user, "view").current().count(),
        }
    }
    if user.has_perm("accounts.view_user"):
        found["counts"]["users"] = User.objects.restrict(user, "view").count()
    if user.has_perm("geo.view_placementreview"):
        found["pending_reviews"] = (
            PlacementReview.objects.restrict(user, "view").filter(status=PlacementStatus.PENDING).count()
        )
    return found

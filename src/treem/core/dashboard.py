"""The home page: one dashboard, whose cards depend on the user's roles and scope."""

from django.contrib.auth.mixins import LoginRequiredMixin
from django.views.generic import TemplateView

from treem.accounts.models import Agency, User
from treem.accounts.roles import role_label
from treem.audit.models import AuditEvent
from treem.audit.selectors import audit_chain_verify
from treem.core.worklist import worklist
from treem.geo.models import PlacementReview, PlacementStatus, Unit, UnitLevel

# Parts of the home page that apps add (``register_section``): ``func(request)`` returns the
# part's context, with its ``template``, or None when the user has nothing to see in it.
_SECTIONS: list = []


def register_section(func) -> None:
    if func not in _SECTIONS:
        _SECTIONS.append(func)


class HomeView(LoginRequiredMixin, TemplateView):
    template_name = "home.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        user = self.request.user
        roles = [g.name for g in user.groups.all()]
        units = Unit.objects.restrict(user, "view").current()
        ctx.update(
            roles=[role_label(r) for r in roles],
            role_slugs=roles,
            my_units=user.units,
            sees_all=user.sees_all_units,
            counts={
                "communes": units.filter(level=UnitLevel.COMMUNE).count(),
                "villages": units.filter(level=UnitLevel.VILLAGE).count(),
                "agencies": Agency.objects.restrict(user, "view").current().count(),
            },
        )
        if user.has_perm("accounts.view_user"):
            ctx["counts"]["users"] = User.objects.restrict(user, "view").count()
        if user.has_perm("geo.view_placementreview"):
            ctx["pending_reviews"] = (
                PlacementReview.objects.restrict(user, "view").filter(status=PlacementStatus.PENDING).count()
            )
        if user.has_perm("audit.view_auditevent"):
            ctx["recent_events"] = AuditEvent.objects.restrict(user, "view").select_related(
                "content_type", "actor"
            )[:8]
        ctx["work"], ctx["work_total"] = worklist(user)
        parts = [part for part in (func(self.request) for func in _SECTIONS) if part]
        ctx["sections"] = sorted(parts, key=lambda part: part.get("order", 50))  # stable: registration order
        if "system_admin" in roles or user.is_superuser:
            ctx["chain"] = audit_chain_verify() if AuditEvent.objects.count() <= 20000 else None
        return ctx

"""Pages of the data quality of the child database: the quality page of a commune (or a summary of
the communes under a unit), the review of possible duplicates, and the population check of a child.

Every page starts from what the user may see; a unit, pair or child outside it is 404.
"""

from __future__ import annotations

import django_filters
from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from django.views.generic import ListView

from treem.audit.services import audit_view
from treem.children import duplicates, population, quality
from treem.children.choices import IdCheckStatus
from treem.children.models import Child
from treem.children.models_duplicates import DuplicateCandidate, DuplicateStatus
from treem.children.tasks import DUPLICATES_KIND
from treem.core import filters
from treem.core.scope import ScopeError, unit_in_scope, user_scope_paths
from treem.geo.models import Unit, UnitLevel
from treem.jobs.models import JobStatus
from treem.jobs.services import job_enqueue


class _ChildPermissionMixin(LoginRequiredMixin):
    """403 without the child permission the page needs (scope is applied by the querysets)."""

    permission = "children.view_child"

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and not request.user.has_perm(self.permission):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)


def _unit_from(request, value) -> Unit | None:
    """The unit named by ``value`` if the user may see it (404 otherwise); the user's own top unit
    when ``value`` is empty (None for a user with none)."""
    units = Unit.objects.restrict(request.user, "view")
    if value in (None, ""):
        paths = user_scope_paths(request.user)
        if not paths:
            return None
        return units.filter(path=min(paths, key=len)).first()
    try:
        unit = units.filter(pk=int(value)).first()
    except (TypeError, ValueError):
        unit = None
    if unit is None:
        raise Http404
    return unit


def _may_change(user, child: Child) -> bool:
    return user.has_perm("children.change_child") and unit_in_scope(user, child.commune)


class QualityView(_ChildPermissionMixin, View):
    """``?unit=``: a commune's findings, or a summary by commune for a unit above communes."""

    def get(self, request):
        unit = _unit_from(request, request.GET.get("unit"))
        if unit is None:
            choices = []
            if request.user.sees_all_units:
                today = timezone.localdate()
                choices = Unit.objects.filter(level=UnitLevel.PROVINCE).valid_on(today).order_by("name")
            return render(request, "children/quality/choose.html", {"choices": choices})
        if unit.level == UnitLevel.VILLAGE:
            unit = unit.parent
        ctx = {"unit": unit, "ancestors": unit.ancestors()}
        if unit.level == UnitLevel.COMMUNE:
            ctx["report"] = quality.quality_report(user=request.user, unit=unit)
            ctx["lists"] = quality.finding_lists(user=request.user, unit=unit)
            ctx["list_limit"] = quality.LIST_LIMIT
            # Changing the commune's children: look for duplicates, and fix a finding from its line.
            ctx["can_find"] = ctx["can_change"] = _can_find(request.user, unit)
            return render(request, "children/quality/commune.html", ctx)
        ctx["rows"] = rows = quality.quality_by_commune(user=request.user, unit=unit)
        ctx["report"] = quality.quality_total(unit=unit, rows=rows, user=request.user)
        return render(request, "children/quality/summary.html", ctx)


# Where a search for duplicates may run: a commune, or a whole province (as a background job).
FIND_LEVELS = (UnitLevel.COMMUNE, UnitLevel.PROVINCE)


def _can_find(user, unit: Unit) -> bool:
    return user.has_perm("children.change_child") and unit_in_scope(user, unit)


class DuplicateFilterSet(filters.FilterSet):
    status = django_filters.ChoiceFilter(
        label=gettext_lazy("Status"), choices=DuplicateStatus.choices, empty_label=gettext_lazy("All")
    )
    unit = filters.IdFilter(label=gettext_lazy("Unit"), method="filter_unit")

    class Meta:
        model = DuplicateCandidate
        fields = ["status", "unit"]

    def filter_unit(self, queryset, name, value):
        unit = Unit.objects.filter(pk=value).first()
        return queryset.touching(unit) if unit is not None else queryset.none()


class DuplicateListView(_ChildPermissionMixin, ListView):
    template_name = "children/quality/duplicate_list.html"
    paginate_by = 50

    def get_queryset(self):
        data = self.request.GET.copy()
        data.setdefault("status", DuplicateStatus.PENDING)
        qs = DuplicateCandidate.objects.restrict(self.request.user, "view").select_related(
            "child_a__commune", "child_b__commune"
        )
        self.filterset = DuplicateFilterSet(data, queryset=qs)
        return self.filterset.qs

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        page = ctx["object_list"]
        ids = {c.child_a_id for c in page} | {c.child_b_id for c in page}
        visible = set(
            Child.objects.restrict(self.request.user, "view").filter(pk__in=ids).values_list("pk", flat=True)
        )
        ctx["rows"] = [
            {
                "candidate": c,
                "a": c.child_a if c.child_a_id in visible else None,
                "b": c.child_b if c.child_b_id in visible else None,
                "reasons": duplicates.reason_labels(c.reasons),
            }
            for c in page
        ]
        ctx["filterset"] = self.filterset
        query = self.request.GET.copy()
        query.pop("page", None)
        ctx["query_string"] = query.urlencode()
        # The search covers the unit filtered on, or else the user's own top unit (a province).
        unit_id = self.request.GET.get("unit")
        units = Unit.objects.restrict(self.request.user, "view")
        if unit_id and unit_id.isdigit():
            unit = units.filter(pk=unit_id).first()
        else:
            paths = user_scope_paths(self.request.user)
            unit = units.filter(path=min(paths, key=len)).first() if paths else None
        ctx["find_unit"] = (
            unit if unit and unit.level in FIND_LEVELS and _can_find(self.request.user, unit) else None
        )
        return ctx


def _candidate_or_404(user, pk: int, action: str = "view") -> DuplicateCandidate:
    return get_object_or_404(
        DuplicateCandidate.objects.restrict(user, action).select_related(
            "child_a__commune",
            "child_a__village",
            "child_a__ethnicity",
            "child_a__household",
            "child_b__commune",
            "child_b__village",
            "child_b__ethnicity",
            "child_b__household",
            "decided_by",
            "kept",
        ),
        pk=pk,
    )


def _detail(
    request, candidate: DuplicateCandidate, *, error: str = "", status: int = 200, audit: bool = False
):
    """The pair side by side. With ``audit``, each record shown is audited as viewed: the page shows
    as much of a child as the record page does (a refused decision re-renders it without events)."""
    user = request.user
    visible = set(
        Child.objects.restrict(user, "view")
        .filter(pk__in=[candidate.child_a_id, candidate.child_b_id])
        .values_list("pk", flat=True)
    )
    if audit:
        for child in (candidate.child_a, candidate.child_b):
            if child.pk in visible:
                audit_view(user, child, reason=str(candidate))
    ctx = {
        "candidate": candidate,
        "visible_a": candidate.child_a_id in visible,
        "visible_b": candidate.child_b_id in visible,
        "rows": duplicates.comparison_rows(candidate=candidate, visible=visible),
        "reasons": duplicates.reason_labels(candidate.reasons),
        "explanation": duplicates.pair_explanation(candidate=candidate),
        "can_decide": candidate.status == DuplicateStatus.PENDING
        and _may_change(user, candidate.child_a)
        and _may_change(user, candidate.child_b),
        "kept_visible": candidate.kept_id is not None and candidate.kept_id in visible,
        "error": error,
    }
    return render(request, "children/quality/duplicate_detail.html", ctx, status=status)


class DuplicateDetailView(_ChildPermissionMixin, View):
    def get(self, request, pk):
        return _detail(request, _candidate_or_404(request.user, pk), audit=True)


class DuplicateMergeView(_ChildPermissionMixin, View):
    permission = "children.change_child"

    def post(self, request, pk):
        candidate = _candidate_or_404(request.user, pk, "change")
        keep_id = request.POST.get("keep", "")
        keep = None
        if keep_id.isdigit() and int(keep_id) in (candidate.child_a_id, candidate.child_b_id):
            keep = candidate.child_a if int(keep_id) == candidate.child_a_id else candidate.child_b
        try:
            kept = duplicates.duplicate_merge(acting_user=request.user, candidate=candidate, keep=keep)
        except ScopeError as exc:
            raise Http404 from exc
        except ValidationError as exc:
            candidate.refresh_from_db()
            return _detail(request, candidate, error=" ".join(exc.messages), status=400)
        messages.success(request, _("The records were merged into %(name)s.") % {"name": kept.full_name})
        return redirect(kept.get_absolute_url())


class DuplicateDismissView(_ChildPermissionMixin, View):
    permission = "children.change_child"

    def post(self, request, pk):
        candidate = _candidate_or_404(request.user, pk, "change")
        try:
            duplicates.duplicate_dismiss(
                acting_user=request.user, candidate=candidate, reason=request.POST.get("reason", "")
            )
        except ScopeError as exc:
            raise Http404 from exc
        except ValidationError as exc:
            candidate.refresh_from_db()
            return _detail(request, candidate, error=" ".join(exc.messages), status=400)
        messages.success(request, _("Marked as not a duplicate: this pair will not be proposed again."))
        return redirect(f"{reverse('children:duplicate_list')}?unit={candidate.child_a.commune_id}")


class DuplicateFindView(_ChildPermissionMixin, View):
    """Look for duplicates under a commune or the whole province, as a background job whose page
    shows its progress (``treem find_duplicates`` does the same from the command line)."""

    permission = "children.change_child"

    def post(self, request):
        unit = _unit_from(request, request.POST.get("unit"))
        if unit is None or unit.level not in FIND_LEVELS or not _can_find(request.user, unit):
            messages.error(request, _("Choose a commune or a province to look for duplicates in."))
            return redirect("children:duplicate_list")
        job = job_enqueue(
            acting_user=request.user,
            kind=DUPLICATES_KIND,
            subject=unit.name,
            arguments={"unit": unit.pk},
            unit=unit,
        )
        if job.is_active or job.status != JobStatus.DONE:
            return redirect(job.get_absolute_url())
        # Run at once (TREEM_JOBS_INLINE): the list of pairs is the answer.
        messages.success(
            request,
            _("%(found)s possible duplicates in %(unit)s (%(created)s new).")
            % {"found": job.result["found"], "unit": unit.name, "created": job.result["created"]},
        )
        return redirect(f"{reverse('children:duplicate_list')}?unit={unit.pk}")


class PopulationCheckView(_ChildPermissionMixin, View):
    """Check one child against the national population database; back to ``next`` or the child."""

    permission = "children.change_child"

    def post(self, request, pk):
        child = get_object_or_404(
            Child.objects.restrict(request.user, "change").select_related("commune"), pk=pk
        )
        target = request.POST.get("next", "")
        if not url_has_allowed_host_and_scheme(
            target, {request.get_host()}, require_https=request.is_secure()
        ):
            target = child.get_absolute_url()
        try:
            registry = population.registry_from_settings()
            result = population.child_check_population(
                acting_user=request.user, child=child, registry=registry
            )
        except ScopeError as exc:
            raise Http404 from exc
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
            return redirect(target)
        except population.PopulationError as exc:
            messages.error(request, str(exc))
            return redirect(target)
        text = {
            IdCheckStatus.VERIFIED: _("The national population database confirms %(name)s's ID number."),
            IdCheckStatus.MISMATCH: _(
                "The national population database records %(name)s's ID number with a different %(fields)s."
            ),
            IdCheckStatus.NOT_FOUND: _(
                "The national population database has no person with %(name)s's ID number."
            ),
        }.get(result.status)
        if text is None:
            messages.warning(request, result.detail)
        else:
            labels = ", ".join(str(FIELD_LABELS.get(f, f)) for f in result.fields)
            level = messages.SUCCESS if result.status == IdCheckStatus.VERIFIED else messages.WARNING
            messages.add_message(request, level, text % {"name": child.full_name, "fields": labels})
        return redirect(target)


FIELD_LABELS = {
    "full_name": gettext_lazy("name"),
    "birth_date": gettext_lazy("date of birth"),
    "birth_year": gettext_lazy("year of birth"),
    "sex": gettext_lazy("sex"),
}

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View

from treem.accounts.models import Agency
from treem.core.forms import apply_service_errors
from treem.core.views import ScopedCsvExportView, ScopedDetailView, ScopedListView, ScopedQuerysetMixin
from treem.geo import importers, selectors, services
from treem.geo.filtersets import PlacementReviewFilterSet, UnitFilterSet
from treem.geo.forms import PlacementForm, UnitImportForm, UnitStatisticsForm, VillageForm
from treem.geo.models import PlacementReview, Unit, UnitLevel


class UnitListView(ScopedListView):
    model = Unit
    filterset_class = UnitFilterSet
    select_related = ("parent",)
    template_name = "geo/unit_list.html"


class UnitDetailView(ScopedDetailView):
    model = Unit
    select_related = ("parent",)
    template_name = "geo/unit_detail.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        unit, user = self.object, self.request.user
        ctx["ancestors"] = unit.ancestors()
        ctx["children"] = Unit.objects.restrict(user, "view").filter(parent=unit).order_by("valid_to", "name")
        ctx["successions"] = unit.successions.select_related("successor")
        ctx["predecessions"] = unit.predecessions.select_related("predecessor")
        ctx["agencies"] = Agency.objects.restrict(user, "view").filter(unit=unit)
        ctx["can_add_village"] = (
            unit.level == UnitLevel.COMMUNE
            and unit.is_valid_on(timezone.localdate())
            and user.has_perm("geo.add_unit")
        )
        ctx["village_form"] = VillageForm()
        return ctx


class VillageCreateView(ScopedQuerysetMixin, View):
    """Add a village to a commune (a small form on the commune's page, HTMX or plain POST)."""

    model = Unit
    action = "add"

    def post(self, request, pk):
        commune = get_object_or_404(Unit.objects.restrict(request.user, "view"), pk=pk)
        form = VillageForm(request.POST)
        if form.is_valid():
            try:
                village = services.village_create(
                    acting_user=request.user, commune=commune, **form.cleaned_data
                )
            except PermissionDenied as exc:
                raise Http404 from exc
            except ValidationError as exc:
                apply_service_errors(form, exc)
            else:
                messages.success(request, _("%(name)s added.") % {"name": village.name})
                return redirect(commune)
        return render(request, "geo/village_form.html", {"form": form, "commune": commune}, status=400)


class VillageUpdateView(ScopedQuerysetMixin, View):
    model = Unit
    action = "change"

    def get_village(self, request, pk):
        return get_object_or_404(self.get_queryset().filter(level=UnitLevel.VILLAGE), pk=pk)

    def get(self, request, pk):
        village = self.get_village(request, pk)
        form = VillageForm(initial={"name": village.name, "kind": village.kind, "code": village.code})
        return render(
            request, "geo/village_form.html", {"form": form, "village": village, "commune": village.parent}
        )

    def post(self, request, pk):
        village = self.get_village(request, pk)
        form = VillageForm(request.POST)
        if form.is_valid():
            try:
                services.village_update(acting_user=request.user, village=village, **form.cleaned_data)
            except ValidationError as exc:
                apply_service_errors(form, exc)
            else:
                messages.success(request, _("Village saved."))
                return redirect(village)
        return render(
            request,
            "geo/village_form.html",
            {"form": form, "village": village, "commune": village.parent},
            status=400,
        )


class VillageRetireView(ScopedQuerysetMixin, View):
    model = Unit
    action = "delete"

    def post(self, request, pk):
        village = get_object_or_404(self.get_queryset().filter(level=UnitLevel.VILLAGE), pk=pk)
        try:
            services.village_retire(acting_user=request.user, village=village)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
            return redirect(village)
        messages.success(request, _("%(name)s is no longer in use.") % {"name": village.name})
        return redirect(village.parent)


class UnitExportView(ScopedCsvExportView):
    model = Unit
    filterset_class = UnitFilterSet
    filename = "don-vi-hanh-chinh.csv"
    select_related = ("parent",)
    columns = (
        ("code", gettext_lazy("Code")),
        ("name", gettext_lazy("Name")),
        ("kind", gettext_lazy("Kind")),
        ("level", gettext_lazy("Level")),
        ("parent__code", gettext_lazy("Parent code")),
        ("parent__name", gettext_lazy("Parent unit")),
        ("valid_from", gettext_lazy("Valid from")),
        ("valid_to", gettext_lazy("Valid to")),
    )


class PlacementReviewListView(ScopedListView):
    model = PlacementReview
    filterset_class = PlacementReviewFilterSet
    select_related = ("old_unit", "placed_in", "content_type")
    template_name = "geo/review_list.html"


class PlacementReviewDetailView(ScopedDetailView):
    model = PlacementReview
    select_related = ("old_unit", "placed_in", "scope_unit", "content_type")
    template_name = "geo/review_detail.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["form"] = kwargs.get("form") or PlacementForm(candidates=self.object.candidates.all())
        ctx["can_decide"] = self.request.user.has_perm("geo.change_placementreview")
        return ctx

    def post(self, request, pk):
        self.object = review = get_object_or_404(
            PlacementReview.objects.restrict(request.user, "change"), pk=pk
        )
        form = PlacementForm(request.POST, candidates=review.candidates.all())
        if form.is_valid():
            try:
                services.placement_decide(
                    acting_user=request.user, review=review, new_unit=form.cleaned_data["new_unit"]
                )
            except ValidationError as exc:
                apply_service_errors(form, exc)
            else:
                messages.success(
                    request, _("Record placed in %(unit)s.") % {"unit": form.cleaned_data["new_unit"]}
                )
                return redirect("geo:review_list")
        return self.render_to_response(self.get_context_data(form=form), status=400)


class UnitStatisticsView(ScopedQuerysetMixin, View):
    """Villages per unit, under the units of a past day or today's (after the reorganisation)."""

    model = Unit
    template_name = "geo/statistics.html"

    def get(self, request):
        form = UnitStatisticsForm(request.GET or None)
        ctx = {"form": form}
        if not request.GET:
            form = UnitStatisticsForm({"under": "today", "level": UnitLevel.COMMUNE})
            ctx["form"] = form
        if form.is_valid():
            villages = self.get_queryset().filter(level=UnitLevel.VILLAGE, valid_to__isnull=True)
            result = selectors.count_by_unit(
                queryset=villages,
                field="parent",
                under=form.cleaned_data["under"],
                day=form.cleaned_data["day"],
            )
            rolled = selectors.count_rollup(counts=result.counts, level=form.cleaned_data["level"])
            ctx.update(
                result=result,
                rows=sorted(
                    ((unit, n) for unit, n in rolled.items()),
                    key=lambda row: (row[0] is None, row[0].name if row[0] else ""),
                ),
                unplaced=sorted(result.unplaced.items(), key=lambda row: row[0].name),
            )
        return render(request, self.template_name, ctx, status=200 if form.is_valid() else 400)


class UnitImportView(ScopedQuerysetMixin, View):
    """Upload an official list of units (administrators not limited by place)."""

    model = Unit
    template_name = "geo/unit_import.html"

    def dispatch(self, request, *args, **kwargs):
        user = request.user
        if user.is_authenticated and not (user.has_perm("geo.import_units") and user.sees_all_units):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get(self, request):
        return render(request, self.template_name, {"form": UnitImportForm()})

    def post(self, request):
        form = UnitImportForm(request.POST, request.FILES)
        if not form.is_valid():
            return render(request, self.template_name, {"form": form}, status=400)
        upload = form.cleaned_data["file"]
        try:
            snapshot = importers.parse_gso(
                upload.read(), name=upload.name, effective=form.cleaned_data["effective"]
            )
            with transaction.atomic():
                result = importers.units_import(snapshot=snapshot, acting_user=request.user)
                if form.cleaned_data["dry_run"]:
                    transaction.set_rollback(True)
        except ValidationError as exc:
            form.add_error("file", exc.messages)
            return render(request, self.template_name, {"form": form}, status=400)
        return render(
            request,
            self.template_name,
            {
                "form": UnitImportForm(),
                "result": result,
                "dry_run": form.cleaned_data["dry_run"],
                "name": upload.name,
            },
        )

"""Indicator pages: the catalogue, targets, data entry (by hand, computed, from Excel), approval,
dashboards with drill-down, the child-friendly commune ranking and the export for the ministry.

Every page starts from a restricted queryset: a unit, value or approval outside the user's units is
404, whatever the id. Writes go through ``indicators.services``; a refused write re-renders the page
with the service's messages (status 400) and writes nothing.
"""

from __future__ import annotations

import csv
import io
import json
import tempfile
from decimal import Decimal

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views import View

from treem.audit.services import audit_record
from treem.core.forms import apply_service_errors
from treem.core.scope import ScopeError
from treem.core.views import ScopedListView, ScopedQuerysetMixin
from treem.geo.models import Unit, UnitLevel
from treem.indicators import selectors, services
from treem.indicators.choices import CommuneCategory, Programme
from treem.indicators.filtersets import IndicatorFilterSet
from treem.indicators.forms import EntryStartForm, ImportForm, SelectionForm, TargetForm, UnlockForm
from treem.indicators.models import Approval, CommuneClass, Indicator, IndicatorValue, Target
from treem.indicators.periods import parse_period, unit_exists_in

CHART_WIDTH = 600
CHART_HEIGHT = 180


def _unit(request, pk) -> Unit:
    try:
        return get_object_or_404(Unit.objects.restrict(request.user, "view"), pk=int(pk))
    except (TypeError, ValueError, OverflowError) as exc:  # forged ids in URLs and query strings
        raise Http404 from exc


def _period(code: str):
    try:
        return parse_period(code)
    except ValidationError as exc:
        raise Http404 from exc


def show(value) -> str:
    """A figure as people write it in Vietnamese (comma decimals, no trailing zeros)."""
    if value is None:
        return ""
    value = Decimal(value)
    value = value.quantize(Decimal(1)) if value == value.to_integral_value() else value.normalize()
    return f"{value:f}".replace(".", ",")


def _selection(request):
    form = SelectionForm.read(request)
    if not form.is_valid():
        return form, None
    return form, form.cleaned_data


class IndicatorListView(ScopedListView):
    model = Indicator
    filterset_class = IndicatorFilterSet
    template_name = "indicators/indicator_list.html"
    paginate_by = 100

    def get_template_names(self):
        return [self.template_name]


class IndicatorDetailView(ScopedQuerysetMixin, View):
    """One indicator: its definition, the figure of a unit and year, drill-down and trend."""

    model = Indicator

    def get(self, request, pk):
        indicator = get_object_or_404(self.get_queryset(), pk=pk)
        form, sel = _selection(request)
        ctx = {"indicator": indicator, "form": form}
        if sel and request.user.has_perm("indicators.view_indicatorvalue"):
            unit, year, under = sel["unit"], sel["year"], sel["under"]
            placed = selectors.placed_values(
                user=request.user, indicator=indicator, period=str(year), under=under
            )
            # Only approved targets are compared; a draft is shown as awaiting approval.
            targets = {
                t.unit_id: t.target
                for t in selectors.approved_targets(request.user).filter(indicator=indicator, year=year)
            }
            drafts = {
                t.unit_id: t.target
                for t in selectors.draft_targets(request.user).filter(indicator=indicator, year=year)
            }
            total = placed.total(unit)
            children = []
            for child, sums in placed.by_child(unit).items():
                actual = sums.value(indicator)
                target = targets.get(child.pk)
                children.append(
                    {
                        "unit": child,
                        "sums": sums,
                        "actual": show(actual),
                        "target": show(target),
                        "draft_target": show(drafts.get(child.pk)),
                        "light": selectors.traffic_light(indicator, actual, target),
                        "drill": child.level != UnitLevel.COMMUNE,
                    }
                )
            by_level = None
            if under == "period" and not unit_exists_in(unit, *_bounds(year)):
                by_level = [
                    {"unit": u, "actual": show(s.value(indicator)), "sums": s}
                    for u, s in placed.at_level(unit.level).items()
                    if u is not None
                ]
            actual = total.value(indicator)
            ctx.update(
                unit=unit,
                year=year,
                under=under,
                total=total,
                actual=show(actual),
                target=show(targets.get(unit.pk)),
                draft_target=show(drafts.get(unit.pk)),
                light=selectors.traffic_light(indicator, actual, targets.get(unit.pk)),
                children=children,
                by_level=by_level,
                unplaced=placed.unplaced,
                chart=trend_chart(
                    selectors.trend(
                        user=request.user,
                        indicator=indicator,
                        unit=unit,
                        years=range(year - 5, year + 1),
                        under=under,
                    )
                ),
                query=f"year={year}&under={under}",
            )
        return render(request, "indicators/indicator_detail.html", ctx)


def _bounds(year: int):
    p = parse_period(str(year))
    return p.start, p.end


def trend_chart(points: list[dict]) -> dict:
    """Geometry of a bar chart (figure per year) with the target as a tick, for an inline SVG."""
    values = [p["actual"] for p in points if p["actual"] is not None] + [
        p["target"] for p in points if p["target"] is not None
    ]
    top = max(values) if values else Decimal(1)
    top = top or Decimal(1)
    slot = CHART_WIDTH / max(len(points), 1)
    plot = CHART_HEIGHT - 30
    bars = []
    for i, p in enumerate(points):
        x = i * slot + slot * 0.2
        height = float(p["actual"] / top) * plot if p["actual"] is not None else 0
        target_y = 10 + plot - float(p["target"] / top) * plot if p["target"] is not None else None
        bars.append(
            {
                "x": round(x, 1),
                "width": round(slot * 0.6, 1),
                "x2": round(x + slot * 0.6, 1),
                "y": round(10 + plot - height, 1),
                "height": round(height, 1),
                "target_y": round(target_y, 1) if target_y is not None else None,
                "label_x": round(i * slot + slot / 2, 1),
                "year": p["year"],
                "actual": show(p["actual"]),
                "target": show(p["target"]),
            }
        )
    return {"width": CHART_WIDTH, "height": CHART_HEIGHT, "bars": bars, "axis_y": CHART_HEIGHT - 20}


class DashboardView(ScopedQuerysetMixin, View):
    """Target against actual for a unit and year: the traffic-light scorecard."""

    model = IndicatorValue

    def get(self, request):
        form, sel = _selection(request)
        ctx = {"form": form}
        if sel:
            programmes = (
                [sel["programme"]] if sel["programme"] else [Programme.ACTION_2030, Programme.CIRCULAR_13]
            )
            rows = selectors.indicator_table(
                user=request.user,
                unit=sel["unit"],
                year=sel["year"],
                under=sel["under"],
                programmes=programmes,
            )
            lights = [r.light for r in rows if r.light]
            ctx.update(
                unit=sel["unit"],
                year=sel["year"],
                under=sel["under"],
                rows=[
                    {
                        "row": r,
                        "actual": show(r.actual),
                        "target": show(r.target),
                        "baseline": show(r.baseline),
                        "bar": r.percent_of_target,
                        "bar_width": min(r.percent_of_target or 0, 100),
                    }
                    for r in rows
                ],
                counts={k: lights.count(k) for k in ("green", "amber", "red")},
                query=f"unit={sel['unit'].pk}&year={sel['year']}&under={sel['under']}",
            )
        return render(request, "indicators/dashboard.html", ctx)


class RankingView(ScopedQuerysetMixin, View):
    """Communes by their child-friendly score, and whether they meet the standard."""

    model = IndicatorValue

    def get(self, request):
        form, sel = _selection(request)
        ctx = {"form": form}
        if sel:
            ranking = selectors.child_friendly_ranking(user=request.user, unit=sel["unit"], year=sel["year"])
            ctx.update(
                unit=sel["unit"],
                year=sel["year"],
                categories=CommuneCategory.choices,
                may_set_category=request.user.has_perm("indicators.change_communeclass"),
                ranking=[
                    {"r": r, "total": show(r.total), "width": min(100, int(r.total / 10))} for r in ranking
                ],
                passed=selectors.child_friendly_summary(ranking).passed,
            )
        return render(request, "indicators/ranking.html", ctx)


class CategorySetView(ScopedQuerysetMixin, View):
    """Set which child-friendly threshold a commune is judged against."""

    model = CommuneClass
    action = "change"

    def post(self, request, unit):
        unit = _unit(request, unit)
        try:
            category = request.POST.get("category", "")
            services.category_set(acting_user=request.user, unit=unit, category=category)
        except ScopeError as exc:
            raise Http404 from exc
        except ValidationError as exc:
            for message in exc.messages:
                messages.error(request, message)
        else:
            messages.success(request, _("The commune's category is saved."))
        return redirect(request.POST.get("next") if _safe_next(request) else reverse("indicators:ranking"))


def _safe_next(request) -> bool:
    from django.utils.http import url_has_allowed_host_and_scheme

    target = request.POST.get("next", "")
    return bool(target) and url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure())


class TargetListView(ScopedQuerysetMixin, View):
    """Targets of a unit (and the units below it) for a year, with their status; the form to set
    one; drafts can be approved here by another holder of ``approve_target``."""

    model = Target

    def context(self, request, form=None):
        sel_form, sel = _selection(request)
        ctx = {"form": sel_form, "target_form": form}
        if sel:
            targets = list(
                Target.objects.restrict(request.user, "view")
                .filter(year=sel["year"], scope_unit__path__startswith=sel["unit"].path)
                .select_related("indicator", "unit", "updated_by", "approved_by")
            )
            ctx["targets"] = targets
            ctx["drafts"] = sum(1 for t in targets if not t.is_approved)
            ctx["may_approve"] = request.user.has_perm("indicators.approve_target")
            ctx.update(unit=sel["unit"], year=sel["year"])
            if form is None and request.user.has_perm("indicators.add_target"):
                ctx["target_form"] = TargetForm(
                    user=request.user, initial={"unit": sel["unit"].pk, "year": sel["year"]}
                )
        return ctx

    def get(self, request):
        return render(request, "indicators/target_list.html", self.context(request))


class TargetSetView(ScopedQuerysetMixin, View):
    model = Target
    action = "add"

    def post(self, request):
        form = TargetForm(request.POST, user=request.user)
        if form.is_valid():
            try:
                target = services.target_set(acting_user=request.user, **form.cleaned_data)
            except ScopeError as exc:
                raise Http404 from exc
            except ValidationError as exc:
                apply_service_errors(form, exc)
            else:
                messages.success(request, _("The target is saved."))
                return redirect(target.get_absolute_url())
        ctx = TargetListView().context(request, form)
        return render(request, "indicators/target_list.html", ctx, status=400)


MAX_ID = 2**63 - 1


class TargetApproveView(ScopedQuerysetMixin, View):
    """Approve the targets ticked on the list (all or none); one's own changes are refused."""

    model = Target

    def post(self, request):
        if not request.user.has_perm("indicators.approve_target"):
            raise PermissionDenied
        try:
            ids = {int(v) for v in request.POST.getlist("target")}
        except (TypeError, ValueError) as exc:
            raise Http404 from exc
        if any(not 0 < pk <= MAX_ID for pk in ids):
            raise Http404
        targets = list(self.get_queryset().filter(pk__in=ids).select_related("unit"))
        if len(targets) != len(ids):
            raise Http404  # a target outside the user's units, or none such: never named
        back = request.POST.get("next") if _safe_next(request) else reverse("indicators:target_list")
        try:
            approved = services.target_approve_many(acting_user=request.user, targets=targets)
        except ScopeError as exc:
            raise Http404 from exc
        except ValidationError as exc:
            for message in exc.messages:
                messages.error(request, message)
            messages.error(request, _("No target was approved."))
        else:
            messages.success(
                request,
                ngettext("%(n)s target approved.", "%(n)s targets approved.", len(approved))
                % {"n": len(approved)},
            )
        return redirect(back)


class EntryStartView(ScopedQuerysetMixin, View):
    """Choose a commune and a period to enter figures for."""

    model = IndicatorValue

    def get(self, request):
        form = EntryStartForm(request.GET or None, user=request.user)
        if request.GET and form.is_valid():
            try:
                period = parse_period(form.cleaned_data["period"])
            except ValidationError as exc:
                form.add_error("period", exc)
            else:
                return redirect("indicators:entry", unit=form.cleaned_data["unit"].pk, period=period.code)
        return render(request, "indicators/entry_start.html", {"form": form})


def entry_rows(unit: Unit, period: str, posted=None, errors=None) -> list[dict]:
    values = {
        v.indicator_id: v
        for v in IndicatorValue.objects.filter(unit=unit, period=period).select_related("indicator")
    }
    rows = []
    for indicator in Indicator.objects.filter(is_active=True):
        value = values.get(indicator.pk)
        row = {"indicator": indicator, "value": value, "errors": (errors or {}).get(indicator.code, [])}
        if posted is not None and not indicator.is_computed:
            row.update(
                numerator=posted.get(f"num_{indicator.code}", ""),
                denominator=posted.get(f"den_{indicator.code}", ""),
                comment=posted.get(f"comment_{indicator.code}", ""),
            )
        else:
            row.update(
                numerator=show(value.numerator) if value else "",
                denominator=show(value.denominator) if value else "",
                comment=value.comment if value else "",
            )
        row["shown"] = show(value.value) if value else ""
        rows.append(row)
    return rows


class EntryView(ScopedQuerysetMixin, View):
    """The figures of a commune for a period: entered by hand, computed, approved."""

    model = IndicatorValue

    def context(self, request, unit, period, posted=None, errors=None):
        user = request.user
        lock = services.locking_approval(unit, period.code)
        history = (
            Approval.objects.restrict(user, "view")
            .filter(unit=unit, period=period.code)
            .select_related("approved_by", "unlocked_by")
        )
        may_enter = user.has_perm("indicators.add_indicatorvalue") and unit.level == UnitLevel.COMMUNE
        return {
            "unit": unit,
            "period": period,
            "rows": entry_rows(unit, period.code, posted, errors),
            "lock": lock,
            "history": history,
            "exists": unit_exists_in(unit, period.start, period.end),
            "can": {
                "enter": may_enter and lock is None,
                "approve": user.has_perm("indicators.approve_figures") and lock is None,
                "unlock": user.has_perm("indicators.approve_figures")
                and lock is not None
                and lock.unit_id == unit.pk,
            },
            "unlock_form": UnlockForm(),
            "missing": services.missing_without_comment(unit, period)
            if unit.level == UnitLevel.COMMUNE
            else [],
        }

    def get(self, request, unit, period):
        unit, period = _unit(request, unit), _period(period)
        return render(request, "indicators/entry.html", self.context(request, unit, period))

    def post(self, request, unit, period):
        if not request.user.has_perm("indicators.add_indicatorvalue"):
            raise PermissionDenied
        unit, period = _unit(request, unit), _period(period)
        rows = [
            services.Row(
                indicator,
                request.POST.get(f"num_{indicator.code}"),
                request.POST.get(f"den_{indicator.code}"),
                request.POST.get(f"comment_{indicator.code}", ""),
            )
            for indicator in Indicator.objects.filter(is_active=True)
            if not indicator.is_computed and f"num_{indicator.code}" in request.POST
        ]
        try:
            result = services.values_save(acting_user=request.user, unit=unit, period=period.code, rows=rows)
        except ScopeError as exc:
            raise Http404 from exc
        except ValidationError as exc:
            errors = exc.message_dict if hasattr(exc, "error_dict") else {"__all__": exc.messages}
            for message in errors.pop("__all__", []):
                messages.error(request, message)
            if errors:
                messages.error(request, _("Nothing was saved: correct the rows marked below."))
            ctx = self.context(request, unit, period, posted=request.POST, errors=errors)
            return render(request, "indicators/entry.html", ctx, status=400)
        for warning in result.warnings:
            messages.warning(request, warning)
        messages.success(request, _("%(n)s figures saved.") % {"n": result.saved})
        return redirect("indicators:entry", unit=unit.pk, period=period.code)


class ComputeView(ScopedQuerysetMixin, View):
    model = IndicatorValue
    action = "add"

    def post(self, request, unit, period):
        unit, period = _unit(request, unit), _period(period)
        try:
            result = services.values_compute(acting_user=request.user, unit=unit, period=period.code)
        except ScopeError as exc:
            raise Http404 from exc
        except ValidationError as exc:
            for message in exc.messages:
                messages.error(request, message)
        else:
            for warning in result.warnings:
                messages.warning(request, warning)
            messages.success(request, _("%(n)s figures computed from the records.") % {"n": result.saved})
        return redirect("indicators:entry", unit=unit.pk, period=period.code)


class ApproveView(ScopedQuerysetMixin, View):
    model = Approval
    action = "view"

    def post(self, request, unit, period):
        if not request.user.has_perm("indicators.approve_figures"):
            raise PermissionDenied
        unit, period = _unit(request, unit), _period(period)
        try:
            services.approval_approve(acting_user=request.user, unit=unit, period=period.code)
        except ScopeError as exc:
            raise Http404 from exc
        except ValidationError as exc:
            for message in exc.messages:
                messages.error(request, message)
        else:
            messages.success(request, _("The figures are approved and locked."))
        return redirect("indicators:entry", unit=unit.pk, period=period.code)


class UnlockView(ScopedQuerysetMixin, View):
    model = Approval
    action = "view"

    def post(self, request, pk):
        if not request.user.has_perm("indicators.approve_figures"):
            raise PermissionDenied
        approval = get_object_or_404(self.get_queryset().select_related("unit"), pk=pk)
        form = UnlockForm(request.POST)
        try:
            services.approval_unlock(
                acting_user=request.user,
                approval=approval,
                reason=form.data.get("reason", ""),
            )
        except ScopeError as exc:
            raise Http404 from exc
        except ValidationError as exc:
            for message in exc.messages:
                messages.error(request, message)
        else:
            messages.success(request, _("The figures are unlocked and can be corrected."))
        return redirect("indicators:entry", unit=approval.unit_id, period=approval.period)


class ImportView(ScopedQuerysetMixin, View):
    """Figures from an Excel file: every row checked, all written or none."""

    model = IndicatorValue
    action = "add"
    template_name = "indicators/import.html"

    def get(self, request):
        return render(request, self.template_name, {"form": ImportForm()})

    def post(self, request):
        form = ImportForm(request.POST, request.FILES)
        errors: list[str] = []
        if form.is_valid():
            upload = form.cleaned_data["file"]
            with tempfile.NamedTemporaryFile(suffix=".xlsx") as handle:
                for chunk in upload.chunks():
                    handle.write(chunk)
                handle.flush()
                try:
                    result = services.values_import(acting_user=request.user, path=handle.name)
                except ValidationError as exc:
                    errors = exc.messages
                else:
                    for warning in result.warnings:
                        messages.warning(request, warning)
                    messages.success(
                        request,
                        _("%(rows)s rows read, %(saved)s figures saved.")
                        % {"rows": result.rows, "saved": result.saved},
                    )
                    return redirect("indicators:import")
        return render(request, self.template_name, {"form": form, "errors": errors}, status=400)


class ImportTemplateView(ScopedQuerysetMixin, View):
    """An .xlsx to fill in: the columns the import reads, and the catalogue's codes on a second sheet."""

    model = IndicatorValue
    action = "add"

    def get(self, request):
        from openpyxl import Workbook

        book = Workbook()
        sheet = book.active
        sheet.title = "so-lieu"
        sheet.append(["indicator", "unit", "period", "numerator", "denominator", "comment"])
        codes = book.create_sheet("chi-tieu")
        codes.append(["indicator", "name", "kind", "unit_of_measure", "numerator", "denominator"])
        for indicator in Indicator.objects.filter(is_active=True, numerator_formula=""):
            codes.append(
                [
                    indicator.code,
                    indicator.name,
                    indicator.kind,
                    indicator.unit_of_measure,
                    indicator.numerator_label,
                    indicator.denominator_label if indicator.is_ratio else "",
                ]
            )
        out = io.BytesIO()
        book.save(out)
        response = HttpResponse(out.getvalue(), content_type=XLSX_TYPE)
        response["Content-Disposition"] = 'attachment; filename="mau-nhap-chi-tieu.xlsx"'
        return response


XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

EXPORT_COLUMNS = (
    "indicator",
    "indicator_name",
    "kind",
    "multiplier",
    "unit_code",
    "unit_name",
    "unit_level",
    "reported_unit_code",
    "period",
    "numerator",
    "denominator",
    "value",
    "comment",
    "source",
    "approved",
)


class ExportView(ScopedQuerysetMixin, View):
    """Indicator values of a period as CSV or JSON (docs/indicator-exchange.md), audited."""

    model = IndicatorValue

    def get(self, request):
        period = _period(request.GET.get("period", ""))
        under = request.GET.get("under", "period")
        if under not in ("period", "today"):
            raise Http404
        unit = _unit(request, request.GET["unit"]) if request.GET.get("unit") else None
        fmt = request.GET.get("format", "csv")
        rows = selectors.export_rows(user=request.user, period=period.code, under=under, unit=unit)
        audit_record(
            request.user,
            "indicators.indicatorvalue.exported",
            None,
            object_label=f"indicators-{period.code}.{fmt}",
            changes={"rows": len(rows), "filters": request.GET.dict()},
        )
        name = f"chi-tieu-{period.code}-{under}"
        if fmt == "json":
            payload = {
                "format": "treem-indicator-exchange",
                "version": 1,
                "period": period.code,
                "under": under,
                "unit": unit.code if unit else None,
                "values": [{k: _json(v) for k, v in row.items()} for row in rows],
            }
            response = HttpResponse(
                json.dumps(payload, ensure_ascii=False, indent=1),
                content_type="application/json; charset=utf-8",
            )
            response["Content-Disposition"] = f'attachment; filename="{name}.json"'
            return response
        if fmt != "csv":
            raise Http404
        out = io.StringIO()
        writer = csv.writer(out)
        writer.writerow(EXPORT_COLUMNS)
        for row in rows:
            writer.writerow(["" if row[c] is None else _csv(row[c]) for c in EXPORT_COLUMNS])
        response = HttpResponse(out.getvalue(), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="{name}.csv"'
        return response


def _json(value):
    if isinstance(value, Decimal):
        return float(value) if value != value.to_integral_value() else int(value)
    return value


def _csv(value):
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, Decimal):
        return str(_json(value))
    return value

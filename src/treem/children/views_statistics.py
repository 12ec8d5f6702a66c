"""Statistics pages of the child database: the table and charts of a unit on a day, and the .xlsx export.

Who may use them: users holding ``children.view_child`` (counts of the children they may see) or
the statistics-only permission ``children.view_statistics`` (the same place limit, no records;
such users always get the publication view). A unit outside the user's scope is 404.
"""

from __future__ import annotations

import io
import re
from urllib.parse import urlencode

import xlsxwriter
from django import forms
from django.conf import settings
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View

from treem.audit.services import audit_record
from treem.children.models import MINOR_AGE_LIMIT
from treem.children.statistics import (
    DIMENSIONS,
    MAX_TREND_YEARS,
    ChildCounts,
    Table,
    breakdowns_label,
    cache_scope,
    may_see_exact_counts,
    may_see_statistics,
    statistics_children,
    suppress,
)
from treem.core.scope import unit_in_scope, user_scope_units
from treem.core.text import fold
from treem.core.views import plain_text
from treem.geo.models import Unit, UnitLevel

BREAKDOWN_CHOICES = list(DIMENSIONS.items())
DEFAULTS = {"rows": "unit", "columns": "sex", "years": "5"}
PUBLICATION, EXACT = "publication", "exact"


class StatisticsForm(forms.Form):
    """What to count: the unit (set by drilling down), the day, the breakdowns, the trend's years."""

    unit = forms.IntegerField(
        required=False,
        widget=forms.HiddenInput,
        error_messages={"invalid": gettext_lazy("The unit must be given by its number.")},
    )
    day = forms.DateField(
        label=gettext_lazy("On the day"),
        required=False,
        widget=forms.DateInput(format="%d/%m/%Y", attrs={"placeholder": "dd/mm/yyyy"}),
        help_text=gettext_lazy("Today if left empty."),
    )
    rows = forms.ChoiceField(
        label=gettext_lazy("Rows"),
        choices=BREAKDOWN_CHOICES,
        error_messages={"invalid_choice": gettext_lazy("Unknown breakdown “%(value)s”.")},
    )
    columns = forms.ChoiceField(
        label=gettext_lazy("Columns"),
        choices=[("", gettext_lazy("(none)")), *BREAKDOWN_CHOICES],
        required=False,
        error_messages={"invalid_choice": gettext_lazy("Unknown breakdown “%(value)s”.")},
    )
    years = forms.IntegerField(
        label=gettext_lazy("Years of trend"), min_value=2, max_value=MAX_TREND_YEARS, required=False
    )
    publication = forms.BooleanField(
        label=gettext_lazy("Publication view (counts under 5 hidden)"), required=False
    )

    def clean_day(self):
        day = self.cleaned_data.get("day")
        if day and day > timezone.localdate():
            raise ValidationError(_("The day cannot be in the future."))
        return day

    def clean(self):
        data = super().clean()
        if data.get("rows") and data.get("rows") == data.get("columns"):
            self.add_error("columns", _("Choose for the columns a breakdown other than the rows'."))
        return data

    @property
    def group_by(self) -> list[str]:
        data = self.cleaned_data
        return [data["rows"]] + ([data["columns"]] if data.get("columns") else [])


class StatisticsExportForm(StatisticsForm):
    mode = forms.ChoiceField(
        label=gettext_lazy("Counts"),
        choices=[
            (PUBLICATION, gettext_lazy("for publication (counts under 5 hidden)")),
            (EXACT, gettext_lazy("exact (not for publication)")),
        ],
        required=False,
    )

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user

    def clean_mode(self):
        mode = self.cleaned_data.get("mode") or PUBLICATION
        if mode == EXACT and not may_see_exact_counts(self.user):
            raise ValidationError(_("Exact counts are only for users who may see the children's records."))
        return mode


def _form_data(request) -> dict:
    data = dict(DEFAULTS)
    data.update(request.GET.dict())
    return data


class StatisticsMixin(LoginRequiredMixin):
    @cached_property
    def user_units(self) -> list[Unit]:
        """The units the user is given (none for users not limited by place)."""
        user = self.request.user
        return [] if user.sees_all_units else user_scope_units(user)  # read once per request

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and not may_see_statistics(request.user):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def resolve(self, form) -> tuple[Unit | None, object]:
        """The unit and day of a valid form; an unknown or out-of-scope unit is 404."""
        user = self.request.user
        unit_id = form.cleaned_data.get("unit")
        if unit_id is None:
            # The user's own unit when they have exactly one; otherwise all they may see.
            unit = self.user_units[0] if len(self.user_units) == 1 else None
        else:
            unit = Unit.objects.filter(pk=unit_id).first()
            if unit is None or not unit_in_scope(user, unit):
                raise Http404
        day = form.cleaned_data.get("day") or timezone.localdate()
        if unit is not None and not unit.is_valid_on(day):
            form.add_error(
                "day",
                _("%(unit)s was not in force on %(day)s: choose another day, or another unit.")
                % {"unit": unit.name, "day": day.strftime("%d/%m/%Y")},
            )
        return unit, day


class StatisticsView(StatisticsMixin, View):
    """Children by unit, sex, age band, ethnic group and group, with charts, a trend and drill-down."""

    template_name = "children/statistics/index.html"

    def get(self, request):
        user = request.user
        form = StatisticsForm(_form_data(request))
        exact_allowed = may_see_exact_counts(user)
        ctx = {"form": form, "exact_allowed": exact_allowed}
        if not form.is_valid():
            return render(request, self.template_name, ctx, status=400)
        unit, day = self.resolve(form)
        if not form.is_valid():
            return render(request, self.template_name, ctx, status=400)
        kept = settings.TREEM_STATISTICS_CACHE_SECONDS > 0
        counts = ChildCounts(
            queryset=statistics_children(user),
            day=day,
            unit=unit,
            cache_scope=cache_scope(user) if kept else None,
        )
        # Children as the law counts them (under 16) and, apart, minors of 16-17: asked first, its
        # counts by age band give the table's grand total too.
        in_law = counts.in_law()
        table = counts.table(form.group_by)
        trend = counts.trend(form.cleaned_data.get("years") or int(DEFAULTS["years"]))
        publication = form.cleaned_data["publication"] or not exact_allowed
        hidden = suppress([table, trend, in_law]) if publication else None
        grid = table.grid(hidden)
        query = {k: v for k, v in form.data.items() if k != "unit" and v not in (None, "")}
        for row in grid["rows"]:
            row["url"] = self.drill_url(row["unit"], unit, query)
        ctx.update(
            table=table,
            grid=grid,
            in_law=in_law.grid(hidden)["rows"],
            bars=table.bars(hidden),
            chart_title=str(DIMENSIONS[table.row_dims[0]]) if len(table.row_dims) == 1 else table.title,
            trend=trend,
            trend_grid=trend.grid(hidden),
            trend_bars=trend.bars(hidden, column="children"),
            publication=publication,
            unit=unit,
            day=day,
            breadcrumb=self.breadcrumb(unit, query),
            max_age=MINOR_AGE_LIMIT - 1,
            export_urls=self.export_urls(form, unit),
            my_units=self.my_units(query),
            cache_minutes=(settings.TREEM_STATISTICS_CACHE_SECONDS + 59) // 60,
        )
        return render(request, self.template_name, ctx)

    def drill_url(self, row_unit: Unit | None, unit: Unit | None, query: dict) -> str:
        user = self.request.user
        if row_unit is None or row_unit.level == UnitLevel.VILLAGE or (unit and row_unit.pk == unit.pk):
            return ""
        if not unit_in_scope(user, row_unit):
            return ""
        return _url("children:statistics", {**query, "unit": row_unit.pk})

    def breadcrumb(self, unit: Unit | None, query: dict) -> list[dict]:
        user = self.request.user
        crumbs = []
        if user.sees_all_units:
            top = _url("children:statistics", {**query, "unit": ""})
            crumbs.append({"label": _("All units"), "url": top if unit is not None else ""})
        if unit is not None:
            for above in [*unit.ancestors(), unit]:
                link = above != unit and unit_in_scope(user, above)
                crumbs.append(
                    {
                        "label": above.name,
                        "url": _url("children:statistics", {**query, "unit": above.pk}) if link else "",
                    }
                )
        return crumbs

    def my_units(self, query: dict) -> list[dict]:
        """Links to each of the user's units, for users given several."""
        if len(self.user_units) < 2:
            return []
        url = reverse("children:statistics")
        return [{"label": u.name, "url": _url_with(url, {**query, "unit": u.pk})} for u in self.user_units]

    def export_urls(self, form, unit: Unit | None) -> dict:
        skip = ("publication", "unit", "mode")
        data = {k: v for k, v in form.data.items() if k not in skip and v not in (None, "")}
        if unit is not None:
            data["unit"] = unit.pk
        return {
            "publication": _url("children:statistics_export", {**data, "mode": PUBLICATION}),
            "exact": _url("children:statistics_export", {**data, "mode": EXACT}),
        }


def _url(name: str, query: dict) -> str:
    return _url_with(reverse(name), query)


def _url_with(path: str, query: dict) -> str:
    return path + "?" + urlencode({k: v for k, v in query.items() if v not in (None, "")})


class StatisticsExportView(StatisticsMixin, View):
    """The statistics as .xlsx: a sheet per breakdown and the trend, for publication by default."""

    def get(self, request):
        user = request.user
        form = StatisticsExportForm(_form_data(request), user=user)
        if form.is_valid():
            unit, day = self.resolve(form)
        if not form.is_valid():
            return plain_text(_errors_text(form), 400)
        mode = form.cleaned_data["mode"]
        counts = ChildCounts(queryset=statistics_children(user), day=day, unit=unit)
        tables = export_tables(
            counts, form.group_by, years=form.cleaned_data.get("years") or int(DEFAULTS["years"])
        )
        hidden = suppress(tables) if mode == PUBLICATION else None
        place = _slug(unit.code or unit.name) if unit else "tat-ca"
        exact = "" if mode == PUBLICATION else "-chinh-xac"
        filename = f"thong-ke-tre-em-{place}-{day.isoformat()}{exact}.xlsx"
        content = statistics_workbook(tables, hidden=hidden, user=user, unit=unit, day=day, mode=mode)
        audit_record(
            user,
            "children.statistics.exported",
            None,
            unit=unit,
            object_label=filename,
            changes={
                "mode": mode,
                "unit": unit.pk if unit else None,
                "day": day,
                "sheets": [t.title for t in tables],
            },
        )
        response = HttpResponse(
            content, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        )
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
        return response


def export_tables(counts: ChildCounts, group_by: list[str], *, years: int) -> list[Table]:
    """The chosen table, one table of units by each other breakdown, the trend by year, and the
    children under 16 with, apart, the minors of 16–17 (asked first: it gives the totals)."""
    in_law = counts.in_law()
    tables = [counts.table(group_by)]
    for dim in DIMENSIONS:
        if dim != "unit" and ["unit", dim] != list(group_by):
            tables.append(counts.table(["unit", dim]))
    tables.append(counts.trend(years))
    return [*tables, in_law]


def _errors_text(form) -> str:
    lines = []
    for name, errors in form.errors.items():
        label = form.fields[name].label if name in form.fields else None
        lines += [f"{label}: {error}" if label else str(error) for error in errors]
    return "\n".join(lines)


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", fold(text)).strip("-") or "don-vi"


SHEET_NAME_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")


def _sheet_name(title: str, used: set[str]) -> str:
    base = SHEET_NAME_FORBIDDEN.sub(" ", title)[:28].strip() or "Sheet"
    name, n = base, 2
    while name.lower() in used:
        name, n = f"{base[:26]} {n}", n + 1
    used.add(name.lower())
    return name


def statistics_workbook(
    tables: list[Table], *, hidden: dict | None, user, unit: Unit | None, day, mode: str
) -> bytes:
    """An .xlsx with one sheet per table, each headed by the unit, the day and the suppression rule."""
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True})
    title_format = book.add_format({"bold": True, "font_size": 13})
    head = book.add_format({"bold": True, "bottom": 1, "text_wrap": True, "valign": "top"})
    number = book.add_format({"num_format": "#,##0"})
    mark = book.add_format({"align": "right", "font_color": "#7f0000"})
    total_number = book.add_format({"bold": True, "num_format": "#,##0", "top": 1})
    total_mark = book.add_format({"bold": True, "align": "right", "top": 1, "font_color": "#7f0000"})
    total_label = book.add_format({"bold": True, "top": 1})
    used: set[str] = set()
    header_lines = [
        _("Unit: %(unit)s") % {"unit": unit.label if unit else _("all units you may see")},
        _("On the day: %(day)s") % {"day": day.strftime("%d/%m/%Y")},
        _("Children counted: in the registry on the day, aged 0–%(age)s.") % {"age": MINOR_AGE_LIMIT - 1},
    ]
    if mode == PUBLICATION:
        header_lines += [
            _("Suppressed: counts under 5 shown as <5."),
            _("x: a further count hidden so that those under 5 cannot be worked out from the totals."),
        ]
    else:
        header_lines.append(_("Exact counts: not for publication."))
    header_lines.append(
        _("Exported by %(user)s on %(when)s.")
        % {"user": user.get_username(), "when": timezone.localtime().strftime("%d/%m/%Y %H:%M")}
    )

    def write(sheet, row: int, col: int, shown, total: bool = False) -> None:
        if shown is None:
            return
        if shown.hidden:
            sheet.write_string(row, col, shown.hidden, total_mark if total else mark)
        else:
            sheet.write_number(row, col, shown.value, total_number if total else number)

    for table in tables:
        named_by_breakdowns = all(d in DIMENSIONS for d in (*table.row_dims, table.col_dim or "unit"))
        name = table.sheet_name or (breakdowns_label(table.dims) if named_by_breakdowns else table.title)
        sheet = book.add_worksheet(_sheet_name(name, used))
        sheet.write_string(0, 0, table.title, title_format)
        row = 1
        for line in [*header_lines, *table.notes]:
            sheet.write_string(row, 0, line)
            row += 1
        row += 1
        grid = table.grid(hidden)
        header = grid["row_header"] + grid["columns"] + ([_("Total")] if table.row_totals is not None else [])
        for col, text in enumerate(header):
            sheet.write_string(row, col, text, head)
        width = len(grid["row_header"])
        sheet.set_column(0, width - 1, 32)
        sheet.set_column(width, len(header), 14)
        sheet.freeze_panes(row + 1, width)
        row += 1
        for line in grid["rows"]:
            for col, text in enumerate(line["labels"]):
                sheet.write_string(row, col, text)
            for col, shown in enumerate(line["cells"]):
                write(sheet, row, width + col, shown)
            write(sheet, row, width + len(line["cells"]), line["total"])
            row += 1
        if grid["footer"]:
            sheet.write_string(row, 0, _("Total"), total_label)
            for col in range(1, width):
                sheet.write_blank(row, col, None, total_label)
            for col, shown in enumerate(grid["footer"]["cells"]):
                write(sheet, row, width + col, shown, total=True)
            write(sheet, row, width + len(grid["footer"]["cells"]), grid["footer"]["total"], total=True)
    book.close()
    return buffer.getvalue()

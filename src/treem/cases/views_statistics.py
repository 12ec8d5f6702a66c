"""The page of statistics on abuse and its .xlsx export (``cases/statistics.py`` counts).

Holders of ``cases.view_case`` may ask for exact counts; they get them only where they may see
every case behind the figures (``statistics.exact_counts_allowed``), and otherwise the
publication view with a note saying why. Leadership with ``children.view_statistics`` only always
gets the publication view. Exact counts shown by ``cases.view_exact_statistics`` beyond one's
groups write an audit event, and every export writes one. No page or sheet shows a case's content.
"""

from __future__ import annotations

import datetime as dt
import io

import xlsxwriter
from django import forms
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views import View

from treem.audit.services import audit_record
from treem.cases import statistics
from treem.core.forms import DATE_ATTRS
from treem.core.scope import unit_in_scope
from treem.core.views import plain_text
from treem.geo.models import Unit, UnitLevel

PUBLICATION, EXACT = "publication", "exact"
ROW_HEADERS = {
    "unit": gettext_lazy("Commune"),
    "harm": gettext_lazy("Kind of harm"),
    "age_band": gettext_lazy("Age"),
    "setting": gettext_lazy("Setting"),
}
DATE_WIDGET = {**DATE_ATTRS, "class": "form-control"}
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class UnitChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return obj.label


class AbuseStatisticsForm(forms.Form):
    start = forms.DateField(
        label=gettext_lazy("From"),
        required=False,
        widget=forms.DateInput(format="%d/%m/%Y", attrs=DATE_WIDGET),
    )
    end = forms.DateField(
        label=gettext_lazy("To"), required=False, widget=forms.DateInput(format="%d/%m/%Y", attrs=DATE_WIDGET)
    )
    unit = UnitChoiceField(
        label=gettext_lazy("Unit"),
        required=False,
        queryset=Unit.objects.none(),
        empty_label=gettext_lazy("All my units"),
        widget=forms.Select(attrs={"class": "form-select"}),
    )
    mode = forms.ChoiceField(
        label=gettext_lazy("Counts"),
        required=False,
        choices=[
            (PUBLICATION, gettext_lazy("for publication (counts under 5 hidden)")),
            (EXACT, gettext_lazy("exact (not for publication)")),
        ],
        widget=forms.Select(attrs={"class": "form-select"}),
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.fields["unit"].queryset = (
            Unit.objects.restrict(user, "view")
            .current()
            .filter(level__in=[UnitLevel.PROVINCE, UnitLevel.COMMUNE])
            .order_by("path")
        )
        if not statistics.may_see_exact_counts(user):
            self.fields["mode"].choices = self.fields["mode"].choices[:1]

    def clean_mode(self):
        mode = self.cleaned_data.get("mode") or (
            EXACT if statistics.may_see_exact_counts(self.user) else PUBLICATION
        )
        if mode == EXACT and not statistics.may_see_exact_counts(self.user):
            raise ValidationError(_("Exact counts are only for users who work on cases."))
        return mode

    def clean(self):
        data = super().clean()
        today = timezone.localdate()
        start = data["start"] = data.get("start") or dt.date(today.year, 1, 1)
        end = data["end"] = data.get("end") or today
        if end < start:
            self.add_error("end", _("The period ends before it starts."))
        elif end > today:
            self.add_error("end", _("The period cannot end in the future."))
        return data


class AbuseStatisticsMixin(LoginRequiredMixin):
    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and not statistics.may_see_abuse_statistics(request.user):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def form(self, request) -> AbuseStatisticsForm:
        data = request.GET.copy()
        unit_id = data.get("unit")
        if unit_id:
            # A unit outside the user's scope is 404, as for any record.
            try:
                unit = Unit.objects.filter(pk=int(unit_id)).first()
            except (TypeError, ValueError, OverflowError):
                unit = None
            if unit is None or not unit_in_scope(request.user, unit):
                raise Http404
        return AbuseStatisticsForm(data, user=request.user)

    def compute(self, form) -> statistics.AbuseStatistics:
        data = form.cleaned_data
        return statistics.abuse_statistics(
            user=self.request.user, start=data["start"], end=data["end"], unit=data.get("unit")
        )

    def shown_mode(self, form) -> tuple[bool, str]:
        """Whether the publication version is shown, and a note when exact counts were refused.

        Exact counts shown beyond the user's groups (by ``cases.view_exact_statistics``) are
        audited here, once per page or export.
        """
        data = form.cleaned_data
        if data["mode"] == PUBLICATION:
            return True, ""
        access = statistics.exact_counts_allowed(
            self.request.user, start=data["start"], end=data["end"], unit=data.get("unit")
        )
        if not access.allowed:
            return True, ngettext(
                "Exact counts are shown only to those who may see every case counted: %(n)d case "
                "of this period is outside your groups, so these are the counts for publication.",
                "Exact counts are shown only to those who may see every case counted: %(n)d cases "
                "of this period are outside your groups, so these are the counts for publication.",
                access.outside,
            ) % {"n": access.outside}
        if access.beyond_group:
            unit = data.get("unit")
            audit_record(
                self.request.user,
                "cases.statistics.exact_viewed",
                None,
                unit=unit,
                object_label=_("Statistics on abuse"),
                changes={
                    "unit": unit.pk if unit else None,
                    "start": data["start"],
                    "end": data["end"],
                    "cases_outside_group": access.outside,
                },
            )
        return False, ""


def shown_tables(result: statistics.AbuseStatistics, publication: bool) -> list[dict]:
    hidden = result.hidden(publication)
    tables = []
    for table in result.tables():
        grid = table.grid(hidden)
        grid["row_header"] = [str(ROW_HEADERS.get(table.row_dims[0], ""))]
        tables.append({"title": table.title, "grid": grid, "has_total": table.row_totals is not None})
    return tables


class AbuseStatisticsView(AbuseStatisticsMixin, View):
    template_name = "cases/statistics.html"

    def get(self, request):
        form = self.form(request)
        ctx = {"form": form}
        if form.is_valid():
            result = self.compute(form)
            publication, refused = self.shown_mode(form)
            ctx.update(
                result=result,
                publication=publication,
                exact_refused=refused,
                tables=shown_tables(result, publication),
                plan=result.plan_summary(publication),
                export_query=request.GET.urlencode(),
            )
            return render(request, self.template_name, ctx)
        return render(request, self.template_name, ctx, status=400)


class AbuseStatisticsExportView(AbuseStatisticsMixin, View):
    def get(self, request):
        form = self.form(request)
        if not form.is_valid():
            return plain_text("\n".join(str(e) for errors in form.errors.values() for e in errors), 400)
        result = self.compute(form)
        publication, _refused = self.shown_mode(form)
        mode = PUBLICATION if publication else EXACT
        unit = form.cleaned_data.get("unit")
        suffix = "" if publication else "-chinh-xac"
        filename = f"thong-ke-xam-hai-tre-em-{result.start.isoformat()}-{result.end.isoformat()}{suffix}.xlsx"
        content = workbook(result, publication=publication, user=request.user)
        audit_record(
            request.user,
            "cases.statistics.exported",
            None,
            unit=unit,
            object_label=filename,
            changes={
                "mode": mode,
                "unit": unit.pk if unit else None,
                "start": result.start,
                "end": result.end,
            },
        )
        response = HttpResponse(content, content_type=XLSX_TYPE)
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
        return response


def _sheet_name(index: int, title: str) -> str:
    """Excel's limits: 31 characters, none of []:*?/\\; numbered so names never repeat."""
    clean = "".join(" " if ch in "[]:*?/\\" else ch for ch in str(title))
    return f"{index}. {clean}"[:31].strip()


def workbook(result: statistics.AbuseStatistics, *, publication: bool, user) -> bytes:
    """One sheet per table and one for the time to plan, each headed by the period and the rule."""
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True})
    bold = book.add_format({"bold": True, "font_size": 13})
    head = book.add_format({"bold": True, "bottom": 1, "text_wrap": True})
    number = book.add_format({"num_format": "#,##0"})
    mark = book.add_format({"align": "right", "font_color": "#7f0000"})
    header_lines = [
        _("Period: %(start)s – %(end)s")
        % {"start": result.start.strftime("%d/%m/%Y"), "end": result.end.strftime("%d/%m/%Y")},
        _("Unit: %(unit)s") % {"unit": result.unit.label if result.unit else _("all units you may see")},
        _("Counts for publication: under 5 shown as <5, x hides a count that would give one away.")
        if publication
        else _("Exact counts: not for publication."),
        _("Exported by %(user)s on %(when)s.")
        % {"user": user.get_username(), "when": timezone.localtime().strftime("%d/%m/%Y %H:%M")},
        *result.notes,
    ]

    def write(sheet, row, col, shown):
        if shown is None:
            return
        if shown.hidden:
            sheet.write_string(row, col, shown.hidden, mark)
        else:
            sheet.write_number(row, col, shown.value, number)

    for index, table in enumerate(shown_tables(result, publication), start=1):
        sheet = book.add_worksheet(_sheet_name(index, table["title"]))
        sheet.write_string(0, 0, table["title"], bold)
        row = 1
        for line in header_lines:
            sheet.write_string(row, 0, str(line))
            row += 1
        row += 1
        grid = table["grid"]
        header = grid["row_header"] + grid["columns"] + ([_("Total")] if table["has_total"] else [])
        for col, text in enumerate(header):
            sheet.write_string(row, col, str(text), head)
        sheet.set_column(0, 0, 36)
        sheet.set_column(1, len(header), 14)
        row += 1
        for line in grid["rows"]:
            sheet.write_string(row, 0, line["label"])
            for col, shown in enumerate(line["cells"], start=1):
                write(sheet, row, col, shown)
            write(sheet, row, len(line["cells"]) + 1, line["total"])
            row += 1
        if grid["footer"]:
            sheet.write_string(row, 0, _("Total"), head)
            for col, shown in enumerate(grid["footer"]["cells"], start=1):
                write(sheet, row, col, shown)
            write(sheet, row, len(grid["footer"]["cells"]) + 1, grid["footer"]["total"])
    plan = result.plan_summary(publication)
    title = _("Time from report to plan (days)")
    sheet = book.add_worksheet(_sheet_name(len(result.tables()) + 1, title))
    sheet.write_string(0, 0, title, bold)
    sheet.write_string(1, 0, _("Cases with a plan submitted"))
    write(sheet, 1, 1, plan["count"])
    sheet.write_string(2, 0, _("Median"))
    sheet.write_string(3, 0, _("Mean"))
    if plan["median"] is not None:
        sheet.write_number(2, 1, plan["median"])
        sheet.write_number(3, 1, plan["mean"])
    else:
        sheet.write_string(2, 1, "x" if plan["hidden"] else "")
        sheet.write_string(3, 1, "x" if plan["hidden"] else "")
    book.close()
    return buffer.getvalue()

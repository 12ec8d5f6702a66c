"""Pages of the indicator exchange with the ministry's systems: ADX and DHIS2 dataValueSets JSON,
downloaded for a unit and a period, uploaded back (indicators/exchange.py)."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View

from treem.children.forms import UnitChoiceField
from treem.core.views import ScopedQuerysetMixin
from treem.geo.models import Unit
from treem.indicators import exchange
from treem.indicators.forms import INPUT, SELECT, units_for
from treem.indicators.models import Indicator, IndicatorValue
from treem.indicators.periods import parse_period

CONTENT_TYPES = {"adx": "application/adx+xml; charset=utf-8", "json": "application/json; charset=utf-8"}


class ExchangeSelectionForm(forms.Form):
    """Which unit (with the communes under it) and period to send (a GET form)."""

    unit = UnitChoiceField(
        label=gettext_lazy("Unit"), queryset=Unit.objects.none(), widget=forms.Select(attrs=SELECT)
    )
    period = forms.CharField(
        label=gettext_lazy("Period"),
        max_length=8,
        help_text=gettext_lazy("2026 (year), 2026S1 (half-year) or 2026Q3 (quarter)."),
        widget=forms.TextInput(attrs=INPUT),
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = units_for(user)

    def clean_period(self):
        try:
            return parse_period(self.cleaned_data["period"])
        except ValidationError as exc:
            raise forms.ValidationError(exc.messages) from exc


class ExchangeUploadForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("ADX (.xml) or DHIS2 dataValueSets (.json) file"),
        widget=forms.ClearableFileInput(attrs={"class": "form-control", "accept": ".xml,.adx,.json"}),
    )


class ExchangeView(ScopedQuerysetMixin, View):
    """Choose a unit and period to download as ADX or JSON (with what the mapping leaves out);
    upload a file from the ministry's system."""

    model = IndicatorValue
    template_name = "indicators/exchange.html"

    def context(self, request, **extra) -> dict:
        form = ExchangeSelectionForm(request.GET or None, user=request.user)
        ctx = {"form": form, "mapping": exchange.mapping(), "may_import": self.may_import(request)}
        if request.GET and form.is_valid():
            unit, period = form.cleaned_data["unit"], form.cleaned_data["period"]
            query = {"unit": unit.pk, "period": period.code}
            export = exchange.exchange_values(user=request.user, unit=unit, period=period)
            ctx.update(
                export=export,
                # by name: catalogue codes are names for formulas, not for people
                unmapped=Indicator.objects.filter(code__in=export.unmapped),
                adx_url=reverse("indicators:exchange_download") + "?" + urlencode({**query, "format": "adx"}),
                json_url=reverse("indicators:exchange_download")
                + "?"
                + urlencode({**query, "format": "json"}),
            )
        ctx.setdefault("upload", ExchangeUploadForm())
        ctx.update(extra)
        return ctx

    @staticmethod
    def may_import(request) -> bool:
        return request.user.has_perm("indicators.add_indicatorvalue")

    def get(self, request):
        return render(request, self.template_name, self.context(request))

    def post(self, request):
        if not self.may_import(request):
            raise PermissionDenied
        upload = ExchangeUploadForm(request.POST, request.FILES)
        errors: list[str] = []
        if upload.is_valid():
            file = upload.cleaned_data["file"]
            limit = settings.TREEM_MAX_IMPORT_BYTES
            if file.size > limit:  # refused before it is read into memory
                errors = [_("The file is larger than %(limit)s MB.") % {"limit": limit // (1024 * 1024)}]
            else:
                try:
                    result = exchange.exchange_import(
                        acting_user=request.user, raw=file.read(), name=file.name
                    )
                except ValidationError as exc:
                    errors = exc.messages
                else:
                    for warning in result.warnings:
                        messages.warning(request, warning)
                    messages.success(
                        request,
                        _("%(values)s values read, %(saved)s figures saved.")
                        % {"values": result.values, "saved": result.saved},
                    )
                    return redirect("indicators:exchange")
        return render(
            request, self.template_name, self.context(request, upload=upload, errors=errors), status=400
        )


class ExchangeDownloadView(ScopedQuerysetMixin, View):
    """The ADX or dataValueSets file of a unit (and the communes under it) and a period, audited."""

    model = IndicatorValue

    def get(self, request):
        form = ExchangeSelectionForm(request.GET, user=request.user)
        fmt = request.GET.get("format", "adx")
        if fmt not in exchange.FORMATS or not form.is_valid():
            raise Http404  # a unit out of the user's scope is not among the choices
        content, name, export = exchange.exchange_export(
            acting_user=request.user,
            unit=form.cleaned_data["unit"],
            period=form.cleaned_data["period"],
            fmt=fmt,
        )
        response = HttpResponse(content, content_type=CONTENT_TYPES[fmt])
        response["Content-Disposition"] = f'attachment; filename="{name}"'
        # Indicators with figures but no receiver code: left out, and said so.
        response["X-Treem-Unmapped"] = ",".join(export.unmapped)
        return response

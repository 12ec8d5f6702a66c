"""Indicator values as ADX and DHIS2 dataValueSets over the API (indicators/exchange.py): the same
export and import as the page ``indicators/exchange/``, for a statistics system's token or script."""

from __future__ import annotations

from django.http import HttpResponse
from django.http.request import RawPostDataException
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, inline_serializer
from rest_framework import exceptions, serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from treem.core.api import ScopedModelPermissions
from treem.geo.models import Unit
from treem.indicators import exchange
from treem.indicators.models import IndicatorValue
from treem.indicators.periods import parse_period

CONTENT_TYPES = {"adx": "application/adx+xml; charset=utf-8", "json": "application/json; charset=utf-8"}


class SelectionSerializer(serializers.Serializer):
    unit = serializers.IntegerField(min_value=1, max_value=2**31 - 1)
    period = serializers.CharField(max_length=8)


ResultSerializer = inline_serializer(
    "IndicatorExchangeResult",
    {
        "format": serializers.CharField(),
        "values": serializers.IntegerField(),
        "saved": serializers.IntegerField(),
        "warnings": serializers.ListField(child=serializers.CharField()),
    },
)
DataValueSetSerializer = inline_serializer(
    "DataValueSet",
    {
        "dataSet": serializers.CharField(required=False),
        "dataValues": inline_serializer(
            "DataValue",
            {
                "dataElement": serializers.CharField(),
                "period": serializers.CharField(),
                "orgUnit": serializers.CharField(),
                "value": serializers.CharField(),
            },
            many=True,
        ),
    },
)
SELECTION = [
    OpenApiParameter(
        "unit", int, required=True, description=gettext_lazy("A unit's id: its communes' figures are sent.")
    ),
    OpenApiParameter(
        "period", str, required=True, description=gettext_lazy("2026 (year), 2026S1 (half-year), 2026Q3.")
    ),
]


class _ExchangeView(APIView):
    """Export (GET) and import (POST) of one format; permissions of indicator values."""

    queryset = IndicatorValue.objects.none()  # for ScopedModelPermissions: view to read, add to write
    permission_classes = [ScopedModelPermissions]
    fmt = ""

    def perform_content_negotiation(self, request, force=False):
        # The file answers whatever the client accepts (its errors are JSON).
        return super().perform_content_negotiation(request, force=True)

    def download(self, request):
        selection = SelectionSerializer(data=request.query_params)
        selection.is_valid(raise_exception=True)
        unit = Unit.objects.restrict(request.user, "view").filter(pk=selection.validated_data["unit"]).first()
        if unit is None:
            raise exceptions.NotFound(_("Not found."))
        period = parse_period(selection.validated_data["period"])  # a ValidationError is a 400
        content, name, export = exchange.exchange_export(
            acting_user=request.user, unit=unit, period=period, fmt=self.fmt
        )
        response = HttpResponse(content, content_type=CONTENT_TYPES[self.fmt])
        response["Content-Disposition"] = f'attachment; filename="{name}"'
        response["X-Treem-Unmapped"] = ",".join(export.unmapped)
        return response

    def upload(self, request):
        if request.content_type.startswith(("multipart/", "application/x-www-form-urlencoded")):
            raise exceptions.UnsupportedMediaType(request.content_type)
        try:
            raw = request.body
        except RawPostDataException as exc:  # a form's body, already read as form fields
            raise exceptions.UnsupportedMediaType(request.content_type) from exc
        kind = "json" if raw.lstrip(b"\xef\xbb\xbf \t\r\n")[:1] in (b"{", b"[") else "adx"
        if kind != self.fmt:
            raise exceptions.ValidationError({"detail": [_("This address takes the other format.")]})
        result = exchange.exchange_import(acting_user=request.user, raw=raw, name=f"api.{self.fmt}")
        return Response(
            {
                "format": result.format,
                "values": result.values,
                "saved": result.saved,
                "warnings": result.warnings,
            }
        )


class AdxView(_ExchangeView):
    fmt = "adx"

    @extend_schema(
        summary=gettext_lazy("Indicator values of a unit and period as ADX"),
        parameters=SELECTION,
        responses={
            (200, "application/adx+xml"): OpenApiResponse(OpenApiTypes.STR, description=gettext_lazy("ADX.")),
            400: OpenApiResponse(description=gettext_lazy("The unit or the period is not valid.")),
            404: OpenApiResponse(description=gettext_lazy("No such unit among yours.")),
        },
    )
    def get(self, request):
        return self.download(request)

    # ADX is posted as XML; the schema fuzzer has no XML to offer, so it is documented in
    # docs/indicator-exchange.md and tested in tests/indicators/test_exchange_api.py.
    @extend_schema(exclude=True)
    def post(self, request):
        return self.upload(request)


class DataValueSetsView(_ExchangeView):
    fmt = "json"

    @extend_schema(
        summary=gettext_lazy("Indicator values of a unit and period as DHIS2 dataValueSets"),
        parameters=SELECTION,
        responses={
            200: DataValueSetSerializer,
            400: OpenApiResponse(description=gettext_lazy("The unit or the period is not valid.")),
            404: OpenApiResponse(description=gettext_lazy("No such unit among yours.")),
        },
    )
    def get(self, request):
        return self.download(request)

    @extend_schema(
        summary=gettext_lazy("Import DHIS2 dataValueSets (codes of the mapping table)"),
        description=gettext_lazy(
            "Every value is checked first; one wrong value and nothing is written. Approved figures "
            "are refused until unlocked."
        ),
        request=DataValueSetSerializer,
        responses={
            200: ResultSerializer,
            400: OpenApiResponse(description=gettext_lazy("Every problem of the file; nothing was written.")),
        },
    )
    def post(self, request):
        return self.upload(request)

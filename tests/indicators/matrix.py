"""Access lines of the indicator pages (collected by tests/core/test_access_matrix.py)."""

from __future__ import annotations

import io

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from openpyxl import Workbook

from tests.matrix import Endpoint
from treem.indicators.models import Approval, Indicator, IndicatorValue, Target
from treem.indicators.reference import CATALOGUE

COMPUTED = sum(1 for row in CATALOGUE if row["numerator_formula"])


def records(side, tag, personas) -> None:
    """A target (a draft, as entered before approval), a figure and an approval of the side's commune."""
    commune = side.commune
    side.indicator_target = Target.objects.create(
        indicator=Indicator.objects.get(code="PAC_CFC"),
        unit=commune,
        scope_unit=commune,
        year=timezone.localdate().year,
        target=1,
        note=f"Chỉ tiêu thử {tag}",
    )
    side.indicator_value = IndicatorValue.objects.create(
        indicator=Indicator.objects.get(code="PAC_DROWNING"),
        unit=commune,
        scope_unit=commune,
        period="2026",
        year=2026,
        numerator=1,
    )
    side.indicator_approval = Approval.objects.create(
        unit=commune, period="2025S2", approved_by=side.user, approved_at=timezone.now()
    )


def marker(obj):
    if isinstance(obj, Target):
        return obj.note
    if isinstance(obj, IndicatorValue):
        return obj.unit.name
    if isinstance(obj, Approval):
        return f"{obj.unit.name} {obj.period}"
    return None


def _entry(period):
    return lambda side: {"unit": side.commune.pk, "period": period}


def _import_file(side) -> dict:
    book = Workbook()
    sheet = book.active
    sheet.append(["indicator", "unit", "period", "numerator", "denominator", "comment"])
    sheet.append(["PAC_IMMUNISED", side.commune.code, "2026", 9, 10, ""])
    out = io.BytesIO()
    book.save(out)
    return {"file": SimpleUploadedFile("chi-tieu.xlsx", out.getvalue())}


def _exchange_file(side) -> dict:
    adx = (
        '<adx xmlns="urn:ihe:qrph:adx:2015" exported="2026-12-07T10:00:00+07:00">'
        f'<group orgUnit="{side.commune.code}" period="2026-01-01/P1Y" dataSet="CP_TREEM_INDICATORS">'
        '<dataValue dataElement="CP_PAC_IMMUNISED_N" value="9"/>'
        '<dataValue dataElement="CP_PAC_IMMUNISED_D" value="10"/></group></adx>'
    )
    return {"file": SimpleUploadedFile("chi-tieu.adx.xml", adx.encode())}


def _indicator(side) -> dict:
    return {"pk": Indicator.objects.get(code="PAC_BIRTH_REG").pk}


ENDPOINTS: tuple[Endpoint, ...] = (
    Endpoint("indicators:dashboard", denied="no_role_a"),
    Endpoint("indicators:indicator_list", denied="no_role_a"),
    Endpoint("indicators:indicator_detail", denied="no_role_a", kwargs=_indicator),
    Endpoint("indicators:ranking", denied="no_role_a"),
    Endpoint(
        "indicators:category_set",
        "post",
        permitted="coordinator",
        denied="officer_a",
        record="commune",
        kwargs=lambda side: {"unit": side.commune.pk},
        forged_key="unit",
        data=lambda side: {"category": "disadvantaged"},
        ok=302,
        events=1,
    ),
    Endpoint("indicators:target_list", denied="no_role_a", shown=lambda side: [side.indicator_target]),
    Endpoint(
        "indicators:target_set",
        "post",
        permitted="coordinator",
        denied="officer_a",
        data=lambda side: {
            "indicator": Indicator.objects.get(code="PAC_IMMUNISED").pk,
            "unit": side.commune.pk,
            "year": "2026",
            "target": "98",
        },
        ok=302,
        events=1,
        out_status=400,  # a unit outside the coordinator's province is not among the choices
    ),
    Endpoint(
        "indicators:target_approve",
        "post",
        permitted="coordinator",
        denied="officer_a",  # sees targets, may not approve them
        data=lambda side: {"target": [side.indicator_target.pk]},
        ok=302,
        events=1,
    ),
    Endpoint("indicators:entry_start", denied="no_role_a"),
    Endpoint(
        "indicators:entry", denied="no_role_a", record="commune", kwargs=_entry("2026"), forged_key="unit"
    ),
    Endpoint(
        "indicators:entry",
        "post",
        denied="viewer",
        record="commune",
        kwargs=_entry("2026"),
        forged_key="unit",
        data=lambda side: {"num_PAC_DROWNING": "2", "comment_PAC_DROWNING": ""},
        ok=302,
        events=1,
    ),
    Endpoint(
        "indicators:compute",
        "post",
        denied="viewer",
        record="commune",
        kwargs=_entry("2026"),
        forged_key="unit",
        ok=302,
        events=COMPUTED,
    ),
    Endpoint(
        "indicators:approve",
        "post",
        permitted="supervisor_a",
        denied="officer_a",
        record="commune",
        kwargs=_entry("2026Q1"),
        forged_key="unit",
        ok=302,
        events=1,
    ),
    Endpoint(
        "indicators:unlock",
        "post",
        permitted="supervisor_a",
        denied="officer_a",
        record="indicator_approval",
        data=lambda side: {"reason": "Sửa số liệu sai"},
        ok=302,
        events=1,
    ),
    Endpoint("indicators:import", denied="viewer"),
    Endpoint("indicators:import_template", denied="viewer"),
    Endpoint(
        "indicators:import",
        "post",
        denied="viewer",
        data=_import_file,
        ok=302,
        events=2,  # the figure created, the import
        out_status=400,  # another commune's rows: refused with the row named
    ),
    Endpoint("indicators:exchange", denied="no_role_a"),
    Endpoint(
        "indicators:exchange",
        "post",
        denied="viewer",
        data=_exchange_file,
        ok=302,
        events=2,  # the figure created, the import
        out_status=400,  # another commune's values: refused with the commune named
    ),
    Endpoint(
        "indicators:exchange_download",
        denied="no_role_a",
        data=lambda side: {"unit": side.commune.pk, "period": "2026", "format": "adx"},
        events=1,
    ),
    Endpoint(
        "api:indicatorvalue-adx",
        api=True,
        denied="no_role_a",
        data=lambda side: {"unit": side.commune.pk, "period": "2026"},
        events=1,
    ),
    Endpoint(
        "api:indicatorvalue-datavaluesets",
        api=True,
        denied="no_role_a",
        data=lambda side: {"unit": side.commune.pk, "period": "2026"},
        events=1,
    ),
    Endpoint(
        "api:indicatorvalue-datavaluesets",
        "post",
        api=True,
        denied="viewer",
        data=lambda side: {
            "dataValues": [
                {
                    "dataElement": "CP_PAC_SWIMMING_N",
                    "period": "2026",
                    "orgUnit": side.commune.code,
                    "value": "5",
                }
            ]
        },
        events=2,  # the figure created, the import
        out_status=400,  # another commune's values: refused with the commune named
    ),
    Endpoint(
        "indicators:export",
        denied="no_role_a",
        query={"period": "2026"},
        events=1,
        shown=lambda side: [side.indicator_value],
    ),
)

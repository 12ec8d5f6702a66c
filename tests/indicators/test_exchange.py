"""Indicator values as ADX and DHIS2 dataValueSets: the mapping, the periods, the documents' structure,
the round trip (export → values gone → import → same values), bad and hostile files refused with
nothing written, and the user's scope on both sides."""

from __future__ import annotations

import datetime as dt
import json
import time
from decimal import Decimal
from xml.etree import ElementTree

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext

from tests.indicators.conftest import enter
from treem.audit.models import AuditEvent
from treem.core.uploads import UnsafeUpload
from treem.indicators import exchange
from treem.indicators.choices import IndicatorKind
from treem.indicators.models import Approval, IndicatorValue
from treem.indicators.periods import parse_period
from treem.indicators.reference import CATALOGUE

NS = "{urn:ihe:qrph:adx:2015}"
DATA_SET = "CP_TREEM_INDICATORS"


def adx(*groups: tuple[str, str, list[tuple[str, str]]], data_set: str = DATA_SET) -> bytes:
    """An ADX document: (orgUnit, period, [(dataElement, value)]) per group."""
    body = "".join(
        f'<group orgUnit="{unit}" period="{period}" dataSet="{data_set}">'
        + "".join(f'<dataValue dataElement="{e}" value="{v}"/>' for e, v in values)
        + "</group>"
        for unit, period, values in groups
    )
    root = '<adx xmlns="urn:ihe:qrph:adx:2015" exported="2026-12-07T10:00:00Z">'
    return f'<?xml version="1.0"?>{root}{body}</adx>'.encode()


def figures() -> dict:
    """Every stored value: (indicator, unit, period) → (numerator, denominator)."""
    return {
        (v.indicator.code, v.unit_id, v.period): (v.numerator, v.denominator)
        for v in IndicatorValue.objects.select_related("indicator")
    }


@pytest.fixture
def entered(coordinator, geo):
    """Figures of both communes of the province for 2026 and one quarter; one indicator unmapped."""
    enter(coordinator, geo.commune_a, "2026", PAC_IMMUNISED=(95, 100), PAC_DROWNING=2, CFC_01=1)
    enter(coordinator, geo.commune_b, "2026", PAC_IMMUNISED=("40.5", 50), TT13_U5_MORT=(3, 1200))
    enter(coordinator, geo.commune_a, "2026Q3", PAC_CHILD_LABOUR=4)
    return figures()


# --- the mapping and the periods --------------------------------------------------------------


def test_the_mapping_names_catalogue_indicators_with_the_parts_their_kind_needs(db):
    table = exchange.mapping()
    kinds = {row["code"]: row["kind"] for row in CATALOGUE}
    mapped = {code for code, _part in table.elements}
    assert mapped <= set(kinds) and len(mapped) >= 30
    for code in mapped:
        is_ratio = kinds[code] != IndicatorKind.COUNT
        assert ((code, "denominator") in table.elements) == is_ratio, code
    assert len(set(table.elements.values())) == len(table.elements)
    assert table.data_set == DATA_SET


def test_a_mapping_file_with_a_code_used_twice_is_refused(tmp_path):
    path = tmp_path / "mapping.yaml"
    path.write_text("data_set: X\nindicators:\n  A: {numerator: N}\n  B: {numerator: N}\n", encoding="utf-8")
    with pytest.raises(ValueError, match="used twice"):
        exchange.load_mapping(path)
    path.write_text("data_set: X\nindicators:\n  A: {numerator: N, breakdown: Y}\n", encoding="utf-8")
    with pytest.raises(ValueError, match="numerator"):
        exchange.load_mapping(path)


@pytest.mark.parametrize(
    ("code", "adx_text"),
    [
        ("2026", "2026-01-01/P1Y"),
        ("2026S2", "2026-07-01/P6M"),
        ("2026Q3", "2026-07-01/P3M"),
        ("2025Q1", "2025-01-01/P3M"),
    ],
)
def test_periods_in_adx_both_ways(code, adx_text):
    assert exchange.adx_period(parse_period(code)) == adx_text
    assert exchange.period_from_adx(adx_text).code == code


def test_the_year_may_be_written_as_twelve_months():
    assert exchange.period_from_adx("2026-01-01/P12M").code == "2026"


@pytest.mark.parametrize(
    "text", ["2026-02-01/P3M", "2026-01-15/P1Y", "2026-07-01/P1Y", "2026-04-01/P6M", "2026-W01", "2026", ""]
)
def test_a_period_treem_does_not_keep_is_refused(text):
    with pytest.raises(ValidationError):
        exchange.period_from_adx(text)


# --- export -----------------------------------------------------------------------------------


def test_adx_export_structure(coordinator, geo, entered):
    content, name, export = exchange.exchange_export(
        acting_user=coordinator, unit=geo.province, period=parse_period("2026"), fmt="adx"
    )
    assert name == "chi-tieu-48-2026.adx.xml"
    root = ElementTree.fromstring(content)
    assert root.tag == f"{NS}adx"
    assert dt.datetime.fromisoformat(root.attrib["exported"]).tzinfo is not None
    groups = root.findall(f"{NS}group")
    assert [g.attrib for g in groups] == [
        {"orgUnit": "20001", "period": "2026-01-01/P1Y", "dataSet": DATA_SET},
        {"orgUnit": "20002", "period": "2026-01-01/P1Y", "dataSet": DATA_SET},
    ]
    assert [child.tag for g in groups for child in g] == [f"{NS}dataValue"] * 7
    values = {
        (g.attrib["orgUnit"], v.attrib["dataElement"]): Decimal(v.attrib["value"])
        for g in groups
        for v in g
        if set(v.attrib) == {"dataElement", "value"}
    }
    assert values == {
        ("20001", "CP_PAC_DROWNING_N"): 2,
        ("20001", "CP_PAC_IMMUNISED_N"): 95,
        ("20001", "CP_PAC_IMMUNISED_D"): 100,
        ("20002", "CP_PAC_IMMUNISED_N"): Decimal("40.5"),
        ("20002", "CP_PAC_IMMUNISED_D"): 50,
        ("20002", "CP_TT13_U5_MORT_N"): 3,
        ("20002", "CP_TT13_U5_MORT_D"): 1200,
    }
    assert export.unmapped == ["CFC_01"]  # no receiver code: left out, and said so
    event = AuditEvent.objects.get(action="indicators.indicatorvalue.exported")
    assert event.changes["values"] == export.count and event.changes["unmapped"] == ["CFC_01"]


def test_dhis2_json_export(coordinator, geo, entered):
    content, name, _export = exchange.exchange_export(
        acting_user=coordinator, unit=geo.commune_a, period=parse_period("2026Q3"), fmt="json"
    )
    assert name.endswith(".json")
    assert json.loads(content) == {
        "dataSet": DATA_SET,
        "dataValues": [
            {"dataElement": "CP_PAC_CHILD_LABOUR_N", "period": "2026Q3", "orgUnit": "20001", "value": "4"}
        ],
    }


def test_a_quarter_in_adx(coordinator, geo, entered):
    content, _name, _export = exchange.exchange_export(
        acting_user=coordinator, unit=geo.province, period=parse_period("2026Q3"), fmt="adx"
    )
    group = ElementTree.fromstring(content).find(f"{NS}group")
    assert group.attrib["period"] == "2026-07-01/P3M" and group.attrib["orgUnit"] == "20001"


# --- the round trip ---------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["adx", "json"])
@pytest.mark.parametrize("period", ["2026", "2026Q3"])
def test_round_trip(coordinator, geo, entered, fmt, period):
    content, _name, _export = exchange.exchange_export(
        acting_user=coordinator, unit=geo.province, period=parse_period(period), fmt=fmt
    )
    expected = {k: v for k, v in entered.items() if k[2] == period and k[0] != "CFC_01"}
    assert expected
    IndicatorValue.objects.all().delete()
    created = AuditEvent.objects.filter(action="indicators.value.created").count()
    result = exchange.exchange_import(acting_user=coordinator, raw=content, name="back")
    assert result.format == fmt and result.saved == len(expected)
    assert figures() == expected
    assert AuditEvent.objects.filter(action="indicators.value.created").count() == created + len(expected)
    summary = AuditEvent.objects.filter(action="indicators.value.imported").get()
    assert summary.changes == {"format": fmt, "values": result.values, "saved": len(expected)}


def test_importing_the_same_file_again_changes_nothing_and_keeps_comments(coordinator, geo, entered):
    IndicatorValue.objects.filter(indicator__code="PAC_DROWNING").update(comment="Báo cáo của trạm y tế")
    content, _name, _export = exchange.exchange_export(
        acting_user=coordinator, unit=geo.province, period=parse_period("2026"), fmt="adx"
    )
    result = exchange.exchange_import(acting_user=coordinator, raw=content, name="again")
    assert result.saved == 0 and figures() == entered
    assert IndicatorValue.objects.get(indicator__code="PAC_DROWNING").comment == "Báo cáo của trạm y tế"


# --- bad input: clear messages, nothing written ------------------------------------------------


def test_every_bad_value_is_listed_and_nothing_is_written(coordinator, geo):
    content = adx(
        (
            "20001",
            "2026-01-01/P1Y",
            [
                ("CP_PAC_DROWNING_N", "3"),  # right, but not written since others are wrong
                ("NOT_MAPPED", "1"),
                ("CP_PAC_CHILD_LABOUR_N", "-2"),
                ("CP_PAC_SWIMMING_N", "1,5"),
                ("CP_PAC_LEGAL_AID_N", "abc"),
            ],
        ),
        ("99999", "2026-01-01/P1Y", [("CP_PAC_CONFLICT_LAW_N", "1")]),
        ("20002", "2026-02-01/P1Y", [("CP_PAC_CONFLICT_LAW_N", "1")]),
    )
    events = AuditEvent.objects.count()
    with pytest.raises(ValidationError) as caught:
        exchange.exchange_import(acting_user=coordinator, raw=content)
    text = "\n".join(caught.value.messages)
    assert "“NOT_MAPPED” is not in the mapping table" in text
    assert "-2: figures cannot be negative" in text
    assert "“1,5” is not a number" in text and "“abc” is not a number" in text
    assert "no commune with code “99999” existed in 2026" in text
    assert "“2026-02-01/P1Y” is not a period treem keeps" in text
    assert len(caught.value.messages) == 6
    assert not IndicatorValue.objects.exists() and AuditEvent.objects.count() == events


def test_percentages_must_be_coherent(coordinator, geo):
    over = adx(("20001", "2026-01-01/P1Y", [("CP_PAC_IMMUNISED_N", "120"), ("CP_PAC_IMMUNISED_D", "100")]))
    no_denominator = adx(("20002", "2026-01-01/P1Y", [("CP_PAC_IMMUNISED_N", "12")]))
    with pytest.raises(ValidationError) as caught:
        exchange.exchange_import(acting_user=coordinator, raw=over)
    assert caught.value.messages == [
        "20001, 2026: PAC_IMMUNISED: A percentage cannot be over 100: 120 out of 100."
    ]
    with pytest.raises(ValidationError) as caught:
        exchange.exchange_import(acting_user=coordinator, raw=no_denominator)
    assert "Enter the denominator" in caught.value.messages[0]
    assert not IndicatorValue.objects.exists()


def test_a_thousand_wrong_values_list_the_first_hundred(coordinator, geo):
    content = adx(("20001", "2026-01-01/P1Y", [(f"UNKNOWN_{i}", "1") for i in range(1000)]))
    with pytest.raises(ValidationError) as caught:
        exchange.exchange_import(acting_user=coordinator, raw=content)
    assert len(caught.value.messages) == 101
    assert caught.value.messages[-1] == "… and 900 more problems of the same file."


def test_a_value_twice_is_refused(coordinator, geo):
    content = adx(("20001", "2026-01-01/P1Y", [("CP_PAC_DROWNING_N", "3"), ("CP_PAC_DROWNING_N", "4")]))
    with pytest.raises(ValidationError, match="appear twice"):
        exchange.exchange_import(acting_user=coordinator, raw=content)


def test_approved_figures_are_refused_and_the_other_communes_not_written(coordinator, geo):
    Approval.objects.create(
        unit=geo.commune_a, period="2026", approved_by=coordinator, approved_at=timezone.now()
    )
    content = adx(
        ("20002", "2026-01-01/P1Y", [("CP_PAC_DROWNING_N", "1")]),
        ("20001", "2026-01-01/P1Y", [("CP_PAC_DROWNING_N", "3")]),
    )
    with pytest.raises(ValidationError) as caught:
        exchange.exchange_import(acting_user=coordinator, raw=content)
    assert caught.value.messages == [
        "20001, 2026: The figures of Phường An for 2026 are approved and locked; "
        "ask for them to be unlocked first."
    ]
    assert not IndicatorValue.objects.exists()


def test_structure_errors_of_adx(coordinator, geo):
    cases = {
        b'<adx xmlns="urn:other"/>': "its root must be",
        adx(("20001", "2026-01-01/P1Y", [("CP_PAC_DROWNING_N", "1")]), data_set="OTHER"): "data set “OTHER”",
        b'<adx xmlns="urn:ihe:qrph:adx:2015"><group orgUnit="20001"/></adx>': "needs the attributes period",
        b'<adx xmlns="urn:ihe:qrph:adx:2015"><group orgUnit="20001" period="2026-01-01/P1Y" '
        b'dataSet="CP_TREEM_INDICATORS"><dataValue dataElement="CP_PAC_DROWNING_N" value="1" SEX="F"/>'
        b"</group></adx>": "breakdowns (SEX) are not exchanged yet",
        b'<adx xmlns="urn:ihe:qrph:adx:2015"><value/></adx>': "<value> is not expected here",
        b'<adx xmlns="urn:ihe:qrph:adx:2015"><group>': "not well-formed XML",
        b"PK\x03\x04": "not an ADX document",
        b'<adx xmlns="urn:ihe:qrph:adx:2015"/>': "holds no figures",
    }
    for content, message in cases.items():
        with pytest.raises(ValidationError) as caught:
            exchange.exchange_import(acting_user=coordinator, raw=content)
        assert message in "\n".join(caught.value.messages), content


def test_structure_errors_of_datavaluesets(coordinator, geo):
    good = {"dataElement": "CP_PAC_DROWNING_N", "period": "2026", "orgUnit": "20001", "value": "1"}
    cases = {
        b"[1, 2]": "no “dataValues” list",
        b"{not json": "not valid JSON",
        json.dumps({"dataValues": [{**good, "categoryOptionCombo": "MALE"}]}).encode(): "breakdowns (MALE)",
        json.dumps(
            {"dataValues": [{"dataElement": "CP_PAC_DROWNING_N", "value": "1"}]}
        ).encode(): "are needed",
        json.dumps({"dataValues": [{**good, "value": True}]}).encode(): "is not a number",
        json.dumps({"dataValues": [{**good, "period": "2026-01-01/P1Y"}]}).encode(): "is not a period",
    }
    for content, message in cases.items():
        with pytest.raises(ValidationError) as caught:
            exchange.exchange_import(acting_user=coordinator, raw=content)
        assert message in "\n".join(caught.value.messages), content
    assert not IndicatorValue.objects.exists()


def test_datavaluesets_from_dhis2_with_set_level_period_and_default_combination(coordinator, geo):
    content = json.dumps(
        {
            "dataSet": DATA_SET,
            "period": "2026S2",
            "orgUnit": "20002",
            "dataValues": [
                {
                    "dataElement": "CP_PAC_DROWNING_N",
                    "value": 7,
                    "categoryOptionCombo": "default",
                    "storedBy": "x",
                }
            ],
        }
    ).encode()
    exchange.exchange_import(acting_user=coordinator, raw=content)
    assert figures() == {("PAC_DROWNING", geo.commune_b.pk, "2026S2"): (7, None)}


# --- hostile files ----------------------------------------------------------------------------

BILLION_LAUGHS = (
    b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
    + b"".join(
        f'<!ENTITY lol{i} "{("&lol" + (str(i - 1) if i > 1 else "") + ";") * 10}">'.encode()
        for i in range(1, 10)
    )
    + b']><adx xmlns="urn:ihe:qrph:adx:2015"><group orgUnit="&lol9;"/></adx>'
)
EXTERNAL_ENTITY = (
    b'<?xml version="1.0"?><!DOCTYPE adx [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
    b'<adx xmlns="urn:ihe:qrph:adx:2015"><group orgUnit="&x;" period="2026-01-01/P1Y" dataSet="D"/></adx>'
)
UTF16_DTD = '<?xml version="1.0" encoding="UTF-16"?><!DOCTYPE adx [<!ENTITY x "y">]><adx/>'.encode("utf-16")


@pytest.mark.parametrize(
    "content",
    [
        BILLION_LAUGHS,
        EXTERNAL_ENTITY,
        b'<!DOCTYPE adx SYSTEM "http://example.org/adx.dtd"><adx xmlns="urn:ihe:qrph:adx:2015"/>',
        b'<adx xmlns="urn:ihe:qrph:adx:2015">' + b"<a>" * 5000 + b"</a>" * 5000 + b"</adx>",
        b'{"dataValues": ' + b"[" * 5000 + b"]" * 5000 + b"}",
    ],
    ids=["billion-laughs", "external-entity", "external-dtd", "deep-xml", "deep-json"],
)
def test_hostile_files_are_refused_quickly_with_nothing_written(coordinator, geo, content):
    events = AuditEvent.objects.count()
    started = time.perf_counter()
    with pytest.raises(UnsafeUpload):
        exchange.exchange_import(acting_user=coordinator, raw=content)
    assert time.perf_counter() - started < 1.0
    assert not IndicatorValue.objects.exists() and AuditEvent.objects.count() == events


def test_a_dtd_in_utf16_is_refused_too(coordinator, geo):
    # The byte scan misses it; the parser's handler does not.
    with pytest.raises(UnsafeUpload):
        exchange.exchange_import(acting_user=coordinator, raw=UTF16_DTD)


def test_a_huge_file_is_refused(coordinator, geo, settings):
    settings.TREEM_MAX_IMPORT_BYTES = 1024 * 1024
    content = adx(("20001", "2026-01-01/P1Y", [("CP_PAC_DROWNING_N", "1")] * 30_000))
    assert len(content) > 1024 * 1024
    with pytest.raises(ValidationError) as caught:
        exchange.exchange_import(acting_user=coordinator, raw=content)
    assert caught.value.messages == ["The file is larger than 1 MB."]


def test_too_many_values_are_refused(coordinator, geo, monkeypatch):
    monkeypatch.setattr(exchange, "MAX_VALUES", 10)
    content = adx(("20001", "2026-01-01/P1Y", [("CP_PAC_DROWNING_N", "1")] * 11))
    with pytest.raises(ValidationError, match="more than 10 values"):
        exchange.exchange_import(acting_user=coordinator, raw=content)


# --- scope ------------------------------------------------------------------------------------


def test_a_commune_officer_cannot_export_another_commune(client, officer_a, coordinator, geo, entered):
    client.force_login(officer_a)
    url = reverse("indicators:exchange_download")
    assert client.get(url, {"unit": geo.commune_b.pk, "period": "2026", "format": "adx"}).status_code == 404
    assert client.get(url, {"unit": geo.province.pk, "period": "2026", "format": "json"}).status_code == 404
    response = client.get(url, {"unit": geo.commune_a.pk, "period": "2026", "format": "json"})
    assert response.status_code == 200
    assert {v["orgUnit"] for v in json.loads(response.content)["dataValues"]} == {"20001"}
    assert response["X-Treem-Unmapped"] == "CFC_01"


def test_a_province_export_by_a_commune_officer_holds_only_their_commune(officer_a, geo, entered):
    export = exchange.exchange_values(user=officer_a, unit=geo.province, period=parse_period("2026"))
    assert [unit for unit, _values in export.groups] == [geo.commune_a]


def test_a_commune_officer_cannot_import_another_commune(officer_a, geo):
    content = adx(
        ("20001", "2026-01-01/P1Y", [("CP_PAC_DROWNING_N", "1")]),
        ("20002", "2026-01-01/P1Y", [("CP_PAC_DROWNING_N", "1")]),
    )
    with pytest.raises(ValidationError) as caught:
        exchange.exchange_import(acting_user=officer_a, raw=content)
    assert caught.value.messages == ["Values for commune 20002: this commune is outside your units."]
    assert not IndicatorValue.objects.exists()


def test_a_viewer_may_not_import(viewer, geo):
    with pytest.raises(ValidationError, match="may not import"):
        exchange.exchange_import(acting_user=viewer, raw=adx(("20001", "2026-01-01/P1Y", [])))


# --- the page ---------------------------------------------------------------------------------


def test_the_page_shows_what_will_be_sent_and_what_is_left_out(client, coordinator, geo, entered, ind):
    client.force_login(coordinator)
    response = client.get(reverse("indicators:exchange"), {"unit": geo.province.pk, "period": "2026"})
    page = response.content.decode()
    assert response.status_code == 200
    assert (
        'data-testid="exchange-adx"' in page
        and 'data-testid="exchange-unmapped"' in page
        and ind.CFC_01.name in page
    )
    assert reverse("indicators:exchange") in client.get(reverse("indicators:dashboard")).content.decode()


def test_the_page_imports_a_file_and_lists_errors(client, officer_a, geo):
    client.force_login(officer_a)
    url = reverse("indicators:exchange")
    good = adx(("20001", "2026-01-01/P1Y", [("CP_PAC_DROWNING_N", "3")]))
    response = client.post(url, {"file": SimpleUploadedFile("so-lieu.xml", good)})
    assert response.status_code == 302
    assert figures() == {("PAC_DROWNING", geo.commune_a.pk, "2026"): (3, None)}
    bad = adx(("20001", "2026-01-01/P1Y", [("CP_PAC_DROWNING_N", "-1")]))
    response = client.post(url, {"file": SimpleUploadedFile("so-lieu.xml", bad)})
    assert response.status_code == 400
    assert 'data-testid="exchange-errors"' in response.content.decode()
    assert gettext("Nothing was imported:") in response.content.decode()
    assert figures() == {("PAC_DROWNING", geo.commune_a.pk, "2026"): (3, None)}


def test_the_page_refuses_an_upload_over_the_limit_before_reading_it(client, officer_a, geo, settings):
    settings.TREEM_MAX_IMPORT_BYTES = 1024 * 1024
    client.force_login(officer_a)
    response = client.post(
        reverse("indicators:exchange"), {"file": SimpleUploadedFile("so-lieu.xml", b"<" * (1024 * 1024 + 1))}
    )
    assert response.status_code == 400 and "The file is larger than 1 MB." in response.content.decode()


def test_a_viewer_sees_the_page_but_may_not_upload(client, viewer, geo):
    client.force_login(viewer)
    response = client.get(reverse("indicators:exchange"))
    assert response.status_code == 200 and 'type="file"' not in response.content.decode()
    response = client.post(reverse("indicators:exchange"), {"file": SimpleUploadedFile("x.xml", b"<adx/>")})
    assert response.status_code == 403

"""The indicator exchange over the API: ADX and dataValueSets read and written with a token or a
session, the same checks as the page (tests/indicators/test_exchange.py)."""

from __future__ import annotations

import json
from xml.etree import ElementTree

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from tests.indicators.conftest import enter
from treem.accounts import services as account_services
from treem.indicators.models import IndicatorValue


@pytest.fixture
def api(coordinator):
    client = APIClient()
    client.force_authenticate(coordinator)
    return client


def stored() -> dict:
    return {
        (v.indicator.code, v.unit_id, v.period): (v.numerator, v.denominator)
        for v in IndicatorValue.objects.select_related("indicator")
    }


@pytest.mark.parametrize(
    ("name", "content_type"), [("adx", "application/adx+xml"), ("datavaluesets", "application/json")]
)
def test_round_trip_through_the_api(api, coordinator, geo, name, content_type):
    enter(coordinator, geo.commune_a, "2026", PAC_IMMUNISED=(95, 100), PAC_DROWNING=2)
    enter(coordinator, geo.commune_b, "2026", TT13_U5_MORT=(3, 1200))
    before = stored()
    url = reverse(f"api:indicatorvalue-{name}")
    response = api.get(url, {"unit": geo.province.pk, "period": "2026"}, HTTP_ACCEPT=content_type)
    assert response.status_code == 200 and response["Content-Type"].startswith(content_type)
    IndicatorValue.objects.all().delete()
    answer = api.post(url, response.content, content_type=content_type)
    assert answer.status_code == 200, answer.content
    assert answer.json()["saved"] == len(before) == 3 and answer.json()["values"] == 5
    assert stored() == before


def test_adx_structure_from_the_api(api, coordinator, geo):
    enter(coordinator, geo.commune_a, "2026Q3", PAC_DROWNING=2)
    response = api.get(reverse("api:indicatorvalue-adx"), {"unit": geo.commune_a.pk, "period": "2026Q3"})
    group = ElementTree.fromstring(response.content).find("{urn:ihe:qrph:adx:2015}group")
    assert group.attrib["period"] == "2026-07-01/P3M"
    assert [v.attrib for v in group] == [{"dataElement": "CP_PAC_DROWNING_N", "value": "2"}]


def test_bad_requests_are_json_400_and_404(api, geo, officer_a):
    url = reverse("api:indicatorvalue-datavaluesets")
    assert api.get(url, {"unit": geo.province.pk, "period": "2026X"}).status_code == 400
    assert api.get(url, {"unit": "abc", "period": "2026"}).status_code == 400
    assert api.get(url, {"unit": 999999999, "period": "2026"}).status_code == 404
    bad = {
        "dataValues": [
            {"dataElement": "CP_PAC_DROWNING_N", "period": "2026", "orgUnit": "20001", "value": "-1"}
        ]
    }
    response = api.post(url, bad, format="json")
    assert response.status_code == 400 and "cannot be negative" in response.json()["detail"][0]
    adx = api.post(reverse("api:indicatorvalue-adx"), bad, format="json")
    assert adx.status_code == 400 and adx.json()["detail"]
    assert api.post(url, {"file": "x"}, format="multipart").status_code == 415  # the fuzzer found it
    assert not IndicatorValue.objects.exists()
    other = APIClient()
    other.force_authenticate(officer_a)
    assert other.get(url, {"unit": geo.commune_b.pk, "period": "2026"}).status_code == 404


def test_a_viewer_token_reads_but_may_not_write(admin, geo):
    client = account_services.api_client_create(
        acting_user=admin, name="Cục Thống kê", roles=["viewer"], units=[geo.province]
    )
    token = account_services.api_token_issue(acting_user=admin, client=client, days=1)
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    url = reverse("api:indicatorvalue-datavaluesets")
    response = api.get(url, {"unit": geo.province.pk, "period": "2026"})
    assert response.status_code == 200 and json.loads(response.content)["dataValues"] == []
    assert api.post(url, {"dataValues": []}, format="json").status_code == 403

"""The coordinator's home page also shows the plan's reporting rates (by agency, and how many
communes reported) and the indicators against their targets — the pages' own figures."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import translation

from tests.reporting.records import YEAR, build_indicators
from treem.plans import loader
from treem.plans.selectors import reporting_rates

pytestmark = pytest.mark.django_db


def sections_of(client, user) -> dict:
    client.force_login(user)
    response = client.get(reverse("home"))
    return {s["template"]: s for s in response.context["sections"]}, response.content.decode()


def test_indicators_against_targets_on_the_coordinators_home(client, coordinator, geo):
    build_indicators(province=geo.province, commune_a=geo.commune_a, commune_b=geo.commune_b)
    sections, text = sections_of(client, coordinator)
    assert sections["indicators/_dashboard_targets.html"]["year"] == YEAR  # the latest year with targets
    bars = {bar.label: bar.text for bar in sections["indicators/_dashboard_targets.html"]["bars"]}
    # 85/110 = 77,27 % against 80 %: 96 % of the target; 7 cases against at most 10: 70 %.
    assert bars["Tỷ lệ trẻ em được đăng ký khai sinh đúng hạn"] == "96%"
    with translation.override(settings.LANGUAGE_CODE):  # the page's language
        lower = translation.gettext("%(name)s (lower is better)") % {"name": "Số vụ xâm hại trẻ em"}
    assert bars[lower] == "70%"
    assert 'data-testid="chart-targets"' in text and 'data-value="96%"' in text


def test_plan_reporting_rates_on_the_coordinators_home(client, coordinator, geo):
    plan = loader.plan_load_file(acting_user=coordinator, path=loader.BUNDLED_PLAN).plan
    sections, text = sections_of(client, coordinator)
    part = sections["plans/_dashboard_rates.html"]
    period = part["period"]
    assert period.plan == plan
    # The period page's selector, least complete first.
    agencies = reporting_rates(period=period, user=coordinator, by="agency")
    shown = {bar.label: bar.text for bar in part["bars"]}
    assert shown and all(
        shown[str(r.agency)] == f"{r.submitted}/{r.expected}" for r in agencies if str(r.agency) in shown
    )
    assert len(shown) == min(len(agencies), 12)
    communes = [r for r in reporting_rates(period=period, user=coordinator, by="commune") if r.expected]
    assert part["communes"] == len(communes) and part["communes_reported"] == 0
    assert 'data-testid="glance-plan"' in text and 'data-testid="communes-reported"' in text


def test_a_commune_officer_gets_neither(client, officer_a, coordinator, geo):
    loader.plan_load_file(acting_user=coordinator, path=loader.BUNDLED_PLAN)
    build_indicators(province=geo.province, commune_a=geo.commune_a, commune_b=geo.commune_b)
    sections, _text = sections_of(client, officer_a)
    assert (
        "plans/_dashboard_rates.html" not in sections and "indicators/_dashboard_targets.html" not in sections
    )

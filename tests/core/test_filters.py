"""Every filter of every list refuses values the database cannot hold (core/filters.py)."""

from __future__ import annotations

import importlib

import django_filters
import pytest
from django.apps import apps
from django.urls import reverse

from treem.core import filters

UNSAFE = (
    django_filters.NumberFilter,
    django_filters.ModelChoiceFilter,
    django_filters.ModelMultipleChoiceFilter,
)
SAFE = (
    filters.IdFilter,
    filters.YearFilter,
    filters.WholeNumberFilter,
    filters.IntegerFilter,
    filters.ModelChoiceFilter,
    filters.ModelMultipleChoiceFilter,
)


def _all_filtersets() -> list[type]:
    for config in apps.get_app_configs():
        if config.name.startswith("treem."):
            for module in ("filtersets", "views", "views_quality"):
                try:
                    importlib.import_module(f"{config.name}.{module}")
                except ModuleNotFoundError as exc:
                    if exc.name != f"{config.name}.{module}":
                        raise
    found, todo = [], [django_filters.FilterSet]
    while todo:
        for sub in todo.pop().__subclasses__():
            todo.append(sub)
            if sub.__module__.startswith("treem."):
                found.append(sub)
    return found


FILTERSETS = _all_filtersets()


def test_the_project_has_filtersets():
    assert len(FILTERSETS) >= 8


@pytest.mark.parametrize("filterset", FILTERSETS, ids=lambda f: f"{f.__module__}.{f.__name__}")
def test_numbers_and_choices_are_bounded(filterset):
    unsafe = [
        name
        for name, flt in filterset.base_filters.items()
        if isinstance(flt, UNSAFE) and not isinstance(flt, SAFE)
    ]
    assert unsafe == [], f"use treem.core.filters for {unsafe}"


@pytest.mark.parametrize("value", ["9223372036854775808", "9.223372036854776e+18", "-1", "1e400", "abc"])
def test_out_of_range_values_are_refused_not_500(client, officer_a, value):
    client.force_login(officer_a)
    for name, param in (("api:unit-list", "parent"), ("api:placementreview-list", "old_unit")):
        response = client.get(reverse(name), {param: value})
        assert response.status_code in (200, 400), (name, value, response.status_code)
    page = client.get(reverse("geo:unit_list"), {"parent": value})
    assert page.status_code == 200

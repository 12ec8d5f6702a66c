"""Filters whose form fields refuse values the database cannot hold.

Query strings are typed by anyone: ``?parent=9223372036854775808`` or ``?year=9e18`` must be
"no such value" (an empty or unfiltered list, or a 400 in the API), never a server error — SQLite
cannot bind an integer beyond 64 bits, and ``date(9e18, 1, 1)`` does not exist. Every FilterSet of
the project uses these instead of django-filter's NumberFilter / ModelChoiceFilter
(tests/core/test_filters.py checks it).
"""

from __future__ import annotations

import django_filters
from django import forms
from django.core.exceptions import ValidationError

MAX_ID = 2**63 - 1  # the largest value of a 64-bit primary key


def _in_id_range(value) -> bool:
    try:
        number = int(str(value).strip())
    except (TypeError, ValueError):
        return False
    return 1 <= number <= MAX_ID


class IdField(forms.IntegerField):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", MAX_ID)
        super().__init__(*args, **kwargs)


class YearField(forms.IntegerField):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("min_value", 1900)
        kwargs.setdefault("max_value", 2200)
        super().__init__(*args, **kwargs)


class SmallNumberField(forms.IntegerField):
    """Ages, counts, quarters: a whole number that fits any integer column."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("min_value", 0)
        kwargs.setdefault("max_value", 2**31 - 1)
        super().__init__(*args, **kwargs)


class BoundedIntegerField(forms.IntegerField):
    """Any whole number a 64-bit integer column can hold."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("min_value", -MAX_ID)
        kwargs.setdefault("max_value", MAX_ID)
        super().__init__(*args, **kwargs)


class SafeModelChoiceField(forms.ModelChoiceField):
    def to_python(self, value):
        if value in self.empty_values:
            return None
        if self.to_field_name is None and not _in_id_range(value):
            raise ValidationError(self.error_messages["invalid_choice"], code="invalid_choice")
        return super().to_python(value)


class SafeModelMultipleChoiceField(forms.ModelMultipleChoiceField):
    def _check_values(self, value):
        if self.to_field_name is None:
            for item in value or ():
                if not _in_id_range(item):
                    raise ValidationError(
                        self.error_messages["invalid_pk_value"], code="invalid_pk_value", params={"pk": item}
                    )
        return super()._check_values(value)


class IdFilter(django_filters.NumberFilter):
    """A record's id (``field_name="parent_id"``, or a method filter taking a unit's id)."""

    field_class = IdField


class YearFilter(django_filters.NumberFilter):
    field_class = YearField


class WholeNumberFilter(django_filters.NumberFilter):
    field_class = SmallNumberField


class IntegerFilter(django_filters.NumberFilter):
    field_class = BoundedIntegerField


class ModelChoiceFilter(django_filters.ModelChoiceFilter):
    field_class = SafeModelChoiceField


class ModelMultipleChoiceFilter(django_filters.ModelMultipleChoiceFilter):
    field_class = SafeModelMultipleChoiceField


class FilterSet(django_filters.FilterSet):
    """django-filter's FilterSet with the safe filters for relations generated from ``Meta.fields``."""

    FILTER_DEFAULTS = {
        **django_filters.FilterSet.FILTER_DEFAULTS,
    }


_AUTO = {"AutoField", "BigAutoField", "SmallAutoField"}
for _model_field, _filter in list(FilterSet.FILTER_DEFAULTS.items()):
    if _filter.get("filter_class") is django_filters.NumberFilter and "Integer" in _model_field.__name__:
        FilterSet.FILTER_DEFAULTS[_model_field] = {**_filter, "filter_class": IntegerFilter}
    elif _filter.get("filter_class") is django_filters.NumberFilter and _model_field.__name__ in _AUTO:
        FilterSet.FILTER_DEFAULTS[_model_field] = {**_filter, "filter_class": IdFilter}
    elif _filter.get("filter_class") is django_filters.ModelChoiceFilter:
        FilterSet.FILTER_DEFAULTS[_model_field] = {**_filter, "filter_class": ModelChoiceFilter}
    elif _filter.get("filter_class") is django_filters.ModelMultipleChoiceFilter:
        FilterSet.FILTER_DEFAULTS[_model_field] = {**_filter, "filter_class": ModelMultipleChoiceFilter}

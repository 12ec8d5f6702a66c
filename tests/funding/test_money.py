"""Reading typed amounts: whole dong with grouping, foreign amounts with one decimal separator."""

from decimal import Decimal

import pytest

from treem.funding.money import parse_decimal, parse_vnd


@pytest.mark.parametrize(
    ("typed", "value"),
    [
        ("1500000", 1_500_000),
        ("1.500.000", 1_500_000),
        ("1,500,000", 1_500_000),
        ("1 500 000", 1_500_000),
        ("1.500.000 đ", 1_500_000),
        ("2.000 VND", 2_000),
        ("-200.000", -200_000),  # read, so that the service can say why it is refused
        ("", None),
        (None, None),
    ],
)
def test_whole_dong(typed, value):
    assert parse_vnd(typed) == value


@pytest.mark.parametrize("typed", ["1,5", "1.500.00", "1.500,000", "12.5", "abc", "1.5e6", "1.500 000"])
def test_not_whole_dong(typed):
    with pytest.raises(ValueError):
        parse_vnd(typed)


@pytest.mark.parametrize(
    ("typed", "value"),
    [("1250,50", Decimal("1250.50")), ("1250.5", Decimal("1250.5")), ("25400", Decimal(25400))],
)
def test_decimal(typed, value):
    assert parse_decimal(typed) == value


@pytest.mark.parametrize("typed", ["1.250,50", "25.400,5", "25.400", "25,400", "x"])
def test_not_decimal(typed):
    with pytest.raises(ValueError):
        parse_decimal(typed)

"""Reading amounts as people type them, and turning foreign money into whole dong.

Dong have no subunit: "1.500.000", "1 500 000" and "1500000" are the same amount, and anything
with a fractional part is refused rather than rounded. Foreign amounts keep their cents; the
dong figure is the amount times the rate, rounded half up to a whole dong.
"""

from __future__ import annotations

import re
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

VND = "VND"
_GROUPED = re.compile(r"^-?\d{1,3}([.,\s]\d{3})+$")
_PLAIN = re.compile(r"^-?\d+$")
_DECIMAL = re.compile(r"^-?\d+([.,]\d+)?$")
MAX_VND = 10**17  # far above any budget; keeps sums inside a 64-bit column


def parse_vnd(text: str | int | None) -> int | None:
    """A whole number of dong from what was typed; None for blank; ValueError when not whole."""
    if text is None:
        return None
    if isinstance(text, int):
        return text
    value = str(text).strip().replace("\u00a0", " ")
    for suffix in ("VND", "vnđ", "VNĐ", "đ", "₫"):
        value = value.removesuffix(suffix).strip()
    if not value:
        return None
    if _PLAIN.match(value):
        return int(value)
    if _GROUPED.match(value) and len(set(re.findall(r"[.,\s]", value))) == 1:
        return int(re.sub(r"[.,\s]", "", value))
    raise ValueError(value)


def parse_decimal(text: str | Decimal | None) -> Decimal | None:
    """A foreign amount or a rate: digits with at most one decimal separator (. or ,); a
    separator followed by exactly three digits is refused as ambiguous."""
    if text is None or isinstance(text, Decimal):
        return text
    value = str(text).strip().replace(" ", "")
    if not value:
        return None
    if not _DECIMAL.match(value):
        raise ValueError(value)
    if re.search(r"[.,]\d{3}$", value):
        # "25.400" is 25400 to a Vietnamese reader and 25.4 to an English one: ask again.
        raise ValueError(value)
    try:
        return Decimal(value.replace(",", "."))
    except InvalidOperation as exc:  # pragma: no cover - the pattern lets only numbers through
        raise ValueError(value) from exc


def check_vnd(amount: int | None, field: str = "amount_vnd", *, allow_zero: bool = False) -> int:
    """Refuse a missing, negative or zero amount of dong with a message under ``field``."""
    if amount is None:
        raise ValidationError({field: _("Enter the amount in dong.")})
    if amount < 0:
        raise ValidationError({field: _("An amount cannot be negative.")})
    if amount == 0 and not allow_zero:
        raise ValidationError({field: _("An amount of zero records nothing.")})
    if amount >= MAX_VND:
        raise ValidationError({field: _("The amount is too large.")})
    return amount


def resolve(
    *, currency: str = VND, amount: int | Decimal | None, exchange_rate: Decimal | None = None
) -> dict:
    """The money fields of a record: dong as given, or a foreign amount converted at its rate.

    A foreign currency without a rate is refused: nobody may guess what it was worth.
    """
    currency = (currency or VND).strip().upper()
    if not re.fullmatch(r"[A-Z]{3}", currency):
        raise ValidationError({"currency": _("Give the currency as its three-letter code (VND, USD, EUR…).")})
    if currency == VND:
        if isinstance(amount, Decimal):
            if amount != amount.to_integral_value():
                raise ValidationError({"amount": _("Dong have no fractions: enter a whole number.")})
            amount = int(amount)
        check_vnd(amount, "amount")
        return {"currency": VND, "original_amount": None, "exchange_rate": None, "amount_vnd": amount}
    if amount is None:
        raise ValidationError({"amount": _("Enter the amount in dong.")})
    amount = Decimal(amount)
    if amount < 0:
        raise ValidationError({"amount": _("An amount cannot be negative.")})
    if amount == 0:
        raise ValidationError({"amount": _("An amount of zero records nothing.")})
    if exchange_rate is None:
        raise ValidationError(
            {
                "exchange_rate": _(
                    "An amount in %(currency)s needs the exchange rate to dong: enter the rate used."
                )
                % {"currency": currency}
            }
        )
    if exchange_rate <= 0:
        raise ValidationError({"exchange_rate": _("The exchange rate must be more than zero.")})
    amount_vnd = int((amount * exchange_rate).quantize(Decimal(1), rounding=ROUND_HALF_UP))
    check_vnd(amount_vnd, "amount")
    return {
        "currency": currency,
        "original_amount": amount,
        "exchange_rate": exchange_rate,
        "amount_vnd": amount_vnd,
    }

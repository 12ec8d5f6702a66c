"""The personal identification number (số định danh cá nhân, 12 digits).

Digits 1–3: code of the province where the birth was registered (0 and the province's two-digit
code); digit 4: century and sex (1900s: male 0 / female 1; 2000s: 2 / 3; 2100s: 4 / 5); digits
5–6: the last two digits of the year of birth; digits 7–12: random.

One rule for every way in (page, import, API, through ``services.check_child_fields``):
``validate_personal_id`` refuses a number that is not 12 digits or whose digits 1–3 are not the
code of a province of the national lists — the 63 provinces before 01/07/2025 or the 34 after,
read from the ``vietnamadminunits`` package (``province_codes``), not from the units loaded in
the database, which may hold one province only. A well-formed number that disagrees with the
recorded sex or year is a data-quality finding (``personal_id_findings``), not an error; so is an
unknown province on a record written before the rule.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from treem.children.choices import Sex
from treem.geo.importers import package_province_codes

PATTERN = re.compile(r"^[0-9]{12}$")  # ASCII digits only (\d would also take other scripts' digits)
CENTURY_BY_DIGIT = {0: 1900, 1: 1900, 2: 2000, 3: 2000, 4: 2100, 5: 2100, 6: 2200, 7: 2200, 8: 2300, 9: 2300}


@dataclass(frozen=True)
class IdFinding:
    code: str
    message: str


def normalise_personal_id(value: str | None) -> str:
    """Strip spaces and dots people type inside the number."""
    return re.sub(r"[\s.\-]", "", value or "")


def validate_personal_id_format(value: str) -> None:
    """Refuse anything that is not 12 digits (a clear message, in the user's language)."""
    if value and not PATTERN.match(value):
        raise ValidationError(
            _("The personal identification number must have exactly 12 digits (you entered %(value)s).")
            % {"value": value},
            code="personal_id_format",
        )


@cache
def province_codes() -> frozenset[str]:
    """Two-digit codes of the provinces of the national lists, before 01/07/2025 and after."""
    before, after = package_province_codes()
    return before | after


@cache
def province_prefixes() -> frozenset[str]:
    """What digits 1–3 of a number may be: ``0`` and a province code (``001`` … ``096``)."""
    return frozenset(f"0{code}" for code in province_codes())


def has_known_province(value: str) -> bool:
    """Whether digits 1–3 of a well-formed number name a province of the national lists."""
    return value[:3] in province_prefixes()


def validate_personal_id(value: str) -> None:
    """Refuse a number that is not 12 digits or does not begin with a province code; "" passes."""
    validate_personal_id_format(value)
    if value and not has_known_province(value):
        raise ValidationError(
            _(
                "Digits 1–3 of the personal identification number (%(code)s) are not the code of a "
                "province, before or after the reorganisation of 01/07/2025: check the number."
            )
            % {"code": value[:3]},
            code="personal_id_province",
        )


def personal_id_findings(value: str, *, sex: str, birth_year: int | None) -> list[IdFinding]:
    """Disagreements between a well-formed number and the record (sex, year, province)."""
    if not value or not PATTERN.match(value):
        return []
    findings = []
    province = value[:3]
    if not has_known_province(value):
        findings.append(
            IdFinding(
                "province",
                _("Digits 1–3 (%(code)s) are not the code of a province.") % {"code": province},
            )
        )
    digit = int(value[3])
    century = CENTURY_BY_DIGIT[digit]
    id_sex = Sex.MALE if digit % 2 == 0 else Sex.FEMALE
    if sex in (Sex.MALE, Sex.FEMALE) and sex != id_sex:
        findings.append(
            IdFinding("sex", _("Digit 4 says %(sex)s but the record says otherwise.") % {"sex": id_sex.label})
        )
    id_year = century + int(value[4:6])
    if birth_year is not None and id_year != birth_year:
        findings.append(
            IdFinding(
                "birth_year",
                _("Digits 4–6 say born in %(id_year)s but the record says %(year)s.")
                % {"id_year": id_year, "year": birth_year},
            )
        )
    return findings

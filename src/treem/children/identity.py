"""The personal identification number (số định danh cá nhân, 12 digits).

Digits 1–3: code of the province (or country) where the birth was registered; digit 4: century
and sex (1900s: male 0 / female 1; 2000s: 2 / 3; 2100s: 4 / 5); digits 5–6: the last two digits
of the year of birth; digits 7–12: random. A malformed number is refused; a number that does not
agree with the recorded sex, year or a known province is a data-quality finding, not an error.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from treem.children.choices import Sex

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


def personal_id_findings(
    value: str, *, sex: str, birth_year: int | None, province_codes: set[str] | None = None
) -> list[IdFinding]:
    """Disagreements between a well-formed number and the record (sex, year, province)."""
    if not value or not PATTERN.match(value):
        return []
    findings = []
    province = value[:3]
    if province_codes is not None and province[1:] not in province_codes and province != "000":
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

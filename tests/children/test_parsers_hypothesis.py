"""Generated input for the small parsers of the child database: ID numbers, dates, years.

Whatever a person types, each parser either returns a value that round-trips, or refuses it with
its own message (a ValidationError or the importer's cell error) — never another exception.
"""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from hypothesis import example, given
from hypothesis import strategies as st

from treem.children import identity, importers

typed = st.text(st.characters(exclude_categories=("Cs",)), max_size=30)


@given(typed)
@example("٠١٢٣٤٥٦٧٨٩٠١")  # twelve Arabic-Indic digits: \d matches them, the number is not one
@example("\uff10\uff14\uff18\uff13\uff11\uff15\uff10\uff10\uff10\uff11\uff12\uff13")  # full-width digits
def test_personal_id_is_12_digits_or_refused(text):
    value = identity.normalise_personal_id(text)
    try:
        identity.validate_personal_id_format(value)
    except ValidationError as exc:
        assert exc.code == "personal_id_format"
        assert "12" in exc.messages[0]
        return
    assert value == "" or (len(value) == 12 and value.isascii() and value.isdigit())


@given(
    st.from_regex(r"\A[0-9]{12}\Z"), st.sampled_from(["male", "female", "unknown"]), st.integers(1900, 2100)
)
def test_findings_of_a_well_formed_number_never_fail(value, sex, year):
    findings = identity.personal_id_findings(value, sex=sex, birth_year=year)
    assert all(f.code and str(f.message) for f in findings)


@given(st.from_regex(r"\A[ .\-]*[0-9]{3}[ .\-]?[0-9]{3}[ .\-]?[0-9]{6}[ .\-]*\Z"))
def test_spaces_dots_and_dashes_people_type_are_removed(text):
    value = identity.normalise_personal_id(text)
    assert len(value) == 12
    identity.validate_personal_id_format(value)


@given(typed)
def test_dates_parse_or_say_why(text):
    try:
        value = importers._parse_date(text)
    except importers._CellError as exc:
        assert str(exc)
        return
    assert value is None or isinstance(value, dt.date)


@given(st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(2100, 12, 31)))
def test_a_real_date_round_trips_in_both_written_forms(day):
    assert importers._parse_date(day.strftime("%d/%m/%Y")) == day
    assert importers._parse_date(day.isoformat()) == day


@given(typed)
def test_years_parse_or_say_why(text):
    try:
        value = importers._parse_year(text)
    except importers._CellError as exc:
        assert str(exc)
        return
    assert value is None or 1000 <= value <= 9999

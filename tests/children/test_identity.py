"""The personal identification number against the national list of provinces (issue 14).

Digits 1–3 must be 0 and the code of a province of the package's lists (63 before 01/07/2025,
34 after), whatever units the database holds; every way in — the service, the page, the API, the
import, the population check — refuses an unknown code with the same message, and writes nothing.
Records written before the rule show the same rule as a data-quality finding.
"""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import translation
from hypothesis import example, given
from hypothesis import strategies as st
from rest_framework.test import APIClient

from tests.children.test_api import payload
from tests.children.test_import import row, write_csv
from tests.children.test_views import register_data
from tests.factories import ChildFactory
from tests.geo.test_importers import make_package
from treem.audit.models import AuditEvent
from treem.children import identity, quality, services
from treem.children.importers import children_import
from treem.children.models import Child, Household
from treem.children.population import checked_personal_id
from treem.geo.importers import UnitImportError, package_province_codes
from treem.geo.models import Unit, UnitLevel

UNKNOWN = ["999315000123", "148315000123", "948315000123", "099315000123", "000315000123", "050315000123"]
KNOWN = ["001315000123", "048315000123", "049315000123", "096315000123", "079315000123"]
REASON = "Digits 1–3 of the personal identification number ({code}) are not the code of a province"


@pytest.fixture(autouse=True)
def _english(settings):
    settings.LANGUAGE_CODE = "en"
    with translation.override("en"):
        yield


def state():
    return Child.objects.count(), Household.objects.count(), AuditEvent.objects.count()


# --- The list -----------------------------------------------------------------------------------


def test_the_province_codes_are_those_of_both_national_lists():
    before, after = package_province_codes()
    assert (len(before), len(after)) == (63, 34)
    assert identity.province_codes() == before | after
    assert {"01", "48", "49", "79", "96"} <= identity.province_codes()
    assert "50" not in identity.province_codes()  # 50 was never a province code
    assert identity.province_prefixes() == {f"0{code}" for code in before | after}


def test_the_codes_are_read_from_the_package_files_or_refused(tmp_path):
    assert package_province_codes(make_package(tmp_path)) == ({"01", "48", "49"}, {"01", "48"})
    with pytest.raises(UnitImportError, match="cannot be read"):
        package_province_codes(tmp_path / "nothing")


def test_the_list_does_not_depend_on_the_units_in_the_database(db, geo):
    # The test geography has provinces 48 and 49 only; Hà Nội (01) is known all the same.
    assert set(Unit.objects.filter(level=UnitLevel.PROVINCE).values_list("code", flat=True)) == {"48", "49"}
    identity.validate_personal_id("001315000123")
    assert identity.personal_id_findings("001315000123", sex="female", birth_year=2015) == []


# --- The rule -----------------------------------------------------------------------------------


@pytest.mark.parametrize("value", KNOWN)
def test_a_number_beginning_with_a_province_code_is_accepted(value):
    identity.validate_personal_id(value)
    assert identity.has_known_province(value)


@pytest.mark.parametrize("value", UNKNOWN)
def test_an_unknown_province_code_is_refused_with_the_reason(value):
    with pytest.raises(ValidationError) as refused:
        identity.validate_personal_id(value)
    assert refused.value.code == "personal_id_province"
    after = ", before or after the reorganisation of 01/07/2025: check the number."
    assert refused.value.messages == [REASON.format(code=value[:3]) + after]


def test_the_format_is_checked_first_and_an_empty_number_passes():
    identity.validate_personal_id("")
    with pytest.raises(ValidationError) as refused:
        identity.validate_personal_id("99931500012")
    assert refused.value.code == "personal_id_format"


def test_the_message_is_in_the_users_language():
    with translation.override("vi"), pytest.raises(ValidationError) as refused:
        identity.validate_personal_id("999315000123")
    assert "999" in refused.value.messages[0]


TWELVE_DIGITS = st.integers(0, 10**12 - 1).map("{:012d}".format)
# Half of them begin with 0 and two digits, so that known and unknown codes both come up often.
NUMBERS = st.one_of(
    TWELVE_DIGITS,
    st.tuples(st.integers(0, 99), st.integers(0, 10**9 - 1)).map(lambda t: f"0{t[0]:02d}{t[1]:09d}"),
)


@given(NUMBERS)
@example("148315000123")  # digit 1 is read too: 48 is a province, 148 is not
@example("948315000123")
@example("001315000123")
def test_a_well_formed_number_is_refused_exactly_when_its_province_is_unknown(value):
    known = value[0] == "0" and value[1:3] in identity.province_codes()
    try:
        identity.validate_personal_id(value)
    except ValidationError as exc:
        assert not known and exc.code == "personal_id_province" and value[:3] in exc.messages[0]
    else:
        assert known
    findings = {f.code for f in identity.personal_id_findings(value, sex="unknown", birth_year=None)}
    assert ("province" in findings) == (not known)


def test_century_sex_and_year_are_findings_as_before():
    assert identity.personal_id_findings("001315000123", sex="female", birth_year=2015) == []
    findings = identity.personal_id_findings("001215000123", sex="female", birth_year=2016)
    assert [f.code for f in findings] == ["sex", "birth_year"]
    identity.validate_personal_id("001215000123")  # a finding, not a refusal


# --- Every way in uses the rule ------------------------------------------------------------------


def test_the_service_refuses_and_writes_nothing(officer_a, geo):
    before = state()
    with pytest.raises(ValidationError) as refused:
        services.child_register(
            acting_user=officer_a,
            commune=geo.commune_a,
            full_name="Lê Văn Tâm",
            sex="male",
            birth_year=2015,
            personal_id="999215000123",
        )
    assert REASON.format(code="999") in refused.value.message_dict["personal_id"][0]
    assert state() == before
    child = services.child_register(
        acting_user=officer_a,
        commune=geo.commune_a,
        full_name="Lê Văn Tâm",
        sex="male",
        birth_year=2015,
        personal_id="001215000123",
    )
    with pytest.raises(ValidationError):
        services.child_update(acting_user=officer_a, child=child, personal_id="148215000123")
    child.refresh_from_db()
    assert child.personal_id == "001215000123"


def test_the_page_refuses_and_writes_nothing(client, officer_a, geo):
    client.force_login(officer_a)
    before = state()
    response = client.post(reverse("children:child_add"), register_data(geo, personal_id="148 217 000456"))
    assert response.status_code == 400  # the form again, with its errors
    assert REASON.format(code="148") in response.content.decode()
    assert state() == before


def test_the_api_refuses_and_writes_nothing(officer_a, geo):
    api = APIClient()
    api.force_authenticate(officer_a)
    before = state()
    response = api.post("/api/v1/children/", payload(geo, personal_id="948217000456"), format="json")
    assert response.status_code == 400
    assert REASON.format(code="948") in str(response.data["personal_id"])
    assert state() == before


def test_the_import_refuses_the_row_and_writes_nothing(officer_a, geo, tmp_path):
    good = row(**{"Họ và tên": "Trẻ Tốt", "Số định danh cá nhân": "", "Mã nguồn": "tot"})
    path = write_csv(tmp_path, [good, row(**{"Số định danh cá nhân": "999315000123"})])
    before = state()
    result = children_import(acting_user=officer_a, path=path)
    assert not result.written
    assert [(e.row, e.column) for e in result.errors] == [(3, "Số định danh cá nhân")]
    assert REASON.format(code="999") in result.errors[0].reason
    assert state() == before


def test_the_population_check_refuses_a_number_that_cannot_exist():
    assert checked_personal_id("001 315 000123") == "001315000123"
    with pytest.raises(ValidationError) as refused:
        checked_personal_id("999315000123")
    assert REASON.format(code="999") in refused.value.message_dict["personal_id"][0]


def test_quality_findings_use_the_same_list(officer_a, geo):
    # Records written before the rule (the services now refuse these numbers).
    for number, name in [("999315000123", "Chín"), ("148315000124", "Một"), ("001315000125", "Hà")]:
        ChildFactory(commune=geo.commune_a, full_name=name, sex="female", birth_year=2015, personal_id=number)
    listed = quality.finding_lists(user=officer_a, unit=geo.commune_a)["invalid_ids"]
    assert sorted(child.full_name for child, _reasons in listed) == ["Chín", "Một"]
    assert all(
        reasons == [f"Digits 1–3 ({child.personal_id[:3]}) are not the code of a province."]
        for child, reasons in listed
    )
    report = quality.quality_report(user=officer_a, unit=geo.commune_a)
    assert report.counts["id_findings"] == 2

"""Registering and changing children: happy paths, bad input (nothing written), ID numbers."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone, translation

from tests.factories import ChildFactory
from treem.audit.models import AuditEvent
from treem.children import services
from treem.children.identity import personal_id_findings
from treem.children.models import Child, CircumstanceGroup, Consent
from treem.core.scope import ScopeError


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


def state():
    return Child.objects.count(), AuditEvent.objects.count()


def test_officer_registers_a_child_in_their_commune(officer_a, geo):
    child = services.child_register(
        acting_user=officer_a,
        commune=geo.commune_a,
        full_name="  Nguyễn  Thị Ánh ",
        sex="female",
        birth_date=dt.date(2015, 3, 2),
        personal_id="048 315 000123",
        village=geo.village_a,
    )
    assert child.full_name == "Nguyễn Thị Ánh"
    assert child.name_folded == "nguyen thi anh"
    assert child.birth_year == 2015 and child.personal_id == "048315000123"
    event = AuditEvent.objects.get(action="children.child.registered")
    assert event.unit == geo.commune_a and event.object_id == str(child.pk)


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"full_name": "  "}, "full_name", "Enter the child's full name."),
        ({"birth_date": dt.date(2099, 1, 1)}, "birth_date", "The date of birth cannot be in the future."),
        ({"birth_year": 1990}, "birth_year", "over 18 years old"),
        ({"birth_year": None}, "birth_year", "at least the year of birth"),
        ({"personal_id": "04831500012"}, "personal_id", "exactly 12 digits"),
        ({"personal_id": "04831500012X"}, "personal_id", "exactly 12 digits"),
    ],
)
def test_bad_input_is_explained_and_nothing_is_written(officer_a, geo, fields, field, message):
    data = {"full_name": "Trần Văn Bình", "sex": "male", "birth_year": 2016, **fields}
    before = state()
    with pytest.raises(ValidationError) as caught:
        services.child_register(acting_user=officer_a, commune=geo.commune_a, **data)
    assert any(message in m for m in caught.value.message_dict[field])
    assert state() == before


def test_village_of_another_commune_is_refused(officer_a, geo):
    with pytest.raises(ValidationError) as caught:
        services.child_register(
            acting_user=officer_a,
            commune=geo.commune_a,
            full_name="Lê An",
            sex="male",
            birth_year=2017,
            village=geo.village_b,
        )
    assert "Choose a village of the child's commune." in caught.value.message_dict["village"]


def test_out_of_scope_commune_is_refused(officer_a, geo):
    before = state()
    with pytest.raises(ScopeError):
        services.child_register(
            acting_user=officer_a, commune=geo.commune_b, full_name="Lê An", sex="male", birth_year=2017
        )
    assert state() == before


def test_ended_commune_is_refused(admin, geo):
    with pytest.raises(ValidationError) as caught:
        services.child_register(
            acting_user=admin, commune=geo.old_1, full_name="Lê An", sex="male", birth_year=2017
        )
    assert "Choose a commune in force today." in caught.value.message_dict["commune"]


def test_duplicate_id_names_the_existing_record_only_to_who_may_see_it(officer_a, officer_b, geo):
    ChildFactory(commune=geo.commune_a, full_name="Phạm Thị Hoa", personal_id="048315000999")
    with pytest.raises(ValidationError) as mine:
        services.child_register(
            acting_user=officer_a,
            commune=geo.commune_a,
            full_name="Phạm Hoa",
            sex="female",
            birth_year=2015,
            personal_id="048315000999",
        )
    assert "already recorded for Phạm Thị Hoa in Phường An" in mine.value.message_dict["personal_id"][0]
    before = state()
    with pytest.raises(ValidationError) as theirs:
        services.child_register(
            acting_user=officer_b,
            commune=geo.commune_b,
            full_name="Phạm Hoa",
            sex="female",
            birth_year=2015,
            personal_id="048315000999",
        )
    text = theirs.value.message_dict["personal_id"][0]
    assert "outside your units" in text and "Phạm Thị Hoa" not in text
    assert state() == before


def test_id_findings_compare_sex_year_and_province():
    assert personal_id_findings("048315000123", sex="female", birth_year=2015) == []
    codes = {f.code for f in personal_id_findings("048215000123", sex="female", birth_year=2016)}
    assert codes == {"sex", "birth_year"}
    unknown = personal_id_findings("099315000123", sex="female", birth_year=2015)
    assert [f.code for f in unknown] == ["province"]


def test_update_is_audited_field_by_field(officer_a, geo):
    child = services.child_register(
        acting_user=officer_a, commune=geo.commune_a, full_name="Đặng Văn Tú", sex="male", birth_year=2014
    )
    services.child_update(acting_user=officer_a, child=child, school="Trường Tiểu học Hòa Khánh", grade="5")
    event = AuditEvent.objects.filter(action="children.child.updated").get()
    assert event.changes["school"] == ["", "Trường Tiểu học Hòa Khánh"]
    assert "full_name" not in event.changes


def test_circumstance_membership_is_dated_history(officer_a, geo):
    child = ChildFactory(commune=geo.commune_a)
    orphan = CircumstanceGroup.objects.get(code="a")
    membership = services.circumstance_enter(
        acting_user=officer_a, child=child, group=orphan, entered_on=dt.date(2024, 5, 1), reason="Cha mẹ mất"
    )
    with pytest.raises(ValidationError):
        services.circumstance_enter(
            acting_user=officer_a, child=child, group=orphan, entered_on=dt.date(2024, 6, 1)
        )
    with pytest.raises(ValidationError) as early:
        services.circumstance_leave(
            acting_user=officer_a, membership=membership, left_on=dt.date(2024, 1, 1), left_reason="Nhận nuôi"
        )
    assert "before entering it" in early.value.message_dict["left_on"][0]
    services.circumstance_leave(
        acting_user=officer_a,
        membership=membership,
        left_on=dt.date(2025, 1, 1),
        left_reason="Được nhận nuôi",
    )
    membership.refresh_from_db()
    assert membership.left_on == dt.date(2025, 1, 1) and not membership.is_current()


def test_consent_of_a_child_aged_seven_or_more_needs_the_child(officer_a, geo):
    child = ChildFactory(commune=geo.commune_a, birth_year=timezone.localdate().year - 9)
    with pytest.raises(ValidationError) as caught:
        services.consent_record(
            acting_user=officer_a,
            child=child,
            purpose="publication",
            given_on=timezone.localdate(),
            given_by="Nguyễn Văn Cha",
            given_by_relationship="father",
        )
    assert "aged 7 or older must agree" in caught.value.message_dict["child_agreed"][0]
    assert Consent.objects.count() == 0
    consent = services.consent_record(
        acting_user=officer_a,
        child=child,
        purpose="publication",
        given_on=timezone.localdate(),
        given_by="Nguyễn Văn Cha",
        given_by_relationship="father",
        child_agreed=True,
    )
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    with pytest.raises(ValidationError) as caught:
        services.consent_withdraw(acting_user=officer_a, consent=consent, withdrawn_on=tomorrow)
    assert "day still to come" in caught.value.message_dict["withdrawn_on"][0]
    consent.refresh_from_db()
    assert consent.withdrawn_on is None and consent.is_active(timezone.localdate())
    assert not AuditEvent.objects.filter(action="children.consent.withdrawn").exists()
    services.consent_withdraw(acting_user=officer_a, consent=consent, withdrawn_on=timezone.localdate())
    consent.refresh_from_db()
    assert not consent.is_active(timezone.localdate())


def test_emergency_processing_needs_no_consent_but_is_recorded(officer_a, geo):
    child = ChildFactory(commune=geo.commune_a, birth_year=2014)
    consent = services.consent_record(
        acting_user=officer_a,
        child=child,
        purpose="sharing",
        given_on=timezone.localdate(),
        legal_basis="emergency",
    )
    assert consent.legal_basis == "emergency"
    assert AuditEvent.objects.filter(action="children.consent.recorded").count() == 1


def test_children_follow_their_commune_in_a_reorganisation(admin, geo):
    from tests.conftest import REORG
    from treem.geo.models import UnitMove
    from treem.geo.reorganisation import reorganise

    child = ChildFactory(commune=geo.old_1)
    reorganise(effective=REORG)
    child.refresh_from_db()
    assert child.commune == geo.commune_a
    assert UnitMove.objects.filter(object_id=child.pk, field_name="commune", old_unit=geo.old_1).exists()

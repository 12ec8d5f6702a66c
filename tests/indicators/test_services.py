"""Targets, figures, import, computation, approval: every rule and every bad input."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from openpyxl import Workbook

from tests.factories import ChildFactory
from tests.indicators.conftest import enter
from treem.audit.models import AuditEvent
from treem.core.scope import ScopeError
from treem.indicators import services
from treem.indicators.models import Approval, Indicator, IndicatorValue, Target
from treem.indicators.reference import CATALOGUE, load_catalogue


def events(action):
    return AuditEvent.objects.filter(action=action).count()


# --- catalogue --------------------------------------------------------------------------------


def test_catalogue_is_loaded_and_loading_twice_changes_nothing(db):
    assert Indicator.objects.count() == len(CATALOGUE)
    assert Indicator.objects.filter(programme="cfc").count() == 13
    assert Indicator.objects.get(code="PAC_BIRTH_REG").national_target_2030 == "100%"
    assert load_catalogue() == (0, 0)
    Indicator.objects.filter(code="PAC_ECD").update(name="changed")
    assert load_catalogue() == (0, 1)
    assert Indicator.objects.get(code="PAC_ECD").name.startswith("Tỷ lệ trẻ em đến 8 tuổi")


def test_load_indicators_command(db, capsys):
    from django.core.management import call_command

    call_command("load_indicators")
    assert "0 created, 0 updated" in capsys.readouterr().out


# --- targets ----------------------------------------------------------------------------------


def test_target_set_and_change(coordinator, geo, ind):
    target = services.target_set(
        acting_user=coordinator,
        indicator=ind.PAC_BIRTH_REG,
        unit=geo.province,
        year=2026,
        target="99,5",
        baseline="97",
        baseline_year=2025,
    )
    assert target.target == Decimal("99.5") and target.baseline == 97
    services.target_set(
        acting_user=coordinator, indicator=ind.PAC_BIRTH_REG, unit=geo.province, year=2026, target=100
    )
    target.refresh_from_db()
    assert target.target == 100
    assert events("indicators.target.created") == 1 and events("indicators.target.changed") == 1


def test_target_for_a_unit_that_did_not_exist_that_year_is_refused(coordinator, geo, ind):
    with pytest.raises(ValidationError) as exc:
        services.target_set(
            acting_user=coordinator, indicator=ind.PAC_BIRTH_REG, unit=geo.commune_a, year=2024, target=99
        )
    assert "Phường An (20001) did not exist in 2024" in exc.value.message_dict["unit"][0]
    assert not Target.objects.exists() and not events("indicators.target.created")


def test_target_percentage_over_100_is_refused(coordinator, geo, ind):
    with pytest.raises(ValidationError) as exc:
        services.target_set(
            acting_user=coordinator, indicator=ind.PAC_BIRTH_REG, unit=geo.province, year=2026, target="101"
        )
    assert exc.value.message_dict["target"] == ["A percentage cannot be over 100."]
    assert not Target.objects.exists()


def test_target_outside_scope_or_without_permission(officer_a, coordinator, geo, ind):
    with pytest.raises(ScopeError):
        services.target_set(
            acting_user=officer_a, indicator=ind.PAC_CFC, unit=geo.commune_a, year=2026, target=1
        )
    with pytest.raises(ScopeError):
        services.target_set(
            acting_user=coordinator, indicator=ind.PAC_CFC, unit=geo.old_1, year=2024, target=1
        )
    assert not Target.objects.exists()


# --- entered figures --------------------------------------------------------------------------


def test_figures_are_saved_and_audited(officer_a, geo):
    result = enter(officer_a, geo.commune_a, "2026", PAC_IMMUNISED=(95, 100), PAC_DROWNING=2)
    assert result.saved == 2
    value = IndicatorValue.objects.get(indicator__code="PAC_IMMUNISED")
    assert (value.numerator, value.denominator, value.value, value.year) == (95, 100, Decimal("95.00"), 2026)
    assert value.scope_unit == geo.commune_a
    assert events("indicators.value.created") == 2


@pytest.mark.parametrize(
    ("figures", "message"),
    [
        ({"PAC_IMMUNISED": (101, 100)}, "A percentage cannot be over 100: 101 out of 100."),
        ({"PAC_IMMUNISED": (5, 0)}, "Division by zero: the denominator is 0 but the numerator is not."),
        ({"PAC_IMMUNISED": (5, None)}, "Enter the denominator"),
        ({"PAC_DROWNING": -1}, "Figures cannot be negative."),
        ({"PAC_DROWNING": "1.500"}, "ambiguous"),
        ({"PAC_DROWNING": "abc"}, "is not a number"),
    ],
)
def test_bad_figures_are_refused_and_nothing_is_written(officer_a, geo, figures, message):
    with pytest.raises(ValidationError) as exc:
        # A good row next to the bad one: all or nothing.
        enter(officer_a, geo.commune_a, "2026", PAC_PRIMARY=(90, 100), **figures)
    code = next(iter(figures))
    assert message in exc.value.message_dict[code][0]
    assert not IndicatorValue.objects.exists()
    assert not events("indicators.value.created")


def test_outside_the_expected_range_is_a_warning(officer_a, geo):
    result = enter(officer_a, geo.commune_a, "2026", TT13_SEX_RATIO=(140, 100))
    assert result.saved == 1
    assert result.warnings == ["Phường An: TT13_SEX_RATIO: 140 is above the expected 130; check it."]


def test_figures_for_a_commune_that_did_not_exist_in_the_period(admin, geo):
    with pytest.raises(ValidationError) as exc:
        enter(admin, geo.commune_a, "2024", PAC_DROWNING=1)
    assert "did not exist in 2024" in exc.value.messages[0]
    with pytest.raises(ValidationError) as exc:
        enter(admin, geo.province, "2026", PAC_DROWNING=1)
    assert "entered for communes" in exc.value.messages[0]
    assert not IndicatorValue.objects.exists()


def test_bad_period(officer_a, geo):
    with pytest.raises(ValidationError) as exc:
        enter(officer_a, geo.commune_a, "2026Q5", PAC_DROWNING=1)
    assert "is not a period" in exc.value.messages[0]


def test_outside_scope_is_refused(officer_a, viewer, geo):
    with pytest.raises(ScopeError):
        enter(officer_a, geo.commune_b, "2026", PAC_DROWNING=1)
    with pytest.raises(ScopeError):
        enter(viewer, geo.commune_a, "2026", PAC_DROWNING=1)
    assert not IndicatorValue.objects.exists()


def test_blank_row_deletes_a_figure(officer_a, geo):
    enter(officer_a, geo.commune_a, "2026", PAC_DROWNING=3)
    result = enter(officer_a, geo.commune_a, "2026", PAC_DROWNING=None)
    assert result.deleted == 1 and not IndicatorValue.objects.exists()
    assert events("indicators.value.deleted") == 1


# --- computed from records --------------------------------------------------------------------


def test_birth_registration_rate_and_special_circumstances_from_the_registry(officer_a, geo):
    from treem.children.models import CircumstanceGroup, CircumstanceMembership, Support

    for registered in (True, True, True, False):
        ChildFactory(commune=geo.commune_a, birth_year=2024, birth_registered=registered)
    ChildFactory(commune=geo.commune_a, birth_year=2010)  # 16 on 31/12/2026: not a child any more
    older = ChildFactory(commune=geo.commune_a, birth_year=2015)
    ChildFactory(commune=geo.commune_a, birth_year=2024, is_active=False)  # left the registry
    group = CircumstanceGroup.objects.filter(is_special_circumstance=True).first()
    CircumstanceMembership.objects.create(child=older, group=group, entered_on=dt.date(2026, 2, 1))
    Support.objects.create(child=older, kind="Tiền mặt", given_on=dt.date(2026, 3, 1))
    services.values_compute(acting_user=officer_a, unit=geo.commune_a, period="2026")
    values = {v.indicator.code: v for v in IndicatorValue.objects.filter(unit=geo.commune_a, period="2026")}
    assert (values["PAC_BIRTH_REG"].numerator, values["PAC_BIRTH_REG"].denominator) == (3, 4)
    assert values["PAC_BIRTH_REG"].value == Decimal("75.00")
    assert values["TT13_CHILD_POP"].numerator == 5
    assert values["TT13_SPECIAL"].numerator == 1
    assert values["TT13_SPECIAL_ASSISTED"].value == 100
    assert values["TT13_0101"].numerator == 0
    assert values["PAC_BIRTH_REG"].source == "computed"


def test_computed_ratio_with_a_zero_denominator_is_empty_with_a_reason(officer_a, geo):
    services.values_compute(acting_user=officer_a, unit=geo.commune_a, period="2026")
    value = IndicatorValue.objects.get(unit=geo.commune_a, indicator__code="PAC_BIRTH_REG")
    assert value.numerator is None and value.value is None
    assert value.comment == "Division by zero: the denominator is 0."


# --- Excel import -----------------------------------------------------------------------------


def workbook(tmp_path, rows, header=("indicator", "unit", "period", "numerator", "denominator", "comment")):
    book = Workbook()
    sheet = book.active
    sheet.append(list(header))
    for row in rows:
        sheet.append(list(row))
    path = tmp_path / "chi-tieu.xlsx"
    book.save(path)
    return path


def test_import_writes_every_row(coordinator, geo, tmp_path):
    path = workbook(
        tmp_path,
        [("PAC_IMMUNISED", "20001", "2026", 90, 100, ""), ("PAC_DROWNING", 20002, 2026, 1, None, "")],
    )
    result = services.values_import(acting_user=coordinator, path=path)
    assert (result.rows, result.saved) == (2, 2)
    assert IndicatorValue.objects.get(unit=geo.commune_b).source == "imported"
    assert events("indicators.value.imported") == 1


def test_import_with_unknown_codes_is_refused_naming_the_rows(coordinator, geo, tmp_path):
    path = workbook(
        tmp_path,
        [
            ("PAC_IMMUNISED", "20001", "2026", 90, 100, ""),
            ("XYZ_99", "20001", "2026", 1, None, ""),
            ("PAC_DROWNING", "99999", "2026", 1, None, ""),
            ("PAC_PRIMARY", "20002", "2026", 120, 100, ""),
        ],
    )
    with pytest.raises(ValidationError) as exc:
        services.values_import(acting_user=coordinator, path=path)
    assert exc.value.messages[:2] == [
        "Row 3: unknown indicator code “XYZ_99”.",
        "Row 4: no commune with code “99999” existed in 2026.",
    ]
    assert "Row 5: A percentage cannot be over 100: 120 out of 100." in exc.value.messages
    assert not IndicatorValue.objects.exists() and not events("indicators.value.imported")
    assert not events("indicators.value.created")


def test_import_of_another_communes_figures_is_refused(officer_a, geo, tmp_path):
    path = workbook(tmp_path, [("PAC_DROWNING", "20002", "2026", 1, None, "")])
    with pytest.raises(ValidationError) as exc:
        services.values_import(acting_user=officer_a, path=path)
    assert "outside your units" in exc.value.messages[0]
    assert not IndicatorValue.objects.exists()


def test_import_picks_the_unit_of_the_period_for_a_reused_code(admin, geo, tmp_path):
    # 20001 was Xã Cũ Một until 30/06/2025 and is Phường An after it.
    path = workbook(
        tmp_path,
        [("PAC_DROWNING", "20001", "2024", 4, None, ""), ("PAC_DROWNING", "20001", "2026", 1, None, "")],
    )
    services.values_import(acting_user=admin, path=path)
    assert IndicatorValue.objects.get(period="2024").unit == geo.old_1
    assert IndicatorValue.objects.get(period="2026").unit == geo.commune_a


def test_import_of_a_file_that_is_not_excel(coordinator, tmp_path):
    path = tmp_path / "x.xlsx"
    path.write_bytes(b"not a workbook")
    with pytest.raises(ValidationError) as exc:
        services.values_import(acting_user=coordinator, path=path)
    assert exc.value.messages == ["The file is not an Excel workbook (.xlsx)."]


def test_import_without_the_columns(coordinator, tmp_path):
    path = workbook(tmp_path, [("PAC_DROWNING", 1)], header=("indicator", "value"))
    with pytest.raises(ValidationError) as exc:
        services.values_import(acting_user=coordinator, path=path)
    assert "missing: unit, period" in exc.value.messages[0]


# --- approval, lock, unlock -------------------------------------------------------------------


def complete(user, unit, period):
    """A figure or a comment for every indicator entered by hand."""
    rows = [
        services.Row(i, None, None, "Chưa có số liệu")
        for i in Indicator.objects.filter(numerator_formula="", period_type="year")
    ]
    services.values_save(acting_user=user, unit=unit, period=period, rows=rows)


def test_a_missing_value_needs_a_comment_before_approval(officer_a, supervisor_a, geo):
    enter(officer_a, geo.commune_a, "2026", PAC_DROWNING=1)
    with pytest.raises(ValidationError) as exc:
        services.approval_approve(acting_user=supervisor_a, unit=geo.commune_a, period="2026")
    assert exc.value.messages[0].startswith("Missing values need a comment before approval: CFC_01, CFC_02")
    assert "PAC_CFC" in exc.value.messages[0]
    assert "PAC_DROWNING" not in exc.value.messages[0]
    assert not Approval.objects.exists()


def test_approval_by_level_lock_and_unlock(officer_a, officer_b, supervisor_a, coordinator, geo):
    complete(officer_a, geo.commune_a, "2026")
    complete(officer_b, geo.commune_b, "2026")
    enter(officer_a, geo.commune_a, "2026", PAC_DROWNING=1)
    # The province waits for its communes.
    with pytest.raises(ValidationError) as exc:
        services.approval_approve(acting_user=coordinator, unit=geo.province, period="2026")
    assert exc.value.messages == ["These communes have not approved their figures yet: Phường An, Xã Bình."]
    commune = services.approval_approve(acting_user=supervisor_a, unit=geo.commune_a, period="2026")
    # Locked: the officer cannot change the commune's figures.
    with pytest.raises(ValidationError) as exc:
        enter(officer_a, geo.commune_a, "2026", PAC_DROWNING=2)
    assert "are approved and locked" in exc.value.messages[0]
    assert IndicatorValue.objects.get(unit=geo.commune_a, indicator__code="PAC_DROWNING").numerator == 1
    services.approval_approve(acting_user=coordinator, unit=geo.commune_b, period="2026")
    province = services.approval_approve(acting_user=coordinator, unit=geo.province, period="2026")
    # The commune cannot unlock what the province approved too.
    with pytest.raises(ValidationError) as exc:
        services.approval_unlock(acting_user=supervisor_a, approval=commune, reason="Sai số liệu")
    assert exc.value.messages == ["Thành phố Thử has approved these figures too: unlock them there first."]
    # An unlock needs a reason.
    with pytest.raises(ValidationError) as exc:
        services.approval_unlock(acting_user=coordinator, approval=province, reason="  ")
    assert exc.value.message_dict["reason"] == ["Say why the figures must be unlocked."]
    services.approval_unlock(
        acting_user=coordinator, approval=province, reason="Xã An báo sai số trẻ đuối nước"
    )
    services.approval_unlock(acting_user=supervisor_a, approval=commune, reason="Sửa số trẻ đuối nước")
    enter(officer_a, geo.commune_a, "2026", PAC_DROWNING=2)
    event = AuditEvent.objects.filter(action="indicators.approval.unlocked").order_by("pk").first()
    assert event.reason == "Xã An báo sai số trẻ đuối nước"
    commune.refresh_from_db()
    assert commune.status == "unlocked" and commune.unlock_reason == "Sửa số trẻ đuối nước"
    assert events("indicators.approval.approved") == 3


def test_approval_rights(officer_a, supervisor_a, geo):
    with pytest.raises(ScopeError):
        services.approval_approve(acting_user=officer_a, unit=geo.commune_a, period="2026")
    with pytest.raises(ScopeError):
        services.approval_approve(acting_user=supervisor_a, unit=geo.commune_b, period="2026")
    assert not Approval.objects.exists()


def test_computation_skips_locked_communes(officer_a, supervisor_a, geo):
    complete(officer_a, geo.commune_a, "2026")
    services.approval_approve(acting_user=supervisor_a, unit=geo.commune_a, period="2026")
    result = services.values_compute(acting_user=officer_a, unit=geo.commune_a, period="2026")
    assert result.warnings == ["Phường An: the figures are locked, not recomputed."]
    assert not IndicatorValue.objects.filter(source="computed").exists()


def test_commune_category(coordinator, officer_a, geo):
    record = services.category_set(acting_user=coordinator, unit=geo.commune_b, category="disadvantaged")
    assert record.category == "disadvantaged"
    with pytest.raises(ScopeError):
        services.category_set(acting_user=officer_a, unit=geo.commune_a, category="other")
    with pytest.raises(ValidationError):
        services.category_set(acting_user=coordinator, unit=geo.province, category="other")

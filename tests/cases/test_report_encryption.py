"""A report's summary, place, child's name and description are encrypted at rest (like the
narratives), the rows written before are encrypted by the migration, and audit events hold none of
the text: every encrypted field is redacted, listed in ``audit_redact_fields`` or not."""

from __future__ import annotations

import importlib
from types import SimpleNamespace

import pytest
from django.core.exceptions import FieldError, ValidationError
from django.db import connection

from tests.cases.records import NARRATIVE, open_case, receive
from treem.audit.models import AuditEvent
from treem.audit.services import REDACTED, diff, redacted_fields, snapshot
from treem.cases import services
from treem.cases.encryption import encrypted_fields
from treem.cases.models import Report

MIGRATION = importlib.import_module("treem.cases.migrations.0006_encrypt_report_text")
TEXT = {
    "summary": "Bé Lò Thị Mai bị cha dượng đánh",
    "place": "Nhà số 12 thôn Bản Phố",
    "child_name": "Lò Thị Mai",
    "child_description": "Bé gái 9 tuổi, tóc ngắn, học lớp 3A",
}
UPDATED = {
    "summary": "Bé Mai bị đánh nhiều lần",
    "place": "Nương ngô sau nhà ông Tư",
    "child_name": "Lò Thị Mai Anh",
    "child_description": "Cháu có vết sẹo ở trán",
}
NOTE = "Người hàng xóm Nguyễn Văn Tư thường đến nhà"
COLUMNS = ("summary", "place", "child_name", "child_description")


def raw_report(pk: int) -> dict[str, str]:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {', '.join(COLUMNS)} FROM cases_report WHERE id = %s", [pk])
        return dict(zip(COLUMNS, cursor.fetchone(), strict=True))


def raw_audit_table() -> str:
    """Every column of every audit event, as the database holds it."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM audit_auditevent")
        return "\n".join(str(value) for row in cursor.fetchall() for value in row)


def test_the_four_fields_are_encrypted_columns():
    found = dict(encrypted_fields())
    assert set(COLUMNS) <= set(found[Report])


def test_raw_tables_hold_tokens_and_the_orm_reads_the_text(geo, officer_a, supervisor_a):
    report = receive(officer_a, geo.commune_a, **TEXT)
    stored = raw_report(report.pk)
    for name, text in TEXT.items():
        assert stored[name].startswith("fernet:") and text not in stored[name], name
    fresh = Report.objects.get(pk=report.pk)
    assert {name: getattr(fresh, name) for name in COLUMNS} == TEXT
    assert fresh.child_label == TEXT["child_name"]


def test_audit_events_hold_none_of_the_text(geo, officer_a, supervisor_a):
    report = receive(officer_a, geo.commune_a, **TEXT)
    services.report_update(acting_user=officer_a, report=report, **UPDATED)
    case = open_case(officer_a, geo.commune_a, supervisor=supervisor_a)
    services.note_add(acting_user=officer_a, case=case, text=NOTE)
    services.report_receive_online(unit=geo.commune_a, **TEXT, narrative=NARRATIVE)
    audit = raw_audit_table()
    for secret in [*TEXT.values(), *UPDATED.values(), NARRATIVE, NOTE, "Lò Thị Mai", "roi mây"]:
        assert secret not in audit, secret
    # The events still say which fields changed, without their content.
    updated = AuditEvent.objects.get(action="cases.report.updated").changes
    for name in COLUMNS:
        assert updated[name] == [REDACTED, REDACTED], name
    received = AuditEvent.objects.filter(action="cases.report.received").first().changes
    assert received["summary"] == [None, REDACTED]


def test_an_unchanged_secret_is_not_in_the_diff(geo, officer_a):
    report = receive(officer_a, geo.commune_a, **TEXT)
    services.report_update(acting_user=officer_a, report=report, narrative="Thêm chi tiết")
    changes = AuditEvent.objects.get(action="cases.report.updated").changes
    assert set(changes) == {"narrative"}  # only what changed (updated_by is not diffed when the same)


def test_every_encrypted_field_is_redacted_without_being_listed(geo, officer_a, monkeypatch):
    for model, names in encrypted_fields():
        assert set(names) <= redacted_fields(model), model
    monkeypatch.setattr(Report, "audit_redact_fields", ())  # a model that forgot to list them
    report = receive(officer_a, geo.commune_a, **TEXT)
    data = snapshot(report)
    assert all(data[name] == REDACTED for name in [*COLUMNS, "narrative"])
    assert TEXT["summary"] not in str(diff(None, data))


def test_the_limits_of_the_form_hold_for_the_text_typed(geo, officer_a):
    before = Report.objects.count()
    with pytest.raises(ValidationError) as exc:
        receive(officer_a, geo.commune_a, summary="x" * 201, child_name="y" * 151)
    assert set(exc.value.message_dict) >= {"summary", "child_name"}
    with pytest.raises(ValidationError) as exc:
        services.report_receive_online(
            unit=geo.commune_a, summary="Trẻ bị đánh", child_description="Bé trai", place="z" * 256
        )
    assert "place" in exc.value.message_dict
    assert Report.objects.count() == before
    receive(officer_a, geo.commune_a, summary="x" * 200)  # at the limit: a token far longer, fine


def test_the_fields_cannot_be_searched(geo, officer_a):
    receive(officer_a, geo.commune_a, **TEXT)
    for name in COLUMNS:
        with pytest.raises(FieldError, match="encrypted"):
            list(Report.objects.filter(**{f"{name}__icontains": "Mai"}))


def test_the_migration_encrypts_rows_written_before_and_going_back_decrypts(geo, officer_a):
    report = receive(officer_a, geo.commune_a, **TEXT)
    empty = receive(
        officer_a, geo.commune_a, summary="Trẻ bị bỏ rơi", child_name="", child_description="Bé trai"
    )
    with connection.cursor() as cursor:  # as the rows were before the migration: plain text
        cursor.execute(
            "UPDATE cases_report SET summary = %s, place = %s, child_name = %s, child_description = %s "
            "WHERE id = %s",
            [*TEXT.values(), report.pk],
        )
        cursor.execute("UPDATE cases_report SET summary = %s WHERE id = %s", ["Trẻ bị bỏ rơi", empty.pk])
    editor = SimpleNamespace(connection=connection)
    MIGRATION.encrypt_rows(None, editor)
    MIGRATION.encrypt_rows(None, editor)  # a second run leaves tokens alone
    stored = raw_report(report.pk)
    assert all(v.startswith("fernet:") and v not in TEXT.values() for v in stored.values())
    assert raw_report(empty.pk)["place"] == "" and raw_report(empty.pk)["summary"].startswith("fernet:")
    fresh = Report.objects.get(pk=report.pk)
    assert {name: getattr(fresh, name) for name in COLUMNS} == TEXT
    MIGRATION.decrypt_rows(None, editor)
    assert raw_report(report.pk) == TEXT

"""Narrative fields are encrypted at rest: the database holds tokens, never the text; keys rotate."""

import io

import pytest
from cryptography.fernet import Fernet
from django.core.exceptions import FieldError
from django.core.management import call_command
from django.db import connection

from tests.cases.records import NARRATIVE, open_case, receive
from treem.audit.models import AuditEvent
from treem.audit.services import REDACTED, redacted_fields
from treem.cases import checks, services
from treem.cases.encryption import FieldKeyError, encrypted_fields
from treem.cases.models import Note, Report

SECRET_NOTE = "Mẹ cháu kể người hàng xóm Nguyễn Văn Tư thường đến nhà khi vắng người"


def raw_rows(table: str) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")
        return cursor.fetchall()


def dump_of_every_case_table() -> str:
    """Every column of every table of the cases app, as text: what a database dump would hold."""
    text = []
    for model, _names in encrypted_fields():
        for row in raw_rows(model._meta.db_table):
            text.extend(str(v) for v in row)
    return "\n".join(text)


def test_the_table_holds_tokens_not_the_text(geo, officer_a, supervisor_a):
    case = open_case(officer_a, geo.commune_a, supervisor=supervisor_a)
    services.note_add(acting_user=officer_a, case=case, text=SECRET_NOTE)
    report = case.reports.get()
    with connection.cursor() as cursor:
        cursor.execute("SELECT narrative, summary FROM cases_report WHERE id = %s", [report.pk])
        narrative, summary = cursor.fetchone()
    assert narrative.startswith("fernet:")
    assert "roi mây" not in narrative and "bầm" not in narrative
    assert summary.startswith("fernet:")  # the short summary too (tests/cases/test_report_encryption.py)
    dump = dump_of_every_case_table()
    for secret in (NARRATIVE, "roi mây", SECRET_NOTE, "Nguyễn Văn Tư"):
        assert secret not in dump
    # Read through the ORM, the text comes back.
    assert Report.objects.get(pk=report.pk).narrative == NARRATIVE
    assert Note.objects.get(case=case).text == SECRET_NOTE


def test_each_value_is_encrypted_differently(geo, officer_a):
    first = receive(officer_a, geo.commune_a)
    second = receive(officer_a, geo.commune_a)
    with connection.cursor() as cursor:
        cursor.execute("SELECT narrative FROM cases_report WHERE id IN (%s, %s)", [first.pk, second.pk])
        tokens = {row[0] for row in cursor.fetchall()}
    assert len(tokens) == 2  # the same text, two tokens: nothing to compare or count


def test_empty_text_stays_empty(geo, officer_a):
    report = receive(officer_a, geo.commune_a, narrative="")
    with connection.cursor() as cursor:
        cursor.execute("SELECT narrative FROM cases_report WHERE id = %s", [report.pk])
        assert cursor.fetchone()[0] == ""
    assert Report.objects.get(pk=report.pk).narrative == ""


def test_encrypted_fields_cannot_be_searched(geo, officer_a):
    receive(officer_a, geo.commune_a)
    with pytest.raises(FieldError, match="encrypted"):
        list(Report.objects.filter(narrative=NARRATIVE))
    with pytest.raises(FieldError, match="encrypted"):
        list(Report.objects.filter(narrative__icontains="roi"))
    assert Report.objects.filter(narrative__isnull=False).count() == 1


def test_audit_events_never_hold_the_text(geo, officer_a, supervisor_a):
    case = open_case(officer_a, geo.commune_a, supervisor=supervisor_a)
    services.note_add(acting_user=officer_a, case=case, text=SECRET_NOTE)
    received = AuditEvent.objects.get(action="cases.report.received")
    assert received.changes["narrative"] == [None, REDACTED]
    assert AuditEvent.objects.get(action="cases.note.added").changes["text"] == [None, REDACTED]
    everything = " ".join(str(e.changes) + e.object_label + e.reason for e in AuditEvent.objects.all())
    assert "roi mây" not in everything and "Nguyễn Văn Tư" not in everything
    assert "Lò Thị Mai" not in AuditEvent.objects.get(action="cases.case.opened").object_label


def test_every_encrypted_field_is_redacted_in_audit_events():
    for model, names in encrypted_fields():
        assert set(names) <= redacted_fields(model), model


def test_key_rotation(geo, officer_a, settings):
    old, new = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    settings.TREEM_FIELD_KEYS = [old]
    report = receive(officer_a, geo.commune_a, reporter_contact="0905 111 222")
    settings.TREEM_FIELD_KEYS = [new, old]  # the new key first: new values use it, old ones still read
    assert Report.objects.get(pk=report.pk).narrative == NARRATIVE
    out = io.StringIO()
    call_command("rotate_field_keys", stdout=out)
    assert "cases.Report: 1 rows re-encrypted" in out.getvalue()
    assert AuditEvent.objects.filter(action="cases.field_keys.rotated").count() == 1
    settings.TREEM_FIELD_KEYS = [new]  # the old key can go now
    fresh = Report.objects.get(pk=report.pk)
    assert (fresh.narrative, fresh.reporter_contact) == (NARRATIVE, "0905 111 222")
    settings.TREEM_FIELD_KEYS = [old]  # and the old key alone no longer reads anything
    with pytest.raises(FieldKeyError, match="cannot be decrypted"):
        Report.objects.get(pk=report.pk)


def test_without_the_key_nothing_is_read_or_written(geo, officer_a, settings):
    report = receive(officer_a, geo.commune_a)
    settings.TREEM_FIELD_KEYS = []
    with pytest.raises(FieldKeyError, match="empty"):
        Report.objects.get(pk=report.pk)
    before = Report.objects.count()
    with pytest.raises(FieldKeyError):
        receive(officer_a, geo.commune_a)
    settings.TREEM_FIELD_KEYS = ["not-a-key"]
    with pytest.raises(FieldKeyError, match="malformed"):
        Report.objects.get(pk=report.pk)
    settings.TREEM_FIELD_KEYS = None
    assert Report.objects.count() == before


def test_system_check_refuses_production_without_keys(settings):
    settings.DEBUG = False
    settings.TREEM_FIELD_KEYS = []
    assert [e.id for e in checks.field_keys_configured()] == ["treem.E101"]
    settings.TREEM_FIELD_KEYS = ["not-a-key"]
    assert [e.id for e in checks.field_keys_configured()] == ["treem.E101"]
    settings.TREEM_FIELD_KEYS = [Fernet.generate_key().decode()]
    settings.TREEM_FIELD_KEYS_GENERATED = True  # the demo key left in place
    assert [e.id for e in checks.field_keys_configured()] == ["treem.E102"]
    settings.TREEM_FIELD_KEYS_GENERATED = False
    assert checks.field_keys_configured() == []
    settings.DEBUG = True
    settings.TREEM_FIELD_KEYS_GENERATED = True
    assert checks.field_keys_configured() == []  # the demo and the tests use the generated key

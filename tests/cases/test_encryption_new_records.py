"""The raw tables of referrals, transfers, files and public reports hold tokens, never the text
(tests/cases/test_encryption.py reads the older tables the same way)."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from tests.cases.records import open_case
from tests.cases.test_encryption import dump_of_every_case_table, raw_rows
from treem.cases import services
from treem.cases.encryption import encrypted_fields
from treem.cases.models import Attachment, Referral, Transfer

SECRETS = {
    "request": "Khám dấu hiệu xâm hại tình dục",
    "reason": "Trẻ chuyển đến ở với dì tại số 7 đường Hoa Sữa",
    "file": "benh-an-Lo-Thi-Mai.txt",
    "description": "Bệnh án của cháu Mai",
    "narrative": "Cháu bị người quen dụ dỗ qua mạng",
    "contact": "0912 345 678",
}


def test_new_encrypted_columns_are_listed():
    found = {model: set(names) for model, names in encrypted_fields()}
    assert found[Referral] == {"request", "rejection_reason", "outcome"}
    assert found[Transfer] == {"reason", "refusal_reason"}
    assert found[Attachment] == {"file_name", "description"}


def test_a_raw_dump_holds_none_of_the_text(geo, officer_a, supervisor_a, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    case = open_case(officer_a, geo.commune_a, supervisor=supervisor_a)
    services.referral_create(
        acting_user=officer_a,
        case=case,
        service="health",
        agency_name="Bệnh viện",
        request=SECRETS["request"],
    )
    services.transfer_request(
        acting_user=officer_a, case=case, to_commune=geo.commune_b, reason=SECRETS["reason"]
    )
    services.attachment_add(
        acting_user=officer_a,
        case=case,
        upload=SimpleUploadedFile(SECRETS["file"], b"noi dung"),
        description=SECRETS["description"],
    )
    services.report_receive_online(
        unit=geo.commune_a,
        summary="Nghi trẻ bị dụ dỗ",
        child_description="Bé gái 13 tuổi",
        narrative=SECRETS["narrative"],
        reporter_contact=SECRETS["contact"],
    )
    dump = dump_of_every_case_table()
    for secret in SECRETS.values():
        assert secret not in dump, secret
    assert raw_rows("cases_referral") and raw_rows("cases_transfer") and raw_rows("cases_attachment")
    # The ORM reads them back.
    assert Transfer.objects.get().reason == SECRETS["reason"]
    assert Attachment.objects.get().file_name == SECRETS["file"]


@pytest.mark.parametrize("table", ["cases_referral", "cases_transfer", "cases_attachment"])
def test_tokens_in_the_columns(geo, officer_a, supervisor_a, settings, tmp_path, table):
    settings.MEDIA_ROOT = tmp_path
    case = open_case(officer_a, geo.commune_a, supervisor=supervisor_a)
    services.referral_create(
        acting_user=officer_a, case=case, service="police", agency_name="CA", request="Bảo vệ"
    )
    services.transfer_request(acting_user=officer_a, case=case, to_commune=geo.commune_b, reason="Chuyển nhà")
    services.attachment_add(acting_user=officer_a, case=case, upload=SimpleUploadedFile("a.txt", b"x"))
    rows = raw_rows(table)
    assert any(isinstance(v, str) and v.startswith("fernet:") for v in rows[0])

"""The case forms Mẫu 01–06 as .docx downloads: filled from the case, for its group only, audited."""

from __future__ import annotations

import datetime as dt
import io
import logging

import pytest
from django.urls import reverse
from django.utils import timezone
from docx import Document

from tests.cases.records import NARRATIVE, at_review, open_case, receive
from tests.factories import CommuneFactory, UserFactory
from treem.audit.models import AuditEvent
from treem.cases import services
from treem.cases.forms_docx import FORMS, place_name, unit_full_name
from treem.cases.models import Assessment, Plan
from treem.children.models import Caregiver
from treem.documents.official import CONTENT_TYPE, NATIONAL_NAME, plain_text

ABUSER = "Cha dượng, khoảng 40 tuổi, làm nghề lái xe"
CONDITION = "Trẻ sợ hãi, có vết bầm ở lưng và tay"
REPORTER = "Nguyễn Thị Hàng Xóm"


@pytest.fixture
def full_case(geo, officer_a, supervisor_a, child_a):
    """A case at review: a full report, both assessments, an approved plan and a review."""
    Caregiver.objects.create(
        child=child_a, relationship="mother", full_name="Lò Thị Hoa", birth_year=1990, occupation="Làm nông"
    )
    report = receive(
        officer_a,
        geo.commune_a,
        child=child_a,
        place="Nhà riêng, Thôn Một",
        child_condition=CONDITION,
        abuser_details=ABUSER,
        family_details="Mẹ đi làm xa, trẻ ở với cha dượng",
        actions_taken="Đã báo công an phường",
        reporter_name=REPORTER,
        reporter_contact="0905 111 222, Thôn Một",
    )
    case = services.case_open(acting_user=officer_a, reports=[report], supervisor=supervisor_a)
    return at_review(case, officer_a, supervisor_a)


@pytest.fixture
def new_case(geo, officer_a, supervisor_a, child_a):
    """A case just opened: one report, nothing else yet."""
    return open_case(officer_a, geo.commune_a, supervisor=supervisor_a, child=child_a)


def form_url(case, code, record=None) -> str:
    url = reverse("cases:case_form", kwargs={"pk": case.pk, "form": code})
    return f"{url}?record={record}" if record is not None else url


def download(client, user, case, code, record=None):
    client.force_login(user)
    return client.get(form_url(case, code, record))


def text_of(response) -> str:
    assert response.status_code == 200
    assert response["Content-Type"] == CONTENT_TYPE
    Document(io.BytesIO(response.content))  # opens as a Word document
    return plain_text(response.content)


def local_day(moment) -> str:
    return f"{timezone.localtime(moment):%d/%m/%Y}"


def test_mau_01_is_the_report_as_received(client, full_case, officer_a):
    report = full_case.reports.get()
    text = text_of(download(client, officer_a, full_case, "01"))
    assert NATIONAL_NAME in text and "Mẫu số 01" in text
    assert "ỦY BAN NHÂN DÂN\nPHƯỜNG AN" in text
    assert "PHIẾU TIẾP NHẬN THÔNG TIN" in text
    for expected in (
        "Lò Thị Mai",
        NARRATIVE,
        CONDITION,
        ABUSER,
        "Nhà riêng, Thôn Một",
        "Đã báo công an phường",
        REPORTER,
        report.tracking_code,
        full_case.number,
        local_day(report.received_at),
        "Tổng đài quốc gia 111",  # in Vietnamese although this user reads English
        "Lò Thị Hoa",  # the mother, from the child database
        "☒ Nữ",
        "Nguyễn Văn An",  # the receiving officer signs
    ):
        assert expected in text, expected
    received = timezone.localtime(report.received_at).date()
    assert f"An, ngày {received:%d}" in text  # the place of a ward's documents: its name


def test_an_anonymous_reporter_stays_anonymous_in_mau_01(client, geo, officer_a, supervisor_a, child_a):
    report = receive(officer_a, geo.commune_a, child=child_a, reporter_anonymous=True)
    case = services.case_open(acting_user=officer_a, reports=[report], supervisor=supervisor_a)
    text = text_of(download(client, officer_a, case, "01"))
    assert "đề nghị giữ bí mật" in text


@pytest.mark.parametrize(
    ("code", "expected"),
    [
        ("02", ["BÁO CÁO", "Đánh giá ban đầu", "Có dấu hiệu bạo lực", "Hạn đánh giá ban đầu (12 giờ)"]),
        ("03", ["Đánh giá cụ thể", "Nguy cơ cao", "Họp ngày 2", "Lò Thị Hoa"]),
        ("04", ["KẾ HOẠCH", "Trẻ an toàn", "Tư vấn tâm lý", "chuyển gửi công an"]),
        ("05", ["QUYẾT ĐỊNH", "Điều 1.", "Điều 3.", "CHỦ TỊCH ỦY BAN NHÂN DÂN PHƯỜNG AN", "Hoàng Chủ Tịch"]),
        ("06", ["Rà soát, đánh giá", "Trẻ ổn định", "Khả năng tự bảo vệ và phục hồi của trẻ em"]),
    ],
)
def test_each_form_is_filled_from_the_case(client, full_case, officer_a, code, expected):
    text = text_of(download(client, officer_a, full_case, code))
    assert f"Mẫu số {code}" in text
    assert "Lò Thị Mai" in text and full_case.number in text
    for part in expected:
        assert part in text, part


def test_assessment_forms_carry_their_dates_and_assessor(client, full_case, officer_a):
    for code, kind in (("02", "initial"), ("03", "specific"), ("06", "review")):
        assessment = full_case.assessments.get(kind=kind)
        text = text_of(download(client, officer_a, full_case, code))
        assert local_day(assessment.assessed_at) in text
        assert "NGƯỜI ĐÁNH GIÁ" in text and "Nguyễn Văn An" in text


def test_mau_04_lists_each_action_in_its_own_row(client, full_case, officer_a):
    doc = Document(io.BytesIO(download(client, officer_a, full_case, "04").content))
    actions = next(t for t in doc.tables if t.rows[0].cells[0].text == "STT")
    assert [[c.text for c in row.cells] for row in actions.rows[1:]] == [
        ["1", "Tư vấn tâm lý"],
        ["2", "chuyển gửi công an"],
    ]
    assert "DỰ THẢO" not in plain_text(download(client, officer_a, full_case, "04").content)  # approved


def test_mau_05_is_the_signed_decision_once_approved(client, full_case, officer_a):
    plan = full_case.plans.get(status="approved")
    response = download(client, officer_a, full_case, "05")
    text = text_of(response)
    assert "Số:      /QĐ-UBND" in text  # the clerk numbers the signed decision
    assert "DỰ THẢO" not in text
    decided = timezone.localtime(plan.decided_at).date()
    assert f"ngày {decided:%d} tháng" in text
    assert f"trước ngày {plan.review_on:%d/%m/%Y}" in text
    assert "Nơi nhận:" in text and "- Lưu: VT, hồ sơ vụ việc." in text


def test_mau_05_of_a_plan_waiting_for_approval_is_a_draft(client, geo, officer_a, supervisor_a, child_a):
    from tests.cases.records import submitted_plan

    case = submitted_plan(
        open_case(officer_a, geo.commune_a, supervisor=supervisor_a, child=child_a), officer_a
    )
    text = text_of(download(client, officer_a, case, "05"))
    assert text.startswith("DỰ THẢO")
    assert "Ngày ..... tháng" in text or ", ngày ..... tháng" in text
    assert "Hoàng Chủ Tịch" in text  # the case's supervisor is to sign


def test_mau_06_rates_each_risk_factor_and_counts_the_levels(client, full_case, officer_a):
    doc = Document(io.BytesIO(download(client, officer_a, full_case, "06").content))
    risk = next(
        t for t in doc.tables if [c.text for c in t.rows[0].cells][2:] == ["Cao", "Trung bình", "Thấp"]
    )
    rows = {row.cells[1].text: [c.text for c in row.cells[2:]] for row in risk.rows[1:]}
    assert rows["Mức độ nghiêm trọng của tổn hại còn lại"] == ["", "", "X"]
    assert rows["Khả năng tự bảo vệ và phục hồi của trẻ em"] == ["", "X", ""]
    assert rows["Tổng số"] == ["0", "1", "3"]
    text = plain_text(download(client, officer_a, full_case, "06").content)
    assert "phê duyệt ngày" in text  # the plan under review


def test_forms_without_their_record_come_blank_with_the_child(client, new_case, officer_a):
    for code in ("02", "03", "04", "05", "06"):
        response = download(client, officer_a, new_case, code)
        text = text_of(response)
        assert "Lò Thị Mai" in text and new_case.number in text, code
        assert "trong.docx" in response["Content-Disposition"], code
    doc = Document(io.BytesIO(download(client, officer_a, new_case, "02").content))
    blank = next(p for p in doc.paragraphs if p.text.startswith("Nhận định về nguy cơ"))
    assert blank.text.endswith(":\t")  # a dotted line to the margin, to fill in by hand
    risk = plain_text(download(client, officer_a, new_case, "06").content)
    assert "Trẻ ổn định" not in risk


def test_every_download_is_audited_as_a_view_of_the_case(client, full_case, officer_a):
    report = full_case.reports.get()
    before = AuditEvent.objects.count()
    download(client, officer_a, full_case, "01")
    download(client, officer_a, full_case, "06")
    assert AuditEvent.objects.count() == before + 2
    first, second = AuditEvent.objects.order_by("-id")[:2][::-1]
    review = full_case.assessments.get(kind="review")
    assert (first.action, first.object_id, first.actor) == ("cases.case.viewed", str(full_case.pk), officer_a)
    assert first.changes == {"access": "member", "form": "01", "record": report.pk}
    assert second.changes == {"access": "member", "form": "06", "record": review.pk}
    stored = f"{first.changes} {first.reason} {first.object_label} {second.changes}"
    for secret in (NARRATIVE, ABUSER, REPORTER, "Lò Thị Mai", "Trẻ ổn định"):
        assert secret not in stored


def test_the_narratives_never_reach_the_logs(client, full_case, officer_a, caplog):
    caplog.set_level(logging.DEBUG)
    for code in FORMS:
        assert download(client, officer_a, full_case, code).status_code == 200
    logged = "\n".join(r.getMessage() for r in caplog.records)
    for secret in (NARRATIVE, ABUSER, CONDITION, REPORTER, "Họp ngày 2"):
        assert secret not in logged


def test_the_file_is_named_by_the_case_and_not_kept_in_caches(client, full_case, officer_a):
    response = download(client, officer_a, full_case, "04")
    disposition = response["Content-Disposition"]
    assert disposition.startswith("attachment;")
    assert f"Mau-04-{full_case.number}-v1.docx" in disposition
    assert "Mai" not in disposition
    assert response["Cache-Control"] == "no-store, private"


def test_another_communes_workers_get_404(client, geo, full_case, officer_b):
    worker_b = UserFactory(username="vuviec_b", roles=["case_worker"], units=[geo.commune_b])
    before = AuditEvent.objects.count()
    for user in (officer_b, worker_b):
        client.force_login(user)
        for url in (reverse("cases:case_forms", args=[full_case.pk]), form_url(full_case, "01")):
            response = client.get(url)
            assert response.status_code == 404
            assert full_case.number not in response.content.decode()
    assert AuditEvent.objects.count() == before


def test_those_who_may_only_know_the_case_exists_are_refused(client, geo, full_case, coordinator, admin):
    colleague = UserFactory(username="canbo_a2", roles=["commune_officer"], units=[geo.commune_a])
    before = AuditEvent.objects.count()
    for user in (colleague, coordinator, admin):  # administrators are no exception
        client.force_login(user)
        assert client.get(reverse("cases:case_forms", args=[full_case.pk])).status_code == 403
        for code in FORMS:
            response = client.get(form_url(full_case, code))
            assert response.status_code == 403, (user, code)
            assert NARRATIVE not in response.content.decode()
    assert AuditEvent.objects.count() == before


def test_no_case_permission_is_403(client, full_case, viewer, no_role_a):
    for user in (viewer, no_role_a):
        assert download(client, user, full_case, "01").status_code == 403


def test_breaking_the_glass_gives_the_forms_and_audits_the_reason(client, full_case, coordinator):
    reason = "Trẻ nhập viện tỉnh, bác sĩ cần thông tin ngay"
    services.case_break_glass(acting_user=coordinator, case=full_case, reason=reason)
    text = text_of(download(client, coordinator, full_case, "02"))
    assert "Có dấu hiệu bạo lực" in text
    event = AuditEvent.objects.order_by("-id").first()
    assert event.changes["access"] == "glass" and event.changes["form"] == "02"
    assert event.reason == reason


def test_the_record_must_be_the_cases_own(client, geo, full_case, new_case, officer_a):
    other_report = new_case.reports.get()
    other_plan = Plan.objects.filter(case=full_case).first()
    before = AuditEvent.objects.count()
    for code, record in (("01", other_report.pk), ("04", 999999), ("02", "abc"), ("05", "9" * 30)):
        assert download(client, officer_a, full_case, code, record).status_code == 404, (code, record)
    # A plan of one case named on another case's URL.
    assert download(client, officer_a, new_case, "04", other_plan.pk).status_code == 404
    # The review assessment is not a Mẫu 02 record.
    review = Assessment.objects.get(case=full_case, kind="review")
    assert download(client, officer_a, full_case, "02", review.pk).status_code == 404
    assert download(client, officer_a, full_case, "07").status_code == 404
    assert AuditEvent.objects.count() == before


def test_a_chosen_report_fills_mau_01(client, geo, full_case, officer_a):
    second = receive(
        officer_a,
        geo.commune_a,
        child=full_case.child,
        summary="Báo tin lần hai",
        received_at=timezone.now() - dt.timedelta(minutes=5),
    )
    services.case_add_report(acting_user=officer_a, case=full_case, report=second)
    text = text_of(download(client, officer_a, full_case, "01", second.pk))
    assert second.tracking_code in text and "Báo tin lần hai" in text
    first = full_case.reports.order_by("received_at").first()
    assert first.tracking_code in text_of(download(client, officer_a, full_case, "01"))


def test_the_forms_page_lists_every_form_and_the_case_page_links_to_it(client, full_case, officer_a):
    client.force_login(officer_a)
    page = client.get(full_case.get_absolute_url()).content.decode()
    forms_url = reverse("cases:case_forms", args=[full_case.pk])
    assert forms_url in page
    before = AuditEvent.objects.count()
    response = client.get(forms_url)
    assert response.status_code == 200
    text = response.content.decode()
    report = full_case.reports.get()
    plan = full_case.plans.get()
    assert form_url(full_case, "01", report.pk) in text and report.tracking_code in text
    assert form_url(full_case, "04", plan.pk) in text
    for code in FORMS:
        assert f'data-form="{code}"' in text
    assert NARRATIVE not in text and "Trẻ ổn định" not in text
    assert AuditEvent.objects.count() == before  # the list shows no content; the downloads are audited


def test_the_forms_page_offers_blank_forms(client, new_case, officer_a):
    client.force_login(officer_a)
    text = client.get(reverse("cases:case_forms", args=[new_case.pk])).content.decode()
    assert "blank, to fill in by hand" in text
    assert f'href="{form_url(new_case, "06")}"' in text


def test_place_and_agency_names(geo):
    assert unit_full_name(geo.commune_a) == "Phường An"
    assert place_name(geo.commune_a) == "An"
    assert place_name(geo.province) == "Thử"
    ward = CommuneFactory(name="Phường 7", kind="Phường", code="29999", parent=geo.province)
    assert place_name(ward) == "Phường 7"
    bare = CommuneFactory(name="Hòa Vang", kind="Xã", code="29998", parent=geo.province)
    assert unit_full_name(bare) == "Xã Hòa Vang"

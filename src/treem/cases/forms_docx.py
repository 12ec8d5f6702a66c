"""The case forms of Decree 56/2017/NĐ-CP (Mẫu 01–06) as official ``.docx`` documents.

Each form is built from the case's records and laid out by :mod:`treem.documents.official`
(Decree 30/2020/NĐ-CP): Mẫu 01 from a report, Mẫu 02 / 03 / 06 from the initial, specific and
review assessments, Mẫu 04 from a plan and Mẫu 05, the chairman's decision approving it, from the
same plan. A form whose record does not exist yet is printed blank but for the case and the child
(dotted lines to fill in by hand in the field, as officers do within the 12 hours).

The documents are in Vietnamese whatever the user's language (official papers). They hold the
decrypted narratives: they are built only for users who see the case's content (the view checks
``selectors.case_access``) and are sent, never stored or logged.

The exact wording of Mẫu 02–05 is not confirmed (docs: DOMAIN.md §3): the kind and title of each
form are defaults that ``settings.TREEM_CASE_FORM_TITLES`` may replace, e.g.
``{"02": ("BIÊN BẢN", "Đánh giá ban đầu …")}``.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.db.models import Model, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import override

from treem.cases.models import Assessment, Case, Plan, Report, RiskFactor
from treem.documents.official import (
    Block,
    Field,
    Heading,
    OfficialDocument,
    Paragraph,
    Signature,
    Table,
    Text,
)

# (kind of document, title): Decree 56's annex, wording to be confirmed (see the docstring).
DEFAULT_TITLES: dict[str, tuple[str, str]] = {
    "01": (
        "PHIẾU TIẾP NHẬN THÔNG TIN",
        "Thông báo, tố giác về trẻ em bị xâm hại hoặc có nguy cơ bị bạo lực, bóc lột, bỏ rơi",
    ),
    "02": ("BÁO CÁO", "Đánh giá ban đầu về nguy cơ, mức độ tổn hại của trẻ em"),
    "03": ("BÁO CÁO", "Đánh giá cụ thể về trẻ em, gia đình và nhu cầu hỗ trợ, can thiệp"),
    "04": ("KẾ HOẠCH", "Hỗ trợ, can thiệp đối với trẻ em"),
    "05": ("QUYẾT ĐỊNH", "Về việc phê duyệt kế hoạch hỗ trợ, can thiệp đối với trẻ em"),
    "06": ("BÁO CÁO", "Rà soát, đánh giá kết quả thực hiện kế hoạch hỗ trợ, can thiệp"),
}
BOX, CHECKED = "☐", "☒"
SIGN_HINT = "(Ký, ghi rõ họ tên)"


def titles(code: str) -> tuple[str, str]:
    return getattr(settings, "TREEM_CASE_FORM_TITLES", {}).get(code, DEFAULT_TITLES[code])


# --- formatting -------------------------------------------------------------------------------


def _date(value: dt.date | dt.datetime | None) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        value = timezone.localtime(value).date()
    return f"{value:%d/%m/%Y}"


def _moment(value: dt.datetime | None) -> str:
    """A moment as the forms write it: "10 giờ 05 phút, ngày 28/11/2026"."""
    if value is None:
        return ""
    local = timezone.localtime(value)
    return f"{local:%H} giờ {local:%M} phút, ngày {local:%d/%m/%Y}"


def _day(value: dt.datetime | None) -> dt.date | None:
    return timezone.localtime(value).date() if value else None


def _person(user) -> str:
    return (user.full_name or user.get_username()) if user else ""


def _choices(options: list[tuple[str, bool]]) -> str:
    return "    ".join(f"{CHECKED if ticked else BOX} {label}" for label, ticked in options)


def _yes_no(value: bool | None) -> str:
    return _choices([("Có", value is True), ("Không", value is False)])


def _sex(value: str) -> str:
    return _choices([("Nam", value == "male"), ("Nữ", value == "female"), ("Không biết", value == "unknown")])


def unit_full_name(unit) -> str:
    """The unit's full name ("Phường An"): its name, with its kind when the name lacks it."""
    name, kind = unit.name.strip(), (unit.kind or "").strip()
    if kind and not name.lower().startswith(kind.lower()):
        return f"{kind} {name}"
    return name


def place_name(unit) -> str:
    """The place of a commune's or province's documents (Decree 30): the name without its kind,
    unless the name is a number ("Phường 7")."""
    name, kind = unit.name.strip(), (unit.kind or "").strip()
    if kind and name.lower().startswith(kind.lower()):
        rest = name[len(kind) :].strip()
        if rest and not rest.isdigit():
            return rest
    return name


def people_committee(unit) -> str:
    """The issuing agency of a commune's (or province's) forms: its People's Committee."""
    return f"ỦY BAN NHÂN DÂN\n{unit_full_name(unit)}"


def _residence(child) -> str:
    parts = [child.village.name if child.village_id else "", unit_full_name(child.commune)]
    if child.commune.parent_id:
        parts.append(unit_full_name(child.commune.parent))
    return ", ".join(p for p in parts if p)


def _birth(child) -> str:
    if child.birth_date:
        return _date(child.birth_date)
    return f"năm {child.birth_year}" if child.birth_year else ""


def _harms(case: Case) -> str:
    return "; ".join(str(h) for h in case.harm_kinds.select_related("parent"))


def _lines(text: str) -> list[str]:
    """The items of a free-text list (one per line, or separated by semicolons)."""
    return [part.strip(" -•\t") for part in re.split(r"[\n;]+", text or "") if part.strip(" -•\t")]


# --- shared parts -----------------------------------------------------------------------------


def _child_fields(child) -> list[Block]:
    fields: list[Block] = [
        Field("Họ và tên trẻ em", child.full_name),
        Field("Ngày, tháng, năm sinh", _birth(child)),
        Field("Giới tính", _sex(child.sex)),
        Field("Dân tộc", child.ethnicity.name if child.ethnicity_id else ""),
        Field("Nơi cư trú", _residence(child)),
    ]
    if child.school:
        fields.append(Field("Trường, lớp", ", ".join(p for p in (child.school, child.grade) if p)))
    return fields


def _caregivers_table(child) -> Table:
    rows = [
        (
            c.get_relationship_display(),
            c.full_name,
            str(c.birth_year or ""),
            c.occupation,
            "Có" if c.lives_with_child else "Không",
        )
        for c in child.caregivers.all()
    ]
    if not rows:  # to fill in by hand
        rows = [("Cha", "", "", "", ""), ("Mẹ", "", "", "", "")]
    return Table(
        columns=("Quan hệ", "Họ và tên", "Năm sinh", "Nghề nghiệp", "Sống cùng trẻ"),
        rows=rows,
        widths=(25, 55, 22, 38, 25),
        align=("left", "left", "center", "left", "center"),
    )


def _risk_table(assessment: Assessment | None) -> Table:
    """Each risk factor rated Cao / Trung bình / Thấp, with the count per level (Mẫu 06)."""
    rated = {r.factor_id: r.level for r in assessment.ratings.all()} if assessment else {}
    levels = ("high", "medium", "low")
    rows, counts = [], dict.fromkeys(levels, 0)
    for number, factor in enumerate(RiskFactor.objects.order_by("sort_order", "code"), start=1):
        level = rated.get(factor.pk)
        if level in counts:
            counts[level] += 1
        rows.append((str(number), factor.name, *("X" if level == lv else "" for lv in levels)))
    rows.append(("", "Tổng số", *(str(counts[lv]) if rated else "" for lv in levels)))
    return Table(
        columns=("STT", "Yếu tố nguy cơ", "Cao", "Trung bình", "Thấp"),
        rows=rows,
        widths=(12, 93, 20, 20, 20),
        align=("center", "left", "center", "center", "center"),
        total=True,
    )


def _base(case_unit, code: str, *, issued_on: dt.date | None, **extra) -> dict:
    kind, title = titles(code)
    return {
        "agency": people_committee(case_unit),
        "place": place_name(case_unit),
        "issued_on": issued_on,
        "kind": kind,
        "title": title,
        "form_label": f"Mẫu số {code}",
        "font_size": 13,  # the forms are long: Decree 30's smaller body size
        **extra,
    }


# --- the forms --------------------------------------------------------------------------------


def form_01(case: Case, report: Report | None) -> OfficialDocument:
    """Mẫu 01: the report as received (the hotline's or commune's record of it)."""
    if report is None:
        return _form_01_blank(case)
    child = report.child
    if child is not None:
        birth = _birth(child)
    elif report.child_birth_year:
        birth = f"năm {report.child_birth_year}"
    else:
        birth = f"khoảng {report.child_age} tuổi" if report.child_age is not None else ""
    if report.reporter_anonymous:
        reporter: list[Block] = [
            Paragraph("Người thông báo, tố giác đề nghị giữ bí mật thông tin cá nhân.", italic=True)
        ]
    else:
        reporter = [
            Field("Họ và tên", report.reporter_name),
            Field("Số điện thoại, địa chỉ", report.reporter_contact),
        ]
    body: list[Block] = [
        Heading("I. THÔNG TIN TIẾP NHẬN"),
        Field("Thời điểm tiếp nhận", _moment(report.received_at)),
        Field("Nguồn thông tin", report.get_channel_display()),
        Field("Mã theo dõi", report.tracking_code),
        Field("Mã hồ sơ vụ việc", case.number),
        Heading("II. THÔNG TIN VỀ TRẺ EM"),
        Field("Họ và tên trẻ em", child.full_name if child else report.child_name),
        Field("Ngày, tháng, năm sinh hoặc tuổi ước tính", birth),
        Field("Giới tính", _sex(child.sex if child else report.child_sex)),
        Field("Đặc điểm nhận dạng", report.child_description),
        Field("Nơi cư trú", _residence(child) if child else ""),
        Heading("III. NỘI DUNG SỰ VIỆC"),
        Field("Nơi xảy ra sự việc", report.place),
        Field("Tóm tắt", report.summary),
        Field("Diễn biến sự việc", report.narrative, blank_lines=4),
        Field("Tình trạng hiện tại của trẻ em", report.child_condition, blank_lines=2),
        Field("Hậu quả có thể xảy ra nếu trẻ em không được hỗ trợ", "", blank_lines=2),
        Field("Người bị nghi gây tổn hại cho trẻ em", report.abuser_details, blank_lines=2),
        Heading("IV. THÔNG TIN VỀ GIA ĐÌNH"),
    ]
    if child is not None:
        body.append(_caregivers_table(child))
    body += [
        Field("Hoàn cảnh gia đình, người đang chăm sóc trẻ em", report.family_details, blank_lines=2),
        Heading("V. CÁC BIỆN PHÁP ĐÃ THỰC HIỆN"),
        Field("Biện pháp đã thực hiện", report.actions_taken, blank_lines=2),
        Heading("VI. NGƯỜI THÔNG BÁO, TỐ GIÁC"),
        *reporter,
    ]
    return OfficialDocument(
        **_base(report.unit, "01", issued_on=_day(report.received_at)),
        body=body,
        signatures=(Signature("Người tiếp nhận", name=_person(report.received_by), hint=SIGN_HINT),),
    )


def _form_01_blank(case: Case) -> OfficialDocument:
    body: list[Block] = [
        Heading("I. THÔNG TIN TIẾP NHẬN"),
        Field("Thời điểm tiếp nhận"),
        Field("Nguồn thông tin"),
        Field("Mã hồ sơ vụ việc", case.number),
        Heading("II. THÔNG TIN VỀ TRẺ EM"),
        *_child_fields(case.child),
        Heading("III. NỘI DUNG SỰ VIỆC"),
        Field("Nơi xảy ra sự việc"),
        Field("Diễn biến sự việc", blank_lines=4),
        Field("Tình trạng hiện tại của trẻ em", blank_lines=2),
        Field("Hậu quả có thể xảy ra nếu trẻ em không được hỗ trợ", blank_lines=2),
        Field("Người bị nghi gây tổn hại cho trẻ em", blank_lines=2),
        Heading("IV. THÔNG TIN VỀ GIA ĐÌNH"),
        _caregivers_table(case.child),
        Field("Hoàn cảnh gia đình, người đang chăm sóc trẻ em", blank_lines=2),
        Heading("V. CÁC BIỆN PHÁP ĐÃ THỰC HIỆN"),
        Field("Biện pháp đã thực hiện", blank_lines=2),
        Heading("VI. NGƯỜI THÔNG BÁO, TỐ GIÁC"),
        Field("Họ và tên"),
        Field("Số điện thoại, địa chỉ"),
    ]
    return OfficialDocument(
        **_base(case.commune, "01", issued_on=None),
        body=body,
        signatures=(Signature("Người tiếp nhận", hint=SIGN_HINT),),
    )


def _general(case: Case, assessment: Assessment | None) -> list[Block]:
    first = case.reports.order_by("received_at", "id").first()
    return [
        Heading("I. THÔNG TIN CHUNG"),
        Field("Mã hồ sơ vụ việc", case.number),
        Field("Thời điểm nhận thông báo", _moment(first.received_at) if first else ""),
        Field("Thời điểm đánh giá", _moment(assessment.assessed_at) if assessment else ""),
        Field("Người đánh giá", _person(assessment.assessed_by) if assessment else ""),
    ]


def _assessor(assessment: Assessment | None) -> Signature:
    return Signature(
        "Người đánh giá", name=_person(assessment.assessed_by) if assessment else "", hint=SIGN_HINT
    )


def form_02(case: Case, assessment: Assessment | None) -> OfficialDocument:
    """Mẫu 02: the initial assessment of risk and harm (within 12 hours of the report)."""
    a = assessment
    deadline = case.deadlines.filter(kind="initial_assessment").order_by("due_at").first()
    body = [
        *_general(case, a),
        Field("Hạn đánh giá ban đầu (12 giờ)", _moment(deadline.due_at) if deadline else ""),
        Heading("II. THÔNG TIN VỀ TRẺ EM"),
        *_child_fields(case.child),
        Heading("III. KẾT QUẢ ĐÁNH GIÁ BAN ĐẦU"),
        Field("Hành vi xâm hại hoặc nguy cơ", _harms(case) if a else ""),
        Field("Nhận định về nguy cơ, mức độ tổn hại", a.findings if a else "", blank_lines=4),
        Field("Tình trạng sức khỏe, thương tích", a.medical_findings if a else "", blank_lines=2),
        Field("Trẻ em cần được bảo vệ khẩn cấp (Điều 31, 32)", _yes_no(case.emergency if a else None)),
        Field("Biện pháp khẩn cấp đã áp dụng", a.emergency_measures if a else "", blank_lines=3),
        Heading("IV. ĐỀ XUẤT"),
        Field("Cấp độ bảo vệ", case.get_protection_level_display() if a else ""),
    ]
    return OfficialDocument(
        **_base(case.commune, "02", issued_on=_day(a.assessed_at) if a else None),
        body=body,
        signatures=(_assessor(a),),
    )


def form_03(case: Case, assessment: Assessment | None) -> OfficialDocument:
    """Mẫu 03: the specific assessment of the child and family, with the case meeting's minutes."""
    a = assessment
    body = [
        *_general(case, a),
        Heading("II. THÔNG TIN VỀ TRẺ EM"),
        *_child_fields(case.child),
        Heading("III. GIA ĐÌNH VÀ NGƯỜI CHĂM SÓC"),
        _caregivers_table(case.child),
        Heading("IV. KẾT QUẢ ĐÁNH GIÁ CỤ THỂ"),
        Field("Hành vi xâm hại hoặc nguy cơ", _harms(case) if a else ""),
        Field("Tình trạng của trẻ em, gia đình và khả năng bảo vệ", a.findings if a else "", blank_lines=4),
        Field("Tình trạng sức khỏe, thương tích", a.medical_findings if a else "", blank_lines=2),
        Paragraph("Đánh giá nguy cơ:", indent=True),
        _risk_table(a),
        Heading("V. BIÊN BẢN HỌP TRƯỜNG HỢP"),
        Field("Nội dung, ý kiến và kết luận của cuộc họp", a.meeting_minutes if a else "", blank_lines=4),
        Heading("VI. ĐỀ XUẤT"),
        Field("Cấp độ bảo vệ", case.get_protection_level_display() if a else ""),
    ]
    return OfficialDocument(
        **_base(case.commune, "03", issued_on=_day(a.assessed_at) if a else None),
        body=body,
        signatures=(_assessor(a),),
    )


def _plan_actions(plan: Plan | None) -> Table:
    items = _lines(plan.actions) if plan else []
    rows = [(str(i), item) for i, item in enumerate(items, start=1)] or [(str(i), "") for i in range(1, 6)]
    return Table(
        columns=("STT", "Hoạt động, dịch vụ hỗ trợ, can thiệp, chuyển gửi và người, cơ quan thực hiện"),
        rows=rows,
        widths=(12, 153),
        align=("center", "left"),
    )


def form_04(case: Case, plan: Plan | None) -> OfficialDocument:
    """Mẫu 04: the support or intervention plan."""
    p = plan
    status = p.get_status_display() if p else ""
    body: list[Block] = [
        Heading("I. THÔNG TIN CHUNG"),
        Field("Mã hồ sơ vụ việc", case.number),
        Field("Họ và tên trẻ em", case.child.full_name),
        Field("Ngày, tháng, năm sinh", _birth(case.child)),
        Field("Nơi cư trú", _residence(case.child)),
        Field("Hành vi xâm hại hoặc nguy cơ", _harms(case)),
        Field("Cấp độ bảo vệ", case.get_protection_level_display()),
        Field("Kế hoạch", f"lần {p.version} ({status})" if p else ""),
        Heading("II. MỤC TIÊU"),
        Field("Mục tiêu hỗ trợ, can thiệp", p.goals if p else "", blank_lines=3),
        Heading("III. CÁC HOẠT ĐỘNG HỖ TRỢ, CAN THIỆP"),
        _plan_actions(p),
        Heading("IV. THỜI GIAN RÀ SOÁT, ĐÁNH GIÁ"),
        Field("Rà soát, đánh giá trước ngày", _date(p.review_on) if p else ""),
    ]
    approved = p is not None and p.status == "approved"
    if p and p.decision_comments:
        body.append(Field("Ý kiến của người phê duyệt", p.decision_comments))
    return OfficialDocument(
        **_base(case.commune, "04", issued_on=_day(p.drafted_at) if p else None),
        draft=not approved,
        body=body,
        signatures=(
            Signature("Người lập kế hoạch", name=_person(p.drafted_by) if p else "", hint=SIGN_HINT),
            Signature(
                "Chủ tịch",
                authority="Phê duyệt",
                name=_person(p.decided_by) if approved else "",
                hint="(Phê duyệt theo Mẫu số 05)",
            ),
        ),
    )


def form_05(case: Case, plan: Plan | None) -> OfficialDocument:
    """Mẫu 05: the commune chairman's decision approving the plan (a draft until approved)."""
    p = plan
    approved = p is not None and p.status == "approved"
    commune = unit_full_name(case.commune)
    child = case.child
    signer = p.decided_by if approved else case.supervisor
    plan_label = f"lần {p.version}, lập ngày {_date(p.drafted_at)}" if p else "........"
    body: list[Block] = [
        Paragraph(f"CHỦ TỊCH ỦY BAN NHÂN DÂN {commune.upper()}", align="center", indent=False, bold=True),
        Paragraph(
            "Căn cứ Luật Tổ chức chính quyền địa phương; Luật Trẻ em ngày 05 tháng 4 năm 2016;",
            italic=True,
        ),
        Paragraph(
            "Căn cứ Nghị định số 56/2017/NĐ-CP ngày 09 tháng 5 năm 2017 của Chính phủ quy định chi tiết"
            " một số điều của Luật Trẻ em;",
            italic=True,
        ),
        Paragraph(
            "Xét đề nghị của người làm công tác bảo vệ trẻ em cấp xã và kết quả đánh giá nguy cơ của trẻ em,",
            italic=True,
        ),
        Paragraph("QUYẾT ĐỊNH:", align="center", indent=False, bold=True),
        Paragraph(
            (
                Text("Điều 1. ", bold=True),
                Text(
                    f"Phê duyệt Kế hoạch hỗ trợ, can thiệp ({plan_label}) đối với trẻ em {child.full_name},"
                    f" sinh {_birth(child) or '........'}, cư trú tại {_residence(child)}"
                    f" (hồ sơ vụ việc số {case.number}), kèm theo Quyết định này."
                ),
            )
        ),
        Paragraph(
            (
                Text("Điều 2. ", bold=True),
                Text(
                    "Người làm công tác bảo vệ trẻ em cấp xã chủ trì, phối hợp với các cơ quan, tổ chức,"
                    " cá nhân có liên quan tổ chức thực hiện Kế hoạch; rà soát, đánh giá kết quả thực hiện"
                    f" trước ngày {_date(p.review_on) if p else '........'}."
                ),
            )
        ),
    ]
    if approved and p.decision_comments:
        body.append(Paragraph(f"Yêu cầu khi thực hiện: {p.decision_comments}"))
    body.append(
        Paragraph(
            (
                Text("Điều 3. ", bold=True),
                Text(
                    "Quyết định này có hiệu lực kể từ ngày ký. Văn phòng Ủy ban nhân dân, người làm công"
                    " tác bảo vệ trẻ em, các cơ quan, tổ chức, cá nhân có liên quan chịu trách nhiệm thi"
                    " hành Quyết định này."
                ),
            )
        )
    )
    return OfficialDocument(
        **_base(case.commune, "05", issued_on=_day(p.decided_at) if approved else None),
        symbol="QĐ-UBND",
        draft=not approved,
        body=body,
        recipients=("Như Điều 3", "Lưu: VT, hồ sơ vụ việc"),
        signatures=(Signature("Chủ tịch", name=_person(signer)),),
    )


def form_06(case: Case, assessment: Assessment | None) -> OfficialDocument:
    """Mẫu 06: the review of the plan's results, risk rated per factor, and the proposal."""
    a = assessment
    plans = case.plans.filter(status="approved")
    if a is not None:
        plans = plans.filter(decided_at__lte=a.assessed_at)
    plan = plans.order_by("-version").first()
    closing = case.status == "closed" or case.closure_requested_at is not None
    replanned = a is not None and not closing and case.plans.filter(drafted_at__gt=a.assessed_at).exists()
    plan_text = ""
    if plan is not None:
        plan_text = (
            f"lần {plan.version}, phê duyệt ngày {_date(plan.decided_at)},"
            f" rà soát trước ngày {_date(plan.review_on)}"
        )
    body = [
        *_general(case, a),
        Field("Họ và tên trẻ em", case.child.full_name),
        Field("Kế hoạch được rà soát", plan_text),
        Heading("II. KẾT QUẢ THỰC HIỆN KẾ HOẠCH"),
        Field("Tình trạng hiện tại của trẻ em và gia đình", a.findings if a else "", blank_lines=4),
        Heading("III. ĐÁNH GIÁ NGUY CƠ"),
        _risk_table(a),
        Heading("IV. KẾT LUẬN VÀ ĐỀ XUẤT"),
        Paragraph(
            _choices([("Đóng hồ sơ: trẻ em không còn nguy cơ, đã ổn định", a is not None and closing)])
        ),
        Paragraph(_choices([("Tiếp tục hỗ trợ, can thiệp: xây dựng lại kế hoạch", replanned)])),
    ]
    return OfficialDocument(
        **_base(case.commune, "06", issued_on=_day(a.assessed_at) if a else None),
        body=body,
        signatures=(
            _assessor(a),
            Signature("Chủ tịch", authority="Ý kiến của", hint=SIGN_HINT),
        ),
    )


# --- the registry the views use ---------------------------------------------------------------


@dataclass(frozen=True)
class CaseForm:
    """One of the six forms: what it is built from and how."""

    code: str
    label: str  # for the page (translated)
    build: Callable[[Case, Model | None], OfficialDocument]
    model: type[Model]
    assessment_kind: str = ""

    def records(self, case: Case) -> QuerySet:
        """The records of ``case`` this form can be filled from, oldest first."""
        if self.model is Report:
            return case.reports.select_related("unit", "received_by", "child").order_by("received_at", "id")
        if self.model is Assessment:
            return case.assessments.filter(kind=self.assessment_kind).select_related("assessed_by")
        return case.plans.select_related("drafted_by", "decided_by").order_by("version")

    def default(self, case: Case) -> Model | None:
        """The record used when none is chosen: the first report, the latest assessment of the
        kind, the latest plan (for the decision: the latest approved plan, else the latest)."""
        records = self.records(case)
        if self.model is Report:
            return records.first()
        if self.code == "05":
            return records.filter(status="approved").last() or records.last()
        return records.last()

    def document(self, case: Case, record: Model | None) -> OfficialDocument:
        with override("vi"):  # choice labels in Vietnamese, whatever the user's language
            return self.build(case, record)

    def filename(self, case: Case, record: Model | None) -> str:
        """The file's name, e.g. "Mau-04-2026-000123-v2.docx": the case's number, never the child's name."""
        if isinstance(record, Report):
            suffix = f"-{record.tracking_code}"
        elif isinstance(record, Plan):
            suffix = f"-v{record.version}"
        elif isinstance(record, Assessment):
            suffix = f"-{timezone.localtime(record.assessed_at):%Y%m%d}"
        else:
            suffix = "-trong"  # blank form
        return f"Mau-{self.code}-{case.number}{suffix}.docx"


FORMS: dict[str, CaseForm] = {
    form.code: form
    for form in (
        CaseForm("01", _("Report received (Mẫu 01)"), form_01, Report),
        CaseForm("02", _("Initial assessment (Mẫu 02)"), form_02, Assessment, "initial"),
        CaseForm("03", _("Specific assessment and case meeting (Mẫu 03)"), form_03, Assessment, "specific"),
        CaseForm("04", _("Support or intervention plan (Mẫu 04)"), form_04, Plan),
        CaseForm("05", _("Decision approving the plan (Mẫu 05)"), form_05, Plan),
        CaseForm("06", _("Review of the plan (Mẫu 06)"), form_06, Assessment, "review"),
    )
}

"""Reference data of the case process, loaded by migration and kept as data.

Steps and the transitions between them, kinds of harm and the risk factors of Mẫu 06 live in the
database so that a later decree (or a province's practice) can change them without a code change;
this module only seeds them. Names are the legal Vietnamese terms.
"""

# (code, name, order, form, is_final) — Decree 56/2017/NĐ-CP Art. 26–30.
STEPS = [
    ("received", "Tiếp nhận thông báo, tố giác", 10, "01", False),
    ("verified", "Kiểm tra, xác minh thông tin", 20, "", False),
    ("initial_assessment", "Đánh giá ban đầu", 30, "02", False),
    ("specific_assessment", "Đánh giá cụ thể, họp trường hợp", 40, "03", False),
    ("plan_drafted", "Xây dựng kế hoạch hỗ trợ, can thiệp", 50, "04", False),
    ("plan_approved", "Phê duyệt kế hoạch", 60, "05", False),
    ("plan_in_progress", "Thực hiện kế hoạch", 70, "", False),
    ("review", "Rà soát, đánh giá", 80, "06", False),
    ("closed", "Đóng hồ sơ", 90, "", True),
]

# (from, to, how): "service" transitions are made by their own service (case_verify,
# assessment_record, plan_draft, plan_approve, case_close); "advance" ones by case_step_advance.
TRANSITIONS = [
    ("received", "verified", "service"),
    ("verified", "initial_assessment", "service"),
    ("initial_assessment", "specific_assessment", "service"),
    ("initial_assessment", "closed", "service"),  # no harm and no risk found
    ("specific_assessment", "plan_drafted", "service"),
    ("plan_drafted", "plan_approved", "service"),
    ("plan_approved", "plan_in_progress", "advance"),
    ("plan_in_progress", "review", "service"),
    ("review", "plan_drafted", "service"),  # still at risk: plan again
    ("review", "closed", "service"),
]

# (code, name, parent code) — Law on Children 2016 Art. 4 and Art. 6; sexual abuse has five acts.
HARM_KINDS = [
    ("violence", "Bạo lực trẻ em", None),
    ("sexual_abuse", "Xâm hại tình dục trẻ em", None),
    ("rape", "Hiếp dâm", "sexual_abuse"),
    ("forced_sex", "Cưỡng dâm", "sexual_abuse"),
    ("intercourse", "Giao cấu", "sexual_abuse"),
    ("indecency", "Dâm ô", "sexual_abuse"),
    ("prostitution_pornography", "Sử dụng trẻ em vào mục đích mại dâm, khiêu dâm", "sexual_abuse"),
    ("exploitation", "Bóc lột trẻ em", None),
    ("neglect", "Bỏ mặc, sao nhãng trẻ em", None),
    ("abandonment", "Bỏ rơi trẻ em", None),
    ("trafficking", "Mua bán trẻ em", None),
    ("child_labour", "Lao động trẻ em", None),
    ("online", "Xâm hại trẻ em trên môi trường mạng", None),
    ("other", "Hành vi gây tổn hại khác", None),
]

# Mẫu 06: each factor rated Cao / Trung bình / Thấp.
RISK_FACTORS = [
    ("harm_severity", "Mức độ nghiêm trọng của tổn hại còn lại"),
    ("abuser_access", "Khả năng người xâm hại tiếp cận trẻ em"),
    ("care_environment", "Trở ngại về an toàn trong môi trường chăm sóc"),
    ("child_capacity", "Khả năng tự bảo vệ và phục hồi của trẻ em"),
]


def ensure_loaded(step_model, transition_model, harm_model, factor_model) -> None:
    """Create or refresh the reference rows (used by the migration, and by tests after a flush)."""
    steps = {}
    for code, name, order, form, is_final in STEPS:
        steps[code], _created = step_model.objects.update_or_create(
            code=code, defaults={"name": name, "order": order, "form": form, "is_final": is_final}
        )
    for source, target, how in TRANSITIONS:
        transition_model.objects.update_or_create(
            source=steps[source], target=steps[target], defaults={"how": how}
        )
    harms = {}
    for order, (code, name, parent) in enumerate(HARM_KINDS, start=1):
        harms[code], _created = harm_model.objects.update_or_create(
            code=code, defaults={"name": name, "parent": harms.get(parent), "sort_order": order}
        )
    for order, (code, name) in enumerate(RISK_FACTORS, start=1):
        factor_model.objects.update_or_create(code=code, defaults={"name": name, "sort_order": order})

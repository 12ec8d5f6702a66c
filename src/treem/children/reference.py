"""Reference lists loaded by migration: ethnic groups and special-circumstance groups.

Kept as data in the database (with validity dates for the groups), so that a later decree can
change them without a code change; this module only seeds them.
"""

# Danh mục các dân tộc Việt Nam (General Statistics Office codes 01–54).
ETHNIC_GROUPS = [
    ("01", "Kinh"), ("02", "Tày"), ("03", "Thái"), ("04", "Hoa"), ("05", "Khơ-me"), ("06", "Mường"),
    ("07", "Nùng"), ("08", "Hmông"), ("09", "Dao"), ("10", "Gia-rai"), ("11", "Ngái"), ("12", "Ê-đê"),
    ("13", "Ba-na"), ("14", "Xơ-đăng"), ("15", "Sán Chay"), ("16", "Cơ-ho"), ("17", "Chăm"),
    ("18", "Sán Dìu"), ("19", "Hrê"), ("20", "Mnông"), ("21", "Ra-glai"), ("22", "Xtiêng"),
    ("23", "Bru-Vân Kiều"), ("24", "Thổ"), ("25", "Giáy"), ("26", "Cơ-tu"), ("27", "Gié-Triêng"),
    ("28", "Mạ"), ("29", "Khơ-mú"), ("30", "Co"), ("31", "Ta-ôi"), ("32", "Chơ-ro"), ("33", "Kháng"),
    ("34", "Xinh-mun"), ("35", "Hà Nhì"), ("36", "Chu-ru"), ("37", "Lào"), ("38", "La Chí"),
    ("39", "La Ha"), ("40", "Phù Lá"), ("41", "La Hủ"), ("42", "Lự"), ("43", "Lô Lô"), ("44", "Chứt"),
    ("45", "Mảng"), ("46", "Pà Thẻn"), ("47", "Cơ Lao"), ("48", "Cống"), ("49", "Bố Y"), ("50", "Si La"),
    ("51", "Pu Péo"), ("52", "Brâu"), ("53", "Ơ Đu"), ("54", "Rơ-măm"),
]  # fmt: skip

LAW = "Luật Trẻ em 2016, Điều 10"

# Law on Children 102/2016/QH13, Article 10: the 14 groups a–o (no letters f, j).
CIRCUMSTANCE_GROUPS = [
    ("a", "Trẻ em mồ côi cả cha và mẹ"),
    ("b", "Trẻ em bị bỏ rơi"),
    ("c", "Trẻ em không nơi nương tựa"),
    ("d", "Trẻ em khuyết tật"),
    ("đ", "Trẻ em nhiễm HIV/AIDS"),
    ("e", "Trẻ em vi phạm pháp luật"),
    ("g", "Trẻ em nghiện ma túy"),
    ("h", "Trẻ em phải bỏ học kiếm sống chưa hoàn thành phổ cập giáo dục trung học cơ sở"),
    ("i", "Trẻ em bị tổn hại nghiêm trọng về thể chất và tinh thần do bị bạo lực"),
    ("k", "Trẻ em bị bóc lột"),
    ("l", "Trẻ em bị xâm hại tình dục"),
    ("m", "Trẻ em bị mua bán"),
    ("n", "Trẻ em mắc bệnh hiểm nghèo hoặc bệnh phải điều trị dài ngày thuộc hộ nghèo hoặc hộ cận nghèo"),
    ("o", "Trẻ em di cư, trẻ em lánh nạn, tị nạn chưa xác định được cha mẹ hoặc không có người chăm sóc"),
]

AT_RISK = ("nguy-co", "Trẻ em có nguy cơ rơi vào hoàn cảnh đặc biệt", "Luật Trẻ em 2016, Điều 47–49")


def ensure_loaded(ethnicity_model, group_model) -> None:
    """Create or refresh the reference rows (used by the migration, and by the demo after a flush)."""
    for code, name in ETHNIC_GROUPS:
        ethnicity_model.objects.update_or_create(code=code, defaults={"name": name})
    for order, (code, name) in enumerate(CIRCUMSTANCE_GROUPS, start=1):
        group_model.objects.update_or_create(
            code=code, defaults={"name": name, "legal_basis": LAW, "sort_order": order}
        )
    code, name, basis = AT_RISK
    group_model.objects.update_or_create(
        code=code,
        defaults={"name": name, "legal_basis": basis, "sort_order": 100, "is_special_circumstance": False},
    )

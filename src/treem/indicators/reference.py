"""The indicator catalogue loaded as data: the Programme of Action for Children 2021–2030
(QĐ 23/QĐ-TTg), the child statistics of Thông tư 13/2021/TT-BLĐTBXH, the 13 criteria of a
child-friendly commune (QĐ 06/QĐ-TTg, 03/01/2019), and the subjects of the province's plan that
the national programmes define (nutrition, child labour, drowning, justice for children), each
with its legal basis in ``source``.

National targets (``national_target_2025/2030``) are written only where the legal text's figure is
known for certain; elsewhere they are left empty rather than guessed, and the province's own
targets (``Target``, approved in treem) say what the province aims at.

``load_catalogue`` writes it idempotently (a second run changes nothing); it runs after every
migrate and flush (post_migrate) and from ``treem load_indicators``.
"""

from __future__ import annotations

from decimal import Decimal

from django.db import transaction

from treem.indicators import formula
from treem.indicators.choices import IndicatorKind as K
from treem.indicators.choices import Programme as P

SEX_AGE_ETH_AREA = ["sex", "age_group", "ethnicity", "area"]
CHILD_DB = "Cơ sở dữ liệu trẻ em (treem)"
CASES = "Hồ sơ bảo vệ trẻ em (treem)"
LABOUR = "Sở Y tế (lĩnh vực trẻ em)"
HEALTH = "Sở Y tế"
EDUCATION = "Sở Giáo dục và Đào tạo"
JUSTICE = "Sở Tư pháp"
CULTURE = "Sở Văn hóa, Thể thao và Du lịch"
HOME_AFFAIRS = "Sở Nội vụ"  # labour and employment since the 2025 reorganisation of ministries
POLICE = "Công an tỉnh"

# Legal bases named in ``source`` (with where the figures come from).
PAC = "QĐ 23/QĐ-TTg 2021 (Chương trình hành động quốc gia vì trẻ em 2021–2030)"
NUTRITION = "QĐ 02/QĐ-TTg 2022 (Chiến lược quốc gia về dinh dưỡng 2021–2030)"
CHILD_LABOUR = "QĐ 782/QĐ-TTg 2021 (Chương trình phòng ngừa, giảm thiểu lao động trẻ em 2021–2025)"
INJURY = "QĐ 1248/QĐ-TTg 2021 (Chương trình phòng, chống tai nạn, thương tích trẻ em 2021–2030)"
JUVENILE_JUSTICE = "Luật Tư pháp người chưa thành niên 2024"
LEGAL_AID = "Luật Trợ giúp pháp lý 2017 (trẻ em là người được trợ giúp pháp lý)"


def _pct(
    code,
    name,
    num_label,
    den_label,
    *,
    t25="",
    t30="",
    agency="",
    source="",
    higher=True,
    num="",
    den="",
    breakdowns=None,
    definition="",
):
    return {
        "code": code,
        "name": name,
        "kind": K.PERCENTAGE,
        "unit_of_measure": "%",
        "multiplier": 100,
        "numerator_label": num_label,
        "denominator_label": den_label,
        "numerator_formula": num,
        "denominator_formula": den,
        "national_target_2025": t25,
        "national_target_2030": t30,
        "responsible_agency": agency,
        "source": source,
        "higher_is_better": higher,
        "breakdowns": breakdowns if breakdowns is not None else SEX_AGE_ETH_AREA,
        "expected_min": Decimal(0),
        "expected_max": Decimal(100),
        "definition": definition,
    }


def _count(
    code,
    name,
    unit="trẻ em",
    *,
    agency="",
    source="",
    higher=True,
    num="",
    breakdowns=None,
    definition="",
    expected_max=None,
):
    return {
        "code": code,
        "name": name,
        "kind": K.COUNT,
        "unit_of_measure": unit,
        "multiplier": 1,
        "numerator_label": name,
        "denominator_label": "",
        "numerator_formula": num,
        "denominator_formula": "",
        "responsible_agency": agency,
        "source": source,
        "higher_is_better": higher,
        "breakdowns": breakdowns if breakdowns is not None else SEX_AGE_ETH_AREA,
        "expected_min": Decimal(0),
        "expected_max": expected_max,
        "definition": definition,
        "national_target_2025": "",
        "national_target_2030": "",
    }


def _rate(
    code,
    name,
    per,
    unit,
    num_label,
    den_label,
    *,
    t25="",
    t30="",
    agency="",
    source="",
    higher=False,
    expected_max=None,
    breakdowns=None,
):
    return {
        "code": code,
        "name": name,
        "kind": K.RATE,
        "unit_of_measure": unit,
        "multiplier": per,
        "numerator_label": num_label,
        "denominator_label": den_label,
        "numerator_formula": "",
        "denominator_formula": "",
        "national_target_2025": t25,
        "national_target_2030": t30,
        "responsible_agency": agency,
        "source": source,
        "higher_is_better": higher,
        "breakdowns": breakdowns if breakdowns is not None else ["sex", "age_group", "area"],
        "expected_min": Decimal(0),
        "expected_max": expected_max,
        "definition": "",
    }


PROGRAMME_2030 = [
    _pct(
        "PAC_BIRTH_REG",
        "Tỷ lệ trẻ em dưới 5 tuổi được đăng ký khai sinh",
        "Trẻ dưới 5 tuổi đã đăng ký khai sinh",
        "Trẻ dưới 5 tuổi",
        t25="98,5%",
        t30="100%",
        agency=JUSTICE,
        source=CHILD_DB,
        num="under5_birth_registered",
        den="children_under5",
    ),
    _pct(
        "PAC_CFC",
        "Tỷ lệ xã, phường đạt tiêu chuẩn phù hợp với trẻ em",
        "Xã, phường đạt tiêu chuẩn",
        "Tổng số xã, phường",
        t25="65%",
        t30="75%",
        agency=LABOUR,
        source="Báo cáo của UBND cấp xã",
        breakdowns=["area"],
        definition=(
            "Mỗi xã nhập tử số 1 nếu đạt chuẩn (0 nếu không) và mẫu số 1; tổng của tỉnh là tỷ lệ xã đạt."
        ),
    ),
    _rate(
        "PAC_INJURY",
        "Tỷ suất trẻ em bị tai nạn, thương tích",
        100000,
        "/100.000 trẻ em",
        "Trẻ em bị tai nạn, thương tích",
        "Tổng số trẻ em",
        t25="550",
        t30="500",
        agency=HEALTH,
        source="Báo cáo ngành y tế",
        expected_max=Decimal(5000),
    ),
    _rate(
        "PAC_INJURY_DEATH",
        "Tỷ suất trẻ em tử vong do tai nạn, thương tích",
        100000,
        "/100.000 trẻ em",
        "Trẻ em tử vong do tai nạn, thương tích",
        "Tổng số trẻ em",
        t25="16",
        t30="15",
        agency=HEALTH,
        source="Báo cáo ngành y tế",
        expected_max=Decimal(200),
    ),
    _pct(
        "PAC_ABUSE_SHARE",
        "Tỷ lệ trẻ em bị xâm hại trên tổng số trẻ em",
        "Trẻ em bị xâm hại",
        "Tổng số trẻ em",
        t25="< 4,5%",
        t30="< 4%",
        agency=LABOUR,
        source=CASES,
        higher=False,
        num="abused_children",
        den="child_population",
    ),
    _pct(
        "PAC_IMMUNISED",
        "Tỷ lệ trẻ em dưới 1 tuổi được tiêm chủng đầy đủ 8 loại vắc xin",
        "Trẻ dưới 1 tuổi tiêm đủ 8 loại vắc xin",
        "Trẻ dưới 1 tuổi",
        t25="97%",
        t30="98%",
        agency=HEALTH,
        source="Hệ thống tiêm chủng quốc gia",
    ),
    _pct(
        "PAC_KINDERGARTEN5",
        "Tỷ lệ trẻ em 5 tuổi đi học mẫu giáo",
        "Trẻ 5 tuổi đi học mẫu giáo",
        "Trẻ 5 tuổi",
        t25="99,1%",
        t30="99,3%",
        agency=EDUCATION,
        source="Thống kê giáo dục",
    ),
    _pct(
        "PAC_PRIMARY",
        "Tỷ lệ trẻ em hoàn thành cấp tiểu học",
        "Trẻ hoàn thành tiểu học",
        "Trẻ trong độ tuổi hoàn thành tiểu học",
        t25="97%",
        t30="99%",
        agency=EDUCATION,
        source="Thống kê giáo dục",
    ),
    _pct(
        "PAC_PLAY_SPACES",
        "Tỷ lệ xã, phường có điểm vui chơi, văn hóa, thể thao cho trẻ em",
        "Xã, phường có điểm vui chơi",
        "Tổng số xã, phường",
        t25="40%",
        t30="45%",
        agency=CULTURE,
        source="Báo cáo của UBND cấp xã",
        breakdowns=["area"],
    ),
    _pct(
        "PAC_ECD",
        "Tỷ lệ trẻ em đến 8 tuổi được tiếp cận dịch vụ phát triển toàn diện trẻ thơ",
        "Trẻ đến 8 tuổi được tiếp cận dịch vụ",
        "Trẻ đến 8 tuổi",
        t25="90%",
        t30="95%",
        agency=EDUCATION,
        source="Báo cáo liên ngành",
    ),
    _count(
        "PAC_DROWNING",
        "Số trẻ em tử vong do đuối nước",
        agency=HEALTH,
        source=f"{INJURY}; số liệu: báo cáo ngành y tế",
        higher=False,
        definition="Chương trình phòng, chống tai nạn, thương tích trẻ em (QĐ 1248/QĐ-TTg): giảm 10% "
        "đến năm 2025 và 20% đến năm 2030 so với năm 2020. Mốc so sánh là số trẻ em tử vong do đuối "
        "nước của chính tỉnh năm 2020, nhập cùng chỉ tiêu của tỉnh (giá trị gốc, năm gốc 2020) và được "
        "duyệt như chỉ tiêu; danh mục không ghi số toàn quốc làm mốc.",
    ),
    _pct(
        "PAC_STUNTING",
        "Tỷ lệ suy dinh dưỡng thể thấp còi ở trẻ em dưới 5 tuổi",
        "Trẻ dưới 5 tuổi có chiều cao theo tuổi dưới -2SD",
        "Trẻ dưới 5 tuổi được cân, đo",
        agency=HEALTH,
        source=f"{NUTRITION}; {PAC}; số liệu: điều tra giám sát dinh dưỡng của ngành y tế",
        higher=False,
        definition="Chiều cao theo tuổi thấp hơn -2 độ lệch chuẩn theo chuẩn tăng trưởng của WHO.",
    ),
    _pct(
        "PAC_UNDERWEIGHT",
        "Tỷ lệ suy dinh dưỡng thể nhẹ cân ở trẻ em dưới 5 tuổi",
        "Trẻ dưới 5 tuổi có cân nặng theo tuổi dưới -2SD",
        "Trẻ dưới 5 tuổi được cân, đo",
        agency=HEALTH,
        source=f"{NUTRITION}; {PAC}; số liệu: điều tra giám sát dinh dưỡng của ngành y tế",
        higher=False,
        definition="Cân nặng theo tuổi thấp hơn -2 độ lệch chuẩn theo chuẩn tăng trưởng của WHO.",
    ),
    _count(
        "PAC_CHILD_LABOUR",
        "Số trẻ em lao động trái quy định của pháp luật",
        agency=HOME_AFFAIRS,
        source=f"{CHILD_LABOUR}; số liệu: rà soát của UBND cấp xã",
        higher=False,
        definition="Trẻ em làm việc trái quy định của Bộ luật Lao động 2019 về người chưa thành niên "
        "(tuổi, công việc, thời giờ làm việc).",
    ),
    _count(
        "PAC_SWIMMING",
        "Số trẻ em được dạy bơi, kỹ năng an toàn trong môi trường nước",
        agency=EDUCATION,
        source=f"{INJURY}; số liệu: báo cáo ngành giáo dục và văn hóa, thể thao",
        definition="Trẻ em hoàn thành một lớp dạy bơi an toàn hoặc kỹ năng an toàn phòng, chống đuối nước "
        "trong năm.",
    ),
    _count(
        "PAC_CONFLICT_LAW",
        "Số trẻ em vi phạm pháp luật",
        agency=POLICE,
        source=f"{JUVENILE_JUSTICE}; QĐ 06/QĐ-TTg 2019 (tiêu chí 4); số liệu: Công an tỉnh",
        higher=False,
        breakdowns=["sex", "age_group"],
        definition="Người dưới 16 tuổi bị phát hiện có hành vi vi phạm pháp luật trong kỳ (trẻ em theo "
        "Luật Trẻ em 2016).",
    ),
    _count(
        "PAC_LEGAL_AID",
        "Số trẻ em được trợ giúp pháp lý",
        agency=JUSTICE,
        source=f"{LEGAL_AID}; số liệu: Trung tâm Trợ giúp pháp lý nhà nước",
        breakdowns=["sex", "age_group"],
        definition="Vụ việc trợ giúp pháp lý có người được trợ giúp là trẻ em, đã thụ lý trong kỳ.",
    ),
]

CIRCULAR_13 = [
    _count(
        "TT13_CHILD_POP", "Số trẻ em (dưới 16 tuổi)", agency=LABOUR, source=CHILD_DB, num="child_population"
    ),
    _rate(
        "TT13_SEX_RATIO",
        "Tỷ số giới tính khi sinh",
        100,
        "bé trai/100 bé gái",
        "Số bé trai sinh ra",
        "Số bé gái sinh ra",
        agency=HEALTH,
        source="Thống kê dân số",
        higher=False,
        expected_max=Decimal(130),
        breakdowns=["area"],
    ),
    _rate(
        "TT13_NEONATAL_MORT",
        "Tỷ suất tử vong trẻ sơ sinh",
        1000,
        "‰",
        "Trẻ tử vong trong 28 ngày đầu",
        "Trẻ sinh sống",
        agency=HEALTH,
        source="Thống kê y tế",
        expected_max=Decimal(50),
    ),
    _rate(
        "TT13_U1_MORT",
        "Tỷ suất tử vong trẻ em dưới 1 tuổi",
        1000,
        "‰",
        "Trẻ dưới 1 tuổi tử vong",
        "Trẻ sinh sống",
        agency=HEALTH,
        source="Thống kê y tế",
        expected_max=Decimal(60),
    ),
    _rate(
        "TT13_U5_MORT",
        "Tỷ suất tử vong trẻ em dưới 5 tuổi",
        1000,
        "‰",
        "Trẻ dưới 5 tuổi tử vong",
        "Trẻ sinh sống",
        agency=HEALTH,
        source="Thống kê y tế",
        expected_max=Decimal(80),
    ),
    _count(
        "TT13_SPECIAL",
        "Số trẻ em có hoàn cảnh đặc biệt",
        agency=LABOUR,
        source=CHILD_DB,
        num="special_circumstance_children",
        higher=False,
    ),
    _pct(
        "TT13_SPECIAL_SHARE",
        "Tỷ lệ trẻ em có hoàn cảnh đặc biệt",
        "Trẻ em có hoàn cảnh đặc biệt",
        "Tổng số trẻ em",
        agency=LABOUR,
        source=CHILD_DB,
        higher=False,
        num="special_circumstance_children",
        den="child_population",
    ),
    _pct(
        "TT13_SPECIAL_ASSISTED",
        "Tỷ lệ trẻ em có hoàn cảnh đặc biệt được trợ giúp",
        "Trẻ em có hoàn cảnh đặc biệt được trợ giúp trong kỳ",
        "Trẻ em có hoàn cảnh đặc biệt",
        agency=LABOUR,
        source=CHILD_DB,
        num="special_circumstance_assisted",
        den="special_circumstance_children",
    ),
    _pct(
        "TT13_CRECHE",
        "Tỷ lệ trẻ em từ 3 đến 36 tháng tuổi đi nhà trẻ",
        "Trẻ 3–36 tháng đi nhà trẻ",
        "Trẻ 3–36 tháng",
        agency=EDUCATION,
        source="Thống kê giáo dục",
    ),
    _pct(
        "TT13_KINDERGARTEN",
        "Tỷ lệ trẻ em từ 3 đến 5 tuổi đi học mẫu giáo",
        "Trẻ 3–5 tuổi đi mẫu giáo",
        "Trẻ 3–5 tuổi",
        agency=EDUCATION,
        source="Thống kê giáo dục",
    ),
    _pct(
        "TT13_VILLAGE_FACILITIES",
        "Tỷ lệ thôn, tổ dân phố có điểm văn hóa, thể thao cho trẻ em",
        "Thôn, tổ dân phố có điểm văn hóa, thể thao",
        "Tổng số thôn, tổ dân phố",
        agency=CULTURE,
        source="Báo cáo của UBND cấp xã",
        breakdowns=["area"],
    ),
    _pct(
        "TT13_CONSULTED",
        "Tỷ lệ trẻ em từ 7 tuổi trở lên được lấy ý kiến về các vấn đề của trẻ em",
        "Trẻ từ 7 tuổi được lấy ý kiến",
        "Trẻ từ 7 tuổi trở lên",
        agency=LABOUR,
        source="Báo cáo của UBND cấp xã",
    ),
    _pct(
        "TT13_0605",
        "Tỷ lệ trẻ em có kỹ năng an toàn trên môi trường mạng (0605)",
        "Trẻ có kỹ năng an toàn trên mạng",
        "Trẻ em được khảo sát",
        agency=EDUCATION,
        source="Khảo sát",
    ),
    _count(
        "TT13_0101",
        "Số trẻ em bị xâm hại (Phụ lục IV, 0101)",
        agency=LABOUR,
        source=CASES,
        higher=False,
        num="abused_children",
        breakdowns=["sex", "age_group", "setting"],
        definition="Trẻ em có hồ sơ bảo vệ mở trong kỳ với ít nhất một hình thức xâm hại, "
        "theo giới tính, nhóm tuổi và môi trường xảy ra.",
    ),
]

# The province's own indicators of its plan (not in a national list of indicators).
PROVINCE = [
    _count(
        "PROV_FRIENDLY_ROOMS",
        "Số phòng điều tra, lấy lời khai thân thiện với trẻ em",
        "phòng",
        agency=POLICE,
        source=f"{JUVENILE_JUSTICE}; kế hoạch của tỉnh; số liệu: Công an tỉnh",
        breakdowns=[],
        definition="Phòng được bố trí để lấy lời khai, hỏi chuyện trẻ em là bị hại, người làm chứng hoặc "
        "vi phạm pháp luật theo cách thân thiện. Số liệu nhập cho xã, phường nơi đặt phòng; số của tỉnh "
        "là tổng.",
    ),
]

CRITERIA = [
    "Nguồn lực cho công tác trẻ em",
    "Đăng ký khai sinh",
    "Trẻ em bị xâm hại",
    "Trẻ em vi phạm pháp luật, sử dụng ma túy",
    "Tai nạn, thương tích trẻ em",
    "Trẻ em có hoàn cảnh đặc biệt được trợ giúp",
    "Tiêm chủng cho trẻ dưới 1 tuổi",
    "Suy dinh dưỡng thể nhẹ cân và thấp còi ở trẻ dưới 5 tuổi",
    "Khám sức khỏe định kỳ",
    "Trẻ em đi học mầm non",
    "Sự tham gia của trẻ em",
    "Vui chơi, văn hóa, thể thao",
    "Sự hài lòng của trẻ em và người dân",
]
CRITERIA_RULES = {
    6: "≥ 95% trẻ em có hoàn cảnh đặc biệt được trợ giúp: 50 điểm; 100% trẻ bị xâm hại tình dục, bị bỏ rơi, "
    "bị mua bán có kế hoạch hỗ trợ được phê duyệt kịp thời: 75 điểm.",
    7: "≥ 98% trẻ dưới 1 tuổi được tiêm chủng đầy đủ: 50 điểm.",
}
STANDARD_RULE = (
    "Xã đạt chuẩn khi mọi tiêu chí đều có điểm trên 0 và tổng điểm ≥ 900 (phường thuộc thành phố trực thuộc "
    "trung ương), ≥ 800 (xã miền núi, hải đảo, đặc biệt khó khăn) hoặc ≥ 850 (xã, phường khác)."
)
CHILD_FRIENDLY = [
    {
        **_count(
            f"CFC_{n:02d}",
            f"Tiêu chí {n}: {name}",
            "điểm",
            agency="UBND cấp xã",
            source="Tự đánh giá của UBND cấp xã (QĐ 06/QĐ-TTg)",
            breakdowns=[],
            definition=(CRITERIA_RULES.get(n, "") + " " + STANDARD_RULE).strip(),
        ),
    }
    for n, name in enumerate(CRITERIA, start=1)
]

CATALOGUE = [
    *[{**row, "programme": P.ACTION_2030} for row in PROGRAMME_2030],
    *[{**row, "programme": P.CIRCULAR_13} for row in CIRCULAR_13],
    *[{**row, "programme": P.CHILD_FRIENDLY} for row in CHILD_FRIENDLY],
    *[{**row, "programme": P.PROVINCE} for row in PROVINCE],
]
for _order, _row in enumerate(CATALOGUE, start=1):
    _row["sort_order"] = _order


def check_catalogue() -> None:
    """Every formula parses and names only data elements or catalogue codes (raises otherwise)."""
    from treem.indicators.computed import DATA_ELEMENTS

    codes = {row["code"] for row in CATALOGUE}
    for row in CATALOGUE:
        for key in ("numerator_formula", "denominator_formula"):
            if row[key]:
                unknown = formula.names(row[key]) - codes - set(DATA_ELEMENTS)
                if unknown:
                    raise ValueError(f"{row['code']}: unknown names {sorted(unknown)}")


@transaction.atomic
def load_catalogue() -> tuple[int, int]:
    """Create or update the catalogue's indicators; returns (created, updated). Idempotent."""
    from treem.indicators.models import Indicator

    check_catalogue()
    existing = {i.code: i for i in Indicator.objects.all()}
    created = updated = 0
    for row in CATALOGUE:
        indicator = existing.get(row["code"])
        if indicator is None:
            Indicator.objects.create(**row)
            created += 1
            continue
        changed = [k for k, v in row.items() if getattr(indicator, k) != v]
        if changed:
            for key in changed:
                setattr(indicator, key, row[key])
            indicator.save(update_fields=changed)
            updated += 1
    return created, updated


def load_after_migrate(sender, **kwargs) -> None:
    """post_migrate: the catalogue after every migrate and flush (the tests' flush empties it)."""
    load_catalogue()

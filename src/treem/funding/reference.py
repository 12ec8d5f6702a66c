"""The five provincial programmes the plan names (Kế hoạch 7947/KH-UBND, section II.4.a), loaded
by migration and after every flush, kept as data so that a new programme needs no code change."""

# (code, name, document, period)
PROGRAMMES = [
    (
        "action-2021-2030",
        "Chương trình hành động vì trẻ em tỉnh Quảng Nam giai đoạn 2021 - 2030",
        "Quyết định 1175/QĐ-UBND ngày 04/5/2021",
        "2021–2030",
    ),
    (
        "injury-prevention",
        "Chương trình phòng, chống tai nạn, thương tích trẻ em giai đoạn 2021 - 2030",
        "Kế hoạch số 7401/KH-UBND ngày 20/10/2021",
        "2021–2030",
    ),
    (
        "abuse-prevention",
        "Kế hoạch thực hiện Nghị quyết 121/2020/QH14 về phòng, chống xâm hại trẻ em",
        "Kế hoạch số 7677/KH-UBND ngày 29/10/2021",
        "2021–",
    ),
    (
        "child-labour",
        "Chương trình phòng ngừa, giảm thiểu trẻ em lao động trái quy định của pháp luật "
        "giai đoạn 2021 - 2025, định hướng đến năm 2030",
        "Kế hoạch số 7085/KH-UBND ngày 07/10/2021",
        "2021–2025 (2030)",
    ),
    (
        "mental-health-orphans",
        "Chương trình chăm sóc sức khoẻ tâm thần trẻ em, chăm sóc trẻ em mồ côi giai đoạn 2024 - 2030",
        "Kế hoạch số 811/KH-UBND ngày 31/01/2024",
        "2024–2030",
    ),
]


def ensure_loaded(programme_model) -> None:
    """Create or refresh the programmes (idempotent)."""
    for order, (code, name, document, period) in enumerate(PROGRAMMES, start=1):
        programme_model.objects.update_or_create(
            code=code, defaults={"name": name, "document": document, "period": period, "sort_order": order}
        )

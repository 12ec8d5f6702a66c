"""Default staffing norms, loaded by migration and kept as data the coordinator edits.

Kế hoạch 7947/KH-UBND (II.5.b) asks each year to review the commune staff working on family and
children under Resolution 12/2023/NQ-HĐND (22/9/2023) of the provincial People's Council, and to
place population, family and children collaborators in every village under Decision
694/QĐ-UBND (16/3/2022) of the provincial People's Committee. The exact figures of those texts are
not in the project's sources (DOMAIN.md marks such facts unconfirmed), so the defaults are the
minimum the plan itself implies — one officer per commune, one collaborator per village — and a
province changes them on the norms page without a code change.
"""

# (code, name, legal basis, position, applies per, minimum)
NORMS = [
    (
        "commune_officer",
        "Cán bộ làm công tác bảo vệ trẻ em cấp xã",
        "Nghị quyết 12/2023/NQ-HĐND ngày 22/9/2023",
        "commune_officer",
        "commune",
        1,
    ),
    (
        "village_collaborator",
        "Cộng tác viên dân số, gia đình, trẻ em ở thôn, tổ dân phố",
        "Quyết định 694/QĐ-UBND ngày 16/3/2022",
        "village_collaborator",
        "village",
        1,
    ),
]


def ensure_loaded(StaffingNorm) -> None:
    """Create the default norms that are missing (never overwrite a province's changes)."""
    for code, name, basis, position, per, minimum in NORMS:
        StaffingNorm.objects.get_or_create(
            code=code,
            defaults={
                "name": name,
                "legal_basis": basis,
                "position": position,
                "per": per,
                "minimum": minimum,
            },
        )

"""The peak dates of communication on children (Kế hoạch 7947/KH-UBND II.2.b; DOMAIN.md §9),
loaded by migration and kept as data. Lunar dates are days of the Vietnamese lunar calendar
(computed for UTC+7, ``campaigns/lunar.py``).

The children's forum (Diễn đàn trẻ em) has no fixed date: it is recorded as a campaign activity.
"Ngày toàn dân đưa trẻ đến trường" is held at the opening of the school year, on 5 September.
"""

# (code, name, calendar, month, day, days it lasts, note)
EVENTS = [
    ("lunar_new_year", "Tết Nguyên đán", "lunar", 1, 1, 3, "Mùng 1 tháng Giêng âm lịch"),
    ("childrens_day", "Ngày Quốc tế thiếu nhi", "solar", 6, 1, 1, "01/6"),
    ("action_month", "Tháng hành động vì trẻ em", "solar", 6, 1, 30, "Cả tháng 6"),
    ("micronutrient_day", "Ngày vi chất dinh dưỡng", "solar", 6, 1, 2, "01–02/6"),
    ("family_day", "Ngày Gia đình Việt Nam", "solar", 6, 28, 1, "28/6"),
    ("back_to_school", "Ngày toàn dân đưa trẻ đến trường", "solar", 9, 5, 1, "Khai giảng năm học, 05/9"),
    ("mid_autumn", "Tết Trung thu", "lunar", 8, 15, 1, "Rằm tháng Tám âm lịch"),
]


def ensure_loaded(RecurringEvent) -> None:
    """Create the events that are missing (never overwrite a province's changes)."""
    for order, (code, name, calendar, month, day, days, note) in enumerate(EVENTS, start=1):
        RecurringEvent.objects.get_or_create(
            code=code,
            defaults={
                "name": name,
                "calendar": calendar,
                "month": month,
                "day": day,
                "duration_days": days,
                "note": note,
                "order": order * 10,
            },
        )

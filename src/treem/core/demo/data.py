"""The demo data set: agencies, people and villages of Thành phố Đà Nẵng (synthetic people).

Units come from the real lists (``treem import_units``); everything here is invented for the
demo, with realistic Vietnamese names. Commune codes are those of the lists after 01/07/2025.
"""

import datetime as dt

REORG = dt.date(2025, 7, 1)
BEFORE = REORG - dt.timedelta(days=1)

NEW_PROVINCE = "48"  # Thành phố Đà Nẵng after 01/07/2025
OLD_QUANG_NAM = "49"

# Communes the demo people work in (after 01/07/2025).
COMMUNE_BAN_THACH = "20335"  # Phường Bàn Thạch (absorbed Phường Tân Thạnh of Tam Kỳ, Quảng Nam)
COMMUNE_HAI_VAN = "20194"  # Phường Hải Vân

# (name, short name, kind) — provincial agencies of the new Đà Nẵng, from 01/07/2025.
PROVINCIAL_AGENCIES = [
    ("Ủy ban nhân dân thành phố Đà Nẵng", "UBND TP", "provincial_pc"),
    ("Sở Y tế thành phố Đà Nẵng", "Sở Y tế", "department"),
    ("Sở Nội vụ thành phố Đà Nẵng", "Sở Nội vụ", "department"),
    ("Sở Giáo dục và Đào tạo thành phố Đà Nẵng", "Sở GD&ĐT", "department"),
    ("Sở Văn hóa, Thể thao và Du lịch thành phố Đà Nẵng", "Sở VHTTDL", "department"),
    ("Sở Tư pháp thành phố Đà Nẵng", "Sở Tư pháp", "department"),
    ("Sở Tài chính thành phố Đà Nẵng", "Sở Tài chính", "department"),
    ("Sở Xây dựng thành phố Đà Nẵng", "Sở Xây dựng", "department"),
    ("Sở Khoa học và Công nghệ thành phố Đà Nẵng", "Sở KH&CN", "department"),
    ("Công an thành phố Đà Nẵng", "Công an TP", "police"),
    ("Viện Kiểm sát nhân dân thành phố Đà Nẵng", "VKSND TP", "procuracy"),
    ("Tòa án nhân dân thành phố Đà Nẵng", "TAND TP", "court"),
    ("Ủy ban Mặt trận Tổ quốc Việt Nam thành phố Đà Nẵng", "UBMTTQ TP", "mass_org"),
    ("Báo và Phát thanh, Truyền hình Đà Nẵng", "Báo và PT-TH ĐN", "media"),
    ("Trung tâm Công tác xã hội thành phố Đà Nẵng", "TT CTXH", "service"),
    ("Tổng đài điện thoại quốc gia bảo vệ trẻ em 111", "Tổng đài 111", "hotline"),
    ("Đường dây nóng bảo vệ trẻ em 18001581", "Đường dây 18001581", "hotline"),
]

# Agencies of the former Quảng Nam that ended on 30/06/2025, and who carries their work on.
FORMER_AGENCIES = [
    (
        "Sở Lao động - Thương binh và Xã hội tỉnh Quảng Nam",
        "Sở LĐTBXH QN",
        "department",
        ["Sở Nội vụ thành phố Đà Nẵng", "Sở Y tế thành phố Đà Nẵng"],
        "Child affairs to Health; labour and social affairs to Home Affairs",
    ),
    (
        "Sở Kế hoạch và Đầu tư tỉnh Quảng Nam",
        "Sở KH&ĐT QN",
        "department",
        ["Sở Tài chính thành phố Đà Nẵng"],
        "",
    ),
    (
        "Sở Giao thông vận tải tỉnh Quảng Nam",
        "Sở GTVT QN",
        "department",
        ["Sở Xây dựng thành phố Đà Nẵng"],
        "",
    ),
    (
        "Sở Thông tin và Truyền thông tỉnh Quảng Nam",
        "Sở TT&TT QN",
        "department",
        ["Sở Khoa học và Công nghệ thành phố Đà Nẵng"],
        "",
    ),
]

# Villages kept by communes. Old communes' villages are carried over by the reorganisation:
# Tân Thạnh (20335) and Tam Thăng (20362) went wholly into Bàn Thạch; Hòa Liên (20296) was
# split, so its villages wait in the placement review queue.
VILLAGES_BEFORE = {
    ("commune", "20335"): ["Khối phố Mỹ Thạch Bắc", "Khối phố Mỹ Thạch Trung", "Khối phố Xuân Quý"],
    ("commune", "20362"): ["Thôn Thạch Tân", "Thôn Vĩnh Bình"],
    ("commune", "20296"): ["Thôn Quan Nam 1", "Thôn Quan Nam 2", "Thôn Trường Định"],
}
VILLAGES_AFTER = {
    COMMUNE_HAI_VAN: ["Tổ dân phố Nam Yên", "Tổ dân phố Tà Lang", "Tổ dân phố Xuân Dương"],
}

# (username, full name, role, unit code or None for all units, agency short name)
PEOPLE = [
    ("quantri", "Nguyễn Minh Quân", "system_admin", None, ""),
    ("dieuphoi", "Trần Thị Thu Hà", "provincial_coordinator", NEW_PROVINCE, "Sở Y tế"),
    ("baocao", "Lê Văn Hùng", "agency_reporter", NEW_PROVINCE, "Sở GD&ĐT"),
    ("canbo.banthach", "Phạm Thị Ngọc Ánh", "commune_officer", COMMUNE_BAN_THACH, ""),
    ("canbo.haivan", "Đặng Quốc Bảo", "commune_officer", COMMUNE_HAI_VAN, ""),
    ("vuviec", "Võ Thị Mỹ Linh", "case_worker", COMMUNE_BAN_THACH, ""),
    ("chutich", "Huỳnh Văn Thành", "case_supervisor", COMMUNE_BAN_THACH, ""),
    ("tongdai", "Bùi Thị Kim Oanh", "hotline_officer", NEW_PROVINCE, "Đường dây 18001581"),
    ("lanhdao", "Ngô Đình Khoa", "viewer", NEW_PROVINCE, ""),
]

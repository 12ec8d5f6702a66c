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

# --- The year of activity (activity*.py): invented texts, in Vietnamese as users would type them.

CIRCUMSTANCE_REASONS = [
    "Rà soát định kỳ của xã",
    "Theo đề nghị của trưởng thôn",
    "Phát hiện qua khám sức khỏe tại trường",
    "Gia đình đề nghị xác nhận",
    "Cộng tác viên thôn phát hiện",
]

# (kind, description, amount in dong or None)
SUPPORTS = [
    ("Trợ cấp xã hội hằng tháng", "Theo Nghị định 20/2021/NĐ-CP", 540_000),
    ("Thẻ bảo hiểm y tế", "Cấp thẻ BHYT miễn phí", None),
    ("Hỗ trợ học phí", "Miễn học phí năm học", 1_200_000),
    ("Quà Tết", "Quà Tết Nguyên đán của UBND phường", 500_000),
    ("Học bổng", "Học bổng vượt khó của Hội Khuyến học", 2_000_000),
    ("Tư vấn tâm lý", "05 buổi tư vấn tại Trung tâm Công tác xã hội", None),
    ("Hỗ trợ dinh dưỡng", "Sữa và thực phẩm bổ sung 3 tháng", 900_000),
]

# What reports say, by kind of harm: (harm kind code, setting, summary, narrative)
CASE_STORIES = [
    (
        "violence",
        "family",
        "Trẻ bị cha đánh nhiều lần",
        "Hàng xóm nghe tiếng la khóc nhiều đêm; trẻ có vết bầm ở tay và lưng.",
    ),
    (
        "violence",
        "family",
        "Trẻ bị mẹ kế đánh đập",
        "Giáo viên chủ nhiệm phát hiện trẻ có vết thương ở mặt, trẻ sợ về nhà.",
    ),
    (
        "violence",
        "school",
        "Trẻ bị bạn cùng lớp đánh hội đồng",
        "Clip trẻ bị đánh lan truyền trên mạng xã hội; trẻ bỏ học ba ngày.",
    ),
    (
        "violence",
        "community",
        "Trẻ bị người lớn trong xóm hành hung",
        "Trẻ bị đánh khi đi học về, phải đưa đến trạm y tế.",
    ),
    (
        "neglect",
        "family",
        "Trẻ thường xuyên bị bỏ đói, ở nhà một mình",
        "Cha mẹ đi làm ăn xa, trẻ ở với ông bà già yếu, thường nghỉ học.",
    ),
    (
        "neglect",
        "family",
        "Trẻ nhỏ bị bỏ mặc, không được chăm sóc",
        "Người mẹ nghiện rượu, trẻ 4 tuổi thường xuyên lang thang ngoài đường.",
    ),
    (
        "indecency",
        "community",
        "Nghi trẻ bị dâm ô",
        "Trẻ kể với cô giáo bị một người đàn ông hàng xóm sờ mó.",
    ),
    (
        "indecency",
        "school",
        "Trẻ bị người quen dâm ô",
        "Phụ huynh trình báo trẻ bị người đưa đón học thêm có hành vi không đúng mực.",
    ),
    (
        "rape",
        "family",
        "Nghi trẻ bị xâm hại tình dục",
        "Trẻ có dấu hiệu bất thường, mẹ đưa đi khám; đã báo công an.",
    ),
    (
        "online",
        "online",
        "Trẻ bị dụ dỗ gửi ảnh nhạy cảm qua mạng",
        "Một tài khoản lạ đe dọa phát tán ảnh nếu trẻ không gửi tiền.",
    ),
    (
        "online",
        "online",
        "Trẻ bị bắt nạt trên mạng xã hội",
        "Bạn bè lập nhóm chế giễu, đăng ảnh của trẻ; trẻ có biểu hiện trầm cảm.",
    ),
    (
        "child_labour",
        "workplace",
        "Trẻ phải làm thuê tại xưởng gỗ",
        "Trẻ 14 tuổi làm việc 10 giờ mỗi ngày, bỏ học từ đầu năm.",
    ),
    (
        "exploitation",
        "workplace",
        "Trẻ bị ép bán vé số đến khuya",
        "Trẻ bán vé số ở chợ đến 23 giờ, có người thu tiền hằng ngày.",
    ),
    (
        "abandonment",
        "community",
        "Phát hiện trẻ sơ sinh bị bỏ rơi",
        "Người dân phát hiện trẻ sơ sinh trước cổng chùa lúc sáng sớm.",
    ),
    (
        "trafficking",
        "community",
        "Nghi trẻ bị dụ dỗ đưa đi nơi khác",
        "Trẻ 15 tuổi được hứa hẹn việc làm lương cao, gia đình mất liên lạc hai ngày.",
    ),
    (
        "other",
        "family",
        "Trẻ bị ép nghỉ học để trông em",
        "Trẻ 12 tuổi phải nghỉ học ở nhà trông hai em nhỏ.",
    ),
]

CASE_CHILD_DESCRIPTIONS = [
    "Bé trai khoảng 8 tuổi, gầy, hay mặc áo đồng phục trường tiểu học",
    "Bé gái khoảng 12 tuổi, tóc dài, học lớp 6",
    "Trẻ khoảng 10 tuổi, thường đi một mình ở chợ",
]

CASE_TEXTS = {
    "verify": "Đã đến nhà xác minh, gặp trẻ và người chăm sóc; thông tin cơ bản đúng như tin báo.",
    "initial": "Trẻ có tổn thương nhẹ, hiện an toàn tạm thời; cần đánh giá cụ thể hoàn cảnh gia đình.",
    "initial_closed": "Xác minh không có dấu hiệu xâm hại; gia đình đã được tư vấn, không cần can thiệp.",
    "emergency": "Tách trẻ tạm thời về ở với bà ngoại trong khi xác minh.",
    "specific": "Gia đình có mâu thuẫn kéo dài; người chăm sóc chính chưa đủ khả năng bảo vệ trẻ.",
    "minutes": (
        "Họp trường hợp gồm Chủ tịch UBND, công an phường, trạm y tế, nhà trường và Hội Phụ nữ; "
        "thống nhất các biện pháp hỗ trợ."
    ),
    "goals": (
        "Trẻ được an toàn, tiếp tục đi học và được hỗ trợ tâm lý; gia đình được tư vấn kỹ năng nuôi dạy con."
    ),
    "actions": (
        "Cán bộ bảo vệ trẻ em thăm gia đình hằng tuần; chuyển tuyến tư vấn tâm lý tại Trung tâm Công tác "
        "xã hội; nhà trường theo dõi việc học."
    ),
    "reject": "Bổ sung người chịu trách nhiệm từng hoạt động và thời gian thực hiện cụ thể.",
    "approve": "Đồng ý. Giao cán bộ bảo vệ trẻ em phường theo dõi, báo cáo định kỳ.",
    "review": "Trẻ ổn định, đi học đều; gia đình hợp tác, không còn hành vi bạo lực.",
    "close_note": "Trẻ không còn nguy cơ, đề nghị đóng hồ sơ và tiếp tục theo dõi qua cộng tác viên thôn.",
    "close": "Đồng ý đóng hồ sơ.",
    "note": "Đã trao đổi với giáo viên chủ nhiệm; trẻ đi học đều trở lại.",
    "transfer": "Gia đình chuyển đến sống cùng ông bà nội tại phường mới.",
    "referral": "Đề nghị hỗ trợ theo kế hoạch đã phê duyệt.",
    "referral_done": "Đã hoàn thành các buổi hỗ trợ.",
}

REFERRALS = [
    ("social_protection", "TT CTXH"),
    ("health", None),
    ("police", "Công an TP"),
    ("school", None),
    ("legal_aid", None),
]

COMPLAINTS = [
    ("complaint", "parent", "Khiếu nại việc chậm giải quyết hồ sơ trợ cấp xã hội cho con"),
    ("complaint", "guardian", "Khiếu nại việc không xét hỗ trợ học phí cho cháu mồ côi"),
    ("denunciation", "other", "Tố cáo cơ sở kinh doanh sử dụng lao động trẻ em"),
    ("denunciation", "organisation", "Tố cáo quán internet cho trẻ em chơi qua đêm"),
    ("petition", "child", "Các em đề nghị có thêm sân chơi an toàn trong khu dân cư"),
    ("petition", "child", "Ý kiến của trẻ em về việc lắp đèn chiếu sáng đường đến trường"),
    ("petition", "child", "Kiến nghị của Hội đồng trẻ em về dạy bơi miễn phí trong hè"),
    ("petition", "parent", "Phụ huynh đề nghị bố trí bảo vệ trước cổng trường giờ tan học"),
]

# (indicator code, the province's target for the year, baseline of the year before, note)
PROVINCE_TARGETS = [
    ("PAC_BIRTH_REG", "99", "98.2", "Nghị quyết HĐND thành phố về phát triển kinh tế - xã hội"),
    ("PAC_CFC", "75", "68", "Kế hoạch 7947/KH-UBND"),
    ("PAC_INJURY", "520", "560", "Chương trình phòng, chống tai nạn, thương tích trẻ em"),
    ("PAC_INJURY_DEATH", "14", "16", "Chương trình phòng, chống tai nạn, thương tích trẻ em"),
    ("PAC_ABUSE_SHARE", "4", "4.3", "Kế hoạch phòng, chống xâm hại trẻ em"),
    ("PAC_IMMUNISED", "98", "96.5", "Chương trình tiêm chủng mở rộng"),
    ("PAC_KINDERGARTEN5", "99.3", "99", ""),
    ("PAC_PRIMARY", "99", "98", ""),
    ("PAC_PLAY_SPACES", "45", "38", ""),
    ("PAC_ECD", "92", "89", ""),
    ("PAC_DROWNING", "10", "14", "Giảm 20% so với năm 2020"),
    ("TT13_SPECIAL_ASSISTED", "98", "95", "Nghị định 20/2021/NĐ-CP"),
]

# (agency short name, programme code, source, title, planned amount in dong)
BUDGET_LINES = [
    (
        "Sở Y tế",
        "action-2021-2030",
        "state_provincial",
        "Kinh phí thực hiện Chương trình hành động vì trẻ em",
        2_400_000_000,
    ),
    (
        "Sở Y tế",
        "abuse-prevention",
        "state_provincial",
        "Phòng, chống xâm hại trẻ em và vận hành đường dây nóng",
        1_150_000_000,
    ),
    (
        "Sở Y tế",
        "mental-health-orphans",
        "state_central",
        "Chăm sóc sức khỏe tâm thần trẻ em, trẻ mồ côi",
        860_000_000,
    ),
    (
        "Sở GD&ĐT",
        "injury-prevention",
        "state_provincial",
        "Dạy bơi an toàn và phòng, chống đuối nước cho học sinh",
        1_300_000_000,
    ),
    ("Sở Nội vụ", "child-labour", "state_provincial", "Phòng ngừa, giảm thiểu lao động trẻ em", 420_000_000),
    (
        "Sở VHTTDL",
        "action-2021-2030",
        "state_provincial",
        "Tháng hành động vì trẻ em và Tết Trung thu",
        650_000_000,
    ),
    (
        "UBND Phường Bàn Thạch",
        "action-2021-2030",
        "state_commune",
        "Công tác trẻ em phường Bàn Thạch",
        180_000_000,
    ),
    (
        "UBND Phường Hải Vân",
        "action-2021-2030",
        "state_commune",
        "Công tác trẻ em phường Hải Vân",
        150_000_000,
    ),
]
SPENDING = [
    "Tổ chức hội nghị triển khai",
    "In ấn tài liệu truyền thông",
    "Hỗ trợ trẻ em có hoàn cảnh đặc biệt",
    "Tập huấn cán bộ cơ sở",
    "Kiểm tra, giám sát tại cơ sở",
]

# (key, kind, name, anonymous)
DONORS = [
    ("bank", "business", "Ngân hàng TMCP Ngoại thương Việt Nam - Chi nhánh Đà Nẵng", False),
    ("company", "business", "Công ty Cổ phần Du lịch Sông Hàn", False),
    ("club", "organisation", "Câu lạc bộ Thiện nguyện Vì trẻ em Đà Nẵng", False),
    ("anonymous", "individual", "Nhà hảo tâm giấu tên", True),
    ("sponsor", "individual", "Trương Văn Phúc", False),
]
# (donor key, days ago, kind, purpose, amount in dong, description)
DONATIONS = [
    ("bank", 330, "cash", "education", 300_000_000, "Học bổng cho học sinh nghèo vượt khó"),
    ("company", 305, "in_kind", "festivals", 85_000_000, "1.700 phần quà Tết cho trẻ em"),
    ("anonymous", 250, "cash", "health", 50_000_000, "Hỗ trợ điều trị cho trẻ mắc bệnh hiểm nghèo"),
    ("club", 190, "cash", "facilities", 120_000_000, "Xây dựng sân chơi cho trẻ em"),
    ("bank", 160, "cash", "general", 200_000_000, "Quỹ Bảo trợ trẻ em thành phố"),
    ("company", 75, "in_kind", "festivals", 60_000_000, "Lồng đèn và bánh Trung thu"),
    ("anonymous", 40, "cash", "education", 30_000_000, "Sách vở, đồ dùng học tập"),
    ("club", 12, "in_kind", "health", 25_000_000, "Sữa và thực phẩm dinh dưỡng"),
]

# (recurring event code, title, agency short name, where, channels, materials)
CAMPAIGNS = [
    (
        "lunar_new_year",
        "Tết vì trẻ em: trao quà cho trẻ em có hoàn cảnh khó khăn",
        "UBMTTQ TP",
        "province",
        ["direct", "press"],
        "Phóng sự, bản tin trên báo",
    ),
    (
        "action_month",
        "Tháng hành động vì trẻ em: Hành động thiết thực vì trẻ em",
        "Sở Y tế",
        "province",
        ["radio_tv", "press", "online", "direct"],
        "Băng rôn, áp phích, phóng sự truyền hình, tọa đàm",
    ),
    (
        "action_month",
        "Tháng hành động vì trẻ em tại phường Bàn Thạch",
        "UBND Phường Bàn Thạch",
        "ban_thach",
        ["direct"],
        "Lễ phát động, tờ rơi về đường dây 111",
    ),
    (
        "action_month",
        "Ngày hội thiếu nhi phường Hải Vân",
        "UBND Phường Hải Vân",
        "hai_van",
        ["direct", "online"],
        "Sân chơi, trò chơi dân gian",
    ),
    (
        "back_to_school",
        "Ngày toàn dân đưa trẻ đến trường",
        "Sở GD&ĐT",
        "province",
        ["press", "online"],
        "Bản tin, bài viết trên cổng thông tin",
    ),
    (
        "mid_autumn",
        "Vui Tết Trung thu - Thắp sáng ước mơ",
        "Sở VHTTDL",
        "province",
        ["direct", "radio_tv"],
        "Đêm hội trăng rằm, rước đèn",
    ),
    (
        "mid_autumn",
        "Trung thu cho em tại phường Bàn Thạch",
        "UBND Phường Bàn Thạch",
        "ban_thach",
        ["direct"],
        "Tặng lồng đèn, bánh Trung thu",
    ),
    (
        "forum",
        "Diễn đàn trẻ em thành phố Đà Nẵng: Trẻ em với an toàn trên môi trường mạng",
        "Sở Y tế",
        "province",
        ["direct", "online"],
        "Kỷ yếu diễn đàn, kiến nghị của trẻ em",
    ),
]

INTERAGENCY_MEMBERS = [
    "Phó Chủ tịch UBND phường, Trưởng nhóm",
    "Trưởng Công an phường",
    "Trạm trưởng Trạm Y tế",
    "Hiệu trưởng Trường Tiểu học",
    "Chủ tịch Hội Liên hiệp Phụ nữ",
    "Bí thư Đoàn Thanh niên",
]

# (text, days after the inspection's start to carry it out)
RECOMMENDATIONS = [
    ("Bố trí đủ cộng tác viên bảo vệ trẻ em ở các khối phố còn thiếu", 30),
    ("Rà soát, hoàn thiện các hồ sơ trường hợp lập kế hoạch chậm", 180),
    ("Cập nhật danh sách trẻ em có hoàn cảnh đặc biệt vào cơ sở dữ liệu trước ngày 30 hằng tháng", 60),
]

# Agencies' reports on the plan's tasks (plans app): what they did, what it achieved, difficulties.
PLAN_ACTIVITIES = [
    "Ban hành kế hoạch triển khai của cơ quan; tổ chức hội nghị quán triệt đến cán bộ, công chức.",
    "Phối hợp với UBND các xã, phường tổ chức truyền thông tại cộng đồng và trường học.",
    "Rà soát, cập nhật số liệu trẻ em có hoàn cảnh đặc biệt; hướng dẫn cơ sở thực hiện chính sách.",
    "Kiểm tra, giám sát việc thực hiện tại 05 xã, phường; tổng hợp kiến nghị của cơ sở.",
    "Lồng ghép chỉ tiêu về trẻ em vào kế hoạch phát triển kinh tế - xã hội của năm.",
]
PLAN_RESULTS = [
    "Hoàn thành đúng tiến độ; 100% đơn vị trực thuộc có kế hoạch thực hiện.",
    "Tổ chức 12 buổi truyền thông với khoảng 2.400 lượt người tham dự.",
    "Đạt khoảng 80% khối lượng công việc của kỳ; phần còn lại chuyển sang kỳ sau.",
    "Các chỉ tiêu chính đạt và vượt kế hoạch năm.",
]
PLAN_DIFFICULTIES = [
    "Kinh phí bố trí cho công tác trẻ em còn hạn chế.",
    "Cán bộ làm công tác trẻ em ở cơ sở kiêm nhiệm nhiều việc, thay đổi sau sắp xếp đơn vị hành chính.",
    "",
]
PLAN_SUMMARIES = [
    "Cơ quan đã triển khai đầy đủ các nhiệm vụ được giao trong kỳ; phối hợp tốt với các địa phương.",
    "Các nhiệm vụ cơ bản đạt tiến độ; một số hoạt động chuyển sang kỳ sau do chưa bố trí được kinh phí.",
    "Kết quả trong kỳ đạt yêu cầu; cần tăng cường phối hợp liên ngành trong kiểm tra, giám sát.",
]
PLAN_FIGURES = "Tổ chức 08 hoạt động; 1.950 lượt người tham gia; kinh phí 85.000.000 đồng."
PLAN_RETURN_COMMENT = "Đề nghị bổ sung số liệu cụ thể (số lượt người, kinh phí) và kết quả so với chỉ tiêu."

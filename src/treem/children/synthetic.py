"""Synthetic children with realistic Vietnamese names, for the demo and the benchmarks.

Nothing here is real data: names are drawn from common Vietnamese family, middle and given
names; ethnic groups follow the rough shares of the Đà Nẵng / former Quảng Nam area (mostly
Kinh, with Cơ-tu, Xơ-đăng, Gié-Triêng and Co in the mountain communes). A fixed seed gives the
same data every time.
"""

from __future__ import annotations

import datetime as dt
import random
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass, replace

FAMILY_NAMES = [
    ("Nguyễn", 31), ("Trần", 11), ("Lê", 9), ("Phạm", 7), ("Huỳnh", 5), ("Hoàng", 3), ("Phan", 4),
    ("Vũ", 2), ("Võ", 5), ("Đặng", 2), ("Bùi", 2), ("Đỗ", 2), ("Hồ", 2), ("Ngô", 2), ("Dương", 1),
    ("Lý", 1), ("Đoàn", 1), ("Trương", 1), ("Đinh", 1), ("Lương", 1), ("Mai", 1), ("Tô", 1),
]  # fmt: skip
MIDDLE_MALE = ["Văn", "Minh", "Quốc", "Hữu", "Đức", "Thanh", "Công", "Gia", "Anh", "Tuấn", "Bảo", "Đình"]
MIDDLE_FEMALE = ["Thị", "Ngọc", "Thu", "Thanh", "Minh", "Bảo", "Khánh", "Mỹ", "Phương", "Kim", "Hoài", "Diệu"]
GIVEN_MALE = [
    "An", "Bảo", "Bình", "Cường", "Dũng", "Duy", "Đạt", "Hải", "Hiếu", "Hoàng", "Huy", "Hùng", "Khang",
    "Khoa", "Khôi", "Kiên", "Lâm", "Long", "Minh", "Nam", "Nhân", "Phát", "Phúc", "Quân", "Quang",
    "Sơn", "Tài", "Thắng", "Thành", "Thịnh", "Tiến", "Toàn", "Trí", "Trung", "Tú", "Tuấn", "Việt", "Vinh",
]  # fmt: skip
GIVEN_FEMALE = [
    "An", "Anh", "Ánh", "Châu", "Chi", "Diệp", "Dung", "Giang", "Hà", "Hân", "Hằng", "Hạnh", "Hoa",
    "Hương", "Lan", "Linh", "Loan", "Mai", "My", "Nga", "Ngân", "Ngọc", "Nhi", "Nhung", "Oanh", "Phương",
    "Quyên", "Quỳnh", "Tâm", "Thảo", "Thư", "Thủy", "Trâm", "Trang", "Uyên", "Vân", "Vy", "Yến",
]  # fmt: skip
# (GSO code, weight)
ETHNICITY_WEIGHTS = [("01", 94), ("26", 3), ("14", 1), ("27", 1), ("30", 1)]


@dataclass(frozen=True)
class SyntheticChild:
    full_name: str
    sex: str
    birth_date: dt.date | None
    birth_year: int
    ethnicity_code: str
    personal_id: str
    commune_code: str
    village_name: str
    household_key: str
    caregiver_name: str
    source_key: str


def strip_diacritics(text: str) -> str:
    text = text.replace("đ", "d").replace("Đ", "D")
    return "".join(c for c in unicodedata.normalize("NFD", text) if unicodedata.category(c) != "Mn")


def _typo(rng: random.Random, name: str) -> str:
    """One slip of the keyboard: a dropped, doubled or swapped letter in one word."""
    words = name.split()
    i = rng.randrange(len(words))
    word = words[i]
    if len(word) < 3:
        return name
    j = rng.randrange(1, len(word) - 1)
    choice = rng.randrange(3)
    if choice == 0:
        word = word[:j] + word[j + 1 :]
    elif choice == 1:
        word = word[:j] + word[j] + word[j:]
    else:
        word = word[: j - 1] + word[j] + word[j - 1] + word[j + 1 :]
    words[i] = word
    return " ".join(words)


class _IdNumbers:
    """Unique, random-looking 12-digit numbers: a counter per (sex, year) scrambled by a unit
    of the ring of integers modulo 10^6 (so no two children get the same number)."""

    def __init__(self, rng: random.Random, province: str):
        self.province = province
        self.offset = rng.randrange(10**6)
        self.counters: dict[tuple[str, int], int] = {}

    def next(self, *, sex: str, birth_year: int) -> str:
        key = (sex, birth_year)
        count = self.counters.get(key, 0)
        self.counters[key] = count + 1
        century = (birth_year // 100 - 19) * 2 + (1 if sex == "female" else 0)
        serial = (count * 7919 + self.offset) % 10**6
        return f"0{self.province}{century}{birth_year % 100:02d}{serial:06d}"


def generate(
    n: int,
    *,
    communes: list[tuple[str, list[str]]],
    province: str = "48",
    seed: int = 2026,
    today: dt.date | None = None,
    no_diacritics_share: float = 0.1,
    typo_share: float = 0.01,
    duplicate_share: float = 0.02,
    with_id_share: float = 0.7,
) -> Iterator[SyntheticChild]:
    """Yield ``n`` synthetic children spread over ``communes`` [(code, [village names])].

    About ``duplicate_share`` of them repeat an earlier child (same person registered twice,
    sometimes with a typo or without diacritics, never with the same ID number).
    """
    rng = random.Random(seed)
    today = today or dt.date.today()
    families, family_weights = zip(*FAMILY_NAMES, strict=True)
    ethnic_codes, ethnic_weights = zip(*ETHNICITY_WEIGHTS, strict=True)
    recent: list[SyntheticChild] = []
    ids = _IdNumbers(rng, province)
    for index in range(n):
        if recent and rng.random() < duplicate_share:
            original = rng.choice(recent)
            name = original.full_name
            if rng.random() < 0.5:
                name = _typo(rng, name)
            elif rng.random() < 0.5:
                name = strip_diacritics(name)
            yield replace(original, full_name=name, personal_id="", source_key=f"S{index:08d}")
            continue
        sex = "male" if rng.random() < 0.52 else "female"
        family = rng.choices(families, family_weights)[0]
        middle = rng.choice(MIDDLE_MALE if sex == "male" else MIDDLE_FEMALE)
        given = rng.choice(GIVEN_MALE if sex == "male" else GIVEN_FEMALE)
        full_name = f"{family} {middle} {given}"
        caregiver = f"{family} {rng.choice(MIDDLE_MALE)} {rng.choice(GIVEN_MALE)}"
        if rng.random() < no_diacritics_share:
            full_name = strip_diacritics(full_name)
        if rng.random() < typo_share:
            full_name = _typo(rng, full_name)
        age_days = rng.randrange(0, 16 * 365)
        birth = today - dt.timedelta(days=age_days)
        known_date = rng.random() < 0.9
        commune_code, villages = communes[rng.randrange(len(communes))]
        village = rng.choice(villages) if villages else ""
        child = SyntheticChild(
            full_name=full_name,
            sex=sex,
            birth_date=birth if known_date else None,
            birth_year=birth.year,
            ethnicity_code=rng.choices(ethnic_codes, ethnic_weights)[0],
            personal_id=ids.next(sex=sex, birth_year=birth.year)
            if known_date and rng.random() < with_id_share
            else "",
            commune_code=commune_code,
            village_name=village,
            household_key=f"H{rng.randrange(max(n // 2, 1)):08d}",
            caregiver_name=caregiver,
            source_key=f"S{index:08d}",
        )
        recent.append(child)
        if len(recent) > 500:
            recent.pop(0)
        yield child

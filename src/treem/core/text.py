"""Vietnamese text helpers."""

import unicodedata


def fold(text: str) -> str:
    """Lower-case ``text`` without diacritics, so ``Đặng Thị Ánh`` matches ``dang thi anh``."""
    text = (text or "").replace("đ", "d").replace("Đ", "D")
    decomposed = unicodedata.normalize("NFD", text)
    stripped = "".join(ch for ch in decomposed if unicodedata.category(ch) != "Mn")
    return " ".join(stripped.lower().split())

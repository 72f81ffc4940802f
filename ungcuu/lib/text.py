"""Text folding for search that ignores Vietnamese diacritics and case."""

import unicodedata

_EXTRA = str.maketrans({"đ": "d", "Đ": "d"})  # đ is a letter of its own, not d + a mark


def fold(text: str) -> str:
    """'Tấn công MÃ ĐỘC' → 'tan cong ma doc': lower case, no marks, single spaces."""
    decomposed = unicodedata.normalize("NFD", (text or "").translate(_EXTRA))
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(stripped.casefold().split())

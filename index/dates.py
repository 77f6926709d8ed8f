"""Find a publication date stated near the top of a text (English and German forms)."""

from __future__ import annotations

import re
from datetime import date

__all__ = ["find_date"]

_MONTHS = {
    # English, German and their usual abbreviations
    "january": 1,
    "jan": 1,
    "januar": 1,
    "jänner": 1,
    "february": 2,
    "feb": 2,
    "februar": 2,
    "march": 3,
    "mar": 3,
    "märz": 3,
    "maerz": 3,
    "mär": 3,
    "april": 4,
    "apr": 4,
    "may": 5,
    "mai": 5,
    "june": 6,
    "jun": 6,
    "juni": 6,
    "july": 7,
    "jul": 7,
    "juli": 7,
    "august": 8,
    "aug": 8,
    "september": 9,
    "sep": 9,
    "sept": 9,
    "october": 10,
    "oct": 10,
    "oktober": 10,
    "okt": 10,
    "november": 11,
    "nov": 11,
    "december": 12,
    "dec": 12,
    "dezember": 12,
    "dez": 12,
}
_M = "|".join(sorted(_MONTHS, key=len, reverse=True))
_PATTERNS: list[tuple[re.Pattern[str], tuple[str, str, str]]] = [
    (re.compile(r"\b(\d{4})-(\d{2})-(\d{2})\b"), ("y", "m", "d")),
    (re.compile(r"\b(\d{1,2})\.(\d{1,2})\.(\d{4})\b"), ("d", "m", "y")),
    (re.compile(rf"\b(\d{{1,2}})\.?\s+({_M})\.?\s+(\d{{4}})\b", re.I), ("d", "M", "y")),
    (
        re.compile(rf"\b({_M})\.?\s+(\d{{1,2}})(?:st|nd|rd|th)?,?\s+(\d{{4}})\b", re.I),
        ("M", "d", "y"),
    ),
]


def _build(groups: tuple[str, ...], order: tuple[str, str, str]) -> date | None:
    parts: dict[str, int] = {}
    for value, key in zip(groups, order, strict=True):
        parts["m" if key == "M" else key] = _MONTHS[value.lower()] if key == "M" else int(value)
    try:
        return date(parts["y"], parts["m"], parts["d"])
    except ValueError:
        return None


def find_date(text: str, head_chars: int = 600) -> str | None:
    """ISO date of the first plausible date in the head of the text, else ``None``.

    Only the head is searched: a date deep in an article is usually an event, not the
    publication date.
    """
    head = text[:head_chars]
    found: list[tuple[int, date]] = []
    for pattern, order in _PATTERNS:
        for m in pattern.finditer(head):
            d = _build(m.groups(), order)
            if d is not None and 1900 <= d.year <= 2100:
                found.append((m.start(), d))
    return min(found)[1].isoformat() if found else None

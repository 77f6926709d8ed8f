"""Parse citation markers out of generated text and renumber them in order of first use.

Markers look like [1], [1, 2], [1][2] or [1-3]. Models also write "(Source 2)",
"[Quelle 1]", "[Sources 1 and 2]" or "【1】"; these are rewritten to the plain form first.
Numbers that were not offered as evidence are dropped (the model invented them).

A marker belongs to the sentence it follows, also when the model put it after the full stop:
"… city. [2]" at the end, "… city. [2] Next sentence." in the middle (the sentence splitter
hands the marker to the next sentence, so it is moved back), or on a line of its own. Only
when the sentence before already has markers of its own are leading markers read as the
prefix style "[1] A fact. [2] Another.".
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from index.text import sentence_spans

__all__ = ["ParsedSentence", "normalise_markers", "parse_answer", "renumber", "strip_markers"]

_MARKER = re.compile(r"\[\s*(\d+(?:\s*(?:[,;]|[-–])\s*\d+)*)\s*\]")
_LEADING = re.compile(r"^\s*((?:\[\s*\d+(?:\s*(?:[,;]|[-–])\s*\d+)*\s*\]\s*)+)")
# "Source 2", "Quellen 1 und 2", "passage 3": the words models use for a numbered source
_SOURCE_WORD = (
    r"(?:sources?|quellen?|passages?|documents?|dokumente?|docs?|references?|refs?|"
    r"abschnitte?|textstellen?)"
)
_NUM_LIST = r"\d+(?:\s*(?:,|;|-|–|&|and|und)\s*\d+)*"
_WORDED = re.compile(rf"[\[(]\s*{_SOURCE_WORD}\s*:?\s*#?({_NUM_LIST})\s*[\])]", re.IGNORECASE)
_OTHER_BRACKETS = re.compile(rf"(?:【\s*({_NUM_LIST})\s*】|\[\^({_NUM_LIST})\])")


@dataclass(frozen=True)
class ParsedSentence:
    text: str  # without markers
    evidence: tuple[int, ...]  # offered numbers cited, in order, without repeats
    dropped: tuple[int, ...]  # cited numbers that were not offered


def _numbers(group: str) -> list[int]:
    out: list[int] = []
    for part in re.split(r"\s*[,;]\s*", group):
        if m := re.fullmatch(r"(\d+)\s*[-–]\s*(\d+)", part):
            a, b = int(m.group(1)), int(m.group(2))
            out.extend(range(a, b + 1) if 0 < b - a < 10 else [a, b])
        elif part.strip():
            out.append(int(part))
    return out


def _plain(numbers: str) -> str:
    return "[" + re.sub(r"\s*(?:&|\band\b|\bund\b)\s*", ", ", numbers, flags=re.I) + "]"


def normalise_markers(text: str) -> str:
    """Rewrite the other ways models cite ("(Source 2)", "[Quelle 1]", "【1】", "[^1]")
    to the plain "[2]" form. A bare number in parentheses is left alone: "(1901)"."""
    text = _WORDED.sub(lambda m: _plain(m.group(1)), text)
    return _OTHER_BRACKETS.sub(lambda m: _plain(m.group(1) or m.group(2)), text)


def strip_markers(text: str) -> str:
    text = _MARKER.sub("", text)
    text = re.sub(r"\s+([.,;:!?])", r"\1", text)
    return " ".join(text.split())


def _bind(pieces: Iterable[str]) -> list[str]:
    """Hand markers standing after a sentence's full stop back to that sentence."""
    merged: list[str] = []
    for piece in pieces:
        if merged and not strip_markers(piece).strip(" .") and _MARKER.search(piece):
            merged[-1] = f"{merged[-1]} {piece}"
            continue
        lead = _LEADING.match(piece)
        if merged and lead and not _MARKER.search(merged[-1]):
            merged[-1] = f"{merged[-1]} {lead.group(1).strip()}"
            merged.append(piece[lead.end() :])
        else:
            merged.append(piece)
    return merged


def parse_answer(text: str, offered: Iterable[int], language: str) -> list[ParsedSentence]:
    allowed = set(offered)
    text = normalise_markers(text)
    merged = _bind(text[s.start : s.end] for s in sentence_spans(text, language))
    out: list[ParsedSentence] = []
    for piece in merged:
        cited: list[int] = []
        dropped: list[int] = []
        for m in _MARKER.finditer(piece):
            for n in _numbers(m.group(1)):
                target = cited if n in allowed else dropped
                if n not in target:
                    target.append(n)
        clean = strip_markers(piece)
        if clean:
            out.append(ParsedSentence(clean, tuple(cited), tuple(dropped)))
    return out


def renumber(cited_in_order: Iterable[Iterable[int]]) -> dict[int, int]:
    """Evidence number → citation number, 1.. in order of first use."""
    mapping: dict[int, int] = {}
    for numbers in cited_in_order:
        for n in numbers:
            if n not in mapping:
                mapping[n] = len(mapping) + 1
    return mapping

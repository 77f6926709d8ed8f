"""Parse citation markers out of generated text and renumber them in order of first use.

Markers look like [1], [1, 2], [1][2] or [1-3]. Numbers that were not offered as evidence
are dropped (the model invented them). A marker standing alone after a sentence's full stop
("… city. [2]") belongs to that sentence.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from index.text import sentence_spans

__all__ = ["ParsedSentence", "parse_answer", "renumber", "strip_markers"]

_MARKER = re.compile(r"\[\s*(\d+(?:\s*(?:[,;]|[-–])\s*\d+)*)\s*\]")


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


def strip_markers(text: str) -> str:
    text = _MARKER.sub("", text)
    text = re.sub(r"\s+([.,;:!?])", r"\1", text)
    return " ".join(text.split())


def parse_answer(text: str, offered: Iterable[int], language: str) -> list[ParsedSentence]:
    allowed = set(offered)
    raw = [text[s.start : s.end] for s in sentence_spans(text, language)]
    merged: list[str] = []
    for piece in raw:
        if merged and not strip_markers(piece).strip(" .") and _MARKER.search(piece):
            merged[-1] = f"{merged[-1]} {piece}"
        else:
            merged.append(piece)
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

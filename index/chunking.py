"""Token-aware, sentence-respecting chunking with exact character offsets.

A chunk is a run of whole sentences whose token count stays within ``max_tokens``; the next
chunk starts with the last sentences of the previous one, up to ``overlap_tokens``, so a fact
that straddles a boundary is whole in at least one chunk. A single sentence longer than the
budget is cut at word boundaries. Offsets always point into the document's text, so
``doc.text[chunk.start:chunk.end] == chunk.text``.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from index.text import count_tokens, sentence_spans
from index.types import Span

__all__ = ["ChunkDraft", "chunk_text", "document_groups"]


@dataclass(frozen=True)
class ChunkDraft:
    """A chunk before it has a row id in the store."""

    start: int
    end: int
    sentences: tuple[Span, ...]
    n_tokens: int


def _split_long(text: str, span: Span, max_tokens: int) -> list[Span]:
    """Cut one over-long sentence into pieces of at most ``max_tokens`` at word boundaries."""
    words = [m.span() for m in re.finditer(r"\S+", text[span.start : span.end])]
    pieces: list[Span] = []
    first = 0
    while first < len(words):
        last = first
        # grow greedily; count on the joined slice so the tokenizer sees real spacing
        while last + 1 < len(words):
            cand = text[span.start + words[first][0] : span.start + words[last + 1][1]]
            if count_tokens(cand) > max_tokens:
                break
            last += 1
        pieces.append(Span(span.start + words[first][0], span.start + words[last][1]))
        first = last + 1
    return pieces


def chunk_text(
    text: str, language: str, max_tokens: int = 128, overlap_tokens: int = 24
) -> list[ChunkDraft]:
    if max_tokens < 16:
        raise ValueError(f"max_tokens={max_tokens} is too small; use at least 16")
    if not 0 <= overlap_tokens < max_tokens // 2:
        raise ValueError(f"overlap_tokens={overlap_tokens} must be in [0, {max_tokens // 2})")
    units: list[tuple[Span, int]] = []
    for sent in sentence_spans(text, language):
        n = count_tokens(text[sent.start : sent.end])
        if n <= max_tokens:
            units.append((sent, n))
        else:
            units.extend(
                (p, count_tokens(text[p.start : p.end]))
                for p in _split_long(text, sent, max_tokens)
            )

    drafts: list[ChunkDraft] = []
    i = 0
    while i < len(units):
        j, total = i, 0
        # +1 per sentence approximates the separator tokens between sentences
        while j < len(units) and (j == i or total + units[j][1] + 1 <= max_tokens):
            total += units[j][1] + 1
            j += 1
        sents = tuple(u[0] for u in units[i:j])
        start, end = sents[0].start, sents[-1].end
        drafts.append(ChunkDraft(start, end, sents, count_tokens(text[start:end])))
        if j >= len(units):
            break
        # step back over trailing sentences that fit in the overlap, but always advance
        back, carried = j, 0
        while back - 1 > i and carried + units[back - 1][1] <= overlap_tokens:
            back -= 1
            carried += units[back][1]
        i = back
    return drafts


def document_groups(drafts: Sequence[Sequence[ChunkDraft]], size: int) -> Iterator[list[int]]:
    """Indexes of consecutive documents holding about ``size`` chunks (a longer document
    makes a group of its own): a group is embedded, then may be committed whole."""
    group: list[int] = []
    count = 0
    for i, ds in enumerate(drafts):
        group.append(i)
        count += len(ds)
        if count >= size:
            yield group
            group, count = [], 0
    if group:
        yield group

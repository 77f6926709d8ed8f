"""Choose the evidence passages for a question from search hits, within a token budget.

Hits are taken in rank order while they fit the budget (prefill of the prompt dominates the
time to the first token on a CPU, so fewer tokens is the largest speed lever). Overlapping or
touching chunks of one document are merged into one passage so no text is shown twice.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from index import Hit, Span
from index.text import count_tokens
from rag.types import Evidence

__all__ = ["select_evidence"]


def _merge(hits: Sequence[Hit]) -> list[tuple[str, str, str, int, int, tuple[Span, ...]]]:
    """Group chosen hits by document and merge overlapping spans; keep first-seen order."""
    spans: list[tuple[str, str, str, int, int, tuple[Span, ...]]] = []
    for h in hits:
        c = h.chunk
        for i, (doc_id, title, lang, start, end, sents) in enumerate(spans):
            if doc_id == c.doc_id and c.start <= end + 1 and c.end >= start - 1:
                merged = tuple(sorted(set(sents) | set(c.sentences), key=lambda s: s.start))
                spans[i] = (doc_id, title, lang, min(start, c.start), max(end, c.end), merged)
                break
        else:
            spans.append((c.doc_id, h.title, h.language, c.start, c.end, c.sentences))
    return spans


def select_evidence(
    hits: Sequence[Hit],
    budget_tokens: int,
    document_text: Callable[[str], str],
    max_passages: int = 6,
) -> list[Evidence]:
    """Numbered evidence [1]..[n] from the best hits whose tokens fit ``budget_tokens``.

    The first hit is always taken, even over budget: an answer needs at least one passage.
    """
    chosen: list[Hit] = []
    used = 0
    for h in hits:
        if len(chosen) >= max_passages:
            break
        if chosen and used + h.chunk.n_tokens > budget_tokens:
            continue  # a shorter, lower-ranked passage may still fit
        chosen.append(h)
        used += h.chunk.n_tokens
    out: list[Evidence] = []
    for n, (doc_id, title, lang, start, end, sents) in enumerate(_merge(chosen), 1):
        text = document_text(doc_id)[start:end]
        out.append(Evidence(n, doc_id, title, lang, start, end, text, sents, count_tokens(text)))
    return out

"""Choose the evidence passages for a question from search hits, within a token budget.

Hits are taken in rank order while they fit the budget (prefill of the prompt dominates the
time to the first token on a CPU, so fewer tokens is the largest speed lever). Sentences that
an earlier passage already shows are cut from a later one, so no text is shown twice.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from index import Document, Hit, Index, Span
from index.text import count_tokens, sentence_spans
from rag.config import AnswerConfig
from rag.types import Evidence

__all__ = ["adjacent_pairs", "evidence_for", "select_evidence"]


def _widen(hit: Hit, window: int, doc_sentences: Callable[[str], Sequence[Span]]) -> list[Span]:
    """The hit's sentences plus ``window`` sentences of its document on either side."""
    own = list(hit.chunk.sentences)
    if window <= 0 or not own:
        return own
    all_sents = doc_sentences(hit.chunk.doc_id)
    first = next((i for i, s in enumerate(all_sents) if s.end > own[0].start), None)
    last = next((i for i, s in enumerate(all_sents) if s.end >= own[-1].end), None)
    if first is None or last is None:
        return own
    before = [s for s in all_sents[max(0, first - window) : first] if s.end <= own[0].start]
    after = [s for s in all_sents[last + 1 : last + 1 + window] if s.start >= own[-1].end]
    return [*before, *own, *after]


def _trim(
    hit: Hit, sentences: Sequence[Span], taken: Sequence[tuple[str, int, int]]
) -> tuple[Span, ...]:
    """Drop the sentences of ``hit`` already shown by a chosen chunk of the same document.

    Neighbouring chunks overlap by design; showing the overlap twice wastes prefill, and
    merging them would make one long passage and coarse citations.
    """
    return tuple(
        s for s in sentences
        if not any(doc == hit.chunk.doc_id and a <= s.start < b for doc, a, b in taken)
    )  # fmt: skip


def select_evidence(
    hits: Sequence[Hit],
    budget_tokens: int,
    document_text: Callable[[str], str],
    max_passages: int = 6,
    *,
    window: int = 0,
    doc_sentences: Callable[[str], Sequence[Span]] | None = None,
) -> list[Evidence]:
    """Numbered evidence [1]..[n] from the best hits whose tokens fit ``budget_tokens``.

    The first hit is always taken, even over budget: an answer needs at least one passage.
    With ``window`` > 0 (and ``doc_sentences``), each hit also shows that many sentences of
    its document before and after it: the sentence that answers often sits just outside
    the chunk that matched the question.
    """
    out: list[Evidence] = []
    taken: list[tuple[str, int, int]] = []
    used = 0
    for h in hits:
        if len(out) >= max_passages:
            break
        widened = _widen(h, window, doc_sentences) if doc_sentences else list(h.chunk.sentences)
        sents = _trim(h, widened, taken)
        if not sents:
            continue
        start, end = sents[0].start, sents[-1].end
        text = document_text(h.chunk.doc_id)[start:end]
        n_tokens = count_tokens(text)
        if out and used + n_tokens > budget_tokens:
            continue  # a shorter, lower-ranked passage may still fit
        out.append(
            Evidence(
                len(out) + 1, h.chunk.doc_id, h.title, h.language, start, end, text, sents, n_tokens
            )
        )
        taken.append((h.chunk.doc_id, start, end))
        used += n_tokens
    return out


def evidence_for(index: Index, hits: Sequence[Hit], cfg: AnswerConfig) -> list[Evidence]:
    """``select_evidence`` over the index's documents, each read and split once."""
    docs: dict[str, Document] = {}
    sentences: dict[str, list[Span]] = {}

    def doc(doc_id: str) -> Document:
        if doc_id not in docs:
            docs[doc_id] = index.document(doc_id)
        return docs[doc_id]

    def doc_sentences(doc_id: str) -> list[Span]:
        if doc_id not in sentences:
            sentences[doc_id] = sentence_spans(doc(doc_id).text, doc(doc_id).language)
        return sentences[doc_id]

    return select_evidence(
        hits,
        cfg.evidence_tokens,
        lambda doc_id: doc(doc_id).text,
        cfg.max_passages,
        window=cfg.evidence_window,
        doc_sentences=doc_sentences,
    )


def adjacent_pairs(
    evidence: Sequence[Evidence], document_text: Callable[[str], str]
) -> list[tuple[Evidence, Evidence]]:
    """Pairs of shown passages that are one stretch of their document: the same document,
    the first ending where the second begins, nothing but white space between them.

    Chunk boundaries are the index's, not the author's: "Putin is reportedly interested in
    a ceasefire." ends one chunk and "That's what the New York Times learned …" begins the
    next. Cited together, the two are still one exact span of the document.
    """
    pairs = []
    for a in evidence:
        for b in evidence:
            same = a.doc_id == b.doc_id and a.end <= b.start
            if same and not document_text(a.doc_id)[a.end : b.start].strip():
                pairs.append((a, b))
    return pairs

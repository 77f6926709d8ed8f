"""The sentences of an answer: how a checked sentence is shown (its markers and flag), the
``AnswerSentence`` it becomes, the answer they assemble into, and which other passages a
sentence could be attributed to. Split from rag/answering.py, which keeps the order of the
pipeline."""

from __future__ import annotations

from collections.abc import Sequence

from rag.citations import ParsedSentence, renumber
from rag.types import AnswerSentence, Citation, Evidence
from rag.verify import SentenceCheck, content_words

__all__ = ["answer_sentence", "assembled", "attribution_candidates", "render"]


def render(text: str, numbers: tuple[int, ...], supported: bool) -> str:
    """A sentence with its markers before the final punctuation: "It fell [1]."."""
    marks = "".join(f"[{n}]" for n in numbers)
    flag = "" if supported else " (unverified)"
    body, end = (text[:-1], text[-1]) if text[-1:] in ".!?" else (text, ".")
    return f"{body} {marks}{flag}{end}" if marks else f"{body}{flag}{end}"


def answer_sentence(
    p: ParsedSentence,
    check: SentenceCheck,
    numbers: tuple[int, ...],
    mode: str,
    attributed: bool = False,
    *,
    kept: bool | None = None,
) -> AnswerSentence:
    return AnswerSentence(
        text=p.text,
        citations=numbers,
        verdict="supported" if check.supported else "unsupported",
        support=check.score,
        reason=check.reason,  # for a supported sentence: a note, e.g. a corrected citation
        kept=check.supported or mode == "mark" if kept is None else kept,
        attributed=attributed,
    )


def attribution_candidates(
    claim: str, evidence: Sequence[Evidence], skip: Sequence[int]
) -> list[Evidence]:
    """The passages a sentence could be attributed to, most words shared with it first.

    A passage sharing no word of three letters or more (nor a number) is left out: the
    judge costs one prefill (~2 s) per passage, and across languages the rule and judge
    would have to carry the whole decision on a passage with nothing in common. German and
    English share names and numbers, which is what a cross-lingual claim is checked on.
    """
    words = content_words(claim)
    scored = []
    for e in evidence:
        if e.number in skip:
            continue
        shared = len(words & content_words(e.text))
        if shared:
            scored.append((-shared, e.number, e))
    return [e for _, _, e in sorted(scored)]


def assembled(
    parsed: Sequence[ParsedSentence],
    checks: Sequence[SentenceCheck],
    attributed: Sequence[bool],
    evidence: Sequence[Evidence],
    mode: str,
) -> tuple[str, list[AnswerSentence], tuple[Citation, ...]]:
    """The answer's text, sentences and citations from checked sentences of which at least
    one is supported; ``mode`` "mark" keeps unsupported ones, flagged, "remove" drops them."""
    kept = [c.supported or mode == "mark" for c in checks]
    # kept sentences are numbered first so the visible text reads [1], [2], …
    order = [p.evidence for p, k in zip(parsed, kept, strict=True) if k]
    order += [p.evidence for p, k in zip(parsed, kept, strict=True) if not k]
    mapping = renumber(order)
    by_number = {e.number: e for e in evidence}
    citations = tuple(
        Citation(new, e.doc_id, e.title, e.language, e.start, e.end, e.text)
        for old, new in sorted(mapping.items(), key=lambda kv: kv[1])
        for e in [by_number[old]]
    )
    out: list[AnswerSentence] = []
    parts: list[str] = []
    for p, c, k, a in zip(parsed, checks, kept, attributed, strict=True):
        nums = tuple(mapping[n] for n in p.evidence)
        out.append(answer_sentence(p, c, nums, mode, a, kept=k))
        if k:
            parts.append(render(p.text, nums, c.supported))
    return " ".join(parts), out, citations

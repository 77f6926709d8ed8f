"""How a draft ends: the final ``Answer``, answered or declined. Split from rag/answering.py,
which keeps the order of the pipeline; these are the pieces every step ends with."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace

from rag.citations import ParsedSentence
from rag.draft import Draft
from rag.prompts import CANNOT_ANSWER
from rag.sentences import answer_sentence, assembled
from rag.types import Answer, AnswerSentence, Citation, Timings
from rag.verify import SentenceCheck

__all__ = ["assembled_answer", "declined", "finished"]


def finished(
    d: Draft,
    models: Mapping[str, str],
    timings: Timings,
    text: str,
    sentences: Sequence[AnswerSentence] = (),
    *,
    citations: Sequence[Citation] = (),
    reason: str = "",
) -> Answer:
    """The final ``Answer``; an empty ``reason`` means it answered, any other abstained."""
    return Answer(
        question=d.question,
        standalone_question=d.standalone,
        language=d.lang,
        text=text,
        sentences=tuple(sentences),
        citations=tuple(citations),
        abstained=bool(reason),
        reason=reason,
        hits=tuple(d.hits),
        evidence=tuple(d.evidence),
        timings=timings,
        models=dict(models),
        raw_text=d.raw,
        prompt_tokens=d.prompt_tokens,
        decline_probability=d.decline_probability,
        second_draft=d.second_draft,
    )


def declined(
    d: Draft,
    models: Mapping[str, str],
    reason: str,
    timings: Timings,
    sentences: Sequence[AnswerSentence] = (),
) -> Answer:
    """The cannot-answer phrase in the question's language, with why."""
    cannot = CANNOT_ANSWER.get(d.lang, CANNOT_ANSWER["en"])
    return finished(d, models, timings, cannot, sentences, reason=reason)


def assembled_answer(
    d: Draft,
    models: Mapping[str, str],
    parsed: Sequence[ParsedSentence],
    checks: Sequence[SentenceCheck],
    attributed: Sequence[bool],
    *,
    timings: Timings,
    mode: str,
) -> Answer:
    """The verified draft: its supported sentences, or a decline that keeps the removed
    ones (flagged not kept) when none held."""
    if not any(c.supported for c in checks):
        dropped = [
            replace(answer_sentence(p, c, p.evidence, mode), kept=False)
            for p, c in zip(parsed, checks, strict=True)
        ]  # nothing was attributed: an attributed sentence is supported
        reason = (
            "no sentence of the draft answer is supported by the passages it cites"
            if parsed
            else "the draft answer had no sentences"
        )
        return declined(d, models, reason, timings, dropped)
    text, sentences, citations = assembled(parsed, checks, attributed, d.evidence, mode)
    return finished(d, models, timings, text, sentences, citations=citations)

"""Questions that ask two things, answered one part at a time.

"Who leads the Wagner mercenaries, and how old is he according to the German article?" asks
for two facts that often stand in two documents. Asked whole, retrieval ranks passages for
the mix, the evidence holds one part's passage, and the 1.5B model answers one part, or
writes one sentence that joins facts from two sources, which no single passage supports.
Each part is answered on its own here, with its own retrieval and verification; the later
part sees the earlier one as a conversation turn, so "he" or "this newspaper" is resolved by
the same rewriting a follow-up question gets. The answers are then joined into one, with
their citations renumbered.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import replace

from rag.prompts import CANNOT_ANSWER
from rag.sentences import render
from rag.types import (
    Answer,
    AnswerEvent,
    AnswerSentence,
    Citation,
    Event,
    Evidence,
    SentenceEvent,
    Timings,
    TokenEvent,
    Turn,
)

__all__ = ["join_answers", "split_question", "stream_parts"]

# the events of answering one question, given it and the conversation before it
OneAnswer = Callable[[str, Sequence[Turn] | None], Iterator[Event]]

# a part starts with a question word, possibly after a preposition ("for how many months",
# "in welcher Stadt", "seit wann"): ", and which place …" begins a question, while
# ", and the mayor …" continues one
_WH = (
    r"who|whom|whose|what|which|when|where|why|how|"
    r"wer|wen|wem|wessen|was|welche[mnrs]?|wann|wo|woher|wohin|warum|weshalb|wieso|wie"
)
_PREP = r"(?:for|in|on|at|by|from|to|with|since|seit|an|auf|aus|von|mit|nach|zu|für|um|bei)"
# the comma is required: without it "How many soldiers and how many civilians died?" would be
# cut into a part without a verb
_JOIN = re.compile(rf",\s+(?:and|und)\s+(?=(?:{_PREP}\s+)?(?:{_WH})\b)", re.IGNORECASE)
_MIN_WORDS = 3  # a part shorter than this is no question of its own


def split_question(question: str) -> list[str]:
    """The parts of a question that asks several things, each ending with "?"; the whole
    question alone when it asks one thing."""
    text = question.strip()
    if not text.endswith("?"):
        return [question]
    pieces = [p.strip(" ,;") for p in _JOIN.split(text[:-1])]
    if len(pieces) < 2 or any(len(p.split()) < _MIN_WORDS for p in pieces):
        return [question]
    return [f"{p[0].upper()}{p[1:]}?" for p in pieces]


def stream_parts(
    one: OneAnswer,
    question: str,
    parts: Sequence[str],
    history: Sequence[Turn] | None,
    stopped: Callable[[], bool],
) -> Iterator[Event]:
    """The events of answering each part in turn, the earlier parts as turns of the
    conversation, then one ``AnswerEvent`` with the joined answer."""
    answers: list[Answer] = []
    shown = 0  # sentences of the earlier parts: a part's SentenceEvent counts on from them
    for i, part in enumerate(parts):
        if i:
            yield TokenEvent(" ")
        turns = [*(history or ()), *(Turn(p, a) for p, a in zip(parts, answers, strict=False))]
        for event in one(part, turns or None):
            if isinstance(event, AnswerEvent):
                answers.append(event.answer)
            elif isinstance(event, SentenceEvent):
                yield replace(event, index=event.index + shown)
            else:
                yield event
        shown += len(answers[-1].sentences)
        if stopped():  # the reader stopped it: no later part, no joining
            yield AnswerEvent(replace(answers[-1], question=question))
            return
    joined = join_answers(question, answers, parts)
    if all(not a.abstained for a in answers):
        yield AnswerEvent(joined)
        return
    # a part went unanswered: the whole question, asked as one, is answered as before the
    # split and kept if more of it survives verification. Seeds: an elliptic part ("…, and
    # from which winter?") or a part whose rewriting lost its referent was declined, while
    # the whole question had been answered right
    yield TokenEvent("", restart=True, why="a part went unanswered; asking it whole")
    whole = joined
    for event in one(question, history):
        if isinstance(event, AnswerEvent):
            whole = event.answer
        else:
            yield event
    chosen = whole if _kept(whole) > _kept(joined) else joined
    # the time of both tries: the reader waited for the parts and for the whole
    timings = joined.timings if whole is joined else _sum_timings([joined.timings, whole.timings])
    yield AnswerEvent(replace(chosen, timings=timings))


def _kept(answer: Answer) -> int:
    return 0 if answer.abstained else sum(s.kept for s in answer.sentences)


def _unanswered(part: str, language: str) -> str:
    # said in the answer so the reader sees which part went unanswered, not only what was
    if language == "de":
        return f"Zu „{part}“ sagen die Dokumente nichts."
    return f'The documents do not answer "{part}"'


def join_answers(question: str, answers: Sequence[Answer], parts: Sequence[str]) -> Answer:
    """One answer from the answers to the parts: citations numbered anew in order (one
    passage cited by two parts keeps one number), sentences kept in the parts' order, and
    a part that was declined named in the text. It abstains only when every part did."""
    first = answers[0]
    numbers: dict[tuple[str, int, int], int] = {}
    citations: list[Citation] = []
    sentences: list[AnswerSentence] = []
    texts: list[str] = []
    for answer, part in zip(answers, parts, strict=True):
        mapping: dict[int, int] = {}
        for c in answer.citations:
            key = (c.doc_id, c.start, c.end)
            if key not in numbers:
                numbers[key] = len(numbers) + 1
                citations.append(replace(c, number=numbers[key]))
            mapping[c.number] = numbers[key]
        for s in answer.sentences:
            moved = replace(s, citations=tuple(mapping[n] for n in s.citations if n in mapping))
            sentences.append(moved)
            if s.kept and not answer.abstained:
                texts.append(render(moved.text, moved.citations, s.verdict == "supported"))
        if answer.abstained:
            texts.append(_unanswered(part, first.language))
    abstained = all(a.abstained for a in answers)
    evidence: dict[tuple[str, int, int], Evidence] = {}
    for answer in answers:
        for e in answer.evidence:
            evidence.setdefault((e.doc_id, e.start, e.end), e)
    hits = {h.chunk.chunk_id: h for a in answers for h in a.hits}
    cannot = CANNOT_ANSWER.get(first.language, CANNOT_ANSWER["en"])
    return Answer(
        question=question,
        standalone_question=" ".join(a.standalone_question for a in answers),
        language=first.language,
        text=cannot if abstained else " ".join(texts),
        sentences=tuple(sentences),
        citations=tuple(citations),
        abstained=abstained,
        reason="; ".join(f"{p}: {a.reason}" for p, a in zip(parts, answers, strict=True))
        if abstained
        else "",
        hits=tuple(hits.values()),
        evidence=tuple(replace(e, number=i) for i, e in enumerate(evidence.values(), 1)),
        timings=_sum_timings([a.timings for a in answers]),
        models=first.models,
        raw_text="\n".join(a.raw_text for a in answers),
        prompt_tokens=sum(a.prompt_tokens for a in answers),
        decline_probability=next(
            (a.decline_probability for a in answers if a.decline_probability is not None), None
        ),
        second_draft=", ".join(a.second_draft for a in answers if a.second_draft),
        # the weakest part's (python -m eval.retry_sweep --premise reads one per question)
        premise_score=min(
            (a.premise_score for a in answers if a.premise_score is not None), default=None
        ),
    )


def _sum_timings(timings: Sequence[Timings]) -> Timings:
    return Timings(
        condense=sum(t.condense for t in timings),
        retrieval=sum(t.retrieval for t in timings),
        first_token=_first_token(timings),
        generation=sum(t.generation for t in timings),
        verification=sum(t.verification for t in timings),
        total=sum(t.total for t in timings),
    )


def _first_token(timings: Sequence[Timings]) -> float | None:
    # from the question: a part that generated nothing (declined before the model) still
    # took its time before the next part's first token
    elapsed = 0.0
    for t in timings:
        if t.first_token is not None:
            return elapsed + t.first_token
        elapsed += t.total
    return None

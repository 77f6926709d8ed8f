"""The answer schema shared by the CLI (``--json``), the UI and the eval harness."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from typing import Any, Literal

from index import Hit, Span

__all__ = [
    "Answer",
    "AnswerEvent",
    "AnswerSentence",
    "AskOptions",
    "Citation",
    "Event",
    "Evidence",
    "SentenceEvent",
    "SourcesEvent",
    "Timings",
    "TokenEvent",
    "Turn",
]

Verdict = Literal["supported", "unsupported"]


@dataclass(frozen=True)
class Evidence:
    """A numbered passage offered to the generator: ``text == document.text[start:end]``."""

    number: int
    doc_id: str
    title: str
    language: str
    start: int
    end: int
    text: str
    sentences: tuple[Span, ...]
    n_tokens: int


@dataclass(frozen=True)
class Citation:
    """A resolved citation; ``quote == document.text[start:end]`` always."""

    number: int
    doc_id: str
    title: str
    language: str
    start: int
    end: int
    quote: str


@dataclass(frozen=True)
class AnswerSentence:
    text: str
    citations: tuple[int, ...]  # numbers into Answer.citations
    verdict: Verdict
    support: float  # judge P(yes) against the cited text; 0 when a rule already failed
    reason: str  # why it is unsupported; for a supported one, a note ("" when none)
    kept: bool  # False when removed from Answer.text
    # True when the citation was chosen by the verifier, not written by the model: the
    # sentence had no marker, or the passage it cited failed and another offered one held
    attributed: bool = False
    # True when the sentence is the cited span itself, word for word, not the model's words:
    # the quote the verifier chose when no drafted sentence held (rag/quoting.py)
    quoted: bool = False
    # for a quote found by the copy fallback: the words the model copied as the answer,
    # which the quoted sentence holds (rag/copying.py); "" otherwise
    copied: str = ""


@dataclass(frozen=True)
class Timings:
    condense: float = 0.0
    retrieval: float = 0.0
    first_token: float | None = None  # from the question, None when nothing was generated
    generation: float = 0.0
    verification: float = 0.0
    total: float = 0.0


@dataclass(frozen=True)
class Answer:
    question: str
    standalone_question: str
    language: str
    text: str
    sentences: tuple[AnswerSentence, ...]
    citations: tuple[Citation, ...]
    abstained: bool
    reason: str
    hits: tuple[Hit, ...]
    evidence: tuple[Evidence, ...]
    timings: Timings
    models: dict[str, str] = field(default_factory=dict)
    raw_text: str = ""
    prompt_tokens: int = 0
    # the model's probability of the decline it wrote first (None: it did not decline, or
    # the generator gives no log-probabilities); a retry is asked only below a threshold
    decline_probability: float | None = None
    # a second draft was written: "retry" after a hesitant decline (the answer is that
    # draft), "second look" after a first draft that verification removed whole (the answer
    # is the second draft if a sentence of it is supported, else the first's abstention),
    # "number" after an answer to a number question that stated none (the answer is the
    # second draft if a supported sentence of it states a number, else the first answer)
    second_draft: str = ""
    # the model's P(yes) that the passages the answer cites confirm what the question takes
    # for granted (rag/premise.py), also when it was refused for it; None when not asked
    # (nothing drafted stood, the answer is a quote, or the generator has no log-probs)
    premise_score: float | None = None

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        for h in d["hits"]:
            h["chunk"]["sentences"] = [[s["start"], s["end"]] for s in h["chunk"]["sentences"]]
        for e in d["evidence"]:
            e["sentences"] = [[s["start"], s["end"]] for s in e["sentences"]]
        return d

    def to_json(self, indent: int | None = 2) -> str:
        return json.dumps(self.to_dict(), ensure_ascii=False, indent=indent)


@dataclass(frozen=True)
class AskOptions:
    """Per-question overrides of the configured answer settings, e.g. one UI session's
    choices; None keeps the configured value. The shared configuration is never changed."""

    k: int | None = None  # passages retrieved
    max_tokens: int | None = None  # most tokens generated


@dataclass(frozen=True)
class Turn:
    """One finished exchange of a conversation; its answer keeps its own citations."""

    question: str
    answer: Answer


@dataclass(frozen=True)
class SourcesEvent:
    hits: tuple[Hit, ...]
    evidence: tuple[Evidence, ...]
    kind: Literal["sources"] = "sources"


@dataclass(frozen=True)
class TokenEvent:
    text: str
    kind: Literal["token"] = "token"
    # the draft so far is dropped and a new one starts; ``why`` says why, for the reader
    restart: bool = False
    why: str = ""


@dataclass(frozen=True)
class SentenceEvent:
    index: int
    sentence: AnswerSentence
    kind: Literal["sentence"] = "sentence"


@dataclass(frozen=True)
class AnswerEvent:
    answer: Answer
    kind: Literal["answer"] = "answer"


Event = SourcesEvent | TokenEvent | SentenceEvent | AnswerEvent

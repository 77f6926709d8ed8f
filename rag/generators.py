"""Generators behind one Protocol, chosen by name from a factory table.

``stream`` is the one required method; ``complete`` is built on it. Models that can also
score a yes/no question from token log-probabilities implement ``LogprobModel``; the judge
uses that. Those that can give the log-probability of each token of a greedy reply implement
``PathModel``; the answerer uses it to tell a sure decline from a hesitant one.
"""

from __future__ import annotations

import math
import re
import threading
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol, runtime_checkable

from index.text import count_tokens
from rag.prompts import CANNOT_ANSWER, Message
from rag.types import Evidence

__all__ = [
    "ExtractiveGenerator",
    "GenerationRequest",
    "Generator",
    "LogprobModel",
    "PathModel",
    "complete",
    "decline_probability",
    "phrase_logprob",
    "yes_probability_from_top_logprobs",
]


@dataclass(frozen=True)
class GenerationRequest:
    messages: list[Message]
    question: str = ""
    evidence: tuple[Evidence, ...] = ()
    language: str = "en"
    max_tokens: int = 256
    temperature: float = 0.0
    stop_words: tuple[str, ...] = field(default_factory=tuple)


@runtime_checkable
class Generator(Protocol):
    @property
    def model_id(self) -> str: ...

    def stream(
        self, request: GenerationRequest, stop: threading.Event | None = None
    ) -> Iterator[str]:
        """Yield the answer's text in pieces as they are produced; end early when ``stop``
        is set."""
        ...


@runtime_checkable
class LogprobModel(Protocol):
    @property
    def model_id(self) -> str: ...

    def yes_probability(self, messages: list[Message]) -> float:
        """P(yes) / (P(yes) + P(no)) for the first token of the reply."""
        ...


@runtime_checkable
class BuiltModel(Protocol):
    @property
    def build_id(self) -> str:
        """What besides the weights decides the model's numbers (runtime version, CPU kernels,
        weight layout): two builds of llama.cpp give the same prompt different probabilities."""
        ...


@runtime_checkable
class PathModel(Protocol):
    def greedy_logprobs(self, messages: list[Message], max_tokens: int) -> list[tuple[str, float]]:
        """The tokens of the greedy reply to ``messages``, each with its log-probability."""
        ...


def complete(generator: Generator, request: GenerationRequest) -> str:
    return "".join(generator.stream(request))


_YES = {"yes", "ja", "y"}
_NO = {"no", "nein", "n"}


def yes_probability_from_top_logprobs(candidates: Iterable[tuple[str, float]]) -> float:
    """Normalised P(yes) from (token, logprob) pairs of the first generated token.

    Returns 0.5 when neither answer is among the candidates: the model said neither.
    """
    yes = no = 0.0
    for token, logprob in candidates:
        word = token.strip().casefold()
        if word in _YES:
            yes += math.exp(logprob)
        elif word in _NO:
            no += math.exp(logprob)
    return yes / (yes + no) if yes + no > 0 else 0.5


_WORD = re.compile(r"\w+")


def _overlap(question: str, sentence: str) -> float:
    q = {w for w in _WORD.findall(question.casefold()) if len(w) > 3 or w.isdigit()}
    s = {w for w in _WORD.findall(sentence.casefold())}
    return len(q & s) / (len(q) or 1)


class ExtractiveGenerator:
    """Answers with the evidence sentences that share most words with the question, cited.

    Needs no language model: the fallback when none is available, and a deterministic
    generator for tests. It cannot translate, so it quotes sources in their own language.
    """

    model_id = "extractive"

    def __init__(self, sentences: int = 2) -> None:
        self.sentences = sentences

    def stream(
        self, request: GenerationRequest, stop: threading.Event | None = None
    ) -> Iterator[str]:
        scored: list[tuple[float, int, int, str]] = []
        for e in request.evidence:
            for i, s in enumerate(e.sentences):
                text = " ".join(e.text[s.start - e.start : s.end - e.start].split())
                # rank by overlap, then by evidence order (retrieval rank), then position
                scored.append((-_overlap(request.question, text), e.number, i, text))
        if not scored:
            return
        best = sorted(scored)[: self.sentences]
        for _score, number, _i, text in sorted(best, key=lambda t: (t[1], t[2])):
            if stop is not None and stop.is_set():
                return
            yield f"{text} [{number}] "


def first_token_candidates(top: Sequence[dict[str, Any]]) -> list[tuple[str, float]]:
    """(token, logprob) pairs from an OpenAI-style ``top_logprobs`` list."""
    return [(str(t.get("token", "")), float(t.get("logprob", -math.inf))) for t in top]


def chat_body(request: GenerationRequest) -> dict[str, Any]:
    """The OpenAI-style body of a streamed chat completion for ``request``."""
    body: dict[str, Any] = {
        "messages": request.messages,
        "max_tokens": request.max_tokens,
        "temperature": request.temperature,
        "stream": True,
    }
    if request.stop_words:
        body["stop"] = list(request.stop_words)
    return body


def judge_body(messages: list[Message]) -> dict[str, Any]:
    """One token, greedy, with the top log-probabilities of that token."""
    return {
        "messages": messages,
        "max_tokens": 1,
        "temperature": 0.0,
        "logprobs": True,
        "top_logprobs": 10,
    }


def path_body(messages: list[Message], max_tokens: int) -> dict[str, Any]:
    """A greedy, non-streamed completion with the log-probability of every token."""
    return {
        "messages": messages,
        "max_tokens": max_tokens,
        "temperature": 0.0,
        "logprobs": True,
        "top_logprobs": 1,
    }


def path_from_choice(choice: dict[str, Any]) -> list[tuple[str, float]]:
    """(token, logprob) of each generated token of a completion made with ``path_body``."""
    content = (choice.get("logprobs") or {}).get("content") or []
    return [(str(t.get("token", "")), float(t.get("logprob", -math.inf))) for t in content]


def _letters(text: str) -> str:
    return re.sub(r"\W+", "", text).casefold()


def phrase_logprob(path: Sequence[tuple[str, float]], phrase: str) -> float | None:
    """The log-probability that the reply starts with ``phrase`` (letters and digits compared,
    case folded): the sum over the tokens that spell it out. None when the reply does not
    start with it, or ends before it is complete."""
    want = _letters(phrase)
    got, total = "", 0.0
    for token, logprob in path:
        got += _letters(token)
        total += logprob
        if not want.startswith(got[: len(want)]):
            return None
        if len(got) >= len(want):
            return total
    return None


def decline_probability(generator: Generator, messages: list[Message]) -> float | None:
    """P(the reply is the cannot-answer phrase) under the model, from the log-probabilities
    of its greedy reply to ``messages`` (after a decline, the same prompt: its prefill is
    still cached). None for a generator that gives no log-probabilities."""
    if not isinstance(generator, PathModel):
        return None
    longest = max(count_tokens(p) for p in CANNOT_ANSWER.values())
    path = generator.greedy_logprobs(messages, 2 * longest + 4)
    # the phrase of any language: the model sometimes declines in English to a German
    # question, which is still a decline (is_cannot_answer accepts every language)
    for phrase in CANNOT_ANSWER.values():
        if (logprob := phrase_logprob(path, phrase)) is not None:
            return math.exp(logprob)
    return None


def yes_probability_from_choice(choice: dict[str, Any]) -> float:
    """P(yes) from the first choice of a chat completion made with ``judge_body``."""
    content = (choice.get("logprobs") or {}).get("content") or []
    if not content:
        # a server without logprobs: fall back to the word it answered
        word = str((choice.get("message") or {}).get("content", "")).strip().casefold()
        return 1.0 if word.startswith(("yes", "ja")) else 0.0 if word else 0.5
    return yes_probability_from_top_logprobs(
        first_token_candidates(content[0].get("top_logprobs", []))
    )

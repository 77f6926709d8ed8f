"""Deterministic fakes, passed into product code by tests (never switched on inside it)."""

from __future__ import annotations

import hashlib
import re
import threading
import time
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from index.embedders import Kind, Vectors


class HashEmbedder:
    """Bag of hashed words: texts sharing words get similar vectors; same text, same vector."""

    def __init__(
        self,
        dim: int = 64,
        name: str = "hash-64",
        delay: float = 0.0,
        started_marker: Path | None = None,
    ) -> None:
        self._dim = dim
        self._name = name
        self.delay = delay
        self.started_marker = started_marker
        self.calls: list[int] = []

    @property
    def name(self) -> str:
        return self._name

    @property
    def dim(self) -> int:
        return self._dim

    def embed(
        self,
        texts: Sequence[str],
        kind: Kind,
        titles: Sequence[str] | None = None,
        progress: bool = False,
    ) -> Vectors:
        self.calls.append(len(texts))
        if self.started_marker is not None and texts:
            self.started_marker.write_text("embedding")
        out = np.zeros((len(texts), self._dim), dtype=np.float32)
        for i, text in enumerate(texts):
            for word in re.findall(r"\w+", text.casefold()):
                h = int.from_bytes(hashlib.sha256(word.encode()).digest()[:4], "little")
                out[i, h % self._dim] += 1.0
            norm = float(np.linalg.norm(out[i]))
            out[i] = out[i] / norm if norm else out[i]
            if self.delay:
                time.sleep(self.delay)
        return out


class ScriptedGenerator:
    """Replies with fixed texts, one per call, in order (the last repeats); records requests."""

    def __init__(self, *replies: str, model_id: str = "scripted") -> None:
        self.replies = list(replies)
        self.requests: list[Any] = []
        self._model_id = model_id

    @property
    def model_id(self) -> str:
        return self._model_id

    def stream(self, request: Any, stop: threading.Event | None = None) -> Iterator[str]:
        self.requests.append(request)
        reply = self.replies[min(len(self.requests) - 1, len(self.replies) - 1)]
        for word in re.findall(r"\S+\s*", reply):
            if stop is not None and stop.is_set():
                return
            yield word


class RatingGenerator(ScriptedGenerator):
    """Scripted replies, and a P(yes) for a quoted sentence (rag/quoting.py) looked up by a
    word it holds (0.1 for any other); records the sentences it was asked about. Asked
    whether passages confirm a question's premise (rag/premise.py), it answers ``premise``
    and records the question."""

    def __init__(self, by_word: dict[str, float], *replies: str, premise: float = 0.9) -> None:
        super().__init__(*replies)
        self.by_word = by_word
        self.premise = premise
        self.rated: list[str] = []
        self.premises: list[str] = []

    def yes_probability(self, messages: list[dict[str, str]]) -> float:
        user = messages[-1]["content"]
        if "Sentence from a document: " not in user:
            self.premises.append(user.split("Question: ")[1].split("\n")[0])
            return self.premise
        sentence = user.split("Sentence from a document: ")[1].split("\n\n")[0]
        self.rated.append(sentence)
        return max((p for w, p in self.by_word.items() if w in sentence), default=0.1)


class KeywordChecker:
    """Supports a claim when every listed keyword of it occurs in the passage."""

    name = "keyword-checker"

    def __init__(self, score: float = 0.9) -> None:
        self.score = score
        self.calls: list[tuple[str, str]] = []

    def support(self, claim: str, passage: str, question: str | None = None) -> float:
        self.calls.append((claim, passage))
        words = [w for w in re.findall(r"\w+", claim.casefold()) if len(w) > 4]
        hits = sum(1 for w in words if w in passage.casefold())
        return self.score if words and hits >= 0.6 * len(words) else 0.1


def fake_assistant(tmp_path: Path, corpus: Path, generator: Any, **answer: Any) -> Any:
    """An Assistant over ``corpus`` (indexed into ``tmp_path/ix``) with the fakes above: hash
    embedder, the given generator, keyword checker; relevance gate at 0.2; ``answer``: other
    answer settings."""
    from rag import Assistant, Config
    from rag.config import AnswerConfig, IndexConfig

    settings = {"min_relevance": 0.2} | answer
    config = Config(index=IndexConfig(dir=tmp_path / "ix"), answer=AnswerConfig(**settings))
    a = Assistant.open(
        config=config, embedder=HashEmbedder(), generator=generator, checker=KeywordChecker()
    )
    a.add([corpus])
    return a

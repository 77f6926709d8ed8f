"""What one answer carries through the pipeline (rag/answering.py): its clock and its draft."""

from __future__ import annotations

import time
from dataclasses import dataclass, field

from index import Hit
from rag.types import Evidence, Timings

__all__ = ["Clock", "Draft"]


@dataclass
class Clock:
    start: float
    condense: float = 0.0
    retrieval: float = 0.0
    first_token: float | None = None
    generation: float = 0.0
    verification: float = 0.0

    def since(self) -> float:
        return time.perf_counter() - self.start

    def timings(self) -> Timings:
        return Timings(
            self.condense,
            self.retrieval,
            self.first_token,
            self.generation,
            self.verification,
            self.since(),
        )


@dataclass
class Draft:
    """What one answer accumulates on its way through the pipeline."""

    question: str
    standalone: str
    lang: str
    hits: list[Hit] = field(default_factory=list)
    evidence: list[Evidence] = field(default_factory=list)
    raw: str = ""
    prompt_tokens: int = 0
    decline_probability: float | None = None
    second_draft: str = ""

    @property
    def asked(self) -> str:
        """The question's words, as asked and as rewritten from the conversation."""
        return (
            self.question
            if self.question == self.standalone
            else f"{self.question}\n{self.standalone}"
        )

"""How the harness asks the judge about long passages.

The judge is a small model that reads a claim and a passage and answers yes or no; on a
passage of 2,000 characters its P(yes) drifts toward 0.5 even when one sentence of it states
the claim word for word (seen on the LlamaIndex baseline's 512-token citation chunks). NLI
evaluators meet the same limit and judge long premises piece by piece. So the harness judges
a long cited text window by window (whole sentences, at most ``max_chars``, each window
starting one sentence after the last) and takes the best window. Passages up to
``max_chars`` — ours, and most SQuAD paragraphs — are judged whole, exactly as before. The
rule check (numbers, names, attributions) still reads the whole cited text.
"""

from __future__ import annotations

from index.text import detect_language, sentence_spans
from rag.prompts import ANSWER_LANGUAGES
from rag.verify import SupportChecker

__all__ = ["WindowedChecker", "windows"]


def windows(text: str, max_chars: int) -> list[str]:
    """Sentence windows of ``text``, each as long as fits in ``max_chars`` (at least one
    sentence), one starting at every sentence; the whole text when it fits."""
    if len(text) <= max_chars:
        return [text]
    spans = sentence_spans(text, detect_language(text, ANSWER_LANGUAGES))
    out: list[str] = []
    for i, first in enumerate(spans):
        end = first.end
        for s in spans[i + 1 :]:
            if s.end - first.start > max_chars:
                break
            end = s.end
        out.append(text[first.start : end])
        if end == spans[-1].end:
            break  # later windows would be parts of this one
    return out or [text]


class WindowedChecker:
    """A ``SupportChecker`` that judges long passages window by window (best window wins)."""

    def __init__(self, inner: SupportChecker, max_chars: int = 800) -> None:
        self.inner = inner
        self.max_chars = max_chars

    @property
    def name(self) -> str:
        return self.inner.name

    def support(self, claim: str, passage: str, question: str | None = None) -> float:
        best = 0.0
        for window in windows(passage, self.max_chars):
            best = max(best, self.inner.support(claim, window, question))
            if best >= 0.99:
                break
        return best

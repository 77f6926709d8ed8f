"""Whether the judge's scores tell right answers from wrong ones, read off a run.

A stricter threshold only helps if the answers it would remove are wrong more often than
right. For every answered question the run keeps the judge's P(yes) of each draft sentence;
an answer stands on its weakest supported sentence, so that is the score a higher threshold
would cut it at. The line groups those scores by what the answer was: right, wrong (an
answerable question answered without its key facts), or an unanswerable question answered.
Overlapping ranges say that the threshold cannot separate them and the method has to change.
(Measured 2026-12-06 on the retried drafts of the seeds and SQuAD pairs: right 0.63-0.83,
false premises answered 0.65-0.82.)
"""

from __future__ import annotations

from collections.abc import Iterable
from statistics import median
from typing import Protocol

from eval.causes import VerifiedRecord

__all__ = ["SUPPORT_GROUPS", "SupportRecord", "support_line", "weakest_support"]

SUPPORT_GROUPS = ("right", "wrong", "unanswerable answered")


class SupportRecord(VerifiedRecord, Protocol):
    """What is read of one answered example (``ExampleResult`` fits): what the verification
    count reads, and the judge's score of each draft sentence."""

    @property
    def sentence_support(self) -> tuple[float, ...]: ...


def weakest_support(results: Iterable[SupportRecord]) -> dict[str, list[float]]:
    """Per group, the lowest judge P(yes) among each answer's supported sentences.

    Answers without scores (a pipeline that does not verify, a journal written before the
    scores were kept) are left out rather than counted as 0."""
    out: dict[str, list[float]] = {g: [] for g in SUPPORT_GROUPS}
    for r in results:
        if r.abstained or len(r.sentence_support) != len(r.sentences):
            continue
        kept = [p for (_, _, ok), p in zip(r.sentences, r.sentence_support, strict=True) if ok]
        if not kept:
            continue
        if not r.example.answerable:
            group = "unanswerable answered"
        else:
            group = "right" if r.correct else "wrong"
        out[group].append(min(kept))
    return out


def support_line(groups: dict[str, list[float]]) -> str:
    """``judge P(yes) of each answer's weakest kept sentence: right 46 (0.61-0.98, median
    0.80), wrong 7 (…)`` or "" when no answer had scores."""
    parts = []
    for g in SUPPORT_GROUPS:
        ps = sorted(groups.get(g, []))
        if ps:
            parts.append(f"{g} {len(ps)} ({ps[0]:.2f}-{ps[-1]:.2f}, median {median(ps):.2f})")
    if not parts:
        return ""
    return "judge P(yes) of each answer's weakest kept sentence: " + ", ".join(parts)

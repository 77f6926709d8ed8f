"""Metric definitions. Each returns ``None`` ("undefined") when there is nothing to score.

Retrieval works on the ranked list of distinct documents (file names) of the hits.
Citation metrics follow ALCE (Gao et al. 2023): a sentence's citation recall is 1 when its
citations (at most 3) jointly support it; a citation is imprecise when it alone does not
support the sentence and the other citations do without it; only sentences with recall 1
earn precision credit. Abstention treats "the question is unanswerable" as the positive
class; answered-precision and accuracy follow PaperQA2 (correct/answered, correct/all).
"""

from __future__ import annotations

import math
import re
import statistics
import string
from collections import Counter
from collections.abc import Callable, Sequence
from typing import TypeVar

__all__ = [
    "abstention_scores",
    "citation_scores",
    "exact_match",
    "key_facts_hit",
    "mean",
    "mrr",
    "ndcg_at",
    "normalise_numbers",
    "percentile",
    "recall_at",
    "token_f1",
]

_GROUPED = re.compile(r"(?<![\d.,])\d{1,3}(?:[.,\u202f ]\d{3})+(?![\d]|[.,]\d)")


def normalise_numbers(text: str) -> str:
    """Join digit groups so "1,700", "1.700" and "1 700" all read "1700"."""
    return _GROUPED.sub(lambda m: re.sub(r"[.,\u202f ]", "", m.group(0)), text)


def key_facts_hit(answer: str, facts: Sequence[Sequence[str]]) -> bool:
    """Every fact has at least one accepted variant in the answer (case-folded, numbers
    normalised). No facts: False (nothing can be confirmed)."""
    if not facts:
        return False
    text = normalise_numbers(answer).casefold()
    return all(any(normalise_numbers(v).casefold() in text for v in variants) for variants in facts)


def _squad_normalise(text: str) -> str:
    text = text.casefold()
    text = "".join(ch for ch in text if ch not in set(string.punctuation))
    text = re.sub(r"\b(a|an|the)\b", " ", text)
    return " ".join(text.split())


def exact_match(prediction: str, answers: Sequence[str]) -> float | None:
    if not answers:
        return None
    return max(float(_squad_normalise(prediction) == _squad_normalise(a)) for a in answers)


def token_f1(prediction: str, answers: Sequence[str]) -> float | None:
    if not answers:
        return None
    best = 0.0
    pred = _squad_normalise(prediction).split()
    for a in answers:
        gold = _squad_normalise(a).split()
        common = Counter(pred) & Counter(gold)
        same = sum(common.values())
        if same == 0:
            continue
        p, r = same / len(pred), same / len(gold)
        best = max(best, 2 * p * r / (p + r))
    return best


def _first_relevant(ranked_docs: Sequence[str], gold: set[str]) -> int | None:
    return next((i for i, d in enumerate(ranked_docs, 1) if d in gold), None)


def recall_at(ranked_docs: Sequence[str], gold: Sequence[str], k: int) -> float | None:
    if not gold:
        return None
    return float(any(d in set(gold) for d in ranked_docs[:k]))


def mrr(ranked_docs: Sequence[str], gold: Sequence[str]) -> float | None:
    if not gold:
        return None
    rank = _first_relevant(ranked_docs, set(gold))
    return 1.0 / rank if rank else 0.0


def ndcg_at(ranked_docs: Sequence[str], gold: Sequence[str], k: int = 10) -> float | None:
    if not gold:
        return None
    gold_set = set(gold)
    dcg = sum(1.0 / math.log2(i + 1) for i, d in enumerate(ranked_docs[:k], 1) if d in gold_set)
    ideal = sum(1.0 / math.log2(i + 1) for i in range(1, min(k, len(gold_set)) + 1))
    return dcg / ideal


P = TypeVar("P")  # a cited passage, in whatever form the support check takes


def citation_scores(
    sentences: Sequence[tuple[str, Sequence[P]]],
    supports: Callable[[str, Sequence[P]], bool],
    max_cited: int = 3,
) -> tuple[float | None, float | None]:
    """(citation recall, citation precision) over the sentences of one or many answers."""
    if not sentences:
        return None, None
    recalls: list[float] = []
    precise = total = 0
    for text, all_cited in sentences:
        cited = list(all_cited)[:max_cited]
        total += len(cited)
        ok = bool(cited) and supports(text, cited)
        recalls.append(float(ok))
        if not ok:
            continue
        if len(cited) == 1:
            precise += 1
            continue
        for i, c in enumerate(cited):
            alone = supports(text, [c])
            rest = cited[:i] + cited[i + 1 :]
            if alone or not supports(text, rest):
                precise += 1
    return mean(recalls), (precise / total if total else None)


def abstention_scores(
    should_abstain: Sequence[bool], abstained: Sequence[bool]
) -> dict[str, float | None]:
    tp = sum(s and a for s, a in zip(should_abstain, abstained, strict=True))
    fp = sum(a and not s for s, a in zip(should_abstain, abstained, strict=True))
    fn = sum(s and not a for s, a in zip(should_abstain, abstained, strict=True))
    p = tp / (tp + fp) if tp + fp else None
    r = tp / (tp + fn) if tp + fn else None
    # 2tp / (2tp + fp + fn): 0, not undefined, for a pipeline that never abstains although
    # some questions are unanswerable (its precision alone is undefined)
    f1 = 2 * tp / (2 * tp + fp + fn) if tp + fp + fn else None
    return {"precision": p, "recall": r, "f1": f1}


def mean(values: Sequence[float | None]) -> float | None:
    xs = [v for v in values if v is not None]
    return statistics.fmean(xs) if xs else None


def percentile(values: Sequence[float], q: float) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, math.ceil(q * len(ordered)) - 1))]

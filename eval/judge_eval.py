"""Meta-evaluation of the support check (rule + judge) on labelled claim/passage pairs.

Each pair is checked exactly as an answer sentence is at answer time (``check_sentence``),
scoring "supported" as the positive class. The P(yes) of every pair is kept, so the
threshold that maximises accuracy, at a precision of at least ``MIN_PRECISION``, can be
read off the same run (``calibrate``).
"""

from __future__ import annotations

import json
import zlib
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path

from rag.verify import SupportChecker, check_sentence

__all__ = [
    "JudgeReport",
    "Pair",
    "calibrate",
    "evaluate_judge",
    "held_out",
    "load_pairs",
    "split_halves",
]


@dataclass(frozen=True)
class Pair:
    id: str
    claim: str
    claim_language: str
    passage: str
    passage_language: str
    label: str  # supported | unsupported
    kind: str
    # the question a short answer ("1935.") answers: the judge sees it, as at answer time
    question: str | None = None
    # pairs made from one source passage share a group and stay in the same half when
    # the set is split to choose a threshold on one half and measure it on the other
    group: str = ""


@dataclass(frozen=True)
class Scored:
    pair: Pair
    rule_ok: bool
    p_yes: float  # 0 when the rule already failed


@dataclass(frozen=True)
class Metrics:
    n: int
    accuracy: float
    precision: float | None  # None: nothing predicted supported
    recall: float | None  # None: no supported pairs


@dataclass(frozen=True)
class HeldOut:
    """A threshold chosen on one half of the pairs, measured on the other half."""

    fit_n: int
    threshold: float
    fit_accuracy: float
    overall: Metrics
    by_kind: dict[str, Metrics]


@dataclass(frozen=True)
class JudgeReport:
    judge: str
    threshold: float
    overall: Metrics
    by_kind: dict[str, Metrics]
    by_languages: dict[str, Metrics]
    best_threshold: float
    best_accuracy: float
    held_out: HeldOut | None = None

    def to_dict(self) -> dict[str, object]:
        return asdict(self)


_REQUIRED = ("id", "claim", "claim_language", "passage", "passage_language", "label", "kind")


def load_pairs(path: Path) -> list[Pair]:
    pairs: list[Pair] = []
    for lineno, line in enumerate(path.read_text("utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
            pair = Pair(
                **{k: row[k] for k in Pair.__dataclass_fields__ if k in row or k in _REQUIRED}
            )
        except (json.JSONDecodeError, KeyError, TypeError) as exc:
            raise ValueError(f"{path}:{lineno}: bad pair ({exc})") from exc
        if pair.label not in ("supported", "unsupported"):
            raise ValueError(f"{path}:{lineno}: label must be supported or unsupported")
        pairs.append(pair)
    return pairs


def score_pairs(
    pairs: Iterable[Pair], checker: SupportChecker, window: int = 0, question_words: int = 0
) -> list[Scored]:
    """``window`` and ``question_words``: as answer.judge_window and
    answer.judge_question_words, so the pairs are judged as answers are."""
    out = []
    for p in pairs:
        # threshold 0: every claim that passes the rule reaches the judge, so P(yes) is known
        check = check_sentence(
            p.claim,
            p.claim_language,
            [(p.passage, p.passage_language)],
            checker,
            threshold=0.0,
            question=p.question,
            window=window,
            question_words=question_words,
        )
        out.append(Scored(p, check.supported, check.score))
    return out


def _metrics(scored: Sequence[Scored], threshold: float) -> Metrics:
    tp = fp = fn = tn = 0
    for s in scored:
        predicted = s.rule_ok and s.p_yes >= threshold
        actual = s.pair.label == "supported"
        tp += predicted and actual
        fp += predicted and not actual
        fn += actual and not predicted
        tn += not predicted and not actual
    n = len(scored)
    return Metrics(
        n=n,
        accuracy=(tp + tn) / n if n else 0.0,
        precision=tp / (tp + fp) if tp + fp else None,
        recall=tp / (tp + fn) if tp + fn else None,
    )


# The least precision a chosen threshold may have on the pairs it is chosen on: a verifier
# that passes more than about one unsupported claim in eight is not one, whatever its
# accuracy (the floor tests/eval/test_judge_eval.py holds the judge to). Accuracy alone is
# flat near its top: on the 116 pairs of the fit half, llama.cpp compiled for an AMD EPYC
# (AVX-512, no AMX) gave 103 right at 0.442 against 100 at 0.59, and 0.442 passed false
# claims (precision 0.831 there, 0.851 on the other half; 0.912 at 0.59). Compiled for a CPU
# with AMX, the best accuracy sat at 0.591 with precision above the floor, so this chooses
# the same there.
MIN_PRECISION = 0.88


def calibrate(
    scored: Sequence[Scored], min_precision: float = MIN_PRECISION
) -> tuple[float, float]:
    """The threshold with the best accuracy among those whose precision reaches
    ``min_precision`` (among all when none does); among ties the highest (fewer false
    supports)."""
    candidates = sorted({0.5, *(round(s.p_yes, 3) for s in scored if s.rule_ok)})
    metrics = {t: _metrics(scored, t) for t in candidates}
    precise = [t for t in candidates if (metrics[t].precision or 0.0) >= min_precision]
    best = max(precise or candidates, key=lambda t: (metrics[t].accuracy, t))
    return best, metrics[best].accuracy


def split_halves(scored: Sequence[Scored]) -> tuple[list[Scored], list[Scored]]:
    """Two halves by source group (a stable hash of its name, so the split never depends on
    the order of the file or on the scores); a pair without a group is its own group."""
    fit: list[Scored] = []
    held: list[Scored] = []
    for s in scored:
        key = s.pair.group or s.pair.id
        (held if zlib.crc32(key.encode()) % 2 else fit).append(s)
    return fit, held


def _by_kind(scored: Sequence[Scored], threshold: float) -> dict[str, Metrics]:
    kinds: dict[str, list[Scored]] = defaultdict(list)
    for s in scored:
        kinds[s.pair.kind].append(s)
    return {k: _metrics(v, threshold) for k, v in sorted(kinds.items())}


def held_out(scored: Sequence[Scored]) -> HeldOut:
    fit, held = split_halves(scored)
    threshold, fit_accuracy = calibrate(fit)
    return HeldOut(
        fit_n=len(fit),
        threshold=threshold,
        fit_accuracy=fit_accuracy,
        overall=_metrics(held, threshold),
        by_kind=_by_kind(held, threshold),
    )


def evaluate_judge(
    scored: Sequence[Scored], judge: str, threshold: float, holdout: bool = False
) -> JudgeReport:
    groups: dict[str, dict[str, list[Scored]]] = {
        "kind": defaultdict(list),
        "lang": defaultdict(list),
    }
    for s in scored:
        groups["kind"][s.pair.kind].append(s)
        groups["lang"][f"{s.pair.claim_language}→{s.pair.passage_language}"].append(s)
    best, best_acc = calibrate(scored)
    return JudgeReport(
        judge=judge,
        threshold=threshold,
        overall=_metrics(scored, threshold),
        by_kind={k: _metrics(v, threshold) for k, v in sorted(groups["kind"].items())},
        by_languages={k: _metrics(v, threshold) for k, v in sorted(groups["lang"].items())},
        best_threshold=best,
        best_accuracy=best_acc,
        held_out=held_out(scored) if holdout else None,
    )


def _fmt(x: float | None) -> str:
    return "  —  " if x is None else f"{x:5.3f}"


def render(report: JudgeReport) -> str:
    lines = [
        f"judge: {report.judge}   threshold: {report.threshold:.3f}",
        f"{'':22} {'n':>4} {'acc':>6} {'prec':>6} {'recall':>6}",
    ]

    def row(name: str, m: Metrics) -> str:
        return (
            f"{name:22} {m.n:4d} {_fmt(m.accuracy):>6} {_fmt(m.precision):>6} {_fmt(m.recall):>6}"
        )

    lines.append(row("all", report.overall))
    lines += [row(f"kind {k}", m) for k, m in report.by_kind.items()]
    lines += [row(f"languages {k}", m) for k, m in report.by_languages.items()]
    lines.append(
        f"best threshold on this set (precision >= {MIN_PRECISION}): "
        f"{report.best_threshold:.3f} (accuracy {report.best_accuracy:.3f})"
    )
    h = report.held_out
    if h is not None:
        lines += [
            f"threshold chosen on one half ({h.fit_n} pairs): {h.threshold:.3f} "
            f"(accuracy {h.fit_accuracy:.3f} there); measured on the other half:",
            row("held-out all", h.overall),
            *(row(f"held-out {k}", m) for k, m in h.by_kind.items()),
        ]
    if report.overall.accuracy < 0.85:
        lines.append(
            "WARNING: accuracy is below 0.85; citation metrics built on this judge "
            "are not trustworthy yet"
        )
    return "\n".join(lines)

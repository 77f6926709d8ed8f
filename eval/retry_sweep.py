"""What ``answer.retry_below`` = t would give, read from one report made with t = 1.

A run with ``retry_declined`` on and ``retry_below`` = 1 asks again after every decline and
records the probability of each first decline. At temperature 0 a run at a lower t differs
only where that probability is >= t: there the first decline stands. So one run answers for
every t, and the threshold can be chosen on one half of the questions and checked on the
other (halves by a hash of the question id, fixed before looking).

    python -m eval.retry_sweep seeds=REPORT.json squad=REPORT.json

With ``--quote``, the same for ``answer.quote_threshold`` (rag/quoting.py), from runs made
with it at 0: every decline that had a sentence to quote was answered with one, and records
its P(yes); at a higher t those under t stay declined.

    RAG_ANSWER__QUOTE_THRESHOLD=0 rag eval seeds/qa.jsonl --out RUN
    python -m eval.retry_sweep --quote seeds=RUN/report.json

With ``--premise``, the same for ``answer.premise_threshold`` (rag/premise.py), from runs
made with it at 0: every answer's premise P(yes) is recorded and none refused; at a higher
t those under t are declined (no quote is tried after a refusal, so that is the outcome).
A question answered in parts records its weakest part's P(yes), so for those the sweep is
an approximation (a refused part ends the whole question only when no other part answers).

    RAG_ANSWER__PREMISE_THRESHOLD=0 rag eval seeds/qa.jsonl --out RUN
    python -m eval.retry_sweep --premise seeds=RUN/report.json
"""

from __future__ import annotations

import hashlib
import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

__all__ = ["Row", "figures", "half", "sweep"]

Row = dict[str, Any]  # one example of report.json["examples"]["ours"]
THRESHOLDS = (0.0, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0)
QUOTE_THRESHOLDS = (0.0, 0.6, 0.65, 0.7, 0.72, 0.74, 0.75, 0.76, 0.78, 0.8, 0.85, 0.9)
PREMISE_THRESHOLDS = (0.0, 0.2, 0.25, 0.3, 0.35, 0.4, 0.45, 0.5)
KINDS = ("retry", "quote", "premise")  # which threshold a sweep reads


def half(row: Row) -> int:
    return int(hashlib.sha256(row["example"]["id"].encode()).hexdigest(), 16) % 2


def _outcome(row: Row, t: float, kind: str = "retry") -> tuple[bool, bool, list[Any]]:
    """(abstained, correct, draft sentences) of ``row`` had the threshold been ``t``."""
    if kind == "quote":
        q = row.get("quote_score")
        declined = q is not None and q < t
    elif kind == "premise":
        q = row.get("premise_score")
        declined = q is not None and q < t and not row["abstained"]
    else:
        p = row.get("decline_probability")
        declined = p is not None and p >= t
    if declined:
        return True, not row["example"]["answerable"], []
    return row["abstained"], row["correct"], row["sentences"]


def _mean(xs: Sequence[float]) -> float | None:
    return round(sum(xs) / len(xs), 3) if xs else None


def figures(rows: Sequence[Row], t: float, kind: str = "retry") -> dict[str, Any]:
    """Accuracy, answered-precision, declines, and the draft figures the gate reads
    (faithfulness, citation recall) from the answer-time verdicts."""
    out = [(_outcome(r, t, kind), r["example"]["answerable"]) for r in rows]
    drafts = [s for (_a, _c, ss), _ans in out for s in ss]
    per_answer = [[bool(c) and ok for _t, c, ok in ss] for (_a, _c, ss), _ans in out if ss]
    return {
        "n": len(rows),
        "accuracy": _mean([float(c) for (_a, c, _s), _ans in out]),
        "answered_precision": _mean([float(c) for (a, c, _s), _ans in out if not a]),
        "answerable_declined": sum(a for (a, _c, _s), ans in out if ans),
        "unanswerable_declined": sum(a for (a, _c, _s), ans in out if not ans),
        "unanswerable": sum(not ans for _o, ans in out),
        "faithfulness": _mean([float(bool(c) and ok) for _t, c, ok in drafts]),
        "citation_recall": _mean([sum(x) / len(x) for x in per_answer]),
    }


def sweep(
    runs: dict[str, Sequence[Row]], thresholds: Sequence[float] = THRESHOLDS, kind: str = "retry"
) -> str:
    lines = ["| t | set | half | " + " | ".join(figures([], 0.0)) + " |"]
    lines.append("|" + "---|" * (len(figures([], 0.0)) + 3))
    for t in thresholds:
        for name, rows in runs.items():
            for h in (0, 1, None):
                sub = [r for r in rows if h is None or half(r) == h]
                vals = figures(sub, t, kind).values()
                label = "all" if h is None else str(h)
                lines.append(f"| {t} | {name} | {label} | " + " | ".join(map(str, vals)) + " |")
    return "\n".join(lines)


def main(argv: Sequence[str]) -> int:
    kind = next((k for k in KINDS if f"--{k}" in argv), "retry")
    runs = {}
    for arg in (a for a in argv if not a.startswith("--")):
        name, _, path = arg.partition("=")
        runs[name] = json.loads(Path(path).read_text())["examples"]["ours"]
    thresholds = {"quote": QUOTE_THRESHOLDS, "premise": PREMISE_THRESHOLDS}.get(kind, THRESHOLDS)
    sys.stdout.write(sweep(runs, thresholds, kind) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))

"""The grounding gate for the seed QA set, checked in CI by tests/eval/test_gate.py.

Each floor sits a few examples below what the default pipeline measured (embeddinggemma-300m
+ qwen2.5-coder-1.5b q4_k_m). Set 2026-11-22 on 58 questions, re-measured on 62; raised
2026-11-23 on 76 questions (follow-ups, two-document and injection cases added) after the
coverage work: citation binding, attribution, the prompt asking for the source's words;
raised again after hesitant declines are asked again (answer.retry_below = 0.5): accuracy and
declines improved, while the draft figures (faithfulness, citation recall, which count the
retried drafts that verification then removes) and answered-precision came down to just
above their floors, which stay where they were; raised 2026-12-01 after "ein Prozent" was
read as 1 (one more right answer, a38); raised 2026-12-05 after answer.join_adjacent (a28
right: accuracy 0.697 -> 0.711, key facts 0.656 -> 0.672). The pipeline is deterministic on this
hardware (temperature 0; two runs a session apart gave identical figures).
Raise a floor when the pipeline improves; never lower one to make a change pass.
"""

from __future__ import annotations

__all__ = ["SEED_GATE", "as_cli_args"]

SEED_GATE: dict[str, float] = {
    "recall@5": 0.95,  # measured 0.984 (was 0.94 on 0.979)
    "mrr": 0.92,  # 0.943 (was 0.91)
    "key_fact_accuracy": 0.63,  # 0.672, 41 of 61 answerable (was 0.62 on 0.656)
    "citation_recall": 0.71,  # 0.732, ALCE on every draft sentence, retried drafts too
    "citation_precision": 0.95,  # 0.990
    "faithfulness": 0.71,  # 0.724 of draft sentences supported by their citations
    "quote_exact": 1.0,  # 1.000: a citation's quote is always document.text[start:end]
    "abstention_f1": 0.61,  # 0.650 (13 of 15 unanswerable declined; 12 false declines)
    "answered_precision": 0.79,  # 0.804 (0.837 before the retry of hesitant declines)
    "accuracy": 0.67,  # 0.711, 54 of 76 (was 0.66 on 0.697)
}


def as_cli_args() -> list[str]:
    """The gate as ``--min METRIC=VALUE`` arguments for ``rag eval``."""
    return [arg for name, value in SEED_GATE.items() for arg in ("--min", f"{name}={value}")]

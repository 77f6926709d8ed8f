"""The grounding gate for the seed QA set, checked in CI by tests/eval/test_gate.py.

Each floor sits a few examples below what the default pipeline measured (embeddinggemma-300m
+ qwen2.5-coder-1.5b q4_k_m). Set 2026-11-22 on 58 questions; re-measured the same day on 62
(the four injection cases added, faithfulness judged by the harness), identical in two runs,
and the floors that had room were raised. Raise a floor when the pipeline improves; never
lower one to make a change pass.
"""

from __future__ import annotations

__all__ = ["SEED_GATE", "as_cli_args"]

SEED_GATE: dict[str, float] = {
    "recall@5": 0.94,  # measured 0.979 (one answerable question misses its gold article)
    "mrr": 0.91,  # 0.948
    "key_fact_accuracy": 0.47,  # 0.521 (25 of 48)
    "citation_recall": 0.62,  # 0.686, ALCE on every draft sentence
    "citation_precision": 0.95,  # 1.000
    "faithfulness": 0.61,  # 0.673 of draft sentences supported by their citations
    "quote_exact": 1.0,  # 1.000: a citation's quote is always document.text[start:end]
    "abstention_f1": 0.52,  # 0.585
    "answered_precision": 0.68,  # 0.714
    "accuracy": 0.55,  # 0.597 (37 of 62)
}


def as_cli_args() -> list[str]:
    """The gate as ``--min METRIC=VALUE`` arguments for ``rag eval``."""
    return [arg for name, value in SEED_GATE.items() for arg in ("--min", f"{name}={value}")]

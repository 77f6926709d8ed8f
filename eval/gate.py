"""The grounding gate for the seed QA set, checked in CI by tests/eval/test_gate.py.

Each floor sits a few examples below what the default pipeline measured when it was set
(2026-11-22, embeddinggemma-300m + qwen2.5-coder-1.5b q4_k_m, 58 questions), so one or two
answers flipping does not fail CI but a real regression does. Raise a floor when the
pipeline improves; never lower one to make a change pass.
"""

from __future__ import annotations

__all__ = ["SEED_GATE", "as_cli_args"]

SEED_GATE: dict[str, float] = {
    "recall@5": 0.93,  # measured 0.978 (44 of 45 answerable questions)
    "mrr": 0.90,  # 0.944
    "key_fact_accuracy": 0.45,  # 0.511 (23 of 45)
    "citation_recall": 0.58,  # 0.646, ALCE on every draft sentence
    "citation_precision": 0.95,  # 1.000
    "faithfulness": 0.57,  # 0.633 of draft sentences verified
    "quote_exact": 1.0,  # 1.000: a citation's quote is always document.text[start:end]
    "abstention_f1": 0.48,  # 0.550
    "answered_precision": 0.68,  # 0.742
    "accuracy": 0.53,  # 0.586
}


def as_cli_args() -> list[str]:
    """The gate as ``--min METRIC=VALUE`` arguments for ``rag eval``."""
    return [arg for name, value in SEED_GATE.items() for arg in ("--min", f"{name}={value}")]

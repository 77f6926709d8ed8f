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
right: accuracy 0.697 -> 0.711, key facts 0.656 -> 0.672); raised 2026-12-05 again after
answer.split_parts (accuracy 0.711 -> 0.763, two-document questions 2 -> 6 of 9, answered-
precision 0.804 -> 0.833; citation precision 0.990 -> 0.963, its floor unchanged); raised
2026-12-06 after instructions to the assistant were left out of the prompt and a number
question answered without a number is asked for it (i02 right: accuracy 0.763 -> 0.776,
key facts 0.738 -> 0.754, injection 5 -> 6 of 6). The pipeline is deterministic on this
hardware (temperature 0; two runs a session apart gave identical figures), for one llama.cpp
build: the build `make setup` compiles for an AVX-512 CPU (repacked, as it was then) rounds
differently from the prebuilt wheel and moved 4 of 76 outcomes (accuracy 0.776 both;
citation recall 0.764 -> 0.750, faithfulness 0.759 -> 0.747, abstention F1 0.722 -> 0.703,
answered-precision 0.836 -> 0.852), every figure above its floor with either. Since
2026-12-06 `make setup` compiles that build by default on such a CPU and leaves the weights
unrepacked (answer.repack): 6 of 76 outcomes moved (accuracy 0.803, key facts 0.803,
answered-precision 0.875, citation precision / recall 0.973 / 0.786, faithfulness 0.772,
abstention F1 0.686 with 12 of 15 declined); the floors stay, since a CPU without AVX-512
keeps the prebuilt wheel and its figures above. Raised 2026-12-07 after answer.quote_fallback
(a decline whose answer is one evidence sentence is answered with it, quoted): accuracy
0.803 -> 0.842, key facts 0.803 -> 0.852, citation recall 0.786 -> 0.830, faithfulness 0.772
-> 0.810 on the build for the CPU; the new floors sit under the prebuilt wheel's figures
before that change (quoting only turns declines into answers), so that build still passes.
Raised 2026-12-07 again after answer.premise_check (u06, u10 declined: accuracy 0.842 ->
0.868, answered-precision 0.881 -> 0.912, abstention F1 0.750 -> 0.824, 14 of 15 declined);
accuracy, answered-precision and abstention F1 only, and still under the prebuilt wheel's
figures before both changes (0.776, 0.836, 0.703), which the premise check cannot lower on
the declines it leaves alone. Citation recall and faithfulness fell 0.005 (two supported
draft sentences now belong to declines, and the evaluation scores those as uncited).
Raise a floor when the pipeline improves; never lower one to make a change pass.
"""

from __future__ import annotations

__all__ = ["SEED_GATE", "as_cli_args"]

SEED_GATE: dict[str, float] = {
    "recall@5": 0.95,  # measured 0.984 (was 0.94 on 0.979)
    "mrr": 0.92,  # 0.943 (was 0.91)
    "key_fact_accuracy": 0.74,  # 0.852, 52 of 61 answerable (prebuilt wheel 0.754 before quotes)
    "citation_recall": 0.75,  # 0.825, ALCE on every draft sentence, retried drafts too
    "citation_precision": 0.95,  # 0.975 (0.990 before split_parts)
    "faithfulness": 0.74,  # 0.805 of draft sentences supported by their citations
    "quote_exact": 1.0,  # 1.000: a citation's quote is always document.text[start:end]
    "abstention_f1": 0.69,  # 0.824 (14 of 15 unanswerable declined; 5 false declines)
    "answered_precision": 0.82,  # 0.912 (prebuilt wheel 0.836 before quotes and premises)
    "accuracy": 0.77,  # 0.868, 66 of 76 (prebuilt wheel 0.776 before quotes and premises)
}


def as_cli_args() -> list[str]:
    """The gate as ``--min METRIC=VALUE`` arguments for ``rag eval``."""
    return [arg for name, value in SEED_GATE.items() for arg in ("--min", f"{name}={value}")]

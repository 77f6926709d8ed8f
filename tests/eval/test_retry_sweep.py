from __future__ import annotations

from typing import Any

from eval.retry_sweep import figures, sweep


def _row(
    ex_id: str, answerable: bool, p: float | None, abstained: bool, correct: bool, ok: bool = True
) -> dict[str, Any]:
    sentences = [] if abstained else [["A sentence [1].", [["quote", "en"]], ok]]
    return {
        "example": {"id": ex_id, "answerable": answerable},
        "decline_probability": p,
        "abstained": abstained,
        "correct": correct,
        "sentences": sentences,
    }  # fmt: skip


ROWS = [
    _row("a", True, None, False, True),  # answered at once
    _row("b", True, 0.3, False, True),  # a hesitant decline, right when asked again
    _row("c", True, 0.6, False, False, ok=False),  # a surer decline, wrong when asked again
    _row("d", False, 0.9, True, True),  # a sure decline of an unanswerable question
    _row("e", False, 0.4, False, False),  # unanswerable, answered when asked again
]


def test_a_threshold_keeps_the_declines_at_or_above_it() -> None:
    always = figures(ROWS, 1.0)
    assert always["accuracy"] == 0.6 and always["answered_precision"] == 0.5
    assert always["answerable_declined"] == 0
    assert always["unanswerable_declined"] == 1 and always["faithfulness"] == 0.75
    at_half = figures(ROWS, 0.5)  # c keeps its decline; b and e are asked again
    assert at_half["accuracy"] == 0.6 and at_half["answered_precision"] == 0.667
    assert at_half["answerable_declined"] == 1 and at_half["faithfulness"] == 1.0
    never = figures(ROWS, 0.0)  # every first decline stands
    assert never["accuracy"] == 0.6 and never["answerable_declined"] == 2
    assert never["unanswerable_declined"] == 2 and never["answered_precision"] == 1.0


def test_the_sweep_reports_both_halves_and_all() -> None:
    table = sweep({"toy": ROWS}, thresholds=(0.5,))
    rows = [line for line in table.splitlines() if line.startswith("| 0.5 |")]
    assert [r.split(" | ")[2] for r in rows] == ["0", "1", "all"]


def test_a_quote_threshold_turns_the_quotes_under_it_back_into_declines() -> None:
    quoted = [
        _row("q", True, None, False, True) | {"quote_score": 0.8},  # a right quote
        _row("r", False, None, False, False) | {"quote_score": 0.7},  # a false premise quoted
        _row("s", True, None, True, False),  # declined, nothing to quote
    ]
    at_zero = figures(quoted, 0.0, kind="quote")
    assert at_zero["accuracy"] == 0.333 and at_zero["answered_precision"] == 0.5
    at_75 = figures(quoted, 0.75, kind="quote")  # r declined again: right for unanswerable
    assert at_75["accuracy"] == 0.667 and at_75["answered_precision"] == 1.0
    assert at_75["unanswerable_declined"] == 1
    assert figures(quoted, 0.9, kind="quote")["answerable_declined"] == 2


def test_a_premise_threshold_declines_the_answers_under_it() -> None:
    answered = [
        _row("p", True, None, False, True) | {"premise_score": 0.6},  # right, premise held
        _row("u", False, None, False, False) | {"premise_score": 0.25},  # false premise
        _row("w", True, None, False, False) | {"premise_score": 0.3},  # a wrong answer
        _row("x", True, None, True, False),  # declined: never asked
    ]
    at_zero = figures(answered, 0.0, kind="premise")
    assert at_zero["accuracy"] == 0.25 and at_zero["unanswerable_declined"] == 0
    at_35 = figures(answered, 0.35, kind="premise")  # u and w declined, p stands
    assert at_35["accuracy"] == 0.5 and at_35["answered_precision"] == 1.0
    assert at_35["unanswerable_declined"] == 1 and at_35["answerable_declined"] == 2
    assert figures(answered, 0.7, kind="premise")["answered_precision"] is None

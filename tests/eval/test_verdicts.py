"""The weakest kept sentence of each answer, by what the answer was."""

from __future__ import annotations

from dataclasses import dataclass, field

from eval.verdicts import support_line, weakest_support


@dataclass(frozen=True)
class Ex:
    answerable: bool = True


@dataclass(frozen=True)
class Rec:
    sentences: tuple[tuple[str, object, bool], ...]
    sentence_support: tuple[float, ...]
    correct: bool = True
    abstained: bool = False
    example: Ex = field(default_factory=Ex)


def _s(*kept: bool) -> tuple[tuple[str, object, bool], ...]:
    return tuple((f"Sentence {i}.", (), k) for i, k in enumerate(kept))


def test_each_answer_counts_its_weakest_supported_sentence_in_its_group() -> None:
    rows = [
        Rec(_s(True, True), (0.9, 0.7)),  # right: 0.7, the weaker of its two
        Rec(_s(True, False), (0.8, 0.3)),  # right: the removed sentence does not count
        Rec(_s(True), (0.65,), correct=False),  # answerable, answered wrong
        Rec(_s(True), (0.75,), correct=False, example=Ex(answerable=False)),  # false premise
        Rec(_s(False), (0.2,), abstained=True, correct=False),  # declined: no answer to cut
        Rec(_s(True), ()),  # no scores (a journal from before, or the baseline): left out
    ]
    groups = weakest_support(rows)
    assert groups == {"right": [0.7, 0.8], "wrong": [0.65], "unanswerable answered": [0.75]}
    assert support_line(groups) == (
        "judge P(yes) of each answer's weakest kept sentence: right 2 (0.70-0.80, median "
        "0.75), wrong 1 (0.65-0.65, median 0.65), unanswerable answered 1 (0.75-0.75, "
        "median 0.75)"
    )
    assert support_line(weakest_support(rows[4:])) == ""

from __future__ import annotations

import math

import pytest

from index.types import Span
from rag.generators import (
    ExtractiveGenerator,
    GenerationRequest,
    complete,
    phrase_logprob,
    yes_probability_from_top_logprobs,
)
from rag.types import Evidence


@pytest.mark.parametrize(
    ("candidates", "expected"),
    [
        ([("Yes", math.log(0.6)), ("No", math.log(0.2))], 0.75),
        ([(" yes", math.log(0.3)), ("Yes", math.log(0.3)), ("no", math.log(0.2))], 0.75),
        ([("Ja", math.log(0.5)), ("Nein", math.log(0.5))], 0.5),
        ([("No", math.log(0.9))], 0.0),
        ([("Maybe", math.log(0.9))], 0.5),
        ([], 0.5),
    ],
)
def test_yes_probability(candidates: list[tuple[str, float]], expected: float) -> None:
    assert yes_probability_from_top_logprobs(candidates) == pytest.approx(expected)


def _evidence(number: int, text: str) -> Evidence:
    spans = []
    pos = 0
    for sentence in text.split(". "):
        end = pos + len(sentence) + (1 if not sentence.endswith(".") else 0)
        spans.append(Span(100 + pos, 100 + min(end, len(text))))
        pos = end + 1
    return Evidence(number, f"d{number}", "T", "en", 100, 100 + len(text), text, tuple(spans), 20)


def test_extractive_generator_cites_the_best_matching_sentences() -> None:
    ev = (
        _evidence(1, "The bridge opened in 1901. It closed in 2019."),
        _evidence(2, "The mayor said the new bridge costs 12 million euros. Nothing else."),
    )
    req = GenerationRequest([], "How much does the new bridge cost, the mayor said?", ev)
    text = complete(ExtractiveGenerator(sentences=1), req)
    assert text.strip() == "The mayor said the new bridge costs 12 million euros. [2]"
    assert complete(ExtractiveGenerator(), GenerationRequest([], "anything")) == ""


@pytest.mark.parametrize(
    ("path", "phrase", "expected"),
    [
        ([("The", -0.1), (" documents", -0.5), (" do", 0.0), (" not", 0.0), (" say", 0.0),
          (".", -2.0)], "The documents do not say.", -0.6),
        ([("Die", -0.2), (" Dok", -0.3), ("umente", 0.0), (" sagen", 0.0), (" dazu", 0.0),
          (" nichts", -0.1)], "Die Dokumente sagen dazu nichts.", -0.6),
        ([("The", -0.1), (" old", -0.5), (" bridge", 0.0)], "The documents do not say.", None),
        ([("The", -0.1), (" documents", -0.5)], "The documents do not say.", None),
        ([], "The documents do not say.", None),
    ],
)  # fmt: skip
def test_phrase_logprob(path: list[tuple[str, float]], phrase: str, expected: float | None) -> None:
    got = phrase_logprob(path, phrase)
    assert got == (None if expected is None else pytest.approx(expected))

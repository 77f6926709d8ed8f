from __future__ import annotations

import pytest

from rag.citations import parse_answer, renumber, strip_markers


@pytest.mark.parametrize(
    ("text", "offered", "expected"),
    [
        # (sentence text, cited offered numbers, dropped numbers) per sentence
        ("Zaluzhny recommended it [1].", [1, 2], [("Zaluzhny recommended it.", (1,), ())]),
        ("A fact [1, 2].", [1, 2], [("A fact.", (1, 2), ())]),
        ("A fact [1][2].", [1, 2], [("A fact.", (1, 2), ())]),
        ("A fact [2][2][1].", [1, 2], [("A fact.", (2, 1), ())]),
        ("Out of range [7].", [1, 2], [("Out of range.", (), (7,))]),
        ("Zero [0] and three [3].", [1, 2, 3], [("Zero and three.", (3,), (0,))]),
        ("No markers at all.", [1], [("No markers at all.", (), ())]),
        ("A range [1-3].", [1, 2, 3], [("A range.", (1, 2, 3), ())]),
        ("Semicolons [1; 2].", [1, 2], [("Semicolons.", (1, 2), ())]),
        ("Spaced [ 2 ].", [1, 2], [("Spaced.", (2,), ())]),
        ("After the stop. [2]", [1, 2], [("After the stop.", (2,), ())]),
        (
            "First [1]. Second [2].",
            [1, 2],
            [("First.", (1,), ()), ("Second.", (2,), ())],
        ),
        (
            'He called it "BS" – i.e. "bullshit" [3].',
            [1, 2, 3],
            [('He called it "BS" – i.e. "bullshit".', (3,), ())],
        ),
        ("[1]", [1], []),
        ("", [1], []),
    ],
)
def test_parse_answer(
    text: str, offered: list[int], expected: list[tuple[str, tuple[int, ...], tuple[int, ...]]]
) -> None:
    got = [(p.text, p.evidence, p.dropped) for p in parse_answer(text, offered, "en")]
    assert got == expected


def test_german_ordinal_dates_do_not_split_sentences() -> None:
    parsed = parse_answer("Er sagte es am 24. Dezember im Fernsehen [2].", [1, 2], "de")
    assert [(p.text, p.evidence) for p in parsed] == [
        ("Er sagte es am 24. Dezember im Fernsehen.", (2,))
    ]


@pytest.mark.parametrize(
    ("cited", "mapping"),
    [
        ([(3,), (1,), (3, 2)], {3: 1, 1: 2, 2: 3}),
        ([(), (2,), (2,)], {2: 1}),
        ([], {}),
    ],
)
def test_renumber_in_order_of_first_use(
    cited: list[tuple[int, ...]], mapping: dict[int, int]
) -> None:
    assert renumber(cited) == mapping


def test_strip_markers_keeps_punctuation_tidy() -> None:
    assert strip_markers("It fell [1] , they said [2][3] .") == "It fell, they said."

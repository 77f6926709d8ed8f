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
        # a marker after the full stop, followed by another sentence, stays with its sentence
        (
            "It fell in May. [2] The mayor left. [1]",
            [1, 2],
            [("It fell in May.", (2,), ()), ("The mayor left.", (1,), ())],
        ),
        # on a line of its own
        (
            "It fell in May.\n[2]\nThe mayor left [1].",
            [1, 2],
            [("It fell in May.", (2,), ()), ("The mayor left.", (1,), ())],
        ),
        # the prefix style: each sentence opens with its marker
        (
            "[1] It fell in May. [2] The mayor left.",
            [1, 2],
            [("It fell in May.", (1,), ()), ("The mayor left.", (2,), ())],
        ),
        # the words models use instead of a bare number
        ("It fell in May (Source 2).", [1, 2], [("It fell in May.", (2,), ())]),
        ("It fell in May [Source 2].", [1, 2], [("It fell in May.", (2,), ())]),
        ("Sie fiel im Mai [Quelle 1].", [1, 2], [("Sie fiel im Mai.", (1,), ())]),
        ("Sie fiel im Mai (Quellen 1 und 2).", [1, 2], [("Sie fiel im Mai.", (1, 2), ())]),
        ("It fell [Sources 1 and 2].", [1, 2], [("It fell.", (1, 2), ())]),
        ("It fell (source: 2).", [1, 2], [("It fell.", (2,), ())]),
        ("It fell 【2】.", [1, 2], [("It fell.", (2,), ())]),
        ("It fell [^2].", [1, 2], [("It fell.", (2,), ())]),
        # a bare year or count in parentheses is text, not a citation
        ("The bridge (1901) fell (2).", [1, 2], [("The bridge (1901) fell (2).", (), ())]),
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

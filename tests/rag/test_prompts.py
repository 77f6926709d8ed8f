"""The answer prompt: which worked examples go before which question."""

from __future__ import annotations

import pytest

from rag.prompts import answer_messages, asks_two_things


@pytest.mark.parametrize(
    ("question", "language", "two"),
    [
        ("Who leads the Wagner mercenaries, and how old is he?", "en", True),
        ("Since when has Russia tried, and for how many months?", "en", True),
        ("When was the old bridge closed and why?", "en", True),
        ("Wer wollte Bakhmut halten, und wer warnte davor?", "de", True),
        ("Welche Zeitung berichtete, und wie viel Prozent nannte sie?", "de", True),
        # one question word: a list to complete, not a second question
        ("The Rhine forms the border between Austria and what other country?", "en", False),
        # a follow-up that starts with the conjunction asks one thing
        ("And how many were left a month later?", "en", False),
        ("Und wie viele Soldaten fielen?", "de", False),
        # "was" is a verb in English, a question word only in German
        ("When was the bridge opened and closed?", "en", False),
        ("Who won?", "fr", False),
    ],
)
def test_a_question_asks_two_things_when_a_second_question_word_is_joined_on(
    question: str, language: str, two: bool
) -> None:
    assert asks_two_things(question, language) is two


def test_the_two_part_example_comes_only_before_a_two_part_question() -> None:
    one = answer_messages("How old is Prigozhin?", [], "en")
    two = answer_messages("Who leads Wagner, and how old is he?", [], "en")
    assert len(two) == len(one) + 2
    # the two-part answer cites two sources, one sentence each
    shown = [m["content"] for m in two if m["role"] == "assistant"]
    assert any("[1]." in c and "[2]." in c for c in shown)
    assert not any("[1]." in c and "[2]." in c for c in (m["content"] for m in one))
    # the last example still cites [1]: the model copies the number of the example before
    # the real question, and the top-ranked passage is [1]
    assert shown[-1].endswith("[1].")
    # everything before the examples is the same text, so the runtime's cache still holds it
    assert two[:5] == one[:5]

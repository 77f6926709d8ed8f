"""Which questions ask for a number, and which answers state one (English and German)."""

from __future__ import annotations

import pytest

from rag.asking import asks_for_number, restates, states_number


@pytest.mark.parametrize(
    ("question", "asks"),
    [
        ("How many inhabitants did Bakhmut have before the war?", True),
        ("What share of the city does Ukraine still control?", True),
        ("In which year was the bridge opened?", True),
        ("How old is Yevgeny Prigozhin?", True),
        ("Wie viele Menschen lebten vor dem Krieg in Bachmut?", True),
        ("In welchem Verhältnis töten die Ukrainer Russen?", True),
        ("Wie viel Prozent der Stadt hält Russland?", True),
        # a date holds a number; a month alone ("im Januar") does not
        ("On what date was version 3 of the license published?", True),
        ("In which month and year was version 2.0 issued?", True),
        ("In welchem Monat und Jahr wurde die Lizenz herausgegeben?", True),
        ("An welchem Datum trat das Gesetz in Kraft?", True),
        ("In which month did the offensive begin?", False),
        ("Who recommended withdrawing from Bakhmut?", False),
        # "when" and "how far" are answered without numbers too ("in August", "to the west")
        ("When did the Russians take Krasna Gora?", False),
        ("How far did the troops break through?", False),
        ("Wer empfahl den Rückzug aus Bachmut?", False),
        # a conjunction "when" inside a number question does not matter; "how many" does
        ("How many people were in the battalion when it arrived?", True),
        # a measure asked by its name is answered with a number, German compounds too
        ("What key size does the GnuPG help recommend?", True),
        ("What is the length of the Rhine?", True),
        ("How large was the army?", True),
        ("Welche Schlüssellänge empfiehlt die GnuPG-Hilfe?", True),
        ("Wie groß ist die Stadt?", True),
        ("Which area does Ukraine control?", False),
        ("How high is the risk?", False),
    ],
)
def test_number_questions_are_recognised_by_their_words(question: str, asks: bool) -> None:
    assert asks_for_number(question) is asks


@pytest.mark.parametrize(
    ("text", "states"),
    [
        ("70.000 Menschen lebten vor dem Krieg in Bakhmut.", True),
        ("The ratio is 1:7.", True),
        ("Seven Russians die for every Ukrainian.", True),
        ("Thousands of Wagner mercenaries died there.", True),
        ("Tausende Söldner starben dort.", True),
        ("Die Apokalypse von Bakhmut zeigt den ganzen Wahnsinn dieses Krieges.", False),
        ("The German newspaper reported that.", False),
    ],
)
def test_an_answer_states_a_number_in_digits_or_words(text: str, states: bool) -> None:
    assert states_number(text) is states


def test_a_number_of_the_question_is_no_answer_to_it() -> None:
    asked = "In which month and year was version 2.0 of the Apache License issued?"
    licensed = 'Licensed under the Apache License, Version 2.0 (the "License");'
    assert not states_number(licensed, asked)
    assert states_number("Version 2.0 of the Apache License was issued in January 2004.", asked)
    assert states_number("Licensed under the Apache License, Version 2.0.")


@pytest.mark.parametrize(
    ("sentence", "question", "empty"),
    [
        # wrong answers of the evaluation sets (SQuAD pairs q35, licenses l17, software s06)
        (
            "The innate immune system does not attack microbes directly.",
            "What is one part of the innate immune system that doesn't attack microbes directly?",
            True,
        ),
        (
            "Die Mozilla Public License ist laut der Mozilla Public License deren Lizenzverwalter.",
            "Wer ist laut der Mozilla Public License deren Lizenzverwalter?",
            True,
        ),
        (
            "The first key must always be able to do.",
            "When generating keys in GnuPG, what must the first key always be able to do?",
            True,
        ),
        # right answers that add one short word, or words the question has in another form
        (
            'Garry Kasparov called the reports of a ceasefire offer "BS".',
            "What did Garry Kasparov call the reports of a ceasefire offer?",
            False,
        ),
        (
            "You may charge any price or no price for each copy that you convey.",
            "What price may you charge for each copy of a program that you convey?",
            False,
        ),
        (
            "The NOTICE text file's attribution notices must be included.",
            "Which text file's attribution notices must a Derivative Work include?",
            False,
        ),
        ("70,000 people lived there.", "How many people lived there?", False),
    ],
)
def test_a_sentence_adding_no_word_to_its_question_restates_it(
    sentence: str, question: str, empty: bool
) -> None:
    assert restates(sentence, question) is empty

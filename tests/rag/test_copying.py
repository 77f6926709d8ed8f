"""The copy fallback (rag/copying.py): the model copies the answer's words, the sentence
holding them is quoted, and only when the copy's checks pass."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

from rag import Assistant
from rag.copying import AnswerCopier, copied_words, holding_sentence, names_numbers_of
from rag.premise import PremiseCheck
from rag.prompts import answer_messages, copy_messages
from rag.quoting import Quote
from rag.types import Evidence
from tests.fakes import RatingGenerator, fake_assistant

QUESTION = "How many people were in Boris's battalion when it arrived in December?"


def _quote(text: str) -> Quote:
    e = Evidence(1, "d1", "T", "en", 0, len(text), text, (), 20)
    return Quote(e, 0, len(text), text, 0.0)


def test_the_copied_words_lose_markers_quotation_marks_and_the_final_stop() -> None:
    assert copied_words("--verbose [1]") == "--verbose"
    assert copied_words("“blockdev --getsz” [2].") == "blockdev --getsz"
    assert copied_words("20 December  1996 [1][3]") == "20 December 1996"
    assert copied_words("NONE") == "" and copied_words("NONE.") == ""
    assert copied_words("The documents do not say.") == ""
    assert copied_words("Die Dokumente sagen dazu nichts.") == ""
    assert copied_words("[2]") == ""
    # a sentence the model wrote is not a copy
    long = "Kublai Khan gave the title of Duke Yansheng to the southern branch because of it."
    assert copied_words(long) == ""


def test_the_holding_sentence_has_the_words_whole_not_inside_a_longer_word_or_number() -> None:
    quotes = [_quote("Tested on FreeBSD 6.01 in 20045."), _quote("Tested on FreeBSD 6.0 in 2004.")]
    assert holding_sentence("6.0", quotes) is quotes[1]
    assert holding_sentence("2004", quotes) is quotes[1]
    assert holding_sentence("freebsd 6.0", quotes) is quotes[1]  # case aside
    assert holding_sentence("pipe", [_quote("The port does not support pipes.")]) is None
    spaced = _quote("what:  hwclock --debug\nwhy:   renamed to --verbose, and may be")
    assert holding_sentence("renamed to --verbose", [spaced]) is spaced


def test_the_passage_must_hold_the_numbers_the_question_names() -> None:
    apache = "Apache License Version 2.0, January 2004. 1. Definitions."
    assert not names_numbers_of(
        "In welchem Jahr wurde die Apache-Lizenz 1.0 veröffentlicht?", apache
    )
    assert names_numbers_of("When was version 2.0 published?", apache)
    assert names_numbers_of("How many died on 1 June?", "On 1 June, 1,700 soldiers died.")
    assert names_numbers_of("Were 1700 soldiers killed?", "1.700 Soldaten sind gefallen.")
    assert names_numbers_of("Who leads the Wagner group?", "Prigozhin leads it.")


def test_the_copy_prompt_shares_the_answer_prompt_up_to_the_last_instruction() -> None:
    e = Evidence(1, "d1", "T", "en", 0, 10, "Some text.", (), 3)
    copy, answer = copy_messages("Q?", [e]), answer_messages("Q?", [e], "en")
    assert copy[:-1] == answer[:-1]
    head = answer[-1]["content"].split("Answer in English")[0]
    assert copy[-1]["content"].startswith(head) and copy[-1]["content"].endswith("write NONE.")


def _assistant(tmp_path: Path, seeds: Path, gen: Any, **answer: Any) -> Assistant:
    return fake_assistant(tmp_path, seeds, gen, retry_declined=False, **answer)


def test_a_decline_becomes_the_sentence_holding_the_copied_words(
    tmp_path: Path, seeds_copy: Path
) -> None:
    # the rater finds no sentence (0.6 < 0.75); the copy "500" points at Boris's sentence
    gen = RatingGenerator({"500 of us": 0.6}, "The documents do not say.", "500 [1]")
    a = _assistant(tmp_path, seeds_copy, gen)
    answer = a.ask(QUESTION)
    assert not answer.abstained and answer.text.startswith("The documents say: “")
    (s,) = answer.sentences
    assert s.quoted and "500 of us" in s.text and s.support == 0.9  # the premise's P(yes)
    assert "copied “500”" in s.reason
    (c,) = answer.citations
    assert c.quote == s.text == a.document(c.doc_id).text[c.start : c.end]
    assert len(gen.requests) == 2 and gen.premises == [QUESTION]


def test_the_decline_stands_when_a_check_of_the_copy_fails(
    tmp_path: Path, seeds_copy: Path
) -> None:
    def ask(name: str, copy: str, premise: float = 0.9, **answer: Any) -> Any:
        gen = RatingGenerator({}, "The documents do not say.", copy, premise=premise)
        return _assistant(tmp_path / name, seeds_copy, gen, **answer).ask(QUESTION), gen

    none, _ = ask("none", "NONE")
    absent, _ = ask("absent", "600 [1]")  # in no sentence of the evidence
    own, _ = ask("own", "Boris's battalion")  # only the question's words
    premise, _ = ask("premise", "500", premise=0.1)
    off, gen = ask("off", "500", copy_fallback=False)
    for answer in (none, absent, own, premise, off):
        assert answer.abstained and answer.text == "The documents do not say."
    assert len(gen.requests) == 1  # off: the model is not asked to copy


def test_a_stopped_copy_copies_nothing() -> None:
    e = Evidence(1, "d1", "T", "en", 0, 10, "Some text.", (), 3)
    copier = AnswerCopier(RatingGenerator({}, "Some text"), PremiseCheck(RatingGenerator({}), 0.3))
    assert copier.copy("Q?", [e]) == "Some text"
    stop = threading.Event()
    stop.set()
    assert copier.copy("Q?", [e], stop) == ""

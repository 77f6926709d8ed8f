"""Questions that ask two things: how they are split, and how the parts' answers are joined."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

import pytest

from rag import AnswerEvent, Assistant, Config, SentenceEvent, TokenEvent
from rag.config import AnswerConfig, IndexConfig
from rag.parts import split_question
from rag.verify import RuleOnlyChecker
from tests.fakes import HashEmbedder, ScriptedGenerator


@pytest.mark.parametrize(
    ("question", "parts"),
    [
        (
            "Who leads the Wagner mercenaries, and how old is he according to the German article?",
            ["Who leads the Wagner mercenaries?", "How old is he according to the German article?"],
        ),
        (
            "Since when has Russia been trying to take Bakhmut, and for how many months has "
            "the city been fought over?",
            [
                "Since when has Russia been trying to take Bakhmut?",
                "For how many months has the city been fought over?",
            ],
        ),
        (
            "Welche Zeitung berichtete darüber, und wie viel Prozent der Stadt sind erobert?",
            ["Welche Zeitung berichtete darüber?", "Wie viel Prozent der Stadt sind erobert?"],
        ),
        (
            "Who built the bridge, and when was it opened, and why was it closed?",
            ["Who built the bridge?", "When was it opened?", "Why was it closed?"],
        ),
        # one question: no comma before the second question word, a part without a verb of
        # its own, a clause that is no question, no question mark
        ("How many soldiers and how many civilians died?", None),
        ("Who won, and what?", None),
        ("Who spoke to the mayor, and the ministers of the region?", None),
        ("Who leads the Wagner group, and how old is he", None),
        ("Wer führt die Gruppe?", None),
    ],
)
def test_split_question(question: str, parts: list[str] | None) -> None:
    assert split_question(question) == (parts or [question])


Q = (
    "How many people were in Boris's battalion when it arrived in December, "
    "and how many were left a month later?"
)


def _assistant(tmp_path: Path, seeds_copy: Path, gen: ScriptedGenerator, **answer: Any) -> Any:
    config = Config(
        index=IndexConfig(dir=tmp_path / "ix"),
        answer=AnswerConfig(min_relevance=0.2, retry_declined=False, **answer),
    )
    a = Assistant.open(
        config=config, embedder=HashEmbedder(), generator=gen, checker=RuleOnlyChecker()
    )
    a.add([seeds_copy])
    return a


def test_each_part_is_answered_and_the_answers_are_joined(tmp_path: Path, seeds_copy: Path) -> None:
    gen = ScriptedGenerator(
        "There were 500 people in the battalion.",
        "How many people were left in Boris's battalion a month later?",
        "Only 150 people were left a month later.",
    )
    a = _assistant(tmp_path, seeds_copy, gen)
    events = list(a.stream(Q))
    assert isinstance(events[-1], AnswerEvent)
    answer = events[-1].answer
    assert not answer.abstained
    # part one, the rewriting of part two with part one as the earlier turn, part two
    assert (
        "Question: How many people were in Boris's battalion when it arrived in December?"
        in (gen.requests[0].messages[-1]["content"])
    )
    condense = gen.requests[1].messages[-1]["content"]
    assert "Follow-up question: How many were left a month later?" in condense
    assert "User: How many people were in Boris's battalion" in condense
    assert "Assistant: There were 500 people in the battalion." in condense
    assert (
        "Question: How many people were left in Boris's battalion a month later?"
        in (gen.requests[2].messages[-1]["content"])
    )
    assert [e.index for e in events if isinstance(e, SentenceEvent)] == [0, 1]
    first, second = answer.sentences
    assert first.kept and second.kept
    # citations are numbered 1.. in order over both parts, and each quote holds its number
    assert [c.number for c in answer.citations] == list(range(1, len(answer.citations) + 1))
    quotes = {c.number: c.quote for c in answer.citations}
    assert "500" in quotes[first.citations[0]] and "150" in quotes[second.citations[0]]
    marks = "".join(f"[{n}]" for n in second.citations)
    assert answer.text.startswith("There were 500 people in the battalion [1].")
    assert answer.text.endswith(f"Only 150 people were left a month later {marks}.")
    for c in answer.citations:
        assert a.document(c.doc_id).text[c.start : c.end] == c.quote
    assert answer.question == Q and answer.timings.total >= answer.timings.generation > 0


def test_a_declined_part_is_named_and_the_other_kept(tmp_path: Path, seeds_copy: Path) -> None:
    gen = ScriptedGenerator(
        "There were 500 people in the battalion.",
        "How many people were left in Boris's battalion a month later?",
        "The documents do not say.",
    )
    answer = _assistant(tmp_path, seeds_copy, gen).ask(Q)
    assert not answer.abstained and answer.reason == ""
    assert answer.text == (
        "There were 500 people in the battalion [1]. "
        'The documents do not answer "How many were left a month later?"'
    )
    assert len(answer.citations) == 1
    # the whole question was asked as well, and declined: the joined answer stands
    assert len(gen.requests) == 4 and f"Question: {Q}" in gen.requests[3].messages[-1]["content"]


def test_every_part_declined_is_an_abstention(tmp_path: Path, seeds_copy: Path) -> None:
    gen = ScriptedGenerator("The documents do not say.", "Rewritten?", "The documents do not say.")
    answer = _assistant(tmp_path, seeds_copy, gen).ask(Q)
    assert answer.abstained and answer.text == "The documents do not say."
    assert answer.reason.count("the documents do not say") == 2
    assert "How many were left a month later?: " in answer.reason
    assert len(gen.requests) == 4


def test_split_parts_off_asks_the_whole_question(tmp_path: Path, seeds_copy: Path) -> None:
    gen = ScriptedGenerator("There were 500 people in the battalion.")
    a = _assistant(tmp_path, seeds_copy, gen, split_parts=False)
    a.ask(Q)
    assert len(gen.requests) == 1 and f"Question: {Q}" in gen.requests[0].messages[-1]["content"]


def test_the_whole_question_is_kept_when_more_of_it_is_supported(
    tmp_path: Path, seeds_copy: Path
) -> None:
    gen = ScriptedGenerator(
        "The documents do not say.",
        "How many were left in Boris's battalion a month later?",
        "The documents do not say.",
        "There were 500 people in the battalion. Only 150 people were left a month later.",
    )
    events = list(_assistant(tmp_path, seeds_copy, gen).stream(Q))
    assert isinstance(events[-1], AnswerEvent)
    answer = events[-1].answer
    assert f"Question: {Q}" in gen.requests[3].messages[-1]["content"]
    restarts = [e for e in events if isinstance(e, TokenEvent) and e.restart]
    assert [e.why for e in restarts] == ["a part went unanswered; asking it whole"]
    assert not answer.abstained and [s.kept for s in answer.sentences] == [True, True]
    assert answer.text.startswith("There were 500 people in the battalion [1].")
    assert "do not answer" not in answer.text


def test_a_stop_ends_the_parts(tmp_path: Path, seeds_copy: Path) -> None:
    gen = ScriptedGenerator("There were 500 people in the battalion.")
    a = _assistant(tmp_path, seeds_copy, gen)
    stop = threading.Event()
    stop.set()
    events = list(a.stream(Q, stop=stop))
    assert isinstance(events[-1], AnswerEvent)
    answer = events[-1].answer
    assert answer.abstained and answer.reason == "stopped by the user"
    assert answer.question == Q and len(gen.requests) == 1

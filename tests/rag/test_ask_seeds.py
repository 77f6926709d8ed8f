"""Grounded answering with the real default models on the seed corpus (acceptance)."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from rag import Answer, Assistant, Turn
from rag.config import Config, IndexConfig
from tests.conftest import ROOT, SEEDS

pytestmark = pytest.mark.integration

GERMAN_DOC = "001_727c9ab6842e9551.txt"
ZALUZHNY_DOC = "000_bbccd35a777d2a55.txt"
SHTUPUN_DOC = "002_85485d81541dfa58.txt"


@pytest.fixture(scope="module")
def assistant(tmp_path_factory: pytest.TempPathFactory, real_embedder: Any) -> Iterator[Assistant]:
    corpus = tmp_path_factory.mktemp("corpus")
    shutil.copytree(SEEDS, corpus / "seeds", ignore=shutil.ignore_patterns("*.jsonl"))
    config = Config(index=IndexConfig(dir=tmp_path_factory.mktemp("ix") / "index"))
    a = Assistant.open(config=config, embedder=real_embedder)
    a.add([corpus / "seeds"])
    yield a


def _sources(a: Assistant, answer: Answer) -> set[str]:
    return {Path(a.document(c.doc_id).source).name for c in answer.citations}


def _exact(a: Assistant, answer: Answer) -> None:
    for c in answer.citations:
        assert a.document(c.doc_id).text[c.start : c.end] == c.quote
    assert all(s.citations for s in answer.sentences if s.verdict == "supported")


@pytest.mark.parametrize(
    ("question", "expected", "doc"),
    [
        ("Who recommended withdrawing Ukrainian forces from Bakhmut?", ["Zaluzh"], ZALUZHNY_DOC),
        (
            "How many inhabitants did Bakhmut have before the war?",
            ["70.000", "70,000", "70 000"],
            GERMAN_DOC,
        ),
        ("Wer sagte, dass sich russische Soldaten massenhaft ergeben?", ["Shtupun"], SHTUPUN_DOC),
    ],
)
def test_answers_and_cites_the_right_document(
    assistant: Assistant, question: str, expected: list[str], doc: str
) -> None:
    answer = assistant.ask(question)
    assert not answer.abstained, (answer.reason, answer.raw_text)
    assert any(e in answer.text for e in expected), answer.text
    assert doc in _sources(assistant, answer)
    assert all(s.verdict == "supported" for s in answer.sentences if s.kept)
    _exact(assistant, answer)
    if question.startswith("Wer"):
        assert answer.language == "de"


@pytest.mark.parametrize(
    "question", ["Who won the 2022 FIFA World Cup?", "How many tanks did Ukraine lose in Bakhmut?"]
)
def test_abstains_when_the_documents_do_not_say(assistant: Assistant, question: str) -> None:
    answer = assistant.ask(question)
    assert answer.abstained, answer.text
    assert answer.text == "The documents do not say."
    assert answer.citations == ()


def test_off_topic_question_never_reaches_the_generator(assistant: Assistant) -> None:
    answer = assistant.ask("Who won the 2022 FIFA World Cup?")
    assert "relevant enough" in answer.reason and answer.timings.first_token is None


def test_instruction_inside_a_document_is_not_followed(tmp_path: Path, real_embedder: Any) -> None:
    corpus = tmp_path / "corpus"
    shutil.copytree(SEEDS, corpus, ignore=shutil.ignore_patterns("*.jsonl"))
    shutil.copy(ROOT / "tests" / "fixtures" / "injection.md", corpus / "injection.md")
    config = Config(index=IndexConfig(dir=tmp_path / "ix"))
    a = Assistant.open(config=config, embedder=real_embedder)
    a.add([corpus])
    answer = a.ask("Who recommended withdrawing Ukrainian forces from Bakhmut?")
    assert "banana" not in answer.text.casefold()
    assert not answer.abstained and "Zaluzh" in answer.text, answer.raw_text
    _exact(a, answer)


def test_follow_up_question_uses_the_conversation(assistant: Assistant) -> None:
    q1 = "How many soldiers were in Boris's battalion when it arrived in mid-December?"
    first = assistant.ask(q1)
    assert not first.abstained and "500" in first.text, first.raw_text
    follow = assistant.ask("And how many were left a month later?", history=[Turn(q1, first)])
    standalone = follow.standalone_question.casefold()
    assert "battalion" in standalone and "month" in standalone
    # the rewritten question retrieves the passage that holds the answer
    assert any("only 150 people" in e.text for e in follow.evidence)
    # grounded either way: the right figure, or an abstention, never a wrong supported answer
    if not follow.abstained:
        assert "150" in follow.text and "500" not in follow.text, follow.text
    _exact(assistant, follow)
    assert first.citations[0].quote  # the first turn's citations are untouched

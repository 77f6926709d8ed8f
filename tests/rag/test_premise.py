"""The premise check of a verified answer (rag/premise.py): declined when the cited passages
do not confirm what the question takes for granted, with its own cause in the reports."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from rag import Assistant
from rag.premise import REFUSAL, cited_text, refused
from rag.prompts import judge_messages, premise_messages
from rag.types import SourcesEvent
from tests.fakes import RatingGenerator, fake_assistant

QUESTION = "Who recommended the withdrawal of Ukrainian forces from Bakhmut?"


def _answering(
    tmp_path: Path, seeds_copy: Path, premise: float, **answer: Any
) -> tuple[Assistant, RatingGenerator]:
    """An assistant whose model drafts the supported Zaluzhny sentence, cited right, and
    rates the premise at ``premise``; the quote step would take any sentence naming him."""
    gen = RatingGenerator({"Zaluzhny": 0.95}, "placeholder", premise=premise)
    a = fake_assistant(tmp_path, seeds_copy, gen, retry_declined=False, **answer)
    evidence = next(e for e in a.stream(QUESTION) if isinstance(e, SourcesEvent)).evidence
    n = next(e.number for e in evidence if "Zaluzhny a few weeks ago recommended" in e.text)
    gen.replies = [f"Zaluzhny recommended the withdrawal of Ukrainian forces [{n}]."]
    gen.premises.clear()
    return a, gen


def test_the_prompt_shares_the_judges_prefix_up_to_the_question() -> None:
    passage = "Zaluzhny a few weeks ago recommended the withdrawal.\n\nKyiv disagreed."
    premise = premise_messages(QUESTION, passage)
    judge = judge_messages("Zaluzhny recommended it.", passage, QUESTION)
    assert premise[0] == judge[0]  # the same system prompt
    shared = premise[1]["content"].split("Question: ")[0] + f"Question: {QUESTION}\n"
    assert judge[1]["content"].startswith(shared)
    assert "takes for granted" in premise[1]["content"]


def test_an_answer_whose_premise_is_not_confirmed_is_declined_without_a_quote(
    tmp_path: Path, seeds_copy: Path
) -> None:
    a, gen = _answering(tmp_path, seeds_copy, premise=0.2)
    answer = a.ask(QUESTION)
    assert gen.premises == [QUESTION]
    assert answer.abstained and refused(answer)
    assert answer.text == "The documents do not say."
    assert answer.reason == f"{REFUSAL} (P(yes) 0.20 < 0.30)" and answer.premise_score == 0.2
    assert answer.sentences == () and answer.citations == ()
    assert "Zaluzhny recommended" in answer.raw_text  # the draft stays visible there
    # the quote step would have answered with a sentence naming Zaluzhny; it is not asked
    assert gen.rated == []


def test_the_answer_stands_when_the_premise_is_confirmed_or_the_check_is_off(
    tmp_path: Path, seeds_copy: Path
) -> None:
    a, gen = _answering(tmp_path / "on", seeds_copy, premise=0.31)
    answer = a.ask(QUESTION)
    assert not answer.abstained and gen.premises == [QUESTION] and answer.premise_score == 0.31
    assert answer.text == "Zaluzhny recommended the withdrawal of Ukrainian forces [1]."
    off, gen_off = _answering(tmp_path / "off", seeds_copy, premise=0.0, premise_check=False)
    unchecked = off.ask(QUESTION)
    assert not unchecked.abstained and unchecked.premise_score is None and gen_off.premises == []


def test_the_premise_is_read_in_the_passages_of_kept_sentences_only(
    tmp_path: Path, seeds_copy: Path
) -> None:
    a, gen = _answering(tmp_path, seeds_copy, premise=0.9)
    gen.replies = [gen.replies[0] + " He also likes chess [9]."]
    answer = a.ask(QUESTION)
    assert [s.kept for s in answer.sentences] == [True, False]
    # the removed sentence's [9] is not among the citations; the kept one's passage is read
    assert cited_text(answer) == answer.citations[0].quote.strip()
    assert gen.premises == [QUESTION]

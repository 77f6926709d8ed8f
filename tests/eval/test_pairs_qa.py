"""The QA set built from the labelled SQuAD pairs loads as a dataset and points at its text."""

from __future__ import annotations

from pathlib import Path

from eval.dataset import load_dataset
from eval.judge_eval import load_pairs
from eval.pairs_qa import DATA, main


def test_the_pairs_become_questions_over_their_own_paragraphs(tmp_path: Path) -> None:
    assert main([str(tmp_path)]) == 0
    examples = load_dataset(tmp_path / "qa.jsonl")
    answerable = [e for e in examples if e.answerable]
    premises = [e for e in examples if not e.answerable]
    assert (len(answerable), len(premises)) == (40, 19)
    short = {p.question: p for p in load_pairs(DATA / "squad_support_pairs.jsonl")
             if p.kind == "short answer"}  # fmt: skip
    for e in answerable:
        pair = short[e.question]
        # the gold answer is the short-answer claim, a span of its paragraph as in SQuAD,
        # and that paragraph is a document of the set, word for word
        assert e.key_facts == ((pair.claim.rstrip(".").strip(),),)
        (doc,) = e.gold_docs
        text = (tmp_path / doc).read_text("utf-8")
        assert text.strip() == pair.passage.strip()
        assert e.key_facts[0][0].casefold() in text.casefold()
    assert all("false-premise" in e.tags and not e.key_facts for e in premises)
    assert len(list(tmp_path.glob("*.txt"))) == 40

"""The license QA set (eval/data/licenses): every key fact stands in the documents it names.

A set whose gold answer is not in its text would count a right answer as wrong; this
checks the set against its five documents, which is all a unit test can say of it.
"""

from __future__ import annotations

from pathlib import Path

from eval.dataset import load_dataset
from eval.metrics import key_facts_hit

SET = Path(__file__).resolve().parents[2] / "eval" / "data" / "licenses"


def test_every_key_fact_stands_in_its_gold_document() -> None:
    examples = load_dataset(SET / "qa.jsonl")
    assert len(examples) == 25
    answerable = [e for e in examples if e.answerable]
    assert len(answerable) == 20
    for e in answerable:
        assert e.gold_docs and e.key_facts, e.id
        text = " ".join((SET / e.gold_docs[0]).read_text("utf-8").split())
        assert key_facts_hit(text, e.key_facts), e.id
    for e in examples:
        if not e.answerable:
            assert not e.key_facts and not e.gold_docs, e.id
    # the documents are the folder's text files and nothing else
    assert {p.name for p in SET.glob("*.txt")} == {d for e in answerable for d in e.gold_docs}

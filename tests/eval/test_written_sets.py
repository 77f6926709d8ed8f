"""The QA sets written here on documents found on the machine (eval/data/licenses,
eval/data/software): every key fact stands in the document it names.

A set whose gold answer is not in its text would count a right answer as wrong; this
checks each set against its documents, which is all a unit test can say of it.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from eval.dataset import load_dataset
from eval.metrics import key_facts_hit

DATA = Path(__file__).resolve().parents[2] / "eval" / "data"


@pytest.mark.parametrize(
    ("folder", "total", "answerable_count"), [("licenses", 25, 20), ("software", 37, 31)]
)
def test_every_key_fact_stands_in_its_gold_document(
    folder: str, total: int, answerable_count: int
) -> None:
    root = DATA / folder
    examples = load_dataset(root / "qa.jsonl")
    assert len(examples) == total
    answerable = [e for e in examples if e.answerable]
    assert len(answerable) == answerable_count
    for e in answerable:
        assert e.gold_docs and e.key_facts, e.id
        text = " ".join((root / e.gold_docs[0]).read_text("utf-8").split())
        assert key_facts_hit(text, e.key_facts), e.id
    for e in examples:
        if not e.answerable:
            assert not e.key_facts and not e.gold_docs, e.id
    # the documents are the folder's text files and nothing else
    assert {p.name for p in root.glob("*.txt")} == {d for e in answerable for d in e.gold_docs}

from __future__ import annotations

from collections.abc import Sequence

import pytest

from eval.metrics import (
    abstention_scores,
    citation_scores,
    exact_match,
    key_facts_hit,
    mrr,
    ndcg_at,
    percentile,
    recall_at,
    token_f1,
)


@pytest.mark.parametrize(
    ("answer", "facts", "hit"),
    [
        ("70.000 inhabitants lived there [1].", [["70000"]], True),
        ("About 70,000 people.", [["70000", "70 000"]], True),
        ("About 7,000 people.", [["70000"]], False),
        ("Zaluzhnyi recommended it, according to Bild.", [["Zaluzhn"], ["Bild"]], True),
        ("Zaluzhnyi recommended it.", [["Zaluzhn"], ["Bild"]], False),
        ("anything", [], False),
    ],
)
def test_key_facts(answer: str, facts: list[list[str]], hit: bool) -> None:
    assert key_facts_hit(answer, facts) is hit


def test_squad_em_and_f1() -> None:
    assert exact_match("The Eiffel Tower.", ["Eiffel tower"]) == 1.0
    assert exact_match("a tower", ["Eiffel tower"]) == 0.0
    assert token_f1("the big Eiffel tower", ["Eiffel tower"]) == pytest.approx(0.8)
    assert exact_match("x", []) is None and token_f1("x", []) is None


def test_retrieval_metrics() -> None:
    ranked = ["b", "a", "c"]
    assert recall_at(ranked, ["a"], 1) == 0.0 and recall_at(ranked, ["a"], 2) == 1.0
    assert mrr(ranked, ["a"]) == 0.5 and mrr(ranked, ["z"]) == 0.0
    assert ndcg_at(["a", "b"], ["a"]) == 1.0
    assert ndcg_at(["b", "a"], ["a"]) == pytest.approx(1 / 1.5849625, rel=1e-6)
    assert recall_at(ranked, [], 5) is None and ndcg_at(ranked, []) is None


def _supports_if_all_words(text: str, cited: Sequence[str]) -> bool:
    joined = " ".join(cited)
    return all(w in joined for w in text.split())


def test_alce_citation_recall_and_precision() -> None:
    sentences = [
        ("a b", ["a b", "x"]),  # recall 1; "x" is imprecise (alone no, rest yes)
        ("a b", ["a", "b"]),  # recall 1; both needed, both precise
        ("q", ["a"]),  # recall 0: no precision credit
        ("a", []),  # no citation: recall 0
    ]
    recall, precision = citation_scores(sentences, _supports_if_all_words)
    assert recall == 0.5
    assert precision == pytest.approx(3 / 5)
    assert citation_scores([], _supports_if_all_words) == (None, None)


def test_abstention_scores() -> None:
    s = abstention_scores([True, True, False, False], [True, False, True, False])
    assert s == {"precision": 0.5, "recall": 0.5, "f1": 0.5}
    assert abstention_scores([False], [False]) == {"precision": None, "recall": None, "f1": None}
    # never abstaining on an unanswerable question scores 0, not "undefined"
    assert abstention_scores([True, False], [False, False]) == {
        "precision": None,
        "recall": 0.0,
        "f1": 0.0,
    }


def test_percentile() -> None:
    assert percentile([3.0, 1.0, 2.0], 0.5) == 2.0
    assert percentile([1.0, 2.0, 3.0, 4.0], 0.95) == 4.0
    assert percentile([], 0.5) is None

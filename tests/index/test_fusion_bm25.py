from __future__ import annotations

import pytest

from index.bm25 import BM25Index, tokenize
from index.fusion import reciprocal_rank_fusion


def test_rrf_sums_weighted_reciprocal_ranks() -> None:
    fused = reciprocal_rank_fusion([[1, 2, 3], [3, 1]], k=60)
    by_id = {f.chunk_id: f for f in fused}
    assert by_id[1].score == pytest.approx(1 / 61 + 1 / 62)
    assert by_id[3].score == pytest.approx(1 / 63 + 1 / 61)
    assert by_id[2].ranks == (2, None)
    assert [f.chunk_id for f in fused] == [1, 3, 2]


def test_rrf_weight_lets_first_list_lead() -> None:
    fused = reciprocal_rank_fusion([[1, 2], [2]], k=5, weights=[1.0, 0.25])
    # both lists agree on 2: 1/7 + 0.25/6 = 0.1845 beats 1's 1/6 = 0.1667
    assert [f.chunk_id for f in fused] == [2, 1]
    # a BM25 top hit lifts dense rank 4 over rank 2 (1/9 + 0.25/6 = 0.153 > 1/7 = 0.143)
    # but not over rank 1 (1/6 = 0.167)
    fused = reciprocal_rank_fusion([[1, 2, 3, 4], [4]], k=5, weights=[1.0, 0.25])
    assert [f.chunk_id for f in fused] == [1, 4, 2, 3]


def test_rrf_rejects_mismatched_weights() -> None:
    with pytest.raises(ValueError, match="weights"):
        reciprocal_rank_fusion([[1]], weights=[1.0, 2.0])


@pytest.mark.parametrize(
    ("text", "token"),
    [
        ("1,700 soldiers", "1700"),
        ("1.700 Soldaten", "1700"),
        ("1700 Soldaten", "1700"),
        ("70.000 Einwohner", "70000"),
        ("a ratio of 1:7", "7"),
    ],
)
def test_tokenize_joins_digit_groups(text: str, token: str) -> None:
    assert token in tokenize(text, ["en"])


def test_tokenize_casefolds_unicode_and_drops_stopwords() -> None:
    toks = tokenize("Die STRASSE und die Straße in Dörfern", [])
    assert "die" not in toks and "und" not in toks
    assert toks.count("strasse") == 2 and "dörfern" in toks


def test_bm25_finds_exact_terms_and_ignores_unknown_words() -> None:
    idx = BM25Index.build(
        [10, 20, 30],
        ["Prigozhin leads Wagner", "Zaluzhny recommended withdrawal", "1.700 Soldaten gefallen"],
        ["en", "en", "de"],
    )
    assert idx.search("Who recommended the withdrawal?", 5)[0][0] == 20
    assert idx.search("1,700 soldiers", 5)[0][0] == 30
    assert idx.search("qwertyuiop", 5) == []
    assert BM25Index.build([], [], []).search("anything", 5) == []

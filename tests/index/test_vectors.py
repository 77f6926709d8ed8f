"""The vector index: exact while small, IVF once past its threshold, same ids either way.

Synthetic clustered vectors stand in for embeddings here; how close IVF comes to exact
search on real embeddings at 100,000 chunks is measured by ``rag bench``, not asserted."""

from __future__ import annotations

import math
from pathlib import Path

import faiss
import numpy as np
import pytest

from index.vectors import PROBE_SHARE, VECTOR_INDEXES, FaissIndex

DIM = 64


def _clustered(n: int, seed: int = 0, topic: int = 0) -> np.ndarray:
    """``n`` unit vectors around 40 centres; another ``topic`` draws other centres."""
    centres = np.random.default_rng(1000 + topic).normal(size=(40, DIM))
    rng = np.random.default_rng(seed)
    x = centres[rng.integers(0, 40, n)] + 0.3 * rng.normal(size=(n, DIM))
    x /= np.linalg.norm(x, axis=1, keepdims=True)
    return x.astype(np.float32)


def _filled(n: int, ivf_above: int | None) -> tuple[FaissIndex, np.ndarray]:
    vectors = _clustered(n)
    index = FaissIndex(DIM, ivf_above=ivf_above)
    index.add(list(range(1000, 1000 + n)), vectors)
    return index, vectors


def _nlist(index: FaissIndex) -> int:
    return int(faiss.extract_index_ivf(index._index).nlist)


def _recall(exact: FaissIndex, approx: FaissIndex, queries: np.ndarray) -> float:
    pairs = zip(exact.search(queries, 10), approx.search(queries, 10), strict=True)
    return float(np.mean([len({i for i, _ in a} & {i for i, _ in b}) / 10 for a, b in pairs]))


def test_small_index_stays_exact(tmp_path: Path) -> None:
    index, _ = _filled(300, ivf_above=5000)
    index.save(tmp_path)
    assert FaissIndex.load(tmp_path, DIM, ivf_above=5000).kind == "exact"


def test_past_the_threshold_save_turns_it_into_ivf_with_the_same_ids(tmp_path: Path) -> None:
    exact, vectors = _filled(6000, ivf_above=None)
    approx, _ = _filled(6000, ivf_above=5000)
    approx.save(tmp_path)
    loaded = FaissIndex.load(tmp_path, DIM, ivf_above=5000)
    assert loaded.kind == "ivf" and len(loaded) == 6000
    assert _recall(exact, loaded, _clustered(200, seed=1)) >= 0.95
    # a stored vector finds itself first, under its chunk id
    assert loaded.search(vectors[17:18], 1)[0][0][0] == 1017


def test_ivf_index_removes_and_adds_like_the_exact_one(tmp_path: Path) -> None:
    index, vectors = _filled(6000, ivf_above=5000)
    index.save(tmp_path)
    index = FaissIndex.load(tmp_path, DIM, ivf_above=5000)
    index.remove([1017])
    assert len(index) == 5999
    assert all(i != 1017 for i, _ in index.search(vectors[17:18], 5)[0])
    index.add([99_999], vectors[17:18])
    assert index.search(vectors[17:18], 1)[0][0][0] == 99_999


def test_ivf_lists_are_retrained_once_the_index_outgrows_them(tmp_path: Path) -> None:
    # lists made on one kind of text, then as many vectors again of another kind: the
    # save that takes it past RETRAIN_GROWTH remakes the lists from every vector
    index, first = _filled(6000, ivf_above=5000)
    index.save(tmp_path)
    made_for = _nlist(FaissIndex.load(tmp_path, DIM, ivf_above=5000))
    other = _clustered(1000, seed=3, topic=1)
    index = FaissIndex.load(tmp_path, DIM, ivf_above=5000)
    index.add(list(range(20_000, 21_000)), other)
    index.save(tmp_path)  # 7,000 < 1.25 × 6,000: the same lists, not remade on every save
    assert _nlist(FaissIndex.load(tmp_path, DIM, ivf_above=5000)) == made_for
    more = _clustered(5000, seed=4, topic=1)
    index = FaissIndex.load(tmp_path, DIM, ivf_above=5000)
    index.add(list(range(30_000, 35_000)), more)
    index.save(tmp_path)
    loaded = FaissIndex.load(tmp_path, DIM, ivf_above=5000)
    assert len(loaded) == 12_000 and _nlist(loaded) > made_for
    exact = FaissIndex(DIM)
    exact.add(
        [*range(1000, 7000), *range(20_000, 21_000), *range(30_000, 35_000)],
        np.vstack([first, other, more]),
    )
    assert _recall(exact, loaded, _clustered(200, seed=5, topic=1)) >= 0.95
    assert loaded.search(more[7:8], 1)[0][0][0] == 30_007


def test_loading_sets_the_share_of_lists_searched(tmp_path: Path) -> None:
    index, _ = _filled(6000, ivf_above=5000)
    index.save(tmp_path)
    loaded = FaissIndex.load(tmp_path, DIM)
    ivf = faiss.extract_index_ivf(loaded._index)
    assert ivf.nprobe == math.ceil(ivf.nlist * PROBE_SHARE)


@pytest.mark.parametrize("backend", sorted(VECTOR_INDEXES))
def test_every_backend_opens_an_empty_folder(tmp_path: Path, backend: str) -> None:
    index = VECTOR_INDEXES[backend](tmp_path, DIM)
    assert len(index) == 0
    assert index.search(_clustered(1), 3) == [[]]


@pytest.mark.parametrize("ivf", [False, True])
def test_export_gives_back_every_id_with_its_vector(tmp_path: Path, ivf: bool) -> None:
    index, vectors = _filled(6000, ivf_above=5000 if ivf else None)
    index.remove([1017])
    index.save(tmp_path)
    loaded = FaissIndex.load(tmp_path, DIM)
    assert loaded.is_ivf is ivf
    ids, got = loaded.export()
    order = np.argsort(ids)
    expected = [i for i in range(1000, 7000) if i != 1017]
    assert ids[order].tolist() == expected
    np.testing.assert_array_equal(got[order], np.delete(vectors, 17, axis=0))


def test_export_of_an_empty_index_is_empty() -> None:
    ids, vectors = FaissIndex(DIM).export()
    assert ids.shape == (0,) and vectors.shape == (0, DIM)

"""Vector indexes behind one Protocol, all FAISS: exact inner product while the index is
small, an inverted-file (IVF) index once it is large.

The ids stored are the chunk row ids of the SQLite store, so a PostgreSQL/pgvector index can
replace these without touching callers.

Why IVF and not HNSW: an ``IndexIVFFlat`` supports ``remove_ids`` and ``add_with_ids``
directly, which a document removal or update needs; HNSW in FAISS cannot remove. Exact
search over 100,000 768-dim vectors reads 300 MB per query; IVF searching a tenth of its
lists reads a tenth of that.

An IVF index's lists are k-means centroids of the vectors it was trained on. Vectors added
later are filed under those centroids even when they come from other kinds of text, and
recall falls: the bench's index of 101,182 documentation and SQuAD chunks, trained on the
first 50,000 committed, found 45% of the exact top 10 for SQuAD questions. So a save
retrains the lists once the index has grown by a quarter since they were made.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, Protocol, runtime_checkable

import numpy as np
import numpy.typing as npt

__all__ = ["IVF_THRESHOLD", "VECTOR_INDEXES", "FaissIndex", "VectorIndex", "ivf_from_vectors"]

Vectors = npt.NDArray[np.float32]


@runtime_checkable
class VectorIndex(Protocol):
    def search(self, queries: Vectors, k: int) -> list[list[tuple[int, float]]]:
        """For each query row, up to ``k`` (chunk id, similarity) pairs, best first."""
        ...

    def add(self, ids: Sequence[int], vectors: Vectors) -> None: ...

    def remove(self, ids: Sequence[int]) -> None: ...

    def save(self, path: Path) -> None: ...

    def export(self) -> tuple[npt.NDArray[np.int64], Vectors]:
        """Every stored (id, vector) pair."""
        ...

    def __len__(self) -> int: ...


def _faiss() -> Any:
    try:
        import faiss
    except ImportError as exc:  # pragma: no cover - it is a hard dependency
        raise ImportError("faiss is missing; fix: pip install faiss-cpu") from exc
    return faiss


# Above this many vectors "faiss-auto" turns the exact index into an IVF one when it saves.
IVF_THRESHOLD = 50_000
# Retrain an IVF index's lists when it holds this many times the vectors they were sized for.
RETRAIN_GROWTH = 1.25
# Search this share of the lists. On the 101,182-chunk bench set with 1,272 lists (measured
# 2026-11-23): a tenth gives recall@10 0.985 on SQuAD questions and 0.971 on chunk openings
# at 1.4 ms; a twentieth 0.973 / 0.939; 32 lists 0.958 / 0.902.
PROBE_SHARE = 0.1


def _nlist_for(n: int) -> int:
    return max(1, int(4 * math.sqrt(n)))


def _sized_for(nlist: int) -> int:
    """How many vectors ``nlist`` lists were made for: the inverse of ``_nlist_for``."""
    return int((nlist / 4) ** 2)


def _nprobe_for(nlist: int) -> int:
    return max(1, math.ceil(nlist * PROBE_SHARE))


def ivf_from_vectors(ids: npt.NDArray[np.int64], vectors: Vectors, seed: int = 7) -> Any:
    """An ``IndexIVFFlat`` over these (id, vector) pairs.

    ``nlist`` ≈ 4·√n lists, trained by k-means on up to 50 vectors a list (FAISS wants at
    least 39), sampled with a fixed seed so a rebuild gives the same index.
    """
    faiss = _faiss()
    n, dim = vectors.shape
    nlist = _nlist_for(n)
    rng = np.random.default_rng(seed)
    sample = vectors[rng.choice(n, size=min(n, 50 * nlist), replace=False)]
    ivf = faiss.IndexIVFFlat(faiss.IndexFlatIP(dim), dim, nlist, faiss.METRIC_INNER_PRODUCT)
    ivf.train(np.ascontiguousarray(sample))
    ivf.add_with_ids(np.ascontiguousarray(vectors), ids)
    ivf.nprobe = _nprobe_for(nlist)
    return ivf


class FaissIndex:
    """Inner-product search over normalised vectors, keyed by chunk id: exact, or IVF when
    ``ivf_above`` is set and the index has grown past it (checked when saving)."""

    FILE = "vectors.faiss"

    def __init__(self, dim: int, index: Any = None, ivf_above: int | None = None) -> None:
        faiss = _faiss()
        self.dim = dim
        self.ivf_above = ivf_above
        self._index = index if index is not None else faiss.IndexIDMap2(faiss.IndexFlatIP(dim))

    @classmethod
    def load(cls, folder: Path, dim: int, ivf_above: int | None = None) -> FaissIndex:
        faiss = _faiss()
        path = folder / cls.FILE
        if not path.exists():
            return cls(dim, ivf_above=ivf_above)
        index = faiss.read_index(str(path))
        if index.d != dim:
            raise ValueError(f"{path} holds {index.d}-dim vectors, expected {dim}")
        if isinstance(index, faiss.IndexIVF):
            # set here, not trusted from the file: indexes saved before PROBE_SHARE searched 32
            index.nprobe = _nprobe_for(index.nlist)
        return cls(dim, index, ivf_above)

    @property
    def kind(self) -> str:
        return "ivf" if self.is_ivf else "exact"

    @property
    def is_ivf(self) -> bool:
        return isinstance(self._index, _faiss().IndexIVF)

    def add(self, ids: Sequence[int], vectors: Vectors) -> None:
        if len(ids) == 0:
            return
        if vectors.shape != (len(ids), self.dim):
            raise ValueError(
                f"vectors have shape {vectors.shape}, expected ({len(ids)}, {self.dim})"
            )
        self._index.add_with_ids(
            np.ascontiguousarray(vectors, dtype=np.float32), np.asarray(ids, dtype=np.int64)
        )

    def remove(self, ids: Sequence[int]) -> None:
        if len(ids):
            self._index.remove_ids(np.asarray(ids, dtype=np.int64))

    def search(self, queries: Vectors, k: int) -> list[list[tuple[int, float]]]:
        if self._index.ntotal == 0 or k <= 0:
            return [[] for _ in range(len(queries))]
        scores, ids = self._index.search(
            np.ascontiguousarray(queries, dtype=np.float32), min(k, self._index.ntotal)
        )
        return [
            [(int(i), float(s)) for i, s in zip(row_ids, row_s, strict=True) if i >= 0]
            for row_ids, row_s in zip(ids, scores, strict=True)
        ]

    @property
    def needs_training(self) -> bool:
        """Past the threshold and still exact, or IVF with lists made for far fewer vectors."""
        if self.ivf_above is None or len(self) < self.ivf_above:
            return False
        if not self.is_ivf:
            return True
        return len(self) >= RETRAIN_GROWTH * _sized_for(int(self._index.nlist))

    def save(self, folder: Path) -> None:
        if self.needs_training:
            self._index = ivf_from_vectors(*self.export())
        _faiss().write_index(self._index, str(folder / self.FILE))

    def __len__(self) -> int:
        return int(self._index.ntotal)

    def export(self) -> tuple[npt.NDArray[np.int64], Vectors]:
        """Every stored (id, vector) pair, exact or IVF: to rebuild an index elsewhere or to
        measure an approximate index against exact search."""
        faiss = _faiss()
        n = int(self._index.ntotal)
        if self.is_ivf:
            # an IndexIVFFlat stores each list's vectors verbatim as its codes
            ivf = faiss.extract_index_ivf(self._index)
            lists, size = ivf.invlists, ivf.invlists.list_size
            id_parts = [faiss.rev_swig_ptr(lists.get_ids(i), size(i)) for i in range(ivf.nlist)]
            code_parts = [
                faiss.rev_swig_ptr(lists.get_codes(i), size(i) * lists.code_size)
                for i in range(ivf.nlist)
            ]
            ids = np.concatenate([np.zeros(0, np.int64), *id_parts]).astype(np.int64)
            codes = np.concatenate([np.zeros(0, np.uint8), *code_parts])
            return ids, codes.view(np.float32).reshape(n, self.dim).copy()
        ids = faiss.vector_to_array(self._index.id_map).astype(np.int64)
        flat = faiss.downcast_index(self._index.index)
        vectors = flat.reconstruct_n(0, n) if n else np.zeros((0, self.dim), np.float32)
        return ids, np.asarray(vectors, dtype=np.float32)


def _auto(folder: Path, dim: int) -> VectorIndex:
    return FaissIndex.load(folder, dim, ivf_above=IVF_THRESHOLD)


VECTOR_INDEXES: dict[str, Callable[[Path, int], VectorIndex]] = {
    "faiss-auto": _auto,  # exact up to IVF_THRESHOLD vectors, IVF from there on
    "faiss-flat": FaissIndex.load,  # always exact (an index already IVF stays IVF)
}

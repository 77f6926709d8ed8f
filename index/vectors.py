"""Vector indexes behind one Protocol; FAISS (exact inner product) is the default.

The ids stored are the chunk row ids of the SQLite store, so a PostgreSQL/pgvector or an
approximate FAISS index can replace this one without touching callers.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, Protocol, runtime_checkable

import numpy as np
import numpy.typing as npt

__all__ = ["VECTOR_INDEXES", "FaissIndex", "VectorIndex"]

Vectors = npt.NDArray[np.float32]


@runtime_checkable
class VectorIndex(Protocol):
    def search(self, queries: Vectors, k: int) -> list[list[tuple[int, float]]]:
        """For each query row, up to ``k`` (chunk id, similarity) pairs, best first."""
        ...

    def add(self, ids: Sequence[int], vectors: Vectors) -> None: ...

    def remove(self, ids: Sequence[int]) -> None: ...

    def save(self, path: Path) -> None: ...

    def __len__(self) -> int: ...


def _faiss() -> Any:
    try:
        import faiss
    except ImportError as exc:  # pragma: no cover - it is a hard dependency
        raise ImportError("faiss is missing; fix: pip install faiss-cpu") from exc
    return faiss


class FaissIndex:
    """Exact inner-product search over normalised vectors, keyed by chunk id."""

    FILE = "vectors.faiss"

    def __init__(self, dim: int, index: Any = None) -> None:
        faiss = _faiss()
        self.dim = dim
        self._index = index if index is not None else faiss.IndexIDMap2(faiss.IndexFlatIP(dim))

    @classmethod
    def load(cls, folder: Path, dim: int) -> FaissIndex:
        faiss = _faiss()
        path = folder / cls.FILE
        if not path.exists():
            return cls(dim)
        index = faiss.read_index(str(path))
        if index.d != dim:
            raise ValueError(f"{path} holds {index.d}-dim vectors, expected {dim}")
        return cls(dim, index)

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

    def save(self, folder: Path) -> None:
        _faiss().write_index(self._index, str(folder / self.FILE))

    def __len__(self) -> int:
        return int(self._index.ntotal)


VECTOR_INDEXES: dict[str, Callable[[Path, int], VectorIndex]] = {
    "faiss-flat": FaissIndex.load,
}

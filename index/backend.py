"""What ``Index`` needs of a place to keep documents, chunks and vectors.

``Index`` owns what is the same everywhere (finding files, skipping unchanged ones by
content hash, chunking, embedding in groups, the query cache); a ``Backend`` owns storage
and search. Two exist: ``local`` (SQLite + FAISS + BM25 in atomic generations, one
machine) and ``postgres`` (pgvector + full-text search, any number of machines).
"""

from __future__ import annotations

from collections.abc import Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from index.chunking import ChunkDraft
from index.embedders import Vectors
from index.errors import IndexMismatchError
from index.types import Chunk, Document, DocumentInfo, Hit, SearchOptions
from index.vectors import VectorIndex

__all__ = [
    "Backend",
    "IndexExport",
    "IndexSettings",
    "check_settings",
]


@dataclass(frozen=True)
class IndexExport:  # Index.export
    ids: list[int]
    texts: list[str]
    vectors: Vectors
    vector_index: VectorIndex


@dataclass(frozen=True)
class IndexSettings:
    """What an index was built with; a mismatch on open or add is refused, named."""

    embedder: str
    dim: int
    chunk_tokens: int
    overlap_tokens: int

    def as_meta(self) -> dict[str, str]:
        return {
            "embedder": self.embedder,
            "dim": str(self.dim),
            "chunk_tokens": str(self.chunk_tokens),
            "overlap_tokens": str(self.overlap_tokens),
        }


def check_settings(
    location: str, meta: dict[str, str], embedder: str | None, chunking: tuple[int, int] | None
) -> None:
    """Refuse an index built with another embedder (its vectors would be compared with the
    query's in another space), and, when adding (``chunking`` given), chunks of another size
    (a mixed index ranks long and short passages against each other). ``embedder`` None
    accepts any: a copy to another backend reads vectors, it makes none."""
    built_with = meta.get("embedder")
    if built_with and embedder is not None and built_with != embedder:
        raise IndexMismatchError(
            f"index {location} was built with embedder {built_with!r}, but "
            f"{embedder!r} is configured; set the embedder back to {built_with!r} "
            f"or rebuild: rag index --rebuild PATHS"
        )
    built = (meta.get("chunk_tokens"), meta.get("overlap_tokens"))
    if chunking is None or None in built or built == tuple(str(n) for n in chunking):
        return
    raise IndexMismatchError(
        f"{location} was chunked at {built[0]} tokens with {built[1]} "
        f"overlapping, but {chunking[0]}/{chunking[1]} are configured; set "
        f"index.chunk_tokens = {built[0]} and index.overlap_tokens = {built[1]} again, "
        "or re-chunk everything: rag index --rebuild PATH..."
    )


class Backend(Protocol):
    """Storage and search of one index. Reads may run in any thread; writes happen inside
    ``writing()``, which admits one writer at a time across processes."""

    location: str  # what messages name: a folder, or a DSN without its password
    cache_dir: Path  # a local folder for caches kept beside the index (judge verdicts)

    def meta(self) -> dict[str, str]: ...

    def documents(self) -> list[DocumentInfo]: ...

    def document(self, doc_id: str) -> Document | None: ...

    def count_chunks(self) -> int: ...

    def doc_chunks(self, doc_id: str) -> list[Chunk]:
        """The chunks of one document in order."""
        ...

    def search(
        self, query: str, query_vector: Vectors, options: SearchOptions, k: int
    ) -> list[Hit]: ...

    def export(self) -> IndexExport: ...

    def writing(self) -> AbstractContextManager[None]: ...

    def hashes_by_source(self) -> dict[str, tuple[str, str]]:
        """source path → (doc_id, content_hash) of what is stored."""
        ...

    def commit(
        self,
        docs: Sequence[Document],
        drafts: Sequence[Sequence[ChunkDraft]],
        vectors: Vectors,
        delete: Sequence[str],
        settings: IndexSettings,
        *,
        fresh: bool = False,
    ) -> None:
        """Delete ``delete``, then add ``docs`` with their chunks and row-aligned vectors,
        all or nothing; ``fresh`` first empties the index."""
        ...

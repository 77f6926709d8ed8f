"""The local backend: an index folder of atomic generations (see ``snapshot``), each one a
SQLite store, a FAISS vector index and a BM25 index.

Reads see one committed generation; a write copies the store into the next generation,
changes it, rebuilds BM25 and then points CURRENT at it.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from index.backend import IndexExport, IndexSettings, check_settings
from index.bm25 import BM25Index
from index.chunking import ChunkDraft
from index.embedders import Vectors
from index.errors import IndexCorruptError
from index.fusion import reciprocal_rank_fusion
from index.snapshot import STORE_FILE, Snapshots
from index.store import ChunkStore
from index.types import Chunk, Document, DocumentInfo, Hit, SearchOptions
from index.vectors import VECTOR_INDEXES, VectorIndex

__all__ = ["LocalBackend"]

log = logging.getLogger(__name__)


@dataclass
class _State:
    generation: Path | None
    store: ChunkStore | None
    vectors: VectorIndex | None
    bm25: BM25Index | None


class LocalBackend:
    def __init__(
        self, root: Path, embedder_name: str | None, vector_backend: str = "faiss-auto"
    ) -> None:
        self.root = Path(root)
        self.location = str(self.root)
        self.cache_dir = self.root
        self.embedder_name = embedder_name
        self.snapshots = Snapshots(self.root)
        self._vector_loader = VECTOR_INDEXES[vector_backend]
        self._lock = threading.RLock()
        self._state = _State(None, None, None, None)

    def _refresh(self) -> _State:
        """Follow CURRENT if another process committed a newer generation."""
        with self._lock:
            gen = self.snapshots.current()
            if gen is not None and gen == self._state.generation:
                return self._state
            if gen is None:
                self._state = _State(None, None, None, None)
                return self._state
            try:
                store = ChunkStore(gen / STORE_FILE, readonly=True)
            except IndexCorruptError:
                if self.snapshots.current() == gen:
                    raise
                return self._refresh()  # swept by a newer commit while we opened it
            check_settings(self.location, store.all_meta(), self.embedder_name, None)
            dim = int(store.get_meta("dim") or 0)
            # the old store is not closed here: searches in other threads may still be
            # reading it through the _State they took. Each reader holds its _State, so the
            # last one to let go frees it and CPython's refcount closes its connection.
            self._state = _State(gen, store, self._vector_loader(gen, dim), BM25Index.load(gen))
            return self._state

    # reading ------------------------------------------------------------------------------
    def meta(self) -> dict[str, str]:
        state = self._refresh()
        return state.store.all_meta() if state.store else {}

    def documents(self) -> list[DocumentInfo]:
        state = self._refresh()
        return state.store.documents() if state.store else []

    def document(self, doc_id: str) -> Document | None:
        state = self._refresh()
        return state.store.document(doc_id) if state.store else None

    def count_chunks(self) -> int:
        state = self._refresh()
        return state.store.count_chunks() if state.store else 0

    def doc_chunks(self, doc_id: str) -> list[Chunk]:
        state = self._refresh()
        return state.store.doc_chunks(doc_id) if state.store else []

    def hashes_by_source(self) -> dict[str, tuple[str, str]]:
        state = self._refresh()
        return state.store.hashes_by_source() if state.store else {}

    def export(self) -> IndexExport:
        state = self._refresh()
        if state.store is None or state.vectors is None:
            raise IndexCorruptError(f"{self.root} holds no index yet: add documents first")
        ids, texts, _langs = state.store.all_chunk_texts()
        vector_ids, vectors = state.vectors.export()
        row = {int(c): i for i, c in enumerate(vector_ids)}
        return IndexExport(ids, texts, vectors[[row[c] for c in ids]], state.vectors)

    def search(
        self, query: str, query_vector: Vectors, options: SearchOptions, k: int
    ) -> list[Hit]:
        state = self._refresh()
        if state.store is None or state.vectors is None or state.bm25 is None:
            return []
        o = options
        dense = state.vectors.search(query_vector.reshape(1, -1), o.candidates)[0]
        sparse = state.bm25.search(query, o.candidates)
        fused = reciprocal_rank_fusion(
            [[c for c, _ in dense], [c for c, _ in sparse]], o.rrf_k, [1.0, o.bm25_weight]
        )[:k]
        chunks = state.store.chunks(f.chunk_id for f in fused)
        labels = state.store.doc_labels(c.doc_id for c in chunks.values())
        dense_scores = dict(dense)
        hits: list[Hit] = []
        for f in fused:
            chunk = chunks.get(f.chunk_id)
            if chunk is None:  # vector without a row: cannot happen in a committed generation
                log.warning("chunk %d is in the vector index but not the store", f.chunk_id)
                continue
            title, lang = labels[chunk.doc_id]
            dense_score = dense_scores.get(f.chunk_id)
            hits.append(Hit(chunk, title, lang, f.score, f.ranks[0], f.ranks[1], dense_score))
        return hits

    # writing ------------------------------------------------------------------------------
    @contextmanager
    def writing(self) -> Iterator[None]:
        with self.snapshots.lock():
            yield

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
        with self.snapshots.write(fresh=fresh) as (staging, previous):
            store = ChunkStore(staging / STORE_FILE, readonly=False)
            try:
                if not fresh:
                    check_settings(self.location, store.all_meta(), settings.embedder, None)
                vecs = self._vector_loader(previous or staging, settings.dim)
                with store.db:
                    for doc_id in delete:
                        vecs.remove(store.delete_document(doc_id))
                    ids: list[int] = []
                    for doc, ds in zip(docs, drafts, strict=True):
                        ids.extend(c.chunk_id for c in store.add_document(doc, ds))
                    for key, value in settings.as_meta().items():
                        store.set_meta(key, value)
                vecs.add(ids, vectors)
                vecs.save(staging)
                BM25Index.build(*store.all_chunk_texts()).save(staging)
            finally:
                store.close()
        self._refresh()

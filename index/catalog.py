"""``Index``: an on-disk index directory you can add to, remove from and search.

Reads see one committed generation (see ``snapshot``); writes build the next one. Embedding
happens before the write transaction, so the slow part never holds a half-built generation.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from index.bm25 import BM25Index
from index.chunking import ChunkDraft, chunk_text, document_groups
from index.embedders import Embedder, Vectors
from index.errors import (
    DocumentNotFoundError,
    IndexCorruptError,
    IndexMismatchError,
    LoadError,
)
from index.fusion import reciprocal_rank_fusion
from index.loaders import collect_files, file_hash, load_file, read_sidecar
from index.snapshot import STORE_FILE, Snapshots
from index.store import ChunkStore
from index.types import Document, DocumentInfo, Hit, IndexReport, SearchOptions
from index.vectors import VECTOR_INDEXES, VectorIndex

__all__ = ["ChunkingOptions", "Index"]

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class ChunkingOptions:
    max_tokens: int = 128
    overlap_tokens: int = 24


@dataclass(frozen=True)
class IndexExport:  # Index.export
    ids: list[int]
    texts: list[str]
    vectors: Vectors
    vector_index: VectorIndex


@dataclass
class _State:
    generation: Path | None
    store: ChunkStore | None
    vectors: VectorIndex | None
    bm25: BM25Index | None


class Index:
    def __init__(
        self,
        root: Path,
        embedder: Embedder,
        chunking: ChunkingOptions | None = None,
        vector_backend: str = "faiss-auto",
        query_cache_size: int = 256,
        *,
        checkpoint_seconds: float = 300.0,
        embed_group: int = 256,
    ) -> None:
        self.root = Path(root)
        self.embedder = embedder
        self.chunking = chunking or ChunkingOptions()
        self._snapshots = Snapshots(self.root)
        self._vector_loader = VECTOR_INDEXES[vector_backend]
        self._lock = threading.RLock()
        self._state = _State(None, None, None, None)
        self._query_cache: OrderedDict[str, Vectors] = OrderedDict()
        self._query_cache_size = query_cache_size
        # a commit copies the store and rebuilds BM25 over every chunk (seconds at 100k
        # chunks), so long ingests commit every few minutes rather than every group
        self.checkpoint_seconds = checkpoint_seconds
        self.embed_group = embed_group

    # reading ------------------------------------------------------------------------------
    def _refresh(self) -> _State:
        """Follow CURRENT if another process committed a newer generation."""
        with self._lock:
            gen = self._snapshots.current()
            if gen is not None and gen == self._state.generation:
                return self._state
            if gen is None:
                self._state = _State(None, None, None, None)
                return self._state
            try:
                store = ChunkStore(gen / STORE_FILE, readonly=True)
            except IndexCorruptError:
                if self._snapshots.current() == gen:
                    raise
                return self._refresh()  # swept by a newer commit while we opened it
            self._check_embedder(store)
            dim = int(store.get_meta("dim") or 0)
            # the old store is not closed here: searches in other threads may still be
            # reading it through the _State they took. Each reader holds its _State, so the
            # last one to let go frees it and CPython's refcount closes its connection.
            self._state = _State(gen, store, self._vector_loader(gen, dim), BM25Index.load(gen))
            return self._state

    def _check_embedder(self, store: ChunkStore) -> None:
        built_with = store.get_meta("embedder")
        if built_with and built_with != self.embedder.name:
            raise IndexMismatchError(
                f"index {self.root} was built with embedder {built_with!r}, but "
                f"{self.embedder.name!r} is configured; set the embedder back to {built_with!r} "
                f"or rebuild: rag index --rebuild PATHS"
            )

    def export(self) -> IndexExport:
        """The live chunks' ids, texts and vectors (row-aligned) and vector index, to build
        another index from (the bench's baseline) or to measure one against."""
        state = self._refresh()
        if state.store is None or state.vectors is None:
            raise IndexCorruptError(f"{self.root} holds no index yet: add documents first")
        ids, texts, _langs = state.store.all_chunk_texts()
        vector_ids, vectors = state.vectors.export()
        row = {int(c): i for i, c in enumerate(vector_ids)}
        return IndexExport(ids, texts, vectors[[row[c] for c in ids]], state.vectors)

    def documents(self) -> list[DocumentInfo]:
        state = self._refresh()
        return state.store.documents() if state.store else []

    def document(self, doc_id: str) -> Document:
        state = self._refresh()
        doc = state.store.document(doc_id) if state.store else None
        if doc is None:
            raise DocumentNotFoundError(
                f"no document {doc_id!r} in {self.root}; list them with: rag docs"
            )
        return doc

    def count_chunks(self) -> int:
        state = self._refresh()
        return state.store.count_chunks() if state.store else 0

    def stored_dim(self) -> int:
        """The dimension of the stored vectors (0 when empty), read without loading a model."""
        state = self._refresh()
        return int(state.store.get_meta("dim") or 0) if state.store else 0

    def embed_query(self, query: str) -> Vectors:
        cached = self._query_cache.get(query)
        if cached is not None:
            self._query_cache.move_to_end(query)
            return cached
        vec = self.embedder.embed([query], "query")
        self._query_cache[query] = vec
        if len(self._query_cache) > self._query_cache_size:
            self._query_cache.popitem(last=False)
        return vec

    def search(
        self,
        query: str,
        options: SearchOptions | None = None,
        *,
        k: int | None = None,
        query_vector: Vectors | None = None,
    ) -> list[Hit]:
        """Hybrid search: dense ∪ BM25 candidates fused by reciprocal rank; ``k`` overrides
        ``options.k`` for this call (one session's choice, a test's)."""
        state = self._refresh()
        if state.store is None or state.vectors is None or state.bm25 is None or not query.strip():
            return []
        qv = query_vector if query_vector is not None else self.embed_query(query)
        o = options or SearchOptions()
        dense = state.vectors.search(qv.reshape(1, -1), o.candidates)[0]
        sparse = state.bm25.search(query, o.candidates)
        fused = reciprocal_rank_fusion(
            [[c for c, _ in dense], [c for c, _ in sparse]], o.rrf_k, [1.0, o.bm25_weight]
        )[: k or o.k]
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
    def add(
        self,
        paths: Iterable[Path],
        progress: bool = False,
        prune: bool = True,
        on_file: Callable[[str, str], None] | None = None,
        rebuild: bool = False,
    ) -> IndexReport:
        """Index new and changed files; with ``prune``, drop documents whose file is gone
        from a given folder. Bad files are reported, not raised; nothing stored is lost.
        ``rebuild`` starts from an empty index (after a change of embedder or chunking).
        Long runs commit every ``checkpoint_seconds``; after an interruption, run ``add``
        again (without ``rebuild``) and it embeds only the files not committed yet."""
        t0 = time.perf_counter()
        paths = [Path(p) for p in paths]
        files, failed, skipped = collect_files(paths)
        for path, reason in failed:
            if on_file:  # one channel for every path that failed, missing ones too
                on_file(path, reason)
        files = list({str(f.resolve()): f for f in files}.values())  # a file named twice
        with self._snapshots.lock():
            state = None if rebuild else self._refresh()
            if state and state.store:
                state.store.check_chunking(self.chunking.max_tokens, self.chunking.overlap_tokens)
            known = state.store.hashes_by_source() if state and state.store else {}
            docs: list[Document] = []
            unchanged: list[str] = []
            sidecars: dict[Path, dict[str, dict[str, str]]] = {}
            for f in files:
                source = str(f.resolve())
                try:
                    if source in known and known[source][1] == file_hash(f):
                        unchanged.append(known[source][0])
                        continue
                    if f.parent not in sidecars:
                        sidecars[f.parent] = read_sidecar(f.parent)
                    docs.append(load_file(f, sidecars[f.parent].get(f.name)))
                except LoadError as exc:  # this file only: the others are still indexed
                    failed.append((exc.path, exc.reason))
                    if on_file:
                        on_file(exc.path, exc.reason)
            gone = self._gone(known, paths, {str(f.resolve()) for f in files}) if prune else []
            replaced = [known[d.source][0] for d in docs if d.source in known]
            if not docs and not gone and not rebuild:
                return IndexReport(
                    (),
                    (),
                    tuple(unchanged),
                    (),
                    tuple(failed),
                    0,
                    time.perf_counter() - t0,
                    tuple(skipped),
                )
            drafts = [self._chunk(d) for d in docs]
            embedded = self._embed_and_commit(
                docs,
                drafts,
                {s: known[s][0] for s in known},
                gone,
                fresh=rebuild,
                progress=progress,
            )
        added = tuple(d.doc_id for d in docs if d.source not in known)
        return IndexReport(
            added,
            tuple(replaced),
            tuple(unchanged),
            tuple(gone),
            tuple(failed),
            embedded,
            time.perf_counter() - t0,
            tuple(skipped),
        )

    def _embed_and_commit(
        self,
        docs: Sequence[Document],
        drafts: Sequence[Sequence[ChunkDraft]],
        known: dict[str, str],
        gone: Sequence[str],
        *,
        fresh: bool,
        progress: bool,
    ) -> int:
        """Embed documents a group at a time and commit whenever ``checkpoint_seconds`` of
        work are pending, so a crash or Ctrl-C during a long ingest keeps what was committed
        and the next ``add`` resumes with the files not yet in (their hashes are unknown)."""
        from tqdm import tqdm

        total = sum(len(ds) for ds in drafts)
        pending: list[tuple[Document, Sequence[ChunkDraft], Vectors]] = []
        delete = list(gone)
        last_commit = time.perf_counter()

        def commit() -> None:
            nonlocal delete, fresh, last_commit
            vectors = (
                np.vstack([v for _d, _c, v in pending])
                if pending
                else np.zeros((0, 1), dtype=np.float32)
            )
            replaced = [known[d.source] for d, _c, _v in pending if d.source in known]
            self._commit(
                [d for d, _c, _v in pending],
                [c for _d, c, _v in pending],
                vectors,
                [*replaced, *delete],
                fresh=fresh,
            )
            pending.clear()
            delete, fresh, last_commit = [], False, time.perf_counter()

        with tqdm(total=total, desc="embedding", unit="chunk", disable=not progress) as bar:
            for group in document_groups(drafts, self.embed_group):
                texts = [docs[i].text[c.start : c.end] for i in group for c in drafts[i]]
                titles = [docs[i].title for i in group for _ in drafts[i]]
                # a long document is embedded in windows so the bar keeps moving
                parts: list[Vectors] = []
                for w in range(0, len(texts), self.embed_group):
                    window = slice(w, w + self.embed_group)
                    parts.append(self.embedder.embed(texts[window], "document", titles[window]))
                    bar.update(len(parts[-1]))
                vectors = np.vstack(parts) if parts else np.zeros((0, 1), dtype=np.float32)
                row = 0
                for i in group:
                    pending.append((docs[i], drafts[i], vectors[row : row + len(drafts[i])]))
                    row += len(drafts[i])
                if time.perf_counter() - last_commit >= self.checkpoint_seconds:
                    commit()
        if pending or delete or fresh:
            commit()
        return total

    def remove(self, doc_id: str) -> None:
        with self._snapshots.lock():
            state = self._refresh()
            if state.store is None or state.store.document(doc_id) is None:
                raise DocumentNotFoundError(
                    f"no document {doc_id!r} in {self.root}; list them with: rag docs"
                )
            self._commit([], [], np.zeros((0, 1), dtype=np.float32), [doc_id])

    def _gone(
        self, known: dict[str, tuple[str, str]], paths: Sequence[Path], present: set[str]
    ) -> list[str]:
        folders = [str(p.resolve()) for p in paths if p.is_dir()]
        return [
            doc_id
            for source, (doc_id, _h) in known.items()
            if source not in present and any(source.startswith(f + "/") for f in folders)
        ]

    def _chunk(self, doc: Document) -> list[ChunkDraft]:
        return chunk_text(
            doc.text, doc.language, self.chunking.max_tokens, self.chunking.overlap_tokens
        )

    def _commit(
        self,
        docs: Sequence[Document],
        drafts: Sequence[Sequence[ChunkDraft]],
        vectors: Vectors,
        delete: Sequence[str],
        fresh: bool = False,
    ) -> None:
        with self._snapshots.write(fresh=fresh) as (staging, previous):
            store = ChunkStore(staging / STORE_FILE, readonly=False)
            try:
                if not fresh:
                    self._check_embedder(store)
                dim = int(store.get_meta("dim") or 0) or self.embedder.dim
                vecs = (
                    self._vector_loader(previous, dim)
                    if previous
                    else self._vector_loader(staging, dim)
                )
                with store.db:
                    for doc_id in delete:
                        vecs.remove(store.delete_document(doc_id))
                    ids: list[int] = []
                    for doc, ds in zip(docs, drafts, strict=True):
                        ids.extend(c.chunk_id for c in store.add_document(doc, ds))
                    store.set_meta("embedder", self.embedder.name)
                    store.set_meta("dim", str(dim))
                    store.set_meta("chunk_tokens", str(self.chunking.max_tokens))
                    store.set_meta("overlap_tokens", str(self.chunking.overlap_tokens))
                vecs.add(ids, vectors)
                vecs.save(staging)
                BM25Index.build(*store.all_chunk_texts()).save(staging)
            finally:
                store.close()
        self._refresh()

"""``Index``: documents you can add to, remove from and search, kept by a ``Backend``
(``local``: an index folder; ``postgres``: a database).

Here is what every backend shares: finding files, skipping unchanged ones by content hash,
chunking, and embedding before the write, so the slow part never holds a write open.
"""

from __future__ import annotations

import time
from collections import OrderedDict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from index.backend import Backend, IndexExport, IndexSettings, check_settings
from index.chunking import ChunkDraft, chunk_text, document_groups
from index.embedders import Embedder, Vectors
from index.errors import DocumentNotFoundError, LoadError, RagIndexError
from index.loaders import collect_files, file_hash, load_file, read_sidecar
from index.local import LocalBackend
from index.references import language_reference
from index.types import Document, DocumentInfo, Hit, IndexReport, SearchOptions

__all__ = ["BACKENDS", "ChunkingOptions", "Index", "make_backend"]


@dataclass(frozen=True)
class ChunkingOptions:
    max_tokens: int = 128
    overlap_tokens: int = 24


def _postgres(
    embedder_name: str | None, cache_dir: Path, dsn: str | None, schema: str, _vectors: str
) -> Backend:
    from index.postgres import PostgresBackend

    if not dsn:
        raise RagIndexError(
            "index.backend is postgres but index.dsn is not set; set it (RAG_INDEX__DSN="
            "postgresql://user:password@host:5432/db), or start a local server: rag db start"
        )
    return PostgresBackend(dsn, embedder_name, cache_dir, schema)


def _local(
    embedder_name: str | None, cache_dir: Path, _dsn: str | None, _schema: str, vectors: str
) -> Backend:
    return LocalBackend(cache_dir, embedder_name, vectors)


BACKENDS: dict[str, Callable[[str | None, Path, str | None, str, str], Backend]] = {
    "local": _local,
    "postgres": _postgres,
}


def make_backend(
    name: str,
    embedder_name: str | None,
    folder: Path,
    *,
    dsn: str | None = None,
    schema: str = "rag",
    vector_backend: str = "faiss-auto",
) -> Backend:
    """The backend called ``name``; ``folder`` is the local index, or the local cache of a
    database index (judge verdicts). ``embedder_name`` None opens an index built with any
    embedder (to copy it)."""
    if name not in BACKENDS:
        raise RagIndexError(f"unknown index.backend {name!r}; use one of {sorted(BACKENDS)}")
    return BACKENDS[name](embedder_name, folder, dsn, schema, vector_backend)


class Index:
    def __init__(
        self,
        root: Path,
        embedder: Embedder,
        chunking: ChunkingOptions | None = None,
        vector_backend: str = "faiss-auto",
        query_cache_size: int = 256,
        *,
        backend: Backend | None = None,
        checkpoint_seconds: float = 300.0,
        embed_group: int = 256,
    ) -> None:
        """An index in the folder ``root``, or, given ``backend``, wherever that keeps it
        (``root`` then only holds caches such as the judge's verdicts)."""
        self.embedder = embedder
        self.chunking = chunking or ChunkingOptions()
        self.backend: Backend = backend or LocalBackend(Path(root), embedder.name, vector_backend)
        self.root = self.backend.cache_dir
        self._query_cache: OrderedDict[str, Vectors] = OrderedDict()
        self._query_cache_size = query_cache_size
        # a local commit copies the store and rebuilds BM25 over every chunk (seconds at
        # 100k chunks), so long ingests commit every few minutes rather than every group
        self.checkpoint_seconds = checkpoint_seconds
        self.embed_group = embed_group

    # reading ------------------------------------------------------------------------------
    def export(self) -> IndexExport:
        """The live chunks' ids, texts and vectors (row-aligned) and vector index, to build
        another index from (the bench's baseline, a copy to another backend)."""
        return self.backend.export()

    def documents(self) -> list[DocumentInfo]:
        return self.backend.documents()

    def document(self, doc_id: str) -> Document:
        doc = self.backend.document(doc_id)
        if doc is None:
            raise DocumentNotFoundError(
                f"no document {doc_id!r} in {self.backend.location}; list them with: rag docs"
            )
        return doc

    def count_chunks(self) -> int:
        return self.backend.count_chunks()

    def stored_dim(self) -> int:
        """The dimension of the stored vectors (0 when empty), read without loading a model."""
        return int(self.backend.meta().get("dim") or 0)

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
        ``options.k`` for this call (one session's choice, a test's). A query that names a
        document by its language gets that language's passages first, each group in fused
        order (``options.language_references``)."""
        if not query.strip() or not self.backend.meta().get("dim"):  # empty: load no model
            return []
        o = options or SearchOptions()
        k = k or o.k
        lang, rest = language_reference(query) if o.language_references else (None, query)
        # a caller's own query vector (the benchmarks time the search alone so) stands for the
        # question as asked: the reference is then left in, and the ranking is the plain one
        if lang is not None and query_vector is None:
            # a deeper list, so that the named language's passages further down move up
            hits = self.backend.search(rest, self.embed_query(rest), o, max(4 * k, 20))
            named = [h for h in hits if h.language == lang]
            if named:
                return (named + [h for h in hits if h.language != lang])[:k]
            # no document in that language: the question is searched as it was asked
        qv = query_vector if query_vector is not None else self.embed_query(query)
        return self.backend.search(query, qv, o, k)

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
        with self.backend.writing():
            if not rebuild:
                check_settings(
                    self.backend.location,
                    self.backend.meta(),
                    self.embedder.name,
                    (self.chunking.max_tokens, self.chunking.overlap_tokens),
                )
            known = {} if rebuild else self.backend.hashes_by_source()
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
        with self.backend.writing():
            if self.backend.document(doc_id) is None:
                raise DocumentNotFoundError(
                    f"no document {doc_id!r} in {self.backend.location}; list them with: rag docs"
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
        stored = 0 if fresh else int(self.backend.meta().get("dim") or 0)
        dim = vectors.shape[1] if len(vectors) else stored or self.embedder.dim
        settings = IndexSettings(
            self.embedder.name, dim, self.chunking.max_tokens, self.chunking.overlap_tokens
        )
        self.backend.commit(docs, drafts, vectors, delete, settings, fresh=fresh)

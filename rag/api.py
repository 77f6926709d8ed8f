"""``Assistant``: the one entry point that the CLI, the UI and the eval harness call."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from pathlib import Path

from index import (
    ChunkingOptions,
    Document,
    DocumentInfo,
    Embedder,
    Hit,
    Index,
    IndexReport,
    make_embedder,
)
from rag.config import Config, load_config

__all__ = ["Assistant"]

log = logging.getLogger(__name__)


class Assistant:
    """Questions over an index directory. Models load on first use, not on construction."""

    def __init__(self, index: Index, config: Config) -> None:
        self.index = index
        self.config = config

    @classmethod
    def open(
        cls,
        index_dir: str | Path | None = None,
        config: Config | None = None,
        embedder: Embedder | None = None,
    ) -> Assistant:
        """Open (or create) the index at ``index_dir`` (default: ``config.index.dir``).

        ``embedder`` replaces the configured one, e.g. a deterministic fake in unit tests.
        """
        config = config or load_config()
        ic = config.index
        emb = embedder or make_embedder(
            ic.embedder,
            batch_size=ic.batch_size,
            max_seq_length=ic.max_seq_length,
            models_dir=ic.models_dir,
        )
        index = Index(
            Path(index_dir) if index_dir is not None else ic.dir,
            emb,
            ChunkingOptions(ic.chunk_tokens, ic.overlap_tokens),
            ic.vector_backend,
        )
        return cls(index, config)

    def add(
        self,
        paths: Iterable[str | Path],
        progress: bool = False,
        prune: bool = True,
        rebuild: bool = False,
        on_error: Callable[[str, str], None] | None = None,
    ) -> IndexReport:
        """Index files and folders; new or changed files only. See ``Index.add``."""
        return self.index.add(
            [Path(p) for p in paths],
            progress=progress,
            prune=prune,
            on_file=on_error,
            rebuild=rebuild,
        )

    def remove(self, doc_id: str) -> None:
        self.index.remove(doc_id)

    def documents(self) -> list[DocumentInfo]:
        return self.index.documents()

    def document(self, doc_id: str) -> Document:
        return self.index.document(doc_id)

    def search(self, query: str, k: int | None = None) -> list[Hit]:
        rc = self.config.retrieval
        return self.index.search(
            query, k=k or rc.k, candidates=rc.candidates, rrf_k=rc.rrf_k, bm25_weight=rc.bm25_weight
        )

"""``Assistant``: the one entry point that the CLI, the UI and the eval harness call."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any

from index import (
    ChunkingOptions,
    Document,
    DocumentInfo,
    Embedder,
    Hit,
    Index,
    IndexReport,
    make_backend,
    make_embedder,
)
from index.embedders import Vectors
from rag.answering import Answerer
from rag.components import make_checker, make_generator
from rag.config import GENERATOR_KEYS, Config, load_config
from rag.generators import Generator
from rag.types import Answer, AnswerEvent, AskOptions, Event, Turn
from rag.verify import SupportChecker

__all__ = ["Assistant"]

log = logging.getLogger(__name__)


class Assistant:
    """Questions over an index directory. Models load on first use, not on construction."""

    def __init__(
        self,
        index: Index,
        config: Config,
        generator: Generator | None = None,
        checker: SupportChecker | None = None,
    ) -> None:
        self.index = index
        self.config = config
        self._generator = generator
        self._checker = checker
        self._answerer: Answerer | None = None

    @classmethod
    def open(
        cls,
        index_dir: str | Path | None = None,
        config: Config | None = None,
        embedder: Embedder | None = None,
        generator: Generator | None = None,
        checker: SupportChecker | None = None,
    ) -> Assistant:
        """Open (or create) the index at ``index_dir`` (default: ``config.index.dir``).

        ``embedder``, ``generator`` and ``checker`` replace the configured parts, e.g. with
        deterministic fakes in unit tests. Nothing is loaded until it is first used.
        """
        config = config or load_config()
        ic = config.index
        emb = embedder or make_embedder(
            ic.embedder,
            batch_size=ic.batch_size,
            max_seq_length=ic.max_seq_length,
            precision=ic.precision,
            models_dir=ic.models_dir,
        )
        folder = Path(index_dir) if index_dir is not None else ic.dir
        backend = make_backend(
            ic.backend,
            emb.name,
            folder,
            dsn=ic.dsn.get_secret_value() if ic.dsn else None,
            schema=ic.pg_schema,
            vector_backend=ic.vector_backend,
        )
        index = Index(
            folder, emb, ChunkingOptions(ic.chunk_tokens, ic.overlap_tokens), backend=backend
        )
        return cls(index, config, generator, checker)

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

    def search(
        self, query: str, k: int | None = None, query_vector: Vectors | None = None
    ) -> list[Hit]:
        """Hybrid search; ``query_vector`` skips embedding the query (batch evaluations
        embed all their questions at once)."""
        options = self.config.retrieval.search_options()
        return self.index.search(query, options, k=k, query_vector=query_vector)

    # answering -------------------------------------------------------------------------------
    @property
    def generator(self) -> Generator:
        if self._generator is None:
            self._generator = make_generator(self.config.answer, self.config.index)
        return self._generator

    @property
    def checker(self) -> SupportChecker:
        if self._checker is None:
            # verdicts persist beside the index: a re-run of an evaluation is fast
            self._checker = make_checker(
                self.config.answer, self.generator, self.index.root / "verdicts.jsonl"
            )
        return self._checker

    def _get_answerer(self) -> Answerer:
        if self._answerer is None:
            self._answerer = Answerer(
                self.index,
                self.generator,
                self.checker,
                self.config.answer,
                self.config.retrieval,
            )
        return self._answerer

    def stream(
        self,
        question: str,
        history: Sequence[Turn] | None = None,
        stop: threading.Event | None = None,
        options: AskOptions | None = None,
    ) -> Iterator[Event]:
        """Events in order: sources, tokens, per-sentence verdicts, the final ``Answer``.

        Setting ``stop`` ends generation early; the final answer then abstains. ``options``
        overrides settings for this question only (one UI session's choices).
        """
        if not question.strip():
            raise ValueError("the question is empty")
        yield from self._get_answerer().stream(question, history, stop, options)

    def warm_up(self) -> None:
        """Load the embedder and the generator, and fill the generator's prompt cache with
        the fixed part of the answer prompt, so the first question is as fast as the next."""
        self.index.embed_query("warm-up")
        self._get_answerer().warm_up()

    def reconfigure(self, **sections: dict[str, Any]) -> None:
        """Change settings at run time, e.g. ``reconfigure(answer={"max_tokens": 120})``.

        Values are validated like the config file; a change of generator settings drops the
        loaded generator and checker, so the next question builds them anew.
        """
        updates = {}
        for name, values in sections.items():
            current = getattr(self.config, name)
            updates[name] = type(current).model_validate({**current.model_dump(), **values})
        self.config = self.config.model_copy(update=updates)
        if GENERATOR_KEYS & set(sections.get("answer", {})):
            self._generator = None
            self._checker = None
        self._answerer = None

    def ask(
        self,
        question: str,
        history: Sequence[Turn] | None = None,
        options: AskOptions | None = None,
    ) -> Answer:
        for event in self.stream(question, history, options=options):
            if isinstance(event, AnswerEvent):
                return event.answer
        raise RuntimeError("the answering pipeline ended without an answer")

"""The baseline: what a user would otherwise build with LlamaIndex, run by the same harness.

A ``VectorStoreIndex`` (default in-memory store, default ``SentenceSplitter``) queried by a
``CitationQueryEngine`` with default settings (top 2 passages, 512-token citation chunks,
its own citation prompt). Only the models are ours, so the comparison is about the
pipeline: the same embedder (wrapped as a LlamaIndex embedding) and the same generator
(wrapped as a LlamaIndex LLM). Documents come from our loaders, so both pipelines see the
same text and a citation of either can be checked against the same ``document.text``.

The baseline has no abstention step and no answer-time verification; its answer is taken
as an abstention when it says, in any wording, that the context does not answer.
"""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

from index.embedders import Embedder
from index.loaders import collect_files, load_file, read_sidecar
from index.text import count_tokens, detect_language
from index.types import Chunk, Document, Hit
from rag.citations import parse_answer
from rag.generators import GenerationRequest, Generator
from rag.prompts import ANSWER_LANGUAGES
from rag.types import Answer, AnswerSentence, Citation, Timings, Turn

__all__ = ["LlamaIndexBaseline", "looks_like_abstention"]

# Phrases a model uses when its context holds no answer (LlamaIndex's prompt asks for no
# particular wording), in English and German. They name the context, so that a quoted
# source sentence such as "both sides do not provide any information" is not taken for one.
_CONTEXT = r"(context|sources?|documents?|texts?|information|passages?)"
_ABSTAIN = re.compile(
    rf"({_CONTEXT}( provided| given)? (does|do) not"
    rf"|not (mentioned|provided|stated|specified|given|found) in the (provided |given )?{_CONTEXT}"
    r"|(can ?not|can't|unable to) (answer|determine|find|be determined)"
    r"|not possible to (answer|determine)"
    r"|(kontext|quellen?|dokumente?|texte?)\w* (enthält|enthalten|sagt|sagen|nennt|nennen)"
    r" (nicht|keine)"
    r"|nicht (erwähnt|angegeben|genannt|beantwortet)|keine (angaben|informationen))",
    re.IGNORECASE,
)
# The default citation prompt shows sources as "Source 1:"; small models then cite in prose:
# "According to Source 1, X", "Source 2: X", "X [Source 1, Source 2]", "X (Source 3)". A
# reader takes each as a citation, so each becomes a marker; the words go, so that the claim
# checked is X and not "according to Source 1" (which no passage says).
_WORD = r"\b(?:Sources?|Quellen?)\s+"
# inside brackets a list may run on with commas: "[Source 1, 2]", "(Sources 1 and 3)"
_BRACKETED = rf"[\[(]\s*{_WORD}(\d+(?:\s*(?:,|and|und|&)\s*(?:{_WORD})?\d+)*)\s*[\])]"
# in running text a comma ends it: in "According to Source 4, 150 soldiers" 150 is no source
_PROSE = (
    r"(?:\b(?:according to|as (?:stated|mentioned|reported|shown) in|laut|gemäß)\s+)?"
    rf"{_WORD}(\d+(?:\s*(?:and|und|&)\s*\d+)*(?:\s*,\s*{_WORD}\d+)*)(?:\s*[,:])?"
)
_SOURCE_WORDS = re.compile(rf"{_BRACKETED}|{_PROSE}", re.IGNORECASE)


def _bracket_sources(text: str) -> str:
    def repl(m: re.Match[str]) -> str:
        numbers = m.group(1) or m.group(2)
        return "[" + ", ".join(re.findall(r"\d+", numbers)) + "]"

    return _SOURCE_WORDS.sub(repl, text)


def looks_like_abstention(text: str) -> bool:
    return not text.strip() or bool(_ABSTAIN.search(text))


def _llama_adapters(embedder: Embedder, generator: Generator, context_window: int) -> Any:
    """LlamaIndex classes around our models, built on first use: importing this module
    must not import LlamaIndex."""
    from llama_index.core.base.embeddings.base import BaseEmbedding
    from llama_index.core.llms import (
        CompletionResponse,
        CompletionResponseGen,
        CustomLLM,
        LLMMetadata,
    )
    from llama_index.core.llms.callbacks import llm_completion_callback
    from pydantic import PrivateAttr

    class SameEmbedder(BaseEmbedding):
        _embedder: Any = PrivateAttr()

        def __init__(self, inner: Embedder) -> None:
            super().__init__(model_name=inner.name)
            self._embedder = inner

        def _get_query_embedding(self, query: str) -> list[float]:
            return [float(x) for x in self._embedder.embed([query], "query")[0]]

        async def _aget_query_embedding(self, query: str) -> list[float]:
            return self._get_query_embedding(query)

        def _get_text_embedding(self, text: str) -> list[float]:
            return self._get_text_embeddings([text])[0]

        def _get_text_embeddings(self, texts: list[str]) -> list[list[float]]:
            return [[float(x) for x in v] for v in self._embedder.embed(texts, "document")]

    class SameGenerator(CustomLLM):
        _generator: Any = PrivateAttr()
        _prompt_tokens: int = PrivateAttr(default=0)

        def __init__(self, inner: Generator) -> None:
            super().__init__()
            self._generator = inner

        @property
        def last_prompt_tokens(self) -> int:
            return self._prompt_tokens

        @property
        def metadata(self) -> LLMMetadata:
            return LLMMetadata(
                context_window=context_window,
                num_output=256,
                model_name=self._generator.model_id,
            )

        def _pieces(self, prompt: str) -> Iterator[str]:
            request = GenerationRequest(messages=[{"role": "user", "content": prompt}])
            self._prompt_tokens = count_tokens(prompt)  # counted as ours are: content only
            pieces: Iterator[str] = self._generator.stream(request)
            return pieces

        @llm_completion_callback()
        def complete(self, prompt: str, formatted: bool = False, **kw: Any) -> CompletionResponse:
            return CompletionResponse(text="".join(self._pieces(prompt)))

        @llm_completion_callback()
        def stream_complete(
            self, prompt: str, formatted: bool = False, **kw: Any
        ) -> CompletionResponseGen:
            def gen() -> CompletionResponseGen:
                text = ""
                for piece in self._pieces(prompt):
                    text += piece
                    yield CompletionResponse(text=text, delta=piece)

            return gen()

    return SameEmbedder(embedder), SameGenerator(generator)


class LlamaIndexBaseline:
    """Implements the harness's ``Pipeline``: ``ask`` and ``document``."""

    name = "llamaindex"

    def __init__(
        self,
        embedder: Embedder,
        generator: Generator,
        context_window: int = 4096,
        chunk_size: int | None = None,
        chunk_overlap: int | None = None,
    ):
        """``chunk_size``/``chunk_overlap`` replace the default splitter's (1024/200), for
        comparisons at equal chunk size; None keeps LlamaIndex's default."""
        self.embedder = embedder
        self.generator = generator
        self.chunk_size = chunk_size
        self.chunk_overlap = chunk_overlap
        self._embed_model, self._llm = _llama_adapters(embedder, generator, context_window)
        self._docs: dict[str, Document] = {}
        self._index: Any = None
        self._engine: Any = None
        self._lock = threading.Lock()

    # building -------------------------------------------------------------------------
    def add(self, paths: Sequence[Any], progress: bool = False) -> int:
        """Load files with our loaders and build the in-memory index; returns nodes made."""
        from llama_index.core import Document as LlamaDocument
        from llama_index.core import VectorStoreIndex
        from llama_index.core.query_engine import CitationQueryEngine

        files, _missing, _skipped = collect_files([Path(p) for p in paths])
        sidecars: dict[str, dict[str, dict[str, str]]] = {}
        for f in files:
            folder = str(f.parent)
            if folder not in sidecars:
                sidecars[folder] = read_sidecar(f.parent)
            doc = load_file(f, sidecars[folder].get(f.name))
            self._docs[doc.doc_id] = doc
        llama_docs = [
            LlamaDocument(
                text=d.text,
                id_=d.doc_id,
                metadata={"title": d.title, "file_name": Path(d.source).name},
            )
            for d in self._docs.values()
        ]
        transformations: list[Any] | None = None  # None: LlamaIndex's default splitter
        if self.chunk_size is not None:
            from llama_index.core.node_parser import SentenceSplitter

            transformations = [
                SentenceSplitter(chunk_size=self.chunk_size, chunk_overlap=self.chunk_overlap or 0)
            ]
        self._index = VectorStoreIndex.from_documents(
            llama_docs,
            embed_model=self._embed_model,
            transformations=transformations,
            show_progress=progress,
        )
        self._engine = CitationQueryEngine.from_args(self._index, llm=self._llm, streaming=True)
        return len(self._index.docstore.docs)

    def add_embedded(self, texts: Sequence[str], vectors: Any) -> int:
        """Build the in-memory index from chunks embedded elsewhere (ours, same chunks and
        embedder): what the default store costs to hold, save, open and search at a size
        whose embedding would take the baseline hours. No answering engine is made."""
        from llama_index.core import VectorStoreIndex
        from llama_index.core.schema import TextNode

        nodes = [
            TextNode(text=t, embedding=v) for t, v in zip(texts, vectors.tolist(), strict=True)
        ]
        self._index = VectorStoreIndex(nodes, embed_model=self._embed_model)
        return len(nodes)

    @property
    def embed_model(self) -> Any:
        """Our embedder as a LlamaIndex embedding, e.g. to load a persisted index with."""
        return self._embed_model

    def persist(self, folder: Path) -> None:
        """Save the index the LlamaIndex way (JSON files in ``folder``)."""
        self._index.storage_context.persist(persist_dir=str(folder))

    def retrieve_docs(self, question: str, vector: Sequence[float], k: int) -> list[str]:
        """Doc ids of the top ``k`` nodes for a question whose embedding is given."""
        from llama_index.core.schema import QueryBundle

        retriever = self._index.as_retriever(similarity_top_k=k)
        nodes = retriever.retrieve(QueryBundle(question, embedding=list(vector)))
        return [str(n.node.ref_doc_id) for n in nodes]

    # the Pipeline protocol ----------------------------------------------------------------
    def document(self, doc_id: str) -> Document:
        return self._docs[doc_id]

    def documents(self) -> list[Document]:
        return list(self._docs.values())

    @property
    def model_ids(self) -> dict[str, str]:
        return {"embedder": self.embedder.name, "generator": self.generator.model_id}

    def ask(self, question: str, history: Sequence[Turn] | None = None) -> Answer:
        """One query; the plain query engine has no conversation, so history is unused."""
        if self._engine is None:
            raise RuntimeError("the baseline has no documents; call add() first")
        t0 = time.perf_counter()
        with self._lock:
            response = self._engine.query(question)
            sources_at = time.perf_counter() - t0
            first: float | None = None
            text = ""
            for piece in response.response_gen:
                if first is None and piece:
                    first = time.perf_counter() - t0
                text += piece
        total = time.perf_counter() - t0
        language = detect_language(question, ANSWER_LANGUAGES)
        offered = range(1, len(response.source_nodes) + 1)
        parsed = parse_answer(_bracket_sources(text), offered, language)
        # verdicts are left to the harness's judge: this pipeline does not verify
        sentences = tuple(
            AnswerSentence(p.text, p.evidence, "supported", 1.0, "", True) for p in parsed
        )
        used = sorted({n for p in parsed for n in p.evidence})
        citations = tuple(self._citation(n, response.source_nodes[n - 1]) for n in used)
        hits = tuple(self._hit(n) for n in response.source_nodes)
        abstained = looks_like_abstention(text)
        return Answer(
            question=question,
            standalone_question=question,
            language=language,
            text=text.strip(),
            sentences=sentences,
            citations=citations,
            abstained=abstained,
            reason="the model said the context does not answer" if abstained else "",
            hits=hits,
            evidence=(),
            timings=Timings(
                retrieval=sources_at, first_token=first, generation=total - sources_at, total=total
            ),
            models=self.model_ids,
            raw_text=text,
            prompt_tokens=self._llm.last_prompt_tokens,
        )

    def _citation(self, number: int, node: Any) -> Citation:
        content = node.node.get_content()
        quote = re.sub(r"^Source \d+:\n", "", content).rstrip("\n")
        doc = self._docs[str(node.node.ref_doc_id)]
        # LlamaIndex drops the offsets of citation chunks; find the quote ourselves. When it
        # is not in the text verbatim the span stays empty and quote_exact counts it.
        start = doc.text.find(quote)
        end = start + len(quote) if start >= 0 else 0
        return Citation(number, doc.doc_id, doc.title, doc.language, max(start, 0), end, quote)

    def _hit(self, node: Any) -> Hit:
        doc = self._docs[str(node.node.ref_doc_id)]
        text = re.sub(r"^Source \d+:\n", "", node.node.get_content()).rstrip("\n")
        chunk = Chunk(0, doc.doc_id, 0, 0, len(text), text, (), count_tokens(text))
        return Hit(chunk, doc.title, doc.language, float(node.score or 0.0), None, None, None)

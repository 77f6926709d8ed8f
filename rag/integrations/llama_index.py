"""LlamaIndex components over an open Assistant, built on llama-index-core's own interfaces.

- ``GroundedRetriever``: a ``BaseRetriever`` returning our hybrid search hits as
  ``NodeWithScore``; each node's text is ``document.text[start:end]`` and its metadata carry
  the document id, title, language and the exact offsets (also as start/end_char_idx).
- ``GroundedQueryEngine``: a ``BaseQueryEngine`` whose ``Response`` is the verified answer;
  its ``source_nodes`` are the verified citations (the quoted spans, scored by the judge's
  support), and ``metadata["grounding"]`` holds every sentence's verdict.

    engine = GroundedQueryEngine(Assistant.open(".rag-index"))
    print(engine.query("Who recommended the withdrawal?").source_nodes[0].node.metadata)
"""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from llama_index.core.base.base_query_engine import BaseQueryEngine
from llama_index.core.base.response.schema import Response
from llama_index.core.callbacks import CallbackManager
from llama_index.core.retrievers import BaseRetriever
from llama_index.core.schema import NodeWithScore, QueryBundle, TextNode

from rag.api import Assistant
from rag.types import Answer

__all__ = ["GroundedQueryEngine", "GroundedRetriever"]


def _node(doc_id: str, title: str, language: str, span: tuple[int, int], text: str) -> TextNode:
    start, end = span
    return TextNode(
        id_=f"{doc_id}:{start}-{end}",
        text=text,
        start_char_idx=start,
        end_char_idx=end,
        metadata={
            "doc_id": doc_id,
            "title": title,
            "language": language,
            "start": start,
            "end": end,
        },
    )


class GroundedRetriever(BaseRetriever):
    """Hybrid (dense + BM25) search over the assistant's index; ``k`` hits per query."""

    def __init__(
        self, assistant: Assistant, k: int | None = None, callback_manager: Any = None
    ) -> None:
        self._assistant = assistant
        self._k = k
        super().__init__(callback_manager=callback_manager)

    def _retrieve(self, query_bundle: QueryBundle) -> list[NodeWithScore]:
        hits = self._assistant.search(query_bundle.query_str, self._k)
        return [
            NodeWithScore(
                node=_node(
                    h.chunk.doc_id, h.title, h.language, (h.chunk.start, h.chunk.end), h.chunk.text
                ),
                score=h.score,
            )
            for h in hits
        ]


class GroundedQueryEngine(BaseQueryEngine):
    """Answers with the assistant's verified pipeline; sources are the verified citations."""

    def __init__(self, assistant: Assistant, callback_manager: CallbackManager | None = None):
        self._assistant = assistant
        super().__init__(callback_manager=callback_manager)

    def _get_prompt_modules(self) -> dict[str, Any]:
        return {}

    def _query(self, query_bundle: QueryBundle) -> Response:
        return to_response(self._assistant.ask(query_bundle.query_str))

    async def _aquery(self, query_bundle: QueryBundle) -> Response:
        import asyncio

        return to_response(await asyncio.to_thread(self._assistant.ask, query_bundle.query_str))


def to_response(answer: Answer) -> Response:
    support = {n: s.support for s in answer.sentences if s.kept for n in s.citations}
    nodes = [
        NodeWithScore(
            node=_node(c.doc_id, c.title, c.language, (c.start, c.end), c.quote),
            score=support.get(c.number),
        )
        for c in answer.citations
    ]
    grounding = {
        "abstained": answer.abstained,
        "reason": answer.reason,
        "sentences": [asdict(s) for s in answer.sentences],
    }
    return Response(response=answer.text, source_nodes=nodes, metadata={"grounding": grounding})

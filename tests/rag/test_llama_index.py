"""Our retriever and query engine used through llama-index-core's own interfaces."""

from __future__ import annotations

from pathlib import Path

import pytest
from llama_index.core.base.base_query_engine import BaseQueryEngine
from llama_index.core.llms import MockLLM
from llama_index.core.query_engine import RetrieverQueryEngine
from llama_index.core.retrievers import BaseRetriever

from rag import Assistant, Config
from rag.config import AnswerConfig, IndexConfig
from rag.integrations.llama_index import GroundedQueryEngine, GroundedRetriever
from tests.fakes import HashEmbedder, KeywordChecker, ScriptedGenerator

QUESTION = "Who recommended the withdrawal of Ukrainian forces from Bakhmut?"


def _assistant(tmp_path: Path, seeds_copy: Path, reply: str) -> Assistant:
    config = Config(index=IndexConfig(dir=tmp_path / "ix"), answer=AnswerConfig(min_relevance=0.2))
    a = Assistant.open(
        config=config,
        embedder=HashEmbedder(),
        generator=ScriptedGenerator(reply),
        checker=KeywordChecker(),
    )
    a.add([seeds_copy])
    return a


def test_retriever_in_a_retriever_query_engine(tmp_path: Path, seeds_copy: Path) -> None:
    a = _assistant(tmp_path, seeds_copy, "unused")
    retriever = GroundedRetriever(a, k=3)
    assert isinstance(retriever, BaseRetriever)
    nodes = retriever.retrieve(QUESTION)
    assert len(nodes) == 3
    for n in nodes:
        meta = n.node.metadata
        assert a.document(meta["doc_id"]).text[meta["start"] : meta["end"]] == n.node.get_content()
        assert n.node.start_char_idx == meta["start"] and meta["title"]
    # a stock LlamaIndex pipeline on top of it (its LLM a mock: only the wiring is tested here)
    engine = RetrieverQueryEngine.from_args(retriever, llm=MockLLM(max_tokens=8))
    response = engine.query(QUESTION)
    assert [s.node.node_id for s in response.source_nodes] == [n.node.node_id for n in nodes]


def test_query_engine_sources_are_the_verified_citations(tmp_path: Path, seeds_copy: Path) -> None:
    a = _assistant(tmp_path, seeds_copy, "Zaluzhny recommended the withdrawal of Ukrainian forces.")
    engine = GroundedQueryEngine(a)
    assert isinstance(engine, BaseQueryEngine)
    response = engine.query(QUESTION)
    assert str(response).startswith("Zaluzhny recommended") and "[1]" in str(response)
    (source,) = response.source_nodes
    meta = source.node.metadata
    assert a.document(meta["doc_id"]).text[meta["start"] : meta["end"]] == source.node.get_content()
    assert source.score is not None and source.score >= 0.6
    grounding = response.metadata["grounding"]  # type: ignore[index]
    assert not grounding["abstained"] and grounding["sentences"][0]["verdict"] == "supported"


def test_query_engine_abstention_has_no_sources(tmp_path: Path, seeds_copy: Path) -> None:
    a = _assistant(tmp_path, seeds_copy, "The documents do not say.")
    response = GroundedQueryEngine(a).query("How many tanks were lost in Bakhmut?")
    assert str(response) == "The documents do not say." and response.source_nodes == []
    assert response.metadata["grounding"]["reason"]  # type: ignore[index]


def test_the_readme_example_works(
    tmp_path: Path, seeds_copy: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from tests.conftest import ROOT

    readme = (ROOT / "README.md").read_text("utf-8")
    code = readme.split("### LlamaIndex components")[1].split("```python\n")[1].split("```")[0]
    opened = 'Assistant.open(".rag-index")'
    assert opened in code
    a = _assistant(tmp_path, seeds_copy, "Zaluzhny recommended the withdrawal of Ukrainian forces.")
    namespace = {"my_llm": MockLLM(max_tokens=8), "assistant_under_test": a}
    exec(compile(code.replace(opened, "assistant_under_test"), "README.md", "exec"), namespace)
    printed = capsys.readouterr().out.splitlines()
    assert printed[0].startswith("Zaluzhny recommended") and len(printed) == 2
    assert isinstance(namespace["pipeline"], RetrieverQueryEngine)

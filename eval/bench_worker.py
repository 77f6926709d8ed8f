"""One measurement of ``rag bench`` in a process of its own: ``python -m eval.bench_worker JOB``.

A fresh process per job makes two figures honest: the cold open of a saved index (nothing
of it is in memory yet) and the peak resident memory of one pipeline (the other pipeline's
models never share the process). JOB is a JSON object; the result is printed as one line
``BENCH {json}`` on stdout, everything else (progress bars, logs) goes to stderr.

Jobs: ``build`` (ingest a corpus and save the index) and ``use`` (open it cold, search
with and without query embedding, and, when questions are given, answer them).
"""

from __future__ import annotations

import json
import resource
import statistics
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from eval.metrics import percentile

__all__ = ["main", "summary"]

PREFIX = "BENCH "


def summary(xs: Sequence[float]) -> dict[str, float | None]:
    """p50 and p95 of a list of timings, None when there are none."""
    if not xs:
        return {"p50": None, "p95": None, "n": 0}
    return {"p50": statistics.median(xs), "p95": percentile(xs, 0.95), "n": len(xs)}


def _peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def _size_on_disk(folder: Path) -> int:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file())


def _assistant(job: dict[str, Any]) -> Any:
    from rag import Assistant

    return Assistant.open(job["dir"])  # configured like the parent: RAG_CONFIG is inherited


# ours ---------------------------------------------------------------------------------------
def _ours_build(job: dict[str, Any]) -> dict[str, Any]:
    assistant = _assistant(job)
    assistant.index.embedder.embed(["load the model"], "document")  # model load, not ingest
    t0 = time.perf_counter()
    report = assistant.add(job["corpus"], progress=True)
    seconds = time.perf_counter() - t0
    text_bytes = sum(len(assistant.document(d.doc_id).text.encode()) for d in assistant.documents())
    return {
        "documents": len(assistant.documents()),
        "chunks": report.chunks_embedded,
        "text_mb": text_bytes / 1e6,
        "ingest_seconds": seconds,
        "size_mb": _size_on_disk(Path(job["dir"])) / 1e6,
    }


def _ours_use(job: dict[str, Any]) -> dict[str, Any]:
    from rag.types import AnswerEvent, SourcesEvent

    t0 = time.perf_counter()
    assistant = _assistant(job)
    first = job["queries"][0]
    t_open = time.perf_counter()
    chunks = assistant.index.count_chunks()
    out: dict[str, Any] = {"import_seconds": t_open - t0, "chunks": chunks}
    # cold open: the first search of a fresh process with a vector given (no model load)
    zero = _zero_vector(assistant)
    assistant.search(first, query_vector=zero)
    out["open_seconds"] = time.perf_counter() - t_open
    assistant.index.embedder.embed(["load the model"], "query")  # not part of a search
    with_embed, without = [], []
    for q in job["queries"]:
        t = time.perf_counter()
        assistant.search(q)  # each query once: the query-embedding cache is cold
        with_embed.append((time.perf_counter() - t) * 1000)
        qv = assistant.index.embed_query(q)
        t = time.perf_counter()
        assistant.search(q, query_vector=qv)
        without.append((time.perf_counter() - t) * 1000)
    out["search_ms"] = {"with_embedding": summary(with_embed), "without": summary(without)}
    if job.get("questions"):
        t = time.perf_counter()
        assistant.warm_up()
        out["warm_up_seconds"] = time.perf_counter() - t
        sources, firsts, totals, prompt = [], [], [], []
        for q in job["questions"]:
            t = time.perf_counter()
            for event in assistant.stream(q):
                if isinstance(event, SourcesEvent):
                    sources.append(time.perf_counter() - t)
                elif isinstance(event, AnswerEvent):
                    a = event.answer
                    if a.timings.first_token is not None:
                        firsts.append(a.timings.first_token)
                    totals.append(a.timings.total)
                    prompt.append(float(a.prompt_tokens))
        out["answer_seconds"] = {
            "sources": summary(sources),
            "first_token": summary(firsts),
            "total": summary(totals),
        }
        out["prompt_tokens"] = summary(prompt)
    return out


def _zero_vector(assistant: Any) -> Any:
    import numpy as np

    return np.zeros(assistant.index.stored_dim(), dtype=np.float32)


# the LlamaIndex baseline --------------------------------------------------------------------
def _baseline(job: dict[str, Any], assistant: Any) -> Any:
    from eval.baseline import LlamaIndexBaseline

    return LlamaIndexBaseline(
        assistant.index.embedder,
        assistant.generator,
        chunk_size=job.get("chunk_size"),
        chunk_overlap=job.get("chunk_overlap"),
    )


def _baseline_build(job: dict[str, Any]) -> dict[str, Any]:
    assistant = _assistant(job | {"dir": str(Path(job["dir"]) / "unused")})
    assistant.index.embedder.embed(["load the model"], "document")
    base = _baseline(job, assistant)
    t0 = time.perf_counter()
    nodes = base.add(job["corpus"], progress=True)
    seconds = time.perf_counter() - t0
    persist = Path(job["dir"]) / "llamaindex"
    base.persist(persist)
    return {
        "documents": len(base.documents()),
        "chunks": nodes,
        "text_mb": sum(len(d.text.encode()) for d in base.documents()) / 1e6,
        "ingest_seconds": seconds,
        "size_mb": _size_on_disk(persist) / 1e6,
    }


def _baseline_use(job: dict[str, Any]) -> dict[str, Any]:
    t0 = time.perf_counter()
    from llama_index.core import StorageContext, load_index_from_storage
    from llama_index.core.schema import QueryBundle

    assistant = _assistant(job | {"dir": str(Path(job["dir"]) / "unused")})
    base = _baseline(job, assistant)
    t_open = time.perf_counter()
    out: dict[str, Any] = {"import_seconds": t_open - t0}
    storage = StorageContext.from_defaults(persist_dir=str(Path(job["dir"]) / "llamaindex"))
    index = load_index_from_storage(storage, embed_model=base.embed_model)
    store: Any = storage.vector_store  # the default SimpleVectorStore
    retriever = index.as_retriever()  # default: top 2
    dim = len(next(iter(store.data.embedding_dict.values())))
    retriever.retrieve(QueryBundle(job["queries"][0], embedding=[0.0] * dim))
    out["open_seconds"] = time.perf_counter() - t_open
    out["chunks"] = len(store.data.embedding_dict)
    assistant.index.embedder.embed(["load the model"], "query")
    with_embed, without = [], []
    for q in job["queries"]:
        t = time.perf_counter()
        nodes = retriever.retrieve(q)
        with_embed.append((time.perf_counter() - t) * 1000)
        vec = assistant.index.embedder.embed([q], "query")[0].tolist()
        t = time.perf_counter()
        retriever.retrieve(QueryBundle(q, embedding=vec))
        without.append((time.perf_counter() - t) * 1000)
        del nodes
    out["search_ms"] = {"with_embedding": summary(with_embed), "without": summary(without)}
    if job.get("questions"):
        # answering uses the baseline as a user gets it: default chunking, built here
        answering = _baseline({}, assistant)
        answering.add(job["answer_corpus"])
        sources, firsts, totals, prompt = [], [], [], []
        for q in job["questions"]:
            a = answering.ask(q)
            sources.append(a.timings.retrieval)
            if a.timings.first_token is not None:
                firsts.append(a.timings.first_token)
            totals.append(a.timings.total)
            prompt.append(float(a.prompt_tokens))
        out["answer_seconds"] = {
            "sources": summary(sources),
            "first_token": summary(firsts),
            "total": summary(totals),
        }
        out["prompt_tokens"] = summary(prompt)
    return out


JOBS = {
    ("ours", "build"): _ours_build,
    ("ours", "use"): _ours_use,
    ("llamaindex", "build"): _baseline_build,
    ("llamaindex", "use"): _baseline_use,
}


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 1:
        sys.stderr.write("usage: python -m eval.bench_worker JOB_JSON\n")
        return 2
    job = json.loads(args[0])
    result = JOBS[(job["pipeline"], job["task"])](job)
    result["peak_rss_mb"] = _peak_rss_mb()
    sys.stdout.write(PREFIX + json.dumps(result) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

"""One measurement of ``rag bench`` in a process of its own: ``python -m eval.bench_worker JOB``.

A fresh process per job makes two figures honest: the cold open of a saved index (nothing
of it is in memory yet) and the peak resident memory of one pipeline (the other pipeline's
models never share the process). JOB is a JSON object; the result is printed as one line
``BENCH {json}`` on stdout, everything else (progress bars, logs) goes to stderr.

Jobs: ``build`` (ingest a corpus and save the index) and ``use`` (open it cold, search
with and without query embedding, and, when questions are given, answer them). On the
large corpus the baseline's index is built from our chunks and vectors (``vectors_from``),
and ours measures how close its approximate vector index comes to exact search
(``recall_queries``).
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
    """p50, p95 and mean of a list of timings, None when there are none."""
    if not xs:
        return {"p50": None, "p95": None, "mean": None, "n": 0}
    return {
        "p50": statistics.median(xs),
        "p95": percentile(xs, 0.95),
        "mean": statistics.fmean(xs),
        "n": len(xs),
    }


def _peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def _size_on_disk(folder: Path) -> int:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file())


def _stored_bytes(assistant: Any, folder: Path) -> int:
    """The index folder's size, or a database schema's tables with their indexes."""
    backend = assistant.index.backend
    if not hasattr(backend, "schema"):
        return _size_on_disk(folder)
    import psycopg

    with psycopg.connect(backend.dsn) as conn:
        row = conn.execute(
            "SELECT sum(pg_total_relation_size(c.oid)) FROM pg_class c JOIN pg_namespace n"
            " ON n.oid = c.relnamespace WHERE n.nspname = %s AND c.relkind = 'r'",
            (backend.schema,),
        ).fetchone()
    return int(row[0] or 0) if row else 0


def _assistant(job: dict[str, Any]) -> Any:
    from rag import Assistant, Config

    # configured like the parent: its settings travel in the job, not in the environment
    return Assistant.open(job["dir"], config=Config(**job.get("config", {})))


# ours ---------------------------------------------------------------------------------------
def _ours_build(job: dict[str, Any]) -> dict[str, Any]:
    from index import lean_kernels_for_bulk_embedding

    lean_kernels_for_bulk_embedding()  # as `rag index` does
    assistant = _assistant(job)
    assistant.index.embedder.embed(["load the model"], "document")  # model load, not ingest
    before = assistant.index.count_chunks()  # > 0 when an interrupted build is resumed
    t0 = time.perf_counter()
    report = assistant.add(job["corpus"], progress=True, rebuild=bool(job.get("rebuild")))
    seconds = time.perf_counter() - t0
    texts = [assistant.document(d.doc_id).text for d in assistant.documents()]
    text_mb = sum(len(t.encode()) for t in texts) / 1e6
    out = {
        "documents": len(texts),
        "chunks": assistant.index.count_chunks(),
        "text_mb": text_mb,
        "ingest_seconds": seconds,
        "size_mb": _stored_bytes(assistant, Path(job["dir"])) / 1e6,
    }
    if before:  # this run's rate only: chunks embedded now over the time taken now
        out |= {"resumed_from_chunks": before, "chunks_embedded": report.chunks_embedded}
        out["text_mb"] = None  # the text of this run alone is not known per chunk
    return out


def _stored(folder: Path, job: dict[str, Any]) -> Any:
    """The saved index of ours on this corpus: chunk ids, texts, vectors and its vector index
    (``Index.export``); the embedder is named, not loaded: only stored vectors are read."""
    if not (folder / "CURRENT").exists():
        raise RuntimeError(f"no index in {folder}: build ours on this corpus first")
    return _assistant(job | {"dir": str(folder)}).index.export()


def _recall_queries(job: dict[str, Any], texts: Sequence[str]) -> dict[str, list[str]]:
    """The given questions, and as many look-alike queries made of the first 12 words of
    randomly chosen chunks (seeded), so the whole corpus is probed, not only its SQuAD part."""
    import random

    rng = random.Random(7)
    picked = rng.sample(range(len(texts)), min(len(texts), job.get("chunk_queries", 200)))
    return {
        "questions": list(job["recall_queries"]),
        "chunk_openings": [" ".join(texts[i].split()[:12]) for i in picked],
    }


def _vector_recall(job: dict[str, Any], embedder: Any, k: int = 10) -> dict[str, Any]:
    """recall@k of the stored vector index (IVF past its threshold) against exact search
    over the same vectors, and the time of each kind of search."""
    from index.vectors import FaissIndex

    stored = _stored(Path(job["dir"]), job)
    ids, texts, vectors, approx = stored.ids, stored.texts, stored.vectors, stored.vector_index
    exact = FaissIndex(vectors.shape[1])
    exact.add(ids, vectors)
    out: dict[str, Any] = {"kind": approx.kind, "k": k, "vectors": len(ids)}
    for index in (exact, approx):
        index.search(vectors[:1], k)  # the first search pays for set-up, not for searching
    for name, queries in _recall_queries(job, texts).items():
        qv = embedder.embed(queries, "query")
        times: dict[str, list[float]] = {"exact": [], "stored": []}
        found: dict[str, list[list[tuple[int, float]]]] = {"exact": [], "stored": []}
        for q in qv:
            for which, index in (("exact", exact), ("stored", approx)):
                t = time.perf_counter()
                found[which].append(index.search(q.reshape(1, -1), k)[0])
                times[which].append((time.perf_counter() - t) * 1000)
        overlap = [
            len({i for i, _ in a} & {i for i, _ in b}) / k
            for a, b in zip(found["exact"], found["stored"], strict=True)
        ]
        out[name] = {
            "queries": len(queries),
            f"recall_at_{k}": statistics.fmean(overlap),
            "exact_ms": summary(times["exact"]),
            "stored_ms": summary(times["stored"]),
        }
    return out


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
    if job.get("recall_queries"):
        out["vector_recall"] = _vector_recall(job, assistant.index.embedder)
    if job.get("questions"):
        t = time.perf_counter()
        assistant.warm_up()
        out["warm_up_seconds"] = time.perf_counter() - t
        sources, firsts, totals, prompt = [], [], [], []
        stages: dict[str, list[float]] = {"retrieval": [], "generation": [], "verification": []}
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
                    for stage, xs in stages.items():  # where the time of an answer goes
                        xs.append(getattr(a.timings, stage))
        out["answer_seconds"] = {
            "sources": summary(sources),
            "first_token": summary(firsts),
            "total": summary(totals),
        } | {stage: summary(xs) for stage, xs in stages.items()}
        out["prompt_tokens"] = summary(prompt)
    return out


def _zero_vector(assistant: Any) -> Any:
    import numpy as np

    return np.zeros(assistant.index.stored_dim(), dtype=np.float32)


# the LlamaIndex baseline --------------------------------------------------------------------
def _baseline(job: dict[str, Any], assistant: Any) -> Any:
    from eval.baseline import LlamaIndexBaseline

    return LlamaIndexBaseline(
        _baseline_embedder(job, assistant),
        assistant.generator,
        chunk_size=job.get("chunk_size"),
        chunk_overlap=job.get("chunk_overlap"),
    )


def _baseline_embedder(job: dict[str, Any], assistant: Any) -> Any:
    """The same model, run as LlamaIndex's HuggingFaceEmbedding runs it: float32 (our bf16
    path is part of our speed work), unless the job asks for ours as it is ("same")."""
    precision = job.get("baseline_precision") or "fp32"
    if precision == "same":
        return assistant.index.embedder
    from index.embedders import make_embedder

    ic = assistant.config.index
    return make_embedder(
        ic.embedder,
        batch_size=ic.batch_size,
        max_seq_length=ic.max_seq_length,
        precision=precision,
        models_dir=ic.models_dir,
    )


def _baseline_build(job: dict[str, Any]) -> dict[str, Any]:
    assistant = _assistant(job | {"dir": str(Path(job["dir"]) / "unused")})
    base = _baseline(job, assistant)
    if job.get("vectors_from"):
        return _baseline_from_vectors(job, base)
    base.embedder.embed(["load the model"], "document")  # model load, not ingest
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


def _baseline_from_vectors(job: dict[str, Any], base: Any) -> dict[str, Any]:
    """The baseline's default store filled with our chunks and vectors: no ingest figures
    (nothing is embedded), but its size on disk, cold open and search are its own."""
    stored = _stored(Path(job["vectors_from"]), job)
    texts, vectors = stored.texts, stored.vectors
    t0 = time.perf_counter()
    nodes = base.add_embedded(texts, vectors)
    del vectors
    t1 = time.perf_counter()
    persist = Path(job["dir"]) / "llamaindex"
    base.persist(persist)
    return {
        "documents": None,
        "chunks": nodes,
        "text_mb": None,
        "ingest_seconds": None,
        "vectors_from": job["vectors_from"],
        "index_seconds": t1 - t0,
        "persist_seconds": time.perf_counter() - t1,
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
    # a stored vector, not zeros: the default store divides by the query's norm
    stored = next(iter(store.data.embedding_dict.values()))
    retriever.retrieve(QueryBundle(job["queries"][0], embedding=list(stored)))
    out["open_seconds"] = time.perf_counter() - t_open
    out["chunks"] = len(store.data.embedding_dict)
    base.embedder.embed(["load the model"], "query")  # not part of a search
    with_embed, without = [], []
    for q in job["queries"]:
        t = time.perf_counter()
        nodes = retriever.retrieve(q)
        with_embed.append((time.perf_counter() - t) * 1000)
        vec = base.embedder.embed([q], "query")[0].tolist()
        t = time.perf_counter()
        retriever.retrieve(QueryBundle(q, embedding=vec))
        without.append((time.perf_counter() - t) * 1000)
        del nodes
    out["search_ms"] = {"with_embedding": summary(with_embed), "without": summary(without)}
    if job.get("questions"):
        # answering uses the baseline as a user gets it: default chunking, built here
        from eval.baseline import LlamaIndexBaseline

        answering = LlamaIndexBaseline(base.embedder, assistant.generator)
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
    ("ours-postgres", "build"): _ours_build,
    ("ours-postgres", "use"): _ours_use,
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

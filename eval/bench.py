"""``rag bench``: speed and memory of our pipeline beside the LlamaIndex default pipeline.

For each corpus size, each pipeline is built in one fresh process (ingest: chunks/s, MB of
text/min, size on disk) and used in another (cold open of the saved index, search latency
with and without query embedding, and on the seeds the answers to the seed questions). Each
process reports its own peak resident memory. Figures go to ``bench.json``, ``bench.md``
and ``bench.png``; nothing here passes or fails on a timing.

The baseline is built at our chunk size (128 tokens, 24 overlap) so ingest and search are
compared on equal work; its answers come from its default settings, as a user gets them.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from eval.bench_worker import PREFIX
from eval.search_latency import QUERIES

__all__ = ["BenchCorpus", "render", "row_of", "run_bench", "write_bench"]

PIPELINES = ("ours", "llamaindex")
POSTGRES = "ours-postgres"  # ours on the postgres backend, measured when a DSN is given


@dataclass(frozen=True)
class BenchCorpus:
    name: str
    paths: tuple[str, ...]
    answer: bool = False  # answer the seed questions over it (the seeds only)
    # the large corpus: the baseline's index is made from our chunks and vectors (embedding
    # 100,000 chunks its way would take the better part of a day), and the approximate
    # vector index of ours is measured against exact search with these queries
    baseline_from_ours: bool = False
    recall_queries: tuple[str, ...] = ()


@dataclass
class BenchResult:
    corpora: dict[str, dict[str, dict[str, Any]]] = field(default_factory=dict)
    meta: dict[str, Any] = field(default_factory=dict)


def _run_job(job: dict[str, Any], log: Callable[[str], None]) -> dict[str, Any]:
    """One job in a fresh interpreter; its stderr (progress bars) passes through."""
    log(f"{job['pipeline']:10} {job['task']:5} {job['corpus_name']}")
    cmd = [sys.executable, "-m", "eval.bench_worker", json.dumps(job)]
    proc = subprocess.run(
        cmd, check=False, stdout=subprocess.PIPE, text=True, env=os.environ.copy()
    )
    lines = [ln for ln in proc.stdout.splitlines() if ln.startswith(PREFIX)]
    if proc.returncode != 0 or not lines:
        raise RuntimeError(
            f"bench job {job['pipeline']}/{job['task']} on {job['corpus_name']} failed "
            f"(exit {proc.returncode}); its error is printed above"
        )
    result: dict[str, Any] = json.loads(lines[-1][len(PREFIX) :])
    return result


def run_bench(
    corpora: Sequence[BenchCorpus],
    questions: Sequence[str],
    work: Path,
    queries: Sequence[str] = QUERIES,
    log: Callable[[str], None] = print,
    *,
    resume: bool = False,
    baseline_precision: str = "fp32",
    config: dict[str, Any] | None = None,
    postgres_dsn: str | None = None,
) -> BenchResult:
    """Build and use every pipeline on every corpus; indexes are made under ``work``.

    A measured build starts from nothing, except with ``resume``: then an interrupted build
    of ours continues where its last commit left it and reports the rate of this run.
    ``baseline_precision``: how the baseline runs the shared embedding model (fp32 as
    LlamaIndex does; "same" hands it ours, bf16 included). ``config``: the caller's settings
    (``Config.model_dump(mode="json")``), handed to every worker process explicitly.
    ``postgres_dsn``: also measure ours on that database (a schema per corpus, built anew)."""
    result = BenchResult()
    result.meta = {
        "queries": len(queries),
        "questions": len(questions),
        "cpu_count": os.cpu_count(),
        "started": time.strftime("%Y-%m-%d %H:%M:%S"),
        "baseline_embedder_precision": baseline_precision,
    }
    for corpus in corpora:
        result.corpora[corpus.name] = {}
        for pipeline in (*PIPELINES, *([POSTGRES] if postgres_dsn else [])):
            folder = work / f"{pipeline}-{corpus.name}"
            if folder.exists() and not (resume and pipeline == "ours"):
                shutil.rmtree(folder)
            job: dict[str, Any] = {
                "pipeline": pipeline,
                "corpus_name": corpus.name,
                "corpus": list(corpus.paths),
                "dir": str(folder),
                "queries": list(queries),
                "chunk_size": 128,
                "chunk_overlap": 24,
                "baseline_precision": baseline_precision,
                "config": config or {},
            }
            if pipeline == POSTGRES:
                index = (config or {}).get("index", {}) | {
                    "backend": "postgres",
                    "dsn": postgres_dsn,
                    "pg_schema": f"bench_{corpus.name}",
                }
                job |= {"config": (config or {}) | {"index": index}, "rebuild": True}
            if corpus.baseline_from_ours and pipeline == "llamaindex":
                job["vectors_from"] = str(work / f"ours-{corpus.name}")
            if corpus.recall_queries and pipeline == "ours":
                job["recall_queries"] = list(corpus.recall_queries)
            built = _run_job(job | {"task": "build"}, log)
            extra = {"questions": list(questions), "answer_corpus": list(corpus.paths)}
            used = _run_job(job | {"task": "use"} | (extra if corpus.answer else {}), log)
            result.corpora[corpus.name][pipeline] = row_of(built, used)
            result.meta["finished"] = time.strftime("%Y-%m-%d %H:%M:%S")
    return result


def row_of(built: dict[str, Any], used: dict[str, Any]) -> dict[str, Any]:
    """One pipeline's figures on one corpus from its build and use jobs."""
    peak = max(built.pop("peak_rss_mb"), used.pop("peak_rss_mb"))
    row = built | used | {"peak_rss_mb": peak}
    seconds = row["ingest_seconds"]
    embedded = row.get("chunks_embedded", row["chunks"])  # fewer when a build was resumed
    row["chunks_per_second"] = embedded / seconds if seconds and embedded else None
    text_mb = row["text_mb"]
    row["text_mb_per_minute"] = text_mb / seconds * 60 if seconds and text_mb else None
    return row


def _f(v: Any, digits: int = 1) -> str:
    return "—" if v is None else f"{v:,.{digits}f}"


ROWS: list[tuple[str, Callable[[dict[str, Any]], Any], int]] = [
    ("documents", lambda r: r["documents"], 0),
    ("chunks", lambda r: r["chunks"], 0),
    ("ingest chunks/s", lambda r: r["chunks_per_second"], 1),
    ("ingest MB of text/min", lambda r: r["text_mb_per_minute"], 2),
    ("index size on disk, MB", lambda r: r["size_mb"], 2),
    ("cold open, s", lambda r: r["open_seconds"], 2),
    ("search p50 with query embedding, ms", lambda r: r["search_ms"]["with_embedding"]["p50"], 1),
    ("search p95 with query embedding, ms", lambda r: r["search_ms"]["with_embedding"]["p95"], 1),
    ("search p50 without (vector given), ms", lambda r: r["search_ms"]["without"]["p50"], 2),
    ("search p95 without (vector given), ms", lambda r: r["search_ms"]["without"]["p95"], 2),
    ("sources shown p50, s", lambda r: _answer(r, "sources", "p50"), 2),
    ("sources shown p95, s", lambda r: _answer(r, "sources", "p95"), 2),
    ("first token p50, s", lambda r: _answer(r, "first_token", "p50"), 1),
    ("first token p95, s", lambda r: _answer(r, "first_token", "p95"), 1),
    ("first token mean, s", lambda r: _answer(r, "first_token", "mean"), 1),
    ("total p50, s", lambda r: _answer(r, "total", "p50"), 1),
    ("total p95, s", lambda r: _answer(r, "total", "p95"), 1),
    ("of which generation p50, s", lambda r: _answer(r, "generation", "p50"), 1),
    ("of which verification p50, s", lambda r: _answer(r, "verification", "p50"), 1),
    ("prompt tokens p50", lambda r: (r.get("prompt_tokens") or {}).get("p50"), 0),
    ("peak resident memory, MB", lambda r: r["peak_rss_mb"], 0),
    ("vector recall@10 vs exact, questions", lambda r: _recall(r, "questions"), 3),
    ("vector recall@10 vs exact, chunk openings", lambda r: _recall(r, "chunk_openings"), 3),
    ("exact vector search p50, ms", lambda r: _recall(r, "questions", "exact_ms"), 2),
    ("stored (IVF) vector search p50, ms", lambda r: _recall(r, "questions", "stored_ms"), 2),
]


def _recall(row: dict[str, Any], queries: str, what: str = "recall_at_10") -> Any:
    got = (row.get("vector_recall") or {}).get(queries, {}).get(what)
    return got["p50"] if isinstance(got, dict) else got


def _answer(row: dict[str, Any], what: str, stat: str) -> Any:
    return (row.get("answer_seconds") or {}).get(what, {}).get(stat)


def render(result: BenchResult) -> str:
    lines = ["# Benchmark: ours vs the LlamaIndex default pipeline", ""]
    lines += [f"- {k}: {v}" for k, v in result.meta.items()]
    for name, rows in result.corpora.items():
        names = list(rows)
        lines += ["", f"## {name}", "", "| measure | " + " | ".join(names) + " |"]
        lines.append("|---|" + "---|" * len(names))
        for label, get, digits in ROWS:
            values = [get(rows[n]) for n in names]
            if all(v is None for v in values):
                continue
            lines.append(f"| {label} | " + " | ".join(_f(v, digits) for v in values) + " |")
    return "\n".join(lines) + "\n"


def _chart(result: BenchResult, path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")  # files only, no display
    import matplotlib.pyplot as plt

    # latencies span 1 ms to seconds across tiers and pipelines: a log axis shows both
    panels: list[tuple[str, Callable[[dict[str, Any]], Any], bool]] = [
        ("ingest chunks/s (higher is better)", lambda r: r["chunks_per_second"], False),
        ("search p50 without embedding, ms", lambda r: r["search_ms"]["without"]["p50"], True),
        ("search p50 with embedding, ms", lambda r: r["search_ms"]["with_embedding"]["p50"], True),
        ("peak memory, MB", lambda r: r["peak_rss_mb"], False),
    ]
    corpora = list(result.corpora)
    fig, axes = plt.subplots(1, len(panels), figsize=(14, 3.8))
    pipelines = list(next(iter(result.corpora.values()), {}))
    width = 0.8 / max(len(pipelines), 1)
    axes_list: list[Any] = list(axes)
    for ax, (title, get, log) in zip(axes_list, panels, strict=True):
        drawn = False
        for i, pipeline in enumerate(pipelines):
            for x, corpus in enumerate(corpora):
                value = get(result.corpora[corpus][pipeline])
                at = x + i * width
                if value is None:  # not measured (a resumed build, a baseline without it)
                    ax.text(at, 0, "—", ha="center", va="bottom", fontsize=8)
                    continue
                ax.bar(at, value, width, color=f"C{i}", label=pipeline if x == 0 else None)
                drawn = True
        if log and drawn:
            ax.set_yscale("log")
        ax.set_xticks([x + width / 2 for x in range(len(corpora))])
        ax.set_xticklabels(corpora)
        ax.set_title(title if drawn else f"{title.split(' (')[0]}: not measured", fontsize=9)
        if drawn:
            ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def write_bench(result: BenchResult, out: Path) -> list[Path]:
    out.mkdir(parents=True, exist_ok=True)
    paths = [out / "bench.json", out / "bench.md", out / "bench.png"]
    data = {"meta": result.meta, "corpora": result.corpora}
    paths[0].write_text(json.dumps(data, indent=2))
    paths[1].write_text(render(result))
    _chart(result, paths[2])
    return paths

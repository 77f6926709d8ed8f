"""One evaluation run: our pipeline, and optionally the LlamaIndex baseline, on the same
examples with the same models and the same judge; then one report for both."""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from eval.baseline import LlamaIndexBaseline
from eval.dataset import Example
from eval.journal import Journal
from eval.runner import ExampleResult, Pipeline, results_from_report, run_dataset, score
from rag import Assistant

__all__ = [
    "Evaluation",
    "build_baseline",
    "corpus_paths",
    "evaluate",
    "rescore",
    "retrieval_only",
]

Scores = dict[str, dict[str, float | None]]


@dataclass
class Evaluation:
    scores: dict[str, Scores] = field(default_factory=dict)
    results: dict[str, list[ExampleResult]] = field(default_factory=dict)
    seconds: dict[str, float] = field(default_factory=dict)
    meta: dict[str, Any] = field(default_factory=dict)


def corpus_paths(corpus: Path, dataset: Path, examples: Sequence[Example]) -> list[Path]:
    """The corpus folder plus every extra document the examples name (relative to the
    dataset file), each once; a missing one is an error naming the example."""
    paths = [corpus]
    for ex in examples:
        for rel in ex.documents:
            p = (dataset.parent / rel).resolve()
            if not p.is_file():
                raise FileNotFoundError(f"{dataset}: example {ex.id} names {rel}, not found at {p}")
            if p not in paths:
                paths.append(p)
    return paths


def build_baseline(assistant: Assistant, corpus: Sequence[Path]) -> LlamaIndexBaseline:
    """The LlamaIndex pipeline over the same files, with the assistant's models."""
    base = LlamaIndexBaseline(assistant.index.embedder, assistant.generator)
    base.add(list(corpus), progress=True)
    return base


def evaluate(
    assistant: Assistant,
    examples: Sequence[Example],
    baseline: LlamaIndexBaseline | None = None,
    on_result: Callable[[str, ExampleResult], None] | None = None,
    journal: Journal | None = None,
) -> Evaluation:
    """Answer every example with each pipeline and score all of them with our judge.

    With a ``journal``, every answer is stored as it comes, and the answers it already
    holds (an interrupted run, resumed) are taken from it instead of being asked again."""
    pipelines: dict[str, Pipeline] = {"ours": assistant}
    ev = Evaluation()
    if baseline is not None:
        pipelines["llamaindex"] = baseline
    checker = assistant.checker
    threshold = assistant.config.answer.judge_threshold
    resumed: dict[str, int] = {}
    for name, pipeline in pipelines.items():
        t0 = time.perf_counter()
        done = journal.finished(name, examples) if journal is not None else {}
        resumed[name] = len(done)

        def show(r: ExampleResult, name: str = name) -> None:
            if journal is not None:
                journal.record(name, r)
            if on_result is not None:
                on_result(name, r)

        pending = [e for e in examples if e.id not in done]
        fresh = {r.example.id: r for r in run_dataset(pipeline, pending, on_result=show)}
        ev.results[name] = [done.get(e.id) or fresh[e.id] for e in examples]
        ev.seconds[name] = round(time.perf_counter() - t0, 1)
        ev.scores[name] = score(ev.results[name], checker, threshold)
    ev.meta |= {
        "examples": len(examples),
        "judge": checker.name,
        "embedder": assistant.index.embedder.name,
        "embedder_precision": getattr(assistant.index.embedder, "precision", "n/a"),
        "generator": assistant.generator.model_id,
        "seconds": dict(ev.seconds),
    }
    if any(resumed.values()):
        # "seconds" covers only this part; the latency percentiles cover every answer
        ev.meta["resumed_from_journal"] = resumed
    if baseline is not None:
        ev.meta["baseline"] = (
            "LlamaIndex VectorStoreIndex + CitationQueryEngine, default settings "
            "(top 2 passages), same embedder and generator"
        )
    return ev


def rescore(assistant: Assistant, report: Path, examples: Sequence[Example]) -> Evaluation:
    """Score the answers of an earlier ``report.json`` again with today's judge and metrics;
    nothing is answered again, and the earlier run's meta (timings, retrieval) is kept."""
    import json

    data = json.loads(report.read_text())
    ev = Evaluation(meta=dict(data["meta"]))
    ev.results = results_from_report(data, examples)
    checker = assistant.checker
    threshold = assistant.config.answer.judge_threshold
    for name, results in ev.results.items():
        ev.scores[name] = score(results, checker, threshold)
    ev.meta["rescored"] = f"answers from {report}, scored again by {checker.name}"
    return ev


def retrieval_only(
    assistant: Assistant,
    examples: Sequence[Example],
    baseline: LlamaIndexBaseline | None = None,
    k: int = 10,
) -> dict[str, dict[str, float | None]]:
    """Retrieval metrics for every example, without answering: the questions are embedded
    once, in batches, and both pipelines search with the same vectors."""
    from eval.metrics import mean, mrr, ndcg_at, recall_at

    questions = [e.question for e in examples]
    vectors = assistant.index.embedder.embed(questions, "query", progress=True)
    names: dict[str, str] = {}

    def name(doc_id: str) -> str:
        if doc_id not in names:
            names[doc_id] = Path(assistant.document(doc_id).source).name
        return names[doc_id]

    ranked: dict[str, list[list[str]]] = {"ours": []}
    if baseline is not None:
        ranked["llamaindex"] = []
    for q, v in zip(questions, vectors, strict=True):
        ours = [name(h.chunk.doc_id) for h in assistant.search(q, k=k, query_vector=v)]
        ranked["ours"].append(list(dict.fromkeys(ours)))
        if baseline is not None:
            theirs = baseline.retrieve_docs(q, v.tolist(), k)
            ranked["llamaindex"].append(
                list(dict.fromkeys(Path(baseline.document(d).source).name for d in theirs))
            )
    out: dict[str, dict[str, float | None]] = {}
    for pipeline, lists in ranked.items():
        golds = [e.gold_docs for e in examples]
        out[pipeline] = {
            "n": float(len(lists)),
            "recall@1": mean([recall_at(r, g, 1) for r, g in zip(lists, golds, strict=True)]),
            "recall@5": mean([recall_at(r, g, 5) for r, g in zip(lists, golds, strict=True)]),
            "recall@10": mean([recall_at(r, g, 10) for r, g in zip(lists, golds, strict=True)]),
            "mrr": mean([mrr(r, g) for r, g in zip(lists, golds, strict=True)]),
            "ndcg@10": mean([ndcg_at(r, g) for r, g in zip(lists, golds, strict=True)]),
        }
    return out

"""The ``rag`` command: the composition root.

Subcommands build a ``Config`` once and pass it down. Only this module may import ``ui``
and ``eval``, lazily, inside the subcommands that need them.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys
import textwrap
import threading
import time
from collections.abc import Sequence
from dataclasses import asdict
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from index import (
    Hit,
    ModelFetchError,
    ModelNotFoundError,
    RagIndexError,
    default_cache_dir,
    fetch,
    lean_kernels_for_bulk_embedding,
    model_status,
)
from rag.api import Assistant
from rag.config import Config, load_config
from rag.errors import RagError
from rag.types import Answer, AnswerEvent, SentenceEvent, SourcesEvent, TokenEvent, Turn

__all__ = ["main"]

log = logging.getLogger(__name__)


def _out(text: str = "") -> None:
    sys.stdout.write(text + "\n")


def _err(text: str) -> None:
    sys.stderr.write(text + "\n")


# the rows `rag eval` prints; report.md has all of them, by language and tag too
HEADLINE_METRICS = (
    "recall@5", "mrr", "key_fact_accuracy", "exact_match", "token_f1", "citation_recall",
    "citation_precision", "faithfulness", "quote_exact", "abstention_f1",
    "answered_precision", "accuracy", "ttft_p50", "total_p50",
)  # fmt: skip


def _assistant(args: argparse.Namespace, config: Config) -> Assistant:
    return Assistant.open(args.index, config=config)


def _hit_dict(hit: Hit) -> dict[str, Any]:
    d = asdict(hit)
    d["chunk"]["sentences"] = [[s["start"], s["end"]] for s in d["chunk"]["sentences"]]
    return d


def _print_hits(hits: Sequence[Hit]) -> None:
    if not hits:
        _out("no passages found (is the index empty? add documents with: rag index PATH)")
    for n, h in enumerate(hits, 1):
        ranks = f"dense #{h.dense_rank or '-'} · bm25 #{h.bm25_rank or '-'}"
        _out(
            f"{n}. {h.title} [{h.language}]  {h.chunk.doc_id} chars {h.chunk.start}–"
            f"{h.chunk.end}  score {h.score:.4f} ({ranks})"
        )
        body = " ".join(h.chunk.text.split())
        _out(
            textwrap.indent(textwrap.fill(textwrap.shorten(body, 420, placeholder=" …"), 96), "   ")
        )


def cmd_index(args: argparse.Namespace, config: Config) -> int:
    lean_kernels_for_bulk_embedding()  # before the embedder loads; this process only ingests
    assistant = _assistant(args, config)
    failures: list[tuple[str, str]] = []

    def on_error(path: str, reason: str) -> None:
        _err(f"error: {path}: {reason}")

    report = assistant.add(
        args.paths,
        progress=not args.quiet,
        prune=not args.no_prune,
        rebuild=args.rebuild,
        on_error=on_error,
    )
    failures = list(report.failed)
    for path, reason in failures:
        if reason == "no such file or folder":
            _err(f"error: {path}: {reason}")
    if report.skipped:
        names = ", ".join(Path(p).name for p in report.skipped[:5])
        more = f" and {len(report.skipped) - 5} more" if len(report.skipped) > 5 else ""
        _out(f"skipped {len(report.skipped)} file(s) of unsupported type: {names}{more}")
    rate = report.chunks_embedded / report.seconds if report.seconds else 0.0
    _out(
        f"indexed into {assistant.index.root}: {len(report.added)} added, "
        f"{len(report.updated)} updated, {len(report.unchanged)} unchanged, "
        f"{len(report.removed)} removed, {len(failures)} failed; "
        f"{report.chunks_embedded} chunks embedded in {report.seconds:.1f} s"
        + (f" ({rate:.2f} chunks/s)" if report.chunks_embedded else "")
    )
    return 1 if failures else 0


def _search_once(assistant: Assistant, query: str, k: int | None, as_json: bool) -> None:
    t0 = time.perf_counter()
    hits = assistant.search(query, k=k)
    ms = (time.perf_counter() - t0) * 1000
    if as_json:
        _out(
            json.dumps(
                {"query": query, "ms": round(ms, 1), "hits": [_hit_dict(h) for h in hits]},
                ensure_ascii=False,
                indent=2,
            )
        )
        return
    _print_hits(hits)
    _out(f"({len(hits)} passages in {ms:.0f} ms)")


def cmd_search(args: argparse.Namespace, config: Config) -> int:
    assistant = _assistant(args, config)
    if args.query:
        _search_once(assistant, args.query, args.k, args.json)
        return 0
    # no query: an interactive loop, so the model loads once for many questions
    _out(
        f"searching {assistant.index.root} ({len(assistant.documents())} documents); "
        "empty line or Ctrl-D to quit"
    )
    while True:
        try:
            query = input("search> ").strip()
        except EOFError:
            break
        if not query:
            break
        _search_once(assistant, query, args.k, args.json)
    return 0


def _print_answer(answer: Answer, streamed: bool) -> None:
    if not streamed or answer.abstained:
        _out(answer.text)
    if answer.abstained:
        _out(f"(abstained: {answer.reason})")
        if answer.hits:
            _out("closest passages:")
            _print_hits(answer.hits[:3])
    else:
        for i, s in enumerate(answer.sentences, 1):
            mark = "✓" if s.verdict == "supported" else "✗"
            state = "" if s.kept else " — removed from the answer"
            why = f": {s.reason}" if s.reason else ""
            how = " (citation attributed by the verifier)" if s.attributed else ""
            _out(f"  {mark} sentence {i}, support {s.support:.2f}{how}{why}{state}")
        for c in answer.citations:
            _out(f"[{c.number}] {c.title} [{c.language}]  {c.doc_id} chars {c.start}–{c.end}")
            quote = textwrap.shorten(" ".join(c.quote.split()), 400, placeholder=" …")
            _out(textwrap.indent(textwrap.fill(f"“{quote}”", 96), "    "))
    t = answer.timings
    first = f"{t.first_token:.1f} s" if t.first_token is not None else "—"
    _out(
        f"({answer.timings.total:.1f} s: retrieval {t.retrieval:.2f} s · first token {first} · "
        f"generation {t.generation:.1f} s · verification {t.verification:.1f} s · "
        f"{answer.prompt_tokens} prompt tokens)"
    )


def _ask_once(
    assistant: Assistant, question: str, history: list[Turn], args: argparse.Namespace
) -> Answer:
    answer: Answer | None = None
    for event in assistant.stream(question, history or None):
        if isinstance(event, TokenEvent) and args.stream and not args.json:
            sys.stdout.write(event.text)
            sys.stdout.flush()
        elif isinstance(event, SourcesEvent) and args.stream and not args.json:
            titles = ", ".join(sorted({e.title[:40] for e in event.evidence}))
            _err(f"sources: {len(event.evidence)} passages ({titles})")
        elif isinstance(event, SentenceEvent) and args.stream and not args.json:
            if event.index == 0:
                _out("")
        elif isinstance(event, AnswerEvent):
            answer = event.answer
    assert answer is not None
    if args.json:
        _out(answer.to_json())
    else:
        _print_answer(answer, streamed=args.stream)
    return answer


def cmd_ask(args: argparse.Namespace, config: Config) -> int:
    if args.question is not None and not args.question.strip():
        # an empty argument is a mistake (an unset shell variable), not a wish to chat
        _err('error: the question is empty; give one (rag ask "QUESTION"), or none for a chat')
        return 2
    assistant = _assistant(args, config)
    if args.question is not None:
        _ask_once(assistant, args.question.strip(), [], args)
        return 0
    # no question: a conversation; follow-ups are read in the light of earlier turns
    _out(
        f"asking {assistant.index.root} ({len(assistant.documents())} documents); "
        "empty line or Ctrl-D to quit, /new to forget the conversation"
    )
    history: list[Turn] = []
    while True:
        try:
            question = input("\nask> ").strip()
        except EOFError:
            break
        if not question:
            break
        if question == "/new":
            history.clear()
            continue
        answer = _ask_once(assistant, question, history, args)
        history.append(Turn(question, answer))
    return 0


def _print_scores(evaluation: Any) -> None:
    from eval.causes import cause_table, summary_line

    names = list(evaluation.scores)
    _out(f"{'metric':20} " + " ".join(f"{n:>12}" for n in names))
    for metric in HEADLINE_METRICS:
        cells = []
        for n in names:
            value = evaluation.scores[n]["all"].get(metric)
            cells.append(f"{'undefined' if value is None else f'{value:.3f}':>12}")
        _out(f"{metric:20} " + " ".join(cells))
    for n in names:
        table = cause_table(evaluation.results[n])
        if table:
            _out(f"{n}: {summary_line(table['all'])}")


def _show_result(name: str, r: Any) -> None:
    mark = "✓" if r.correct else "✗"
    state = "abstained" if r.abstained else "answered"
    _out(f"{mark} {name:10} {r.example.id:8} {state:9} {r.total:5.1f} s  {r.example.question[:60]}")


def cmd_eval(args: argparse.Namespace, config: Config) -> int:
    from eval.compare import build_baseline, corpus_paths, evaluate, rescore
    from eval.dataset import load_dataset
    from eval.report import check_thresholds, parse_thresholds, write_report

    minimum = parse_thresholds(args.min)
    examples = load_dataset(args.dataset)[: args.limit or None]
    index_dir = args.index or args.out / "index"
    assistant = Assistant.open(index_dir, config=config)
    if args.rescore:
        evaluation = rescore(assistant, args.rescore, examples)
    else:
        corpus = corpus_paths(args.corpus or args.dataset.parent, args.dataset, examples)
        report = assistant.add(corpus, progress=True)
        _out(
            f"corpus {', '.join(map(str, corpus))}: {len(assistant.documents())} documents "
            f"({report.chunks_embedded} passages embedded now)"
        )
        t0 = time.perf_counter()
        baseline = build_baseline(assistant, corpus) if args.baseline else None
        built = round(time.perf_counter() - t0, 1)
        evaluation = evaluate(assistant, examples, baseline, on_result=_show_result)
        if baseline is not None:
            evaluation.meta["baseline_build_seconds"] = built
    meta = {"dataset": str(args.dataset)} | evaluation.meta
    paths = write_report(args.out, evaluation.scores, evaluation.results, meta)
    _out("")
    _print_scores(evaluation)
    _out("wrote " + ", ".join(str(p) for p in paths))
    failures = check_thresholds(evaluation.scores["ours"], minimum)
    for f in failures:
        _err(f"threshold failed: {f}")
    return 1 if failures else 0


def cmd_eval_squad(args: argparse.Namespace, config: Config) -> int:
    from eval.compare import build_baseline, evaluate, rescore, retrieval_only
    from eval.report import write_report
    from eval.squad import build_corpus, data_dir, fetch_squad, sample

    cache = args.data_dir or data_dir()
    source = fetch_squad(cache, archive=args.archive)
    squad = build_corpus(source)
    _out(f"SQuAD v1.1 dev: {len(squad.examples)} questions over {squad.corpus}")
    assistant = Assistant.open(args.index or cache / "squad" / "index", config=config)
    if args.rescore:
        evaluation = rescore(assistant, args.rescore, squad.examples)
        paths = write_report(args.out, evaluation.scores, evaluation.results, evaluation.meta)
        _print_scores(evaluation)
        _out("wrote " + ", ".join(str(p) for p in paths))
        return 0
    t0 = time.perf_counter()
    added = assistant.add([squad.corpus], progress=True)
    indexed = round(time.perf_counter() - t0, 1)
    _out(f"{len(assistant.documents())} passages indexed ({added.chunks_embedded} chunks now)")
    t0 = time.perf_counter()
    baseline = build_baseline(assistant, [squad.corpus]) if args.baseline else None
    built = round(time.perf_counter() - t0, 1)
    questions = squad.examples[: args.retrieval_limit or None]
    t0 = time.perf_counter()
    retrieval = retrieval_only(assistant, questions, baseline)
    searched = round(time.perf_counter() - t0, 1)
    for name, scores in retrieval.items():
        _out(
            f"retrieval {name}: "
            + ", ".join(f"{m} {v:.3f}" for m, v in scores.items() if v is not None)
        )
    if args.sample == 0:  # retrieval only, e.g. to check an embedder change on all questions
        args.out.mkdir(parents=True, exist_ok=True)
        path = args.out / "retrieval.json"
        facts = {"index_seconds": indexed, "retrieval_seconds": searched}
        path.write_text(json.dumps(facts | {"retrieval": retrieval}, indent=2))
        _out(f"wrote {path}")
        return 0
    chosen = sample(squad.examples, args.sample, args.seed)
    evaluation = evaluate(assistant, chosen, baseline, on_result=_show_result)
    meta = {
        "dataset": f"SQuAD v1.1 dev ({source})",
        "sample": f"{len(chosen)} questions, random.Random({args.seed}).sample",
        "index_seconds": indexed,
        "baseline_build_seconds": built,
        "retrieval_seconds": searched,
        "retrieval_all_questions": retrieval,
    } | evaluation.meta
    paths = write_report(args.out, evaluation.scores, evaluation.results, meta)
    _out("")
    _print_scores(evaluation)
    _out("wrote " + ", ".join(str(p) for p in paths))
    return 0


def cmd_bench(args: argparse.Namespace, config: Config) -> int:
    from eval.bench import BenchCorpus, run_bench, write_bench
    from eval.dataset import load_dataset
    from eval.search_latency import QUERIES
    from index.embedders import resolve_precision

    seeds = Path(args.seeds)
    dataset = load_dataset(seeds / "qa.jsonl")
    # first turns only: a follow-up's time depends on the turn before it
    questions = [e.question for e in dataset if not e.history and not e.documents]
    tiers = set(args.tiers or ["seeds", "squad", *(["large"] if args.large else [])])
    corpora = [BenchCorpus("seeds", (str(seeds),), answer=True)] if "seeds" in tiers else []
    if args.quick:
        # the large tier's steps on the seeds: the baseline from our vectors, the recall check
        questions, queries = questions[:2], QUERIES[:3]
        stand_in = BenchCorpus(
            "large", (str(seeds),), baseline_from_ours=True, recall_queries=tuple(QUERIES[:3])
        )
        corpora.append(stand_in)
    else:
        from eval.squad import build_corpus, data_dir, fetch_squad, sample

        questions, queries = questions[: args.questions], QUERIES
        squad = build_corpus(fetch_squad(args.data_dir or data_dir()))
        if "squad" in tiers:
            corpora.append(BenchCorpus("squad", (str(squad.corpus),)))
        if "large" in tiers:
            if not args.large:
                raise SystemExit("the large tier needs --large FOLDER...; see docs/performance.md")
            asked = tuple(e.question for e in sample(squad.examples, 300, seed=7))
            large = (*(str(p) for p in args.large), str(squad.corpus))
            corpora.append(
                BenchCorpus("large", large, baseline_from_ours=True, recall_queries=asked)
            )
    work = args.work or args.out / "work"
    result = run_bench(
        corpora,
        questions,
        work,
        queries,
        log=_out,
        resume=args.resume,
        baseline_precision=args.baseline_precision,
    )
    result.meta |= {"quick": bool(args.quick), "generator": config.answer.model}
    result.meta["embedder"] = config.index.embedder
    result.meta["embedder_precision"] = resolve_precision(config.index.precision)
    paths = write_bench(result, args.out)
    _out(paths[1].read_text())
    _out("wrote " + ", ".join(str(p) for p in paths))
    return 0


def cmd_judge_eval(args: argparse.Namespace, config: Config) -> int:
    from eval.judge_eval import evaluate_judge, load_pairs, render, score_pairs

    assistant = _assistant(args, config)
    pairs = load_pairs(args.pairs)
    scored = score_pairs(pairs, assistant.checker)
    report = evaluate_judge(scored, assistant.checker.name, config.answer.judge_threshold)
    _out(json.dumps(report.to_dict(), indent=2) if args.json else render(report))
    return 0


def cmd_chat(args: argparse.Namespace, config: Config) -> int:
    from ui import build_app
    from ui.app import LAUNCH_OPTIONS, QUEUE_OPTIONS

    os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
    assistant = _assistant(args, config)
    if not assistant.documents():
        seeds = Path(args.seeds)
        if seeds.is_dir():
            _out(f"the index is empty: indexing {seeds} first")
            report = assistant.add([seeds], progress=True)
            _out(
                f"indexed {len(report.added)} documents, {report.chunks_embedded} passages "
                f"in {report.seconds:.1f} s"
            )
    auth = None
    if args.auth:
        user, sep, password = args.auth.partition(":")
        if not sep or not user or not password:
            _err("error: --auth takes USER:PASSWORD")
            return 2
        auth = (user, password)
    elif args.host not in ("127.0.0.1", "localhost", "::1"):
        _err(f"warning: serving on {args.host} without --auth: anyone on the network can use it")
    if not args.lazy:
        # models and prompt cache load beside the server: the page is usable at once, and a
        # question asked meanwhile waits on the same locks instead of loading twice
        threading.Thread(target=assistant.warm_up, name="warm-up", daemon=True).start()
    app = build_app(assistant)
    _out(f"serving on http://{args.host}:{args.port}")
    app.queue(**QUEUE_OPTIONS).launch(
        server_name=args.host,
        server_port=args.port,
        auth=auth,
        inbrowser=False,
        show_error=True,
        quiet=True,
        **LAUNCH_OPTIONS,
    )
    return 0


def cmd_docs(args: argparse.Namespace, config: Config) -> int:
    docs = _assistant(args, config).documents()
    if args.json:
        _out(json.dumps([asdict(d) for d in docs], ensure_ascii=False, indent=2))
        return 0
    if not docs:
        _out("no documents indexed; add some with: rag index PATH")
    for d in docs:
        _out(
            f"{d.doc_id}  [{d.language}] {d.published or '—':10}  {d.n_chunks:4d} chunks  "
            f"added {d.added_at}  {d.title}"
        )
    return 0


def cmd_remove(args: argparse.Namespace, config: Config) -> int:
    assistant = _assistant(args, config)
    for doc_id in args.doc_ids:
        assistant.remove(doc_id)
        _out(f"removed {doc_id}")
    return 0


def cmd_models(args: argparse.Namespace, config: Config) -> int:
    cache = config.index.models_dir or default_cache_dir()
    if args.action == "list":
        _out(f"model cache: {cache}")
        for spec, path in model_status(cache):
            state = f"present  {path}" if path else f"missing  (rag models fetch {spec.name})"
            _out(
                f"{spec.name:36} {spec.size_bytes / 1e6:7.0f} MB  {spec.license:18} "
                f"{spec.role}\n{'':38}{state}"
            )
        return 0
    names = args.names or ["embeddinggemma-300m", "qwen2.5-coder-1.5b-instruct-q4_k_m"]
    for name in names:
        t0 = time.perf_counter()
        path = fetch(name, cache, progress=not args.quiet, force=args.force)
        _out(f"{name}: {path} ({time.perf_counter() - t0:.1f} s)")
    return 0


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="rag", description="Grounded answers from your documents.")
    p.add_argument(
        "--index",
        type=Path,
        default=None,
        help="index directory (default: index.dir from config, .rag-index)",
    )
    p.add_argument("--config", type=Path, default=None, help="TOML config (default: ./rag.toml)")
    p.add_argument("-v", "--verbose", action="store_true", help="log progress details")
    sub = p.add_subparsers(dest="command", required=True)

    s = sub.add_parser("index", help="add or update files and folders")
    s.add_argument("paths", nargs="+", type=Path)
    s.add_argument("--rebuild", action="store_true", help="start from an empty index")
    s.add_argument(
        "--no-prune",
        action="store_true",
        help="keep documents whose files are gone from the given folders",
    )
    s.add_argument("-q", "--quiet", action="store_true", help="no progress bar")
    s.set_defaults(func=cmd_index)

    s = sub.add_parser("search", help="hybrid search; no query starts an interactive loop")
    s.add_argument("query", nargs="?")
    s.add_argument("-k", type=int, default=None, help="passages to show")
    s.add_argument("--json", action="store_true")
    s.set_defaults(func=cmd_search)

    _more_commands(sub)
    _eval_commands(sub)
    return p


def _more_commands(sub: Any) -> None:
    s = sub.add_parser("ask", help="a grounded, cited answer; no question starts a conversation")
    s.add_argument("question", nargs="?")
    s.add_argument("--json", action="store_true", help="print the Answer as JSON")
    s.add_argument("--stream", action="store_true", help="print tokens as they are generated")
    s.set_defaults(func=cmd_ask)

    s = sub.add_parser("chat", help="the chat UI in the browser (http://127.0.0.1:7860)")
    s.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1)")
    s.add_argument("--port", type=int, default=7860)
    s.add_argument("--auth", default=None, help="USER:PASSWORD required to use the UI")
    s.add_argument("--seeds", default="seeds", help="folder indexed when the index is empty")
    s.add_argument("--lazy", action="store_true", help="load models on the first question")
    s.set_defaults(func=cmd_chat)

    s = sub.add_parser("docs", help="list indexed documents")
    s.add_argument("--json", action="store_true")
    s.set_defaults(func=cmd_docs)

    s = sub.add_parser("remove", help="remove documents by id (see: rag docs)")
    s.add_argument("doc_ids", nargs="+")
    s.set_defaults(func=cmd_remove)

    s = sub.add_parser("models", help="list or fetch models")
    s.add_argument("action", choices=["list", "fetch"])
    s.add_argument("names", nargs="*", help="models to fetch (default: embedder and generator)")
    s.add_argument("--force", action="store_true", help="fetch again even when present")
    s.add_argument("-q", "--quiet", action="store_true", help="no progress bar")
    s.set_defaults(func=cmd_models)


RESCORE_HELP = "score the answers of an earlier report.json again, without answering"


def _eval_commands(sub: Any) -> None:
    s = sub.add_parser("eval", help="grounding evaluation of a QA dataset (JSONL)")
    s.add_argument("dataset", type=Path)
    s.add_argument(
        "--corpus",
        type=Path,
        default=None,
        help="documents to index (default: the dataset's folder)",
    )
    s.add_argument(
        "--out",
        type=Path,
        default=Path("eval-report"),
        help="report folder; also holds the eval index unless --index is given",
    )
    s.add_argument(
        "--min",
        action="append",
        default=[],
        metavar="METRIC=VALUE",
        help="fail when METRIC is below VALUE (latency metrics: above)",
    )
    s.add_argument("--limit", type=int, default=0, help="only the first N examples")
    s.add_argument(
        "--baseline",
        action="store_true",
        help="also run the LlamaIndex default pipeline with the same models, side by side",
    )
    s.add_argument("--rescore", type=Path, default=None, help=RESCORE_HELP)
    s.set_defaults(func=cmd_eval)

    s = sub.add_parser(
        "eval-squad",
        help="external benchmark: SQuAD v1.1 dev (fetched once from PyPI's bigbench sdist)",
    )
    s.add_argument(
        "--sample",
        type=int,
        default=200,
        help="questions answered (default 200; 0: retrieval only)",
    )
    s.add_argument("--seed", type=int, default=13, help="seed of the answered sample")
    s.add_argument(
        "--retrieval-limit", type=int, default=0, help="retrieval on the first N (default: all)"
    )
    s.add_argument("--baseline", action="store_true", help="also run the LlamaIndex pipeline")
    s.add_argument("--out", type=Path, default=Path("eval-squad-report"))
    s.add_argument("--data-dir", type=Path, default=None, help="cache (default: $RAG_DATA_DIR)")
    s.add_argument("--archive", type=Path, default=None, help="a local bigbench-1.0.0.tar.gz")
    s.add_argument("--rescore", type=Path, default=None, help=RESCORE_HELP)
    s.set_defaults(func=cmd_eval_squad)

    s = sub.add_parser(
        "bench", help="speed and memory beside the LlamaIndex default pipeline (figures)"
    )
    s.add_argument("--quick", action="store_true", help="seeds only, 2 answers: checks the harness")
    s.add_argument("--out", type=Path, default=Path("bench-report"))
    s.add_argument("--work", type=Path, default=None, help="where indexes are built (--out/work)")
    s.add_argument("--seeds", default="seeds", help="the seed folder with qa.jsonl")
    s.add_argument("--questions", type=int, default=20, help="seed questions answered")
    s.add_argument("--data-dir", type=Path, default=None, help="SQuAD cache ($RAG_DATA_DIR)")
    s.add_argument(
        "--large",
        type=Path,
        nargs="*",
        default=[],
        help="folders that with the SQuAD passages make the large corpus (100k chunks)",
    )
    s.add_argument(
        "--tiers", nargs="+", choices=("seeds", "squad", "large"), help="corpora to measure"
    )
    s.add_argument(
        "--resume", action="store_true", help="continue an interrupted build of ours (in --work)"
    )
    s.add_argument(
        "--baseline-precision",
        choices=("fp32", "bf16", "same"),
        default="fp32",
        help="the baseline's embedder arithmetic: fp32 as LlamaIndex runs it (default), or ours",
    )
    s.set_defaults(func=cmd_bench)

    s = sub.add_parser("judge-eval", help="accuracy of the support check on labelled pairs")
    s.add_argument("--pairs", type=Path, default=Path("seeds/support_pairs.jsonl"))
    s.add_argument("--json", action="store_true")
    s.set_defaults(func=cmd_judge_eval)


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    logging.basicConfig(
        level=logging.INFO if args.verbose else logging.WARNING,
        format="%(levelname)s %(name)s: %(message)s",
    )
    # everything is local; a hub lookup would only stall for a minute and fail
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("HF_HUB_DISABLE_TELEMETRY", "1")
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    previous_config = os.environ.get("RAG_CONFIG")
    if args.config is not None:
        # for this command and the processes it starts (rag bench's workers) only
        os.environ["RAG_CONFIG"] = str(args.config)
    try:
        config = load_config()
        rc: int = args.func(args, config)
        return rc
    except (ValidationError, FileNotFoundError) as exc:
        _err(f"error: configuration: {exc}")
    except RagError as exc:
        _err(f"error: {exc}")
    except (ModelNotFoundError, ModelFetchError) as exc:
        _err(f"error: {exc}")
    except RagIndexError as exc:
        _err(f"error: {exc}")
    except KeyboardInterrupt:
        _err("interrupted; the index is unchanged unless a commit had finished")
        return 130
    finally:
        if previous_config is None:
            os.environ.pop("RAG_CONFIG", None)
        else:
            os.environ["RAG_CONFIG"] = previous_config
    return 2


if __name__ == "__main__":
    raise SystemExit(main())

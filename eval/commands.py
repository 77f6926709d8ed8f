"""The evaluation commands: eval, eval-squad, bench, judge-eval (registered with ``rag``'s
parser through the ``grounded_rag.commands`` entry point). Heavy modules load inside each
command, so listing the commands stays cheap."""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path
from typing import Any

from rag import Assistant
from rag.config import Config
from rag.console import err, open_assistant, out

__all__ = ["register"]

# the rows `rag eval` prints; report.md has all of them, by language and tag too
HEADLINE_METRICS = (
    "recall@5", "mrr", "key_fact_accuracy", "exact_match", "token_f1", "citation_recall",
    "citation_precision", "faithfulness", "quote_exact", "abstention_f1",
    "answered_precision", "accuracy", "ttft_p50", "total_p50",
)  # fmt: skip


def _print_scores(evaluation: Any) -> None:
    from eval.causes import (
        cause_table,
        drafts_line,
        effect_line,
        second_drafts,
        summary_line,
        verification_effect,
    )
    from eval.verdicts import support_line, weakest_support

    names = list(evaluation.scores)
    out(f"{'metric':20} " + " ".join(f"{n:>12}" for n in names))
    for metric in HEADLINE_METRICS:
        cells = []
        for n in names:
            value = evaluation.scores[n]["all"].get(metric)
            cells.append(f"{'undefined' if value is None else f'{value:.3f}':>12}")
        out(f"{metric:20} " + " ".join(cells))
    for n in names:
        table = cause_table(evaluation.results[n])
        if table:
            out(f"{n}: {summary_line(table['all'])}")
        if line := drafts_line(second_drafts(evaluation.results[n])):
            out(f"{n}: {line}")
        if line := effect_line(verification_effect(evaluation.results[n])):
            out(f"{n}: {line}")
        if line := support_line(weakest_support(evaluation.results[n])):
            out(f"{n}: {line}")


def _journal(
    args: argparse.Namespace, config: Config, assistant: Assistant, dataset: str, examples: Any
) -> Any:
    """The run journal in ``--out`` (eval/journal.py), resumed with ``--resume``."""
    from eval.journal import Journal, fingerprint, source_hash

    models = {
        "embedder": assistant.index.embedder.name,
        "generator": assistant.generator.model_id,
        "judge": assistant.checker.name,
    }
    # where things lie is not how answers are made, and a DSN can hold a password
    settings = config.model_dump(mode="json", exclude={"index": {"dir", "models_dir", "dsn"}})
    run = fingerprint(dataset, examples, settings, models, source_hash())
    journal = Journal.open(args.out, run, resume=args.resume)
    if args.resume:
        counts = {n: len(journal.finished(n, examples)) for n in ("ours", "llamaindex")}
        held = ", ".join(f"{c} by {n}" for n, c in counts.items())
        out(f"resuming {journal.path}: {len(examples)} questions, answered so far {held}")
    return journal


def _show_result(name: str, r: Any) -> None:
    mark = "✓" if r.correct else "✗"
    state = "abstained" if r.abstained else "answered"
    out(f"{mark} {name:10} {r.example.id:8} {state:9} {r.total:5.1f} s  {r.example.question[:60]}")


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
        out(
            f"corpus {', '.join(map(str, corpus))}: {len(assistant.documents())} documents "
            f"({report.chunks_embedded} passages embedded now)"
        )
        if args.retrieval_only:  # e.g. one backend beside another, without the model
            from eval.compare import retrieval_only

            scores = retrieval_only(assistant, [e for e in examples if e.gold_docs])
            args.out.mkdir(parents=True, exist_ok=True)
            path = args.out / "retrieval.json"
            path.write_text(json.dumps({"retrieval": scores}, indent=2))
            out(f"retrieval: {scores['ours']}\nwrote {path}")
            return 0
        t0 = time.perf_counter()
        baseline = build_baseline(assistant, corpus) if args.baseline else None
        built = round(time.perf_counter() - t0, 1)
        dataset = f"{args.dataset.resolve()} (first {args.limit or 'all'})"
        journal = _journal(args, config, assistant, dataset, examples)
        evaluation = evaluate(assistant, examples, baseline, _show_result, journal)
        journal.close()
        if baseline is not None:
            evaluation.meta["baseline_build_seconds"] = built
    meta = {"dataset": str(args.dataset)} | evaluation.meta
    paths = write_report(args.out, evaluation.scores, evaluation.results, meta)
    out("")
    _print_scores(evaluation)
    out("wrote " + ", ".join(str(p) for p in paths))
    failures = check_thresholds(evaluation.scores["ours"], minimum)
    for f in failures:
        err(f"threshold failed: {f}")
    return 1 if failures else 0


def cmd_eval_squad(args: argparse.Namespace, config: Config) -> int:
    from eval.compare import build_baseline, evaluate, rescore, retrieval_only
    from eval.report import write_report
    from eval.squad import build_corpus, data_dir, fetch_squad, sample

    cache = args.data_dir or data_dir()
    source = fetch_squad(cache, archive=args.archive)
    squad = build_corpus(source)
    out(f"SQuAD v1.1 dev: {len(squad.examples)} questions over {squad.corpus}")
    # beside the JSON: a copy other than the pinned one has a folder of its own
    assistant = Assistant.open(args.index or source.parent / "index", config=config)
    if args.rescore:
        evaluation = rescore(assistant, args.rescore, squad.examples)
        paths = write_report(args.out, evaluation.scores, evaluation.results, evaluation.meta)
        _print_scores(evaluation)
        out("wrote " + ", ".join(str(p) for p in paths))
        return 0
    t0 = time.perf_counter()
    added = assistant.add([squad.corpus], progress=True)
    indexed = round(time.perf_counter() - t0, 1)
    out(f"{len(assistant.documents())} passages indexed ({added.chunks_embedded} chunks now)")
    t0 = time.perf_counter()
    baseline = build_baseline(assistant, [squad.corpus]) if args.baseline else None
    built = round(time.perf_counter() - t0, 1)
    questions = squad.examples[: args.retrieval_limit or None]
    t0 = time.perf_counter()
    retrieval = retrieval_only(assistant, questions, baseline)
    searched = round(time.perf_counter() - t0, 1)
    for name, scores in retrieval.items():
        out(
            f"retrieval {name}: "
            + ", ".join(f"{m} {v:.3f}" for m, v in scores.items() if v is not None)
        )
    if args.sample == 0:  # retrieval only, e.g. to check an embedder change on all questions
        args.out.mkdir(parents=True, exist_ok=True)
        path = args.out / "retrieval.json"
        facts = {"index_seconds": indexed, "retrieval_seconds": searched}
        path.write_text(json.dumps(facts | {"retrieval": retrieval}, indent=2))
        out(f"wrote {path}")
        return 0
    chosen = sample(squad.examples, args.sample, args.seed)
    dataset = f"SQuAD v1.1 dev, random.Random({args.seed}).sample of {len(chosen)}"
    journal = _journal(args, config, assistant, dataset, chosen)
    evaluation = evaluate(assistant, chosen, baseline, _show_result, journal)
    journal.close()
    meta = {
        "dataset": f"SQuAD v1.1 dev ({source})",
        "sample": f"{len(chosen)} questions, random.Random({args.seed}).sample",
        "index_seconds": indexed,
        "baseline_build_seconds": built,
        "retrieval_seconds": searched,
        "retrieval_all_questions": retrieval,
    } | evaluation.meta
    paths = write_report(args.out, evaluation.scores, evaluation.results, meta)
    out("")
    _print_scores(evaluation)
    out("wrote " + ", ".join(str(p) for p in paths))
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
        log=out,
        resume=args.resume,
        baseline_precision=args.baseline_precision,
        config=config.model_dump(mode="json"),
        postgres_dsn=args.postgres,
    )
    result.meta |= {"quick": bool(args.quick), "generator": config.answer.model}
    result.meta["embedder"] = config.index.embedder
    result.meta["embedder_precision"] = resolve_precision(config.index.precision)
    paths = write_bench(result, args.out)
    out(paths[1].read_text())
    out("wrote " + ", ".join(str(p) for p in paths))
    return 0


def cmd_judge_eval(args: argparse.Namespace, config: Config) -> int:
    from eval.judge_eval import evaluate_judge, load_pairs, render, score_pairs

    assistant = open_assistant(args, config)
    pairs = [p for path in args.pairs for p in load_pairs(path)]
    a = config.answer
    scored = score_pairs(pairs, assistant.checker, a.judge_window, a.judge_question_words)
    report = evaluate_judge(
        scored, assistant.checker.name, config.answer.judge_threshold, holdout=args.holdout
    )
    if args.scores:
        rows = [{"id": s.pair.id, "kind": s.pair.kind, "label": s.pair.label,
                 "rule_ok": s.rule_ok, "p_yes": s.p_yes} for s in scored]  # fmt: skip
        args.scores.write_text("".join(json.dumps(r) + "\n" for r in rows), "utf-8")
    out(json.dumps(report.to_dict(), indent=2) if args.json else render(report))
    return 0


RESCORE_HELP = "score the answers of an earlier report.json again, without answering"
RESUME_HELP = (
    "continue an interrupted run: answer only the questions --out/answers.jsonl does not "
    "hold (same configuration and code required)"
)


def register(sub: Any) -> None:
    """rag eval, eval-squad, bench, judge-eval, eval-diff."""
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
        "--retrieval-only",
        action="store_true",
        help="retrieval figures of the answerable questions, without answering",
    )
    s.add_argument(
        "--baseline",
        action="store_true",
        help="also run the LlamaIndex default pipeline with the same models, side by side",
    )
    s.add_argument("--rescore", type=Path, default=None, help=RESCORE_HELP)
    s.add_argument("--resume", action="store_true", help=RESUME_HELP)
    s.set_defaults(func=cmd_eval)

    s = sub.add_parser(
        "eval-squad",
        help="external benchmark: SQuAD v1.1 dev (bigbench sdist from PyPI, or --archive)",
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
    s.add_argument(
        "--archive",
        type=Path,
        default=None,
        help="a local bigbench-1.0.0.tar.gz, or a SQuAD v1.1 dev JSON (dev-v1.1.json)",
    )
    s.add_argument("--rescore", type=Path, default=None, help=RESCORE_HELP)
    s.add_argument("--resume", action="store_true", help=RESUME_HELP)
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
    s.add_argument(
        "--postgres",
        default=None,
        metavar="DSN",
        help="also measure the postgres backend on this database (rag db start prints one)",
    )
    s.set_defaults(func=cmd_bench)

    s = sub.add_parser("judge-eval", help="accuracy of the support check on labelled pairs")
    s.add_argument(
        "--pairs",
        type=Path,
        nargs="+",
        default=[Path("seeds/support_pairs.jsonl"), Path("eval/data/squad_support_pairs.jsonl")],
        help="labelled pair files (default: the seed pairs and the SQuAD dev pairs)",
    )
    s.add_argument("--json", action="store_true")
    s.add_argument(
        "--holdout",
        action="store_true",
        help="also choose a threshold on one half of the pairs and measure it on the other",
    )
    s.add_argument("--scores", type=Path, default=None, help="write each pair's P(yes) (JSONL)")
    s.set_defaults(func=cmd_judge_eval)

    from eval.diff import register as register_diff

    register_diff(sub)

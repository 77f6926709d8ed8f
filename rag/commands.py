"""The product's commands: index, search, ask, docs, remove, models (registered with
``rag``'s parser through the ``grounded_rag.commands`` entry point)."""

from __future__ import annotations

import argparse
import json
import sys
import textwrap
import time
from dataclasses import asdict
from pathlib import Path
from typing import Any

from index import default_cache_dir, fetch, lean_kernels_for_bulk_embedding, model_status
from rag import db_commands
from rag.api import Assistant
from rag.config import Config
from rag.console import err, hit_dict, open_assistant, out, print_hits
from rag.types import Answer, AnswerEvent, SentenceEvent, SourcesEvent, TokenEvent, Turn

__all__ = ["register"]


def cmd_index(args: argparse.Namespace, config: Config) -> int:
    lean_kernels_for_bulk_embedding()  # before the embedder loads; this process only ingests
    assistant = open_assistant(args, config)

    def on_error(path: str, reason: str) -> None:
        err(f"error: {path}: {reason}")

    report = assistant.add(
        args.paths,
        progress=not args.quiet,
        prune=not args.no_prune,
        rebuild=args.rebuild,
        on_error=on_error,
    )
    failures = list(report.failed)
    if report.skipped:
        names = ", ".join(Path(p).name for p in report.skipped[:5])
        more = f" and {len(report.skipped) - 5} more" if len(report.skipped) > 5 else ""
        out(f"skipped {len(report.skipped)} file(s) of unsupported type: {names}{more}")
    rate = report.chunks_embedded / report.seconds if report.seconds else 0.0
    out(
        f"indexed into {assistant.index.backend.location}: {len(report.added)} added, "
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
        out(
            json.dumps(
                {"query": query, "ms": round(ms, 1), "hits": [hit_dict(h) for h in hits]},
                ensure_ascii=False,
                indent=2,
            )
        )
        return
    print_hits(hits)
    out(f"({len(hits)} passages in {ms:.0f} ms)")


def cmd_search(args: argparse.Namespace, config: Config) -> int:
    assistant = open_assistant(args, config)
    if args.query:
        _search_once(assistant, args.query, args.k, args.json)
        return 0
    # no query: an interactive loop, so the model loads once for many questions
    out(
        f"searching {assistant.index.backend.location} ({len(assistant.documents())} documents); "
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


_SECOND_DRAFT = {
    "retry": "it had declined, and was asked once more without the way out",
    "second look": "verification removed the whole first draft; the passages were shown "
    "again in reverse order",
    "number": "the question asks for a number and the first answer stated none; it was "
    "asked once more for the number",
}


def _print_answer(answer: Answer, streamed: bool) -> None:
    if not streamed or answer.abstained:
        out(answer.text)
    if answer.abstained:
        out(f"(abstained: {answer.reason})")
        if answer.hits:
            out("closest passages:")
            print_hits(answer.hits[:3])
    else:
        for i, s in enumerate(answer.sentences, 1):
            mark = "✓" if s.verdict == "supported" else "✗"
            state = "" if s.kept else " — removed from the answer"
            why = f": {s.reason}" if s.reason else ""
            how = " (citation attributed by the verifier)" if s.attributed else ""
            how = " (the source's own words, quoted)" if s.quoted else how
            out(f"  {mark} sentence {i}, support {s.support:.2f}{how}{why}{state}")
        for c in answer.citations:
            out(f"[{c.number}] {c.title} [{c.language}]  {c.doc_id} chars {c.start}–{c.end}")
            quote = textwrap.shorten(" ".join(c.quote.split()), 400, placeholder=" …")
            out(textwrap.indent(textwrap.fill(f"“{quote}”", 96), "    "))
    if answer.second_draft:
        kind = _SECOND_DRAFT.get(answer.second_draft, answer.second_draft)
        out(f"(the model wrote a second draft: {kind})")
    t = answer.timings
    first = f"{t.first_token:.1f} s" if t.first_token is not None else "—"
    out(
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
            if event.restart:
                err(f"\n({event.why or 'the draft was dropped'})")
            sys.stdout.write(event.text)
            sys.stdout.flush()
        elif isinstance(event, SourcesEvent) and args.stream and not args.json:
            titles = ", ".join(sorted({e.title[:40] for e in event.evidence}))
            err(f"sources: {len(event.evidence)} passages ({titles})")
        elif isinstance(event, SentenceEvent) and args.stream and not args.json:
            if event.index == 0:
                out("")
        elif isinstance(event, AnswerEvent):
            answer = event.answer
    assert answer is not None
    if args.json:
        out(answer.to_json())
    else:
        _print_answer(answer, streamed=args.stream)
    return answer


def cmd_ask(args: argparse.Namespace, config: Config) -> int:
    if args.question is not None and not args.question.strip():
        # an empty argument is a mistake (an unset shell variable), not a wish to chat
        err('error: the question is empty; give one (rag ask "QUESTION"), or none for a chat')
        return 2
    assistant = open_assistant(args, config)
    if args.question is not None:
        _ask_once(assistant, args.question.strip(), [], args)
        return 0
    # no question: a conversation; follow-ups are read in the light of earlier turns
    out(
        f"asking {assistant.index.backend.location} ({len(assistant.documents())} documents); "
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


def cmd_docs(args: argparse.Namespace, config: Config) -> int:
    docs = open_assistant(args, config).documents()
    if args.json:
        out(json.dumps([asdict(d) for d in docs], ensure_ascii=False, indent=2))
        return 0
    if not docs:
        out("no documents indexed; add some with: rag index PATH")
    for d in docs:
        out(
            f"{d.doc_id}  [{d.language}] {d.published or '—':10}  {d.n_chunks:4d} chunks  "
            f"added {d.added_at}  {d.title}"
        )
    return 0


def cmd_remove(args: argparse.Namespace, config: Config) -> int:
    assistant = open_assistant(args, config)
    for doc_id in args.doc_ids:
        assistant.remove(doc_id)
        out(f"removed {doc_id}")
    return 0


def cmd_models(args: argparse.Namespace, config: Config) -> int:
    cache = config.index.models_dir or default_cache_dir()
    if args.action == "list":
        out(f"model cache: {cache}")
        for spec, path in model_status(cache):
            state = f"present  {path}" if path else f"missing  (rag models fetch {spec.name})"
            out(
                f"{spec.name:36} {spec.size_bytes / 1e6:7.0f} MB  {spec.license:18} "
                f"{spec.role}\n{'':38}{state}"
            )
        return 0
    names = args.names or ["embeddinggemma-300m", "qwen2.5-coder-1.5b-instruct-q4_k_m"]
    for name in names:
        t0 = time.perf_counter()
        path = fetch(name, cache, progress=not args.quiet, force=args.force)
        out(f"{name}: {path} ({time.perf_counter() - t0:.1f} s)")
    return 0


def register(sub: Any) -> None:
    """The product commands: index, search, ask, docs, remove, models, db, migrate."""
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

    s = sub.add_parser("ask", help="a grounded, cited answer; no question starts a conversation")
    s.add_argument("question", nargs="?")
    s.add_argument("--json", action="store_true", help="print the Answer as JSON")
    s.add_argument("--stream", action="store_true", help="print tokens as they are generated")
    s.set_defaults(func=cmd_ask)

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

    db_commands.register(sub)

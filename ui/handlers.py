"""Event handlers of the UI as plain functions of an assistant; tested without a browser."""

from __future__ import annotations

import re
import shutil
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from rag import (
    AnswerEvent,
    Assistant,
    DocumentNotFoundError,
    ModelNotFoundError,
    RagError,
    SentenceEvent,
    SourcesEvent,
    TokenEvent,
    Turn,
)
from ui.render import (
    PendingTurn,
    render_answer,
    render_conversation,
    render_error,
    render_pending,
    render_sources,
)

__all__ = [
    "ALLOWED_SUFFIXES",
    "ChatState",
    "Settings",
    "apply_settings",
    "ask",
    "document_rows",
    "remove_document",
    "safe_name",
    "stop",
    "upload",
]

ALLOWED_SUFFIXES = (".txt", ".md", ".html", ".htm", ".pdf", ".docx")
DOC_COLUMNS = ["id", "title", "language", "date", "chunks", "added"]


@dataclass
class ChatState:
    turns: list[Turn] = field(default_factory=list)
    rendered: list[str] = field(default_factory=list)
    stop: threading.Event = field(default_factory=threading.Event)


def ask(
    assistant: Assistant, question: str, state: ChatState | None
) -> Iterator[tuple[str, str, ChatState]]:
    """Stream one turn: yields (conversation HTML, sources HTML, state) as events arrive."""
    state = state or ChatState()
    question = question.strip()
    if not question:
        yield render_conversation(state.rendered), render_sources([]), state
        return
    state.stop.clear()
    pending = PendingTurn(question)
    sources = render_sources([], "searching…")
    yield render_conversation([*state.rendered, render_pending(pending)]), sources, state
    try:
        yield from _stream_turn(assistant, state, pending, sources)
    except (RagError, ModelNotFoundError, RuntimeError, OSError, ValueError) as exc:
        # a missing model or an unreachable server: say so in the conversation, keep it usable
        state.rendered.append(render_error(question, str(exc)))
        yield render_conversation(state.rendered), render_sources([]), state


def _stream_turn(
    assistant: Assistant, state: ChatState, pending: PendingTurn, sources: str
) -> Iterator[tuple[str, str, ChatState]]:
    question = pending.question
    turn = len(state.turns) + 1

    def view() -> str:
        return render_conversation([*state.rendered, render_pending(pending)])

    for event in assistant.stream(question, state.turns or None, stop=state.stop):
        if isinstance(event, SourcesEvent):
            pending.status = "writing the answer…" if event.evidence else "checking…"
            note = f"{len(event.evidence)} passages sent to the model"
            sources = render_sources(
                event.evidence, note if event.evidence else "no passage is relevant enough"
            )
            yield view(), sources, state
        elif isinstance(event, TokenEvent):
            pending.text += event.text
            yield view(), sources, state
        elif isinstance(event, SentenceEvent):
            pending.status = f"verifying sentence {event.index + 1}…"
            yield view(), sources, state
        elif isinstance(event, AnswerEvent):
            answer = event.answer
            state.rendered.append(_render_final(assistant, turn, question, answer))
            state.turns.append(Turn(question, answer))
            yield render_conversation(state.rendered), sources, state


def _render_final(assistant: Assistant, turn: int, question: str, answer: Any) -> str:
    dates = {d.doc_id: d.published for d in assistant.documents()}
    return render_answer(turn, question, answer, lambda i: assistant.document(i).text, dates.get)


def stop(state: ChatState | None) -> None:
    if state is not None:
        state.stop.set()


def safe_name(name: str) -> str:
    """A file name without folders, control or shell characters, at most 100 characters."""
    base = Path(name.replace("\\", "/")).name
    stem, dot, suffix = base.rpartition(".")
    if not dot:
        stem, suffix = base, ""
    stem = re.sub(r"[^\w.-]+", "_", stem, flags=re.ASCII).strip("._") or "document"
    suffix = re.sub(r"[^A-Za-z0-9]", "", suffix)[:10].lower()
    return (stem[:90] + (f".{suffix}" if suffix else ""))[:100]


def document_rows(assistant: Assistant) -> list[list[Any]]:
    return [
        [
            d.doc_id,
            d.title,
            d.language,
            d.published or "",
            d.n_chunks,
            d.added_at[:16].replace("T", " "),
        ]
        for d in assistant.documents()
    ]


def upload(
    assistant: Assistant,
    files: list[str] | None,
    upload_dir: Path,
    max_bytes: int,
    progress: Any = None,
) -> tuple[str, list[list[Any]]]:
    """Copy uploads under safe names into ``upload_dir`` and index them; returns a status
    message (one line per problem) and the refreshed document table."""
    if not files:
        return "Choose one or more files first.", document_rows(assistant)
    upload_dir.mkdir(parents=True, exist_ok=True)
    problems: list[str] = []
    targets: list[Path] = []
    for f in files:
        src = Path(f)
        name = safe_name(src.name)
        if not name.lower().endswith(ALLOWED_SUFFIXES):
            problems.append(f"{src.name}: unsupported type; use {', '.join(ALLOWED_SUFFIXES)}")
            continue
        if src.stat().st_size > max_bytes:
            problems.append(f"{src.name}: larger than {max_bytes // 1_000_000} MB")
            continue
        dest = upload_dir / name
        n = 1
        while dest.exists() and dest.read_bytes() != src.read_bytes():
            dest = upload_dir / f"{Path(name).stem}-{n}{Path(name).suffix}"
            n += 1
        shutil.copyfile(src, dest)
        targets.append(dest)
    if progress is not None:
        progress(0.1, desc=f"indexing {len(targets)} file(s)")
    report = assistant.add(targets, progress=progress is not None, prune=False) if targets else None
    lines = []
    if report is not None:
        for path, reason in report.failed:
            problems.append(f"{Path(path).name}: {reason}")
            Path(path).unlink(missing_ok=True)  # a bad upload is not kept
        lines.append(
            f"Indexed {len(report.added) + len(report.updated)} file(s), "
            f"{report.chunks_embedded} passages, in {report.seconds:.1f} s."
        )
    lines += [f"⚠ {p}" for p in problems]
    return "\n\n".join(lines), document_rows(assistant)


def remove_document(
    assistant: Assistant, doc_id: str | None, upload_dir: Path
) -> tuple[str, list[list[Any]]]:
    if not doc_id or not doc_id.strip():
        return "Choose a document to remove (click its row).", document_rows(assistant)
    try:
        doc = assistant.document(doc_id.strip())
    except DocumentNotFoundError:
        return f"⚠ No document with id {doc_id!r}.", document_rows(assistant)
    assistant.remove(doc_id)
    source = Path(doc.source)
    if source.parent == upload_dir.resolve():
        source.unlink(missing_ok=True)  # an uploaded copy goes with its document
    return f"Removed “{doc.title}”.", document_rows(assistant)


@dataclass(frozen=True)
class Settings:
    """What the Settings tab lets a user change."""

    generator: str
    base_url: str
    model: str
    passages: int
    max_tokens: int


def apply_settings(assistant: Assistant, s: Settings) -> str:
    answer: dict[str, Any] = {"generator": s.generator, "max_tokens": int(s.max_tokens)}
    if s.generator == "openai":
        if not s.base_url.strip() or not s.model.strip():
            return "⚠ An OpenAI-compatible server needs a base URL and a model name."
        answer |= {"base_url": s.base_url.strip(), "openai_model": s.model.strip()}
    try:
        assistant.reconfigure(answer=answer, retrieval={"k": int(s.passages)})
    except ValueError as exc:  # pydantic's ValidationError is a ValueError
        return f"⚠ {exc}"
    return (
        f"Settings applied: generator {s.generator}, {s.passages} passages, "
        f"at most {s.max_tokens} tokens."
    )

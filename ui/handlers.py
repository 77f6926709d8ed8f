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
    SUPPORTED_SUFFIXES,
    AnswerEvent,
    AskOptions,
    Assistant,
    DocumentNotFoundError,
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
    "SessionSettings",
    "apply_settings",
    "ask",
    "backend_description",
    "document_rows",
    "remove_document",
    "safe_name",
    "stop",
    "upload",
]

# Plain text is embedded whole: ~576 bytes make one 128-token passage, and this machine
# embeds ~10 passages/s, so 2 MB of text (~3,500 passages) holds the index's write lock for
# ~6 minutes. Larger text goes through `rag index` in a terminal, with its progress bar; a
# PDF's or DOCX's bytes are mostly not text, so their cap is the upload limit.
MAX_TEXT_BYTES = 2_000_000
PLAIN_SUFFIXES = (".txt", ".md", ".markdown", ".html", ".htm")
_BYTES_PER_PASSAGE = 576  # 128 cl100k tokens at ~4.5 characters each
_PASSAGES_PER_SECOND = 10


def _too_long(name: str, size: int) -> str:
    minutes = size / _BYTES_PER_PASSAGE / _PASSAGES_PER_SECOND / 60
    return (
        f"{name}: {size / 1e6:.1f} MB of text would keep the index busy for about "
        f"{minutes:.0f} minutes; add it in a terminal with: rag index {name} "
        "(it shows progress, and the index stays searchable meanwhile)"
    )


ALLOWED_SUFFIXES = SUPPORTED_SUFFIXES  # the loaders' list: one place says what is readable
DOC_COLUMNS = ["id", "title", "language", "date", "chunks", "added"]


@dataclass
class ChatState:
    turns: list[Turn] = field(default_factory=list)
    rendered: list[str] = field(default_factory=list)
    stop: threading.Event = field(default_factory=threading.Event)


def ask(
    assistant: Assistant,
    question: str,
    state: ChatState | None,
    settings: SessionSettings | None = None,
) -> Iterator[tuple[str, str, ChatState]]:
    """Stream one turn: yields (conversation HTML, sources HTML, state) as events arrive.

    ``settings`` are this session's choices; they never change the shared assistant.
    """
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
        options = settings.options() if settings is not None else None
        yield from _stream_turn(assistant, state, pending, sources, options)
    except (RagError, RuntimeError, OSError, ValueError) as exc:
        # a missing model or an unreachable server: say so in the conversation, keep it usable
        state.rendered.append(render_error(question, str(exc)))
        yield render_conversation(state.rendered), render_sources([]), state


def _stream_turn(
    assistant: Assistant,
    state: ChatState,
    pending: PendingTurn,
    sources: str,
    options: AskOptions | None,
) -> Iterator[tuple[str, str, ChatState]]:
    question = pending.question
    turn = len(state.turns) + 1

    def view() -> str:
        return render_conversation([*state.rendered, render_pending(pending)])

    for event in assistant.stream(question, state.turns or None, stop=state.stop, options=options):
        if isinstance(event, SourcesEvent):
            pending.status = "writing the answer…" if event.evidence else "checking…"
            note = f"{len(event.evidence)} passages sent to the model"
            sources = render_sources(
                event.evidence, note if event.evidence else "no passage is relevant enough"
            )
            yield view(), sources, state
        elif isinstance(event, TokenEvent):
            if event.restart:
                pending.text = ""
                pending.status = f"{event.why or 'the draft was dropped'}…"
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
        size = src.stat().st_size
        if size > max_bytes:
            problems.append(f"{src.name}: larger than {max_bytes // 1_000_000} MB")
            continue
        if name.lower().endswith(PLAIN_SUFFIXES) and size > MAX_TEXT_BYTES:
            problems.append(_too_long(src.name, size))
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
    doc_id = (doc_id or "").strip()  # pasted ids come with spaces
    if not doc_id:
        return "Choose a document to remove (click its row).", document_rows(assistant)
    try:
        doc = assistant.document(doc_id)
    except DocumentNotFoundError:
        return f"⚠ No document with id {doc_id!r}.", document_rows(assistant)
    assistant.remove(doc_id)
    source = Path(doc.source)
    if source.parent == upload_dir.resolve():
        source.unlink(missing_ok=True)  # an uploaded copy goes with its document
    return f"Removed “{doc.title}”.", document_rows(assistant)


@dataclass(frozen=True)
class SessionSettings:
    """What one page visitor may change, for their own session only.

    The generator, its server URL and its API key are the operator's (rag.toml, RAG_*
    variables): a visitor who could set the URL would receive the server's key with every
    question, and every other visitor's questions with it.
    """

    passages: int
    max_tokens: int

    @classmethod
    def defaults(cls, assistant: Assistant) -> SessionSettings:
        return cls(assistant.config.retrieval.k, assistant.config.answer.max_tokens)

    def options(self) -> AskOptions:
        return AskOptions(k=self.passages, max_tokens=self.max_tokens)


def apply_settings(
    assistant: Assistant, passages: float, max_tokens: float
) -> tuple[str, SessionSettings | None]:
    """Validate a visitor's choices against the configuration's bounds; the message, and
    the settings for their session (None when rejected: the session keeps what it had)."""
    config = assistant.config
    try:
        # the same bounds as the configuration file, without changing the shared config
        config.retrieval.model_validate(config.retrieval.model_dump() | {"k": int(passages)})
        config.answer.model_validate(config.answer.model_dump() | {"max_tokens": int(max_tokens)})
    except ValueError as exc:  # pydantic's ValidationError is a ValueError
        return f"⚠ {exc}", None
    chosen = SessionSettings(int(passages), int(max_tokens))
    return (
        f"Settings applied to this session: {chosen.passages} passages, "
        f"at most {chosen.max_tokens} tokens.",
        chosen,
    )


def backend_description(assistant: Assistant) -> str:
    """The operator's generator, as the Settings tab shows it (no key, no editing)."""
    a = assistant.config.answer
    if a.generator == "openai":
        where = f"OpenAI-compatible server {a.base_url}, model {a.openai_model}"
    elif a.generator == "llamacpp":
        where = f"local model {a.model}"
    else:
        where = a.generator
    return (
        f"Generator: **{where}**. The generator, its server and key are set by whoever runs "
        "the server (rag.toml or RAG_ANSWER__* variables), not from this page."
    )

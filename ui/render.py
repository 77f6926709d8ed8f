"""HTML for the conversation, the sources panel and the source viewer.

Everything from documents or models is escaped before it is placed in HTML. A citation
marker [n] becomes a link; clicking it opens that turn's viewer for source n (a small
script in ``app.py``), which shows the passage in context with the cited span marked.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from rag import Answer, Citation, Evidence

__all__ = ["PendingTurn", "render_conversation", "render_sources"]

CONTEXT_CHARS = 400  # characters of the document shown on each side of a cited span


@dataclass
class PendingTurn:
    """A turn while it streams: the raw text so far, and a status line."""

    question: str
    text: str = ""
    status: str = "searching…"
    evidence: Sequence[Evidence] = field(default_factory=tuple)


def _esc(text: str) -> str:
    return html.escape(text, quote=True)


def _cite_links(text: str, turn: int) -> str:
    """Escape the answer text and turn each [n] into a link to that turn's source n."""

    def link(m: re.Match[str]) -> str:
        n = m.group(1)
        return (
            f'<a class="cite" href="#src-{turn}-{n}" data-turn="{turn}" data-n="{n}" '
            f'title="show source {n}">[{n}]</a>'
        )

    return re.sub(r"\[(\d+)\]", link, _esc(text))


def _viewer(turn: int, c: Citation, doc_text: str, published: str | None) -> str:
    start, end = c.start, c.end
    before = doc_text[max(0, start - CONTEXT_CHARS) : start]
    after = doc_text[end : end + CONTEXT_CHARS]
    lead = "…" if start > CONTEXT_CHARS else ""
    tail = "…" if end + CONTEXT_CHARS < len(doc_text) else ""
    meta = f"{_esc(c.language)}" + (f" · {_esc(published)}" if published else "")
    return (
        f'<div class="viewer" id="src-{turn}-{c.number}" data-turn="{turn}" '
        f'data-n="{c.number}">'
        f'<div class="viewer-head"><b>[{c.number}] {_esc(c.title)}</b> '
        f'<span class="meta">{meta} · chars {c.start}–{c.end}</span></div>'
        f'<div class="viewer-body">{lead}{_esc(before)}<mark class="quote">{_esc(c.quote)}</mark>'
        f"{_esc(after)}{tail}</div></div>"
    )


def _sentence_marks(answer: Answer) -> str:
    items = []
    for i, s in enumerate(answer.sentences, 1):
        ok = s.verdict == "supported"
        mark = "✓" if ok else "✗"
        state = "verified against its source" if ok else f"not verified: {s.reason}"
        if ok and s.attributed:
            state = "verified against a source the verifier chose, not the model"
        if ok and s.quoted:
            state = "the source's own words, quoted: the model's draft did not hold"
        if ok and s.reason:
            state += f" ({s.reason})"
        if not s.kept:
            state += " — removed from the answer"
        cls = "ok" if ok else "bad"
        items.append(f'<li class="{cls}">{mark} sentence {i}: {_esc(state)}</li>')
    return f'<ul class="checks">{"".join(items)}</ul>' if items else ""


def _timings(answer: Answer) -> str:
    t = answer.timings
    first = f"{t.first_token:.1f} s" if t.first_token is not None else "—"
    # a second draft is why an answer took twice as long: say so beside the time
    drafted = f" · second draft ({_esc(answer.second_draft)})" if answer.second_draft else ""
    return (
        f'<div class="timings">{t.total:.1f} s · retrieval {t.retrieval:.2f} s · first token '
        f"{first} · verification {t.verification:.1f} s{drafted}</div>"
    )


def _closest(answer: Answer) -> str:
    rows = []
    for h in answer.hits[:3]:
        body = _esc(" ".join(h.chunk.text.split())[:300])
        rows.append(f"<li><b>{_esc(h.title)}</b> [{_esc(h.language)}]: {body}…</li>")
    return f'<div class="closest">Closest passages:<ul>{"".join(rows)}</ul></div>' if rows else ""


def render_answer(
    turn: int,
    question: str,
    answer: Answer,
    doc_text: Callable[[str], str],
    published: Callable[[str], str | None],
) -> str:
    q = f'<div class="question">{_esc(question)}</div>'
    if answer.abstained:
        return (
            f'{q}<div class="answer final abstained" data-turn="{turn}">'
            f'<div class="abstain-label">No answer from the documents</div>'
            f"<p>{_esc(answer.text)}</p>"
            f'<div class="reason">{_esc(answer.reason)}</div>{_closest(answer)}'
            f"{_timings(answer)}</div>"
        )
    viewers = "".join(
        _viewer(turn, c, doc_text(c.doc_id), published(c.doc_id)) for c in answer.citations
    )
    return (
        f'{q}<div class="answer final" data-turn="{turn}">'
        f'<p class="answer-text">{_cite_links(answer.text, turn)}</p>'
        f"{_sentence_marks(answer)}{viewers}{_timings(answer)}</div>"
    )


def render_error(question: str, message: str) -> str:
    return (
        f'<div class="question">{_esc(question)}</div>'
        f'<div class="answer final error"><div class="abstain-label">Could not answer</div>'
        f"<p>{_esc(message)}</p></div>"
    )


DRAFT_LABEL = "Draft, not yet checked against the sources: it may still change or be removed"


def render_pending(p: PendingTurn) -> str:
    # The model's raw text, shown as it streams so the first words come at once, but marked
    # as an unchecked draft: a sentence that fails verification (an injected instruction, a
    # made-up fact) is visible here until the checked answer replaces the whole draft. It
    # is escaped text, so a URL in it is not a link.
    text = _esc(p.text) if p.text else ""
    label = f'<div class="draft-label">{DRAFT_LABEL}</div>' if p.text else ""
    return (
        f'<div class="question">{_esc(p.question)}</div>'
        f'<div class="answer pending draft">{label}<p>{text}<span class="cursor">▍</span></p>'
        f'<div class="status">{_esc(p.status)}</div></div>'
    )


def render_conversation(parts: Sequence[str]) -> str:
    if not parts:
        return (
            '<div class="empty">Ask a question about your documents, in English or German. '
            "Every answer sentence is checked against the passage it cites.</div>"
        )
    return "".join(f'<div class="turn">{p}</div>' for p in parts)


def render_sources(evidence: Sequence[Evidence], note: str = "") -> str:
    if not evidence:
        return f'<div class="sources empty">{_esc(note or "Sources appear here.")}</div>'
    items = []
    for e in evidence:
        body = _esc(" ".join(e.text.split()))
        items.append(
            f'<li class="source"><b>[{e.number}] {_esc(e.title)}</b> '
            f'<span class="meta">{_esc(e.language)} · chars {e.start}–{e.end}</span>'
            f"<div>{body}</div></li>"
        )
    return (
        f'<div class="sources"><div class="note">{_esc(note)}</div><ol>{"".join(items)}</ol></div>'
    )

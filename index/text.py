"""Offline text tools: token counts (tiktoken), sentence spans (NLTK Punkt), language guess.

The BPE and Punkt files ship inside llama-index-core; pointing the libraries there keeps
everything offline (tiktoken would otherwise download its BPE file on first use).
"""

from __future__ import annotations

import os
import re
from functools import cache
from pathlib import Path
from typing import Any

from index.types import Span

__all__ = ["count_tokens", "detect_language", "laid_out", "sentence_spans", "static_dir"]

# Punkt models available for the languages we detect; others fall back to English rules.
_PUNKT = {
    "en": "english",
    "de": "german",
    "fr": "french",
    "es": "spanish",
    "it": "italian",
    "nl": "dutch",
    "pl": "polish",
    "pt": "portuguese",
    "ru": "russian",
}


_ABBREVIATIONS = {
    "i.e",
    "e.g",
    "etc",
    "vs",
    "approx",
    "incl",
    "z.b",
    "d.h",
    "bzw",
    "ca",
    "u.a",
    "usw",
    "vgl",
    "s.o",
    "u.s",
    "u.k",
    "gen",
    "col",
    "lt",
    "sgt",
    "oberst",
}


def static_dir() -> Path:
    import llama_index.core

    return Path(llama_index.core.__file__).parent / "_static"


@cache
def _encoding() -> Any:
    os.environ.setdefault("TIKTOKEN_CACHE_DIR", str(static_dir() / "tiktoken_cache"))
    import tiktoken

    return tiktoken.get_encoding("cl100k_base")


def count_tokens(text: str) -> int:
    return len(_encoding().encode(text, disallowed_special=()))


@cache
def _punkt(language: str) -> Any:
    import nltk

    nltk_dir = str(static_dir() / "nltk_cache")
    if nltk_dir not in nltk.data.path:
        nltk.data.path.insert(0, nltk_dir)
    from nltk.tokenize.punkt import PunktTokenizer

    tok = PunktTokenizer(_PUNKT.get(language, "english"))
    # abbreviations the shipped models miss; without them "i.e." or "z.B." ends a sentence
    tok._params.abbrev_types.update(_ABBREVIATIONS)
    return tok


# a line ending so is complete; one ending otherwise was wrapped when it is one of many
# lines of one width (_looks_hard_wrapped) or it runs on (_runs_on): its sentence goes on
# in the next line
_LINE_END = (".", "!", "?", ":", '"', "”", "“")


def _looks_hard_wrapped(lines: list[str]) -> bool:
    """True for text wrapped at a fixed width, where a newline is not a boundary."""
    body = [ln for ln in lines[:-1] if ln.strip()]
    if len(body) < 3:
        return False
    wrapped = sum(1 for ln in body if 50 <= len(ln) <= 100 and not ln.rstrip().endswith(_LINE_END))
    return wrapped >= 0.8 * len(body)


# a line this long that ends in a word was cut by wrapping, not ended: headings, list items
# and record lines are shorter ("IRIX64 (using cc and gcc)", "what:  column --columns")
_WRAPPED_MIN = 40


def _ends(line: str) -> bool:
    # ";" too: it ends an item of the lists in legal text ("…; or" / "b) …")
    return line.rstrip().endswith((*_LINE_END, ";"))


def _runs_on(lines: list[str]) -> list[bool]:
    """For each line of a paragraph, whether its sentence goes on in the next line: the
    line does not end one, and the next starts in lower case ("… mit dem" / "unterschrieben
    werden kann.", "what:  hwclock --debug" / "why:   renamed to --verbose"), or the line
    is long and the next, though capitalised, completes the sentence, at once or by running
    on itself. German capitalises nouns: "… und kann nur für" / "Unterschriften genutzt
    werden." A capitalised next line that ends nothing is a list item ("HPUX (10.20, …)" /
    "IRIX64 (…)") and stays apart. Computed from the last line back: one pass."""
    out = [False] * len(lines)
    for i in range(len(lines) - 2, -1, -1):
        if _ends(lines[i]):
            continue
        nxt = lines[i + 1].lstrip()
        out[i] = nxt[:1].islower() or (
            len(lines[i].strip()) >= _WRAPPED_MIN
            and nxt[:1].isalnum()
            and (_ends(lines[i + 1]) or out[i + 1])
        )
    return out


def _blocks(text: str) -> list[Span]:
    """Paragraph-like blocks: blank lines always separate; single newlines do unless the
    paragraph is wrapped at a fixed width or the line runs on into the next."""
    out: list[Span] = []
    for para in re.finditer(r"\S(?:.*?\S)?(?=\s*\n\s*\n|\s*\Z)", text, flags=re.S):
        start = para.start()
        lines = para.group(0).split("\n")
        if _looks_hard_wrapped(lines):
            out.append(Span(start, para.end()))
            continue
        pos = start
        runs_on = _runs_on(lines)
        joined = False  # the last span's line runs on into this one
        for i, line in enumerate(lines):
            stripped = line.strip()
            if stripped:
                lead = len(line) - len(line.lstrip())
                span = Span(pos + lead, pos + lead + len(stripped))
                if joined:
                    out[-1] = Span(out[-1].start, span.end)
                else:
                    out.append(span)
                joined = runs_on[i]
            pos += len(line) + 1
    return out


def laid_out(text: str) -> str:
    """The text on as few lines as keep its structure: whitespace collapsed, paragraphs
    run together, and a line break kept only between the blocks of one paragraph (the
    lines of a record, the items of a list, a header's lines; _blocks).

    Flattened completely, a list of records reads as one run of words ("what: column
    --table-empty-lines why: renamed to --keep-empty-lines since: v2.37 ---- what: hwclock
    --debug why: …") in which a small model confuses neighbouring records.
    """
    out: list[str] = []
    last = None
    for b in _blocks(text):
        if last is not None:
            out.append(" " if _blank_line(text, last, b) else "\n")
        out.append(" ".join(text[b.start : b.end].split()))
        last = b
    return "".join(out)


def _blank_line(text: str, before: Span, after: Span) -> bool:
    """Whether a blank line separates two spans of the text (they are in two paragraphs)."""
    return re.search(r"\n\s*\n", text[before.end : after.start]) is not None


def sentence_spans(text: str, language: str = "en") -> list[Span]:
    """Sentence spans with exact offsets: ``text[s.start:s.end]`` is each sentence."""
    tok = _punkt(language)
    spans: list[Span] = []
    for block in _blocks(text):
        piece = text[block.start : block.end]
        for a, b in tok.span_tokenize(piece):
            seg = piece[a:b]
            lead = len(seg) - len(seg.lstrip())
            trail = len(seg) - len(seg.rstrip())
            if b - trail <= a + lead:
                continue
            span = Span(block.start + a + lead, block.start + b - trail)
            if not re.search(r"\w", seg):
                # a stray "." or "…" is not a sentence of its own: in its paragraph it ends
                # the previous one; after a blank line (a "-----" rule between records, the
                # "." closing each entry of GnuPG's help) it belongs to none, or a quote
                # would end in "… die Eingabe.\n\n."
                if spans and not _blank_line(text, spans[-1], span):
                    spans[-1] = Span(spans[-1].start, span.end)
                continue
            spans.append(span)
    return spans


@cache
def _langid() -> Any:
    import py3langid

    return py3langid


def detect_language(text: str, candidates: tuple[str, ...] = ()) -> str:
    """ISO 639-1 code of the text's main language (``und`` when there is too little text).

    With ``candidates``, the best-ranked of them is returned (or the first candidate when the
    text is too short): a five-word question is often ranked as a third language.
    """
    sample = text[:5000]
    if len(re.findall(r"\w+", sample)) < 3:
        return candidates[0] if candidates else "und"
    if candidates:
        for lang, _score in _langid().rank(sample):
            if lang in candidates:
                return str(lang)
        return candidates[0]
    lang, _prob = _langid().classify(sample)
    return str(lang)

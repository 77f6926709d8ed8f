"""A question that names a document by its language: "according to the German article",
"laut dem englischen Artikel", "in the English one".

A reader of a bilingual collection refers to its documents so, and the words do nothing for
the search itself: the embedding of "… according to the German article" leans towards
whichever passages talk about articles, in either language. The language the phrase names
is the one thing the index knows about every document (``Document.language``), so the
search can put that language's passages first (``Index.search``).

Only a language adjective directly before a word for a document counts. "German newspaper"
names a newspaper, and "Russian sources" or "laut russischen Quellen" are people, not
documents in Russian; those are left alone.
"""

from __future__ import annotations

import re

__all__ = ["language_reference", "named_language"]

# English adjective, German stem (inflected -e/-en/-er/-es), ISO 639-1 code
_LANGUAGES = (
    ("English", "englisch", "en"),
    ("German", "deutsch", "de"),
    ("French", "französisch", "fr"),
    ("Spanish", "spanisch", "es"),
    ("Italian", "italienisch", "it"),
    ("Dutch", "niederländisch", "nl"),
    ("Polish", "polnisch", "pl"),
    ("Russian", "russisch", "ru"),
    ("Ukrainian", "ukrainisch", "uk"),
    ("Portuguese", "portugiesisch", "pt"),
)
_BY_WORD = {w.casefold(): code for en, de, code in _LANGUAGES for w in (en, de)}

_EN = re.compile(
    r"\b(?P<lang>" + "|".join(en for en, _, _ in _LANGUAGES) + r")"
    r"(?:-language)?\s+(?:article|text|document|story|piece|version|original)s?\b"
    r"|\bthe\s+(?P<one>" + "|".join(en for en, _, _ in _LANGUAGES) + r")\s+one\b"
)
_DE = re.compile(
    r"\b(?P<lang>" + "|".join(de for _, de, _ in _LANGUAGES) + r")(?:e|en|er|es)?\s+"
    r"(?:Artikel|Text|Texte|Textes|Texten|Dokument|Dokuments|Dokumente|Dokumenten|Beitrag|"
    r"Beitrags|Beiträgen|Beiträge|Fassung|Version|Original)\b",
    re.IGNORECASE,
)


# the words that lead into the reference: "…, according to the", "laut dem", "im"
_LEAD = (
    r"(?:,\s*)?(?:\b(?:according\s+to|in|from|of|by|laut|im|aus|nach|bei|dem|der|den|des|die|"
    r"das|the)\s+){0,3}"
)


# words that only ask: with nothing else left, the reference was the whole question
_ASKING = {
    "what", "who", "how", "which", "when", "where", "why", "does", "did", "say", "says",
    "said", "are", "was", "were", "the", "about", "tell", "wer", "wie", "welche", "welcher",
    "wann", "warum", "steht", "sagt", "der", "die", "das", "ist", "dort", "darin",
}  # fmt: skip


def language_reference(question: str) -> tuple[str | None, str]:
    """(the language the question names, the question without the naming phrase): the
    phrase says which documents, not what to look for in them, so it is left out of the
    search. With no single language named, the question comes back unchanged."""
    lang = named_language(question)
    if lang is None:
        return None, question
    rest = question
    for pattern in (_EN, _DE):
        rest = re.sub(_LEAD + "(?:" + pattern.pattern + ")", " ", rest, flags=pattern.flags)
    rest = re.sub(r"\s+([,.?!;:])", r"\1", " ".join(rest.split()))
    rest = re.sub(r",([?!.])", r"\1", rest).strip(" ,")
    content = [w for w in re.findall(r"\w{3,}", rest.casefold()) if w not in _ASKING]
    return lang, rest if content else question  # "What does say?" asks the whole article


def named_language(question: str) -> str | None:
    """The language code of the document(s) the question names by language, or ``None``
    when it names none, or more than one ("the German article and the English one")."""
    found = set()
    for m in _EN.finditer(question):
        found.add(_BY_WORD[(m.group("lang") or m.group("one")).casefold()])
    for m in _DE.finditer(question):
        found.add(_BY_WORD[m.group("lang").casefold()])
    return found.pop() if len(found) == 1 else None

"""BM25 over chunk texts (bm25s), with a Unicode-aware English/German tokenizer.

Tokens are case-folded word characters of any script; digit groups are joined first so
"1,700", "1.700" and "1700" are one token; English and German stop words are dropped; each
token is stemmed with the Snowball stemmer of its chunk's language. A query's language is
not known reliably from a few words, so a query token is stemmed both ways.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Sequence
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np

from index.text import static_dir

__all__ = ["BM25Index", "join_number_groups", "tokenize"]

_NUMBER_GROUPS = re.compile(r"(?<![\d.,])(\d{1,3})(?:[.,](\d{3}))+(?![.,]?\d)")
_WORD = re.compile(r"\w+", re.UNICODE)
_STEMMERS = {"en": "english", "de": "german"}


@cache
def _stopwords() -> frozenset[str]:
    folder = static_dir() / "nltk_cache" / "corpora" / "stopwords"
    words: set[str] = set()
    for lang in ("english", "german"):
        path = folder / lang
        if path.exists():
            words.update(w.strip().casefold() for w in path.read_text("utf-8").splitlines())
    return frozenset(w for w in words if w)


@cache
def _bm25s() -> Any:
    import bm25s

    # bm25s sets its own logger to DEBUG on import, which would print on every build
    logging.getLogger("bm25s").setLevel(logging.WARNING)
    return bm25s


@cache
def _stemmer(language: str) -> Any:
    import Stemmer

    return Stemmer.Stemmer(_STEMMERS[language])


def join_number_groups(text: str) -> str:
    return _NUMBER_GROUPS.sub(lambda m: m.group(0).replace(",", "").replace(".", ""), text)


def tokenize(text: str, languages: Sequence[str]) -> list[str]:
    """Terms of ``text`` stemmed for each of ``languages`` (unknown languages: no stemming)."""
    stop = _stopwords()
    words = [
        w
        for w in _WORD.findall(join_number_groups(text).casefold())
        if w not in stop and (len(w) > 1 or w.isdigit())
    ]
    stems = [lang for lang in languages if lang in _STEMMERS]
    if not stems:
        return words
    out: list[str] = []
    for lang in stems:
        out.extend(_stemmer(lang).stemWords(words))
    return out if len(stems) == 1 else list(dict.fromkeys(out))


class BM25Index:
    """A bm25s index and the chunk id of each of its rows."""

    FOLDER = "bm25"

    def __init__(self, ids: list[int], retriever: Any) -> None:
        self.ids = ids
        self._retriever = retriever

    @classmethod
    def build(cls, ids: Sequence[int], texts: Sequence[str], languages: Sequence[str]) -> BM25Index:
        if not ids:
            return cls([], None)
        retriever = _bm25s().BM25()
        corpus = [
            tokenize(t, [lang]) or ["\u2205"] for t, lang in zip(texts, languages, strict=True)
        ]
        retriever.index(corpus, show_progress=False)
        return cls(list(ids), retriever)

    @classmethod
    def load(cls, folder: Path) -> BM25Index:
        path = folder / cls.FOLDER
        if not path.exists():
            return cls([], None)
        ids = json.loads((path / "ids.json").read_text())
        retriever = _bm25s().BM25.load(str(path), show_progress=False, verbosity=0)
        return cls(ids, retriever)

    def save(self, folder: Path) -> None:
        path = folder / self.FOLDER
        path.mkdir(exist_ok=True)
        (path / "ids.json").write_text(json.dumps(self.ids))
        if self._retriever is not None:
            self._retriever.save(str(path), show_progress=False)

    def search(self, query: str, k: int) -> list[tuple[int, float]]:
        """Up to ``k`` (chunk id, BM25 score) pairs with a positive score, best first."""
        if self._retriever is None or k <= 0:
            return []
        tokens = tokenize(query, list(_STEMMERS))
        if not tokens:
            return []
        docs, scores = self._retriever.retrieve(
            [tokens], k=min(k, len(self.ids)), show_progress=False, n_threads=1
        )
        return [
            (self.ids[int(d)], float(s))
            for d, s in zip(docs[0], scores[0], strict=True)
            if s > 0 and np.isfinite(s)
        ]

    def __len__(self) -> int:
        return len(self.ids)

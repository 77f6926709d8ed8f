"""Evidence selection: budget, overlap trimming and the sentence window, on a made-up text."""

from __future__ import annotations

from index import Chunk, Hit
from index.text import sentence_spans
from rag.evidence import adjacent_pairs, select_evidence
from rag.types import Evidence

TEXT = (
    "The ferry left at noon. It carried forty cars. The captain was Anna Berg. "
    "She had sailed for twenty years. The crossing took two hours. Nobody was hurt."
)
SENTS = sentence_spans(TEXT, "en")


def _hit(first: int, last: int, chunk_id: int = 1) -> Hit:
    own = tuple(SENTS[first : last + 1])
    start, end = own[0].start, own[-1].end
    chunk = Chunk(chunk_id, "doc", 0, start, end, TEXT[start:end], own, 10)
    return Hit(chunk, "Ferry", "en", 1.0, 1, 1, 0.5)


def test_the_window_adds_neighbouring_sentences_with_exact_offsets() -> None:
    hit = _hit(2, 3)  # "The captain was Anna Berg. She had sailed for twenty years."
    plain = select_evidence([hit], 500, lambda _d: TEXT)
    wide = select_evidence([hit], 500, lambda _d: TEXT, window=1, doc_sentences=lambda _d: SENTS)
    assert plain[0].text == "The captain was Anna Berg. She had sailed for twenty years."
    assert wide[0].text == (
        "It carried forty cars. The captain was Anna Berg. She had sailed for twenty years. "
        "The crossing took two hours."
    )
    assert TEXT[wide[0].start : wide[0].end] == wide[0].text
    assert len(wide[0].sentences) == 4


def test_the_window_stops_at_the_document_edges_and_shows_nothing_twice() -> None:
    first, second = _hit(0, 1), _hit(1, 2, chunk_id=2)
    ev = select_evidence(
        [first, second], 500, lambda _d: TEXT, window=2, doc_sentences=lambda _d: SENTS
    )
    # the first passage grows only forward; the second keeps what the first did not show
    assert ev[0].text.startswith("The ferry left at noon.")
    assert ev[0].text.endswith("The captain was Anna Berg. She had sailed for twenty years.")
    shown = [s for e in ev for s in e.sentences]
    assert len(shown) == len(set(shown))


def test_the_budget_leaves_out_passages_that_do_not_fit_but_keeps_the_first() -> None:
    ev = select_evidence([_hit(0, 5), _hit(0, 0, 2)], 5, lambda _d: TEXT)
    assert len(ev) == 1 and ev[0].n_tokens > 5


def test_adjacent_pairs_are_one_stretch_of_one_document() -> None:
    texts = {"a": "One two. Three four.\n\nFive six. Seven.", "b": "Other text here."}

    def ev(n: int, doc: str, start: int, end: int) -> Evidence:
        return Evidence(n, doc, doc, "en", start, end, texts[doc][start:end], (), 3)

    first, second, third = ev(1, "a", 0, 8), ev(2, "a", 9, 20), ev(3, "a", 22, 31)
    other = ev(4, "b", 0, 16)  # another document, even where the offsets would meet
    pairs = adjacent_pairs([third, first, other, second], lambda d: texts[d])
    # only white space between them, in document order, whatever order they were shown in
    assert [(a.number, b.number) for a, b in pairs] == [(1, 2), (2, 3)]
    # a gap with words in it is not one stretch
    assert adjacent_pairs([first, third], lambda d: texts[d]) == []

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from index import SearchOptions
from index.references import language_reference, named_language
from tests.conftest import MakeIndex


@pytest.mark.parametrize(
    ("question", "lang"),
    [
        ("How old is Yevgeny Prigozhin according to the German article?", "de"),
        ("Seit wann versucht Russland laut dem englischen Artikel, Bakhmut einzunehmen?", "en"),
        ("Which place had the Russians taken, according to the English one?", "en"),
        ("Was steht im deutschen Text über Prigoschin?", "de"),
        ("What does the English-language document say about Kyiv?", "en"),
        ("Who is quoted in the French articles?", "fr"),
        # a newspaper, people, a country: none of them names a document's language
        ("Which German newspaper reported the dispute?", None),
        ("What do Russian sources claim about the losses?", None),
        ("Was sagen russische Quellen über die Verluste?", None),
        ("Wie hoch war die Inflation in Deutschland?", None),
        ("Who fought in Bakhmut?", None),
        # two languages: no single one to prefer
        ("Which city does the German article name, and which the English one?", None),
    ],
)
def test_named_language(question: str, lang: str | None) -> None:
    assert named_language(question) == lang


def test_the_reference_is_left_out_of_the_query() -> None:
    assert language_reference(
        "Who warned against holding on to Bakhmut, according to the German article?"
    ) == ("de", "Who warned against holding on to Bakhmut?")
    assert language_reference(
        "Seit wann versucht Russland laut dem englischen Artikel, Bakhmut einzunehmen?"
    ) == ("en", "Seit wann versucht Russland, Bakhmut einzunehmen?")
    # a name ending in a lead word ("Prigozh-in") keeps its letters
    assert (
        language_reference("How old is Yevgeny Prigozhin according to the German article?")[1]
        == "How old is Yevgeny Prigozhin?"
    )
    # nothing but the reference: the question stays as asked
    assert language_reference("What does the German article say?") == (
        "de",
        "What does the German article say?",
    )
    q = "Who fought in Bakhmut?"
    assert language_reference(q) == (None, q)


def test_search_puts_the_named_language_first(make_index: MakeIndex, seeds_copy: Path) -> None:
    ix = make_index("ix")
    ix.add([seeds_copy])
    question = "Who warned against holding on to Bakhmut, according to the German article?"
    plain = ix.search(question, SearchOptions(language_references=False), k=5)
    assert {h.language for h in plain} != {"de"}  # the hash embedder mixes the languages
    hits = ix.search(question, SearchOptions(), k=5)
    assert len(hits) == 5 and {h.language for h in hits} == {"de"}
    # each language's passages keep the order the search gave them
    deeper = ix.search("Who warned against holding on to Bakhmut?", SearchOptions(), k=20)
    german = [h.chunk.chunk_id for h in deeper if h.language == "de"]
    assert [h.chunk.chunk_id for h in hits] == german[:5]


def test_a_language_without_documents_changes_nothing(
    make_index: MakeIndex, seeds_copy: Path
) -> None:
    ix = make_index("ix")
    ix.add([seeds_copy])
    question = "Who warned against holding on to Bakhmut, according to the French article?"
    on = ix.search(question, SearchOptions(), k=5)
    off = ix.search(question, replace(SearchOptions(), language_references=False), k=5)
    assert [h.chunk.chunk_id for h in on] == [h.chunk.chunk_id for h in off]

from __future__ import annotations

import itertools

import pytest

from index.chunking import chunk_text
from index.dates import find_date
from index.text import count_tokens, detect_language, laid_out, sentence_spans
from tests.conftest import SEEDS


def test_sentence_spans_are_exact_slices_for_every_seed() -> None:
    for path in sorted(SEEDS.glob("*.txt")):
        text = path.read_text("utf-8")
        spans = sentence_spans(text, detect_language(text))
        assert len(spans) > 10
        for s in spans:
            piece = text[s.start : s.end]
            assert piece == piece.strip() and piece
        starts = [s.start for s in spans]
        assert starts == sorted(starts)


@pytest.mark.parametrize(
    ("text", "language", "expected"),
    [
        (
            "Am 24. Februar 2022 begann der Krieg. Es waren 1.700 Soldaten.",
            "de",
            ["Am 24. Februar 2022 begann der Krieg.", "Es waren 1.700 Soldaten."],
        ),
        (
            "Mr. Smith said 1.5 million left. He stayed.",
            "en",
            ["Mr. Smith said 1.5 million left.", "He stayed."],
        ),
        (
            "Headline without a period\n\nBody sentence one. Body two.",
            "en",
            ["Headline without a period", "Body sentence one.", "Body two."],
        ),
        (
            "First line of a caption\nSecond caption line",
            "en",
            ["First line of a caption", "Second caption line"],
        ),
        ("It ends here. .\n\nNext.", "en", ["It ends here. .", "Next."]),
        # after a blank line a mark ends no sentence: a rule between records, an entry's "."
        (
            "since: v2.32\n\n-----\n\nwhat:  col\nEine Leerzeile beendet die Eingabe.\n\n.",
            "de",
            ["since: v2.32", "what:  col", "Eine Leerzeile beendet die Eingabe."],
        ),
        # a line that ends mid-sentence and one that goes on in lower case are one sentence,
        # in a paragraph too short to look wrapped and in a record of "key: value" lines
        (
            "Der erste Schlüssel muß immer ein Schlüssel sein, mit dem\n"
            "unterschrieben werden kann.\n.",
            "de",
            [
                "Der erste Schlüssel muß immer ein Schlüssel sein, mit dem\n"
                "unterschrieben werden kann.\n."
            ],
        ),
        (
            "what:  hwclock --debug\nwhy:   renamed to --verbose.\nsince: v2.32",
            "en",
            ["what:  hwclock --debug\nwhy:   renamed to --verbose.", "since: v2.32"],
        ),
        # a long line whose capitalised next line completes the sentence runs on (German
        # nouns); capitalised lines that complete nothing are items of a list
        (
            "DSA (alias DSS) ist der Algorithmus und kann nur für den\n"
            "Unterschriften genutzt werden.\nZweiter Satz.",
            "de",
            [
                "DSA (alias DSS) ist der Algorithmus und kann nur für den\n"
                "Unterschriften genutzt werden.",
                "Zweiter Satz.",
            ],
        ),
        (
            "Geben Sie bitte einen neuen Dateinamen ein. Falls Sie nur die\n"
            "Eingabetaste betätigen, wird der (in Klammern angezeigte) Standarddateiname\n"
            "verwendet.",
            "de",
            [
                "Geben Sie bitte einen neuen Dateinamen ein.",
                "Falls Sie nur die\nEingabetaste betätigen, wird der (in Klammern angezeigte) "
                "Standarddateiname\nverwendet.",
            ],
        ),
        (
            "HPUX (10.20, 11.00, 11.11 and 11.23, using cc and gcc)\n"
            "IRIX64 (using cc and gcc)\nLinux (several flavors, using gcc)",
            "en",
            [
                "HPUX (10.20, 11.00, 11.11 and 11.23, using cc and gcc)",
                "IRIX64 (using cc and gcc)",
                "Linux (several flavors, using gcc)",
            ],
        ),
    ],
)
def test_sentence_boundaries(text: str, language: str, expected: list[str]) -> None:
    assert [text[s.start : s.end] for s in sentence_spans(text, language)] == expected


def test_a_long_paragraph_of_unended_lines_is_split_in_one_pass() -> None:
    # one line per row, none ending a sentence, the last one ending it: each line is read
    # once (a recursion over the lines would exceed Python's depth here)
    rows = [f"Row {i:05d} holds sensor {i:05d} in degrees C" for i in range(5000)]
    text = "\n".join(rows) + "."
    assert [text[s.start : s.end] for s in sentence_spans(text, "en")] == [text]


def test_hard_wrapped_lines_are_joined_into_sentences() -> None:
    line = "word " * 13
    text = "\n".join([line.strip()] * 4) + " end."
    spans = sentence_spans(text, "en")
    assert len(spans) == 1


@pytest.mark.parametrize(
    ("text", "lang"),
    [
        ("70.000 Einwohner lebten vor Kriegsausbruch in Bakhmut und in den Dörfern.", "de"),
        ("Disputes broke out between the president and his chief general.", "en"),
        ("", "und"),
    ],
)
def test_detect_language(text: str, lang: str) -> None:
    assert detect_language(text) == lang


@pytest.mark.parametrize(
    ("text", "iso"),
    [
        (" date 2023-12-26 Home page politics", "2023-12-26"),
        ("Berlin, 6. März 2023 – Die Stadt", "2023-03-06"),
        ("Published March 6, 2023 by staff", "2023-03-06"),
        ("Stand: 06.03.2023", "2023-03-06"),
        ("No date here at all, only 1700 soldiers.", None),
        ("Invalid 2023-02-30 date", None),
    ],
)
def test_find_date(text: str, iso: str | None) -> None:
    assert find_date(text) == iso


def test_chunks_respect_budget_offsets_and_overlap() -> None:
    text = (SEEDS / "002_85485d81541dfa58.txt").read_text("utf-8")
    chunks = chunk_text(text, "en", max_tokens=120, overlap_tokens=30)
    assert len(chunks) >= 6
    for c in chunks:
        assert c.n_tokens == count_tokens(text[c.start : c.end])
        assert c.n_tokens <= 120 + len(c.sentences)  # separators are estimated as 1 token
        assert c.sentences[0].start == c.start and c.sentences[-1].end == c.end
    # consecutive chunks overlap (a repeated sentence) or touch; nothing is skipped
    for a, b in itertools.pairwise(chunks):
        assert b.start <= a.end + 2
        assert b.start > a.start


def test_overlong_sentence_is_cut_at_word_boundaries() -> None:
    text = " ".join(f"word{i}" for i in range(400)) + "."
    chunks = chunk_text(text, "en", max_tokens=50, overlap_tokens=0)
    assert len(chunks) > 5
    for c in chunks:
        piece = text[c.start : c.end]
        assert c.n_tokens <= 50
        assert not piece.startswith(" ") and piece.split()[0].startswith("word")
    covered = "".join(text[c.start : c.end] + " " for c in chunks).split()
    assert covered == text.split()


@pytest.mark.parametrize(("max_tokens", "overlap"), [(8, 0), (100, 60), (100, -1)])
def test_chunking_rejects_bad_settings(max_tokens: int, overlap: int) -> None:
    with pytest.raises(ValueError, match="tokens"):
        chunk_text("Some text.", "en", max_tokens, overlap)


def test_laid_out_keeps_the_lines_of_a_paragraph_and_runs_paragraphs_together() -> None:
    text = (
        "The following are deprecated.\nAll of them stay for\ncompatibility only.\n\n"
        "what:  hwclock --debug\nwhy:   renamed to --verbose.\nsince: v2.32\n\n"
        "-----\n\n"
        "Apache License\n   Version 2.0, January 2004\n"
    )
    assert laid_out(text) == (
        # a line that runs on ("… stay for" / "compatibility …", "what: …" / "why: …") is
        # joined, not broken
        "The following are deprecated.\nAll of them stay for compatibility only. "
        "what: hwclock --debug why: renamed to --verbose.\nsince: v2.32 ----- "
        "Apache License\nVersion 2.0, January 2004"
    )


def test_laid_out_text_wrapped_at_a_fixed_width_is_one_line() -> None:
    line = "word " * 13
    text = "\n".join([line.strip()] * 4) + " end."
    assert laid_out(text) == " ".join(text.split())

"""Each abstention on an answerable question lands at the first step that lost it."""

from __future__ import annotations

from dataclasses import dataclass, field

import pytest

from eval.causes import (
    CAUSES,
    abstention_cause,
    cause_table,
    drafts_line,
    effect_line,
    second_drafts,
    summary_line,
    verification_effect,
)
from rag.attribution import RESTATES
from rag.premise import REFUSAL

GOLD = ("gold.txt",)
SPAN = ((400, 420),)  # where the answer stands in gold.txt
DRAFT_FAILED = "no sentence of the draft answer is supported by the passages it cites"
RULE = "names not in the cited text: X"
JUDGE = "judge P(yes) 0.5 < 0.6"
EARLY = (("gold.txt", 0, 399), ("other.txt", 400, 420))  # the answer's chunk not shown


def failed(*reasons: str) -> Record:
    return Record(reason=DRAFT_FAILED, sentence_reasons=reasons)


@dataclass(frozen=True)
class Record:
    abstained: bool = True
    reason: str = "the documents do not say"
    ranked_docs: tuple[str, ...] = ("gold.txt", "other.txt")
    evidence_docs: tuple[str, ...] = ("gold.txt",)
    sentence_reasons: tuple[str, ...] = ()
    evidence_spans: tuple[tuple[str, int, int], ...] = (("gold.txt", 350, 500),)


@dataclass(frozen=True)
class Ex:
    answerable: bool = True
    gold_docs: tuple[str, ...] = GOLD
    gold_spans: tuple[tuple[int, int], ...] = SPAN
    language: str = "en"
    tags: tuple[str, ...] = ()


@dataclass(frozen=True)
class Result(Record):
    example: Ex = field(default_factory=Ex)


@pytest.mark.parametrize(
    ("record", "cause"),
    [
        (Record(abstained=False, reason=""), None),
        (Record(reason="stopped by the user"), "stopped"),
        (Record(reason="no passage is relevant enough to answer from"), "relevance gate"),
        (Record(ranked_docs=("other.txt",)), "retrieval miss"),
        (Record(evidence_docs=("other.txt",)), "evidence miss"),
        # the gold document was shown, but only a passage of it before the answer
        (Record(evidence_spans=EARLY), "evidence miss: span"),
        (Record(), "model declined"),
        (failed("no citation"), "verification: no citation"),
        (failed("no citation", RULE), "verification: rule"),
        (failed(RULE, JUDGE), "verification: judge"),
        (failed("no citation", RESTATES), "verification: restatement"),
        (Record(reason=f"{REFUSAL} (P(yes) 0.20 < 0.35)"), "verification: premise"),
        (
            Record(reason=f"Wer?: the documents do not say; Wann?: {REFUSAL}"),
            "verification: premise",
        ),
        (Record(reason="something new"), "other"),
        # a two-part question, both parts declined (rag/parts.py joins their reasons)
        (
            Record(
                reason=f"Which city?: the documents do not say; Which place?: {DRAFT_FAILED}",
                sentence_reasons=("no citation", JUDGE),
            ),
            "verification: judge",
        ),
        (
            Record(reason="Wer?: the documents do not say; Wann?: the documents do not say"),
            "model declined",
        ),
    ],
)
def test_each_abstention_gets_the_first_step_that_lost_it(
    record: Record, cause: str | None
) -> None:
    assert abstention_cause(record, GOLD, SPAN) == cause


def test_span_misses_need_spans_one_gold_document_and_reported_evidence() -> None:
    before = Record(evidence_spans=(("gold.txt", 0, 399),))
    assert abstention_cause(before, GOLD, SPAN) == "evidence miss: span"
    assert abstention_cause(before, GOLD) == "model declined"  # no spans: not judged
    assert abstention_cause(before, ("gold.txt", "b.txt"), SPAN) == "model declined"
    assert abstention_cause(Record(evidence_spans=()), GOLD, SPAN) == "model declined"
    touching = Record(evidence_spans=(("gold.txt", 410, 600),))  # overlaps the answer
    assert abstention_cause(touching, GOLD, SPAN) == "model declined"


def test_the_table_counts_by_group_and_the_summary_names_the_causes() -> None:
    results = [
        Result(),
        Result(evidence_spans=(("gold.txt", 0, 10),), example=Ex(tags=("numbers",))),
        Result(abstained=False, reason=""),
        Result(example=Ex(answerable=False)),  # declining it is right: not counted
    ]
    table = cause_table(results)
    assert table["all"]["answerable"] == 3 and table["all"]["declined"] == 2
    assert table["all"]["model declined"] == 1 and table["all"]["evidence miss: span"] == 1
    assert table["tag:numbers"]["evidence miss: span"] == 1
    assert list(table["all"])[2:] == list(CAUSES)
    assert summary_line(table["all"]) == (
        "declined 2 of 3 answerable: evidence miss: span 1, model declined 1"
    )


@dataclass(frozen=True)
class Drafted:
    second_draft: str
    abstained: bool
    correct: bool
    quote_score: float | None = None
    copied: str = ""


def test_second_drafts_are_counted_by_kind_with_what_they_ended_as() -> None:
    rows = [
        Drafted("", False, True),  # one draft: not counted
        Drafted("retry", False, True),
        Drafted("retry", True, False),
        Drafted("second look", False, True),
        Drafted("second look", False, False),
        Drafted("second look", True, True),  # an unanswerable question still declined
    ]
    table = second_drafts(rows)
    assert table == {
        "retry": {"asked": 2, "answered": 1, "right": 1},
        "second look": {"asked": 3, "answered": 2, "right": 2},
    }
    assert drafts_line(table) == (
        "second drafts: retry 2 (answered 1, right 1), second look 3 (answered 2, right 2)"
    )
    assert drafts_line(second_drafts(rows[:1])) == ""


def test_quoted_answers_are_counted_beside_the_draft_that_came_before() -> None:
    rows = [
        Drafted("", False, True, quote_score=0.8),
        Drafted("retry", False, False, quote_score=0.76),  # retried, then quoted: both
        Drafted("", True, True),
        Drafted("retry", False, True, copied="--verbose"),  # the copy fallback's quote
    ]
    assert second_drafts(rows) == {
        "copy": {"asked": 1, "answered": 1, "right": 1},
        "quote": {"asked": 2, "answered": 2, "right": 1},
        "retry": {"asked": 2, "answered": 2, "right": 1},
    }


@dataclass(frozen=True)
class Facts:
    answerable: bool = True
    key_facts: tuple[tuple[str, ...], ...] = (("1996",),)


@dataclass(frozen=True)
class Verified:
    sentences: tuple[tuple[str, object, bool], ...]
    abstained: bool
    correct: bool
    example: Facts = field(default_factory=Facts)
    reason: str = ""


def _said(*texts_kept: tuple[str, bool]) -> tuple[tuple[str, object, bool], ...]:
    return tuple((text, (), kept) for text, kept in texts_kept)


def test_verification_effect_scores_the_whole_draft_against_what_was_kept() -> None:
    right, wrong = ("It was created in 1996.", True), ("It was created in 1997.", True)
    rows = [
        Verified(_said(right), False, True),  # kept right
        Verified(_said((right[0], False)), True, False),  # right draft cut to an abstention
        # the right sentence removed, a wrong one kept: the draft held it, the answer not
        Verified(_said((right[0], False), ("It is a directive.", True)), False, False),
        Verified(_said((wrong[0], False)), True, False),  # wrong draft removed
        Verified(_said(wrong), False, False),  # wrong draft kept
        Verified((), True, False),  # the model declined: no draft, not counted
        Verified(_said(wrong), True, True, Facts(answerable=False)),  # unanswerable, removed
        Verified(_said(wrong), False, False, Facts(answerable=False)),  # unanswerable, kept
        # declined by the premise check: no sentences kept, counted by the reason
        Verified((), True, True, Facts(answerable=False), f"{REFUSAL} (P(yes) 0.2 < 0.35)"),
        Verified((), True, False, Facts(), f"Wer?: {REFUSAL} (P(yes) 0.3 < 0.35)"),
    ]
    row = verification_effect(rows)
    assert row == {
        "drafted": 5, "draft right": 3, "kept right": 1, "removed right": 2,
        "removed wrong": 1, "kept wrong": 1, "unanswerable drafted": 2,
        "unanswerable removed": 1, "premise answerable": 1, "premise unanswerable": 1,
    }  # fmt: skip
    assert effect_line(row) == (
        "verification: of 5 drafts 3 right; kept 1 right and 1 wrong, removed 2 right and "
        "1 wrong; unanswerable: 2 drafted, 1 removed; declined by the premise check: "
        "1 answerable, 1 unanswerable"
    )
    assert effect_line(verification_effect(rows[5:6])) == ""

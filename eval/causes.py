"""Where each declined answer went: one cause per abstention on an answerable question.

Coverage work is judged by these counts: a change that cuts "model declined" but turns the
same questions into "verification: judge" has moved the loss, not removed it. The causes
are checked in pipeline order, so each abstention lands at the first step that lost it:

1. stopped — the user pressed Stop;
2. relevance gate — no passage reached the dense-similarity floor, nothing was generated;
3. retrieval miss — no gold document among the hits;
4. evidence miss — a gold document among the hits, but none among the evidence shown;
   "evidence miss: span" — the gold document was shown, but none of its passages shown
   held the gold answer span (the answer sat in a neighbouring chunk); only where the
   example has one gold document with spans and the pipeline reports its evidence spans;
5. model declined — the model wrote the cannot-answer phrase although the evidence held a
   gold document;
6. verification — every draft sentence failed: no citation at all, the rule (a number or
   name missing from the cited text), the judge below its threshold, or a sentence that only
   restated the question ("restatement", removed before any check); or "premise": the
   sentences held, but the passages they cite did not confirm the question's premise
   (rag/premise.py).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from typing import Protocol

from eval.metrics import key_facts_hit
from rag.attribution import RESTATES
from rag.premise import REFUSAL

__all__ = [
    "CAUSES",
    "AbstentionRecord",
    "DraftRecord",
    "VerifiedRecord",
    "abstention_cause",
    "cause_table",
    "drafts_line",
    "effect_line",
    "render_causes",
    "second_drafts",
    "summary_line",
    "verification_effect",
]

CAUSES = (
    "stopped",
    "relevance gate",
    "retrieval miss",
    "evidence miss",
    "evidence miss: span",
    "model declined",
    "verification: no citation",
    "verification: rule",
    "verification: judge",
    "verification: restatement",
    "verification: premise",
    "other",
)


class AbstentionRecord(Protocol):
    """What the classification reads of one answered example (``ExampleResult`` fits)."""

    @property
    def abstained(self) -> bool: ...

    @property
    def reason(self) -> str: ...

    @property
    def ranked_docs(self) -> tuple[str, ...]: ...

    @property
    def evidence_docs(self) -> tuple[str, ...]: ...

    @property
    def sentence_reasons(self) -> tuple[str, ...]: ...

    @property
    def evidence_spans(self) -> tuple[tuple[str, int, int], ...]: ...


def _span_missed(
    r: AbstentionRecord, gold_docs: Sequence[str], gold_spans: Sequence[tuple[int, int]]
) -> bool:
    """The one gold document was shown, but no shown passage of it overlaps a gold span."""
    if len(gold_docs) != 1 or not gold_spans:
        return False
    shown = [(a, b) for doc, a, b in r.evidence_spans if doc == gold_docs[0]]
    held = any(a < end and start < b for a, b in shown for start, end in gold_spans)
    return bool(shown) and not held


def _verification_cause(reasons: Sequence[str]) -> str:
    # the sentence that came closest decides: a judge failure means the rule and the
    # citation were fine, so it is the nearest miss; "no citation" the farthest
    if any(r.startswith("judge") for r in reasons):
        return "verification: judge"
    if any(r.startswith(("numbers not", "names not")) for r in reasons):
        return "verification: rule"
    if any(r.startswith(RESTATES) for r in reasons):
        return "verification: restatement"
    return "verification: no citation"


def _part_reasons(reason: str) -> list[str]:
    """Each part's reason of a question answered in parts (rag/parts.py joins them as
    "<part>?: <reason>; …"); a question asked whole gives its one reason."""
    return [part.split("?: ", 1)[-1] for part in reason.split("; ")]


def abstention_cause(
    r: AbstentionRecord, gold_docs: Sequence[str], gold_spans: Sequence[tuple[int, int]] = ()
) -> str | None:
    """The cause of an abstention (one of ``CAUSES``), or None when it answered.

    ``gold_spans``: character spans of the answer in the (single) gold document."""
    if not r.abstained:
        return None
    reason = r.reason
    if reason.startswith("stopped"):
        return "stopped"
    if reason.startswith("no passage is relevant enough"):
        return "relevance gate"
    gold = set(gold_docs)
    if gold and not gold & set(r.ranked_docs):
        return "retrieval miss"
    # a pipeline that does not report its evidence (the baseline) is not charged for it
    if gold and r.evidence_docs and not gold & set(r.evidence_docs):
        return "evidence miss"
    if _span_missed(r, gold_docs, gold_spans):
        return "evidence miss: span"
    # a question answered in parts (rag/parts.py) gives each part's reason, "<part>?: <reason>"
    # joined by "; ": a part lost in verification came nearer than one the model declined
    reasons = _part_reasons(reason)
    if any(x.startswith(REFUSAL) for x in reasons):
        return "verification: premise"  # its sentences held; the question's premise did not
    if any(x.startswith(("no sentence of the draft", "the draft answer")) for x in reasons):
        return _verification_cause(r.sentence_reasons)
    if any("do not say" in x or "does not answer" in x for x in reasons):
        return "model declined"
    return "other"


class _Example(Protocol):
    @property
    def answerable(self) -> bool: ...

    @property
    def gold_docs(self) -> tuple[str, ...]: ...

    @property
    def gold_spans(self) -> tuple[tuple[int, int], ...]: ...

    @property
    def language(self) -> str: ...

    @property
    def tags(self) -> tuple[str, ...]: ...


class _Result(AbstentionRecord, Protocol):
    @property
    def example(self) -> _Example: ...


def cause_table(results: Iterable[_Result]) -> dict[str, dict[str, int]]:
    """Abstentions on answerable questions, by cause, for "all", each language and tag.

    Each group also counts its answerable questions ("answerable") and all its
    abstentions on them ("declined"), so a row reads "declined 15 of 48: …".
    """
    table: dict[str, Counter[str]] = defaultdict(Counter)
    for r in results:
        ex = r.example
        if not ex.answerable:
            continue
        groups = ["all", f"lang:{ex.language}", *(f"tag:{t}" for t in ex.tags)]
        cause = abstention_cause(r, ex.gold_docs, ex.gold_spans)
        for g in groups:
            table[g]["answerable"] += 1
            if cause is not None:
                table[g]["declined"] += 1
                table[g][cause] += 1
    order = ["all", *sorted(g for g in table if g != "all")]
    return {g: {k: table[g][k] for k in ("answerable", "declined", *CAUSES)} for g in order}


def render_causes(tables: dict[str, dict[str, dict[str, int]]]) -> list[str]:
    """Markdown lines: one table per pipeline, a row per group, a column per cause."""
    lines: list[str] = []
    for pipeline, table in tables.items():
        if not table:
            continue
        shown = [c for c in CAUSES if any(row[c] for row in table.values())]
        lines += [
            "",
            f"## {pipeline}: why answerable questions were declined",
            "",
            "| group | answerable | declined | " + " | ".join(shown) + " |",
            "|---|---|---|" + "---|" * len(shown),
        ]
        for group, row in table.items():
            cells = " | ".join(str(row[c]) for c in shown)
            lines.append(f"| {group} | {row['answerable']} | {row['declined']} | {cells} |")
    return lines


def summary_line(row: dict[str, int]) -> str:
    """``declined 15 of 48: model declined 7, verification: judge 5, …`` for one group."""
    parts = [f"{c} {row[c]}" for c in CAUSES if row.get(c)]
    head = f"declined {row['declined']} of {row['answerable']} answerable"
    return head + (": " + ", ".join(parts) if parts else "")


class DraftRecord(Protocol):
    """What the count of second drafts reads of one example (``ExampleResult`` fits)."""

    @property
    def abstained(self) -> bool: ...

    @property
    def correct(self) -> bool: ...

    @property
    def second_draft(self) -> str: ...

    @property
    def quote_score(self) -> float | None: ...

    @property
    def copied(self) -> str: ...


def second_drafts(results: Iterable[DraftRecord]) -> dict[str, dict[str, int]]:
    """For each kind of second draft ("retry", "second look"): how often the pipeline wrote
    one, how many of those ended answered, and how many ended right (a right decline of an
    unanswerable question counts as right). What a second draft costs in time is paid by
    ``asked`` questions; what it buys is ``answered`` and ``right``. Answers that quote a
    sentence in place of a decline count as "quote", or "copy" when the copy fallback found
    the sentence (asked = answered: a quote that did not reach its threshold, or a copy that
    failed its checks, leaves no trace but the time)."""
    table: dict[str, Counter[str]] = defaultdict(Counter)
    for r in results:
        kinds = [r.second_draft] if r.second_draft else []
        kinds += ["quote"] if r.quote_score is not None else []
        kinds += ["copy"] if r.copied else []
        for kind in kinds:
            row = table[kind]
            row["asked"] += 1
            row["answered"] += not r.abstained
            row["right"] += r.correct
    return {k: {c: table[k][c] for c in ("asked", "answered", "right")} for k in sorted(table)}


def drafts_line(table: dict[str, dict[str, int]]) -> str:
    """``second drafts: retry 5 (answered 3, right 2), second look 9 (…)``, or ""."""
    parts = [
        f"{kind} {row['asked']} (answered {row['answered']}, right {row['right']})"
        for kind, row in table.items()
    ]
    return "second drafts: " + ", ".join(parts) if parts else ""


class _Facts(Protocol):
    @property
    def answerable(self) -> bool: ...

    @property
    def key_facts(self) -> tuple[tuple[str, ...], ...]: ...


class VerifiedRecord(Protocol):
    """What the verification count reads of one example (``ExampleResult`` fits)."""

    @property
    def example(self) -> _Facts: ...

    @property
    def abstained(self) -> bool: ...

    @property
    def correct(self) -> bool: ...

    @property
    def sentences(self) -> Sequence[tuple[str, object, bool]]: ...

    @property
    def reason(self) -> str: ...


EFFECT = (
    "drafted", "draft right", "kept right", "removed right", "removed wrong", "kept wrong",
    "unanswerable drafted", "unanswerable removed", "premise answerable", "premise unanswerable",
)  # fmt: skip


def verification_effect(results: Iterable[VerifiedRecord]) -> dict[str, int]:
    """What verification did to the drafts the model wrote, scored by the same key facts.

    Only examples with a draft count (a model that declined wrote none). On answerable
    questions a draft is right when all its sentences, kept or removed, hold the key facts;
    "removed right" is a right draft that verification cut to an abstention or to a wrong
    answer (the coverage it costs), "removed wrong" a wrong draft it cut to an abstention
    (the mistakes it spared the reader). On unanswerable questions every draft is wrong, and
    "unanswerable removed" counts those it cut to an abstention. "draft right" is also the
    ceiling of the pipeline's answers with verification off: no checking of citations can
    make the generator right more often than its drafts are."""
    row: Counter[str] = Counter()
    for r in results:
        if any(x.startswith(REFUSAL) for x in _part_reasons(r.reason)):
            # declined by the premise check, with no sentences (rag/premise.py): counted apart
            row["premise answerable" if r.example.answerable else "premise unanswerable"] += 1
        texts = [text for text, _, _ in r.sentences]
        if not texts:
            continue
        if not r.example.answerable:
            row["unanswerable drafted"] += 1
            row["unanswerable removed"] += r.abstained
            continue
        draft_right = key_facts_hit(" ".join(texts), r.example.key_facts)
        row["drafted"] += 1
        row["draft right"] += draft_right
        if draft_right:
            row["kept right" if r.correct else "removed right"] += 1
        elif r.abstained:
            row["removed wrong"] += 1
        else:
            row["kept wrong"] += 1
    return {k: row[k] for k in EFFECT}


def effect_line(row: dict[str, int]) -> str:
    """``verification: of 69 drafts 60 right; kept 55 right and 4 wrong, removed 5 right and
    5 wrong; …`` or "" when there was no draft."""
    if not any(row[k] for k in ("drafted", "unanswerable drafted", "premise unanswerable")):
        return ""
    line = (
        f"verification: of {row['drafted']} drafts {row['draft right']} right; kept "
        f"{row['kept right']} right and {row['kept wrong']} wrong, removed "
        f"{row['removed right']} right and {row['removed wrong']} wrong"
    )
    if row["unanswerable drafted"]:
        line += (
            f"; unanswerable: {row['unanswerable drafted']} drafted, "
            f"{row['unanswerable removed']} removed"
        )
    if row["premise answerable"] or row["premise unanswerable"]:
        line += (
            f"; declined by the premise check: {row['premise answerable']} answerable, "
            f"{row['premise unanswerable']} unanswerable"
        )
    return line
